"""ProxyProtocolIngress: MetalLB (L2) + HAProxy sending PROXY v2 to the Istio ingress gateway (seed 004)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_PACKAGE = "traffic_edge.proxy_protocol_ingress"
_EXPORTS: dict[str, Export] = {
    "ProxyProtocolIngress": (f"{_PACKAGE}.component", ("pulumi_kubernetes",)),
    "ProxyProtocolIngressArgs": (f"{_PACKAGE}.args", ()),
    "Placement": (f"{_PACKAGE}.args", ()),
    "validate_proxy_protocol_ingress_args": (f"{_PACKAGE}.validate", ()),
    "plan_proxy_protocol_ingress": (f"{_PACKAGE}.plan", ()),
    "traefik_trust": (f"{_PACKAGE}.plan", ()),
    "render_haproxy_cfg": (f"{_PACKAGE}.haproxy_cfg", ()),
}

__all__ = [
    "Placement",
    "ProxyProtocolIngress",
    "ProxyProtocolIngressArgs",
    "plan_proxy_protocol_ingress",
    "render_haproxy_cfg",
    "traefik_trust",
    "validate_proxy_protocol_ingress_args",
]

if TYPE_CHECKING:
    from traffic_edge.proxy_protocol_ingress.args import Placement, ProxyProtocolIngressArgs
    from traffic_edge.proxy_protocol_ingress.component import ProxyProtocolIngress
    from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg
    from traffic_edge.proxy_protocol_ingress.plan import plan_proxy_protocol_ingress, traefik_trust
    from traffic_edge.proxy_protocol_ingress.validate import validate_proxy_protocol_ingress_args

__getattr__ = lazy_getattr(__name__, _EXPORTS)
