"""The pure NAT planner: validation messages, the per-zone plan, the cost arithmetic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from traffic_edge._shared.problems import ArgsError, Problem, raise_if
from traffic_edge.egress_nat.plan import (
    PRICES,
    NatStrategy,
    check_zone_coverage,
    estimate_monthly_cost,
    plan_cost,
    plan_egress_nat,
    validate_egress_nat_args,
)

A, B, C = "ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"
VPC = "vpc-0123456789abcdef0"


def sub(n: int) -> str:
    return f"subnet-{n:017x}"


def rtb(n: int) -> str:
    return f"rtb-{n:017x}"


def alloc(n: int) -> str:
    return f"eipalloc-{n:017x}"


def seed_args(**over: Any) -> dict[str, Any]:
    """The seed's shape: Seoul, zones a and c, the EKS private subnets of each zone."""
    args: dict[str, Any] = {
        "vpc_id": VPC,
        "zones": [A, C],
        "public_subnet_ids": {A: sub(1), C: sub(3)},
        "private_subnet_ids": {A: [sub(11), sub(12)], C: [sub(13)]},
    }
    args.update(over)
    return args


def rendered(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_egress_nat_args(args)]


# --- validation --------------------------------------------------------------------------


def test_seed_shape_is_valid() -> None:
    assert validate_egress_nat_args(seed_args()) == []


def test_a_zone_may_use_existing_route_tables_while_another_gets_created_ones() -> None:
    args = seed_args(private_subnet_ids={A: [sub(11)]}, private_route_table_ids={C: [rtb(1), rtb(2)]})
    assert validate_egress_nat_args(args) == []


@pytest.mark.parametrize(
    ("over", "message"),
    [
        (
            {"vpc_id": "vpc-12"},
            "vpc_id: 'vpc-12' is not allowed: a VPC id: 'vpc-' followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"public_subnet_ids": {A: "subnet-0ABCDEF01", C: sub(3)}},
            "public_subnet_ids.ap-northeast-2a: 'subnet-0ABCDEF01' is not allowed: a subnet id: 'subnet-' "
            "followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)]}, "private_route_table_ids": {C: ["rtb-xyz"]}},
            "private_route_table_ids.ap-northeast-2c[0]: 'rtb-xyz' is not allowed: a route table id: 'rtb-' "
            "followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"adopted_eip_allocation_ids": {A: ["eipalloc-1"]}},
            "adopted_eip_allocation_ids.ap-northeast-2a[0]: 'eipalloc-1' is not allowed: a EIP allocation id: "
            "'eipalloc-' followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"zones": [A, "ap-northeast-2"]},
            "zones[1]: 'ap-northeast-2' is not allowed: an Availability Zone name such as ap-northeast-2a "
            "(Local and Wavelength Zones are not supported)",
        ),
        (
            {"zones": []},
            "zones: [] is not allowed: a non-empty list of Availability Zone names such as ap-northeast-2a",
        ),
        (
            {"public_subnet_ids": {A: sub(1)}},
            "public_subnet_ids: ['ap-northeast-2a'] is not allowed: one public subnet per NAT gateway, exactly "
            "for zones ['ap-northeast-2a', 'ap-northeast-2c'] (missing ['ap-northeast-2c'])",
        ),
        (
            {"public_subnet_ids": {A: sub(1), C: sub(3), B: sub(2)}},
            "public_subnet_ids: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'] is not allowed: one "
            "public subnet per NAT gateway, exactly for zones ['ap-northeast-2a', 'ap-northeast-2c'] (not in "
            "zones ['ap-northeast-2b'])",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)]}},
            "private_route_table_ids/private_subnet_ids: ['ap-northeast-2a'] is not allowed: the private "
            "routing of every zone (existing route tables or private subnets), exactly for zones "
            "['ap-northeast-2a', 'ap-northeast-2c'] (missing ['ap-northeast-2c'])",
        ),
        (
            {"private_subnet_ids": {A: [], C: [sub(13)]}},
            "private_subnet_ids.ap-northeast-2a: [] is not allowed: a non-empty list of subnet ids",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)], C: [sub(13)]}, "private_route_table_ids": {C: [rtb(1)]}},
            "private_subnet_ids.ap-northeast-2c: ['subnet-0000000000000000d'] is not allowed: zone "
            "ap-northeast-2c is also in private_route_table_ids: give a zone either its existing route "
            "tables or its private subnets, not both",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)], C: [sub(11)]}},
            "private_subnet_ids.ap-northeast-2c[0]: 'subnet-0000000000000000b' is not allowed: each subnet "
            "once; it is already used at private_subnet_ids.ap-northeast-2a[0]",
        ),
        (
            {"private_subnet_ids": {A: [sub(1)], C: [sub(13)]}},
            "private_subnet_ids.ap-northeast-2a[0]: 'subnet-00000000000000001' is not allowed: each subnet "
            "once; it is already used at public_subnet_ids.ap-northeast-2a",
        ),
        (
            {"public_subnet_ids": {A: sub(1), C: sub(1)}},
            "public_subnet_ids.ap-northeast-2c: 'subnet-00000000000000001' is not allowed: each subnet once; "
            "it is already used at public_subnet_ids.ap-northeast-2a",
        ),
        (
            {"private_subnet_ids": None, "private_route_table_ids": {A: [rtb(1)], C: [rtb(1)]}},
            "private_route_table_ids.ap-northeast-2c[0]: 'rtb-00000000000000001' is not allowed: each route "
            "table once; it is already used at private_route_table_ids.ap-northeast-2a[0]",
        ),
        (
            {"strategy": "PerAz"},
            "strategy: 'PerAz' is not allowed: one of ['OnePerZone', 'Single']",
        ),
        (
            {"secondary_eips_per_nat": 8},
            "secondary_eips_per_nat: 8 is not allowed: an integer from 0 to 7 (AWS allows 1 primary + 7 "
            "secondary IPs per NAT gateway)",
        ),
        (
            {"adopted_eip_allocation_ids": {A: [alloc(1), alloc(2)]}},
            "adopted_eip_allocation_ids.ap-northeast-2a: ['eipalloc-00000000000000001', "
            "'eipalloc-00000000000000002'] is not allowed: at most 1 allocation ids (1 primary + "
            "secondary_eips_per_nat=0); raise secondary_eips_per_nat to adopt more",
        ),
        (
            {"adopted_eip_allocation_ids": {A: [alloc(1)], C: [alloc(1)]}},
            "adopted_eip_allocation_ids.ap-northeast-2c[0]: 'eipalloc-00000000000000001' is not allowed: each "
            "EIP allocation once; it is already used at adopted_eip_allocation_ids.ap-northeast-2a[0]",
        ),
        (
            {"alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:ops"},
            "alarm_topic_arn: 'arn:aws:sns:us-east-1:123456789012:ops' is not allowed: a topic in the NAT "
            "gateways' region ap-northeast-2 (CloudWatch alarms only notify topics in their own region)",
        ),
        (
            {"alarm_topic_arn": "ops-topic"},
            "alarm_topic_arn: 'ops-topic' is not allowed: an SNS topic ARN: arn:aws:sns:<region>:<account>:<topic>",
        ),
        (
            {"alarms": False, "alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123456789012:ops"},
            "alarm_topic_arn: 'arn:aws:sns:ap-northeast-2:123456789012:ops' is not allowed: only with alarms: "
            "true (the topic would never be notified)",
        ),
        (
            {"expected_gb_per_month": -1},
            "expected_gb_per_month: -1 is not allowed: a number of GB >= 0 (processed by all NAT gateways "
            "together)",
        ),
        (
            {"tags": {"Name": "egress"}},
            "tags.Name: 'egress' is not allowed: no Name tag: the component sets Name per zone "
            "(<name>-nat-<zone>)",
        ),
        (
            {"tags": {"aws:owner": "x"}},
            "tags.aws:owner: 'aws:owner' is not allowed: a key of 1-128 characters not starting with 'aws:'",
        ),
        (
            {"natGateways": 2},
            "natGateways: 2 is not allowed: a known arg: one of ['vpc_id', 'zones', 'public_subnet_ids', "
            "'private_route_table_ids', 'private_subnet_ids', 'strategy', 'adopted_eip_allocation_ids', "
            "'secondary_eips_per_nat', 'alarms', 'alarm_topic_arn', 'expected_gb_per_month', 'tags']",
        ),
    ],
)
def test_one_bad_value_gives_one_exact_message(over: dict[str, Any], message: str) -> None:
    assert rendered(seed_args(**over)) == [message]


def test_single_takes_exactly_one_public_subnet_and_adopts_only_in_its_zone() -> None:
    both = seed_args(strategy="Single")
    assert rendered(both) == [
        "public_subnet_ids: ['ap-northeast-2a', 'ap-northeast-2c'] is not allowed: strategy Single has one "
        "NAT gateway: exactly one public subnet, in one of the zones ['ap-northeast-2a', 'ap-northeast-2c']"
    ]
    legacy = seed_args(
        strategy=NatStrategy.SINGLE,
        public_subnet_ids={C: sub(3)},
        adopted_eip_allocation_ids={A: [alloc(1)], C: [alloc(2)]},
    )
    assert rendered(legacy) == [
        "adopted_eip_allocation_ids.ap-northeast-2a: ['eipalloc-00000000000000001'] is not allowed: adopted "
        "EIPs only in zones that host a NAT gateway with strategy Single: ['ap-northeast-2c']"
    ]
    # Both legacy tinyproxy IPs survive on the single NAT when the second becomes its secondary.
    kept = seed_args(
        strategy="Single",
        public_subnet_ids={C: sub(3)},
        adopted_eip_allocation_ids={C: [alloc(2), alloc(1)]},
        secondary_eips_per_nat=1,
    )
    assert validate_egress_nat_args(kept) == []


def test_missing_required_args_and_every_problem_at_once() -> None:
    problems = validate_egress_nat_args(
        {"zones": [A, A, "us-east-1b"], "secondary_eips_per_nat": True, "alarms": "yes"}
    )
    assert [p.render() for p in problems] == [
        "vpc_id: None is not allowed: required: the id of the existing VPC (vpc-...)",
        "zones[1]: 'ap-northeast-2a' is not allowed: each zone once",
        "zones: ['ap-northeast-2a', 'ap-northeast-2a', 'us-east-1b'] is not allowed: zones of one region; "
        "got regions ['ap-northeast-2', 'us-east-1']",
        "public_subnet_ids: None is not allowed: required: a map of zone to the public subnet (subnet-...) "
        "that hosts its NAT gateway",
        "secondary_eips_per_nat: True is not allowed: an integer from 0 to 7 (AWS allows 1 primary + 7 "
        "secondary IPs per NAT gateway)",
        "alarms: 'yes' is not allowed: true or false",
    ]
    with pytest.raises(ArgsError) as err:
        raise_if("EgressNatGateways 'egress'", problems)
    assert str(err.value).startswith("EgressNatGateways 'egress': 6 problems:\n  1. vpc_id: None")


# --- plan --------------------------------------------------------------------------------


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


# --- cost --------------------------------------------------------------------------------


def test_cost_us_east_1_by_hand() -> None:
    # 3 NATs x 730 h x $0.045 = 98.55; 2,000 GB x $0.045 = 90; 3 IPs x 730 h x $0.005 = 10.95
    cost = estimate_monthly_cost("us-east-1", 3, 1, NatStrategy.ONE_PER_ZONE, Decimal(2000))
    assert cost is not None
    assert (cost.nat_hours_usd, cost.processing_usd, cost.public_ipv4_usd) == (
        Decimal("98.55"),
        Decimal("90.00"),
        Decimal("10.95"),
    )
    assert cost.total_usd == Decimal("199.50")
    # Single: 2/3 of 2,000 GB cross a zone, $0.01 out + $0.01 in: 26.67 avoided by OnePerZone.
    assert cost.cross_zone_transfer_usd == Decimal("26.67")
    # 32.85 + 90 + 3.65 + 26.666...
    assert cost.alternative_total_usd == Decimal("153.17")
    out = cost.as_output()
    assert out["cross_zone_transfer_avoided"] == 26.67 and "cross_zone_transfer_added" not in out
    assert out["prices"] == "AWS VPC pricing as quoted by third-party price listings, as of 2026-08"


def test_cost_seoul_seed_by_hand() -> None:
    # Seed: 2 zones, 1,000 GB. Single: 1 x 730 x 0.059 = 43.07; 1,000 x 0.059 = 59; 2 IPs (1 + 1
    # secondary) x 730 x 0.005 = 7.30; 500 GB cross x 0.02 = 10 -> 119.37
    cost = estimate_monthly_cost("ap-northeast-2", 2, 2, NatStrategy.SINGLE, Decimal(1000))
    assert cost is not None
    assert cost.as_output() == {
        "region": "ap-northeast-2",
        "currency": "USD",
        "strategy": "Single",
        "nat_gateways": 1,
        "public_ips": 2,
        "expected_gb_per_month": 1000.0,
        "nat_hours": 43.07,
        "processing": 59.0,
        "public_ipv4": 7.3,
        "cross_zone_transfer_added": 10.0,
        "total": 119.37,
        # 2 x 43.07 + 59 + 4 x 3.65
        "alternative": {"strategy": "OnePerZone", "total": 159.74},
        "prices": "AWS Pricing API (as cited in public repo code), matching a Cost Explorer bill, as of 2026-08",
    }


def test_one_zone_has_no_cross_zone_transfer_and_unknown_regions_are_unpriced() -> None:
    cost = estimate_monthly_cost("us-east-1", 1, 1, NatStrategy.ONE_PER_ZONE, Decimal(500))
    assert (
        cost is not None
        and cost.cross_zone_transfer_usd == 0
        and cost.total_usd == cost.alternative_total_usd
    )
    assert estimate_monthly_cost("eu-west-1", 2, 1, NatStrategy.ONE_PER_ZONE, Decimal(1)) is None


# --- stack pairing -----------------------------------------------------------------------


def test_zone_coverage() -> None:
    assert check_zone_coverage([A, C], [A, C]) == []
    assert check_zone_coverage([A, B, C], [C]) == []
    assert check_zone_coverage([C], [A, B, C]) == [
        Problem(
            "zones",
            [A, B],
            "the Squid proxy spreads over these zones but they have no NAT gateway (NAT gateways are in "
            "['ap-northeast-2c']): their egress would cross zones at $0.01/GB each way and break the local-AZ "
            "design; give each of them a NAT gateway (strategy OnePerZone with a public subnet there) or "
            "remove them from the proxy's zones",
        )
    ]


# --- properties --------------------------------------------------------------------------

ZONES = [f"us-east-1{letter}" for letter in "abcdef"]


@st.composite
def valid_args(draw: st.DrawFn) -> dict[str, Any]:
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=6, unique=True))
    strategy = draw(st.sampled_from(list(NatStrategy)))
    nat_zones = zones if strategy is NatStrategy.ONE_PER_ZONE else [draw(st.sampled_from(zones))]
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
        "public_subnet_ids": {z: sub(ZONES.index(z) + 1) for z in nat_zones},
        "secondary_eips_per_nat": secondary,
        "expected_gb_per_month": draw(st.integers(0, 10**6)),
    }
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
    secondary = args["secondary_eips_per_nat"]
    adopted = args.get("adopted_eip_allocation_ids", {})

    assert len(plan.nat_gateways) == (1 if single else len(zones))
    eips = [e for n in plan.nat_gateways for e in n.eips]
    assert len(eips) == len(plan.nat_gateways) * (1 + secondary)
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


@settings(max_examples=300, deadline=None)
@given(
    zones=st.integers(1, 6),
    ips=st.integers(1, 8),
    gb=st.integers(0, 10**7),
    region=st.sampled_from(["us-east-1", "ap-northeast-2"]),
)
def test_cost_properties(zones: int, ips: int, gb: int, region: str) -> None:
    per_zone = estimate_monthly_cost(region, zones, ips, NatStrategy.ONE_PER_ZONE, Decimal(gb))
    single = estimate_monthly_cost(region, zones, ips, NatStrategy.SINGLE, Decimal(gb))
    assert per_zone is not None and single is not None
    assert (
        per_zone.total_usd == single.alternative_total_usd
        and single.total_usd == per_zone.alternative_total_usd
    )
    assert per_zone.cross_zone_transfer_usd == single.cross_zone_transfer_usd
    # The rounded parts add up to the total within a cent per part.
    for cost, cross in ((per_zone, Decimal(0)), (single, single.cross_zone_transfer_usd)):
        parts = cost.nat_hours_usd + cost.processing_usd + cost.public_ipv4_usd + cross
        assert abs(parts - cost.total_usd) <= Decimal("0.02")
    # OnePerZone pays (zones - 1) more NATs and their IPs; Single pays the crossing traffic.
    expected = (
        (zones - 1) * 730 * PRICES[region].nat_gateway_hour
        + (zones - 1) * ips * Decimal("3.65")
        - Decimal(gb) * (zones - 1) / zones * Decimal("0.02")
    )
    assert abs(per_zone.total_usd - single.total_usd - expected) <= Decimal("0.01")


def test_plan_cost_uses_the_plan_ip_count() -> None:
    plan = plan_egress_nat("egress", seed_args(secondary_eips_per_nat=1, expected_gb_per_month=0))
    cost = plan_cost(plan)
    assert cost is not None and cost.public_ips == 4 and cost.public_ipv4_usd == Decimal("14.60")
