"""Turn a plain manifest dict into the matching pulumi_kubernetes resource.

Components build their Kubernetes objects as plain, camelCase manifests with pure
functions (so they can be unit-tested and validated against the OpenAPI schema without
Pulumi), then hand each one to `create`. Built-in kinds become their typed classes (so
the provider knows their schema and await logic); anything else is a CRD instance and
becomes a `CustomResource`.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

# apiVersion group -> pulumi_kubernetes module name
_GROUP_MODULES = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "policy": "policy",
    "autoscaling": "autoscaling",
    "networking.k8s.io": "networking",
    "rbac.authorization.k8s.io": "rbac",
    "admissionregistration.k8s.io": "admissionregistration",
    "scheduling.k8s.io": "scheduling",
    "coordination.k8s.io": "coordination",
    "discovery.k8s.io": "discovery",
}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def resource_class(api_version: str, kind: str) -> type[pulumi.CustomResource] | None:
    """The typed pulumi_kubernetes class for a built-in kind, or None for a CRD kind."""
    group, _, version = api_version.rpartition("/")
    module_name = _GROUP_MODULES.get(group)
    if module_name is None:
        return None
    module = getattr(getattr(k8s, module_name, None), version, None)
    cls = getattr(module, kind, None)
    return cls if isinstance(cls, type) and issubclass(cls, pulumi.CustomResource) else None


def create(
    resource_name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions
) -> pulumi.CustomResource:
    """Register `manifest` as a resource named `resource_name`.

    Top-level fields become the class's keyword arguments (snake_case); everything below
    them is passed as given, so the engine receives the manifest's own camelCase names.
    """
    api_version = manifest["apiVersion"]
    kind = manifest["kind"]
    fields = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    cls = resource_class(api_version, kind)
    if cls is None:
        return k8s.apiextensions.CustomResource(
            resource_name, api_version=api_version, kind=kind, opts=opts, **fields
        )
    kwargs: dict[str, Any] = {_snake(k): v for k, v in fields.items()}
    return cls(resource_name, opts=opts, **kwargs)
