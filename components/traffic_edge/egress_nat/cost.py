"""The dated NAT gateway price table and the monthly estimate of a plan (pure, no SDK)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from traffic_edge.egress_nat.args import NatStrategy
from traffic_edge.egress_nat.facts import REGIONAL_NAT_HOURS_PER_ZONE


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
class StrategyCost:
    """One strategy's monthly USD lines for the same zones, IPs and traffic."""

    strategy: NatStrategy
    nat_gateways: int
    billed_nat_hours: Decimal
    """NAT gateway-hours billed a month: 730 per zonal gateway, 730 per zone of a Regional one."""
    public_ips: int
    nat_hours_usd: Decimal
    processing_usd: Decimal
    public_ipv4_usd: Decimal
    cross_zone_transfer_usd: Decimal
    """What this strategy pays to carry traffic across zones to its NAT gateway (Single only)."""

    @property
    def total_usd(self) -> Decimal:
        return self.nat_hours_usd + self.processing_usd + self.public_ipv4_usd + self.cross_zone_transfer_usd


@dataclass(frozen=True)
class CostEstimate:
    """Monthly USD of the NAT gateways of one plan, and of every strategy for comparison."""

    region: str
    chosen: StrategyCost
    by_strategy: tuple[StrategyCost, ...]
    """OnePerZone, Single and Regional, in that order (the chosen one included)."""
    expected_gb_per_month: Decimal
    prices_source: str
    prices_as_of: str

    @property
    def strategy(self) -> NatStrategy:
        return self.chosen.strategy

    @property
    def single(self) -> StrategyCost:
        return self.of(NatStrategy.SINGLE)

    def of(self, strategy: NatStrategy) -> StrategyCost:
        return next(c for c in self.by_strategy if c.strategy is strategy)

    @property
    def nat_gateways(self) -> int:
        return self.chosen.nat_gateways

    @property
    def public_ips(self) -> int:
        return self.chosen.public_ips

    @property
    def nat_hours_usd(self) -> Decimal:
        return self.chosen.nat_hours_usd

    @property
    def processing_usd(self) -> Decimal:
        return self.chosen.processing_usd

    @property
    def public_ipv4_usd(self) -> Decimal:
        return self.chosen.public_ipv4_usd

    @property
    def total_usd(self) -> Decimal:
        return self.chosen.total_usd

    @property
    def cross_zone_transfer_usd(self) -> Decimal:
        """What Single pays for cross-zone transfer: included in its total, avoided by the others."""
        return self.single.cross_zone_transfer_usd

    @property
    def alternative_total_usd(self) -> Decimal:
        return self.alternative.total_usd

    @property
    def alternative(self) -> StrategyCost:
        """Single for OnePerZone; OnePerZone for Single and for Regional (the layout it replaces)."""
        other = (
            NatStrategy.ONE_PER_ZONE if self.strategy is not NatStrategy.ONE_PER_ZONE else NatStrategy.SINGLE
        )
        return self.of(other)

    def as_output(self) -> dict[str, object]:
        """The estimate with the same camelCase keys whatever the strategy, each figure's unit in
        its name: what this strategy pays for cross-zone transfer, and what it avoids."""
        c = self.chosen
        avoided = self.single.cross_zone_transfer_usd - c.cross_zone_transfer_usd
        return {
            "priced": True,
            "region": self.region,
            "currency": "USD",
            "strategy": c.strategy.value,
            "natGateways": c.nat_gateways,
            "billedNatGatewayHours": float(c.billed_nat_hours),
            "publicIps": c.public_ips,
            "expectedGbPerMonth": float(self.expected_gb_per_month),
            "natHoursUsd": float(c.nat_hours_usd),
            "processingUsd": float(c.processing_usd),
            "publicIpv4Usd": float(c.public_ipv4_usd),
            "crossZoneTransferUsd": float(c.cross_zone_transfer_usd),
            "crossZoneTransferAvoidedUsd": float(avoided),
            "totalUsd": float(c.total_usd),
            "alternative": {
                "strategy": self.alternative.strategy.value,
                "totalUsd": float(self.alternative.total_usd),
            },
            "byStrategy": {o.strategy.value: float(o.total_usd) for o in self.by_strategy},
            "priceSource": self.prices_source,
            "pricesAsOf": self.prices_as_of,
        }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _strategy_cost(
    prices: RegionPrices, strategy: NatStrategy, zones: int, ips_per_zone: int, gb: Decimal
) -> StrategyCost:
    """Single: one gateway, and (zones-1)/zones of the GB cross a zone boundary, billed out of one
    zone and into the other. OnePerZone: a gateway per zone. Regional: one gateway billed per zone
    it is configured in (manual mode: every zone), each zone's traffic handled in its own zone."""
    single = strategy is NatStrategy.SINGLE
    nats = zones if strategy is NatStrategy.ONE_PER_ZONE else 1
    billed_units = {NatStrategy.SINGLE: 1, NatStrategy.REGIONAL: zones * REGIONAL_NAT_HOURS_PER_ZONE}.get(
        strategy, zones
    )
    ip_units = 1 if single else zones
    cross_gb = gb * (zones - 1) / zones if single else Decimal(0)
    return StrategyCost(
        strategy=strategy,
        nat_gateways=nats,
        billed_nat_hours=billed_units * HOURS_PER_MONTH,
        public_ips=ip_units * ips_per_zone,
        nat_hours_usd=_cents(billed_units * HOURS_PER_MONTH * prices.nat_gateway_hour),
        processing_usd=_cents(gb * prices.nat_gateway_gb_processed),
        public_ipv4_usd=_cents(ip_units * ips_per_zone * HOURS_PER_MONTH * PUBLIC_IPV4_HOUR),
        cross_zone_transfer_usd=_cents(cross_gb * 2 * CROSS_ZONE_GB_EACH_WAY),
    )


def estimate_monthly_cost(
    region: str, zones: int, ips_per_zone: int, strategy: NatStrategy, expected_gb_per_month: Decimal
) -> CostEstimate | None:
    """The estimate for `zones` zones with `ips_per_zone` IPs each (Single: on its one gateway),
    or None when `PRICES` has no row for `region`.

    Assumes the traffic is spread evenly over the zones (the Squid proxy spreads its pods so).
    """
    prices = PRICES.get(region)
    if prices is None:
        return None
    every = tuple(_strategy_cost(prices, s, zones, ips_per_zone, expected_gb_per_month) for s in NatStrategy)
    return CostEstimate(
        region=region,
        chosen=next(c for c in every if c.strategy is strategy),
        by_strategy=every,
        expected_gb_per_month=expected_gb_per_month,
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
