"""plan_proxy_protocol_ingress: the defaults applied once, the Istio boundaries, what Traefik must trust."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS, IN_CLUSTER_ARGS
from traffic_edge.proxy_protocol_ingress import facts
from traffic_edge.proxy_protocol_ingress.args import Placement
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import DnsServers, HealthCheck, Route
from traffic_edge.proxy_protocol_ingress.plan import (
    GatewayPlan,
    InClusterPlan,
    MetalLbPlan,
    Port,
    haproxy_config,
    plan_proxy_protocol_ingress,
    traefik_trust,
)

HAPROXY_LABELS = {
    "app.kubernetes.io/name": "haproxy",
    "app.kubernetes.io/instance": "edge",
    "app.kubernetes.io/component": "proxy-protocol-edge",
}


def test_in_cluster_defaults_are_applied_once_into_the_plan() -> None:
    plan = plan_proxy_protocol_ingress("edge", IN_CLUSTER_ARGS)
    assert plan.placement is Placement.IN_CLUSTER
    assert plan.ports == (Port("http", 80, 8080, None), Port("https", 443, 8443, None))
    assert plan.in_cluster == InClusterPlan(
        namespace="haproxy-edge",
        replicas=2,
        image=facts.HAPROXY_IMAGE,
        load_balancer_ip="192.168.50.241",
        monitoring_namespace="monitoring",
        metallb=MetalLbPlan(
            addresses=("192.168.50.240/29", "192.168.50.250-192.168.50.252"),
            install=True,
            namespace="metallb-system",
        ),
    )
    assert plan.gateway == GatewayPlan("istio-system", "istio-ingressgateway", {"istio": "ingressgateway"})
    assert plan.haproxy_source_cidrs == ()
    assert plan.authorization_policy is False
    assert plan.haproxy.routes == (Route("http", 80, 8080), Route("https", 443, 8443))
    assert plan.haproxy.servers == DnsServers("edge-gateway-pp.istio-system.svc.cluster.local")
    assert (plan.haproxy.health, plan.haproxy.maxconn) == (HealthCheck(2000, 3, 2), 20000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.name = "other"  # type: ignore[misc]


def test_given_values_win_over_the_defaults() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args.update(
        namespace="edge-lb",
        replicas=3,
        image="registry.example.com/haproxy:2.8",
        gateway={"namespace": "ingress", "deployment": "gw", "selector": {"app": "gw"}},
        health_check={"fall": 5},
        maxconn=100,
    )
    args["metallb"].update(install=False, namespace="metallb")
    plan = plan_proxy_protocol_ingress("edge", args)
    assert plan.in_cluster is not None
    assert (plan.in_cluster.namespace, plan.in_cluster.replicas) == ("edge-lb", 3)
    assert plan.in_cluster.image == "registry.example.com/haproxy:2.8"
    assert (plan.in_cluster.metallb.install, plan.in_cluster.metallb.namespace) == (False, "metallb")
    assert plan.gateway == GatewayPlan("ingress", "gw", {"app": "gw"})
    assert plan.haproxy.servers == DnsServers("edge-gateway-pp.ingress.svc.cluster.local")
    assert (plan.haproxy.health, plan.haproxy.maxconn) == (HealthCheck(2000, 5, 2), 100)


def test_external_haproxy_forwards_to_the_node_ports_of_the_nodes() -> None:
    plan = plan_proxy_protocol_ingress("edge", EXTERNAL_ARGS)
    assert plan.in_cluster is None
    assert plan.haproxy.placement is Placement.EXTERNAL
    assert plan.haproxy.routes == (Route("http", 80, 30080), Route("https", 443, 30443))
    assert plan.haproxy.servers == ("10.20.0.11", "10.20.0.12", "10.20.0.13")
    assert plan.haproxy.health == HealthCheck(1000, 2, 2)
    assert haproxy_config(EXTERNAL_ARGS) == plan.haproxy


@pytest.mark.parametrize(
    ("version", "patch", "api"),
    [
        # AuthorizationPolicy is served as security.istio.io/v1 from Istio 1.17, the oldest
        # the component takes (istio/api PR #2553): every supported Istio gets v1.
        ("1.17", False, "security.istio.io/v1"),
        ("1.18.3", False, "security.istio.io/v1"),
        ("1.19", True, "security.istio.io/v1"),
        ("1.21.9", True, "security.istio.io/v1"),
        ("1.22", True, "security.istio.io/v1"),
        ("1.100", True, "security.istio.io/v1"),
    ],
)
def test_istio_version_picks_the_receiver_and_the_policy_api(version: str, patch: bool, api: str) -> None:
    plan = plan_proxy_protocol_ingress("edge", {**IN_CLUSTER_ARGS, "istio_version": version})
    assert plan.patches_gateway_deployment is patch
    assert plan.authorization_api == api
    # The plan writes v1 alone because the oldest Istio the args take already serves it.
    assert facts.ISTIO_LISTENER_FILTER >= facts.ISTIO_SECURITY_V1


def test_proxy_ports_are_the_gateway_ports_each_once() -> None:
    args = copy.deepcopy(EXTERNAL_ARGS)
    args["ports"].append({"name": "alt", "port": 8443, "target_port": 8080, "node_port": 30081})
    assert plan_proxy_protocol_ingress("edge", args).proxy_ports == [8080, 8443]


def test_traefik_trusts_the_external_haproxy_addresses() -> None:
    expected = {"trusted_cidrs": ["10.20.1.5/32", "10.20.1.6/32"]}
    assert traefik_trust(EXTERNAL_ARGS, "edge") == expected
    assert plan_proxy_protocol_ingress("edge", EXTERNAL_ARGS).traefik_trust == expected


def test_traefik_trusts_the_in_cluster_haproxy_pods_and_their_cidrs_when_given() -> None:
    pods = {"namespace": "haproxy-edge", "match_labels": HAPROXY_LABELS}
    assert traefik_trust(IN_CLUSTER_ARGS, "edge") == {"trusted_pods": pods}
    with_cidrs = {**IN_CLUSTER_ARGS, "haproxy_source_cidrs": ["10.244.0.0/16"], "namespace": "lb"}
    assert traefik_trust(with_cidrs, "edge") == {
        "trusted_cidrs": ["10.244.0.0/16"],
        "trusted_pods": {"namespace": "lb", "match_labels": HAPROXY_LABELS},
    }
