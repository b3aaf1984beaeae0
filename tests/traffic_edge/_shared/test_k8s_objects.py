"""A manifest dict becomes the typed pulumi_kubernetes class, or a CustomResource for a CRD kind."""

from __future__ import annotations

import pulumi_kubernetes as k8s

from traffic_edge._shared.k8s_objects import resource_class


def test_built_in_kinds_get_their_typed_class() -> None:
    assert resource_class("apps/v1", "Deployment") is k8s.apps.v1.Deployment
    assert resource_class("v1", "ConfigMap") is k8s.core.v1.ConfigMap
    assert resource_class("networking.k8s.io/v1", "NetworkPolicy") is k8s.networking.v1.NetworkPolicy
    assert resource_class("policy/v1", "PodDisruptionBudget") is k8s.policy.v1.PodDisruptionBudget


def test_crd_kinds_and_unknown_versions_are_none() -> None:
    assert resource_class("traefik.io/v1alpha1", "IngressRoute") is None
    assert resource_class("monitoring.coreos.com/v1", "ServiceMonitor") is None
    assert resource_class("apps/v9", "Deployment") is None
