"""The pure Traefik plan: validation messages, chart values, and the custom objects."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.kube_schema import validate_manifest
from traffic_edge._shared.problems import ArgsError, raise_if
from traffic_edge.traefik_gateway.helm_values import (
    CHART_REPO,
    CHART_VERSION,
    ZoneSpread,
    entrypoint_ports,
    gateway_names,
    helm_values,
    ingress_route_manifests,
    middleware_manifests,
    network_policy_manifest,
    route_outputs,
    validate_traefik_args,
    watched_namespaces,
)

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


def problems(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_traefik_args(args)]


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out.update(changes)
    return out


# --------------------------------------------------------------------------- validation


def test_good_args_have_no_problems() -> None:
    assert validate_traefik_args(MINIMAL) == []
    assert validate_traefik_args(BEHIND_EDGE) == []


def test_every_problem_is_reported_at_once_word_for_word() -> None:
    bad = {
        "namespace": "Edge",
        "replicas": 1,
        "web_port": 0,
        "proxy_protocol": True,
        "colour": "blue",
        "rate_limits": [{"name": "burst", "average": 0, "period_seconds": 0}],
        "routes": [
            {
                "name": "shop",
                "host": "shop.example.com`) || Host(`evil.example",
                "service": "shop",
                "port": 70000,
                "entrypoints": ["websecure"],
                "middlewares": ["per-client"],
            }
        ],
    }
    with pytest.raises(ArgsError) as err:
        raise_if("TraefikGateway 'edge'", validate_traefik_args(bad))
    assert str(err.value) == (
        "TraefikGateway 'edge': 11 problems:\n"
        "  1. colour: 'blue' is not allowed: unknown key; allowed keys: dashboard, dashboard_route, "
        "ip_allowlists, kubernetes_ingress, namespace, proxy_protocol, rate_limits, replicas, resources, "
        "routes, service_type, trusted_cidrs, trusted_pods, web_port, websecure, websecure_port, zone_spread\n"
        "  2. namespace: 'Edge' is not allowed: the existing namespace to install into, a DNS-1123 label: "
        "lower-case letters, digits and '-', at most 63 characters\n"
        "  3. replicas: 1 is not allowed: an integer of at least 2, so a rolling update or a node drain "
        "never leaves no ready pod\n"
        "  4. web_port: 0 is not allowed: an integer port from 1 to 65535\n"
        "  5. trusted_cidrs: [] is not allowed: proxy_protocol is on: list the HAProxy edge addresses "
        "(IPs or CIDRs) whose PROXY header Traefik may believe\n"
        "  6. rate_limits[0].average: 0 is not allowed: an integer of at least 1 request per period\n"
        "  7. rate_limits[0].period_seconds: 0 is not allowed: an integer from 1 to 3600 seconds\n"
        "  8. routes[0].host: 'shop.example.com`) || Host(`evil.example' is not allowed: a lower-case DNS "
        "host name like 'app.example.com' (no wildcard, no port, at most 253 characters)\n"
        "  9. routes[0].port: 70000 is not allowed: an integer port from 1 to 65535\n"
        "  10. routes[0].entrypoints[0]: 'websecure' is not allowed: one of ['web'] "
        "(set websecure: true for 'websecure')\n"
        "  11. routes[0].middlewares[0]: 'per-client' is not allowed: the name of a rate_limits or "
        "ip_allowlists entry; defined: ['burst']"
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"trusted_cidrs": ["0.0.0.0/0"]},
            "trusted_cidrs[0]: '0.0.0.0/0' is not allowed: trusting every address is the same as insecure: "
            "true and lets any client forge its IP; list only the HAProxy edge addresses",
        ),
        (
            {"trusted_cidrs": ["::/0"]},
            "trusted_cidrs[0]: '::/0' is not allowed: trusting every address is the same as insecure: "
            "true and lets any client forge its IP; list only the HAProxy edge addresses",
        ),
        (
            {"trusted_cidrs": ["10.244.8.1/24"]},
            "trusted_cidrs[0]: '10.244.8.1/24' is not allowed: an IP address or CIDR with no host bits set, "
            "like '10.0.0.0/24' or '192.0.2.10'",
        ),
        (
            {"trusted_cidrs": "10.0.0.0/8"},
            "trusted_cidrs: '10.0.0.0/8' is not allowed: a list of HAProxy edge IPs or CIDRs",
        ),
        (
            {"websecure_port": 80},
            "websecure_port: 80 is not allowed: a port different from web_port",
        ),
        (
            {"web_port": True},
            "web_port: True is not allowed: an integer port from 1 to 65535",
        ),
        (
            {"replicas": "3"},
            "replicas: '3' is not allowed: an integer of at least 2, so a rolling update or a node drain "
            "never leaves no ready pod",
        ),
        (
            {"service_type": "NodePort"},
            "service_type: 'NodePort' is not allowed: one of 'ClusterIP', 'LoadBalancer'",
        ),
        (
            {"zone_spread": "Always"},
            "zone_spread: 'Always' is not allowed: one of 'ScheduleAnyway', 'DoNotSchedule'",
        ),
        (
            {"proxy_protocol": "yes"},
            "proxy_protocol: 'yes' is not allowed: true or false",
        ),
        (
            {"resources": {"memory_limit": "1Gi", "cpu": "1"}},
            "resources.cpu: '1' is not allowed: unknown key; allowed keys: cpu_request, memory_limit, "
            "memory_request",
        ),
        (
            {"resources": {"memory_limit": "lots"}},
            "resources.memory_limit: 'lots' is not allowed: a Kubernetes quantity like '100m', '128Mi' or '1Gi'",
        ),
        (
            {"trusted_pods": {"namespace": "haproxy", "match_labels": {}}},
            "trusted_pods.match_labels: {} is not allowed: a non-empty mapping of labels that select the "
            "HAProxy pods",
        ),
        (
            {"trusted_pods": {"namespace": "haproxy", "match_labels": {"app": "ha proxy"}}},
            "trusted_pods.match_labels.app: 'ha proxy' is not allowed: a Kubernetes label value",
        ),
    ],
)
def test_one_bad_value_gives_one_exact_problem(changes: dict[str, Any], expected: str) -> None:
    assert problems(with_(BEHIND_EDGE, **changes)) == [expected]


def _route(**changes: Any) -> dict[str, Any]:
    route = {"name": "shop", "host": "shop.example.com", "service": "shop", "port": 8080}
    route.update(changes)
    return route


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (
            _route(host="*.example.com"),
            "routes[0].host: '*.example.com' is not allowed: a lower-case DNS host name like 'app.example.com' "
            "(no wildcard, no port, at most 253 characters)",
        ),
        (
            _route(host="Shop.example.com"),
            "routes[0].host: 'Shop.example.com' is not allowed: a lower-case DNS host name like "
            "'app.example.com' (no wildcard, no port, at most 253 characters)",
        ),
        (
            _route(host="shop.example.com:8080"),
            "routes[0].host: 'shop.example.com:8080' is not allowed: a lower-case DNS host name like "
            "'app.example.com' (no wildcard, no port, at most 253 characters)",
        ),
        (
            _route(host=("a" * 64) + ".example.com"),
            f"routes[0].host: '{'a' * 64}.example.com' is not allowed: a lower-case DNS host name like "
            "'app.example.com' (no wildcard, no port, at most 253 characters)",
        ),
        (
            _route(path_prefix="v1"),
            "routes[0].path_prefix: 'v1' is not allowed: a URL path starting with '/' (no spaces, backticks "
            "or quotes)",
        ),
        (
            _route(path_prefix="/v1`)"),
            "routes[0].path_prefix: '/v1`)' is not allowed: a URL path starting with '/' (no spaces, "
            "backticks or quotes)",
        ),
        (
            _route(service="Shop_Svc"),
            "routes[0].service: 'Shop_Svc' is not allowed: a Service name, a DNS-1123 label: lower-case "
            "letters, digits and '-', at most 63 characters",
        ),
        (
            _route(port=0),
            "routes[0].port: 0 is not allowed: an integer port from 1 to 65535",
        ),
        (
            _route(port="http"),
            "routes[0].port: 'http' is not allowed: an integer port from 1 to 65535",
        ),
        (
            _route(entrypoints=[]),
            "routes[0].entrypoints: [] is not allowed: a non-empty list of ['web', 'websecure']",
        ),
        (
            _route(entrypoints=["web", "web"]),
            "routes[0].entrypoints[1]: 'web' is not allowed: an entrypoint listed once",
        ),
        (
            _route(entrypoints=["traefik"]),
            "routes[0].entrypoints[0]: 'traefik' is not allowed: one of ['web', 'websecure']",
        ),
        (
            _route(tls_secret="shop-tls"),
            "routes[0].tls_secret: 'shop-tls' is not allowed: TLS is served on websecure: add 'websecure' to "
            "entrypoints",
        ),
        (
            _route(middlewares=["per-client", "burst-limit"]),
            "routes[0].middlewares[1]: 'burst-limit' is not allowed: the name of a rate_limits or "
            "ip_allowlists entry; defined: ['office', 'per-client']",
        ),
        (
            _route(namespace="Apps"),
            "routes[0].namespace: 'Apps' is not allowed: a DNS-1123 label: lower-case letters, digits and '-', "
            "at most 63 characters",
        ),
        (
            _route(upstream="shop"),
            "routes[0].upstream: 'shop' is not allowed: unknown key; allowed keys: entrypoints, host, "
            "middlewares, name, namespace, path_prefix, port, service, tls_secret",
        ),
    ],
)
def test_bad_route_gives_one_exact_problem(route: dict[str, Any], expected: str) -> None:
    assert problems(with_(BEHIND_EDGE, routes=[route])) == [expected]


def test_duplicate_names_are_rejected() -> None:
    args = with_(
        BEHIND_EDGE,
        routes=[_route(), _route(host="b.example.com")],
        ip_allowlists=[{"name": "per-client", "source_ranges": ["198.51.100.0/24"]}],
    )
    assert problems(args) == [
        "ip_allowlists[0].name: 'per-client' is not allowed: a name not used by another rate limit or IP allowlist",
        "routes[1].name: 'shop' is not allowed: a name not used by another route",
    ]


def test_rate_limit_numbers_are_checked() -> None:
    args = with_(
        BEHIND_EDGE,
        rate_limits=[{"name": "per-client", "average": 2.5, "period_seconds": 3601, "burst": -1}],
    )
    assert problems(args) == [
        "rate_limits[0].average: 2.5 is not allowed: an integer of at least 1 request per period",
        "rate_limits[0].period_seconds: 3601 is not allowed: an integer from 1 to 3600 seconds",
        "rate_limits[0].burst: -1 is not allowed: an integer of at least 1 request",
    ]


def test_allowlist_needs_valid_ranges() -> None:
    args = with_(BEHIND_EDGE, ip_allowlists=[{"name": "office", "source_ranges": []}])
    assert problems(args) == [
        "ip_allowlists[0].source_ranges: [] is not allowed: at least one client IP or CIDR",
    ]
    args = with_(BEHIND_EDGE, ip_allowlists=[{"name": "office", "source_ranges": ["office-lan"]}])
    assert problems(args) == [
        "ip_allowlists[0].source_ranges[0]: 'office-lan' is not allowed: an IP address or CIDR with no host "
        "bits set, like '10.0.0.0/24' or '192.0.2.10'",
    ]


def test_websecure_port_without_websecure_is_a_dead_option() -> None:
    assert problems(with_(MINIMAL, websecure_port=8443)) == [
        "websecure_port: 8443 is not allowed: set websecure: true to use it",
    ]


def test_dashboard_is_only_exposed_over_tls_with_auth() -> None:
    route = {"host": "traefik.example.com", "basic_auth_secret": "dashboard-users"}
    assert problems(with_(MINIMAL, dashboard_route=route)) == [
        "dashboard_route: {'host': 'traefik.example.com', 'basic_auth_secret': 'dashboard-users'} is not "
        "allowed: the dashboard is only exposed over TLS (basic-auth passwords would cross the network in "
        "clear): set websecure: true",
    ]
    assert problems(with_(BEHIND_EDGE, dashboard=False, dashboard_route=route)) == [
        "dashboard: False is not allowed: true when dashboard_route is set",
    ]
    assert problems(with_(BEHIND_EDGE, dashboard_route={"host": "traefik.example.com"})) == [
        "dashboard_route.basic_auth_secret: None is not allowed: the name of an existing Secret (DNS-1123 "
        "subdomain)",
    ]
    assert problems(with_(BEHIND_EDGE, dashboard_route={**route, "allow_from": []})) == [
        "dashboard_route.allow_from: [] is not allowed: at least one client IP or CIDR, or omit it",
    ]


def test_forwarded_headers_can_be_trusted_without_proxy_protocol() -> None:
    assert validate_traefik_args({"namespace": "edge", "trusted_cidrs": ["10.0.0.0/8"]}) == []


# --------------------------------------------------------------------------- names


def test_names_follow_the_chart_helpers() -> None:
    names = gateway_names("edge", "ingress")
    assert names.release == names.service == names.ingress_class == "edge-traefik"
    assert names.selector == {
        "app.kubernetes.io/name": "traefik",
        "app.kubernetes.io/instance": "edge-traefik-ingress",
    }
    # A name that already contains the chart name is used as is (traefik.fullname).
    assert gateway_names("traefik-public", "edge").service == "traefik-public"
    long = gateway_names("a" * 40, "b" * 30).selector["app.kubernetes.io/instance"]
    assert len(long) == 63 and long.startswith("a" * 40 + "-traefik-")


# --------------------------------------------------------------------------- chart values


def test_chart_is_pinned() -> None:
    assert CHART_VERSION == "41.3.0"
    assert CHART_REPO == "https://traefik.github.io/charts"


def test_default_values_are_zero_downtime_and_locked_down() -> None:
    v = helm_values("edge", MINIMAL)
    assert v["deployment"] == {
        "kind": "Deployment",
        "replicas": 2,
        "terminationGracePeriodSeconds": 30,
        "readinessPath": "/ping",
        "livenessPath": "/ping",
    }
    assert v["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
    }
    assert v["podDisruptionBudget"] == {"enabled": True, "maxUnavailable": 1}
    assert v["readinessProbe"]["failureThreshold"] == 1
    assert v["livenessProbe"]["failureThreshold"] == 3
    assert v["podSecurityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert v["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert v["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    selector = {"matchLabels": gateway_names("edge", "edge").selector}
    assert v["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        },
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        },
    ]


def test_default_values_route_nothing_undeclared() -> None:
    v = helm_values("edge", MINIMAL)
    assert v["providers"] == {
        "kubernetesCRD": {
            "enabled": True,
            "ingressClass": "edge-traefik",
            "namespaces": ["edge"],
            "allowCrossNamespace": False,
            "allowExternalNameServices": False,
        },
        "kubernetesIngress": {
            "enabled": False,
            "ingressClass": "edge-traefik",
            "namespaces": ["edge"],
            "allowExternalNameServices": False,
        },
    }
    assert v["rbac"] == {"enabled": True, "namespaced": True}
    assert v["ingressClass"] == {"enabled": False}
    assert v["global"] == {"checkNewVersion": False, "sendAnonymousUsage": False}


def test_default_entrypoints_logs_and_dashboard() -> None:
    v = helm_values("edge", MINIMAL)
    assert v["ports"] == {
        "traefik": {"port": 8080, "expose": {"default": False}},
        "metrics": {"expose": {"default": False}},
        "web": {
            "port": 8000,
            "exposedPort": 80,
            "expose": {"default": True},
            "protocol": "TCP",
            "forwardedHeaders": {"trustedIPs": [], "insecure": False},
            "transport": {"lifeCycle": {"requestAcceptGraceTimeout": "5s", "graceTimeOut": "10s"}},
        },
        "websecure": None,
    }
    assert v["service"] == {"enabled": True, "spec": {"type": "ClusterIP"}}
    assert v["log"] == {"level": "INFO", "format": "json"}
    assert v["accessLog"] == {"enabled": True, "format": "json"}
    assert v["api"] == {"dashboard": True}
    assert v["ingressRoute"] == {
        "dashboard": {"enabled": True, "entryPoints": ["traefik"]},
        "healthcheck": {"enabled": False},
    }


def test_no_pre_41_value_names() -> None:
    # The chart enforces its schema since 39: a renamed key fails the install.
    v = helm_values("edge", BEHIND_EDGE)
    assert "logs" not in v
    assert "type" not in v["service"]
    assert "tls" not in v["ports"]["websecure"]
    assert "redirections" not in v["ports"]["web"]


def test_every_arg_reaches_the_values() -> None:
    args = with_(
        BEHIND_EDGE,
        replicas=3,
        web_port=8081,
        websecure_port=8443,
        kubernetes_ingress=True,
        dashboard=False,
        service_type="LoadBalancer",
        zone_spread=ZoneSpread.REQUIRED,
        resources={"cpu_request": "250m", "memory_request": "256Mi", "memory_limit": "512Mi"},
    )
    v = helm_values("edge", args)
    assert v["deployment"]["replicas"] == 3
    assert v["ports"]["web"]["exposedPort"] == 8081
    assert v["ports"]["websecure"]["port"] == 8443
    assert v["ports"]["websecure"]["exposedPort"] == 8443
    assert v["ports"]["websecure"]["http"] == {"tls": {"enabled": True}}
    assert v["providers"]["kubernetesIngress"]["enabled"] is True
    assert v["providers"]["kubernetesCRD"]["namespaces"] == ["edge", "apps"]
    assert v["providers"]["kubernetesIngress"]["namespaces"] == ["edge", "apps"]
    assert v["api"] == {"dashboard": False}
    assert v["ingressRoute"]["dashboard"]["enabled"] is False
    assert v["service"]["spec"] == {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}
    assert v["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"
    assert v["resources"] == {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}


def test_proxy_protocol_trusts_only_the_edge_on_every_entrypoint() -> None:
    v = helm_values("edge", BEHIND_EDGE)
    for ep in ("web", "websecure"):
        assert v["ports"][ep]["proxyProtocol"] == {
            "trustedIPs": ["10.244.8.0/24", "192.0.2.10"],
            "insecure": False,
        }
        assert v["ports"][ep]["forwardedHeaders"] == {
            "trustedIPs": ["10.244.8.0/24", "192.0.2.10"],
            "insecure": False,
        }
    assert (
        "proxyProtocol" not in helm_values("edge", with_(BEHIND_EDGE, proxy_protocol=False))["ports"]["web"]
    )


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    out = [(path, node)]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _walk(v, f"{path}[{i}]")
    return out


@given(
    cidrs=st.lists(
        st.ip_addresses(v=4).map(str) | st.ip_addresses(v=6).map(str), min_size=0, max_size=4, unique=True
    ),
    websecure=st.booleans(),
)
def test_proxy_protocol_is_never_on_with_an_empty_or_insecure_trust(
    cidrs: list[str], websecure: bool
) -> None:
    args = {"namespace": "edge", "proxy_protocol": True, "trusted_cidrs": cidrs, "websecure": websecure}
    found = validate_traefik_args(args)
    if not cidrs:
        assert [p.key for p in found] == ["trusted_cidrs"]
        return
    assert found == []
    values = helm_values("edge", args)
    blocks = [node for path, node in _walk(values) if path.endswith(".proxyProtocol")]
    assert len(blocks) == (2 if websecure else 1)
    for block in blocks:
        assert block == {"trustedIPs": cidrs, "insecure": False}
    assert all(node is not True for path, node in _walk(values) if path.endswith(".insecure"))


# --------------------------------------------------------------------------- custom objects


def test_rate_limit_and_allowlist_middlewares() -> None:
    mws = {
        (m["metadata"]["namespace"], m["metadata"]["name"]): m
        for m in middleware_manifests("edge", BEHIND_EDGE)
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
        "metadata": {
            "name": "edge-per-client",
            "namespace": "edge",
            "labels": {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "edge"},
        },
        # No sourceCriterion: keyed on the remote address (the PROXY-header client address).
        "spec": {"rateLimit": {"average": 50, "period": "1s", "burst": 100}},
    }
    assert mws[("apps", "edge-office")]["spec"] == {"ipAllowList": {"sourceRange": ["198.51.100.0/24"]}}


def test_rate_limit_defaults_and_period() -> None:
    args = with_(MINIMAL, rate_limits=[{"name": "slow", "average": 10, "period_seconds": 60}])
    (mw,) = middleware_manifests("edge", args)
    assert mw["spec"] == {"rateLimit": {"average": 10, "period": "60s", "burst": 10}}


def test_ingress_routes() -> None:
    routes = {m["metadata"]["name"]: m for m in ingress_route_manifests("edge", BEHIND_EDGE)}
    assert routes["edge-shop"] == {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": {
            "name": "edge-shop",
            "namespace": "edge",
            "labels": {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "edge"},
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
    present = {
        (m["metadata"]["namespace"], m["metadata"]["name"]) for m in middleware_manifests("edge", BEHIND_EDGE)
    }
    for route in ingress_route_manifests("edge", BEHIND_EDGE):
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
    mws = {m["metadata"]["name"]: m["spec"] for m in middleware_manifests("edge", args)}
    assert mws["edge-dashboard-auth"] == {"basicAuth": {"secret": "dashboard-users", "removeHeader": True}}
    assert mws["edge-dashboard-allow"] == {"ipAllowList": {"sourceRange": ["198.51.100.7"]}}
    (dash,) = [m for m in ingress_route_manifests("edge", args) if m["metadata"]["name"] == "edge-dashboard"]
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
    # Not configured: no dashboard object at all.
    assert all("dashboard" not in m["metadata"]["name"] for m in ingress_route_manifests("edge", BEHIND_EDGE))


def test_network_policy_admits_only_the_edge() -> None:
    assert network_policy_manifest("edge", MINIMAL) is None
    policy = network_policy_manifest("edge", BEHIND_EDGE)
    assert policy == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "edge-edge-only",
            "namespace": "edge",
            "labels": {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "edge"},
        },
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
        "edge", with_(BEHIND_EDGE, websecure=False, routes=[], trusted_pods=None)
    )
    assert web_only is not None
    assert web_only["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8000}]


@pytest.mark.parametrize("kube", ["1.29", "1.33"])
def test_every_object_is_valid_for_the_cluster(kube: str) -> None:
    args = with_(BEHIND_EDGE, dashboard_route={"host": "traefik.example.com", "basic_auth_secret": "users"})
    objects = [
        *middleware_manifests("edge", args),
        *ingress_route_manifests("edge", args),
        network_policy_manifest("edge", args),
    ]
    for obj in objects:
        assert obj is not None
        assert validate_manifest(obj, kube) == [], obj["metadata"]["name"]


def test_outputs_describe_routes_and_entrypoints() -> None:
    assert entrypoint_ports(BEHIND_EDGE) == {"web": 80, "websecure": 443}
    assert entrypoint_ports(MINIMAL) == {"web": 80}
    assert watched_namespaces(BEHIND_EDGE) == ["edge", "apps"]
    assert route_outputs(BEHIND_EDGE)[1] == {
        "name": "api",
        "namespace": "apps",
        "rule": "Host(`api.example.com`) && PathPrefix(`/v1`)",
        "service": "api:80",
        "entrypoints": ["websecure"],
        "middlewares": ["office", "per-client"],
    }
