"""Checks that span sections, and the values one section hands to the next.

They run on settings whose every section already passed its own validator, so each
check may rely on its sections' args being well formed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from edge_stack.settings import ComponentSettings, StackSettings, config_key
from traffic_edge._shared.problems import Problem, camel, invalid, missing, show
from traffic_edge.egress_nat import check_zone_coverage, plan_egress_nat
from traffic_edge.proxy_protocol_ingress import traefik_trust
from traffic_edge.squid_proxy.args import Wired, expected_egress_ips

CrossCheck = Callable[[StackSettings], list[Problem]]


def nat_zones_in_region(settings: StackSettings) -> list[Problem]:
    """NAT gateways live in the stack's AWS region: a zone of another region is a typo."""
    nat = settings.components.get("egressNat")
    if nat is None or settings.aws is None:
        return []
    region = settings.aws["region"]
    return [
        invalid(
            config_key("egressNat", "zones", i),
            zone,
            f"a zone of the stack's AWS region {region} (traffic-edge:aws.region), like {region}a",
        )
        for i, zone in enumerate(nat.args.get("zones") or [])
        if not (zone.startswith(region) and len(zone) == len(region) + 1)
    ]


def _edge_behind(settings: StackSettings) -> tuple[ComponentSettings, ComponentSettings] | None:
    traefik, edge = settings.components.get("traefik"), settings.components.get("onpremIngress")
    if traefik is None or edge is None or traefik.cluster != edge.cluster:
        return None
    if not traefik.args.get("proxy_protocol"):
        return None
    return traefik, edge


def traefik_trusts_the_haproxy_edge(settings: StackSettings) -> list[Problem]:
    """Traefik behind the on-prem HAProxy trusts exactly that HAProxy: all of it, nothing wider.

    A PROXY receiver believes whatever client address its trusted peers write; trusting
    more than the edge lets anyone who reaches Traefik directly forge client IPs, and
    trusting less drops the connections of the HAProxy hosts left out.
    """
    pair = _edge_behind(settings)
    if pair is None:
        return []
    traefik, edge = pair
    expected = traefik_trust(edge.args, edge.name)
    return _trusted_pods(traefik.args, expected) + _trusted_cidrs(traefik.args, expected)


def _trusted_pods(args: dict[str, Any], expected: dict[str, Any]) -> list[Problem]:
    pods = expected.get("trusted_pods")
    if pods is None or args.get("trusted_pods") == pods:
        return []
    given = args.get("trusted_pods")
    as_written = {camel(k): v for k, v in given.items()} if isinstance(given, dict) else given
    return [
        invalid(
            config_key("traefik", "trusted_pods"),
            as_written,
            "the HAProxy pods of traffic-edge:onpremIngress on the same cluster: "
            f"namespace {pods['namespace']!r}, matchLabels {show(pods['match_labels'], 'config')}",
        )
    ]


def _trusted_cidrs(args: dict[str, Any], expected: dict[str, Any]) -> list[Problem]:
    edge_cidrs: list[str] = expected.get("trusted_cidrs") or []
    if not edge_cidrs:
        return []
    edge = [ipaddress.ip_network(c) for c in edge_cidrs]
    given = [ipaddress.ip_network(c, strict=False) for c in args.get("trusted_cidrs") or []]
    wanted = f"the HAProxy source CIDRs of traffic-edge:onpremIngress ({', '.join(edge_cidrs)})"
    # Judged on the unions, so the two sets of addresses must be equal however they are split.
    edge_union, trusted = _union(edge), _union(given)
    problems = [
        invalid(config_key("traefik", "trusted_cidrs", i), str(net), f"a network inside {wanted}")
        for i, net in enumerate(given)
        if not any(_inside(net, e) for e in edge_union)
    ]
    left_out = [str(e) for e in edge if not any(_inside(e, g) for g in trusted)]
    if left_out and not problems:
        problems.append(
            invalid(
                config_key("traefik", "trusted_cidrs"),
                args.get("trusted_cidrs"),
                f"networks that cover all of {wanted}; {', '.join(left_out)} is left out, so the "
                "connections of those HAProxy hosts would be refused",
            )
        )
    return problems


def _union(
    nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The fewest networks holding exactly the addresses of `nets` (adjacent ones merged)."""
    v4 = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in nets if isinstance(n, ipaddress.IPv6Network)]
    return [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]


def _inside(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network, of: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> bool:
    return net.version == of.version and net.subnet_of(of)  # type: ignore[arg-type]


def squid_zones_have_nat_gateways(settings: StackSettings) -> list[Problem]:
    """Seed 000's pairing: the Squid pods of a zone leave through that zone's NAT gateway."""
    squid, nat = settings.components.get("squid"), settings.components.get("egressNat")
    if squid is None or nat is None:
        return []
    nat_zones = plan_egress_nat(nat.name, nat.args).nat_zones
    return [p.within(config_key("squid")) for p in check_zone_coverage(nat_zones, list(squid.args["zones"]))]


def canary_ips_have_a_source(settings: StackSettings) -> list[Problem]:
    """A canary without written egress IPs takes them from traffic-edge:egressNat: there must be one."""
    squid = settings.components.get("squid")
    if squid is None or "egressNat" in settings.components:
        return []
    if not isinstance(expected_egress_ips(squid.args), Wired):
        return []
    return [
        missing(
            config_key("squid", "canary", "expected_egress_ips"),
            "each zone's egress IPs: this stack has no traffic-edge:egressNat to take them from",
        )
    ]


CROSS_CHECKS: tuple[CrossCheck, ...] = (
    nat_zones_in_region,
    traefik_trusts_the_haproxy_edge,
    squid_zones_have_nat_gateways,
    canary_ips_have_a_source,
)


def wire_traefik_to_the_edge(
    args: dict[str, Any], settings: StackSettings, cluster: str | None
) -> dict[str, Any]:
    """A Traefik behind the on-prem HAProxy trusts that HAProxy's pods and CIDRs unless it names them.

    The stack file then need not copy the edge's internal pod labels or source CIDRs by
    hand; what a Traefik names itself is checked against the edge instead.
    """
    edge = settings.components.get("onpremIngress")
    if edge is None or edge.cluster is None or edge.cluster.name != cluster or not args.get("proxy_protocol"):
        return args
    trust = traefik_trust(edge.args, edge.name)
    return {**{k: v for k, v in trust.items() if k in ("trusted_cidrs", "trusted_pods")}, **args}


@dataclass(frozen=True)
class Wiring:
    """Args a section takes from one before it, before it is validated."""

    source: str
    """The section the values come from."""
    keys: tuple[str, ...]
    """The args it may fill: not reported missing while the source section is itself invalid."""
    fill: Callable[[dict[str, Any], StackSettings, str | None], dict[str, Any]]


def canary_ips_from_egress_nat(
    args: dict[str, Any], settings: StackSettings, cluster: str | None
) -> dict[str, Any]:
    """A canary that does not write its expected egress IPs gets them from traffic-edge:egressNat.

    They are Outputs (Elastic IPs exist only after deploy), so here the arg is only marked `Wired`;
    the program swaps in EgressNatGateways' outputs when it creates the proxy (`OUTPUT_WIRING`),
    and `canary_ips_have_a_source` refuses a stack without that section."""
    canary = args.get("canary")
    if not isinstance(canary, dict) or "expected_egress_ips" in canary:
        return args
    return {**args, "canary": {**canary, "expected_egress_ips": Wired("egressNat")}}


WIRING: dict[str, Wiring] = {
    "traefik": Wiring("onpremIngress", ("trusted_cidrs", "trusted_pods"), wire_traefik_to_the_edge),
    # Nothing it fills is reported missing: the section it reads is parsed after squid's.
    "squid": Wiring("egressNat", (), canary_ips_from_egress_nat),
}
"""Section key -> what it takes from the sections before it."""
