"""The args of `EgressNatGateways` and their enums: importable without any cloud SDK."""

from __future__ import annotations

from enum import StrEnum
from typing import Required, TypedDict

__all__ = [
    "DEFAULT_ALARMS",
    "DEFAULT_EXPECTED_GB_PER_MONTH",
    "DEFAULT_SECONDARY_EIPS_PER_NAT",
    "DEFAULT_STRATEGY",
    "EgressNatGatewaysArgs",
    "NatStrategy",
]


class NatStrategy(StrEnum):
    """How many NAT gateways serve the zones."""

    ONE_PER_ZONE = "OnePerZone"
    """One NAT gateway in every zone; each zone's private routes use their own zone's NAT."""
    SINGLE = "Single"
    """One NAT gateway for all zones: cheaper in NAT hours, but a single point of failure and
    every other zone's egress crosses zones."""
    REGIONAL = "Regional"
    """One regional NAT gateway (AWS, 2025-11) attached to the VPC, in manual mode: each zone's
    traffic leaves in its own zone through that zone's Elastic IPs. No public subnet; billed per
    zone-hour like OnePerZone."""


class EgressNatGatewaysArgs(TypedDict, total=False):
    vpc_id: Required[str]
    """The existing VPC (``vpc-...``). Used for the private route tables this component creates."""
    zones: Required[list[str]]
    """The Availability Zones to serve, e.g. ``["ap-northeast-2a", "ap-northeast-2c"]``; all of one
    region. Given explicitly (no lookup), and every per-zone map must cover exactly these zones."""
    public_subnet_ids: dict[str, str]
    """Zone -> the public subnet (``subnet-...``, with a route to the internet gateway) that hosts
    the zone's NAT gateway. OnePerZone: one per zone. Single: exactly one entry, whose zone gets the
    only NAT gateway. Regional: not allowed (the regional NAT gateway attaches to the VPC)."""
    private_route_table_ids: dict[str, list[str]]
    """Zone -> existing private route tables (``rtb-...``) that get a ``0.0.0.0/0`` route to the
    NAT gateway. They must not already have a default route. Per zone, give either this or
    `private_subnet_ids`."""
    private_subnet_ids: dict[str, list[str]]
    """Zone -> private subnets for which the component creates one route table per zone (default
    route to the NAT gateway) and associates them. The subnets must not be explicitly associated
    with another route table yet. Per zone, give either this or `private_route_table_ids`."""
    strategy: NatStrategy
    """``OnePerZone`` (default): a NAT gateway per zone, each zone routes to its own. ``Single``:
    one NAT gateway for all zones (warns: cross-zone transfer cost, single point of failure).
    ``Regional``: one regional NAT gateway with each zone's Elastic IPs; every route goes to it."""
    adopted_eip_allocation_ids: dict[str, list[str]]
    """Zone -> existing Elastic IP allocation ids (``eipalloc-...``) to put on that zone's NAT
    gateway instead of creating new ones: the first becomes the primary IP, the rest secondary.
    Keeps IPs third parties already allowlist. Never created or deleted by this stack; each EIP
    must be disassociated from its instance first. Only zones that host a NAT gateway."""
    secondary_eips_per_nat: int
    """Secondary public IPs per NAT gateway (Regional: per zone), 0 (default) to 7. Each IP adds 55,000 simultaneous
    connections per destination (IP, port, protocol). Adopted ids beyond the first count towards
    it; the rest are created. More than 1 exceeds the default AWS quota (a warning says so)."""
    public_ipv4_pool: str
    """The EC2 public IPv4 pool (``ipv4pool-ec2-...``, your BYOIP range) the Elastic IPs this
    component creates come from. Not with `ipam_pool_id`. Adopted IPs are not affected, and an
    Elastic IP that exists keeps its address (a pool change would replace it)."""
    ipam_pool_id: str
    """The IPAM pool (``ipam-pool-...``, with a public IPv4 CIDR provisioned, in this region) the
    Elastic IPs this component creates come from. Not with `public_ipv4_pool`; same rules."""
    alarms: bool
    """CloudWatch alarms per NAT gateway on ``ErrorPortAllocation > 0`` and on packet drops above
    0.01 % of the packets received (default true)."""
    alarm_topic_arn: str
    """SNS topic (same region) the alarms notify on ALARM and OK. Only with `alarms`."""
    expected_gb_per_month: float
    """GB all NAT gateways process per month together (default 0), for `monthly_cost_estimate`."""
    tags: dict[str, str]
    """Tags on every taggable resource, next to the per-zone ``Name`` the component sets."""


DEFAULT_STRATEGY = NatStrategy.ONE_PER_ZONE
"""The strategy when the args set none."""
DEFAULT_SECONDARY_EIPS_PER_NAT = 0
"""Secondary IPs per NAT gateway when the args set none."""
DEFAULT_ALARMS = True
"""Whether the alarms exist when the args do not say."""
DEFAULT_EXPECTED_GB_PER_MONTH = 0
"""The traffic the cost estimate assumes when the args give none."""
