"""traffic-edge components: the traffic edges of Kubernetes clusters as Pulumi ComponentResources.

    from components import SquidProxy, EgressNatGateways

Names are resolved on first use, so importing one component does not load every cloud SDK
(pulumi-azure-native alone takes seconds to import).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "SquidProxy": "components.squid_proxy",
    "SquidProxyArgs": "components.squid_proxy",
    "EgressNatGateways": "components.egress_nat",
    "EgressNatGatewaysArgs": "components.egress_nat",
    "NatStrategy": "components.nat_plan",
    "AksTcpLoadBalancer": "components.aks_tcp_load_balancer",
    "AksTcpLoadBalancerArgs": "components.aks_lb_annotations",
    "ProxyProtocolIngress": "components.proxy_protocol_ingress",
    "ProxyProtocolIngressArgs": "components.proxy_protocol_ingress",
    "TraefikGateway": "components.traefik_gateway",
    "TraefikGatewayArgs": "components.traefik_values",
    "ArgsError": "components.errors",
    "Problem": "components.errors",
}

__all__ = [
    "AksTcpLoadBalancer",
    "AksTcpLoadBalancerArgs",
    "ArgsError",
    "EgressNatGateways",
    "EgressNatGatewaysArgs",
    "NatStrategy",
    "Problem",
    "ProxyProtocolIngress",
    "ProxyProtocolIngressArgs",
    "SquidProxy",
    "SquidProxyArgs",
    "TraefikGateway",
    "TraefikGatewayArgs",
]

if TYPE_CHECKING:
    from components.aks_lb_annotations import AksTcpLoadBalancerArgs
    from components.aks_tcp_load_balancer import AksTcpLoadBalancer
    from components.egress_nat import EgressNatGateways, EgressNatGatewaysArgs
    from components.errors import ArgsError, Problem
    from components.nat_plan import NatStrategy
    from components.proxy_protocol_ingress import ProxyProtocolIngress, ProxyProtocolIngressArgs
    from components.squid_proxy import SquidProxy, SquidProxyArgs
    from components.traefik_gateway import TraefikGateway
    from components.traefik_values import TraefikGatewayArgs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
