"""The component sections a stack config may have, and the checks that span them.

Adding a component to the stack program is one entry here: its config key, the
component, its args TypedDict (the schema of the section) and its validator.
"""

from __future__ import annotations

import importlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from traffic_edge._shared.problems import Problem

if TYPE_CHECKING:
    from edge_stack.config import StackSettings


def load_ref(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


Platform = Literal["aws", "azure", "kubernetes"]


@dataclass(frozen=True)
class Section:
    """One component section of the stack config."""

    key: str
    """Config key, e.g. ``squid`` (``traffic-edge:squid``)."""
    component: str
    """``module:Class`` of the ComponentResource."""
    args_type: str
    """``module:TypedDict`` of its args."""
    validator: str
    """``module:function`` returning ``list[Problem]``."""
    needs: tuple[Platform, ...]
    """Which providers it needs; ``kubernetes`` adds the ``cluster`` key to the section."""
    default_name: str
    """The component's resource name unless the section sets ``name``."""
    description: str
    exports: dict[str, str] = field(default_factory=dict)
    """Stack output name -> attribute of the component."""


SECTIONS: tuple[Section, ...] = (
    Section(
        key="squid",
        component="traffic_edge.squid_proxy:SquidProxy",
        args_type="traffic_edge.squid_proxy:SquidProxyArgs",
        validator="traffic_edge.squid_proxy:validate_squid_proxy_args",
        needs=("kubernetes",),
        default_name="squid",
        description="Squid forward proxy spread across zones with local-zone routing and metrics (seed 000)",
        exports={"proxyUrl": "proxy_url", "proxyZones": "zones"},
    ),
    Section(
        key="aksIngress",
        component="traffic_edge.aks_tcp_load_balancer:AksTcpLoadBalancer",
        args_type="traffic_edge.aks_tcp_load_balancer:AksTcpLoadBalancerArgs",
        validator="traffic_edge.aks_tcp_load_balancer:validate_aks_tcp_load_balancer_args",
        needs=("azure", "kubernetes"),
        default_name="tcp-ingress",
        description="TCP service on AKS behind an Azure Load Balancer with a fixed public IP and TCP probes (seed 001)",
        exports={
            "aksIngressIp": "ip_address",
            "aksIngressFqdn": "fqdn",
            "aksIngressAnnotations": "annotations",
        },
    ),
    Section(
        key="onpremIngress",
        component="traffic_edge.proxy_protocol_ingress:ProxyProtocolIngress",
        args_type="traffic_edge.proxy_protocol_ingress:ProxyProtocolIngressArgs",
        validator="traffic_edge.proxy_protocol_ingress:validate_proxy_protocol_ingress_args",
        needs=("kubernetes",),
        default_name="edge",
        description="MetalLB (L2) + HAProxy sending PROXY v2 to the Istio ingress gateway (seed 004)",
        exports={"onpremLoadBalancerIp": "load_balancer_ip"},
    ),
    Section(
        key="egressNat",
        component="traffic_edge.egress_nat:EgressNatGateways",
        args_type="traffic_edge.egress_nat:EgressNatGatewaysArgs",
        validator="traffic_edge.egress_nat:validate_egress_nat_args",
        needs=("aws",),
        default_name="egress",
        description="One NAT gateway per availability zone with stable, protected Elastic IPs (seed 000)",
        exports={
            "egressIps": "egress_ips",
            "natGateways": "nat_gateways",
            "natMonthlyCostEstimate": "monthly_cost_estimate",
        },
    ),
    Section(
        key="traefik",
        component="traffic_edge.traefik_gateway:TraefikGateway",
        args_type="traffic_edge.traefik_gateway:TraefikGatewayArgs",
        validator="traffic_edge.traefik_gateway:validate_traefik_args",
        needs=("kubernetes",),
        default_name="traefik",
        description="Traefik reverse proxy with CRD routes, rate limits and the PROXY-protocol edge trust (seed 003)",
        exports={"traefikServiceName": "service_name", "traefikRoutes": "routes"},
    ),
)

CrossCheck = Callable[["StackSettings"], list[Problem]]


def nat_zones_in_region(settings: StackSettings) -> list[Problem]:
    """NAT gateways live in the stack's AWS region: a zone of another region is a typo."""
    nat = settings.components.get("egressNat")
    if nat is None or settings.aws is None:
        return []
    region = settings.aws["region"]
    return [
        Problem(
            f"traffic-edge:egressNat.zones[{i}]",
            zone,
            f"a zone of the stack's AWS region {region} (traffic-edge:aws.region), like {region}a",
        )
        for i, zone in enumerate(nat.args.get("zones") or [])
        if not (zone.startswith(region) and len(zone) == len(region) + 1)
    ]


def traefik_trusts_the_haproxy_edge(settings: StackSettings) -> list[Problem]:
    """Traefik behind the on-prem HAProxy trusts exactly that HAProxy, nothing wider.

    A PROXY receiver believes whatever client address its trusted peers write; trusting
    more than the edge lets anyone who reaches Traefik directly forge client IPs.
    """
    from traffic_edge.proxy_protocol_ingress import traefik_trust

    traefik, edge = settings.components.get("traefik"), settings.components.get("onpremIngress")
    if traefik is None or edge is None or traefik.cluster != edge.cluster:
        return []
    if not traefik.args.get("proxy_protocol"):
        return []
    expected = traefik_trust(edge.args, edge.name)
    problems = []
    pods = expected.get("trusted_pods") or {}
    if "trusted_pods" in expected and traefik.args.get("trusted_pods") != expected["trusted_pods"]:
        problems.append(
            Problem(
                "traffic-edge:traefik.trustedPods",
                traefik.args.get("trusted_pods"),
                "the HAProxy pods of traffic-edge:onpremIngress on the same cluster: "
                f"namespace {pods['namespace']!r}, matchLabels {pods['match_labels']}",
            )
        )
    edge_cidrs = expected.get("trusted_cidrs") or []
    if edge_cidrs:
        nets = [ipaddress.ip_network(c) for c in edge_cidrs]
        for i, cidr in enumerate(traefik.args.get("trusted_cidrs") or []):
            net = ipaddress.ip_network(cidr, strict=False)
            if not any(net.version == n.version and net.subnet_of(n) for n in nets):  # type: ignore[arg-type]
                problems.append(
                    Problem(
                        f"traffic-edge:traefik.trustedCidrs[{i}]",
                        cidr,
                        f"inside the HAProxy source CIDRs of traffic-edge:onpremIngress ({', '.join(edge_cidrs)})",
                    )
                )
    return problems


def squid_zones_have_nat_gateways(settings: StackSettings) -> list[Problem]:
    """Seed 000's pairing: the Squid pods of a zone leave through that zone's NAT gateway."""
    from traffic_edge.egress_nat import check_zone_coverage, plan_egress_nat

    squid, nat = settings.components.get("squid"), settings.components.get("egressNat")
    if squid is None or nat is None:
        return []
    nat_zones = plan_egress_nat(nat.name, nat.args).nat_zones
    return [
        Problem(f"traffic-edge:squid.{p.key}", p.value, p.allowed)
        for p in check_zone_coverage(nat_zones, list(squid.args["zones"]))
    ]


CROSS_CHECKS: tuple[CrossCheck, ...] = (
    nat_zones_in_region,
    traefik_trusts_the_haproxy_edge,
    squid_zones_have_nat_gateways,
)
