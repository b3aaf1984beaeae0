"""TraefikGateway: Traefik with CRD routes, ping checks, access logs and rate limits (seed 003)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_EXPORTS: dict[str, Export] = {
    "TraefikGateway": ("traffic_edge.traefik_gateway.component", ("pulumi_kubernetes",)),
    "TraefikGatewayArgs": ("traffic_edge.traefik_gateway.args", ()),
    "ServiceType": ("traffic_edge.traefik_gateway.args", ()),
    "ZoneSpread": ("traffic_edge.traefik_gateway.args", ()),
    "validate_traefik_args": ("traffic_edge.traefik_gateway.validate", ()),
    "plan_traefik_gateway": ("traffic_edge.traefik_gateway.plan", ()),
    "TraefikPlan": ("traffic_edge.traefik_gateway.plan", ()),
}

__all__ = [
    "ServiceType",
    "TraefikGateway",
    "TraefikGatewayArgs",
    "TraefikPlan",
    "ZoneSpread",
    "plan_traefik_gateway",
    "validate_traefik_args",
]

if TYPE_CHECKING:
    from traffic_edge.traefik_gateway.args import ServiceType, TraefikGatewayArgs, ZoneSpread
    from traffic_edge.traefik_gateway.component import TraefikGateway
    from traffic_edge.traefik_gateway.plan import TraefikPlan, plan_traefik_gateway
    from traffic_edge.traefik_gateway.validate import validate_traefik_args

__getattr__ = lazy_getattr(__name__, _EXPORTS)
