"""The Kubernetes objects `TraefikGateway` creates besides the chart, built from a `TraefikPlan`.

Plain camelCase manifests (`traffic_edge._shared.k8s_objects` turns each into a resource):
the Middlewares, the IngressRoutes and IngressRouteTCPs, the NetworkPolicy, and with the
optional features the metrics Service and ServiceMonitor and the cert-manager Certificate.
"""

from __future__ import annotations

from typing import Any

from traffic_edge._shared import monitoring
from traffic_edge.traefik_gateway.args import RateLimitStore
from traffic_edge.traefik_gateway.facts import (
    API_VERSION,
    CERT_MANAGER_API_VERSION,
    METRICS_CONTAINER_PORT,
    METRICS_ENTRYPOINT,
    METRICS_PATH,
    TCP_CATCH_ALL,
    WEB_CONTAINER_PORT,
    WEBSECURE_CONTAINER_PORT,
    WEBSECURE_ENTRYPOINT,
)
from traffic_edge.traefik_gateway.plan import RateLimitPlan, RedisPlan, RoutePlan, TraefikPlan


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
        specs[rl.name] = {"rateLimit": _rate_limit(rl, plan.rate_limit_redis)}
    for al in plan.ip_allowlists:
        specs[al.name] = {"ipAllowList": {"sourceRange": list(al.source_ranges)}}
    return specs


def _rate_limit(rl: RateLimitPlan, redis: RedisPlan | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"average": rl.average, "period": f"{rl.period_seconds}s", "burst": rl.burst}
    if rl.store is RateLimitStore.REDIS and redis is not None:
        # Credentials by Secret name only (username/password keys, read in the Middleware's namespace).
        store: dict[str, Any] = {"endpoints": list(redis.endpoints), "db": redis.db}
        if redis.auth_secret is not None:
            store["secret"] = redis.auth_secret
        if redis.tls:
            store["tls"] = {"caSecret": redis.ca_secret} if redis.ca_secret is not None else {}
        spec["redis"] = store
    return spec


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


def _ingress_route(
    plan: TraefikPlan, name: str, namespace: str, spec: dict[str, Any], kind: str = "IngressRoute"
) -> dict[str, Any]:
    manifest = _custom(kind, name, namespace, plan, spec)
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


def tcp_route_manifests(plan: TraefikPlan) -> list[dict[str, Any]]:
    """One IngressRouteTCP per TCP route, alone on its entrypoint: every connection goes to it."""
    out = []
    for tcp in plan.tcp_routes:
        route = {
            "match": TCP_CATCH_ALL,
            "services": [{"name": tcp.service, "port": tcp.service_port}],
        }
        spec = {"entryPoints": [tcp.name], "routes": [route]}
        out.append(_ingress_route(plan, tcp.object_name, tcp.namespace, spec, "IngressRouteTCP"))
    return out


def metrics_manifests(plan: TraefikPlan) -> list[dict[str, Any]]:
    """With `metrics`: a Service on the pods' metrics port (never the public Service) and its
    ServiceMonitor."""
    metrics, names = plan.metrics, plan.names
    if metrics is None:
        return []
    labels = {**names.labels, "app.kubernetes.io/component": "metrics"}
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": names.metrics_service, "namespace": names.namespace, "labels": labels},
        "spec": {
            "type": "ClusterIP",
            "selector": dict(names.selector),
            "ports": [
                {
                    "name": METRICS_ENTRYPOINT,
                    "port": METRICS_CONTAINER_PORT,
                    "targetPort": METRICS_ENTRYPOINT,
                    "protocol": "TCP",
                }
            ],
        },
    }
    meta = {
        "name": names.service_monitor,
        "namespace": names.namespace,
        "labels": {**names.labels, **metrics.service_monitor_labels},
    }
    interval = f"{metrics.interval_seconds}s"
    monitor = monitoring.service_monitor(meta, labels, METRICS_ENTRYPOINT, METRICS_PATH, interval)
    return [service, monitor]


def certificate_manifest(plan: TraefikPlan) -> dict[str, Any] | None:
    """With `tls.default_certificate.cert_manager`: the Certificate cert-manager keeps in the
    Secret the default TLSStore names."""
    tls, names = plan.tls, plan.names
    if tls is None or tls.cert_manager is None or tls.default_secret is None:
        return None
    cm = tls.cert_manager
    return {
        "apiVersion": CERT_MANAGER_API_VERSION,
        "kind": "Certificate",
        "metadata": {"name": names.certificate, "namespace": names.namespace, "labels": names.labels},
        "spec": {
            "secretName": tls.default_secret,
            "issuerRef": {"name": cm.issuer, "kind": cm.issuer_kind.value, "group": "cert-manager.io"},
            "dnsNames": list(cm.dns_names),
            # A new key on every renewal: a leaked key stops working at the next one.
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
        },
    }


def _entry_ports(plan: TraefikPlan) -> list[dict[str, Any]]:
    """The entrypoints' ports in the pod (what a NetworkPolicy sees after the Service's DNAT)."""
    ports = [WEB_CONTAINER_PORT]
    if plan.websecure:
        ports.append(WEBSECURE_CONTAINER_PORT)
    ports += [tcp.container_port for tcp in plan.tcp_routes]
    return [{"protocol": "TCP", "port": p} for p in ports]


def network_policy_manifest(plan: TraefikPlan) -> dict[str, Any] | None:
    """Who may reach the pods: None when neither a trusted edge nor `metrics` is set.

    With `trusted_cidrs` / `trusted_pods` only the edge reaches the entrypoints: the same
    spoofing protection as the Istio receiver (a PROXY header is only believed from
    `trusted_cidrs`, and nobody else can open a connection to the entrypoints at all). Without
    them the entrypoints are open to all, but with `metrics` the policy still exists, so the
    metrics port admits only the monitoring namespace. The internal port (ping, dashboard) gets
    no rule, so it is closed.
    """
    if not plan.edge_only and plan.metrics is None:
        return None
    names = plan.names
    entry = {"ports": _entry_ports(plan)}
    rules: list[dict[str, Any]] = [{"from": _edge_peers(plan), **entry} if plan.edge_only else entry]
    if plan.metrics is not None:
        monitoring = {"kubernetes.io/metadata.name": plan.metrics.monitoring_namespace}
        rules.append(
            {
                "from": [{"namespaceSelector": {"matchLabels": monitoring}}],
                "ports": [{"protocol": "TCP", "port": METRICS_CONTAINER_PORT}],
            }
        )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": names.network_policy_for(plan.edge_only),
            "namespace": names.namespace,
            "labels": names.labels,
        },
        "spec": {
            "podSelector": {"matchLabels": dict(names.selector)},
            "policyTypes": ["Ingress"],
            "ingress": rules,
        },
    }


def _edge_peers(plan: TraefikPlan) -> list[dict[str, Any]]:
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
    return peers
