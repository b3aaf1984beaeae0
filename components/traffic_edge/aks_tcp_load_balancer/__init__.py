"""AksTcpLoadBalancer: a TCP service on AKS behind an Azure Load Balancer with a fixed public IP (seed 001)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_EXPORTS: dict[str, Export] = {
    "AksTcpLoadBalancer": (
        "traffic_edge.aks_tcp_load_balancer.component",
        (
            "pulumi_azure_native",
            "pulumi_kubernetes",
        ),
    ),
    "AksTcpLoadBalancerArgs": ("traffic_edge.aks_tcp_load_balancer.args", ()),
    "validate_aks_tcp_load_balancer_args": ("traffic_edge.aks_tcp_load_balancer.validate", ()),
}

__all__ = ["AksTcpLoadBalancer", "AksTcpLoadBalancerArgs", "validate_aks_tcp_load_balancer_args"]

if TYPE_CHECKING:
    from traffic_edge.aks_tcp_load_balancer.args import AksTcpLoadBalancerArgs
    from traffic_edge.aks_tcp_load_balancer.component import AksTcpLoadBalancer
    from traffic_edge.aks_tcp_load_balancer.validate import validate_aks_tcp_load_balancer_args

__getattr__ = lazy_getattr(__name__, _EXPORTS)
