"""The component sections a stack config may have.

Adding a component to the stack program is one entry here: its config key, the
component, its args TypedDict (the schema of the section) and its validator.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Literal


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
        exports={"proxyUrl": "proxy_url", "proxyZones": "zones"},
    ),
    Section(
        key="aksIngress",
        component="traffic_edge.aks_tcp_load_balancer:AksTcpLoadBalancer",
        args_type="traffic_edge.aks_tcp_load_balancer:AksTcpLoadBalancerArgs",
        validator="traffic_edge.aks_tcp_load_balancer:validate_aks_tcp_load_balancer_args",
        needs=("azure", "kubernetes"),
        default_name="tcp-ingress",
        exports={
            "aksIngressIp": "ip_address",
            "aksIngressIpv6": "ipv6_address",
            "aksIngressFqdn": "fqdn",
            "aksIngressAnnotations": "annotations",
            "aksIngressServiceName": "service_name",
            "aksIngressServiceNamespace": "service_namespace",
        },
    ),
    Section(
        key="onpremIngress",
        component="traffic_edge.proxy_protocol_ingress:ProxyProtocolIngress",
        args_type="traffic_edge.proxy_protocol_ingress:ProxyProtocolIngressArgs",
        validator="traffic_edge.proxy_protocol_ingress:validate_proxy_protocol_ingress_args",
        needs=("kubernetes",),
        default_name="edge",
        exports={"onpremLoadBalancerIp": "load_balancer_ip"},
    ),
    Section(
        key="egressNat",
        component="traffic_edge.egress_nat:EgressNatGateways",
        args_type="traffic_edge.egress_nat:EgressNatGatewaysArgs",
        validator="traffic_edge.egress_nat:validate_egress_nat_args",
        needs=("aws",),
        default_name="egress",
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
        exports={"traefikServiceName": "service_name", "traefikRoutes": "routes"},
    ),
)
