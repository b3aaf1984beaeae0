"""Args the Traefik tests share: the minimal gateway and the on-prem shape behind the HAProxy edge."""

from __future__ import annotations

import copy
from typing import Any

from traffic_edge.traefik_gateway.plan import TraefikPlan, plan_traefik_gateway
from traffic_edge.traefik_gateway.validate import validate_traefik_args

MINIMAL: dict[str, Any] = {"namespace": "edge"}

# The on-prem shape: behind the HAProxy edge, PROXY on, both entrypoints, two routes.
BEHIND_EDGE: dict[str, Any] = {
    "namespace": "edge",
    "websecure": True,
    "proxy_protocol": True,
    "trusted_cidrs": ["10.244.8.0/24", "192.0.2.10"],
    "trusted_pods": {"namespace": "haproxy", "match_labels": {"app.kubernetes.io/name": "haproxy"}},
    "rate_limits": [{"name": "per-client", "average": 50, "burst": 100}],
    "ip_allowlists": [{"name": "office", "source_ranges": ["198.51.100.0/24"]}],
    "routes": [
        {
            "name": "shop",
            "host": "shop.example.com",
            "service": "shop",
            "port": 8080,
            "middlewares": ["per-client"],
        },
        {
            "name": "api",
            "host": "api.example.com",
            "path_prefix": "/v1",
            "service": "api",
            "port": 80,
            "namespace": "apps",
            "entrypoints": ["websecure"],
            "tls_secret": "api-tls",
            "middlewares": ["office", "per-client"],
        },
    ],
}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out.update(changes)
    return out


def plan_of(args: dict[str, Any], name: str = "edge") -> TraefikPlan:
    """The plan of args that must be valid (the plan is only ever built from valid args)."""
    assert validate_traefik_args(args) == []
    return plan_traefik_gateway(name, args)


# Every optional feature on: the shape a production stack behind the edge would take.
FULL: dict[str, Any] = with_(
    BEHIND_EDGE,
    redirect_to_https=True,
    autoscaling={"min_replicas": 3, "max_replicas": 8, "target_cpu_percent": 60},
    metrics={"service_monitor_labels": {"release": "kube-prometheus-stack"}},
    tracing={"endpoint": "otel-collector.monitoring:4317", "insecure": True, "sample_rate": 0.05},
    tls={
        "default_certificate": {
            "cert_manager": {"issuer": "corp-ca", "dns_names": ["example.com", "*.example.com"]}
        },
        "min_version": "VersionTLS13",
    },
    rate_limits=[{"name": "per-client", "average": 50, "burst": 100, "store": "redis"}],
    rate_limit_redis={
        "endpoints": ["redis.cache:6379"],
        "auth_secret": "ratelimit-redis",
        "tls": True,
        "ca_secret": "redis-ca",
    },
    tcp_routes=[
        {"name": "postgres", "port": 5432, "service": "db", "service_port": 5432, "namespace": "data"},
        {"name": "smtp", "port": 25, "service": "mail", "service_port": 2525},
    ],
)
FULL["routes"][0]["entrypoints"] = ["websecure"]
