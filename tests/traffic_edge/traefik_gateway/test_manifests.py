"""The Middlewares, IngressRoutes and NetworkPolicy built from the plan."""

from __future__ import annotations

from typing import Any

import pytest

from tests.traffic_edge.traefik_gateway.cases import BEHIND_EDGE, FULL, MINIMAL, plan_of, with_
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.traefik_gateway.manifests import (
    certificate_manifest,
    ingress_route_manifests,
    metrics_manifests,
    middleware_manifests,
    network_policy_manifest,
    tcp_route_manifests,
)
from traffic_edge.traefik_gateway.plan import gateway_names

LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "edge"}


def test_rate_limit_and_allowlist_middlewares() -> None:
    mws = {
        (m["metadata"]["namespace"], m["metadata"]["name"]): m
        for m in middleware_manifests(plan_of(BEHIND_EDGE))
    }
    assert sorted(mws) == [
        ("apps", "edge-office"),
        ("apps", "edge-per-client"),
        ("edge", "edge-office"),
        ("edge", "edge-per-client"),
    ]
    limit = mws[("edge", "edge-per-client")]
    assert limit == {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "Middleware",
        "metadata": {"name": "edge-per-client", "namespace": "edge", "labels": LABELS},
        # No sourceCriterion: keyed on the remote address (the PROXY-header client address).
        "spec": {"rateLimit": {"average": 50, "period": "1s", "burst": 100}},
    }
    assert mws[("apps", "edge-office")]["spec"] == {"ipAllowList": {"sourceRange": ["198.51.100.0/24"]}}


def test_rate_limit_defaults_and_period() -> None:
    args = with_(MINIMAL, rate_limits=[{"name": "slow", "average": 10, "period_seconds": 60}])
    (mw,) = middleware_manifests(plan_of(args))
    assert mw["spec"] == {"rateLimit": {"average": 10, "period": "60s", "burst": 10}}


def test_ingress_routes() -> None:
    routes = {m["metadata"]["name"]: m for m in ingress_route_manifests(plan_of(BEHIND_EDGE))}
    assert routes["edge-shop"] == {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": {
            "name": "edge-shop",
            "namespace": "edge",
            "labels": LABELS,
            "annotations": {"kubernetes.io/ingress.class": "edge-traefik"},
        },
        "spec": {
            "entryPoints": ["web"],
            "routes": [
                {
                    "kind": "Rule",
                    "match": "Host(`shop.example.com`)",
                    "services": [{"kind": "Service", "name": "shop", "port": 8080}],
                    "middlewares": [{"name": "edge-per-client"}],
                }
            ],
        },
    }
    api = routes["edge-api"]
    assert api["metadata"]["namespace"] == "apps"
    assert api["spec"] == {
        "entryPoints": ["websecure"],
        "routes": [
            {
                "kind": "Rule",
                "match": "Host(`api.example.com`) && PathPrefix(`/v1`)",
                "services": [{"kind": "Service", "name": "api", "port": 80}],
                "middlewares": [{"name": "edge-office"}, {"name": "edge-per-client"}],
            }
        ],
        "tls": {"secretName": "api-tls"},
    }


def test_every_route_middleware_exists_in_the_route_namespace() -> None:
    plan = plan_of(BEHIND_EDGE)
    present = {(m["metadata"]["namespace"], m["metadata"]["name"]) for m in middleware_manifests(plan)}
    for route in ingress_route_manifests(plan):
        ns = route["metadata"]["namespace"]
        for mw in route["spec"]["routes"][0].get("middlewares", []):
            assert (ns, mw["name"]) in present


def test_dashboard_route_is_authenticated_and_allowlisted() -> None:
    args = with_(
        BEHIND_EDGE,
        dashboard_route={
            "host": "traefik.example.com",
            "basic_auth_secret": "dashboard-users",
            "tls_secret": "traefik-tls",
            "allow_from": ["198.51.100.7"],
        },
    )
    plan = plan_of(args)
    mws = {m["metadata"]["name"]: m["spec"] for m in middleware_manifests(plan)}
    assert mws["edge-dashboard-auth"] == {"basicAuth": {"secret": "dashboard-users", "removeHeader": True}}
    assert mws["edge-dashboard-allow"] == {"ipAllowList": {"sourceRange": ["198.51.100.7"]}}
    (dash,) = [m for m in ingress_route_manifests(plan) if m["metadata"]["name"] == "edge-dashboard"]
    assert dash["metadata"]["namespace"] == "edge"
    assert dash["spec"] == {
        "entryPoints": ["websecure"],
        "routes": [
            {
                "kind": "Rule",
                "match": "Host(`traefik.example.com`) && (PathPrefix(`/dashboard`) || PathPrefix(`/api`))",
                "middlewares": [{"name": "edge-dashboard-allow"}, {"name": "edge-dashboard-auth"}],
                "services": [{"kind": "TraefikService", "name": "api@internal"}],
            }
        ],
        "tls": {"secretName": "traefik-tls"},
    }
    # Without an allowlist only the password prompt guards it, and Traefik's default certificate serves.
    bare = plan_of(
        with_(BEHIND_EDGE, dashboard_route={"host": "traefik.example.com", "basic_auth_secret": "u"})
    )
    (dash,) = [m for m in ingress_route_manifests(bare) if m["metadata"]["name"] == "edge-dashboard"]
    assert dash["spec"]["routes"][0]["middlewares"] == [{"name": "edge-dashboard-auth"}]
    assert dash["spec"]["tls"] == {}
    assert "edge-dashboard-allow" not in {m["metadata"]["name"] for m in middleware_manifests(bare)}
    # Not configured: no dashboard object at all.
    plain = plan_of(BEHIND_EDGE)
    assert all("dashboard" not in m["metadata"]["name"] for m in ingress_route_manifests(plain))
    assert all("dashboard" not in m["metadata"]["name"] for m in middleware_manifests(plain))


def test_network_policy_admits_only_the_edge() -> None:
    assert network_policy_manifest(plan_of(MINIMAL)) is None
    policy = network_policy_manifest(plan_of(BEHIND_EDGE))
    assert policy == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "edge-edge-only", "namespace": "edge", "labels": LABELS},
        "spec": {
            "podSelector": {"matchLabels": gateway_names("edge", "edge").selector},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {"ipBlock": {"cidr": "10.244.8.0/24"}},
                        {"ipBlock": {"cidr": "192.0.2.10/32"}},
                        {
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "haproxy"}},
                            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "haproxy"}},
                        },
                    ],
                    "ports": [{"protocol": "TCP", "port": 8000}, {"protocol": "TCP", "port": 8443}],
                }
            ],
        },
    }
    web_only = network_policy_manifest(
        plan_of(with_(BEHIND_EDGE, websecure=False, routes=[], trusted_pods=None))
    )
    assert web_only is not None
    assert web_only["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8000}]
    assert [peer["ipBlock"]["cidr"] for peer in web_only["spec"]["ingress"][0]["from"]] == [
        "10.244.8.0/24",
        "192.0.2.10/32",
    ]


@pytest.mark.parametrize("kube", ["1.29", "1.33"])
def test_every_object_is_valid_for_the_cluster(kube: str) -> None:
    plan = plan_of(
        with_(BEHIND_EDGE, dashboard_route={"host": "traefik.example.com", "basic_auth_secret": "users"})
    )
    objects = [*middleware_manifests(plan), *ingress_route_manifests(plan), network_policy_manifest(plan)]
    for obj in objects:
        assert obj is not None
        assert validate_manifest(obj, kube) == [], obj["metadata"]["name"]


SELECTOR = {"app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "edge-traefik-edge"}
MONITORING_RULE = {
    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
    "ports": [{"protocol": "TCP", "port": 9100}],
}


def test_tcp_routes_are_ingress_route_tcps_alone_on_their_entrypoints() -> None:
    routes = {m["metadata"]["name"]: m for m in tcp_route_manifests(plan_of(FULL))}
    assert routes["edge-postgres"] == {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRouteTCP",
        "metadata": {
            "name": "edge-postgres",
            "namespace": "data",
            "labels": LABELS,
            "annotations": {"kubernetes.io/ingress.class": "edge-traefik"},
        },
        "spec": {
            "entryPoints": ["postgres"],
            "routes": [{"match": "HostSNI(`*`)", "services": [{"name": "db", "port": 5432}]}],
        },
    }
    assert routes["edge-smtp"]["metadata"]["namespace"] == "edge"
    assert routes["edge-smtp"]["spec"]["routes"][0]["services"] == [{"name": "mail", "port": 2525}]
    assert tcp_route_manifests(plan_of(BEHIND_EDGE)) == []


def test_metrics_service_and_service_monitor() -> None:
    service, monitor = metrics_manifests(plan_of(FULL))
    metrics_labels = {**LABELS, "app.kubernetes.io/component": "metrics"}
    assert service == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "edge-traefik-metrics", "namespace": "edge", "labels": metrics_labels},
        "spec": {
            "type": "ClusterIP",
            "selector": SELECTOR,
            "ports": [{"name": "metrics", "port": 9100, "targetPort": "metrics", "protocol": "TCP"}],
        },
    }
    assert monitor == {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {
            "name": "edge-metrics",
            "namespace": "edge",
            "labels": {**LABELS, "release": "kube-prometheus-stack"},
        },
        "spec": {
            "selector": {"matchLabels": metrics_labels},
            "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s"}],
        },
    }
    assert metrics_manifests(plan_of(BEHIND_EDGE)) == []


def test_network_policy_admits_the_monitoring_namespace_to_metrics_only() -> None:
    policy = network_policy_manifest(plan_of(FULL))
    assert policy is not None
    edge_rule, metrics_rule = policy["spec"]["ingress"]
    assert metrics_rule == MONITORING_RULE
    # The TCP entrypoints are the edge's alone, like web and websecure.
    assert edge_rule["ports"] == [{"protocol": "TCP", "port": p} for p in (8000, 8443, 5432, 10025)]
    assert [peer.get("ipBlock") for peer in edge_rule["from"]][:2] == [
        {"cidr": "10.244.8.0/24"},
        {"cidr": "192.0.2.10/32"},
    ]


def test_without_an_edge_metrics_still_closes_everything_but_the_entrypoints() -> None:
    args = with_(MINIMAL, metrics={"monitoring_namespace": "observability"})
    policy = network_policy_manifest(plan_of(args))
    assert policy == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "edge-ingress", "namespace": "edge", "labels": LABELS},
        "spec": {
            "podSelector": {"matchLabels": SELECTOR},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"ports": [{"protocol": "TCP", "port": 8000}]},
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "observability"}
                            }
                        }
                    ],
                    "ports": [{"protocol": "TCP", "port": 9100}],
                },
            ],
        },
    }


def test_cert_manager_certificate_feeds_the_default_tls_store() -> None:
    assert certificate_manifest(plan_of(FULL)) == {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "edge-default-cert", "namespace": "edge", "labels": LABELS},
        "spec": {
            "secretName": "edge-default-tls",
            "issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"},
            "dnsNames": ["example.com", "*.example.com"],
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
        },
    }
    issuer = {"cert_manager": {"issuer": "edge-ca", "issuer_kind": "Issuer", "dns_names": ["a.example.com"]}}
    cert = certificate_manifest(plan_of(with_(FULL, tls={"default_certificate": issuer})))
    assert cert is not None
    assert cert["spec"]["issuerRef"] == {"name": "edge-ca", "kind": "Issuer", "group": "cert-manager.io"}
    assert certificate_manifest(plan_of(with_(FULL, tls={"default_certificate": {"secret": "w"}}))) is None


def test_redis_rate_limit_names_its_secrets_never_a_password() -> None:
    mws = {
        (m["metadata"]["namespace"], m["metadata"]["name"]): m["spec"]
        for m in middleware_manifests(plan_of(FULL))
    }
    assert mws[("edge", "edge-per-client")] == {
        "rateLimit": {
            "average": 50,
            "period": "1s",
            "burst": 100,
            "redis": {
                "endpoints": ["redis.cache:6379"],
                "db": 0,
                "secret": "ratelimit-redis",
                "tls": {"caSecret": "redis-ca"},
            },
        }
    }
    plain = with_(FULL, rate_limit_redis={"endpoints": ["10.0.0.5:6379", "10.0.0.6:6379"], "db": 2})
    spec = _rate_limit_spec(plain)
    assert spec["redis"] == {"endpoints": ["10.0.0.5:6379", "10.0.0.6:6379"], "db": 2}
    system_ca = with_(FULL, rate_limit_redis={"endpoints": ["redis.cache:6379"], "tls": True})
    assert _rate_limit_spec(system_ca)["redis"]["tls"] == {}
    assert "redis" not in _rate_limit_spec(BEHIND_EDGE)


def _rate_limit_spec(args: dict[str, Any]) -> dict[str, Any]:
    (spec,) = {
        str(m["spec"]["rateLimit"]): m["spec"]["rateLimit"]
        for m in middleware_manifests(plan_of(args))
        if "rateLimit" in m["spec"]
    }.values()
    return spec


@pytest.mark.parametrize("kube", ["1.29", "1.33"])
def test_every_new_object_is_valid_for_the_cluster(kube: str) -> None:
    plan = plan_of(FULL)
    objects = [
        *middleware_manifests(plan),
        *ingress_route_manifests(plan),
        *tcp_route_manifests(plan),
        *metrics_manifests(plan),
        network_policy_manifest(plan),
    ]
    for obj in objects:
        assert obj is not None
        assert validate_manifest(obj, kube) == [], obj["metadata"]["name"]
