"""Parse and validate a stack's whole config before anything is registered.

Every problem in the file is reported at once, each with its full config key as the user
wrote it (``traffic-edge:squid.allowedDomains``), the bad value and what is allowed. The
components' own validators are the source of truth for their args; this layer adds the
config shape (unknown keys, types), the cluster references and the checks that span
sections (`edge_stack.cross_checks`).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, get_args

from edge_stack.cross_checks import CROSS_CHECKS, WIRING
from edge_stack.sections import SECTIONS, Section, load_ref
from edge_stack.settings import (
    PROJECT,
    AwsConfig,
    AzureConfig,
    Cluster,
    ClusterConfig,
    ComponentSettings,
    StackSettings,
    config_key,
)
from edge_stack.typed import coerce_object, hints_of, is_typeddict
from traffic_edge._shared import checks
from traffic_edge._shared.problems import (
    REDACTED,
    ArgsError,
    MapKey,
    Path,
    Problem,
    Secret,
    invalid,
    is_secret_name,
    missing,
    unknown,
)
from traffic_edge._shared.versions import SUPPORTED_MAX, SUPPORTED_MIN, KubeVersion

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
_ACCOUNT = re.compile(r"^\d{12}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_NAME_RULE = "name: lower-case letters, digits and '-', at most 63 characters"
TOP_LEVEL = ("clusters", "aws", "azure", *(s.key for s in SECTIONS))


def decode(raw: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> dict[str, Any]:
    """Config as the engine hands it over (full keys, objects as JSON text) -> plain values.

    Only this project's namespace is read; a key whose namespace is a misspelling of it
    (``trafic-edge:squid``) is kept under its full key, so `load` reports it instead of
    silently dropping the section. In a key the engine marks secret (`secret_keys`), every
    value whose key names a secret and every offline stand-in for an encrypted value
    becomes a `Secret`: it is never shown in a problem and goes to providers as a secret.
    """
    secret = set(secret_keys)
    out: dict[str, Any] = {}
    for full_key, value in raw.items():
        namespace, _, key = full_key.partition(":")
        if namespace != PROJECT or ":" in key:  # a key like `traffic-edge:aws:` is reported whole
            if namespace != PROJECT and difflib.SequenceMatcher(None, namespace, PROJECT).ratio() < 0.8:
                continue
            key = full_key
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        out[key] = _secrets(value, whole=full_key in secret) if full_key in secret else value
    return out


def _secrets(value: Any, *, whole: bool = False, named: bool = False) -> Any:
    """`value` with its secret strings wrapped in `Secret` (see `decode`)."""
    if isinstance(value, dict):
        return {k: _secrets(v, named=is_secret_name(str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_secrets(v, named=named) for v in value]
    if isinstance(value, str) and (whole or named or value == REDACTED):
        return Secret(value)
    return value


def _unknown_top_level(raw_config: Mapping[str, Any]) -> list[Problem]:
    known = [f"{PROJECT}:{k}" for k in TOP_LEVEL]
    return [
        unknown(Path((MapKey(key if ":" in key else f"{PROJECT}:{key}"),)), raw_config[key], known)
        for key in sorted(set(raw_config) - set(TOP_LEVEL))
    ]


def _kubernetes_version(version: object, at: Path) -> list[Problem]:
    kv = KubeVersion.try_parse(version) if isinstance(version, str) else None
    if kv is not None and SUPPORTED_MIN <= KubeVersion(kv.major, kv.minor) <= SUPPORTED_MAX:
        return []
    return [
        invalid(at, version, f"a Kubernetes version from {SUPPORTED_MIN} to {SUPPORTED_MAX}, like '1.33'")
    ]


def _cluster(name: str, body: Any, problems: list[Problem]) -> Cluster | None:
    at = config_key("clusters", MapKey(name))
    found: list[Problem] = checks.dns_label(name, at, f"a cluster {_NAME_RULE}")
    parsed = coerce_object(body, ClusterConfig, at, found)
    version = parsed.get("kubernetes_version")
    if isinstance(version, str):
        found += _kubernetes_version(version, at / "kubernetes_version")
    context = parsed.get("context")
    if isinstance(context, str) and not context.strip():
        # An empty context makes the Kubernetes provider use the kubeconfig's current one.
        found.append(invalid(at / "context", context, "the name of a kubeconfig context, not empty"))
    if "namespace" in parsed and isinstance(parsed["namespace"], str):
        found += checks.dns_label(parsed["namespace"], at / "namespace")
    found += _kubeconfig(parsed.get("kubeconfig"), name, at / "kubeconfig")
    problems += found
    if found:
        return None
    return Cluster(name, parsed["context"], version or "", parsed.get("kubeconfig"), parsed.get("namespace"))


def _kubeconfig(value: object, cluster: str, at: Path) -> list[Problem]:
    """A kubeconfig's path, or its contents as a secret: never its credentials in clear text."""
    if not isinstance(value, str) or isinstance(value, Secret) or not is_kubeconfig_text(value):
        return []
    how = f"pulumi config set --secret --path '{PROJECT}:clusters.{cluster}.kubeconfig' \"$(cat FILE)\""
    return [invalid(at, Secret(value), f"a kubeconfig file's path; its contents only encrypted: {how}")]


def is_kubeconfig_text(value: str) -> bool:
    """Kubeconfig contents rather than a path (a path has no newline and is not JSON/YAML)."""
    return "\n" in value or value.lstrip().startswith(("{", "apiVersion"))


def _clusters(raw: Any, problems: list[Problem]) -> dict[str, Cluster]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(
            invalid(config_key("clusters"), raw, "a map of cluster names to {context, kubernetesVersion}")
        )
        return {}
    clusters = {str(name): _cluster(str(name), body, problems) for name, body in raw.items()}
    return {name: c for name, c in clusters.items() if c is not None}


def _aws(raw: Any, problems: list[Problem]) -> dict[str, Any] | None:
    if raw is None:
        return None
    parsed = coerce_object(raw, AwsConfig, config_key("aws"), problems)
    region = parsed.get("region")
    if isinstance(region, str) and not _REGION.match(region):
        problems.append(
            invalid(
                config_key("aws", "region"), region, "an AWS region code like 'ap-northeast-2' or 'us-east-1'"
            )
        )
    accounts = parsed.get("allowed_account_ids")
    for i, account in enumerate(accounts if isinstance(accounts, list) else []):
        if isinstance(account, str) and not _ACCOUNT.match(account):
            problems.append(
                invalid(config_key("aws", "allowed_account_ids", i), account, "a 12-digit AWS account id")
            )
    return parsed


def _azure(raw: Any, problems: list[Problem]) -> dict[str, Any] | None:
    if raw is None:
        return None
    parsed = coerce_object(raw, AzureConfig, config_key("azure"), problems)
    location = parsed.get("location")
    if isinstance(location, str) and not re.fullmatch(r"[a-z0-9]+", location):
        problems.append(
            invalid(config_key("azure", "location"), location, "an Azure region name like 'koreacentral'")
        )
    sub = parsed.get("subscription_id")
    if isinstance(sub, str) and not _UUID.match(sub.lower()):
        problems.append(invalid(config_key("azure", "subscription_id"), sub, "a subscription id (a GUID)"))
    return parsed


def _cluster_of(
    section: Section, raw: Mapping[str, Any], settings: StackSettings, defined: set[str]
) -> tuple[Cluster | None, list[Problem]]:
    if "kubernetes" not in section.needs:
        return None, []
    name = raw.get("cluster")
    if isinstance(name, str) and name in settings.clusters:
        return settings.clusters[name], []
    if isinstance(name, str) and name in defined:
        return None, []  # defined, but invalid: its own problems are reported already
    known = ", ".join(sorted(settings.clusters)) or "none defined under traffic-edge:clusters"
    at = config_key(section.key, "cluster")
    if name is None:
        return None, [missing(at, f"the name of a cluster in traffic-edge:clusters ({known})")]
    return None, [invalid(at, name, f"the name of a cluster in traffic-edge:clusters ({known})")]


def _platforms(section: Section, settings: StackSettings) -> list[Problem]:
    present = {"aws": settings.aws, "azure": settings.azure}
    return [
        missing(
            config_key(platform),
            f"the {platform.upper() if platform == 'aws' else 'Azure'} provider settings, which traffic-edge:{section.key} needs",
        )
        for platform in ("aws", "azure")
        if platform in section.needs and present[platform] is None
    ]


def _component(
    section: Section,
    raw: Any,
    settings: StackSettings,
    defined: set[str],
    raw_sections: set[str],
    problems: list[Problem],
) -> ComponentSettings | None:
    at = config_key(section.key)
    if not isinstance(raw, dict):
        problems.append(invalid(at, raw, f"a map of the {section.component.rsplit(':', 1)[1]} args"))
        return None
    args_type = load_ref(section.args_type)
    found: list[Problem] = []
    args = coerce_object(
        raw,
        args_type,
        at,
        found,
        extra_keys=["name", "cluster"] if "kubernetes" in section.needs else ["name"],
    )
    name = raw.get("name", section.default_name)
    cluster, cluster_problems = _cluster_of(section, raw, settings, defined)
    found += cluster_problems + _platforms(section, settings)
    if (
        cluster is not None
        and "kubernetes_version" in hints_of(args_type)
        and "kubernetes_version" not in args
    ):
        args["kubernetes_version"] = cluster.kubernetes_version
    shape_bad = {_top(p, at) for p in found}
    if cluster is None and "kubernetes" in section.needs:
        shape_bad.add("kubernetes_version")  # it comes from the cluster, whose problem is reported
    wiring = WIRING.get(section.key)
    if wiring is not None:
        if wiring.source in raw_sections and (wiring.source not in settings.components or cluster is None):
            shape_bad.update(wiring.keys)  # the source is invalid: what it would fill is not missing
        args = wiring.fill(args, settings, cluster.name if cluster else None)
    semantic = _semantic(section, args, name, at, shape_bad)
    if cluster is not None and "kubernetes_version" not in raw:
        semantic = [_on_cluster(p, at, cluster.name, section.key) for p in semantic]
    found += semantic
    problems += found
    return None if found else ComponentSettings(section, str(name), cluster, args)


def _on_cluster(problem: Problem, at: Path, cluster: str, section: str) -> Problem:
    """A problem with the Kubernetes version the section took from its cluster: under the
    cluster's key, which is where the file says it."""
    if _top(problem, at) != "kubernetes_version":
        return problem
    where = config_key("clusters", MapKey(cluster), "kubernetes_version")
    return replace(
        problem, path=where, allowed=f"{problem.allowed} (for traffic-edge:{section} on this cluster)"
    )


def _top(problem: Problem, at: Path) -> object:
    """The section's top-level arg a problem is about (``replicas`` for ``squid.replicas``)."""
    parts = problem.path.parts
    return parts[len(at.parts)] if problem.path.startswith(at) and len(parts) > len(at.parts) else None


def _semantic(
    section: Section, args: dict[str, Any], name: object, at: Path, shape_bad: set[object]
) -> list[Problem]:
    """The component's own validator, on the args whose shape is right (one message per bad
    value), and on its resource name: everything the component would refuse, refused here
    before any resource (a provider included) is registered."""
    validate: Callable[[Any, Any], list[Problem]] = load_ref(section.validator)
    good = {k: v for k, v in args.items() if k not in shape_bad}
    return [q for q in (p.within(at) for p in validate(good, name)) if _top(q, at) not in shape_bad]


def _encrypted_whole(raw_config: Mapping[str, Any]) -> list[Problem]:
    """A key encrypted as a whole: offline, nothing in it can be read or checked."""
    how = "encrypt only its secret values, with pulumi config set --secret --path '<key>.<field>'"
    return [
        invalid(config_key(key), value, f"an object in clear text: {how}")
        for key, value in raw_config.items()
        if isinstance(value, Secret) and value == REDACTED and key in TOP_LEVEL
    ]


@functools.cache
def arg_names() -> frozenset[str]:
    """Every snake_case key of every section's args, nested ones included."""
    names: set[str] = set()
    todo = [load_ref(s.args_type) for s in SECTIONS] + [ClusterConfig, AwsConfig, AzureConfig]
    seen: set[int] = set()
    while todo:
        tp = todo.pop()
        if id(tp) in seen:
            continue
        seen.add(id(tp))
        for name, hint in hints_of(tp).items():
            names.add(name)
            todo += [t for t in _typeddicts_in(hint)]
    return frozenset(n for n in names if "_" in n)


def _typeddicts_in(hint: Any) -> list[Any]:
    if is_typeddict(hint):
        return [hint]
    return [t for arg in get_args(hint) for t in _typeddicts_in(arg)]


def load(stack: str, raw_config: Mapping[str, Any]) -> StackSettings:
    """Validate `raw_config` (keys without the project prefix) or raise ArgsError with all problems."""
    problems = _unknown_top_level(raw_config) + _encrypted_whole(raw_config)
    raw_config = {k: v for k, v in raw_config.items() if not (isinstance(v, Secret) and v == REDACTED)}
    settings = StackSettings(stack)
    settings.clusters = _clusters(raw_config.get("clusters"), problems)
    settings.aws = _aws(raw_config.get("aws") or None, problems)
    settings.azure = _azure(raw_config.get("azure") or None, problems)
    if not raw_config.get("clusters") and any(
        raw_config.get(s.key) for s in SECTIONS if "kubernetes" in s.needs
    ):
        problems.append(missing(config_key("clusters"), "the Kubernetes clusters the components go to"))
    raw_clusters = raw_config.get("clusters")
    defined = {str(k) for k in raw_clusters} if isinstance(raw_clusters, dict) else set()
    present = {s.key for s in SECTIONS if raw_config.get(s.key) not in (None, {})}
    for section in SECTIONS:
        if raw_config.get(section.key) in (None, {}):
            continue
        parsed = _component(section, raw_config[section.key], settings, defined, present, problems)
        if parsed is not None:
            settings.components[section.key] = parsed
    if not problems:
        for check in CROSS_CHECKS:
            problems.extend(check(settings))
    if problems:
        raise ArgsError(
            f"stack {stack!r}: the config in Pulumi.{stack}.yaml", problems, style="config", keys=arg_names()
        )
    return settings
