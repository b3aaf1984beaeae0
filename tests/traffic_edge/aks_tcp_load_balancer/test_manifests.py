"""The Service and Namespace manifests of a plan: exact, and valid Kubernetes objects."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.aks_seed import seed
from traffic_edge.aks_tcp_load_balancer.annotations import build_annotations
from traffic_edge.aks_tcp_load_balancer.manifests import namespace_manifest, service_manifest
from traffic_edge.aks_tcp_load_balancer.plan import plan_aks_tcp_load_balancer
from traffic_edge.aks_tcp_load_balancer.validate import validate_aks_tcp_load_balancer_args
from traffic_edge.plan.kube_schema import validate_manifest


def service(args: dict[str, Any]) -> dict[str, Any]:
    assert validate_aks_tcp_load_balancer_args(args) == []
    plan = plan_aks_tcp_load_balancer("kimmap", args)
    return service_manifest(plan, build_annotations(plan)[0])


def test_seed_service_has_exact_metadata_and_spec() -> None:
    plan = plan_aks_tcp_load_balancer("kimmap", seed())
    annotations = build_annotations(plan)[0]
    assert service_manifest(plan, annotations) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kimmap-backend-tcp", "namespace": "kimmap", "annotations": annotations},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "kimmap-backend"},
            "ports": [{"name": "tcp-client", "protocol": "TCP", "port": 9999, "targetPort": 8888}],
            "externalTrafficPolicy": "Cluster",
            "sessionAffinity": "None",
        },
    }


def test_target_port_is_the_pods_number_or_its_port_name() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888},
        {"name": "admin", "port": 8443, "target_port_name": "admin"},
    ]
    assert service(seed(ports=ports))["spec"]["ports"] == [
        {"name": "tcp-client", "protocol": "TCP", "port": 9999, "targetPort": 8888},
        {"name": "admin", "protocol": "TCP", "port": 8443, "targetPort": "admin"},
    ]


def test_policy_session_affinity_and_source_ranges_go_to_the_spec() -> None:
    spec = service(
        seed(
            external_traffic_policy="Local",
            session_affinity="ClientIP",
            load_balancer_source_ranges=["203.0.113.0/24", "198.51.100.7/32"],
        )
    )["spec"]
    assert spec["externalTrafficPolicy"] == "Local"
    assert spec["sessionAffinity"] == "ClientIP"
    assert spec["loadBalancerSourceRanges"] == ["203.0.113.0/24", "198.51.100.7/32"]


def test_allowed_ip_ranges_leave_the_spec_open_to_the_nsg() -> None:
    args = seed(allowed_ip_ranges=["203.0.113.0/24"], kubernetes_version="1.29")
    assert "loadBalancerSourceRanges" not in service(args)["spec"]


def test_created_namespace_enforces_restricted_pod_security() -> None:
    assert namespace_manifest("kimmap") == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "kimmap",
            "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    }


@pytest.mark.parametrize("kube", ["1.25", "1.30", "1.33"])
def test_manifests_are_valid_kubernetes_objects(kube: str) -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888},
        {"name": "admin", "port": 8443, "target_port_name": "admin", "probe_protocol": "Http"},
    ]
    for args in (
        seed(ports=ports, session_affinity="ClientIP"),
        seed(external_traffic_policy="Local", load_balancer_source_ranges=["203.0.113.0/24"]),
    ):
        assert validate_manifest(service(args), kube) == []
    assert validate_manifest(namespace_manifest("kimmap"), kube) == []
