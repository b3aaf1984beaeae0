"""traffic-edge: the traffic edges of Kubernetes clusters as Pulumi ComponentResources.

    from traffic_edge import SquidProxy, EgressNatGateways

Names are resolved on first use, and each needs only its platform's SDK: install
``traffic-edge[aws]``, ``[azure]``, ``[kubernetes]`` or ``[all]``. A component whose SDK is
missing raises an ImportError that names the extra to install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_K8S = ("pulumi_kubernetes",)
_AWS = ("pulumi_aws",)
_AKS = ("pulumi_azure_native", "pulumi_kubernetes")

_EXPORTS: dict[str, Export] = {
    "SquidProxy": ("traffic_edge.squid_proxy", _K8S),
    "SquidProxyArgs": ("traffic_edge.squid_proxy", ()),
    "EgressNatGateways": ("traffic_edge.egress_nat", _AWS),
    "EgressNatGatewaysArgs": ("traffic_edge.egress_nat", ()),
    "NatStrategy": ("traffic_edge.egress_nat", ()),
    "AksTcpLoadBalancer": ("traffic_edge.aks_tcp_load_balancer", _AKS),
    "AksTcpLoadBalancerArgs": ("traffic_edge.aks_tcp_load_balancer", ()),
    "ProxyProtocolIngress": ("traffic_edge.proxy_protocol_ingress", _K8S),
    "ProxyProtocolIngressArgs": ("traffic_edge.proxy_protocol_ingress", ()),
    "TraefikGateway": ("traffic_edge.traefik_gateway", _K8S),
    "TraefikGatewayArgs": ("traffic_edge.traefik_gateway", ()),
    "ArgsError": ("traffic_edge._shared.problems", ()),
    "Problem": ("traffic_edge._shared.problems", ()),
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
    from traffic_edge._shared.problems import ArgsError, Problem
    from traffic_edge.aks_tcp_load_balancer import AksTcpLoadBalancer, AksTcpLoadBalancerArgs
    from traffic_edge.egress_nat import EgressNatGateways, EgressNatGatewaysArgs, NatStrategy
    from traffic_edge.proxy_protocol_ingress import ProxyProtocolIngress, ProxyProtocolIngressArgs
    from traffic_edge.squid_proxy import SquidProxy, SquidProxyArgs
    from traffic_edge.traefik_gateway import TraefikGateway, TraefikGatewayArgs

__getattr__ = lazy_getattr(__name__, _EXPORTS)
