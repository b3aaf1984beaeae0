"""The Kubernetes manifests of a plan: the LoadBalancer Service and, if asked for, its namespace.

Plain camelCase dicts, validated against the Kubernetes OpenAPI schema in the tests and
registered by `traffic_edge._shared.k8s_objects.create`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from traffic_edge.aks_tcp_load_balancer.plan import AksLoadBalancerPlan


def service_manifest(plan: AksLoadBalancerPlan, annotations: Mapping[str, str]) -> dict[str, Any]:
    """The Service of type LoadBalancer, carrying `annotations` (see `build_annotations`)."""
    spec: dict[str, Any] = {
        "type": "LoadBalancer",
        "selector": dict(plan.selector),
        "ports": [
            {"name": p.name, "protocol": "TCP", "port": p.port, "targetPort": p.target_port}
            for p in plan.ports
        ],
        "externalTrafficPolicy": plan.external_traffic_policy.value,
        "sessionAffinity": plan.session_affinity.value,
    }
    if plan.dual_stack:
        # Require, not prefer: on a single-stack cluster the Service is refused instead of quietly IPv4-only.
        spec["ipFamilyPolicy"] = "RequireDualStack"
        spec["ipFamilies"] = ["IPv4", "IPv6"]
    if plan.load_balancer_source_ranges is not None:
        spec["loadBalancerSourceRanges"] = list(plan.load_balancer_source_ranges)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": plan.service_name,
            "namespace": plan.namespace,
            "annotations": dict(annotations),
        },
        "spec": spec,
    }


def namespace_manifest(name: str) -> dict[str, Any]:
    """A namespace that enforces (and audits, and warns about) the restricted pod security level."""
    restricted = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": restricted}}
