"""The pack's contents, importable without starting it (`__main__.py` builds the PolicyPack)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from policies.aks import aks_lb_probes
from policies.nat import nat_routes_own_zone
from policies.protection import public_ips_protected
from policies.proxy_trust import proxy_protocol_gateway_isolated
from policies.squid import squid_local_zone, squid_no_open_proxy, squid_zone_spread
from policies.workloads import images_pinned, pod_security_restricted

PACK_NAME = "traffic-edge"
DEFAULT_ENFORCEMENT = EnforcementLevel.ADVISORY
"""For a policy that sets none; every policy here sets its own."""

POLICIES: list[Policy] = [
    public_ips_protected,
    squid_zone_spread,
    squid_local_zone,
    squid_no_open_proxy,
    aks_lb_probes,
    proxy_protocol_gateway_isolated,
    pod_security_restricted,
    images_pinned,
    nat_routes_own_zone,
]
