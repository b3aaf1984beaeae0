"""SquidProxy: Squid forward proxies spread across zones, with local-zone routing and metrics (seed 000)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

# Imported at once, not lazily: the submodule `manifests` has the name of the function, and importing
# the submodule (as component.py does) would otherwise leave the module under that name. Pure: no SDK.
from traffic_edge.squid_proxy.manifests import manifests

_EXPORTS: dict[str, Export] = {
    "SquidProxy": ("traffic_edge.squid_proxy.component", ("pulumi_kubernetes",)),
    "SquidProxyArgs": ("traffic_edge.squid_proxy.args", ()),
    "validate_squid_proxy_args": ("traffic_edge.squid_proxy.validate", ()),
    "render_squid_conf": ("traffic_edge.squid_proxy.squid_conf", ()),
    "SquidPlan": ("traffic_edge.squid_proxy.plan", ()),
    "plan_squid_proxy": ("traffic_edge.squid_proxy.plan", ()),
}

__all__ = [
    "SquidPlan",
    "SquidProxy",
    "SquidProxyArgs",
    "manifests",
    "plan_squid_proxy",
    "render_squid_conf",
    "validate_squid_proxy_args",
]

if TYPE_CHECKING:
    from traffic_edge.squid_proxy.args import SquidProxyArgs
    from traffic_edge.squid_proxy.component import SquidProxy
    from traffic_edge.squid_proxy.plan import SquidPlan, plan_squid_proxy
    from traffic_edge.squid_proxy.squid_conf import render_squid_conf
    from traffic_edge.squid_proxy.validate import validate_squid_proxy_args

__getattr__ = lazy_getattr(__name__, _EXPORTS)
