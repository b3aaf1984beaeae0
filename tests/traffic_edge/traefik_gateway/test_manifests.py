"""The Middlewares, IngressRoutes and NetworkPolicy built from the plan."""

from __future__ import annotations

import pytest

from tests.traffic_edge.traefik_gateway.cases import BEHIND_EDGE, MINIMAL, plan_of, with_
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.traefik_gateway.manifests import (
    ingress_route_manifests,
    middleware_manifests,
    network_policy_manifest,
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
