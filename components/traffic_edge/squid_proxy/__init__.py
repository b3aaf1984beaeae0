"""SquidProxy: Squid forward proxies spread across zones, with local-zone routing and metrics (seed 000)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_EXPORTS: dict[str, Export] = {
    "SquidProxy": ("traffic_edge.squid_proxy.component", ("pulumi_kubernetes",)),
    "SquidProxyArgs": ("traffic_edge.squid_proxy.component", ()),
    "validate_squid_proxy_args": ("traffic_edge.squid_proxy.component", ()),
    "render_squid_conf": ("traffic_edge.squid_proxy.squid_conf", ()),
    "manifests": ("traffic_edge.squid_proxy.component", ()),
}

__all__ = ["SquidProxy", "SquidProxyArgs", "manifests", "render_squid_conf", "validate_squid_proxy_args"]

if TYPE_CHECKING:
    from traffic_edge.squid_proxy.component import (
        SquidProxy,
        SquidProxyArgs,
        manifests,
        validate_squid_proxy_args,
    )
    from traffic_edge.squid_proxy.squid_conf import render_squid_conf

__getattr__ = lazy_getattr(__name__, _EXPORTS)
