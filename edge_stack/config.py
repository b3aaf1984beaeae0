"""Parse and validate a stack's whole config before anything is registered.

Every problem in the file is reported at once, each with its full config key
(``traffic-edge:squid.replicas``), the bad value and what is allowed. The components'
own validators are the source of truth for their args; this layer adds the config shape
(unknown keys, types), the cluster references and the checks that span components.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict

from edge_stack.sections import CROSS_CHECKS, SECTIONS, Section, load_ref
from edge_stack.typed import camel, camel_key, coerce_object, hints_of
from traffic_edge._shared.problems import ArgsError, Problem
from traffic_edge._shared.versions import SUPPORTED_MAX, SUPPORTED_MIN, KubeVersion

PROJECT = "traffic-edge"


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


_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
_ACCOUNT = re.compile(r"^\d{12}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _key(name: str) -> str:
    return f"{PROJECT}:{name}"


def decode(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Config as the engine hands it over (full keys, objects as JSON text) -> plain values."""
    out: dict[str, Any] = {}
    for full_key, value in raw.items():
        if not full_key.startswith(f"{PROJECT}:"):
            continue
        key = full_key.split(":", 1)[1]
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        out[key] = value
    return out


def _clusters(raw: Any, problems: list[Problem]) -> dict[str, Cluster]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(
            Problem(_key("clusters"), raw, "must be a map of cluster name -> {context, kubernetesVersion}")
        )
        return {}
    clusters = {}
    for name, body in raw.items():
        key = _key(f"clusters.{name}")
        if not _NAME.match(str(name)):
            problems.append(Problem(key, name, "a cluster name is lower case letters, digits and '-'"))
        parsed = coerce_object(body, ClusterConfig, key, problems)
        version = parsed.get("kubernetes_version")
        if isinstance(version, str):
            kv = KubeVersion.try_parse(version)
            if kv is None or not SUPPORTED_MIN <= KubeVersion(kv.major, kv.minor) <= SUPPORTED_MAX:
                problems.append(
                    Problem(
                        f"{key}.kubernetesVersion",
                        version,
                        f"a Kubernetes version from {SUPPORTED_MIN} to {SUPPORTED_MAX}, like '1.33'",
                    )
                )
        if isinstance(parsed.get("context"), str) and isinstance(version, str):
            clusters[str(name)] = Cluster(
                str(name), parsed["context"], version, parsed.get("kubeconfig"), parsed.get("namespace")
            )
    return clusters


def _aws(raw: Any, problems: list[Problem]) -> dict[str, Any] | None:
    if raw is None:
        return None
    parsed = coerce_object(raw, AwsConfig, _key("aws"), problems)
    region = parsed.get("region")
    if isinstance(region, str) and not _REGION.match(region):
        problems.append(
            Problem(_key("aws.region"), region, "an AWS region code like 'ap-northeast-2' or 'us-east-1'")
        )
    for i, account in enumerate(parsed.get("allowed_account_ids") or []):
        if isinstance(account, str) and not _ACCOUNT.match(account):
            problems.append(
                Problem(_key(f"aws.allowedAccountIds[{i}]"), account, "a 12-digit AWS account id")
            )
    return parsed


def _azure(raw: Any, problems: list[Problem]) -> dict[str, Any] | None:
    if raw is None:
        return None
    parsed = coerce_object(raw, AzureConfig, _key("azure"), problems)
    location = parsed.get("location")
    if isinstance(location, str) and not re.fullmatch(r"[a-z0-9]+", location):
        problems.append(Problem(_key("azure.location"), location, "an Azure region name like 'koreacentral'"))
    sub = parsed.get("subscription_id")
    if isinstance(sub, str) and not _UUID.match(sub.lower()):
        problems.append(Problem(_key("azure.subscriptionId"), sub, "a subscription id (a GUID)"))
    return parsed


def _top_arg(full_key: str, section_key: str) -> str:
    """`traffic-edge:squid.ports[0].port` -> `ports` (the section's top-level arg)."""
    rest = full_key[len(section_key) + 1 :] if full_key.startswith(section_key + ".") else full_key
    return re.split(r"[.\[]", rest, maxsplit=1)[0]


def _component(
    section: Section, raw: Any, settings: StackSettings, problems: list[Problem]
) -> ComponentSettings | None:
    key = _key(section.key)
    args_type = load_ref(section.args_type)
    extra = ["name"] + (["cluster"] if "kubernetes" in section.needs else [])
    found: list[Problem] = []
    args = coerce_object(raw, args_type, key, found, extra_keys=extra)
    name = raw.get("name", section.default_name) if isinstance(raw, dict) else section.default_name
    if not isinstance(name, str) or not _NAME.match(name):
        found.append(Problem(f"{key}.name", name, "lower case letters, digits and '-'"))
    cluster = None
    if "kubernetes" in section.needs:
        cluster_name = raw.get("cluster") if isinstance(raw, dict) else None
        if cluster_name not in settings.clusters:
            known = ", ".join(sorted(settings.clusters)) or "none defined under traffic-edge:clusters"
            found.append(
                Problem(
                    f"{key}.cluster",
                    cluster_name,
                    f"the name of a cluster in traffic-edge:clusters ({known})",
                )
            )
        else:
            cluster = settings.clusters[cluster_name]
            if "kubernetes_version" in hints_of(args_type) and "kubernetes_version" not in args:
                args["kubernetes_version"] = cluster.kubernetes_version
    for platform, present in (("aws", settings.aws), ("azure", settings.azure)):
        if platform in section.needs and present is None:
            found.append(Problem(_key(platform), None, f"required by traffic-edge:{section.key}"))
    # The component's validator runs too, so that every problem is listed in one go; the
    # args whose shape is already wrong are left out of it (one message per bad value).
    shape_bad = {_top_arg(p.key, key) for p in found}
    validate: Callable[[Any], list[Problem]] = load_ref(section.validator)
    try:
        semantic = validate({k: v for k, v in args.items() if camel(k) not in shape_bad})
    except (TypeError, AttributeError, ValueError, KeyError):
        if not found:
            raise
        semantic = []
    found.extend(
        Problem(camel_key(key, p.key), p.value, p.allowed)
        for p in semantic
        if _top_arg(camel_key(key, p.key), key) not in shape_bad
    )
    problems.extend(found)
    if found:
        return None
    return ComponentSettings(section, str(name), cluster, args)


def load(stack: str, raw_config: Mapping[str, Any]) -> StackSettings:
    """Validate `raw_config` (keys without the project prefix) or raise ArgsError with all problems."""
    problems: list[Problem] = []
    known = {"clusters", "aws", "azure", *(s.key for s in SECTIONS)}
    for key in sorted(set(raw_config) - known):
        problems.append(
            Problem(
                _key(key),
                raw_config[key],
                "unknown config key; known: " + ", ".join(_key(k) for k in sorted(known)),
            )
        )
    settings = StackSettings(stack)
    settings.clusters = _clusters(raw_config.get("clusters"), problems)
    settings.aws = _aws(raw_config.get("aws") or None, problems)
    settings.azure = _azure(raw_config.get("azure") or None, problems)
    if not raw_config.get("clusters") and any(
        raw_config.get(s.key) for s in SECTIONS if "kubernetes" in s.needs
    ):
        problems.append(
            Problem(_key("clusters"), None, "required: the Kubernetes clusters the components go to")
        )
    for section in SECTIONS:
        if raw_config.get(section.key) in (None, {}):
            continue
        parsed = _component(section, raw_config[section.key], settings, problems)
        if parsed is not None:
            settings.components[section.key] = parsed
    if not problems:
        for check in CROSS_CHECKS:
            problems.extend(check(settings))
    if problems:
        raise ArgsError(f"stack {stack!r}: the config in Pulumi.{stack}.yaml", problems)
    return settings
