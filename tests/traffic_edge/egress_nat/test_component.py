"""EgressNatGateways on the offline engine: what `resources.json` would show, and the outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from tests.traffic_edge.egress_nat.seed import A, B, C, sub
from traffic_edge._shared.problems import ArgsError
from traffic_edge.egress_nat.args import NatStrategy
from traffic_edge.egress_nat.component import EgressNatGateways, eip_options
from traffic_edge.plan.engine import UNKNOWN, Recording, _stand_in, run

EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
RTB = "aws:ec2/routeTable:RouteTable"
ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:edge-alerts"
LEGACY_A = "eipalloc-0a1b2c3d4e5f60718"
LEGACY_C = "eipalloc-0f1e2d3c4b5a69788"


def seed_args(**over: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "vpc_id": "vpc-0123456789abcdef0",
        "zones": [A, C],
        "public_subnet_ids": {A: sub(1), C: sub(3)},
        "private_subnet_ids": {A: [sub(11)], C: [sub(13), sub(14)]},
        "tags": {"team": "platform"},
        "expected_gb_per_month": 1000,
    }
    args.update(over)
    return args


def record(args: dict[str, Any], preview: bool = True) -> Recording:
    def program() -> None:
        nat = EgressNatGateways("egress", args)  # type: ignore[arg-type]
        pulumi.export("egressIps", nat.egress_ips)
        pulumi.export("natGateways", nat.nat_gateways)
        pulumi.export("natZones", nat.nat_zones)
        pulumi.export("privateRouteTableIds", nat.private_route_table_ids)
        pulumi.export("monthlyCost", nat.monthly_cost_estimate)

    return run(program, preview=preview)


def names(rec: Recording, type_: str) -> list[str]:
    return sorted(r.name for r in rec.by_type(type_))


def test_seed_registers_one_nat_and_one_protected_eip_per_zone() -> None:
    rec = record(seed_args())
    comp = rec.get("traffic-edge:index:EgressNatGateways", "egress")
    assert all(r.parent == comp.urn for r in rec.descendants_of(comp.urn))
    assert len(rec.descendants_of(comp.urn)) == len(rec.resources) - 2  # all but the stack and itself

    assert names(rec, EIP) == ["egress-eip-ap-northeast-2a", "egress-eip-ap-northeast-2c"]
    for eip in rec.by_type(EIP):
        assert (eip.protect, eip.retain_on_delete) == (True, True)
        assert eip.inputs == {"domain": "vpc", "tags": {"team": "platform", "Name": eip.name}}

    nat_a = rec.get(NAT, "egress-nat-ap-northeast-2a")
    assert (nat_a.protect, nat_a.retain_on_delete) == (False, False)
    assert nat_a.inputs == {
        "connectivityType": "public",
        "subnetId": sub(1),
        "allocationId": UNKNOWN,
        "tags": {"team": "platform", "Name": "egress-nat-ap-northeast-2a"},
    }
    assert nat_a.depends_on == [rec.get(EIP, "egress-eip-ap-northeast-2a").urn]
    assert rec.get(NAT, "egress-nat-ap-northeast-2c").inputs["subnetId"] == sub(3)


def test_each_zone_routes_to_its_own_nat_and_subnets_move_only_after_the_route_exists() -> None:
    rec = record(seed_args(), preview=False)
    for zone, subnets in ((A, [sub(11)]), (C, [sub(13), sub(14)])):
        table = rec.get(RTB, f"egress-rtb-{zone}")
        assert table.inputs == {
            "vpcId": "vpc-0123456789abcdef0",
            "tags": {"team": "platform", "Name": f"egress-private-{zone}"},
        }
        route = rec.get(ROUTE, f"egress-default-route-{zone}")
        assert route.inputs == {
            "routeTableId": f"egress-rtb-{zone}-id",
            "destinationCidrBlock": "0.0.0.0/0",
            "natGatewayId": f"egress-nat-{zone}-id",
        }
        for subnet in subnets:
            assoc = rec.get(ASSOC, f"egress-rtba-{subnet}")
            assert assoc.inputs == {"subnetId": subnet, "routeTableId": f"egress-rtb-{zone}-id"}
            assert route.urn in assoc.depends_on
    assert len(rec.by_type(ASSOC)) == 3


def test_existing_route_tables_get_only_a_default_route() -> None:
    rec = record(
        seed_args(
            private_subnet_ids={A: [sub(11)]},
            private_route_table_ids={C: ["rtb-0c0c0c0c0c0c0c0c0", "rtb-0c0c0c0c0c0c0c0c1"]},
        ),
        preview=False,
    )
    assert names(rec, RTB) == ["egress-rtb-ap-northeast-2a"]
    assert names(rec, ASSOC) == [f"egress-rtba-{sub(11)}"]
    for rtb in ("rtb-0c0c0c0c0c0c0c0c0", "rtb-0c0c0c0c0c0c0c0c1"):
        assert rec.get(ROUTE, f"egress-default-route-{rtb}").inputs == {
            "routeTableId": rtb,
            "destinationCidrBlock": "0.0.0.0/0",
            "natGatewayId": "egress-nat-ap-northeast-2c-id",
        }
    assert rec.outputs["privateRouteTableIds"] == {
        A: ["egress-rtb-ap-northeast-2a-id"],
        C: ["rtb-0c0c0c0c0c0c0c0c0", "rtb-0c0c0c0c0c0c0c0c1"],
    }


def test_outputs_hand_the_created_ips_to_third_parties() -> None:
    rec = record(seed_args(secondary_eips_per_nat=1), preview=False)

    def ip(name: str) -> str:
        return _stand_in(EIP, name, "publicIp")

    assert rec.outputs["natGateways"] == {
        A: {
            "nat_gateway_id": "egress-nat-ap-northeast-2a-id",
            "egress_ips": [ip("egress-eip-ap-northeast-2a"), ip("egress-eip-ap-northeast-2a-secondary-1")],
        },
        C: {
            "nat_gateway_id": "egress-nat-ap-northeast-2c-id",
            "egress_ips": [ip("egress-eip-ap-northeast-2c"), ip("egress-eip-ap-northeast-2c-secondary-1")],
        },
    }
    assert (
        rec.outputs["egressIps"]
        == rec.outputs["natGateways"][A]["egress_ips"] + rec.outputs["natGateways"][C]["egress_ips"]
    )
    assert rec.outputs["natZones"] == [A, C]
    nat_a = rec.get(NAT, "egress-nat-ap-northeast-2a")
    assert nat_a.inputs["allocationId"] == _stand_in(EIP, "egress-eip-ap-northeast-2a", "allocationId")
    assert nat_a.inputs["secondaryAllocationIds"] == [
        _stand_in(EIP, "egress-eip-ap-northeast-2a-secondary-1", "allocationId")
    ]


def test_adopted_legacy_eips_are_never_created_and_still_reported() -> None:
    rec = record(
        seed_args(
            adopted_eip_allocation_ids={A: [LEGACY_A], C: [LEGACY_C, "eipalloc-0000000000000000a"]},
            secondary_eips_per_nat=1,
        ),
        preview=False,
    )
    # Only zone a's secondary slot is left to create; the adopted secondary is only read.
    created = sorted(r.name for r in rec.by_type(EIP) if not r.read)
    assert created == ["egress-eip-ap-northeast-2a-secondary-1"]
    assert all("eipalloc" not in r.name for r in rec.resources if not r.read)
    (read,) = [r for r in rec.resources if r.read]
    assert (read.type, read.inputs["id"]) == (EIP, "eipalloc-0000000000000000a")
    nat_c = rec.get(NAT, "egress-nat-ap-northeast-2c")
    assert nat_c.inputs["allocationId"] == LEGACY_C
    assert nat_c.inputs["secondaryAllocationIds"] == ["eipalloc-0000000000000000a"]
    assert nat_c.depends_on == []
    # An adopted primary's IP is the NAT's; an adopted secondary's comes from a read of the EIP.
    assert rec.outputs["natGateways"][C]["egress_ips"] == [
        _stand_in(NAT, "egress-nat-ap-northeast-2c", "publicIp"),
        _stand_in(EIP, "egress-adopted-eipalloc-0000000000000000a", "publicIp"),
    ]
    assert rec.outputs["natGateways"][A]["egress_ips"][0] == _stand_in(
        NAT, "egress-nat-ap-northeast-2a", "publicIp"
    )
    assert None not in rec.outputs["egressIps"] and len(rec.outputs["egressIps"]) == 4


def test_single_strategy_warns_and_routes_every_zone_to_the_one_nat() -> None:
    rec = record(
        seed_args(strategy=NatStrategy.SINGLE, public_subnet_ids={C: sub(3)}, alarms=False), preview=False
    )
    assert names(rec, NAT) == ["egress-nat-ap-northeast-2c"]
    assert names(rec, EIP) == ["egress-eip-ap-northeast-2c"]
    assert {r.inputs["natGatewayId"] for r in rec.by_type(ROUTE)} == {"egress-nat-ap-northeast-2c-id"}
    assert len(rec.by_type(ROUTE)) == 2
    assert rec.warnings == [
        "EgressNatGateways 'egress': strategy Single puts the only NAT gateway in ap-northeast-2c: egress "
        "from ['ap-northeast-2a'] crosses zones at $0.01/GB each way (about $10.00 a month at 1000 GB/month), "
        "and ap-northeast-2c is a single point of failure for the egress of every zone. Use strategy "
        "OnePerZone for production."
    ]
    assert rec.outputs["monthlyCost"]["crossZoneTransferUsd"] == 10.0
    assert rec.outputs["natZones"] == [C]


def test_alarms_watch_each_nat_and_notify_the_topic() -> None:
    rec = record(seed_args(alarm_topic_arn=TOPIC), preview=False)
    assert names(rec, ALARM) == [
        "egress-packet-drops-ap-northeast-2a",
        "egress-packet-drops-ap-northeast-2c",
        "egress-port-allocation-errors-ap-northeast-2a",
        "egress-port-allocation-errors-ap-northeast-2c",
    ]
    ports = rec.get(ALARM, "egress-port-allocation-errors-ap-northeast-2c").inputs
    assert {k: ports[k] for k in ports if k != "alarmDescription"} == {
        "namespace": "AWS/NATGateway",
        "metricName": "ErrorPortAllocation",
        "dimensions": {"NatGatewayId": "egress-nat-ap-northeast-2c-id"},
        "statistic": "Sum",
        "period": 60,
        "evaluationPeriods": 1,
        "threshold": 0,
        "comparisonOperator": "GreaterThanThreshold",
        "treatMissingData": "notBreaching",
        "alarmActions": [TOPIC],
        "okActions": [TOPIC],
        "tags": {"team": "platform", "Name": "egress-port-allocation-errors-ap-northeast-2c"},
    }
    drops = rec.get(ALARM, "egress-packet-drops-ap-northeast-2a").inputs
    assert drops["threshold"] == 0.01 and drops["comparisonOperator"] == "GreaterThanThreshold"
    queries = {q["id"]: q for q in drops["metricQueries"]}
    assert queries["drop_percent"]["expression"] == "100 * drops / (from_source + from_destination)"
    assert [q["id"] for q in drops["metricQueries"] if q["returnData"]] == ["drop_percent"]
    for metric_id, metric_name in (
        ("drops", "PacketsDropCount"),
        ("from_source", "PacketsInFromSource"),
        ("from_destination", "PacketsInFromDestination"),
    ):
        assert queries[metric_id]["metric"]["metricName"] == metric_name
        assert queries[metric_id]["metric"]["dimensions"] == {"NatGatewayId": "egress-nat-ap-northeast-2a-id"}
    assert drops["alarmActions"] == [TOPIC]


def test_alarms_can_be_turned_off_and_have_no_actions_without_a_topic() -> None:
    assert record(seed_args(alarms=False)).by_type(ALARM) == []
    alarm = record(seed_args()).get(ALARM, "egress-port-allocation-errors-ap-northeast-2a")
    assert "alarmActions" not in alarm.inputs and "okActions" not in alarm.inputs


def test_adding_a_zone_keeps_the_urns_of_the_other_zones() -> None:
    before = record(seed_args())
    after = record(
        seed_args(
            zones=[A, B, C],
            public_subnet_ids={A: sub(1), B: sub(2), C: sub(3)},
            private_subnet_ids={A: [sub(11)], B: [sub(12)], C: [sub(13), sub(14)]},
        )
    )
    kept = {r.urn for r in before.resources}
    assert kept <= {r.urn for r in after.resources}
    assert names(after, EIP) == [f"egress-eip-{z}" for z in (A, B, C)]


def test_cost_estimate_output() -> None:
    cost = record(seed_args()).outputs["monthlyCost"]
    # 2 x 730 x 0.059 + 1000 x 0.059 + 2 x 730 x 0.005
    assert (cost["natHoursUsd"], cost["processingUsd"], cost["publicIpv4Usd"], cost["totalUsd"]) == (
        86.14,
        59.0,
        7.3,
        152.44,
    )
    assert cost["crossZoneTransferAvoidedUsd"] == 10.0
    unpriced = record(
        seed_args(
            zones=["eu-west-1a"],
            public_subnet_ids={"eu-west-1a": sub(1)},
            private_subnet_ids={"eu-west-1a": [sub(11)]},
        )
    ).outputs["monthlyCost"]
    assert unpriced == {
        "priced": False,
        "region": "eu-west-1",
        "currency": "USD",
        "note": "no price row for eu-west-1 in traffic_edge.egress_nat.cost.PRICES, so no estimate: add a row "
        "to get one",
    }


def test_bad_args_raise_every_problem_before_anything_is_registered() -> None:
    registered: list[Recording] = []
    with pytest.raises(ArgsError) as err:
        registered.append(
            record(seed_args(vpc_id="vpc-nope", secondary_eips_per_nat=12, public_subnet_ids={A: sub(1)}))
        )
    assert str(err.value) == (
        "EgressNatGateways 'egress': 3 problems:\n"
        "  1. vpc_id: 'vpc-nope' is not allowed: a VPC id: 'vpc-' followed by 8 or 17 lowercase hex digits\n"
        "  2. public_subnet_ids.ap-northeast-2c is required: the public subnet that hosts the NAT gateway "
        "of ap-northeast-2c (strategy OnePerZone has one in every zone)\n"
        "  3. secondary_eips_per_nat: 12 is not allowed: an integer from 0 to 7: AWS allows 1 primary and "
        "at most 7 secondary IPs per NAT gateway"
    )
    assert registered == []


def test_a_misspelled_key_is_one_problem_that_names_the_key_meant() -> None:
    args = seed_args()
    args["public_subnets_ids"] = args.pop("public_subnet_ids")
    with pytest.raises(ArgsError) as err:
        record(args)
    assert str(err.value) == (
        "EgressNatGateways 'egress': 1 problem:\n"
        "  1. public_subnets_ids is not a known key: did you mean public_subnet_ids?"
    )


def regional_args(**over: Any) -> dict[str, Any]:
    args = seed_args(strategy=NatStrategy.REGIONAL, **over)
    del args["public_subnet_ids"]
    return args


def test_regional_registers_one_nat_in_manual_mode_with_each_zones_protected_eips() -> None:
    rec = record(regional_args(secondary_eips_per_nat=1, adopted_eip_allocation_ids={C: [LEGACY_C]}))
    (nat,) = rec.by_type(NAT)
    assert nat.name == "egress-nat"
    assert nat.inputs == {
        "availabilityMode": "regional",
        "connectivityType": "public",
        "vpcId": "vpc-0123456789abcdef0",
        "availabilityZoneAddresses": [
            {"availabilityZone": A, "allocationIds": [UNKNOWN, UNKNOWN]},
            {"availabilityZone": C, "allocationIds": [LEGACY_C, UNKNOWN]},
        ],
        "tags": {"team": "platform", "Name": "egress-nat"},
    }
    created = sorted(r.name for r in rec.by_type(EIP) if not r.read)
    assert created == [
        "egress-eip-ap-northeast-2a",
        "egress-eip-ap-northeast-2a-secondary-1",
        "egress-eip-ap-northeast-2c-secondary-1",
    ]
    for eip in (r for r in rec.by_type(EIP) if not r.read):
        assert (eip.protect, eip.retain_on_delete) == (True, True)
    assert sorted(nat.depends_on) == sorted(r.urn for r in rec.by_type(EIP) if not r.read)
    assert names(rec, ALARM) == ["egress-packet-drops", "egress-port-allocation-errors"]
    assert rec.warnings == []


def test_regional_routes_every_zone_to_it_and_reports_each_zones_ips() -> None:
    rec = record(regional_args(adopted_eip_allocation_ids={C: [LEGACY_C]}), preview=False)
    assert {r.inputs["natGatewayId"] for r in rec.by_type(ROUTE)} == {"egress-nat-id"}
    assert names(rec, ROUTE) == [f"egress-default-route-{A}", f"egress-default-route-{C}"]
    nat = rec.get(NAT, "egress-nat")
    assert nat.inputs["availabilityZoneAddresses"][0]["allocationIds"] == [
        _stand_in(EIP, "egress-eip-ap-northeast-2a", "allocationId")
    ]
    # The regional NAT gateway has no primary IP of its own: an adopted IP comes from a read.
    assert rec.outputs["natGateways"] == {
        A: {
            "nat_gateway_id": "egress-nat-id",
            "egress_ips": [_stand_in(EIP, "egress-eip-ap-northeast-2a", "publicIp")],
        },
        C: {
            "nat_gateway_id": "egress-nat-id",
            "egress_ips": [_stand_in(EIP, f"egress-adopted-{LEGACY_C}", "publicIp")],
        },
    }
    assert rec.outputs["natZones"] == [A, C]
    cost = rec.outputs["monthlyCost"]
    assert (cost["strategy"], cost["natGateways"], cost["billedNatGatewayHours"], cost["totalUsd"]) == (
        "Regional",
        1,
        1460.0,
        152.44,
    )
    assert cost["byStrategy"] == {"OnePerZone": 152.44, "Single": 115.72, "Regional": 152.44}


def test_created_eips_come_from_the_pool_and_a_pool_change_never_replaces_one() -> None:
    pool = "ipv4pool-ec2-0123456789abcdef0"
    rec = record(seed_args(public_ipv4_pool=pool))
    for eip in rec.by_type(EIP):
        assert eip.inputs == {
            "domain": "vpc",
            "publicIpv4Pool": pool,
            "tags": {"team": "platform", "Name": eip.name},
        }
    ipam = record(regional_args(ipam_pool_id="ipam-pool-07ccc86aa41bef7ce"))
    assert {r.inputs["ipamPoolId"] for r in ipam.by_type(EIP)} == {"ipam-pool-07ccc86aa41bef7ce"}
    # Both pool inputs force a new address when they change: they are ignored after creation.
    assert eip_options() == {
        "protect": True,
        "retain_on_delete": True,
        "ignore_changes": ["publicIpv4Pool", "ipamPoolId"],
    }


def test_regional_with_public_subnets_is_refused_before_anything_is_registered() -> None:
    with pytest.raises(ArgsError) as err:
        record(seed_args(strategy="Regional", ipam_pool_id="ipam-pool-1", public_ipv4_pool="pool-1"))
    assert str(err.value) == (
        "EgressNatGateways 'egress': 2 problems:\n"
        "  1. public_subnet_ids: {'ap-northeast-2a': 'subnet-00000000000000001', 'ap-northeast-2c': "
        "'subnet-00000000000000003'} conflicts with strategy: strategy Regional has no public subnets: its NAT "
        "gateway attaches to the VPC, and AWS takes no subnet_id with availability mode regional\n"
        "  2. public_ipv4_pool: 'pool-1' is not allowed: an EC2 public IPv4 (BYOIP) pool id: 'ipv4pool-ec2-' "
        "followed by lowercase hex digits"
    )
