"""TraefikGateway: Traefik with CRD routes, ping checks, access logs and rate limits (seed 003)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_EXPORTS: dict[str, Export] = {
    "TraefikGateway": ("traffic_edge.traefik_gateway.component", ("pulumi_kubernetes",)),
    "TraefikGatewayArgs": ("traffic_edge.traefik_gateway.helm_values", ()),
    "validate_traefik_args": ("traffic_edge.traefik_gateway.helm_values", ()),
}

__all__ = ["TraefikGateway", "TraefikGatewayArgs", "validate_traefik_args"]

if TYPE_CHECKING:
    from traffic_edge.traefik_gateway.component import TraefikGateway
    from traffic_edge.traefik_gateway.helm_values import TraefikGatewayArgs, validate_traefik_args

__getattr__ = lazy_getattr(__name__, _EXPORTS)
