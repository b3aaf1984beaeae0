"""`validate_egress_nat_args`: every problem in `EgressNatGatewaysArgs` at once (pure, no SDK).

One small function per rule group, each handed only what the groups before it found sound:
a group whose input already has a problem (a misspelled key, a bad zone list) reports nothing
derived from it, and a default the user did not write is never judged as if they had.
Zone-keyed maps are the user's data: their zone keys are `MapKey` segments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from traffic_edge._shared.checks import (
    Derived,
    boolean,
    component_name,
    distinct,
    integer,
    is_list,
    one_of,
    unknown_keys,
    used_once,
)
from traffic_edge._shared.names import is_int
from traffic_edge._shared.problems import (
    MapKey,
    Path,
    Problem,
    conflict,
    invalid,
    missing,
    suggestion,
    without_knock_on,
)
from traffic_edge.egress_nat.args import (
    DEFAULT_SECONDARY_EIPS_PER_NAT,
    DEFAULT_STRATEGY,
    EgressNatGatewaysArgs,
    NatStrategy,
)
from traffic_edge.egress_nat.facts import (
    IPAM_POOL_PREFIX,
    MAX_SECONDARY_EIPS,
    MAX_TAG_KEY_LENGTH,
    MAX_TAG_VALUE_LENGTH,
    MAX_TAGS_PER_RESOURCE,
    MAX_USER_TAGS,
    PUBLIC_IPV4_POOL_PREFIX,
    RESERVED_TAG_PREFIX,
)
from traffic_edge.egress_nat.plan import nat_zones_of, region_of_zone

__all__ = ["KNOWN_KEYS", "validate_egress_nat_args"]

KNOWN_KEYS = tuple(EgressNatGatewaysArgs.__annotations__)

_HEX_ID = "(?:[0-9a-f]{8}|[0-9a-f]{17})$"
_ID = {kind: re.compile(f"^{kind}-{_HEX_ID}") for kind in ("vpc", "subnet", "rtb", "eipalloc")}
_ID_WHAT = {"vpc": "VPC id", "subnet": "subnet id", "rtb": "route table id", "eipalloc": "EIP allocation id"}
_SNS_ARN = re.compile(
    r"^arn:aws(?:-cn|-us-gov)?:sns:([a-z]{2}(?:-gov)?-[a-z]+-\d+):\d{12}:[A-Za-z0-9_-]{1,256}$"
)
_ZONE_RULE = (
    "an Availability Zone name, like 'ap-northeast-2a' (Local and Wavelength Zones are not supported)"
)
_ROUTING = ("private_route_table_ids", "private_subnet_ids")
_NO_SUBNET = (
    "strategy Regional has no public subnets: its NAT gateway attaches to the VPC, "
    "and AWS takes no subnet_id with availability mode regional"
)
_POOLS = {"public_ipv4_pool": PUBLIC_IPV4_POOL_PREFIX, "ipam_pool_id": IPAM_POOL_PREFIX}
_POOL_WHAT = {"public_ipv4_pool": "an EC2 public IPv4 (BYOIP) pool id", "ipam_pool_id": "an IPAM pool id"}

Foreign = Callable[[str], str | None]
"""For a zone key of a map: what is allowed instead when the zone may not be there, else None."""


NAMES = (Derived("{}-port-allocation-errors-ap-southeast-10z", "a CloudWatch alarm's name", 255),)
"""The longest name made from the resource name (with a long zone name); CloudWatch allows 255."""


def validate_egress_nat_args(args: Mapping[str, Any], name: str | None = None) -> list[Problem]:
    """Every problem in `EgressNatGatewaysArgs` (and the resource `name`), in key order;
    empty when the args are valid."""
    problems = [] if name is None else component_name(name, "name", NAMES, service=False)
    problems += unknown_keys(args, KNOWN_KEYS)
    misspelt = frozenset(s for p in problems if (s := suggestion(p)) is not None)
    problems += _vpc_id(args)
    zones, found = _zones(args, misspelt)
    problems += found
    strategy, found = _strategy(args, misspelt)
    problems += found
    public, found = _public_subnets(args, zones, strategy)
    problems += found
    public_sound = not found and "public_subnet_ids" not in misspelt
    nat_zones = nat_zones_of(zones, strategy, public) if zones and strategy and public_sound else None
    problems += _private_routing(args, zones, public, misspelt)
    secondary, found = _secondary_eips(args, misspelt)
    problems += found
    problems += _adopted_eips(args, zones, nat_zones, strategy, secondary)
    problems += _pools(args)
    problems += _alarms(args, zones)
    problems += _expected_gb(args)
    problems += _tags(args)
    return without_knock_on(problems)


# --- ids, zones, strategy ----------------------------------------------------------------


def _id(value: object, at: Path | str, kind: str) -> list[Problem]:
    if isinstance(value, str) and _ID[kind].match(value):
        return []
    article = "an" if _ID_WHAT[kind][0] in "AEIOU" else "a"
    rule = f"{article} {_ID_WHAT[kind]}: '{kind}-' followed by 8 or 17 lowercase hex digits"
    return [invalid(at, value, rule)]


def _vpc_id(args: Mapping[str, Any]) -> list[Problem]:
    if args.get("vpc_id") is None:
        return [missing("vpc_id", "the existing VPC (vpc-...) the private route tables are created in")]
    return _id(args["vpc_id"], "vpc_id", "vpc")


def _zones(args: Mapping[str, Any], misspelt: frozenset[str]) -> tuple[list[str] | None, list[Problem]]:
    """The zones when they are sound (well-formed, distinct, of one region), else None."""
    if "zones" in misspelt:
        return None, []
    raw = args.get("zones")
    if raw is None:
        return None, [
            missing("zones", "the Availability Zones the NAT gateways serve, like ['ap-northeast-2a']")
        ]
    if not is_list(raw) or not raw:
        return None, [
            invalid("zones", raw, "a non-empty list of Availability Zone names, like ['ap-northeast-2a']")
        ]
    regions = [region_of_zone(z) if isinstance(z, str) else None for z in raw]
    problems = [invalid(Path.of("zones") / i, raw[i], _ZONE_RULE) for i, r in enumerate(regions) if r is None]
    # A repeat of a malformed zone is that zone's problem, already reported.
    problems += [p for p in distinct(raw, "zones") if isinstance(p.value, str) and region_of_zone(p.value)]
    spanned = sorted({r for r in regions if r is not None})
    if len(spanned) > 1:
        problems.append(invalid("zones", list(raw), f"zones of one region: these span {', '.join(spanned)}"))
    return (None if problems else list(raw)), problems


def _strategy(args: Mapping[str, Any], misspelt: frozenset[str]) -> tuple[NatStrategy | None, list[Problem]]:
    if "strategy" in misspelt:
        return None, []
    if "strategy" not in args:
        return DEFAULT_STRATEGY, []
    problems = one_of(args["strategy"], NatStrategy, "strategy")
    return (None if problems else NatStrategy(args["strategy"])), problems


# --- zone-keyed maps ---------------------------------------------------------------------


def _listed(zones: Sequence[str]) -> str:
    return ", ".join(repr(z) for z in zones)


def _in_zones(zones: Sequence[str] | None) -> Foreign:
    def foreign(zone: str) -> str | None:
        if zones is None or zone in zones:
            return None
        return f"an entry for a zone listed in zones ({_listed(zones)})"

    return foreign


def _id_list(kind: str) -> Callable[[object, Path], list[Problem]]:
    def check(value: object, at: Path) -> list[Problem]:
        if not is_list(value) or not value:
            return [invalid(at, value, f"a non-empty list of {_ID_WHAT[kind]}s")]
        return [p for i, v in enumerate(value) for p in _id(v, at / i, kind)]

    return check


def _zone_map(
    args: Mapping[str, Any], key: str, kind: str, foreign: Foreign
) -> tuple[dict[str, Any] | None, dict[str, list[str]], list[Problem]]:
    """(the entries given, None if the map itself is bad; the entries without a problem; problems).

    An absent (or null) map gives no zones; an entry for a zone it may not have is reported
    once, without judging its ids.
    """
    raw = args.get(key)
    if raw is None:
        return {}, {}, []
    if not isinstance(raw, Mapping):
        what = _ID_WHAT[kind]
        return (
            None,
            {},
            [invalid(key, raw, f"a map of zone to a list of {what}s, like {{'ap-northeast-2a': [...]}}")],
        )
    sound: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for zone, ids in raw.items():
        at = Path.of(key) / MapKey(str(zone))
        other = foreign(str(zone))
        found = [invalid(at, ids, other)] if other is not None else _id_list(kind)(ids, at)
        problems += found
        if not found:
            sound[str(zone)] = list(ids)
    return {str(z): v for z, v in raw.items()}, sound, problems


def _uses(key: str, entries: Mapping[str, Sequence[str]]) -> list[tuple[Path, str]]:
    return [(Path.of(key) / MapKey(z) / i, v) for z, ids in entries.items() for i, v in enumerate(ids)]


# --- public subnets and private routing ----------------------------------------------------


def _public_subnets(
    args: Mapping[str, Any], zones: list[str] | None, strategy: NatStrategy | None
) -> tuple[dict[str, str], list[Problem]]:
    """(the entries without a problem, problems): one public subnet per zonal NAT gateway, none
    for the regional one."""
    raw = args.get("public_subnet_ids")
    if strategy is NatStrategy.REGIONAL:
        return {}, [] if raw is None else [conflict("public_subnet_ids", raw, "strategy", _NO_SUBNET)]
    if raw is None:
        if strategy is None:
            return {}, []
        return {}, [
            missing(
                "public_subnet_ids", "the public subnet (subnet-...) of each zone that hosts a NAT gateway"
            )
        ]
    if not isinstance(raw, Mapping) or not raw:
        rule = (
            "a map of zone to the public subnet id that hosts its NAT gateway, "
            "like {'ap-northeast-2a': 'subnet-...'}"
        )
        return {}, [invalid("public_subnet_ids", raw, rule)]
    sound: dict[str, str] = {}
    problems: list[Problem] = []
    for zone, subnet in raw.items():
        at = Path.of("public_subnet_ids") / MapKey(str(zone))
        other = _in_zones(zones)(str(zone))
        found = [invalid(at, subnet, other)] if other is not None else _id(subnet, at, "subnet")
        problems += found
        if not found:
            sound[str(zone)] = subnet
    if strategy is NatStrategy.SINGLE and len(raw) != 1:
        why = "Single has one NAT gateway, so exactly one public subnet, for a zone of zones"
        problems.append(conflict("public_subnet_ids", dict(raw), "strategy", why))
    if zones is not None and strategy is NatStrategy.ONE_PER_ZONE:
        for zone in (z for z in zones if z not in raw):
            what_for = (
                f"the public subnet that hosts the NAT gateway of {zone} "
                "(strategy OnePerZone has one in every zone)"
            )
            problems.append(missing(Path.of("public_subnet_ids") / MapKey(zone), what_for))
    return sound, problems


def _private_routing(
    args: Mapping[str, Any], zones: list[str] | None, public: Mapping[str, str], misspelt: frozenset[str]
) -> list[Problem]:
    """Per zone, either existing route tables or private subnets; every table and subnet once."""
    tables, sound_tables, problems = _zone_map(args, "private_route_table_ids", "rtb", _in_zones(zones))
    subnets, sound_subnets, found = _zone_map(args, "private_subnet_ids", "subnet", _in_zones(zones))
    problems += found
    if tables is not None and subnets is not None:
        problems += _routed_twice(tables, subnets, zones)
        if zones is not None and not misspelt.intersection(_ROUTING):
            problems += _unrouted(tables, subnets, zones)
    problems += used_once(_uses("private_route_table_ids", sound_tables), "a route table")
    public_uses = [(Path.of("public_subnet_ids") / MapKey(z), s) for z, s in public.items()]
    problems += used_once(public_uses + _uses("private_subnet_ids", sound_subnets), "a subnet")
    return problems


def _routed_twice(
    tables: Mapping[str, Any], subnets: Mapping[str, Any], zones: list[str] | None
) -> list[Problem]:
    why = "a zone routes either through its existing route tables or through one created for its subnets"
    return [
        conflict(
            Path.of("private_subnet_ids") / MapKey(zone),
            ids,
            Path.of("private_route_table_ids") / MapKey(zone),
            why,
        )
        for zone, ids in subnets.items()
        if zone in tables and (zones is None or zone in zones)
    ]


def _unrouted(tables: Mapping[str, Any], subnets: Mapping[str, Any], zones: list[str]) -> list[Problem]:
    """A zone without private routing: reported under the map the user gives, subnets if both or none."""
    only_tables = bool(tables) and not subnets
    key, other = _ROUTING if only_tables else _ROUTING[::-1]
    here = "existing route tables" if only_tables else "private subnets"
    if not tables and not subnets:
        # Neither map is there: one problem about the map, not one per zone under a key not written.
        what_for = f"the private routing of each zone to its NAT gateway: its {here} by zone, or else {other}"
        return [missing(key, what_for)]
    return [
        missing(
            Path.of(key) / MapKey(zone),
            f"the private routing of {zone} to its NAT gateway: its {here}, or else an entry in {other}",
        )
        for zone in zones
        if zone not in tables and zone not in subnets
    ]


# --- EIPs ----------------------------------------------------------------------------------


def _secondary_eips(args: Mapping[str, Any], misspelt: frozenset[str]) -> tuple[int | None, list[Problem]]:
    if "secondary_eips_per_nat" in misspelt:
        return None, []
    if "secondary_eips_per_nat" not in args:
        return DEFAULT_SECONDARY_EIPS_PER_NAT, []
    value = args["secondary_eips_per_nat"]
    why = f": AWS allows 1 primary and at most {MAX_SECONDARY_EIPS} secondary IPs per NAT gateway"
    problems = [
        replace(p, allowed=p.allowed + why)
        for p in integer(value, "secondary_eips_per_nat", 0, MAX_SECONDARY_EIPS)
    ]
    return (None if problems else value), problems


def _adopted_eips(
    args: Mapping[str, Any],
    zones: list[str] | None,
    nat_zones: list[str] | None,
    strategy: NatStrategy | None,
    secondary: int | None,
) -> list[Problem]:
    """Adopted ids only on zones with a NAT gateway, at most one per IP slot, each once."""

    def foreign(zone: str) -> str | None:
        if nat_zones is None or zone in nat_zones or (zones is not None and zone not in zones):
            return _in_zones(zones)(zone)
        return (
            f"an entry for a zone that hosts a NAT gateway; with strategy {strategy} "
            f"only {_listed(nat_zones)} does"
        )

    _, sound, problems = _zone_map(args, "adopted_eip_allocation_ids", "eipalloc", foreign)
    if secondary is not None:
        problems += [p for zone, ids in sound.items() if (p := _too_many(args, zone, ids, secondary))]
    return problems + used_once(_uses("adopted_eip_allocation_ids", sound), "an EIP allocation")


def _too_many(args: Mapping[str, Any], zone: str, ids: Sequence[str], secondary: int) -> Problem | None:
    if len(ids) <= 1 + secondary:
        return None
    at = Path.of("adopted_eip_allocation_ids") / MapKey(zone)
    if "secondary_eips_per_nat" not in args:
        rule = "at most 1 allocation id: without secondary_eips_per_nat a NAT gateway has only its primary IP"
        return invalid(at, list(ids), rule)
    ips = f"{secondary} secondary IP{'s' if secondary != 1 else ''}"
    why = f"a NAT gateway has 1 primary and {ips}, so at most {1 + secondary} adopted ids"
    return conflict(at, list(ids), "secondary_eips_per_nat", why)


def _pools(args: Mapping[str, Any]) -> list[Problem]:
    """Created Elastic IPs come from one pool at most: BYOIP or IPAM, each id well-formed."""
    problems: list[Problem] = []
    for key, prefix in _POOLS.items():
        value = args.get(key)
        if key in args and not (isinstance(value, str) and re.fullmatch(f"{prefix}[0-9a-f]+", value)):
            rule = f"{_POOL_WHAT[key]}: '{prefix}' followed by lowercase hex digits"
            problems.append(invalid(key, value, rule))
    if not problems and "public_ipv4_pool" in args and "ipam_pool_id" in args:
        why = "an Elastic IP is allocated from one pool, either the BYOIP pool or the IPAM pool"
        problems.append(conflict("ipam_pool_id", args["ipam_pool_id"], "public_ipv4_pool", why))
    return problems


# --- alarms, cost, tags --------------------------------------------------------------------


def _alarms(args: Mapping[str, Any], zones: list[str] | None) -> list[Problem]:
    problems = boolean(args["alarms"], "alarms") if "alarms" in args else []
    topic = args.get("alarm_topic_arn")
    if topic is None:
        return problems
    match = _SNS_ARN.match(topic) if isinstance(topic, str) else None
    region = region_of_zone(zones[0]) if zones else None
    if match is None:
        rule = "an SNS topic ARN, like 'arn:aws:sns:ap-northeast-2:123456789012:edge-alerts'"
        problems.append(invalid("alarm_topic_arn", topic, rule))
    elif args.get("alarms") is False:
        problems.append(
            conflict("alarm_topic_arn", topic, "alarms", "only the alarms notify the topic, and they are off")
        )
    elif region is not None and match.group(1) != region:
        rule = (
            f"a topic in the NAT gateways' region {region}: "
            "CloudWatch alarms only notify topics in their own region"
        )
        problems.append(invalid("alarm_topic_arn", topic, rule))
    return problems


def _expected_gb(args: Mapping[str, Any]) -> list[Problem]:
    if "expected_gb_per_month" not in args:
        return []
    gb = args["expected_gb_per_month"]
    if (is_int(gb) or isinstance(gb, float)) and 0 <= gb < 10**9:
        return []
    rule = (
        "a number of GB from 0 to less than 1,000,000,000: what all NAT gateways process together in a month"
    )
    return [invalid("expected_gb_per_month", gb, rule)]


def _tags(args: Mapping[str, Any]) -> list[Problem]:
    if "tags" not in args:
        return []
    tags = args["tags"]
    if not isinstance(tags, Mapping):
        return [invalid("tags", tags, "a map of tag key to tag value")]
    problems: list[Problem] = []
    if len(tags) > MAX_USER_TAGS:
        why = f"AWS allows {MAX_TAGS_PER_RESOURCE} per resource, and the component adds Name"
        problems.append(invalid("tags", dict(tags), f"at most {MAX_USER_TAGS} tags: {why}"))
    return problems + [p for key, value in tags.items() for p in _tag(key, value)]


def _tag(key: object, value: object) -> list[Problem]:
    """Bad tag keys are reported at ``tags`` (the key is the value), bad values at their key."""
    if key == "Name":
        rule = "tag keys other than Name: the component sets Name on each resource (<name>-nat-<zone>, ...)"
        return [invalid("tags", key, rule)]
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= MAX_TAG_KEY_LENGTH
        or key.lower().startswith(RESERVED_TAG_PREFIX)
    ):
        rule = (
            f"tag keys of 1 to {MAX_TAG_KEY_LENGTH} characters, "
            f"not starting with {RESERVED_TAG_PREFIX!r} (AWS reserves it)"
        )
        return [invalid("tags", key, rule)]
    if not isinstance(value, str) or len(value) > MAX_TAG_VALUE_LENGTH:
        rule = f"a tag value: a string of at most {MAX_TAG_VALUE_LENGTH} characters"
        return [invalid(Path.of("tags") / MapKey(key), value, rule)]
    return []
