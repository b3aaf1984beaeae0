"""`plan_traefik_gateway`: the defaults applied once and every name derived, in a frozen plan."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from tests.traffic_edge.traefik_gateway.cases import BEHIND_EDGE, FULL, MINIMAL, plan_of, with_
from traffic_edge.traefik_gateway.args import ServiceType, ZoneSpread
from traffic_edge.traefik_gateway.plan import (
    DashboardPlan,
    RateLimitPlan,
    ResourcesPlan,
    RoutePlan,
    gateway_names,
)


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
    # Truncation never leaves a trailing '-'.
    assert not gateway_names("a" * 54, "bb").selector["app.kubernetes.io/instance"].endswith("-")


def test_object_and_resource_names_start_with_the_component_name() -> None:
    names = gateway_names("edge", "ingress")
    assert names.release_resource == "edge-release"
    assert names.network_policy == "edge-edge-only"
    assert names.object_name("per-client") == "edge-per-client"
    assert names.middleware_resource("edge-per-client", "apps") == "edge-per-client-apps"
    assert (names.dashboard_route, names.dashboard_auth, names.dashboard_allow) == (
        "edge-dashboard",
        "edge-dashboard-auth",
        "edge-dashboard-allow",
    )
    assert names.labels == {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "edge"}


def test_defaults_are_applied_once_into_the_plan() -> None:
    plan = plan_of(MINIMAL)
    assert (plan.replicas, plan.web_port, plan.websecure_port) == (2, 80, None)
    assert plan.entrypoints == {"web": 80}
    assert (plan.kubernetes_ingress, plan.dashboard, plan.proxy_protocol) == (False, True, False)
    assert plan.service_type is ServiceType.CLUSTER_IP
    assert plan.zone_spread is ZoneSpread.PREFERRED
    assert plan.resources == ResourcesPlan("100m", "128Mi", "256Mi")
    assert (plan.routes, plan.rate_limits, plan.ip_allowlists, plan.middleware_copies) == ((), (), (), ())
    assert plan.dashboard_route is None
    assert plan.trusted_pods is None
    assert plan.edge_only is False
    assert plan.watched_namespaces == ("edge",)


def test_every_arg_reaches_the_plan() -> None:
    args = with_(
        BEHIND_EDGE,
        replicas=3,
        web_port=8081,
        websecure_port=8443,
        kubernetes_ingress=True,
        dashboard=False,
        service_type="LoadBalancer",
        zone_spread="DoNotSchedule",
        resources={"cpu_request": "250m", "memory_limit": "512Mi"},
    )
    plan = plan_of(args)
    assert (plan.replicas, plan.web_port, plan.websecure_port) == (3, 8081, 8443)
    assert plan.entrypoints == {"web": 8081, "websecure": 8443}
    assert (plan.kubernetes_ingress, plan.dashboard, plan.proxy_protocol) == (True, False, True)
    assert plan.service_type is ServiceType.LOAD_BALANCER
    assert plan.zone_spread is ZoneSpread.REQUIRED
    assert plan.resources == ResourcesPlan("250m", "128Mi", "512Mi")
    assert plan.edge_only is True


def test_routes_get_their_defaults_and_rules() -> None:
    shop, api = plan_of(BEHIND_EDGE).routes
    assert shop == RoutePlan(
        name="shop",
        object_name="edge-shop",
        namespace="edge",
        rule="Host(`shop.example.com`)",
        service="shop",
        port=8080,
        entrypoints=("web",),
        middlewares=("per-client",),
        tls_secret=None,
    )
    assert api.namespace == "apps"
    assert api.rule == "Host(`api.example.com`) && PathPrefix(`/v1`)"
    assert api.entrypoints == ("websecure",)
    assert api.tls_secret == "api-tls"


def test_an_omitted_burst_follows_the_average() -> None:
    plan = plan_of(with_(MINIMAL, rate_limits=[{"name": "slow", "average": 10, "period_seconds": 60}]))
    assert plan.rate_limits == (RateLimitPlan(name="slow", average=10, period_seconds=60, burst=10),)
    (limit,) = plan_of(with_(MINIMAL, rate_limits=[{"name": "fast", "average": 10}])).rate_limits
    assert (limit.period_seconds, limit.burst) == (1, 10)


def test_each_middleware_is_copied_to_the_gateway_namespace_and_where_routes_use_it() -> None:
    plan = plan_of(BEHIND_EDGE)
    assert plan.middleware_copies == (
        ("apps", "office"),
        ("apps", "per-client"),
        ("edge", "office"),
        ("edge", "per-client"),
    )
    assert plan.watched_namespaces == ("edge", "apps")


def test_trusted_networks_are_the_cidrs_in_cidr_form() -> None:
    plan = plan_of(BEHIND_EDGE)
    # The chart gets them as written; the NetworkPolicy's ipBlock needs a prefix length.
    assert plan.trusted_cidrs == ("10.244.8.0/24", "192.0.2.10")
    assert plan.trusted_networks == ("10.244.8.0/24", "192.0.2.10/32")


def test_dashboard_route_plan() -> None:
    route = {"host": "traefik.example.com", "basic_auth_secret": "users"}
    assert plan_of(with_(BEHIND_EDGE, dashboard_route=route)).dashboard_route == DashboardPlan(
        host="traefik.example.com", basic_auth_secret="users", tls_secret=None, allow_from=None
    )
    with_allow = plan_of(with_(BEHIND_EDGE, dashboard_route={**route, "allow_from": ["198.51.100.7"]}))
    assert with_allow.dashboard_route is not None
    assert with_allow.dashboard_route.allow_from == ("198.51.100.7",)


def test_null_args_plan_as_not_given() -> None:
    assert plan_of({"namespace": "edge", "trusted_pods": None, "replicas": None}) == plan_of(MINIMAL)


def test_outputs_describe_routes_and_entrypoints() -> None:
    plan = plan_of(BEHIND_EDGE)
    assert plan.entrypoints == {"web": 80, "websecure": 443}
    assert plan.routes[1].output() == {
        "name": "api",
        "namespace": "apps",
        "rule": "Host(`api.example.com`) && PathPrefix(`/v1`)",
        "service": "api:80",
        "entrypoints": ["websecure"],
        "middlewares": ["office", "per-client"],
    }


def test_the_plan_is_frozen() -> None:
    plan = plan_of(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.replicas = 5  # type: ignore[misc]


def test_the_effective_rate_limit_counts_every_pod_and_every_route_using_it() -> None:
    plan = plan_of(BEHIND_EDGE)
    routers = plan.routers_using("per-client")
    assert routers == sum("per-client" in r.middlewares for r in plan.routes) and routers >= 1
    assert plan.warnings == [
        f"rate limit 'per-client' (50 per 1s per client) is kept in memory per Traefik pod and per route: "
        f"with {plan.replicas} replicas and {routers} route(s) using it, one client can make up to "
        f"{50 * plan.replicas * routers} per 1s in all"
    ]
    # A limit no route uses limits nothing, and says nothing.
    assert plan_of(with_(MINIMAL, rate_limits=[{"name": "unused", "average": 5}])).warnings == []


def test_the_effective_rate_limit_counts_the_most_pods_the_autoscaler_runs() -> None:
    args = with_(BEHIND_EDGE, autoscaling={"max_replicas": 5})
    assert plan_of(args).warnings == [
        "rate limit 'per-client' (50 per 1s per client) is kept in memory per Traefik pod and per route: "
        "with up to 5 replicas (autoscaling) and 2 route(s) using it, one client can make up to 500 per 1s in all"
    ]


def test_a_redis_limit_is_shared_by_replicas_and_routes_but_not_across_namespaces() -> None:
    # The bucket key is the Middleware's qualified name, <namespace>-<name>: the copy in each
    # route namespace keeps its own bucket, even in Redis.
    assert plan_of(FULL).warnings == [
        "rate limit 'per-client' (50 per 1s per client) is kept in Redis, shared by every replica and by the "
        "routes of one namespace: with routes in 2 namespace(s) using it, one client can make up to 100 per 1s "
        "in all"
    ]
    one_namespace = copy.deepcopy(FULL)
    one_namespace["routes"][1]["namespace"] = "edge"
    assert (
        plan_of(one_namespace)
        .warnings[0]
        .endswith("with routes in 1 namespace(s) using it, one client can make up to 50 per 1s in all")
    )


def test_new_features_plan_with_their_defaults() -> None:
    plan = plan_of(FULL)
    assert plan.replicas == 3
    assert plan.autoscaling is not None
    assert plan.autoscaling.scale_down_stabilization_seconds == 300
    assert plan.metrics is not None
    assert (plan.metrics.monitoring_namespace, plan.metrics.interval_seconds) == ("monitoring", 30)
    assert plan.tls is not None
    assert plan.tls.default_secret == "edge-default-tls"
    assert plan.rate_limit_redis is not None
    assert (plan.rate_limit_redis.db, plan.rate_limit_redis.tls) == (0, True)
    assert [(t.name, t.port, t.container_port) for t in plan.tcp_routes] == [
        ("postgres", 5432, 5432),
        ("smtp", 25, 10025),
    ]
    assert plan.entrypoints == {"web": 80, "websecure": 443, "postgres": 5432, "smtp": 25}
    assert plan.watched_namespaces == ("edge", "apps", "data")


def test_with_the_redirect_a_route_listens_on_websecure_unless_it_says() -> None:
    args = with_(
        BEHIND_EDGE,
        redirect_to_https=True,
        routes=[{"name": "a", "host": "a.example.com", "service": "a", "port": 80}],
    )
    assert plan_of(args).routes[0].entrypoints == ("websecure",)
    assert plan_of(with_(args, redirect_to_https=False)).routes[0].entrypoints == ("web",)
