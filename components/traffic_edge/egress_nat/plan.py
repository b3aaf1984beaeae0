"""The pure planner of `EgressNatGateways`: valid args -> a frozen `NatPlan` (no SDK).

`plan_egress_nat` applies every default once and decides which resources exist, under which
stable names, and which NAT gateway each private route targets; the component registers
resources from the plan only. `check_zone_coverage` is what the stack layer calls to make
sure every zone the Squid proxy spreads over has its own NAT gateway.

Resource names are derived from zone names, route-table ids and subnet ids, never from list
positions: adding a zone (or a subnet) must not rename, and so replace, the NAT gateway and
the allowlisted EIP of another zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from traffic_edge._shared.problems import Path, Problem, invalid
from traffic_edge.egress_nat.args import (
    DEFAULT_ALARMS,
    DEFAULT_EXPECTED_GB_PER_MONTH,
    DEFAULT_SECONDARY_EIPS_PER_NAT,
    DEFAULT_STRATEGY,
    NatStrategy,
)
from traffic_edge.egress_nat.cost import (
    CROSS_ZONE_GB_EACH_WAY,
    CostEstimate,
    estimate_monthly_cost,
    unpriced_output,
)
from traffic_edge.egress_nat.facts import DEFAULT_EIP_QUOTA_PER_NAT, MAX_IPS_PER_NAT

_ZONE = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)([a-z])$")


def region_of_zone(zone: str) -> str | None:
    """``ap-northeast-2a`` -> ``ap-northeast-2``; None for anything but an Availability Zone."""
    match = _ZONE.match(zone)
    return match.group(1) if match else None


def nat_zones_of(
    zones: Sequence[str], strategy: NatStrategy, public_subnet_ids: Mapping[str, str]
) -> list[str]:
    """The zones whose egress leaves through a NAT gateway in the zone itself, in `zones` order:
    one with Single, every zone with OnePerZone and with Regional (each zone its own IPs)."""
    if strategy is NatStrategy.SINGLE:
        return [z for z in zones if z in public_subnet_ids][:1]
    return list(zones)


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
    """A zonal NAT gateway in one zone's public subnet, or the regional one of every zone."""

    zones: tuple[str, ...]
    """The zones it has IPs in: its own zone, or (Regional) every zone."""
    resource_name: str
    subnet_id: str | None
    """The public subnet of a zonal NAT gateway; None for the regional one (it attaches to the VPC)."""
    name_tag: str
    eips: tuple[EipPlan, ...]
    """Zone by zone, each zone's primary first, then its secondaries."""
    alarm_names: tuple[str, ...]
    """(port allocation errors, packet drops), or () without alarms."""

    @property
    def regional(self) -> bool:
        return self.subnet_id is None

    def eips_in(self, zone: str) -> tuple[EipPlan, ...]:
        return tuple(e for e in self.eips if e.zone == zone)


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
    """Everything the component registers, with every default applied."""

    name: str
    region: str
    vpc_id: str
    strategy: NatStrategy
    zones: tuple[str, ...]
    nat_gateways: tuple[NatGatewayPlan, ...]
    route_tables: tuple[RouteTablePlan, ...]
    alarms: bool
    alarm_topic_arn: str | None
    tags: tuple[tuple[str, str], ...]
    """The user's tags, in their order; every resource adds its own ``Name``."""
    public_ipv4_pool: str | None
    """The BYOIP pool created Elastic IPs come from, or None."""
    ipam_pool_id: str | None
    """The IPAM pool created Elastic IPs come from, or None."""
    expected_gb_per_month: Decimal
    cost: CostEstimate | None
    """None when `PRICES` has no row for the region."""
    warnings: tuple[str, ...]

    @property
    def nat_zones(self) -> list[str]:
        return [z for n in self.nat_gateways for z in n.zones]

    def nat_in(self, zone: str) -> NatGatewayPlan:
        return next(n for n in self.nat_gateways if zone in n.zones)

    def tags_named(self, name_tag: str) -> dict[str, str]:
        """The tags of one resource: the user's and its ``Name``."""
        return {**dict(self.tags), "Name": name_tag}

    @property
    def monthly_cost_estimate(self) -> dict[str, object]:
        return self.cost.as_output() if self.cost is not None else unpriced_output(self.region)


def _eips(name: str, zone: str, adopted: Sequence[str], secondary: int) -> tuple[EipPlan, ...]:
    """Adopted ids fill the first slots, created EIPs the rest."""
    return tuple(
        EipPlan(zone, slot, None, adopted[slot])
        if slot < len(adopted)
        else EipPlan(
            zone, slot, f"{name}-eip-{zone}" if slot == 0 else f"{name}-eip-{zone}-secondary-{slot}", None
        )
        for slot in range(1 + secondary)
    )


def _nat_gateway(
    name: str, zone: str, subnet_id: str, adopted: Sequence[str], secondary: int, alarms: bool
) -> NatGatewayPlan:
    return NatGatewayPlan(
        zones=(zone,),
        resource_name=f"{name}-nat-{zone}",
        subnet_id=subnet_id,
        name_tag=f"{name}-nat-{zone}",
        eips=_eips(name, zone, adopted, secondary),
        alarm_names=(f"{name}-port-allocation-errors-{zone}", f"{name}-packet-drops-{zone}")
        if alarms
        else (),
    )


def _regional_nat_gateway(
    name: str, zones: Sequence[str], adopted: Mapping[str, Sequence[str]], secondary: int, alarms: bool
) -> NatGatewayPlan:
    """The one regional NAT gateway. Its Elastic IPs keep the names (and so the URNs) they have
    with OnePerZone: moving from OnePerZone to Regional replaces no IP."""
    return NatGatewayPlan(
        zones=tuple(zones),
        resource_name=f"{name}-nat",
        subnet_id=None,
        name_tag=f"{name}-nat",
        eips=tuple(e for z in zones for e in _eips(name, z, list(adopted.get(z, ())), secondary)),
        alarm_names=(f"{name}-port-allocation-errors", f"{name}-packet-drops") if alarms else (),
    )


def _route_tables(
    name: str,
    zones: Sequence[str],
    nat_zones: Sequence[str],
    existing: Mapping[str, Sequence[str]],
    subnets: Mapping[str, Sequence[str]],
) -> tuple[RouteTablePlan, ...]:
    tables: list[RouteTablePlan] = []
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
    return tuple(tables)


def _warnings(
    name: str,
    strategy: NatStrategy,
    zones: Sequence[str],
    nat_zones: Sequence[str],
    ips_per_nat: int,
    cost: CostEstimate | None,
) -> tuple[str, ...]:
    warnings: list[str] = []
    if strategy is NatStrategy.SINGLE and len(zones) > 1:
        others = [z for z in zones if z not in nat_zones]
        gb = cost.expected_gb_per_month if cost is not None else Decimal(0)
        extra = (
            f" (about ${cost.single.cross_zone_transfer_usd} a month at {gb} GB/month)"
            if cost and gb > 0
            else ""
        )
        warnings.append(
            f"EgressNatGateways {name!r}: strategy Single puts the only NAT gateway in {nat_zones[0]}: "
            f"egress from {others} crosses zones at ${CROSS_ZONE_GB_EACH_WAY}/GB each way{extra}, and "
            f"{nat_zones[0]} is a single point of failure for the egress of every zone. "
            "Use strategy OnePerZone for production."
        )
    if ips_per_nat > DEFAULT_EIP_QUOTA_PER_NAT:
        per = (
            "per zone of the regional NAT gateway" if strategy is NatStrategy.REGIONAL else "per NAT gateway"
        )
        warnings.append(
            f"EgressNatGateways {name!r}: {ips_per_nat} IPs {per} exceed the default AWS quota "
            f"'EIPs per public NAT gateway' ({DEFAULT_EIP_QUOTA_PER_NAT}); request an increase (up to "
            f"{MAX_IPS_PER_NAT}) before deploying."
        )
    return tuple(warnings)


def plan_egress_nat(name: str, args: Mapping[str, Any]) -> NatPlan:
    """The resources for valid `args` (`validate_egress_nat_args` found no problem in them)."""
    zones: list[str] = list(args["zones"])
    strategy = NatStrategy(args.get("strategy", DEFAULT_STRATEGY))
    public: Mapping[str, str] = args.get("public_subnet_ids") or {}
    adopted: Mapping[str, Sequence[str]] = args.get("adopted_eip_allocation_ids") or {}
    secondary: int = args.get("secondary_eips_per_nat", DEFAULT_SECONDARY_EIPS_PER_NAT)
    alarms: bool = args.get("alarms", DEFAULT_ALARMS)
    gb = Decimal(str(args.get("expected_gb_per_month", DEFAULT_EXPECTED_GB_PER_MONTH)))
    region = region_of_zone(zones[0])
    assert region is not None, "validate_egress_nat_args first"

    nats = (
        (_regional_nat_gateway(name, zones, adopted, secondary, alarms),)
        if strategy is NatStrategy.REGIONAL
        else tuple(
            _nat_gateway(name, zone, public[zone], list(adopted.get(zone, ())), secondary, alarms)
            for zone in nat_zones_of(zones, strategy, public)
        )
    )
    nat_zones = [z for n in nats for z in n.zones]
    tables = _route_tables(
        name,
        zones,
        nat_zones,
        args.get("private_route_table_ids") or {},
        args.get("private_subnet_ids") or {},
    )
    cost = estimate_monthly_cost(region, len(zones), 1 + secondary, strategy, gb)
    return NatPlan(
        name=name,
        region=region,
        vpc_id=args["vpc_id"],
        strategy=strategy,
        zones=tuple(zones),
        nat_gateways=nats,
        route_tables=tables,
        alarms=alarms,
        alarm_topic_arn=args.get("alarm_topic_arn"),
        tags=tuple((args.get("tags") or {}).items()),
        public_ipv4_pool=args.get("public_ipv4_pool"),
        ipam_pool_id=args.get("ipam_pool_id"),
        expected_gb_per_month=gb,
        cost=cost,
        warnings=_warnings(name, strategy, zones, nat_zones, 1 + secondary, cost),
    )


def check_zone_coverage(nat_zones: Sequence[str], proxy_zones: Sequence[str]) -> list[Problem]:
    """One problem per zone the Squid proxy spreads over that has no NAT gateway of its own.

    Keys are relative to the proxy's args (``zones[1]``); the stack layer prefixes them.
    """
    own = ", ".join(repr(z) for z in nat_zones)
    allowed = (
        f"a zone with a NAT gateway of its own ({own}): egress from any other zone crosses zones at "
        f"${CROSS_ZONE_GB_EACH_WAY}/GB each way and breaks the local-AZ design"
    )
    return [
        invalid(Path.of("zones") / i, zone, allowed)
        for i, zone in enumerate(proxy_zones)
        if zone not in nat_zones
    ]
