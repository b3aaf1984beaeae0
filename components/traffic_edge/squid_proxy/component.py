"""`SquidProxy`: Squid egress allowlist proxy pods spread over availability zones, behind one stable Service.

Seed 000 replaced two EC2 tinyproxy boxes (hangs, no GitOps, no visibility) with Squid pods that
other pods use as `HTTP_PROXY`, each pod egressing through the NAT gateway of its own zone. This
component is that deployment, built as plain Kubernetes objects by pure functions of the args:

- the squid.conf (traffic_edge/squid_proxy/squid_conf.py) in a ConfigMap, its checksum on the pod template so
  a config change rolls the pods;
- a Deployment whose pods are spread hard over the listed zones (maxSkew 1, DoNotSchedule,
  minDomains = zones) and softly over nodes, restricted pod security, squid-exporter sidecar,
  and a drain on shutdown that the termination grace period is checked to cover;
- a Service whose local-zone routing is chosen by the cluster's Kubernetes version
  (`local_zone_routing`), a PodDisruptionBudget, an optional HPA and ServiceMonitor, a
  NetworkPolicy, and the Grafana dashboard ConfigMap.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Required, TypedDict, cast

import pulumi

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.names import DNS1035_LABEL, DNS1123_LABEL, LABEL_VALUE, is_int
from traffic_edge._shared.problems import Problem, raise_if
from traffic_edge._shared.versions import KubeVersion
from traffic_edge.squid_proxy.dashboard import dashboard_configmap
from traffic_edge.squid_proxy.squid_conf import (
    DEFAULT_SHUTDOWN_LIFETIME_SECONDS,
    PID_FILE,
    PROXY_PORT,
    SPOOL_DIR,
    SquidConfArgs,
    render_squid_conf,
    validate_squid_conf_args,
)

SQUID_IMAGE = "ubuntu/squid:6.13-25.04_beta"
"""Pinned: the tag the seed's chart ships (Squid 6.13)."""
EXPORTER_IMAGE = "boynux/squid-exporter:v1.13.0"
"""v1.13.0 reads `/squid-internal-mgr/` (the `cache_object://` scheme is gone in Squid 7)."""
EXPORTER_PORT = 9301
SQUID_UID = 13
"""Squid's `proxy` user: running as it from the start lets Squid open /dev/stdout for the access log."""
PRESTOP_DELAY_SECONDS = 5
"""Sleep before `squid -k shutdown`, so the endpoint is gone from every kube-proxy before the port closes."""
CONF_DIR = "/etc/squid/traffic-edge"
ZONE_LABEL = "topology.kubernetes.io/zone"

_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
_MEMORY = re.compile(r"^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEM_FACTOR = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


class Profile(StrEnum):
    """How strict the placement rules are."""

    PRODUCTION = "production"
    """At least 2 zones, hard zone spread (DoNotSchedule): a zone outage must not take egress down."""
    DEVELOPMENT = "development"
    """One zone is enough and the zone spread may be soft: kind/minikube clusters have a single zone."""


class ZoneSpread(StrEnum):
    """`whenUnsatisfiable` of the zone topologySpreadConstraint."""

    DO_NOT_SCHEDULE = "DoNotSchedule"
    SCHEDULE_ANYWAY = "ScheduleAnyway"


class ResourcesArgs(TypedDict, total=False):
    """Requests and limits of the Squid container (Kubernetes quantities)."""

    cpu_request: str
    """Default `"100m"`. Also what the HPA's CPU utilization is measured against."""
    memory_request: str
    """Default `"128Mi"`."""
    cpu_limit: str
    """Default `"1"`."""
    memory_limit: str
    """Default `"256Mi"`; at least `memory_request`. Squid keeps no cache here, so memory is per connection."""


DEFAULT_RESOURCES: ResourcesArgs = {
    "cpu_request": "100m",
    "memory_request": "128Mi",
    "cpu_limit": "1",
    "memory_limit": "256Mi",
}


class AutoscalingArgs(TypedDict, total=False):
    """A HorizontalPodAutoscaler between `replicas` and `max_replicas` on CPU."""

    max_replicas: Required[int]
    """Upper bound; at least `replicas`."""
    target_cpu_percent: int
    """Average CPU utilization (of `resources.cpu_request`) the HPA keeps, 10-100. Default 70."""


class SquidProxyArgs(TypedDict, total=False):
    """Args of `SquidProxy`. Plain values, not Outputs: the config text, its checksum and the placement
    rules are computed and validated at preview.

    The squid.conf keys repeat `SquidConfArgs` (not inherited: the Pulumi schema analyzer reads each
    field's docstring from this class only).
    """

    allowed_source_cidrs: Required[Sequence[str]]
    """Client networks Squid accepts (the pod CIDRs of the client namespaces); `/0` is refused: that
    would be an open proxy."""
    allowed_domains: Sequence[str]
    """Destination hosts: `api.slack.com` matches that host, `.slack.com` slack.com and every subdomain
    (not `evilslack.com`). At least one of this and `allowed_destination_cidrs`."""
    allowed_destination_cidrs: Sequence[str]
    """Destination networks reachable by IP; must not overlap the always-denied link-local/metadata
    ranges. Default: none."""
    http_ports: Sequence[int]
    """Destination ports for plain HTTP. Default `[80]`; `[]` makes the proxy TLS-only."""
    tls_ports: Sequence[int]
    """Destination ports CONNECT may open. Default `[443]`; `[]` forbids CONNECT."""
    shutdown_lifetime_seconds: int
    """How long Squid drains in-flight requests on shutdown (1-600, default 20)."""
    workers: int
    """Squid SMP workers per pod (1-32, default 1); prefer more replicas unless pods have several CPUs."""

    namespace: Required[str]
    """Namespace of the proxy's objects."""
    create_namespace: bool
    """Create `namespace` (labelled to enforce the `restricted` Pod Security Standard). Default false."""
    kubernetes_version: str
    """Required (the validator says so; not `Required[]`, so the stack layer can fill it from the
    cluster's settings). The cluster's version (`"1.33"`): picks local-zone routing (topology-mode annotation on 1.27-1.30,
    `trafficDistribution: PreferClose` on 1.31-1.33, `PreferSameZone` from 1.34). Below 1.27 is an error."""
    zones: Required[Sequence[str]]
    """Availability zones the pods run in (node label `topology.kubernetes.io/zone`), e.g. the zones
    that have a NAT gateway. Pods are pinned to them and spread evenly over them."""
    profile: Profile
    """`production` (default: at least 2 zones, hard spread) or `development` (1 zone allowed)."""
    replicas: int
    """Pods (the HPA's minimum when `autoscaling` is set); at least one per zone. Default: 2 per zone."""
    zone_spread: ZoneSpread
    """`DoNotSchedule` (default, required by `production`) or `ScheduleAnyway`."""
    min_domains: int
    """Zones that must have pods before skew is computed (`minDomains`); only with `DoNotSchedule`,
    2 to the number of zones. Default: the number of zones (1 zone: not set)."""
    client_namespaces: Required[Sequence[str]]
    """Namespaces whose pods may reach the proxy port (NetworkPolicy). Their pod IPs must also be
    inside `allowed_source_cidrs`, which Squid checks."""
    external_client_cidrs: Sequence[str]
    """Clients outside the cluster's pods (nodes, VMs) admitted by the NetworkPolicy; each must be
    inside `allowed_source_cidrs`. Default: none."""
    monitoring_namespace: str
    """The only namespace that may reach the exporter port (Prometheus). Default `"monitoring"`."""
    service_monitor: bool
    """Create a Prometheus-operator ServiceMonitor for the exporter. Default false."""
    service_monitor_labels: Mapping[str, str]
    """Labels the Prometheus `serviceMonitorSelector` matches (e.g. `release: kube-prometheus-stack`);
    only with `service_monitor`."""
    dashboard_namespace: str
    """Where the Grafana dashboard ConfigMap goes (the sidecar's namespace). Default: `monitoring_namespace`."""
    autoscaling: AutoscalingArgs
    """Add a HorizontalPodAutoscaler; the Deployment then leaves `spec.replicas` to it."""
    resources: ResourcesArgs
    """Squid container requests/limits; missing keys take the defaults."""
    image: str
    """Squid image, pinned by tag or digest (Squid 6.x). Default `ubuntu/squid:6.13-25.04_beta`."""
    exporter_image: str
    """squid-exporter image, pinned. Default `boynux/squid-exporter:v1.13.0`."""
    termination_grace_period_seconds: int
    """Must exceed the preStop delay (5 s) plus `shutdown_lifetime_seconds`, or the kubelet kills
    requests Squid is still draining. Default: that sum plus 10."""


KNOWN_KEYS = frozenset(SquidProxyArgs.__required_keys__ | SquidProxyArgs.__optional_keys__)
_CONF_KEYS = frozenset(SquidConfArgs.__required_keys__ | SquidConfArgs.__optional_keys__)
assert _CONF_KEYS <= KNOWN_KEYS


def conf_args(args: Mapping[str, Any]) -> SquidConfArgs:
    """The squid.conf part of the component's args."""
    return cast(SquidConfArgs, {k: v for k, v in args.items() if k in _CONF_KEYS})


# ---------------------------------------------------------------- pure decisions


@dataclass(frozen=True)
class LocalZoneRouting:
    """How the Service keeps traffic in the client's zone on a given Kubernetes version."""

    annotations: Mapping[str, str]
    traffic_distribution: str | None


def local_zone_routing(kubernetes_version: str) -> LocalZoneRouting:
    """The Service settings for local-zone routing; ValueError below 1.27 (validated earlier)."""
    version = KubeVersion.parse(kubernetes_version)
    if version < KubeVersion(1, 27):
        raise ValueError(f"Kubernetes {kubernetes_version} predates topology-mode routing (1.27)")
    if version < KubeVersion(1, 31):
        # trafficDistribution is alpha and off on 1.30; Topology Aware Routing is on by default since 1.24.
        return LocalZoneRouting({"service.kubernetes.io/topology-mode": "Auto"}, None)
    if version < KubeVersion(1, 34):
        return LocalZoneRouting({}, "PreferClose")
    # From 1.34 PreferClose is a deprecated alias of PreferSameZone.
    return LocalZoneRouting({}, "PreferSameZone")


def _zone_spread(args: Mapping[str, Any]) -> ZoneSpread:
    return ZoneSpread(args.get("zone_spread", ZoneSpread.DO_NOT_SCHEDULE))


def _replicas(args: Mapping[str, Any]) -> int:
    return int(args.get("replicas", 2 * len(args["zones"])))


def _min_domains(args: Mapping[str, Any]) -> int | None:
    if _zone_spread(args) is ZoneSpread.SCHEDULE_ANYWAY:
        return None
    default = len(args["zones"]) if len(args["zones"]) >= 2 else None
    value = args.get("min_domains", default)
    return None if value is None else int(value)


def _lifetime(args: Mapping[str, Any]) -> int:
    return int(args.get("shutdown_lifetime_seconds", DEFAULT_SHUTDOWN_LIFETIME_SECONDS))


def _grace(args: Mapping[str, Any]) -> int:
    return int(args.get("termination_grace_period_seconds", PRESTOP_DELAY_SECONDS + _lifetime(args) + 10))


def _monitoring_ns(args: Mapping[str, Any]) -> str:
    return str(args.get("monitoring_namespace", "monitoring"))


def _resources(args: Mapping[str, Any]) -> dict[str, str]:
    return {**DEFAULT_RESOURCES, **args.get("resources", {})}


def proxy_url(name: str, namespace: str) -> str:
    return f"http://{name}.{namespace}.svc.cluster.local:{PROXY_PORT}"


# ---------------------------------------------------------------- validation


def _memory_bytes(text: str) -> int:
    match = re.match(r"^(\d+)([A-Za-z]*)$", text)
    assert match
    return int(match.group(1)) * _MEM_FACTOR[match.group(2)]


def _names(key: str, values: object, what: str, *, at_least: int = 0) -> list[Problem]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        return [Problem(key, values, f"a list of {what}")]
    problems = []
    if len(values) < at_least:
        problems.append(Problem(key, list(values), f"at least {at_least} {what}"))
    seen: dict[object, int] = {}
    for i, value in enumerate(values):
        if not isinstance(value, str) or len(value) > 63 or not DNS1123_LABEL.match(value):
            problems.append(
                Problem(f"{key}[{i}]", value, "a DNS-1123 label (lowercase letters, digits, '-')")
            )
        elif value in seen:
            problems.append(Problem(f"{key}[{i}]", value, f"listed once; it repeats {key}[{seen[value]}]"))
        else:
            seen[value] = i
    return problems


def _namespace_problem(key: str, value: object) -> list[Problem]:
    if not isinstance(value, str) or len(value) > 63 or not DNS1123_LABEL.match(value):
        return [Problem(key, value, "a namespace name: a DNS-1123 label (lowercase letters, digits, '-')")]
    return []


def _image_problem(key: str, value: object) -> list[Problem]:
    ok = isinstance(value, str) and (
        "@sha256:" in value
        or (":" in value.rsplit("/", 1)[-1] and value.rsplit(":", 1)[1] not in ("", "latest"))
    )
    if not ok:
        return [
            Problem(
                key,
                value,
                "an image pinned by tag or digest (not 'latest'), e.g. 'ubuntu/squid:6.13-25.04_beta'",
            )
        ]
    return []


def _zone_problems(args: Mapping[str, Any]) -> list[Problem]:
    zones = args.get("zones")
    if zones is None:
        return [Problem("zones", None, "required: the availability zones the pods run in")]
    if isinstance(zones, str) or not isinstance(zones, Sequence):
        return [
            Problem("zones", zones, "a list of zone names such as ['ap-northeast-2a', 'ap-northeast-2c']")
        ]
    problems = []
    seen: dict[str, int] = {}
    for i, zone in enumerate(zones):
        if not isinstance(zone, str) or not zone or len(zone) > 63 or not LABEL_VALUE.match(zone):
            problems.append(
                Problem(f"zones[{i}]", zone, "a zone name as in the node label topology.kubernetes.io/zone")
            )
        elif zone in seen:
            problems.append(Problem(f"zones[{i}]", zone, f"listed once; it repeats zones[{seen[zone]}]"))
        else:
            seen[zone] = i
    if not zones:
        problems.append(Problem("zones", [], "at least 1 zone"))
    return problems


def _placement_problems(args: Mapping[str, Any], zones_ok: bool) -> list[Problem]:
    problems: list[Problem] = []
    profile = args.get("profile", Profile.PRODUCTION)
    if profile not in set(Profile):
        problems.append(Problem("profile", profile, "one of 'production', 'development'"))
        profile = None
    spread = args.get("zone_spread", ZoneSpread.DO_NOT_SCHEDULE)
    if spread not in set(ZoneSpread):
        problems.append(Problem("zone_spread", spread, "one of 'DoNotSchedule', 'ScheduleAnyway'"))
        spread = None
    zones: Sequence[str] = args["zones"] if zones_ok else []
    n = len(zones)
    if zones_ok and profile == Profile.PRODUCTION and n < 2:
        problems.append(
            Problem(
                "zones",
                list(zones),
                "at least 2 zones for the production profile, so one zone's outage leaves egress up; "
                "use profile 'development' for a single-zone cluster",
            )
        )
    if profile == Profile.PRODUCTION and spread == ZoneSpread.SCHEDULE_ANYWAY:
        problems.append(
            Problem(
                "zone_spread",
                spread,
                "DoNotSchedule for the production profile: ScheduleAnyway lets every pod land in one zone",
            )
        )
    if "min_domains" in args:
        md = args["min_domains"]
        if spread == ZoneSpread.SCHEDULE_ANYWAY:
            problems.append(
                Problem(
                    "min_domains",
                    md,
                    "only with zone_spread 'DoNotSchedule': the API rejects minDomains with ScheduleAnyway",
                )
            )
        elif not is_int(md) or (zones_ok and not 2 <= md <= n):
            problems.append(
                Problem(
                    "min_domains",
                    md,
                    f"a whole number from 2 to the number of zones ({n}): more domains than zones would cap "
                    "every zone at one pod",
                )
            )
    if "replicas" in args:
        replicas = args["replicas"]
        if not is_int(replicas) or replicas < 1:
            problems.append(Problem("replicas", replicas, "a whole number of pods, at least one per zone"))
        elif zones_ok and replicas < n:
            problems.append(
                Problem("replicas", replicas, f"at least one per zone: {n} or more for zones {list(zones)}")
            )
    return problems


def _source_cidr_nets(args: Mapping[str, Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    given = args.get("allowed_source_cidrs")
    nets = []
    for raw in given if isinstance(given, list | tuple) else []:
        with contextlib.suppress(ValueError, TypeError):
            net = ipaddress.ip_network(raw)
            if net.prefixlen:  # /0 is rejected on its own; it must not make every client look covered
                nets.append(net)
    return nets


def _client_problems(args: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if "client_namespaces" not in args:
        problems.append(
            Problem("client_namespaces", None, "required: the namespaces whose pods use the proxy")
        )
    else:
        problems += _names("client_namespaces", args["client_namespaces"], "namespace names", at_least=1)
    external = args.get("external_client_cidrs", [])
    if isinstance(external, str) or not isinstance(external, Sequence):
        return [*problems, Problem("external_client_cidrs", external, "a list of CIDRs")]
    sources = _source_cidr_nets(args)
    for i, raw in enumerate(external):
        try:
            net = ipaddress.ip_network(raw, strict=True)
        except (ValueError, TypeError):
            problems.append(
                Problem(f"external_client_cidrs[{i}]", raw, "a network in CIDR form, e.g. '10.0.0.0/24'")
            )
            continue
        if not any(net.version == s.version and net.subnet_of(s) for s in sources):  # type: ignore[arg-type]
            problems.append(
                Problem(
                    f"external_client_cidrs[{i}]",
                    raw,
                    "a network inside allowed_source_cidrs: Squid refuses clients outside them",
                )
            )
    return problems


def _monitoring_problems(args: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for key in ("monitoring_namespace", "dashboard_namespace"):
        if key in args:
            problems += _namespace_problem(key, args[key])
    if "service_monitor" in args and not isinstance(args["service_monitor"], bool):
        problems.append(Problem("service_monitor", args["service_monitor"], "true or false"))
    if "service_monitor_labels" in args:
        labels = args["service_monitor_labels"]
        if not args.get("service_monitor", False):
            problems.append(
                Problem(
                    "service_monitor_labels",
                    labels,
                    "only with service_monitor: true (nothing would use them)",
                )
            )
        elif not isinstance(labels, Mapping):
            problems.append(Problem("service_monitor_labels", labels, "a map of label names to values"))
        else:
            for k, v in labels.items():
                if (
                    not isinstance(k, str)
                    or not _LABEL_KEY.match(k)
                    or not isinstance(v, str)
                    or len(v) > 63
                    or not LABEL_VALUE.match(v)
                ):
                    problems.append(
                        Problem(f"service_monitor_labels.{k}", v, "a Kubernetes label name and value")
                    )
    return problems


def _resource_problems(args: Mapping[str, Any]) -> list[Problem]:
    given = args.get("resources", {})
    if not isinstance(given, Mapping):
        return [
            Problem("resources", given, "a map with cpu_request, memory_request, cpu_limit, memory_limit")
        ]
    problems = []
    for key, value in given.items():
        if key not in DEFAULT_RESOURCES:
            problems.append(
                Problem(
                    f"resources.{key}", value, "one of cpu_request, memory_request, cpu_limit, memory_limit"
                )
            )
        elif key.startswith("cpu") and not (isinstance(value, str) and _CPU.match(value)):
            problems.append(Problem(f"resources.{key}", value, "a CPU quantity such as '250m' or '1'"))
        elif key.startswith("memory") and not (isinstance(value, str) and _MEMORY.match(value)):
            problems.append(Problem(f"resources.{key}", value, "a memory quantity such as '256Mi'"))
    if not problems:
        r = _resources(args)
        if _memory_bytes(r["memory_limit"]) < _memory_bytes(r["memory_request"]):
            problems.append(
                Problem(
                    "resources.memory_limit",
                    r["memory_limit"],
                    f"at least memory_request ({r['memory_request']})",
                )
            )
    return problems


def _autoscaling_problems(args: Mapping[str, Any], zones_ok: bool) -> list[Problem]:
    if "autoscaling" not in args:
        return []
    auto = args["autoscaling"]
    if not isinstance(auto, Mapping) or "max_replicas" not in auto:
        return [Problem("autoscaling", auto, "a map with max_replicas (and optionally target_cpu_percent)")]
    problems = []
    for key in auto:
        if key not in ("max_replicas", "target_cpu_percent"):
            problems.append(
                Problem(f"autoscaling.{key}", auto[key], "one of max_replicas, target_cpu_percent")
            )
    high = auto["max_replicas"]
    low = _replicas(args) if zones_ok and is_int(args.get("replicas", 0)) else 1
    if not is_int(high) or high < low:
        problems.append(
            Problem("autoscaling.max_replicas", high, f"a whole number of at least replicas ({low})")
        )
    target = auto.get("target_cpu_percent", 70)
    if not is_int(target) or not 10 <= target <= 100:
        problems.append(
            Problem("autoscaling.target_cpu_percent", target, "a whole percentage from 10 to 100")
        )
    return problems


def validate_squid_proxy_args(args: Mapping[str, Any], name: str | None = None) -> list[Problem]:
    """Every problem in `args` (and the resource `name`, which names the Service) at once."""
    problems: list[Problem] = []
    if name is not None and (len(name) > 63 or not DNS1035_LABEL.match(name)):
        problems.append(
            Problem(
                "name",
                name,
                "a DNS-1035 label (lowercase letters, digits, '-', starting with a letter): it names the Service",
            )
        )
    for key in sorted(set(args) - KNOWN_KEYS):
        problems.append(
            Problem(key, args[key], f"a known SquidProxy arg; known: {', '.join(sorted(KNOWN_KEYS))}")
        )
    if "namespace" not in args:
        problems.append(Problem("namespace", None, "required: the namespace of the proxy's objects"))
    else:
        problems += _namespace_problem("namespace", args["namespace"])
    if "create_namespace" in args and not isinstance(args["create_namespace"], bool):
        problems.append(Problem("create_namespace", args["create_namespace"], "true or false"))
    version = args.get("kubernetes_version")
    parsed = KubeVersion.try_parse(version) if version is not None else None
    if version is None:
        problems.append(Problem("kubernetes_version", None, "required: the cluster's version, e.g. '1.33'"))
    elif parsed is None:
        problems.append(Problem("kubernetes_version", version, "a Kubernetes version such as '1.33'"))
    elif parsed < KubeVersion(1, 27):
        problems.append(
            Problem(
                "kubernetes_version",
                version,
                "1.27 or newer: local-zone routing needs the topology-mode annotation (1.27-1.30) or "
                "spec.trafficDistribution (1.31+), and minDomains is on by default only from 1.27",
            )
        )
    problems += validate_squid_conf_args(conf_args(args))
    zone_problems = _zone_problems(args)
    problems += zone_problems
    problems += _placement_problems(args, zones_ok=not zone_problems)
    problems += _client_problems(args)
    problems += _monitoring_problems(args)
    problems += _resource_problems(args)
    problems += _autoscaling_problems(args, zones_ok=not zone_problems)
    for key in ("image", "exporter_image"):
        if key in args:
            problems += _image_problem(key, args[key])
    lifetime = args.get("shutdown_lifetime_seconds", DEFAULT_SHUTDOWN_LIFETIME_SECONDS)
    if "termination_grace_period_seconds" in args and is_int(lifetime):
        grace = args["termination_grace_period_seconds"]
        need = PRESTOP_DELAY_SECONDS + lifetime
        if not is_int(grace) or grace <= need:
            problems.append(
                Problem(
                    "termination_grace_period_seconds",
                    grace,
                    f"more than the preStop delay ({PRESTOP_DELAY_SECONDS}s) plus shutdown_lifetime_seconds "
                    f"({lifetime}s), i.e. at least {need + 1}: otherwise the kubelet kills requests Squid is "
                    "still draining",
                )
            )
    return problems


# ---------------------------------------------------------------- manifests


def labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": "squid", "app.kubernetes.io/instance": name}


def _meta(name: str, namespace: str, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": {**labels(name), "app.kubernetes.io/part-of": "traffic-edge"},
    }
    meta.update(extra)
    return meta


def config_checksum(conf: str) -> str:
    return hashlib.sha256(conf.encode()).hexdigest()


_RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "runAsUser": SQUID_UID,
    "runAsGroup": SQUID_UID,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def pod_spec(name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    zones = list(args["zones"])
    spread = _zone_spread(args)
    zone_constraint: dict[str, Any] = {
        "maxSkew": 1,
        "topologyKey": ZONE_LABEL,
        "whenUnsatisfiable": spread.value,
        "labelSelector": {"matchLabels": labels(name)},
        # Skew is computed per ReplicaSet, so a rollout's surge pods spread like the old ones did.
        "matchLabelKeys": ["pod-template-hash"],
    }
    min_domains = _min_domains(args)
    if min_domains is not None:
        zone_constraint["minDomains"] = min_domains
    r = _resources(args)
    lifetime = _lifetime(args)
    conf_path = f"{CONF_DIR}/squid.conf"
    squid = {
        "name": "squid",
        "image": args.get("image", SQUID_IMAGE),
        # Squid itself is PID 1 (the image's bash entrypoint would swallow SIGTERM), and --foreground,
        # unlike the image's -N, forks the SMP workers `workers` asks for.
        "command": ["squid", "--foreground", "-f", conf_path],
        "ports": [{"name": "proxy", "containerPort": PROXY_PORT, "protocol": "TCP"}],
        "readinessProbe": {"tcpSocket": {"port": "proxy"}, "periodSeconds": 5, "failureThreshold": 2},
        "livenessProbe": {
            "tcpSocket": {"port": "proxy"},
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        "lifecycle": {
            "preStop": {
                "exec": {
                    # Squid closes its port at once and drains for shutdown_lifetime; the trailing sleep keeps
                    # the kubelet from sending SIGTERM (a second shutdown) while it drains.
                    "command": [
                        "sh",
                        "-c",
                        f"sleep {PRESTOP_DELAY_SECONDS}; squid -f {conf_path} -k shutdown; sleep {lifetime + 5}",
                    ]
                }
            }
        },
        "resources": {
            "requests": {"cpu": r["cpu_request"], "memory": r["memory_request"]},
            "limits": {"cpu": r["cpu_limit"], "memory": r["memory_limit"]},
        },
        "securityContext": _RESTRICTED_CONTAINER,
        "volumeMounts": [
            {"name": "config", "mountPath": CONF_DIR, "readOnly": True},
            {"name": "run", "mountPath": PID_FILE.rsplit("/", 1)[0]},
            {"name": "spool", "mountPath": SPOOL_DIR},
        ],
    }
    exporter = {
        "name": "exporter",
        "image": args.get("exporter_image", EXPORTER_IMAGE),
        # Loopback: the only client Squid's cache-manager rules admit.
        "args": [
            f"-listen=:{EXPORTER_PORT}",
            "-squid-hostname=127.0.0.1",
            f"-squid-port={PROXY_PORT}",
            # The dashboard's latency panel reads the service_times percentiles.
            "-extractservicetimes=true",
        ],
        "ports": [{"name": "metrics", "containerPort": EXPORTER_PORT, "protocol": "TCP"}],
        "readinessProbe": {"tcpSocket": {"port": "metrics"}, "periodSeconds": 10},
        "livenessProbe": {"tcpSocket": {"port": "metrics"}, "initialDelaySeconds": 10, "periodSeconds": 20},
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
        "securityContext": _RESTRICTED_CONTAINER,
    }
    return {
        "serviceAccountName": name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": _grace(args),
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": SQUID_UID,
            "runAsGroup": SQUID_UID,
            "fsGroup": SQUID_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": ZONE_LABEL, "operator": "In", "values": zones}]}
                    ]
                }
            }
        },
        "topologySpreadConstraints": [
            zone_constraint,
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": labels(name)},
            },
        ],
        "containers": [squid, exporter],
        "volumes": [
            {"name": "config", "configMap": {"name": f"{name}-config"}},
            {"name": "run", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
            {"name": "spool", "emptyDir": {"sizeLimit": "256Mi"}},
        ],
    }


def _namespace_peer(namespace: str) -> dict[str, Any]:
    # kubernetes.io/metadata.name is set by the API server on every namespace (1.22+), so no labelling is needed.
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def manifests(name: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every Kubernetes object of the proxy, as plain manifests (valid `args` assumed)."""
    ns = str(args["namespace"])
    conf = render_squid_conf(conf_args(args))
    routing = local_zone_routing(str(args["kubernetes_version"]))
    out: list[dict[str, Any]] = []
    if args.get("create_namespace", False):
        restricted = {
            f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")
        }
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "labels": {**restricted, **labels(name)}},
            }
        )
    out.append(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(name, ns),
            "automountServiceAccountToken": False,
        }
    )
    out.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(f"{name}-config", ns),
            "data": {"squid.conf": conf},
        }
    )
    deployment_spec: dict[str, Any] = {
        "selector": {"matchLabels": labels(name)},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "template": {
            "metadata": {
                "labels": labels(name),
                "annotations": {"checksum/config": config_checksum(conf)},
            },
            "spec": pod_spec(name, args),
        },
    }
    if "autoscaling" not in args:
        deployment_spec = {"replicas": _replicas(args), **deployment_spec}
    out.append(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(name, ns), "spec": deployment_spec}
    )
    service_spec: dict[str, Any] = {
        "type": "ClusterIP",
        "selector": labels(name),
        "ports": [
            {"name": "proxy", "port": PROXY_PORT, "targetPort": "proxy", "protocol": "TCP"},
            {"name": "metrics", "port": EXPORTER_PORT, "targetPort": "metrics", "protocol": "TCP"},
        ],
    }
    if routing.traffic_distribution:
        service_spec["trafficDistribution"] = routing.traffic_distribution
    service_meta = _meta(name, ns)
    if routing.annotations:
        service_meta["annotations"] = dict(routing.annotations)
    out.append({"apiVersion": "v1", "kind": "Service", "metadata": service_meta, "spec": service_spec})
    out.append(
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta(name, ns),
            "spec": {
                "maxUnavailable": 1,
                "selector": {"matchLabels": labels(name)},
                # A crash-looping pod must not block node drains (the seed chart's PR #3).
                "unhealthyPodEvictionPolicy": "AlwaysAllow",
            },
        }
    )
    if "autoscaling" in args:
        auto = args["autoscaling"]
        out.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": _meta(name, ns),
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": _replicas(args),
                    "maxReplicas": int(auto["max_replicas"]),
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {
                                    "type": "Utilization",
                                    "averageUtilization": int(auto.get("target_cpu_percent", 70)),
                                },
                            },
                        }
                    ],
                },
            }
        )
    clients: list[dict[str, Any]] = [_namespace_peer(n) for n in args["client_namespaces"]]
    clients += [
        {"ipBlock": {"cidr": str(ipaddress.ip_network(c))}} for c in args.get("external_client_cidrs", [])
    ]
    out.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(name, ns),
            "spec": {
                "podSelector": {"matchLabels": labels(name)},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": clients, "ports": [{"protocol": "TCP", "port": PROXY_PORT}]},
                    {
                        "from": [_namespace_peer(_monitoring_ns(args))],
                        "ports": [{"protocol": "TCP", "port": EXPORTER_PORT}],
                    },
                ],
            },
        }
    )
    if args.get("service_monitor", False):
        sm_meta = _meta(name, ns)
        sm_meta["labels"] = {**sm_meta["labels"], **args.get("service_monitor_labels", {})}
        out.append(
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": sm_meta,
                "spec": {
                    "selector": {"matchLabels": labels(name)},
                    "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s"}],
                },
            }
        )
    out.append(
        dashboard_configmap(
            f"{name}-dashboard", str(args.get("dashboard_namespace", _monitoring_ns(args))), ns, name
        )
    )
    return out


_SUFFIX = {
    "Namespace": "namespace",
    "ServiceAccount": "sa",
    "Deployment": "deployment",
    "Service": "svc",
    "PodDisruptionBudget": "pdb",
    "HorizontalPodAutoscaler": "hpa",
    "NetworkPolicy": "netpol",
    "ServiceMonitor": "servicemonitor",
}


def child_name(name: str, manifest: Mapping[str, Any]) -> str:
    """The Pulumi resource name of one of the proxy's objects."""
    kind = manifest["kind"]
    if kind == "ConfigMap":
        return (
            f"{name}-dashboard" if "grafana_dashboard" in manifest["metadata"]["labels"] else f"{name}-config"
        )
    return f"{name}-{_SUFFIX[kind]}"


class SquidProxy(pulumi.ComponentResource):
    """Squid egress allowlist proxy: zone-spread pods behind a stable Service other pods use as `HTTP_PROXY`.

    Args: `SquidProxyArgs` (every key documented there). Outputs: `proxy_url`
    (`http://<name>.<namespace>.svc.cluster.local:3128`), `service_name`, `namespace`, `zones`;
    `squid_conf` holds the generated file (what `make plan` writes under configs/).
    """

    proxy_url: pulumi.Output[str]
    service_name: pulumi.Output[str]
    namespace: pulumi.Output[str]
    zones: pulumi.Output[list[str]]

    def __init__(self, name: str, args: SquidProxyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raise_if(f"SquidProxy {name!r}", validate_squid_proxy_args(args, name))
        super().__init__("traffic-edge:index:SquidProxy", name, None, opts)
        self.squid_conf = render_squid_conf(conf_args(args))
        objects = manifests(name, args)
        namespace_resource: list[pulumi.Resource] = []
        for manifest in objects:
            # Everything namespaced waits for the namespace when this component creates it.
            child = pulumi.ResourceOptions(parent=self, depends_on=namespace_resource)
            created = k8s_objects.create(child_name(name, manifest), manifest, child)
            if manifest["kind"] == "Namespace":
                namespace_resource = [created]
        ns = str(args["namespace"])
        self.proxy_url = pulumi.Output.from_input(proxy_url(name, ns))
        self.service_name = pulumi.Output.from_input(name)
        self.namespace = pulumi.Output.from_input(ns)
        self.zones = pulumi.Output.from_input(list(args["zones"]))
        self.register_outputs(
            {
                "proxy_url": self.proxy_url,
                "service_name": self.service_name,
                "namespace": self.namespace,
                "zones": self.zones,
            }
        )
