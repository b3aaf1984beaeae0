"""The pure NAT planner: defaults resolved once, stable per-zone names, routes, warnings."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.traffic_edge.egress_nat.seed import VPC, A, B, C, alloc, rtb, seed_args, sub
from traffic_edge._shared.problems import Path
from traffic_edge.egress_nat.args import NatStrategy
from traffic_edge.egress_nat.plan import check_zone_coverage, plan_egress_nat
from traffic_edge.egress_nat.validate import validate_egress_nat_args


def test_the_plan_holds_every_default_once_and_is_frozen() -> None:
    plan = plan_egress_nat("egress", seed_args())
    assert (plan.name, plan.region, plan.vpc_id, plan.strategy, plan.zones) == (
        "egress",
        "ap-northeast-2",
        VPC,
        NatStrategy.ONE_PER_ZONE,
        (A, C),
    )
    assert (plan.alarms, plan.alarm_topic_arn, plan.tags, plan.expected_gb_per_month) == (
        True,
        None,
        (),
        Decimal(0),
    )
    assert [len(n.eips) for n in plan.nat_gateways] == [1, 1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.alarms = False  # type: ignore[misc]
    # A strategy given as its string is the enum in the plan.
    assert plan_egress_nat("egress", seed_args(strategy="OnePerZone")).strategy is NatStrategy.ONE_PER_ZONE


def test_every_resource_gets_the_users_tags_and_its_own_name() -> None:
    plan = plan_egress_nat("egress", seed_args(tags={"team": "platform", "env": "dev"}))
    assert plan.tags_named("egress-nat-ap-northeast-2a") == {
        "team": "platform",
        "env": "dev",
        "Name": "egress-nat-ap-northeast-2a",
    }
    assert plan.tags == (("team", "platform"), ("env", "dev"))


def test_seed_plan_names_everything_by_zone_and_routes_each_zone_to_its_own_nat() -> None:
    plan = plan_egress_nat("egress", seed_args())
    assert [(n.resource_name, n.subnet_id, [e.resource_name for e in n.eips]) for n in plan.nat_gateways] == [
        ("egress-nat-ap-northeast-2a", sub(1), ["egress-eip-ap-northeast-2a"]),
        ("egress-nat-ap-northeast-2c", sub(3), ["egress-eip-ap-northeast-2c"]),
    ]
    assert [(r.table_name, r.route_name, r.nat_zone, r.associations) for r in plan.route_tables] == [
        (
            "egress-rtb-ap-northeast-2a",
            "egress-default-route-ap-northeast-2a",
            A,
            (("egress-rtba-" + sub(11), sub(11)), ("egress-rtba-" + sub(12), sub(12))),
        ),
        (
            "egress-rtb-ap-northeast-2c",
            "egress-default-route-ap-northeast-2c",
            C,
            (("egress-rtba-" + sub(13), sub(13)),),
        ),
    ]
    assert plan.warnings == ()
    assert plan.nat_gateways[0].alarm_names == (
        "egress-port-allocation-errors-ap-northeast-2a",
        "egress-packet-drops-ap-northeast-2a",
    )
    assert plan_egress_nat("egress", seed_args(alarms=False)).nat_gateways[0].alarm_names == ()


def test_existing_route_tables_are_named_by_their_id() -> None:
    plan = plan_egress_nat(
        "egress", seed_args(private_subnet_ids={A: [sub(11)]}, private_route_table_ids={C: [rtb(7)]})
    )
    existing = [r for r in plan.route_tables if r.existing_id is not None]
    assert [(r.route_name, r.existing_id, r.table_name, r.associations) for r in existing] == [
        (f"egress-default-route-{rtb(7)}", rtb(7), None, ())
    ]


def test_adding_a_zone_renames_nothing_in_the_other_zones() -> None:
    before = plan_egress_nat("egress", seed_args())
    after = plan_egress_nat(
        "egress",
        seed_args(
            zones=[A, B, C],
            public_subnet_ids={A: sub(1), B: sub(2), C: sub(3)},
            private_subnet_ids={A: [sub(11), sub(12)], B: [sub(14)], C: [sub(13)]},
        ),
    )
    for zone in (A, C):
        assert before.nat_in(zone) == after.nat_in(zone)
    assert set(before.route_tables) <= set(after.route_tables)


def test_single_routes_every_zone_to_the_one_nat_and_warns_with_the_cost() -> None:
    plan = plan_egress_nat(
        "egress",
        seed_args(strategy="Single", public_subnet_ids={C: sub(3)}, expected_gb_per_month=1000),
    )
    assert plan.nat_zones == [C]
    assert {r.zone: r.nat_zone for r in plan.route_tables} == {A: C, C: C}
    assert plan.warnings == (
        "EgressNatGateways 'egress': strategy Single puts the only NAT gateway in ap-northeast-2c: egress "
        "from ['ap-northeast-2a'] crosses zones at $0.01/GB each way (about $10.00 a month at 1000 GB/month), "
        "and ap-northeast-2c is a single point of failure for the egress of every zone. Use strategy "
        "OnePerZone for production.",
    )
    # Without traffic (or prices) the warning gives no figure.
    quiet = plan_egress_nat("egress", seed_args(strategy="Single", public_subnet_ids={C: sub(3)}))
    assert (
        "(about" not in quiet.warnings[0] and "crosses zones at $0.01/GB each way, and" in quiet.warnings[0]
    )


def test_more_than_two_ips_per_nat_warns_about_the_default_quota() -> None:
    assert plan_egress_nat("egress", seed_args(secondary_eips_per_nat=1)).warnings == ()
    assert plan_egress_nat("egress", seed_args(secondary_eips_per_nat=2)).warnings == (
        "EgressNatGateways 'egress': 3 IPs per NAT gateway exceed the default AWS quota 'EIPs per public NAT "
        "gateway' (2); request an increase (up to 8) before deploying.",
    )


def test_adopted_ids_fill_the_first_slots_and_created_eips_the_rest() -> None:
    plan = plan_egress_nat(
        "egress", seed_args(adopted_eip_allocation_ids={A: [alloc(1), alloc(2)]}, secondary_eips_per_nat=2)
    )
    assert [(e.slot, e.resource_name, e.allocation_id) for e in plan.nat_in(A).eips] == [
        (0, None, alloc(1)),
        (1, None, alloc(2)),
        (2, "egress-eip-ap-northeast-2a-secondary-2", None),
    ]
    assert [e.resource_name for e in plan.nat_in(C).eips] == [
        "egress-eip-ap-northeast-2c",
        "egress-eip-ap-northeast-2c-secondary-1",
        "egress-eip-ap-northeast-2c-secondary-2",
    ]


# --- stack pairing -----------------------------------------------------------------------


def test_zone_coverage() -> None:
    assert check_zone_coverage([A, C], [A, C]) == []
    assert check_zone_coverage([A, B, C], [C]) == []
    problems = check_zone_coverage([C], [A, B, C])
    assert [p.path for p in problems] == [Path(("zones", 0)), Path(("zones", 1))]
    assert [p.render() for p in problems] == [
        f"zones[{i}]: {zone!r} is not allowed: a zone with a NAT gateway of its own ('ap-northeast-2c'): "
        "egress from any other zone crosses zones at $0.01/GB each way and breaks the local-AZ design"
        for i, zone in enumerate((A, B))
    ]


# --- properties --------------------------------------------------------------------------

ZONES = [f"us-east-1{letter}" for letter in "abcdef"]


@st.composite
def valid_args(draw: st.DrawFn) -> dict[str, Any]:
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=6, unique=True))
    strategy = draw(st.sampled_from(list(NatStrategy)))
    nat_zones = zones if strategy is not NatStrategy.SINGLE else [draw(st.sampled_from(zones))]
    secondary = draw(st.integers(0, 7))
    adopted: dict[str, list[str]] = {}
    for zone in nat_zones:
        count = draw(st.integers(0, 1 + secondary))
        if count:
            adopted[zone] = [alloc(100 * ZONES.index(zone) + i) for i in range(count)]
    tables: dict[str, list[str]] = {}
    subnets: dict[str, list[str]] = {}
    for zone in zones:
        n = draw(st.integers(1, 3))
        base = 100 * (ZONES.index(zone) + 1)
        if draw(st.booleans()):
            tables[zone] = [rtb(base + i) for i in range(n)]
        else:
            subnets[zone] = [sub(base + 50 + i) for i in range(n)]
    args: dict[str, Any] = {
        "vpc_id": VPC,
        "zones": zones,
        "strategy": strategy.value if draw(st.booleans()) else strategy,
        "secondary_eips_per_nat": secondary,
        "expected_gb_per_month": draw(st.integers(0, 10**6)),
    }
    if strategy is not NatStrategy.REGIONAL:
        args["public_subnet_ids"] = {z: sub(ZONES.index(z) + 1) for z in nat_zones}
    if adopted:
        args["adopted_eip_allocation_ids"] = adopted
    if tables:
        args["private_route_table_ids"] = tables
    if subnets:
        args["private_subnet_ids"] = subnets
    return args


@settings(max_examples=300, deadline=None)
@given(valid_args())
def test_plan_properties(args: dict[str, Any]) -> None:
    assert validate_egress_nat_args(args) == []
    plan = plan_egress_nat("egress", args)
    zones = args["zones"]
    single = plan.strategy is NatStrategy.SINGLE
    regional = plan.strategy is NatStrategy.REGIONAL
    secondary = args["secondary_eips_per_nat"]
    adopted = args.get("adopted_eip_allocation_ids", {})

    assert len(plan.nat_gateways) == (1 if single or regional else len(zones))
    assert all(n.regional == regional for n in plan.nat_gateways)
    assert plan.nat_zones == ([plan.nat_zones[0]] if single else zones)
    eips = [e for n in plan.nat_gateways for e in n.eips]
    assert len(eips) == len(plan.nat_zones) * (1 + secondary)
    created = [e for e in eips if not e.adopted]
    assert len(created) == len(eips) - sum(len(ids) for ids in adopted.values())
    # No adopted EIP is ever created, and every adopted one is used exactly once.
    assert all(e.resource_name is None for e in eips if e.adopted)
    assert sorted(e.allocation_id for e in eips if e.adopted) == sorted(
        a for ids in adopted.values() for a in ids
    )

    routed_tables = sum(len(ids) for ids in args.get("private_route_table_ids", {}).values())
    assert len(plan.route_tables) == routed_tables + len(args.get("private_subnet_ids", {}))
    for route in plan.route_tables:
        assert route.nat_zone == (plan.nat_zones[0] if single else route.zone)
    assert {r.zone for r in plan.route_tables} == set(zones)

    names = (
        [n.resource_name for n in plan.nat_gateways]
        + [e.resource_name for e in created]
        + [r.route_name for r in plan.route_tables]
        + [r.table_name for r in plan.route_tables if r.table_name]
        + [a for r in plan.route_tables for a, _ in r.associations]
        + [a for n in plan.nat_gateways for a in n.alarm_names]
    )
    assert len(names) == len(set(names))
    assert (len(plan.warnings) > 0) == ((single and len(zones) > 1) or secondary >= 2)


def test_regional_plan_names_one_gateway_and_keeps_the_zonal_eip_names() -> None:
    args = seed_args(
        strategy="Regional", secondary_eips_per_nat=2, adopted_eip_allocation_ids={C: [alloc(3)]}
    )
    del args["public_subnet_ids"]
    plan = plan_egress_nat("egress", args)
    (nat,) = plan.nat_gateways
    assert (nat.resource_name, nat.subnet_id, nat.regional, nat.zones) == ("egress-nat", None, True, (A, C))
    assert [e.resource_name or e.allocation_id for e in nat.eips_in(C)] == [
        alloc(3),
        "egress-eip-ap-northeast-2c-secondary-1",
        "egress-eip-ap-northeast-2c-secondary-2",
    ]
    assert plan.nat_zones == [A, C] and plan.nat_in(C) is nat
    assert [(r.zone, r.nat_zone) for r in plan.route_tables] == [(A, A), (C, C)]
    assert plan.warnings == (
        "EgressNatGateways 'egress': 3 IPs per zone of the regional NAT gateway exceed the default AWS quota "
        "'EIPs per public NAT gateway' (2); request an increase (up to 8) before deploying.",
    )
