"""`canary`: the echo URL, each zone's expected egress IPs, the interval and the image.

The expected IPs may be an Output (EgressNatGateways' egress IPs are known only after deploy) or
`Wired` (the stack layer swaps in that Output): neither can be read at preview, so only a
written map is checked here, against `zones`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import pulumi

from traffic_edge._shared.checks import image, is_list, required, unknown_keys, used_once
from traffic_edge._shared.names import is_int
from traffic_edge._shared.problems import MapKey, Path, Problem, invalid, missing, unknown
from traffic_edge.squid_proxy.args import CANARY_KEYS, Wired
from traffic_edge.squid_proxy.canary import cronjob_name
from traffic_edge.squid_proxy.facts import CRONJOB_NAME_MAX
from traffic_edge.squid_proxy.squid_conf import domain_problem

INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)
"""Divisors of an hour: `*/N` in cron restarts every hour, so any other N leaves an uneven gap."""

_AT = Path.of("canary")
_URL_RULE = (
    "an http:// or https:// URL with a host name (no address, user or fragment), like "
    "'https://checkip.example.com/': its host is allowlisted for the canary"
)


def _echo_url(value: object) -> list[Problem]:
    at = _AT / "echo_url"
    if not isinstance(value, str) or len(value) > 2048 or any(c.isspace() for c in value):
        return [invalid(at, value, _URL_RULE)]
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return [invalid(at, value, _URL_RULE)]
    host = parts.hostname or ""
    bad = parts.scheme not in ("http", "https") or parts.username is not None or parts.fragment
    if bad or not host or domain_problem(at, host) is not None or host.startswith("."):
        return [invalid(at, value, _URL_RULE)]
    return [] if port is None or port > 0 else [invalid(at, value, _URL_RULE)]


def _ips(zone: str, ips: object, at: Path) -> list[Problem]:
    rule = f"a list of the IP addresses zone {zone}'s traffic leaves through, at least 1"
    if not is_list(ips) or not ips:
        return [invalid(at, ips, rule)]
    problems = []
    for i, ip in enumerate(ips):
        try:
            ipaddress.ip_address(ip if isinstance(ip, str) else "")
        except ValueError:
            problems.append(invalid(at / i, ip, "an IP address, like '203.0.113.10'"))
    return problems or used_once([(at / i, ip) for i, ip in enumerate(ips)], "an address")


def _expected(canary: Mapping[str, Any], zones: Sequence[str] | None) -> list[Problem]:
    key = "expected_egress_ips"
    what = "each zone's egress IPs (in a stack with traffic-edge:egressNat they are filled in)"
    if found := required(canary, key, what, _AT):
        return found
    value, at = canary[key], _AT / key
    if isinstance(value, pulumi.Output | Wired):
        return []  # known only at deploy
    if not isinstance(value, Mapping) or not value:
        return [invalid(at, value, "a map of zone -> list of egress IP addresses, for every zone")]
    problems = [p for z, ips in value.items() for p in _ips(str(z), ips, at / MapKey(str(z)))]
    if zones is None:
        return problems
    problems += [unknown(at / MapKey(str(z)), z, zones) for z in value if z not in zones]
    return problems + [missing(at / MapKey(z), f"zone {z}'s egress IPs") for z in zones if z not in value]


def _zone_names(zones: Sequence[str] | None, name: str | None) -> list[Problem]:
    """Each zone names its CronJob `<name>-canary-<zone>`: a DNS label of at most 52 characters."""
    if zones is None or name is None:
        return []
    rule = (
        f"a zone name that makes <name>-canary-<zone> a DNS-1123 label of at most {CRONJOB_NAME_MAX} "
        "characters (lowercase letters, digits, '-'): it names the zone's canary CronJob"
    )
    problems = []
    for i, zone in enumerate(zones):
        job = cronjob_name(name, zone)
        if len(job) > CRONJOB_NAME_MAX or job != job.lower() or not all(c.isalnum() or c == "-" for c in job):
            problems.append(invalid(Path.of("zones") / i, zone, rule))
    return problems


def canary_problems(args: Mapping[str, Any], zones: Sequence[str] | None, name: str | None) -> list[Problem]:
    """Every problem of `canary` (`zones` None: the zones have their own problem)."""
    if "canary" not in args:
        return []
    canary = args["canary"]
    if not isinstance(canary, Mapping):
        return [invalid(_AT, canary, "a map with echo_url and expected_egress_ips")]
    problems = unknown_keys(canary, CANARY_KEYS, _AT)
    problems += required(canary, "echo_url", "the IP-echo URL the canary asks", _AT) or _echo_url(
        canary["echo_url"]
    )
    problems += _expected(canary, zones)
    if "interval_minutes" in canary:
        minutes = canary["interval_minutes"]
        if not is_int(minutes) or minutes not in INTERVALS:
            problems.append(
                invalid(_AT / "interval_minutes", minutes, "one of " + ", ".join(map(str, INTERVALS)))
            )
    if "image" in canary:
        problems += image(canary["image"], _AT / "image")
    return problems + _zone_names(zones, name)
