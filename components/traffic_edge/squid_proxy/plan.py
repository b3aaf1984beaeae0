"""The resolved plan of a SquidProxy: every default applied once, into frozen dataclasses.

`plan_squid_proxy(name, args)` takes args that `validate_squid_proxy_args` passed and decides
everything the objects need (replicas, the zone spread, local-zone routing by version, the
grace period, the squid.conf settings); the manifests and the squid.conf text are built from
the plan alone, never from the args.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from traffic_edge._shared.tolerations import manifest as toleration_manifest
from traffic_edge._shared.versions import KubeVersion
from traffic_edge.squid_proxy.args import ZoneSpread
from traffic_edge.squid_proxy.facts import (
    CANARY_IMAGE,
    EXPORTER_IMAGE,
    PREFER_SAME_ZONE_FROM,
    PROXY_PORT,
    SLEEP_ACTION_FROM,
    SQUID_IMAGE,
    TOPOLOGY_MODE_FROM,
    TRAFFIC_DISTRIBUTION_FROM,
)

DEFAULT_HTTP_PORTS: tuple[int, ...] = (80,)
DEFAULT_TLS_PORTS: tuple[int, ...] = (443,)
DEFAULT_SHUTDOWN_LIFETIME_SECONDS = 20
DEFAULT_WORKERS = 1
DEFAULT_ZONE_SPREAD = ZoneSpread.DO_NOT_SCHEDULE
REPLICAS_PER_ZONE = 2
"""Default replicas: this many pods per zone."""
DEFAULT_TARGET_CPU_PERCENT = 70
DEFAULT_MONITORING_NAMESPACE = "monitoring"
PRESTOP_DELAY_SECONDS = 5
"""The preStop delay before Squid is told to shut down, so the endpoint is gone from every kube-proxy
before the port closes."""
GRACE_MARGIN_SECONDS = 10
"""The default grace period is the preStop delay plus the drain plus this."""


DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 600
"""Twice Kubernetes' own 300 s: CPU on an egress proxy follows bursty batch jobs, and a pod removed
between two bursts drains its connections only to be started again."""
DEFAULT_SCALE_UP_STABILIZATION_SECONDS = 0
SCALE_DOWN_PODS_PER_MINUTE = 1
"""At most one pod removed a minute: each removal drains for up to `shutdown_lifetime_seconds`."""
DEFAULT_CANARY_INTERVAL_MINUTES = 5
MANAGER_SECRET_DIR = "/etc/squid/traffic-edge-manager"
MANAGER_PASSWORD_FILE = f"{MANAGER_SECRET_DIR}/cachemgr.conf"
"""The file squid.conf includes for `cachemgr_passwd`: mounted from a Secret, never in the ConfigMap."""


@dataclass(frozen=True)
class TenantPlan:
    """One tenant's port and allowlist, defaults applied."""

    name: str
    port: int
    client_namespaces: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    allowed_destination_cidrs: tuple[str, ...]
    http_ports: tuple[int, ...]
    tls_ports: tuple[int, ...]

    @property
    def port_name(self) -> str:
        """The Squid port's `name=`, which its `myportname` ACL matches."""
        return f"tenant-{self.name}"


@dataclass(frozen=True)
class CanaryDestination:
    """Where the canary's request goes: allowlisted in squid.conf for the shared port."""

    host: str
    port: int
    tls: bool


@dataclass(frozen=True)
class ConfPlan:
    """What the squid.conf allows, defaults applied and networks in canonical form."""

    allowed_source_cidrs: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    allowed_destination_cidrs: tuple[str, ...]
    http_ports: tuple[int, ...]
    tls_ports: tuple[int, ...]
    shutdown_lifetime_seconds: int
    workers: int
    tenants: tuple[TenantPlan, ...] = ()
    canary: CanaryDestination | None = None
    manager_password_file: str | None = None
    """The included file with `cachemgr_passwd` (SquidProxy always sets it); None: no password."""


@dataclass(frozen=True)
class CanaryPlan:
    """The egress canary: one CronJob per zone."""

    echo_url: str
    expected_egress_ips: tuple[tuple[str, tuple[str, ...]], ...] | None
    """Zone -> egress IPs when written as plain values; None when they arrive as an Output."""
    interval_minutes: int
    image: str

    @property
    def destination(self) -> CanaryDestination:
        """Where the canary's request goes, from its echo URL."""
        return canary_destination(self.echo_url)


@dataclass(frozen=True)
class Scheduling:
    """Where the Squid pods may run, besides the zones, and how their images are pulled."""

    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[dict[str, Any], ...] = ()
    """In manifest form (camelCase)."""
    affinity: dict[str, Any] | None = None
    """As written (the API's form); merged with the zone pinning by the manifests."""
    priority_class_name: str | None = None
    image_pull_secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocalZoneRouting:
    """How the Service keeps traffic in the client's zone on a given Kubernetes version."""

    topology_mode: str | None
    """Value of the `service.kubernetes.io/topology-mode` annotation, or None for no annotation."""
    traffic_distribution: str | None
    """`spec.trafficDistribution`, or None to leave it unset."""


@dataclass(frozen=True)
class Resources:
    """Requests and limits of the Squid container."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str


DEFAULT_RESOURCES = Resources(cpu_request="100m", memory_request="128Mi", cpu_limit="1", memory_limit="256Mi")
"""Squid keeps no cache here, so memory is per connection."""


@dataclass(frozen=True)
class Autoscaling:
    """The HorizontalPodAutoscaler: from `min_replicas` (the plan's replicas) to `max_replicas`."""

    min_replicas: int
    max_replicas: int
    target_cpu_percent: int
    scale_down_stabilization_seconds: int = DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS
    scale_up_stabilization_seconds: int = DEFAULT_SCALE_UP_STABILIZATION_SECONDS


@dataclass(frozen=True)
class SquidPlan:
    """Everything a SquidProxy creates, decided: the manifests are a function of this alone."""

    name: str
    namespace: str
    create_namespace: bool
    zones: tuple[str, ...]
    replicas: int
    zone_spread: ZoneSpread
    min_domains: int | None
    """`minDomains` of the zone constraint, or None to leave it unset."""
    routing: LocalZoneRouting
    client_namespaces: tuple[str, ...]
    external_client_cidrs: tuple[str, ...]
    monitoring_namespace: str
    dashboard_namespace: str
    service_monitor: bool
    service_monitor_labels: tuple[tuple[str, str], ...]
    service_monitor_labels_given: bool
    """Whether the args set them (an empty map on purpose is not a forgotten one)."""
    autoscaling: Autoscaling | None
    resources: Resources
    image: str
    exporter_image: str
    termination_grace_period_seconds: int
    sleep_action: bool
    """Whether the cluster has the preStop `sleep` action (1.30+): then the kubelet waits and its
    SIGTERM starts Squid's drain; before that an exec hook needs `sh` and `sleep` in the image."""
    conf: ConfPlan
    scheduling: Scheduling = Scheduling()
    canary: CanaryPlan | None = None

    @property
    def warnings(self) -> list[str]:
        """What the component logs when it is planned: choices that silently do nothing."""
        found = []
        if self.service_monitor and not self.service_monitor_labels_given:
            found.append(
                "service_monitor is on but service_monitor_labels is not set: a Prometheus that selects "
                "ServiceMonitors by label (kube-prometheus-stack selects release: <its release name> by "
                "default) never scrapes this one, and every dashboard panel stays empty; set e.g. "
                "{'release': 'kube-prometheus-stack'}, or {} for a Prometheus that selects every one"
            )
        if not self.sleep_action and self.image == SQUID_IMAGE:
            found.append(
                f"Kubernetes before {SLEEP_ACTION_FROM} has no preStop sleep action, so the pod's preStop runs "
                f"`sh -c 'sleep ...'`, and the default image {SQUID_IMAGE} has no sleep binary: Squid closes "
                "its port before the endpoint is removed, and clients see refused connections on every "
                "rollout; set image to a Squid image with sh and sleep (e.g. a Debian-based one)"
            )
        return found

    @property
    def proxy_url(self) -> str:
        """What clients set as `HTTP_PROXY`: the Service's stable in-cluster address."""
        return f"http://{self.name}.{self.namespace}.svc.cluster.local:{PROXY_PORT}"


def local_zone_routing(kubernetes_version: str) -> LocalZoneRouting:
    """The Service settings for local-zone routing; ValueError below 1.27 (validated earlier)."""
    version = KubeVersion.parse(kubernetes_version)
    if version < TOPOLOGY_MODE_FROM:
        raise ValueError(f"Kubernetes {kubernetes_version} predates topology-mode routing (1.27)")
    if version < TRAFFIC_DISTRIBUTION_FROM:
        # trafficDistribution is alpha and off on 1.30; Topology Aware Routing is on by default since 1.24.
        return LocalZoneRouting("Auto", None)
    if version < PREFER_SAME_ZONE_FROM:
        return LocalZoneRouting(None, "PreferClose")
    # From 1.34 PreferClose is a deprecated alias of PreferSameZone.
    return LocalZoneRouting(None, "PreferSameZone")


def _networks(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(ipaddress.ip_network(v)) for v in values)


def plan_squid_conf(args: Mapping[str, Any]) -> ConfPlan:
    """The squid.conf settings of valid args (`validate_squid_conf_args` found no problem)."""
    return ConfPlan(
        allowed_source_cidrs=_networks(args["allowed_source_cidrs"]),
        allowed_domains=tuple(args.get("allowed_domains", ())),
        allowed_destination_cidrs=_networks(args.get("allowed_destination_cidrs", ())),
        http_ports=tuple(args.get("http_ports", DEFAULT_HTTP_PORTS)),
        tls_ports=tuple(args.get("tls_ports", DEFAULT_TLS_PORTS)),
        shutdown_lifetime_seconds=int(
            args.get("shutdown_lifetime_seconds", DEFAULT_SHUTDOWN_LIFETIME_SECONDS)
        ),
        workers=int(args.get("workers", DEFAULT_WORKERS)),
    )


def _min_domains(args: Mapping[str, Any], spread: ZoneSpread, zones: int) -> int | None:
    if spread is ZoneSpread.SCHEDULE_ANYWAY:
        return None  # the API rejects minDomains with ScheduleAnyway
    if "min_domains" in args:
        return int(args["min_domains"])
    return zones if zones >= 2 else None  # a single domain: nothing to wait for


def _autoscaling(args: Mapping[str, Any], replicas: int) -> Autoscaling | None:
    if "autoscaling" not in args:
        return None
    auto = args["autoscaling"]
    return Autoscaling(
        min_replicas=replicas,
        max_replicas=int(auto["max_replicas"]),
        target_cpu_percent=int(auto.get("target_cpu_percent", DEFAULT_TARGET_CPU_PERCENT)),
        scale_down_stabilization_seconds=int(
            auto.get("scale_down_stabilization_seconds", DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS)
        ),
        scale_up_stabilization_seconds=int(
            auto.get("scale_up_stabilization_seconds", DEFAULT_SCALE_UP_STABILIZATION_SECONDS)
        ),
    )


def _resources(args: Mapping[str, Any]) -> Resources:
    return replace(DEFAULT_RESOURCES, **args.get("resources", {}))


def _tenant(raw: Mapping[str, Any]) -> TenantPlan:
    return TenantPlan(
        name=str(raw["name"]),
        port=int(raw["port"]),
        client_namespaces=tuple(raw["client_namespaces"]),
        allowed_domains=tuple(raw.get("allowed_domains", ())),
        allowed_destination_cidrs=_networks(raw.get("allowed_destination_cidrs", ())),
        http_ports=tuple(raw.get("http_ports", DEFAULT_HTTP_PORTS)),
        tls_ports=tuple(raw.get("tls_ports", DEFAULT_TLS_PORTS)),
    )


def canary_destination(echo_url: str) -> CanaryDestination:
    """The host and port of a valid echo URL (http or https)."""
    parsed = urlsplit(echo_url)
    tls = parsed.scheme == "https"
    return CanaryDestination(str(parsed.hostname), parsed.port or (443 if tls else 80), tls)


def _canary(args: Mapping[str, Any]) -> CanaryPlan | None:
    raw = args.get("canary")
    if raw is None:
        return None
    given = raw.get("expected_egress_ips")
    expected = (
        tuple((str(z), tuple(str(ip) for ip in ips)) for z, ips in given.items())
        if isinstance(given, Mapping)
        else None
    )
    return CanaryPlan(
        echo_url=str(raw["echo_url"]),
        expected_egress_ips=expected,
        interval_minutes=int(raw.get("interval_minutes", DEFAULT_CANARY_INTERVAL_MINUTES)),
        image=str(raw.get("image", CANARY_IMAGE)),
    )


def _scheduling(args: Mapping[str, Any]) -> Scheduling:
    affinity = args.get("affinity")
    return Scheduling(
        node_selector=tuple(args.get("node_selector", {}).items()),
        tolerations=tuple(toleration_manifest(t) for t in args.get("tolerations", ())),
        affinity=dict(affinity) if affinity else None,
        priority_class_name=args.get("priority_class_name"),
        image_pull_secrets=tuple(args.get("image_pull_secrets", ())),
    )


def _proxy_conf(args: Mapping[str, Any], canary: CanaryPlan | None) -> ConfPlan:
    """The squid.conf of a SquidProxy: the generator's, with tenants, the canary's destination and
    the cache manager's password file."""
    return replace(
        plan_squid_conf(args),
        tenants=tuple(_tenant(t) for t in args.get("tenants", ())),
        canary=canary.destination if canary is not None else None,
        manager_password_file=MANAGER_PASSWORD_FILE,
    )


def plan_squid_proxy(name: str, args: Mapping[str, Any]) -> SquidPlan:
    """The plan of valid args (`validate_squid_proxy_args(args, name)` found no problem)."""
    zones = tuple(str(z) for z in args["zones"])
    spread = ZoneSpread(args.get("zone_spread", DEFAULT_ZONE_SPREAD))
    replicas = int(args.get("replicas", REPLICAS_PER_ZONE * len(zones)))
    canary = _canary(args)
    conf = _proxy_conf(args, canary)
    monitoring = str(args.get("monitoring_namespace", DEFAULT_MONITORING_NAMESPACE))
    grace = PRESTOP_DELAY_SECONDS + conf.shutdown_lifetime_seconds + GRACE_MARGIN_SECONDS
    return SquidPlan(
        name=name,
        namespace=str(args["namespace"]),
        create_namespace=bool(args.get("create_namespace", False)),
        zones=zones,
        replicas=replicas,
        zone_spread=spread,
        min_domains=_min_domains(args, spread, len(zones)),
        routing=local_zone_routing(str(args["kubernetes_version"])),
        client_namespaces=tuple(args["client_namespaces"]),
        external_client_cidrs=_networks(args.get("external_client_cidrs", ())),
        monitoring_namespace=monitoring,
        dashboard_namespace=str(args.get("dashboard_namespace", monitoring)),
        service_monitor=bool(args.get("service_monitor", False)),
        service_monitor_labels=tuple(args.get("service_monitor_labels", {}).items()),
        service_monitor_labels_given="service_monitor_labels" in args,
        autoscaling=_autoscaling(args, replicas),
        resources=_resources(args),
        image=str(args.get("image", SQUID_IMAGE)),
        exporter_image=str(args.get("exporter_image", EXPORTER_IMAGE)),
        termination_grace_period_seconds=int(args.get("termination_grace_period_seconds", grace)),
        sleep_action=KubeVersion.parse(str(args["kubernetes_version"])) >= SLEEP_ACTION_FROM,
        conf=conf,
        scheduling=_scheduling(args),
        canary=canary,
    )
