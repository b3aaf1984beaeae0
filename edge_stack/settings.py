"""The validated settings of one stack: what the stack program builds from.

Below the config loader and the cross-section checks (it imports only the section table), so the config loader, the section
table and the cross-section checks can all use it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Required, TypedDict

from edge_stack.sections import Section
from traffic_edge._shared.problems import MapKey, Path

PROJECT = "traffic-edge"


def config_key(name: str, *rest: str | int) -> Path:
    """The path of a stack config value: ``config_key("squid", "replicas")`` renders
    ``traffic-edge:squid.replicas``; field names are given in snake_case."""
    return Path((MapKey(f"{PROJECT}:{name}"), *rest))


class ClusterConfig(TypedDict, total=False):
    """A Kubernetes cluster the stack deploys into."""

    context: Required[str]
    """The kubeconfig context of the cluster (`kubectl config get-contexts`)."""
    kubernetes_version: Required[str]
    """The cluster's Kubernetes version, e.g. "1.33": manifests are validated against its schema and
    version-dependent features (trafficDistribution, minDomains) are chosen by it."""
    kubeconfig: str
    """Path to a kubeconfig file; default: the provider's ($KUBECONFIG or ~/.kube/config)."""
    namespace: str
    """Default namespace for objects that do not name one."""


class AwsConfig(TypedDict, total=False):
    """The AWS provider of the stack."""

    region: Required[str]
    """AWS region, e.g. ap-northeast-2."""
    allowed_account_ids: list[str]
    """Refuse to run against any other AWS account (protects the egress IPs of other environments)."""


class AzureConfig(TypedDict, total=False):
    """The Azure provider of the stack."""

    location: Required[str]
    """Azure region, e.g. koreacentral."""
    subscription_id: str
    """Subscription to deploy into; default: the one the Azure CLI / environment selects."""


@dataclass(frozen=True)
class Cluster:
    name: str
    context: str
    kubernetes_version: str
    kubeconfig: str | None = None
    namespace: str | None = None


@dataclass(frozen=True)
class ComponentSettings:
    section: Section
    name: str
    cluster: Cluster | None
    args: dict[str, Any]


@dataclass
class StackSettings:
    stack: str
    clusters: dict[str, Cluster] = field(default_factory=dict)
    aws: dict[str, Any] | None = None
    azure: dict[str, Any] | None = None
    components: dict[str, ComponentSettings] = field(default_factory=dict)
