"""Pure planner for `EgressNatGateways`: validation, the NAT/EIP/route-table plan, cost.

Nothing here touches Pulumi. `validate_egress_nat_args` returns every problem at once;
`plan_egress_nat` turns valid args into a `NatPlan` (which resources exist, under which
stable names, which NAT each private route targets); `estimate_monthly_cost` prices a plan
from `PRICES`; `check_zone_coverage` is what the stack layer calls to make sure every zone
the Squid proxy spreads over has its own NAT gateway.

Resource names are derived from zone names, route-table ids and subnet ids, never from list
positions: adding a zone (or a subnet) must not rename, and so replace, the NAT gateway and
the allowlisted EIP of another zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from traffic_edge._shared.names import is_int
from traffic_edge._shared.problems import Problem


class NatStrategy(StrEnum):
    """How many NAT gateways serve the zones."""

    ONE_PER_ZONE = "OnePerZone"
    """One NAT gateway in every zone; each zone's private routes use their own zone's NAT."""
    SINGLE = "Single"
    """One NAT gateway for all zones: cheaper in NAT hours, but a single point of failure and
    every other zone's egress crosses zones."""


# AWS limits (research notes, AWS NAT gateway docs): 1 primary + up to 7 secondary IPs per
# NAT gateway; the default "EIPs per public NAT gateway" quota is only 2.
MAX_SECONDARY_EIPS = 7
DEFAULT_EIP_QUOTA_PER_NAT = 2
CONNECTIONS_PER_IP_PER_DESTINATION = 55_000

_ZONE = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)([a-z])$")
_ID = {
    "vpc": re.compile(r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$"),
    "subnet": re.compile(r"^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$"),
    "rtb": re.compile(r"^rtb-(?:[0-9a-f]{8}|[0-9a-f]{17})$"),
    "eipalloc": re.compile(r"^eipalloc-(?:[0-9a-f]{8}|[0-9a-f]{17})$"),
}
_ID_WHAT = {"vpc": "VPC id", "subnet": "subnet id", "rtb": "route table id", "eipalloc": "EIP allocation id"}
_SNS_ARN = re.compile(
    r"^arn:aws(?:-cn|-us-gov)?:sns:([a-z]{2}(?:-gov)?-[a-z]+-\d+):\d{12}:[A-Za-z0-9_-]{1,256}$"
)

_KNOWN_KEYS = (
    "vpc_id",
    "zones",
    "public_subnet_ids",
    "private_route_table_ids",
    "private_subnet_ids",
    "strategy",
    "adopted_eip_allocation_ids",
    "secondary_eips_per_nat",
    "alarms",
    "alarm_topic_arn",
    "expected_gb_per_month",
    "tags",
)


# --- prices ------------------------------------------------------------------------------


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


# --- validation --------------------------------------------------------------------------


def region_of_zone(zone: str) -> str | None:
    match = _ZONE.match(zone)
    return match.group(1) if match else None


def _strategy(value: object) -> NatStrategy | None:
    if isinstance(value, NatStrategy):
        return value
    for strategy in NatStrategy:
        if value == strategy.value:
            return strategy
    return None


def _check_id(problems: list[Problem], key: str, value: object, kind: str) -> bool:
    if isinstance(value, str) and _ID[kind].match(value):
        return True
    problems.append(
        Problem(key, value, f"a {_ID_WHAT[kind]}: '{kind}-' followed by 8 or 17 lowercase hex digits")
    )
    return False


def _check_zone_keys(
    problems: list[Problem], key: str, given: Sequence[str], expected: Sequence[str], what: str
) -> None:
    missing = [z for z in expected if z not in given]
    unknown = [z for z in given if z not in expected]
    if missing or unknown:
        detail = "; ".join(
            part
            for part in (
                f"missing {missing}" if missing else "",
                f"not in zones {unknown}" if unknown else "",
            )
            if part
        )
        problems.append(Problem(key, sorted(given), f"{what}, exactly for zones {list(expected)} ({detail})"))


def _id_lists(
    problems: list[Problem], key: str, value: object, zones: Sequence[str], kind: str
) -> dict[str, list[str]]:
    """A zone -> non-empty list of ids map; returns the well-formed entries of known zones."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem(key, value, f"a map of zone to a list of {_ID_WHAT[kind]}s"))
        return {}
    good: dict[str, list[str]] = {}
    for zone, ids in value.items():
        if not isinstance(ids, list | tuple) or not ids:
            problems.append(Problem(f"{key}.{zone}", ids, f"a non-empty list of {_ID_WHAT[kind]}s"))
            continue
        ok = [i for n, i in enumerate(ids) if _check_id(problems, f"{key}.{zone}[{n}]", i, kind)]
        if zone in zones and len(ok) == len(ids):
            good[str(zone)] = list(ok)
    return good


def _duplicates(problems: list[Problem], uses: list[tuple[str, str]], what: str) -> None:
    """`uses` is (key, id) in input order; every use after the first is reported at its key."""
    first: dict[str, str] = {}
    for key, ident in uses:
        if ident in first:
            problems.append(Problem(key, ident, f"each {what} once; it is already used at {first[ident]}"))
        else:
            first[ident] = key


def nat_zones_of(
    zones: Sequence[str], strategy: NatStrategy, public_subnet_ids: Mapping[str, str]
) -> list[str]:
    """The zones that host a NAT gateway, in `zones` order."""
    if strategy is NatStrategy.SINGLE:
        return [z for z in zones if z in public_subnet_ids][:1]
    return list(zones)


def validate_egress_nat_args(args: Mapping[str, Any]) -> list[Problem]:
    """Every problem in `EgressNatGatewaysArgs`, in key order; empty when the args are valid."""
    problems: list[Problem] = []
    for key in args:
        if key not in _KNOWN_KEYS:
            problems.append(Problem(key, args[key], f"a known arg: one of {list(_KNOWN_KEYS)}"))

    if "vpc_id" not in args:
        problems.append(Problem("vpc_id", None, "required: the id of the existing VPC (vpc-...)"))
    else:
        _check_id(problems, "vpc_id", args["vpc_id"], "vpc")

    zones: list[str] = []
    raw_zones = args.get("zones")
    if not isinstance(raw_zones, list | tuple) or not raw_zones:
        problems.append(
            Problem("zones", raw_zones, "a non-empty list of Availability Zone names such as ap-northeast-2a")
        )
    else:
        regions: dict[str, str] = {}
        for i, zone in enumerate(raw_zones):
            region = region_of_zone(zone) if isinstance(zone, str) else None
            if region is None:
                problems.append(
                    Problem(
                        f"zones[{i}]",
                        zone,
                        "an Availability Zone name such as ap-northeast-2a (Local and Wavelength Zones "
                        "are not supported)",
                    )
                )
            elif zone in zones:
                problems.append(Problem(f"zones[{i}]", zone, "each zone once"))
            else:
                zones.append(zone)
                regions.setdefault(region, zone)
        if len(regions) > 1:
            problems.append(
                Problem("zones", list(raw_zones), f"zones of one region; got regions {sorted(regions)}")
            )
        if len(zones) != len(raw_zones) or len(regions) > 1:
            # The per-zone maps can only be checked against a sound zone list; checking them now
            # would bury the one real mistake under follow-up ones.
            zones = []

    strategy = _strategy(args.get("strategy", NatStrategy.ONE_PER_ZONE))
    if strategy is None:
        problems.append(Problem("strategy", args.get("strategy"), "one of ['OnePerZone', 'Single']"))

    # public subnets: one per NAT zone
    public: dict[str, str] = {}
    raw_public = args.get("public_subnet_ids")
    if not isinstance(raw_public, Mapping) or not raw_public:
        problems.append(
            Problem(
                "public_subnet_ids",
                raw_public,
                "required: a map of zone to the public subnet (subnet-...) that hosts its NAT gateway",
            )
        )
    else:
        for zone, subnet in raw_public.items():
            if _check_id(problems, f"public_subnet_ids.{zone}", subnet, "subnet"):
                public[str(zone)] = subnet
        if zones and strategy is NatStrategy.SINGLE:
            if len(raw_public) != 1 or next(iter(raw_public)) not in zones:
                problems.append(
                    Problem(
                        "public_subnet_ids",
                        sorted(raw_public),
                        f"strategy Single has one NAT gateway: exactly one public subnet, in one of the "
                        f"zones {zones}",
                    )
                )
        elif zones and strategy is NatStrategy.ONE_PER_ZONE:
            _check_zone_keys(
                problems, "public_subnet_ids", list(raw_public), zones, "one public subnet per NAT gateway"
            )

    # private routing: per zone either existing route tables or subnets to associate
    tables = _id_lists(problems, "private_route_table_ids", args.get("private_route_table_ids"), zones, "rtb")
    subnets = _id_lists(problems, "private_subnet_ids", args.get("private_subnet_ids"), zones, "subnet")
    raw_tables = args.get("private_route_table_ids")
    raw_subnets = args.get("private_subnet_ids")
    routed = [
        *(list(raw_tables) if isinstance(raw_tables, Mapping) else []),
        *(list(raw_subnets) if isinstance(raw_subnets, Mapping) else []),
    ]
    for zone in sorted({z for z in routed if routed.count(z) > 1}):
        problems.append(
            Problem(
                f"private_subnet_ids.{zone}",
                (raw_subnets or {})[zone],
                f"zone {zone} is also in private_route_table_ids: give a zone either its existing route "
                "tables or its private subnets, not both",
            )
        )
    if zones:
        _check_zone_keys(
            problems,
            "private_route_table_ids/private_subnet_ids",
            list(dict.fromkeys(routed)),
            zones,
            "the private routing of every zone (existing route tables or private subnets)",
        )

    _duplicates(
        problems,
        [(f"private_route_table_ids.{z}[{i}]", t) for z, ts in tables.items() for i, t in enumerate(ts)],
        "route table",
    )
    _duplicates(
        problems,
        [(f"public_subnet_ids.{z}", s) for z, s in public.items()]
        + [(f"private_subnet_ids.{z}[{i}]", s) for z, ss in subnets.items() for i, s in enumerate(ss)],
        "subnet",
    )

    # EIPs
    secondary = args.get("secondary_eips_per_nat", 0)
    secondary_ok = is_int(secondary) and 0 <= secondary <= MAX_SECONDARY_EIPS
    if not secondary_ok:
        problems.append(
            Problem(
                "secondary_eips_per_nat",
                secondary,
                f"an integer from 0 to {MAX_SECONDARY_EIPS} (AWS allows 1 primary + {MAX_SECONDARY_EIPS} "
                "secondary IPs per NAT gateway)",
            )
        )
    adopted = _id_lists(
        problems, "adopted_eip_allocation_ids", args.get("adopted_eip_allocation_ids"), zones, "eipalloc"
    )
    raw_adopted = args.get("adopted_eip_allocation_ids")
    if isinstance(raw_adopted, Mapping) and zones and strategy is not None and public:
        nat_zones = nat_zones_of(zones, strategy, public)
        for zone, ids in raw_adopted.items():
            if zone not in nat_zones:
                problems.append(
                    Problem(
                        f"adopted_eip_allocation_ids.{zone}",
                        ids,
                        f"adopted EIPs only in zones that host a NAT gateway with strategy "
                        f"{strategy.value}: {nat_zones}",
                    )
                )
            elif secondary_ok and isinstance(ids, list | tuple) and len(ids) > 1 + secondary:
                problems.append(
                    Problem(
                        f"adopted_eip_allocation_ids.{zone}",
                        ids,
                        f"at most {1 + secondary} allocation ids (1 primary + secondary_eips_per_nat="
                        f"{secondary}); raise secondary_eips_per_nat to adopt more",
                    )
                )
    _duplicates(
        problems,
        [
            (f"adopted_eip_allocation_ids.{z}[{i}]", a)
            for z, ids in adopted.items()
            for i, a in enumerate(ids)
        ],
        "EIP allocation",
    )

    # alarms
    alarms = args.get("alarms", True)
    if not isinstance(alarms, bool):
        problems.append(Problem("alarms", alarms, "true or false"))
    topic = args.get("alarm_topic_arn")
    if topic is not None:
        match = _SNS_ARN.match(topic) if isinstance(topic, str) else None
        region = region_of_zone(zones[0]) if zones else None
        if match is None:
            problems.append(
                Problem("alarm_topic_arn", topic, "an SNS topic ARN: arn:aws:sns:<region>:<account>:<topic>")
            )
        elif alarms is False:
            problems.append(
                Problem(
                    "alarm_topic_arn", topic, "only with alarms: true (the topic would never be notified)"
                )
            )
        elif region is not None and match.group(1) != region:
            problems.append(
                Problem(
                    "alarm_topic_arn",
                    topic,
                    f"a topic in the NAT gateways' region {region} (CloudWatch alarms only notify topics "
                    "in their own region)",
                )
            )

    gb = args.get("expected_gb_per_month", 0)
    if not (isinstance(gb, int | float) and not isinstance(gb, bool) and 0 <= gb < 10**9):
        problems.append(
            Problem(
                "expected_gb_per_month", gb, "a number of GB >= 0 (processed by all NAT gateways together)"
            )
        )

    tags = args.get("tags", {})
    if not isinstance(tags, Mapping):
        problems.append(Problem("tags", tags, "a map of tag key to value"))
    else:
        if len(tags) > 40:
            problems.append(
                Problem("tags", f"{len(tags)} tags", "at most 40 (AWS allows 50, the component adds Name)")
            )
        for key, value in tags.items():
            if key == "Name":
                problems.append(
                    Problem(
                        "tags.Name",
                        value,
                        "no Name tag: the component sets Name per zone (<name>-nat-<zone>)",
                    )
                )
            elif not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
                problems.append(
                    Problem(f"tags.{key}", key, "a key of 1-128 characters not starting with 'aws:'")
                )
            elif not isinstance(value, str) or len(value) > 256:
                problems.append(Problem(f"tags.{key}", value, "a string of at most 256 characters"))
    return problems


# --- plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EipPlan:
    """One public IP of a NAT gateway: either created here or adopted by allocation id."""

    zone: str
    slot: int
    """0 is the primary IP; 1.. are secondary."""
    resource_name: str | None
    """The Eip resource this stack creates, or None when adopted."""
    allocation_id: str | None
    """The adopted allocation id, or None when created."""

    @property
    def adopted(self) -> bool:
        return self.allocation_id is not None


@dataclass(frozen=True)
class NatGatewayPlan:
    zone: str
    resource_name: str
    subnet_id: str
    name_tag: str
    eips: tuple[EipPlan, ...]
    """Primary first, then the secondaries."""
    alarm_names: tuple[str, ...]


@dataclass(frozen=True)
class RouteTablePlan:
    """The default route of one private route table (existing or created) of a zone."""

    zone: str
    nat_zone: str
    """The zone of the NAT gateway the default route targets."""
    route_name: str
    existing_id: str | None
    """The existing route table, or None when this stack creates one."""
    table_name: str | None
    """The RouteTable resource this stack creates, or None for an existing table."""
    name_tag: str | None
    associations: tuple[tuple[str, str], ...]
    """(resource name, subnet id) of each subnet associated with a created table."""


@dataclass(frozen=True)
class NatPlan:
    region: str
    strategy: NatStrategy
    zones: tuple[str, ...]
    nat_gateways: tuple[NatGatewayPlan, ...]
    route_tables: tuple[RouteTablePlan, ...]
    alarms: bool
    expected_gb_per_month: Decimal
    warnings: tuple[str, ...]

    @property
    def nat_zones(self) -> list[str]:
        return [n.zone for n in self.nat_gateways]

    def nat_in(self, zone: str) -> NatGatewayPlan:
        return next(n for n in self.nat_gateways if n.zone == zone)


def plan_egress_nat(name: str, args: Mapping[str, Any]) -> NatPlan:
    """The resources for valid `args` (call `validate_egress_nat_args` first)."""
    zones: list[str] = list(args["zones"])
    strategy = _strategy(args.get("strategy", NatStrategy.ONE_PER_ZONE))
    assert strategy is not None, "validate_egress_nat_args first"
    public: Mapping[str, str] = args["public_subnet_ids"]
    adopted: Mapping[str, Sequence[str]] = args.get("adopted_eip_allocation_ids") or {}
    secondary: int = args.get("secondary_eips_per_nat", 0)
    alarms: bool = args.get("alarms", True)
    region = region_of_zone(zones[0])
    assert region is not None

    nats = []
    for zone in nat_zones_of(zones, strategy, public):
        own = list(adopted.get(zone, ()))
        eips = tuple(
            EipPlan(zone, slot, None, own[slot])
            if slot < len(own)
            else EipPlan(
                zone,
                slot,
                f"{name}-eip-{zone}" if slot == 0 else f"{name}-eip-{zone}-secondary-{slot}",
                None,
            )
            for slot in range(1 + secondary)
        )
        nats.append(
            NatGatewayPlan(
                zone=zone,
                resource_name=f"{name}-nat-{zone}",
                subnet_id=public[zone],
                name_tag=f"{name}-nat-{zone}",
                eips=eips,
                alarm_names=(f"{name}-port-allocation-errors-{zone}", f"{name}-packet-drops-{zone}")
                if alarms
                else (),
            )
        )
    nat_zones = [n.zone for n in nats]

    tables: list[RouteTablePlan] = []
    existing: Mapping[str, Sequence[str]] = args.get("private_route_table_ids") or {}
    subnets: Mapping[str, Sequence[str]] = args.get("private_subnet_ids") or {}
    for zone in zones:
        # Own zone's NAT whenever it has one: cross-zone egress costs money both ways and dies
        # with the other zone.
        target = zone if zone in nat_zones else nat_zones[0]
        for rtb in existing.get(zone, ()):
            tables.append(RouteTablePlan(zone, target, f"{name}-default-route-{rtb}", rtb, None, None, ()))
        if zone in subnets:
            tables.append(
                RouteTablePlan(
                    zone=zone,
                    nat_zone=target,
                    route_name=f"{name}-default-route-{zone}",
                    existing_id=None,
                    table_name=f"{name}-rtb-{zone}",
                    name_tag=f"{name}-private-{zone}",
                    associations=tuple((f"{name}-rtba-{s}", s) for s in subnets[zone]),
                )
            )

    warnings: list[str] = []
    gb = Decimal(str(args.get("expected_gb_per_month", 0)))
    if strategy is NatStrategy.SINGLE and len(zones) > 1:
        others = [z for z in zones if z not in nat_zones]
        cost = estimate_monthly_cost(region, len(zones), 1 + secondary, strategy, gb)
        extra = (
            f" (about ${cost.cross_zone_transfer_usd} a month at {gb} GB/month)"
            if cost is not None and gb > 0
            else ""
        )
        warnings.append(
            f"EgressNatGateways {name!r}: strategy Single puts the only NAT gateway in {nat_zones[0]}: "
            f"egress from {others} crosses zones at ${CROSS_ZONE_GB_EACH_WAY}/GB each way{extra}, and "
            f"{nat_zones[0]} is a single point of failure for the egress of every zone. "
            "Use strategy OnePerZone for production."
        )
    if secondary + 1 > DEFAULT_EIP_QUOTA_PER_NAT:
        warnings.append(
            f"EgressNatGateways {name!r}: {1 + secondary} IPs per NAT gateway exceed the default AWS quota "
            f"'EIPs per public NAT gateway' ({DEFAULT_EIP_QUOTA_PER_NAT}); request an increase (up to 8) "
            "before deploying."
        )
    return NatPlan(
        region=region,
        strategy=strategy,
        zones=tuple(zones),
        nat_gateways=tuple(nats),
        route_tables=tuple(tables),
        alarms=alarms,
        expected_gb_per_month=gb,
        warnings=tuple(warnings),
    )


# --- cost --------------------------------------------------------------------------------


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
        single = self.strategy is NatStrategy.SINGLE
        return {
            "region": self.region,
            "currency": "USD",
            "strategy": self.strategy.value,
            "nat_gateways": self.nat_gateways,
            "public_ips": self.public_ips,
            "expected_gb_per_month": float(self.expected_gb_per_month),
            "nat_hours": float(self.nat_hours_usd),
            "processing": float(self.processing_usd),
            "public_ipv4": float(self.public_ipv4_usd),
            "cross_zone_transfer_added" if single else "cross_zone_transfer_avoided": float(
                self.cross_zone_transfer_usd
            ),
            "total": float(self.total_usd),
            "alternative": {
                "strategy": self.alternative_strategy.value,
                "total": float(self.alternative_total_usd),
            },
            "prices": f"{self.prices_source}, as of {self.prices_as_of}",
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
    crossing = gb * (zones - 1) / zones
    per_zone = _monthly(prices, zones, ips_per_nat, gb, Decimal(0))
    single = _monthly(prices, 1, ips_per_nat, gb, crossing)
    cross_zone = _cents(single[3])
    chosen, other = (single, per_zone) if strategy is NatStrategy.SINGLE else (per_zone, single)
    nats = 1 if strategy is NatStrategy.SINGLE else zones
    return CostEstimate(
        region=region,
        strategy=strategy,
        nat_gateways=nats,
        public_ips=nats * ips_per_nat,
        expected_gb_per_month=gb,
        nat_hours_usd=_cents(chosen[0]),
        processing_usd=_cents(chosen[1]),
        public_ipv4_usd=_cents(chosen[2]),
        cross_zone_transfer_usd=cross_zone,
        total_usd=_cents(sum(chosen, Decimal(0))),
        alternative_strategy=NatStrategy.ONE_PER_ZONE
        if strategy is NatStrategy.SINGLE
        else NatStrategy.SINGLE,
        alternative_total_usd=_cents(sum(other, Decimal(0))),
        prices_source=prices.source,
        prices_as_of=prices.as_of,
    )


def plan_cost(plan: NatPlan) -> CostEstimate | None:
    ips = len(plan.nat_gateways[0].eips)
    return estimate_monthly_cost(plan.region, len(plan.zones), ips, plan.strategy, plan.expected_gb_per_month)


def unpriced_output(region: str) -> dict[str, object]:
    return {
        "region": region,
        "currency": "USD",
        "note": f"no prices for {region} in traffic_edge.egress_nat.plan.PRICES; add a row to get an estimate",
    }


# --- stack pairing -----------------------------------------------------------------------


def check_zone_coverage(nat_zones: Sequence[str], proxy_zones: Sequence[str]) -> list[Problem]:
    """One problem when the Squid proxy spreads over a zone that has no NAT gateway of its own."""
    uncovered = [z for z in proxy_zones if z not in nat_zones]
    if not uncovered:
        return []
    return [
        Problem(
            "zones",
            uncovered,
            f"the Squid proxy spreads over these zones but they have no NAT gateway (NAT gateways are in "
            f"{list(nat_zones)}): their egress would cross zones at ${CROSS_ZONE_GB_EACH_WAY}/GB each way "
            "and break the local-AZ design; give each of them a NAT gateway (strategy OnePerZone with a "
            "public subnet there) or remove them from the proxy's zones",
        )
    ]
