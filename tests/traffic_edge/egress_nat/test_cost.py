"""The monthly cost estimate: the arithmetic by hand, its properties, and a plan's estimate."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.traffic_edge.egress_nat.seed import seed_args
from traffic_edge.egress_nat.args import NatStrategy
from traffic_edge.egress_nat.cost import PRICES, estimate_monthly_cost, unpriced_output
from traffic_edge.egress_nat.plan import plan_egress_nat


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
    assert (out["crossZoneTransferAvoidedUsd"], out["crossZoneTransferUsd"]) == (26.67, 0.0)
    assert (out["priceSource"], out["pricesAsOf"]) == (
        "AWS VPC pricing as quoted by third-party price listings",
        "2026-08",
    )


def test_cost_seoul_seed_by_hand() -> None:
    # Seed: 2 zones, 1,000 GB. Single: 1 x 730 x 0.059 = 43.07; 1,000 x 0.059 = 59; 2 IPs (1 + 1
    # secondary) x 730 x 0.005 = 7.30; 500 GB cross x 0.02 = 10 -> 119.37
    cost = estimate_monthly_cost("ap-northeast-2", 2, 2, NatStrategy.SINGLE, Decimal(1000))
    assert cost is not None
    assert cost.as_output() == {
        "priced": True,
        "region": "ap-northeast-2",
        "currency": "USD",
        "strategy": "Single",
        "natGateways": 1,
        "billedNatGatewayHours": 730.0,
        "publicIps": 2,
        "expectedGbPerMonth": 1000.0,
        "natHoursUsd": 43.07,
        "processingUsd": 59.0,
        "publicIpv4Usd": 7.3,
        "crossZoneTransferUsd": 10.0,
        "crossZoneTransferAvoidedUsd": 0.0,
        "totalUsd": 119.37,
        # 2 x 43.07 + 59 + 4 x 3.65
        "alternative": {"strategy": "OnePerZone", "totalUsd": 159.74},
        # Regional: billed per zone like OnePerZone, and no traffic crosses zones.
        "byStrategy": {"OnePerZone": 159.74, "Single": 119.37, "Regional": 159.74},
        "priceSource": "AWS Pricing API (as cited in public repo code), matching a Cost Explorer bill",
        "pricesAsOf": "2026-08",
    }


def test_the_output_has_the_same_keys_whatever_the_strategy() -> None:
    outputs = [
        estimate_monthly_cost("ap-northeast-2", 2, 1, strategy, Decimal(100)).as_output()  # type: ignore[union-attr]
        for strategy in NatStrategy
    ]
    assert all(list(o) == list(outputs[0]) for o in outputs)


def test_one_zone_has_no_cross_zone_transfer_and_unknown_regions_are_unpriced() -> None:
    cost = estimate_monthly_cost("us-east-1", 1, 1, NatStrategy.ONE_PER_ZONE, Decimal(500))
    assert (
        cost is not None
        and cost.cross_zone_transfer_usd == 0
        and cost.total_usd == cost.alternative_total_usd
    )
    assert estimate_monthly_cost("eu-west-1", 2, 1, NatStrategy.ONE_PER_ZONE, Decimal(1)) is None
    assert unpriced_output("eu-west-1") == {
        "priced": False,
        "region": "eu-west-1",
        "currency": "USD",
        "note": "no price row for eu-west-1 in traffic_edge.egress_nat.cost.PRICES, so no estimate: add a row "
        "to get one",
    }


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


def test_the_plan_prices_its_own_ip_count_and_traffic() -> None:
    plan = plan_egress_nat("egress", seed_args(secondary_eips_per_nat=1, expected_gb_per_month=0))
    cost = plan.cost
    assert cost is not None and cost.public_ips == 4 and cost.public_ipv4_usd == Decimal("14.60")
    assert plan.monthly_cost_estimate == cost.as_output()
    seoul = plan_egress_nat("egress", seed_args(expected_gb_per_month=1000)).monthly_cost_estimate
    assert (seoul["totalUsd"], seoul["processingUsd"]) == (152.44, 59.0)


def test_a_plan_in_a_region_without_prices_says_how_to_get_an_estimate() -> None:
    zone = "eu-west-1a"
    plan = plan_egress_nat(
        "egress",
        seed_args(
            zones=[zone],
            public_subnet_ids={zone: "subnet-00000001"},
            private_subnet_ids={zone: ["subnet-00000002"]},
        ),
    )
    assert plan.cost is None
    assert plan.monthly_cost_estimate == unpriced_output("eu-west-1")
