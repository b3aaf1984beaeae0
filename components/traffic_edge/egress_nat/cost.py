"""The dated NAT gateway price table and the monthly estimate of a plan (pure, no SDK)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from traffic_edge.egress_nat.args import NatStrategy


@dataclass(frozen=True)
class RegionPrices:
    """On-demand NAT gateway prices of one region, in USD."""

    nat_gateway_hour: Decimal
    nat_gateway_gb_processed: Decimal
    source: str
    as_of: str


PRICES: Mapping[str, RegionPrices] = {
    # Third-party price listings; the AWS pricing page itself was not reachable when recorded.
    "us-east-1": RegionPrices(
        nat_gateway_hour=Decimal("0.045"),
        nat_gateway_gb_processed=Decimal("0.045"),
        source="AWS VPC pricing as quoted by third-party price listings",
        as_of="2026-08",
    ),
    # Cross-checked against a Cost Explorer line: APN2-NatGateway-Hours $36.05 for 611 h.
    "ap-northeast-2": RegionPrices(
        nat_gateway_hour=Decimal("0.059"),
        nat_gateway_gb_processed=Decimal("0.059"),
        source="AWS Pricing API (as cited in public repo code), matching a Cost Explorer bill",
        as_of="2026-08",
    ),
}
HOURS_PER_MONTH = Decimal(730)
PUBLIC_IPV4_HOUR = Decimal("0.005")
"""Every public IPv4 address, NAT EIPs included, since 2024-02 (third-party source, 2026-08)."""
CROSS_ZONE_GB_EACH_WAY = Decimal("0.01")
"""Inter-AZ data transfer: billed out of one zone and again into the other (third-party, 2026-08)."""


@dataclass(frozen=True)
class CostEstimate:
    """Monthly USD of the NAT gateways of one plan, and of the other strategy for comparison."""

    region: str
    strategy: NatStrategy
    nat_gateways: int
    public_ips: int
    expected_gb_per_month: Decimal
    nat_hours_usd: Decimal
    processing_usd: Decimal
    public_ipv4_usd: Decimal
    cross_zone_transfer_usd: Decimal
    """Single: the cross-zone transfer it adds (included in the total). OnePerZone: the
    transfer it avoids compared with Single (not part of the total)."""
    total_usd: Decimal
    alternative_strategy: NatStrategy
    alternative_total_usd: Decimal
    prices_source: str
    prices_as_of: str

    def as_output(self) -> dict[str, object]:
        """The estimate with the same camelCase keys whatever the strategy, each figure's unit in
        its name: what this strategy pays for cross-zone transfer, and what it avoids."""
        single = self.strategy is NatStrategy.SINGLE
        cross_zone = float(self.cross_zone_transfer_usd)
        return {
            "priced": True,
            "region": self.region,
            "currency": "USD",
            "strategy": self.strategy.value,
            "natGateways": self.nat_gateways,
            "publicIps": self.public_ips,
            "expectedGbPerMonth": float(self.expected_gb_per_month),
            "natHoursUsd": float(self.nat_hours_usd),
            "processingUsd": float(self.processing_usd),
            "publicIpv4Usd": float(self.public_ipv4_usd),
            "crossZoneTransferUsd": cross_zone if single else 0.0,
            "crossZoneTransferAvoidedUsd": 0.0 if single else cross_zone,
            "totalUsd": float(self.total_usd),
            "alternative": {
                "strategy": self.alternative_strategy.value,
                "totalUsd": float(self.alternative_total_usd),
            },
            "priceSource": self.prices_source,
            "pricesAsOf": self.prices_as_of,
        }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _monthly(
    prices: RegionPrices, nats: int, ips_per_nat: int, gb: Decimal, cross_zone_gb: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    hours = nats * HOURS_PER_MONTH * prices.nat_gateway_hour
    processing = gb * prices.nat_gateway_gb_processed
    ipv4 = nats * ips_per_nat * HOURS_PER_MONTH * PUBLIC_IPV4_HOUR
    cross = cross_zone_gb * 2 * CROSS_ZONE_GB_EACH_WAY
    return hours, processing, ipv4, cross


def estimate_monthly_cost(
    region: str, zones: int, ips_per_nat: int, strategy: NatStrategy, expected_gb_per_month: Decimal
) -> CostEstimate | None:
    """The estimate for `zones` zones, or None when `PRICES` has no row for `region`.

    Assumes the traffic is spread evenly over the zones (the Squid proxy spreads its pods so):
    with Single, the share of the zones without the NAT, (zones-1)/zones of the GB, crosses a
    zone boundary and is billed out of one zone and into the other.
    """
    prices = PRICES.get(region)
    if prices is None:
        return None
    gb = expected_gb_per_month
    per_zone = _monthly(prices, zones, ips_per_nat, gb, Decimal(0))
    single = _monthly(prices, 1, ips_per_nat, gb, gb * (zones - 1) / zones)
    is_single = strategy is NatStrategy.SINGLE
    chosen, other = (single, per_zone) if is_single else (per_zone, single)
    nats = 1 if is_single else zones
    return CostEstimate(
        region=region,
        strategy=strategy,
        nat_gateways=nats,
        public_ips=nats * ips_per_nat,
        expected_gb_per_month=gb,
        nat_hours_usd=_cents(chosen[0]),
        processing_usd=_cents(chosen[1]),
        public_ipv4_usd=_cents(chosen[2]),
        cross_zone_transfer_usd=_cents(single[3]),
        total_usd=_cents(sum(chosen, Decimal(0))),
        alternative_strategy=NatStrategy.ONE_PER_ZONE if is_single else NatStrategy.SINGLE,
        alternative_total_usd=_cents(sum(other, Decimal(0))),
        prices_source=prices.source,
        prices_as_of=prices.as_of,
    )


def unpriced_output(region: str) -> dict[str, object]:
    """The `monthly_cost_estimate` output of a region `PRICES` has no row for."""
    return {
        "priced": False,
        "region": region,
        "currency": "USD",
        "note": f"no price row for {region} in {__name__}.PRICES, so no estimate: add a row to get one",
    }
