"""`validate_traefik_args`: every problem at once, word for word, in the one grammar."""

from __future__ import annotations

from typing import Any

import pytest

from tests.traffic_edge.traefik_gateway.cases import BEHIND_EDGE, FULL, MINIMAL, with_
from traffic_edge._shared.problems import ArgsError, raise_if
from traffic_edge.traefik_gateway.validate import validate_traefik_args

EVERY_ADDRESS = (
    "HAProxy edge networks that leave some addresses out: trusting every address is the same as "
    "insecure: true, and lets any client forge its address"
)
HOST_RULE = "a lower-case DNS host name like 'app.example.com' (no wildcard, no port, at most 253 characters)"


def problems(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_traefik_args(args)]


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
        "  1. colour is not a known key: the known keys are autoscaling, dashboard, dashboard_route, "
        "ip_allowlists, kubernetes_ingress, metrics, namespace, proxy_protocol, rate_limit_redis, "
        "rate_limits, redirect_to_https, replicas, resources, routes, service_type, tcp_routes, tls, "
        "tracing, trusted_cidrs, trusted_pods, web_port, websecure, websecure_port, zone_spread\n"
        "  2. namespace: 'Edge' is not allowed: a DNS-1123 label: lower-case letters, digits and '-', "
        "at most 63 characters\n"
        "  3. replicas: 1 is not allowed: an integer of at least 2: one pod must stay ready through a "
        "rolling update or a node drain\n"
        "  4. web_port: 0 is not allowed: an integer port from 1 to 65535\n"
        "  5. trusted_cidrs is required: the HAProxy edge networks whose PROXY header Traefik believes "
        "(proxy_protocol is on)\n"
        "  6. rate_limits[0].average: 0 is not allowed: an integer of at least 1\n"
        "  7. rate_limits[0].period_seconds: 0 is not allowed: an integer from 1 to 3600\n"
        f"  8. routes[0].host: 'shop.example.com`) || Host(`evil.example' is not allowed: {HOST_RULE}\n"
        "  9. routes[0].port: 70000 is not allowed: an integer port from 1 to 65535\n"
        "  10. routes[0].entrypoints[0]: 'websecure' conflicts with websecure: the websecure entrypoint "
        "runs only with websecure: true\n"
        "  11. routes[0].middlewares[0]: 'per-client' is not allowed: the name of a rate_limits or "
        "ip_allowlists entry: one of 'burst'"
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"trusted_cidrs": ["0.0.0.0/0"]}, f"trusted_cidrs: ['0.0.0.0/0'] is not allowed: {EVERY_ADDRESS}"),
        ({"trusted_cidrs": ["::/0"]}, f"trusted_cidrs: ['::/0'] is not allowed: {EVERY_ADDRESS}"),
        (
            {"trusted_cidrs": ["10.244.8.1/24"]},
            "trusted_cidrs[0]: '10.244.8.1/24' is not allowed: a network in CIDR form with no host bits "
            "set, like '10.0.0.0/16'",
        ),
        (
            {"trusted_cidrs": "10.0.0.0/8"},
            "trusted_cidrs: '10.0.0.0/8' is not allowed: a list of HAProxy edge networks in CIDR form, "
            "like ['10.0.0.0/16']",
        ),
        (
            {"trusted_cidrs": []},
            "trusted_cidrs: [] conflicts with proxy_protocol: Traefik believes a PROXY header only from the "
            "networks listed here, and none is listed",
        ),
        (
            {"websecure_port": 80},
            "websecure_port: 80 conflicts with web_port: each entrypoint needs its own Service port, and "
            "web_port is 80 unless set",
        ),
        ({"web_port": True}, "web_port: True is not allowed: an integer port from 1 to 65535"),
        (
            {"replicas": "3"},
            "replicas: '3' is not allowed: an integer of at least 2: one pod must stay ready through a "
            "rolling update or a node drain",
        ),
        (
            {"service_type": "NodePort"},
            "service_type: 'NodePort' is not allowed: one of 'ClusterIP', 'LoadBalancer'",
        ),
        (
            {"zone_spread": "Always"},
            "zone_spread: 'Always' is not allowed: one of 'ScheduleAnyway', 'DoNotSchedule'",
        ),
        ({"proxy_protocol": "yes"}, "proxy_protocol: 'yes' is not allowed: true or false"),
        (
            {"resources": {"memory_limit": "1Gi", "cpu": "1"}},
            "resources.cpu is not a known key: the known keys are cpu_request, memory_limit, memory_request",
        ),
        (
            {"resources": {"memory_limit": "lots"}},
            "resources.memory_limit: 'lots' is not allowed: a memory quantity like '256Mi' or '1Gi'",
        ),
        (
            {"resources": {"cpu_request": "1Gi"}},
            "resources.cpu_request: '1Gi' is not allowed: a CPU quantity like '250m' or '1'",
        ),
        (
            {"trusted_pods": {"namespace": "haproxy", "match_labels": {}}},
            "trusted_pods.match_labels: {} is not allowed: a map of label keys to label values with at "
            "least 1 label",
        ),
        (
            {"trusted_pods": {"namespace": "haproxy", "match_labels": {"app": "ha proxy"}}},
            "trusted_pods.match_labels.app: 'ha proxy' is not allowed: a label value: at most 63 letters, "
            "digits, '-', '_' or '.', starting and ending alphanumeric",
        ),
        (
            {"trusted_pods": {"namespace": "haproxy"}},
            "trusted_pods.match_labels is required: the labels that select the HAProxy pods",
        ),
        (
            {"trusted_pods": ["haproxy"]},
            "trusted_pods: ['haproxy'] is not allowed: a map with namespace and match_labels",
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
        (_route(host="*.example.com"), f"routes[0].host: '*.example.com' is not allowed: {HOST_RULE}"),
        (_route(host="Shop.example.com"), f"routes[0].host: 'Shop.example.com' is not allowed: {HOST_RULE}"),
        (
            _route(host="shop.example.com:8080"),
            f"routes[0].host: 'shop.example.com:8080' is not allowed: {HOST_RULE}",
        ),
        (
            _route(host=("a" * 64) + ".example.com"),
            f"routes[0].host: '{'a' * 64}.example.com' is not allowed: {HOST_RULE}",
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
            "routes[0].service: 'Shop_Svc' is not allowed: a DNS-1035 label: a lower-case letter, then "
            "lower-case letters, digits and '-', at most 63 characters",
        ),
        (
            _route(service="1shop"),
            "routes[0].service: '1shop' is not allowed: a DNS-1035 label: a lower-case letter, then "
            "lower-case letters, digits and '-', at most 63 characters",
        ),
        (_route(port=0), "routes[0].port: 0 is not allowed: an integer port from 1 to 65535"),
        (_route(port="http"), "routes[0].port: 'http' is not allowed: an integer port from 1 to 65535"),
        (
            _route(entrypoints=[]),
            "routes[0].entrypoints: [] is not allowed: a non-empty list of entrypoints, like ['web']",
        ),
        (
            _route(entrypoints=["web", "web"]),
            "routes[0].entrypoints[1]: 'web' is not allowed: an item listed once; it repeats "
            "routes[0].entrypoints[0]",
        ),
        (
            _route(entrypoints=["traefik"]),
            "routes[0].entrypoints[0]: 'traefik' is not allowed: one of 'web', 'websecure'",
        ),
        (
            _route(tls_secret="shop-tls"),
            "routes[0].tls_secret: 'shop-tls' conflicts with routes[0].entrypoints: TLS is served on the "
            "websecure entrypoint, which the route does not listen on",
        ),
        (
            _route(tls_secret="Shop TLS", entrypoints=["websecure"]),
            "routes[0].tls_secret: 'Shop TLS' is not allowed: a DNS-1123 subdomain: lower-case letters, "
            "digits, '-' and '.', at most 253 characters",
        ),
        (
            _route(middlewares=["per-client", "burst-limit"]),
            "routes[0].middlewares[1]: 'burst-limit' is not allowed: the name of a rate_limits or "
            "ip_allowlists entry: one of 'office', 'per-client'",
        ),
        (
            _route(middlewares="per-client"),
            "routes[0].middlewares: 'per-client' is not allowed: a list of names of rate_limits and "
            "ip_allowlists entries",
        ),
        (
            _route(namespace="Apps"),
            "routes[0].namespace: 'Apps' is not allowed: a DNS-1123 label: lower-case letters, digits and "
            "'-', at most 63 characters",
        ),
        (
            _route(name="a" * 41),
            f"routes[0].name: '{'a' * 41}' is not allowed: a DNS-1123 label: lower-case letters, digits and "
            "'-', at most 40 characters",
        ),
        (
            _route(upstream="shop"),
            "routes[0].upstream is not a known key: the known keys are entrypoints, host, middlewares, "
            "name, namespace, path_prefix, port, service, tls_secret",
        ),
    ],
)
def test_bad_route_gives_one_exact_problem(route: dict[str, Any], expected: str) -> None:
    assert problems(with_(BEHIND_EDGE, routes=[route])) == [expected]


def test_bad_entrypoints_are_not_reported_again_at_the_tls_secret() -> None:
    route = _route(entrypoints=[], tls_secret="shop-tls")
    assert problems(with_(BEHIND_EDGE, routes=[route])) == [
        "routes[0].entrypoints: [] is not allowed: a non-empty list of entrypoints, like ['web']",
    ]


def test_a_route_without_its_required_keys_says_what_each_is_for() -> None:
    assert problems(with_(MINIMAL, routes=[{"name": "shop"}])) == [
        "routes[0].host is required: the host name the route matches",
        "routes[0].service is required: the backend Service, in the route's namespace",
        "routes[0].port is required: the backend Service port",
    ]


def test_misspelled_keys_suggest_the_key_meant() -> None:
    args = with_(BEHIND_EDGE, routes=[_route(midlewares=["per-client"])], proxy_protocl=True)
    assert problems(args) == [
        "proxy_protocl is not a known key: did you mean proxy_protocol?",
        "routes[0].midlewares is not a known key: did you mean middlewares?",
    ]


def test_a_misspelled_key_is_one_problem_not_also_the_missing_key_it_meant() -> None:
    args = {"namespace": "edge", "proxy_protocol": True, "trusted_cidr": ["10.244.8.0/24"]}
    assert problems(args) == ["trusted_cidr is not a known key: did you mean trusted_cidrs?"]


def test_a_stack_file_reads_its_own_spelling_and_label_keys_stay_as_written() -> None:
    args = with_(
        BEHIND_EDGE,
        rate_limits=[{"name": "per-client", "average": 1, "period_seconds": 0}],
        trusted_pods={"namespace": "haproxy", "match_labels": {"app_name": "ha proxy"}},
    )
    assert [p.render("config") for p in validate_traefik_args(args)] == [
        "trustedPods.matchLabels.app_name: 'ha proxy' is not allowed: a label value: at most 63 letters, "
        "digits, '-', '_' or '.', starting and ending alphanumeric",
        "rateLimits[0].periodSeconds: 0 is not allowed: an integer from 1 to 3600",
    ]


def test_trusted_cidrs_are_judged_by_the_union_of_their_ranges() -> None:
    halves = ["0.0.0.0/1", "128.0.0.0/1"]
    assert problems(with_(BEHIND_EDGE, trusted_cidrs=halves)) == [
        f"trusted_cidrs: {halves!r} is not allowed: {EVERY_ADDRESS}"
    ]
    v6_halves = ["::/1", "8000::/1"]
    assert problems(with_(BEHIND_EDGE, trusted_cidrs=v6_halves)) == [
        f"trusted_cidrs: {v6_halves!r} is not allowed: {EVERY_ADDRESS}"
    ]
    # Without PROXY protocol the list is still the X-Forwarded-* trust: every address is refused too.
    assert problems({"namespace": "edge", "trusted_cidrs": ["0.0.0.0/0"]}) == [
        f"trusted_cidrs: ['0.0.0.0/0'] is not allowed: {EVERY_ADDRESS}"
    ]
    assert problems(with_(BEHIND_EDGE, trusted_cidrs=["0.0.0.0/1"])) == []


def test_proxy_protocol_needs_the_edge_networks() -> None:
    args = with_(MINIMAL, proxy_protocol=True)
    assert problems(args) == [
        "trusted_cidrs is required: the HAProxy edge networks whose PROXY header Traefik believes "
        "(proxy_protocol is on)"
    ]
    # An ill-typed proxy_protocol is its own problem; nothing is derived from it.
    assert problems(with_(MINIMAL, proxy_protocol="yes")) == [
        "proxy_protocol: 'yes' is not allowed: true or false"
    ]


def test_duplicate_names_are_rejected() -> None:
    args = with_(
        BEHIND_EDGE,
        routes=[_route(), _route(host="b.example.com")],
        ip_allowlists=[{"name": "per-client", "source_ranges": ["198.51.100.0/24"]}],
    )
    assert problems(args) == [
        "ip_allowlists[0].name: 'per-client' is not allowed: a middleware name (rate_limits and "
        "ip_allowlists together) listed once; it repeats rate_limits[0].name",
        "routes[1].name: 'shop' is not allowed: a route name listed once; it repeats routes[0].name",
    ]


def test_rate_limit_numbers_are_checked() -> None:
    args = with_(
        BEHIND_EDGE,
        rate_limits=[{"name": "per-client", "average": 2.5, "period_seconds": 3601, "burst": -1}],
    )
    assert problems(args) == [
        "rate_limits[0].average: 2.5 is not allowed: an integer of at least 1",
        "rate_limits[0].period_seconds: 3601 is not allowed: an integer from 1 to 3600",
        "rate_limits[0].burst: -1 is not allowed: an integer of at least 1",
    ]


@pytest.mark.parametrize("average", [2.5, "20", None, True])
def test_a_bad_average_leaves_the_middleware_defined_for_the_routes(average: object) -> None:
    args = with_(BEHIND_EDGE, rate_limits=[{"name": "per-client", "average": average}])
    found = problems(args)
    assert len(found) == 1
    assert found[0].startswith("rate_limits[0].average")


def test_unreadable_middlewares_are_not_reported_again_at_the_routes() -> None:
    assert problems(with_(BEHIND_EDGE, rate_limits="per-client")) == [
        "rate_limits: 'per-client' is not allowed: a list of rate limits"
    ]
    assert problems(with_(BEHIND_EDGE, rate_limits=[{"average": 50}])) == [
        "rate_limits[0].name is required: the middleware name routes reference"
    ]
    # A badly spelt name is one problem: the routes that reference it spell it the same way.
    args = with_(BEHIND_EDGE, ip_allowlists=[{"name": "Office", "source_ranges": ["198.51.100.0/24"]}])
    args["routes"][1]["middlewares"] = ["Office", "per-client"]
    assert problems(args) == [
        "ip_allowlists[0].name: 'Office' is not allowed: a DNS-1123 label: lower-case letters, digits "
        "and '-', at most 40 characters"
    ]


def test_allowlist_needs_valid_ranges() -> None:
    args = with_(BEHIND_EDGE, ip_allowlists=[{"name": "office", "source_ranges": []}])
    assert problems(args) == [
        "ip_allowlists[0].source_ranges: [] is not allowed: a list of client networks in CIDR form, at "
        "least 1, like ['10.0.0.0/16']",
    ]
    args = with_(BEHIND_EDGE, ip_allowlists=[{"name": "office", "source_ranges": ["office-lan"]}])
    assert problems(args) == [
        "ip_allowlists[0].source_ranges[0]: 'office-lan' is not allowed: a network in CIDR form with no "
        "host bits set, like '10.0.0.0/16'",
    ]
    # An allowlist may admit everyone (it is not a trust list).
    args = with_(BEHIND_EDGE, ip_allowlists=[{"name": "office", "source_ranges": ["0.0.0.0/0"]}])
    assert problems(args) == []


def test_websecure_port_without_websecure_is_a_dead_option() -> None:
    assert problems(with_(MINIMAL, websecure_port=8443)) == [
        "websecure_port: 8443 conflicts with websecure: the port of the websecure entrypoint, which runs "
        "only with websecure: true",
    ]


def test_a_port_clash_is_reported_at_the_key_the_user_wrote() -> None:
    assert problems(with_(BEHIND_EDGE, web_port=443)) == [
        "web_port: 443 conflicts with websecure_port: each entrypoint needs its own Service port, and "
        "websecure_port is 443 unless set",
    ]
    assert problems(with_(BEHIND_EDGE, web_port=8000, websecure_port=8000)) == [
        "websecure_port: 8000 conflicts with web_port: each entrypoint needs its own Service port",
    ]


def test_an_ill_typed_websecure_is_one_problem() -> None:
    route = {"host": "traefik.example.com", "basic_auth_secret": "dashboard-users"}
    args = with_(BEHIND_EDGE, websecure="yes", websecure_port=8443, dashboard_route=route)
    assert problems(args) == ["websecure: 'yes' is not allowed: true or false"]


def test_dashboard_is_only_exposed_over_tls_with_auth() -> None:
    route = {"host": "traefik.example.com", "basic_auth_secret": "dashboard-users"}
    assert problems(with_(MINIMAL, dashboard_route=route)) == [
        "dashboard_route: {'host': 'traefik.example.com', 'basic_auth_secret': 'dashboard-users'} "
        "conflicts with websecure: the dashboard is exposed over TLS only: basic-auth passwords would "
        "cross the network in clear",
    ]
    assert problems(with_(BEHIND_EDGE, dashboard=False, dashboard_route=route)) == [
        "dashboard: False conflicts with dashboard_route: dashboard_route exposes the dashboard, which "
        "dashboard: false turns off",
    ]
    assert problems(with_(BEHIND_EDGE, dashboard_route={"host": "traefik.example.com"})) == [
        "dashboard_route.basic_auth_secret is required: the existing Secret with the dashboard's users",
    ]
    assert problems(with_(BEHIND_EDGE, dashboard_route={**route, "allow_from": []})) == [
        "dashboard_route.allow_from: [] is not allowed: a list of client networks in CIDR form, at least "
        "1, like ['10.0.0.0/16']",
    ]
    assert problems(with_(BEHIND_EDGE, dashboard_route="traefik.example.com")) == [
        "dashboard_route: 'traefik.example.com' is not allowed: a map with host and basic_auth_secret",
    ]


def test_forwarded_headers_can_be_trusted_without_proxy_protocol() -> None:
    assert validate_traefik_args({"namespace": "edge", "trusted_cidrs": ["10.0.0.0/8"]}) == []


def test_null_is_an_arg_not_given() -> None:
    assert validate_traefik_args({"namespace": "edge", "trusted_pods": None, "dashboard_route": None}) == []
    assert problems({"namespace": None}) == [
        "namespace is required: the existing namespace the chart is installed into"
    ]


ADDRESS = (
    "an address 'host:port', like 'redis.cache:6379' (a lower-case DNS name or an IP, a port from 1 to 65535)"
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"autoscaling": {"max_replicas": 4, "min_replicas": 1}},
            "autoscaling.min_replicas: 1 is not allowed: an integer of at least 2: the PodDisruptionBudget lets "
            "one pod go at a time: below 2, a drain or an update stops them all",
        ),
        (
            {"autoscaling": {}},
            "autoscaling.max_replicas is required: the most Traefik pods the autoscaler runs",
        ),
        (
            {"autoscaling": {"max_replicas": 3, "min_replicas": 4}},
            "autoscaling.max_replicas: 3 is not allowed: an integer of at least the minimum, 4 (min_replicas)",
        ),
        (
            {"replicas": 5, "autoscaling": {"max_replicas": 3}},
            "autoscaling.max_replicas: 3 is not allowed: an integer of at least the minimum, 5 (replicas)",
        ),
        (
            {"replicas": 3, "autoscaling": {"max_replicas": 6, "min_replicas": 3}},
            "replicas: 3 conflicts with autoscaling.min_replicas: with autoscaling, replicas is only the "
            "autoscaler's minimum, which min_replicas also sets",
        ),
        (
            {"autoscaling": {"max_replicas": 6, "target_cpu_percent": 0}},
            "autoscaling.target_cpu_percent: 0 is not allowed: an integer from 1 to 100",
        ),
        (
            {"autoscaling": {"max_replicas": 6, "scale_down_stabilization_seconds": 7200}},
            "autoscaling.scale_down_stabilization_seconds: 7200 is not allowed: an integer from 0 to 3600",
        ),
        (
            {"autoscaling": 4},
            "autoscaling: 4 is not allowed: a map with max_replicas, min_replicas, target_cpu_percent and "
            "scale_down_stabilization_seconds",
        ),
        (
            {"metrics": {"monitoring_namespace": "Monitoring"}},
            "metrics.monitoring_namespace: 'Monitoring' is not allowed: a DNS-1123 label: lower-case letters, "
            "digits and '-', at most 63 characters",
        ),
        (
            {"metrics": {"interval_seconds": 1}},
            "metrics.interval_seconds: 1 is not allowed: an integer from 5 to 3600",
        ),
        (
            {"metrics": {"service_monitor_label": {"release": "x"}}},
            "metrics.service_monitor_label is not a known key: did you mean service_monitor_labels?",
        ),
        (
            {"metrics": True},
            "metrics: True is not allowed: a map with monitoring_namespace, service_monitor_labels and "
            "interval_seconds ({} for the defaults)",
        ),
        (
            {"tracing": {"endpoint": "http://otel:4317"}},
            f"tracing.endpoint: 'http://otel:4317' is not allowed: {ADDRESS}",
        ),
        ({"tracing": {}}, "tracing.endpoint is required: the OTLP/gRPC collector's address, 'host:port'"),
        (
            {"tracing": {"endpoint": "otel:4317", "sample_rate": 2}},
            "tracing.sample_rate: 2 is not allowed: a number from 0 to 1, like 0.1",
        ),
        (
            {"redirect_to_https": "yes"},
            "redirect_to_https: 'yes' is not allowed: true or false",
        ),
        (
            {"tls": {"min_version": "VersionTLS11"}},
            "tls.min_version: 'VersionTLS11' is not allowed: one of 'VersionTLS12', 'VersionTLS13'",
        ),
        (
            {"tls": {"default_certificate": {}}},
            "tls.default_certificate.secret is required: the existing TLS Secret of the default certificate "
            "(or cert_manager, to have one issued)",
        ),
        (
            {"tls": {"default_certificate": {"secret": "a", "cert_manager": {"issuer": "ca"}}}},
            "tls.default_certificate.cert_manager: {'issuer': 'ca'} conflicts with tls.default_certificate.secret: "
            "the default certificate comes either from an existing Secret or from cert-manager, not both",
        ),
        (
            {
                "tls": {
                    "default_certificate": {
                        "cert_manager": {"issuer": "ca", "dns_names": ["*.*.example.com"]}
                    }
                }
            },
            "tls.default_certificate.cert_manager.dns_names[0]: '*.*.example.com' is not allowed: a lower-case "
            "DNS host name like 'app.example.com' (or a wildcard '*.example.com', no port, at most 253 characters)",
        ),
        (
            {
                "tls": {
                    "default_certificate": {
                        "cert_manager": {
                            "issuer": "ca",
                            "dns_names": ["a.example.com"],
                            "issuer_kind": "Vault",
                        }
                    }
                }
            },
            "tls.default_certificate.cert_manager.issuer_kind: 'Vault' is not allowed: one of 'ClusterIssuer', "
            "'Issuer'",
        ),
        (
            {"rate_limits": [{"name": "per-client", "average": 5, "store": "redis"}]},
            "rate_limit_redis is required: the Redis that rate limits with store: redis share "
            "(rate_limits[0] has it)",
        ),
        (
            {"rate_limits": [{"name": "per-client", "average": 5, "store": "memcached"}]},
            "rate_limits[0].store: 'memcached' is not allowed: one of 'memory', 'redis'",
        ),
        (
            {"rate_limit_redis": {"endpoints": ["redis:6379"]}},
            "rate_limit_redis: {'endpoints': ['redis:6379']} conflicts with rate_limits: only a rate limit with "
            "store: redis uses it, and none has",
        ),
        (
            {
                "routes": [
                    {"name": "a", "host": "a.example.com", "service": "a", "port": 80, "entrypoints": ["web"]}
                ],
                "redirect_to_https": True,
            },
            "routes[0].entrypoints: ['web'] conflicts with redirect_to_https: every request on web is redirected "
            "to websecure before any route sees it, so this route is never reached",
        ),
        (
            {"tcp_routes": [{"name": "traefik", "port": 5000, "service": "db", "service_port": 5000}]},
            "tcp_routes[0].name: 'traefik' is not allowed: a port name: at most 15 lower-case letters, digits "
            "and '-', with a letter, not starting or ending with '-' nor holding '--', other than the chart's "
            "'web', 'websecure', 'traefik', 'metrics'",
        ),
        (
            {
                "tcp_routes": [
                    {"name": "postgres-primary", "port": 5432, "service": "db", "service_port": 5432}
                ]
            },
            "tcp_routes[0].name: 'postgres-primary' is not allowed: a port name: at most 15 lower-case letters, "
            "digits and '-', with a letter, not starting or ending with '-' nor holding '--'",
        ),
        (
            {"tcp_routes": [{"name": "db", "port": 443, "service": "db", "service_port": 5432}]},
            "tcp_routes[0].port: 443 conflicts with websecure_port: each entrypoint needs its own Service port, "
            "and websecure_port is 443 unless set",
        ),
        (
            {"tcp_routes": [{"name": "db", "port": 9100, "service": "db", "service_port": 5432}]},
            "tcp_routes[0].port: 9100 conflicts with tcp_routes[0].container_port: Traefik listens for it on 9100 "
            "in the pod unless container_port is set, and 9100 is the metrics entrypoint's port in the pod",
        ),
        (
            {
                "tcp_routes": [
                    {
                        "name": "db",
                        "port": 5432,
                        "service": "db",
                        "service_port": 5432,
                        "container_port": 8000,
                    }
                ]
            },
            "tcp_routes[0].container_port: 8000 is not allowed: a port other than Traefik's own: 8000 is the web "
            "entrypoint's port in the pod",
        ),
        (
            {
                "tcp_routes": [
                    {"name": "db", "port": 5432, "service": "db", "service_port": 5432, "container_port": 80}
                ]
            },
            "tcp_routes[0].container_port: 80 is not allowed: an integer from 1024 to 65535",
        ),
        (
            {"tcp_routes": [{"name": "db", "port": 5432, "service": "db"}]},
            "tcp_routes[0].service_port is required: the backend Service port",
        ),
    ],
)
def test_each_new_arg_gives_one_exact_problem(changes: dict[str, Any], expected: str) -> None:
    assert problems(with_(BEHIND_EDGE, **changes)) == [expected]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"redirect_to_https": True},
            "redirect_to_https: True conflicts with websecure: the redirect goes to the websecure entrypoint, "
            "which runs only with websecure: true",
        ),
        (
            {"tls": {"min_version": "VersionTLS13"}},
            "tls: {'min_version': 'VersionTLS13'} conflicts with websecure: the default certificate and TLS "
            "options are websecure's, which runs only with websecure: true",
        ),
        (
            {
                "rate_limits": [{"name": "l", "average": 1, "store": "redis"}],
                "rate_limit_redis": {"endpoints": ["r:6379"], "ca_secret": "ca"},
            },
            "rate_limit_redis.ca_secret: 'ca' conflicts with rate_limit_redis.tls: the CA checks the certificate "
            "Redis presents over TLS, which only tls: true turns on",
        ),
        (
            {
                "rate_limits": [{"name": "l", "average": 1, "store": "redis"}],
                "rate_limit_redis": {"endpoints": ["redis:port"]},
            },
            f"rate_limit_redis.endpoints[0]: 'redis:port' is not allowed: {ADDRESS}",
        ),
        (
            {
                "tcp_routes": [
                    {"name": "a", "port": 5432, "service": "a", "service_port": 1},
                    {"name": "b", "port": 6432, "service": "b", "service_port": 1, "container_port": 5432},
                ]
            },
            "tcp_routes[1].container_port: 5432 conflicts with tcp_routes[0].container_port: 5432 is also the "
            "port in the pod of tcp_routes[0]",
        ),
    ],
)
def test_new_args_on_the_minimal_gateway(changes: dict[str, Any], expected: str) -> None:
    assert problems(with_(MINIMAL, **changes)) == [expected]


def test_every_new_feature_together_is_valid() -> None:
    assert validate_traefik_args(FULL) == []
