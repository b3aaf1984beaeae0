"""The Kubernetes objects `TraefikGateway` creates besides the chart, built from a `TraefikPlan`.

Plain camelCase manifests (`traffic_edge._shared.k8s_objects` turns each into a resource):
the Middlewares, the IngressRoutes and the NetworkPolicy that admits only the edge.
"""

from __future__ import annotations

from typing import Any

from traffic_edge.traefik_gateway.facts import (
    API_VERSION,
    WEB_CONTAINER_PORT,
    WEBSECURE_CONTAINER_PORT,
    WEBSECURE_ENTRYPOINT,
)
from traffic_edge.traefik_gateway.plan import RoutePlan, TraefikPlan


def _custom(kind: str, name: str, namespace: str, plan: TraefikPlan, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": plan.names.labels},
        "spec": spec,
    }


def _middleware_specs(plan: TraefikPlan) -> dict[str, dict[str, Any]]:
    """Each rate limit and IP allowlist by name -> its Middleware spec."""
    specs: dict[str, dict[str, Any]] = {}
    for rl in plan.rate_limits:
        # No sourceCriterion: the bucket is keyed on the remote address, which is the
        # client address from the PROXY header. ipStrategy.depth would trust X-Forwarded-For.
        specs[rl.name] = {
            "rateLimit": {"average": rl.average, "period": f"{rl.period_seconds}s", "burst": rl.burst}
        }
    for al in plan.ip_allowlists:
        specs[al.name] = {"ipAllowList": {"sourceRange": list(al.source_ranges)}}
    return specs


def middleware_manifests(plan: TraefikPlan) -> list[dict[str, Any]]:
    """Each middleware in the gateway namespace and in every namespace whose routes use it.

    A Middleware referenced from another namespace needs allowCrossNamespace, which would let
    any IngressRoute borrow any namespace's middlewares; a copy per namespace avoids that.
    """
    specs = _middleware_specs(plan)
    manifests = [
        _custom("Middleware", plan.names.object_name(mw), namespace, plan, specs[mw])
        for namespace, mw in plan.middleware_copies
    ]
    return manifests + _dashboard_middlewares(plan)


def _dashboard_middlewares(plan: TraefikPlan) -> list[dict[str, Any]]:
    route, names = plan.dashboard_route, plan.names
    if route is None:
        return []
    # removeHeader: the dashboard has no use for the credentials; don't pass them on.
    auth = {"basicAuth": {"secret": route.basic_auth_secret, "removeHeader": True}}
    out = [_custom("Middleware", names.dashboard_auth, names.namespace, plan, auth)]
    if route.allow_from is not None:
        allow = {"ipAllowList": {"sourceRange": list(route.allow_from)}}
        out.append(_custom("Middleware", names.dashboard_allow, names.namespace, plan, allow))
    return out


def _ingress_route(plan: TraefikPlan, name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    manifest = _custom("IngressRoute", name, namespace, plan, spec)
    manifest["metadata"]["annotations"] = {"kubernetes.io/ingress.class": plan.names.ingress_class}
    return manifest


def _route_spec(plan: TraefikPlan, route: RoutePlan) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "kind": "Rule",
        "match": route.rule,
        "services": [{"kind": "Service", "name": route.service, "port": route.port}],
    }
    if route.middlewares:
        rule["middlewares"] = [{"name": plan.names.object_name(mw)} for mw in route.middlewares]
    spec: dict[str, Any] = {"entryPoints": list(route.entrypoints), "routes": [rule]}
    if route.tls_secret:
        spec["tls"] = {"secretName": route.tls_secret}
    return spec


def _dashboard_spec(plan: TraefikPlan) -> dict[str, Any] | None:
    dash, names = plan.dashboard_route, plan.names
    if dash is None:
        return None
    mws = [{"name": names.dashboard_auth}]
    if dash.allow_from is not None:
        # The allowlist runs first so strangers never reach the password prompt.
        mws.insert(0, {"name": names.dashboard_allow})
    rule = {
        "kind": "Rule",
        "match": f"Host(`{dash.host}`) && (PathPrefix(`/dashboard`) || PathPrefix(`/api`))",
        "middlewares": mws,
        "services": [{"kind": "TraefikService", "name": "api@internal"}],
    }
    tls = {"secretName": dash.tls_secret} if dash.tls_secret is not None else {}
    return {"entryPoints": [WEBSECURE_ENTRYPOINT], "routes": [rule], "tls": tls}


def ingress_route_manifests(plan: TraefikPlan) -> list[dict[str, Any]]:
    """One IngressRoute per route (plus the dashboard's when `dashboard_route` is set)."""
    manifests = [
        _ingress_route(plan, route.object_name, route.namespace, _route_spec(plan, route))
        for route in plan.routes
    ]
    dashboard = _dashboard_spec(plan)
    if dashboard is not None:
        manifests.append(_ingress_route(plan, plan.names.dashboard_route, plan.names.namespace, dashboard))
    return manifests


def network_policy_manifest(plan: TraefikPlan) -> dict[str, Any] | None:
    """Admit only the trusted edge to the entrypoints (None when no trusted source is set).

    The same spoofing protection as the Istio receiver: a PROXY header is only believed
    from `trusted_cidrs`, and nobody else can open a connection to the entrypoints at all.
    The internal port (ping, dashboard) and metrics get no rule, so they are closed too.
    """
    if not plan.edge_only:
        return None
    names = plan.names
    peers: list[dict[str, Any]] = [{"ipBlock": {"cidr": cidr}} for cidr in plan.trusted_networks]
    if plan.trusted_pods is not None:
        peers.append(
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": plan.trusted_pods.namespace}
                },
                "podSelector": {"matchLabels": dict(plan.trusted_pods.match_labels)},
            }
        )
    container_ports = [WEB_CONTAINER_PORT]
    if plan.websecure:
        container_ports.append(WEBSECURE_CONTAINER_PORT)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": names.network_policy, "namespace": names.namespace, "labels": names.labels},
        "spec": {
            "podSelector": {"matchLabels": dict(names.selector)},
            "policyTypes": ["Ingress"],
            # NetworkPolicy sees the pod's container ports (after the Service's DNAT).
            "ingress": [{"from": peers, "ports": [{"protocol": "TCP", "port": p} for p in container_ports]}],
        },
    }
