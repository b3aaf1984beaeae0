"""Strict validation of every Kubernetes object against the official OpenAPI schema of
the cluster's Kubernetes version (kubernetes-validate, strict: unknown fields are errors).

Custom resources have no schema in that package; the kinds this project creates are
checked here for apiVersion/kind/metadata and the spec fields their CRDs require.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import kubernetes_validate
import kubernetes_validate.utils

from traffic_edge._shared.names import DNS1123_LABEL, DNS1123_SUBDOMAIN
from traffic_edge._shared.versions import SUPPORTED_MAX, SUPPORTED_MIN, KubeVersion

Check = Callable[[dict[str, Any]], list[str]]

# kubernetes-validate 1.37.0 (utils.validate) parses the JSON schema file of the object's kind and
# the version's whole _definitions.json on every call: about 38 reads per dev plan, 0.24 s of its
# 0.32 s of validation (bench/bench_plan.py). The files never change in a process and validate()
# only reads what it parses, so each is parsed once; the plan output is byte-identical.
if not hasattr(kubernetes_validate.utils.schema_contents, "cache_info"):
    kubernetes_validate.utils.schema_contents = functools.lru_cache(maxsize=None)(
        kubernetes_validate.utils.schema_contents
    )


def _require(spec_paths: list[str]) -> Check:
    def check(manifest: dict[str, Any]) -> list[str]:
        problems = []
        for path in spec_paths:
            node: Any = manifest
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node in (None, [], {}, ""):
                problems.append(f"{path}: required by the CRD schema but missing or empty")
        return problems

    return check


def _middleware(manifest: dict[str, Any]) -> list[str]:
    spec = manifest.get("spec") or {}
    kinds = sorted(spec)
    if len(kinds) != 1:
        return [f"spec: a Middleware configures exactly one middleware, found {kinds}"]
    return []


def _ingress_route(manifest: dict[str, Any]) -> list[str]:
    problems = _require(["spec.routes"])(manifest)
    for i, route in enumerate((manifest.get("spec") or {}).get("routes") or []):
        if not route.get("match"):
            problems.append(f"spec.routes[{i}].match: required")
        if route.get("kind", "Rule") != "Rule":
            problems.append(f"spec.routes[{i}].kind: must be 'Rule'")
    return problems


# (apiVersion, kind) -> check of the fields the CRD's schema requires.
CUSTOM_KINDS: dict[tuple[str, str], Check] = {
    ("cert-manager.io/v1", "Certificate"): _require(["spec.secretName", "spec.issuerRef"]),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _require(["spec.endpoints", "spec.selector"]),
    ("monitoring.coreos.com/v1", "PrometheusRule"): _require(["spec.groups"]),
    ("monitoring.coreos.com/v1", "PodMonitor"): _require(["spec.podMetricsEndpoints", "spec.selector"]),
    ("metallb.io/v1beta1", "IPAddressPool"): _require(["spec.addresses"]),
    ("metallb.io/v1beta1", "L2Advertisement"): lambda m: [],
    ("metallb.io/v1beta1", "BGPAdvertisement"): lambda m: [],
    ("metallb.io/v1beta2", "BGPPeer"): _require(["spec.myASN", "spec.peerASN", "spec.peerAddress"]),
    ("networking.istio.io/v1alpha3", "EnvoyFilter"): _require(["spec.configPatches"]),
    ("security.istio.io/v1", "AuthorizationPolicy"): lambda m: [],
    ("security.istio.io/v1beta1", "AuthorizationPolicy"): lambda m: [],
    ("traefik.io/v1alpha1", "IngressRoute"): _ingress_route,
    ("traefik.io/v1alpha1", "IngressRouteTCP"): _require(["spec.routes"]),
    ("traefik.io/v1alpha1", "Middleware"): _middleware,
    ("traefik.io/v1alpha1", "TLSOption"): lambda m: [],
}


def _schema_version(kubernetes_version: str) -> str:
    version = KubeVersion.parse(kubernetes_version)
    if not SUPPORTED_MIN <= KubeVersion(version.major, version.minor) <= SUPPORTED_MAX:
        raise ValueError(
            f"Kubernetes {kubernetes_version} has no schema here; supported: {SUPPORTED_MIN}–{SUPPORTED_MAX}"
        )
    return f"{version.major}.{version.minor}.0"


def describe(manifest: dict[str, Any]) -> str:
    meta = manifest.get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{manifest.get('apiVersion')}/{manifest.get('kind')} {ns}{meta.get('name')}"


def _metadata(manifest: dict[str, Any]) -> list[str]:
    meta = manifest.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        return ["metadata.name: required"]
    problems = []
    name = str(meta["name"])
    if len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        problems.append(f"metadata.name: {name!r} is not a DNS-1123 subdomain (lower case, digits, '-', '.')")
    ns = meta.get("namespace")
    if ns is not None and (len(str(ns)) > 63 or not DNS1123_LABEL.match(str(ns))):
        problems.append(f"metadata.namespace: {ns!r} is not a DNS-1123 label")
    return problems


HIDDEN = ("[secret]", "(known after apply)")
"""How the offline engine records a secret value and one known only after apply
(traffic_edge.plan.engine.SECRET, UNKNOWN)."""


def _known(value: Any) -> Any:
    """`value` without the fields a plan shows only as secret or as known after apply: their
    type is not known offline, and a field the schema requires still fails when it is missing."""
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items() if v not in HIDDEN}
    if isinstance(value, list):
        return [_known(v) for v in value if v not in HIDDEN]
    return value


def validate_manifest(manifest: dict[str, Any], kubernetes_version: str) -> list[str]:
    """Problems with one object (empty when valid), each as ``<field>: <reason>``; fields whose
    value is secret or known only after apply in the plan are left out of the check."""
    manifest = _known(manifest)
    api_version, kind = manifest.get("apiVersion"), manifest.get("kind")
    if not api_version or not kind:
        return ["apiVersion/kind: required"]
    problems = _metadata(manifest)
    custom = CUSTOM_KINDS.get((str(api_version), str(kind)))
    if custom is not None:
        return problems + custom(manifest)
    if "." in str(api_version).split("/")[0] and not str(api_version).split("/")[0].endswith(".k8s.io"):
        return [*problems, f"apiVersion/kind: no schema known for custom kind {api_version} {kind}"]
    try:
        kubernetes_validate.validate(manifest, _schema_version(kubernetes_version), strict=True)
    except kubernetes_validate.ValidationError as err:
        path = ".".join(str(p) for p in err.path) or "(object)"
        problems.append(f"{path}: {str(err).splitlines()[0]}")
    except kubernetes_validate.SchemaNotFoundError:
        problems.append(
            f"apiVersion/kind: {api_version} {kind} does not exist in Kubernetes {kubernetes_version}"
        )
    return problems
