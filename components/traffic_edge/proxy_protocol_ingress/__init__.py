"""ProxyProtocolIngress: MetalLB (L2) + HAProxy sending PROXY v2 to the Istio ingress gateway (seed 004)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_EXPORTS: dict[str, Export] = {
    "ProxyProtocolIngress": ("traffic_edge.proxy_protocol_ingress.component", ("pulumi_kubernetes",)),
    "ProxyProtocolIngressArgs": ("traffic_edge.proxy_protocol_ingress.component", ()),
    "validate_proxy_protocol_ingress_args": ("traffic_edge.proxy_protocol_ingress.component", ()),
    "traefik_trust": ("traffic_edge.proxy_protocol_ingress.component", ()),
    "render_haproxy_cfg": ("traffic_edge.proxy_protocol_ingress.haproxy_cfg", ()),
}

__all__ = [
    "ProxyProtocolIngress",
    "ProxyProtocolIngressArgs",
    "render_haproxy_cfg",
    "traefik_trust",
    "validate_proxy_protocol_ingress_args",
]

if TYPE_CHECKING:
    from traffic_edge.proxy_protocol_ingress.component import (
        ProxyProtocolIngress,
        ProxyProtocolIngressArgs,
        traefik_trust,
        validate_proxy_protocol_ingress_args,
    )
    from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg

__getattr__ = lazy_getattr(__name__, _EXPORTS)
