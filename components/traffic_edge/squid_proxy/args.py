"""The args of `SquidProxy` and of the squid.conf generator, and their enums.

Importable without any cloud SDK: the stack layer reads the schema of a config section from
`SquidProxyArgs`, and the validator and the plan take these types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Required, TypedDict


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
    """Default `"1"`; at least `cpu_request`."""
    memory_limit: str
    """Default `"256Mi"`; at least `memory_request`. Squid keeps no cache here, so memory is per connection."""


class AutoscalingArgs(TypedDict, total=False):
    """A HorizontalPodAutoscaler between `replicas` and `max_replicas` on CPU."""

    max_replicas: Required[int]
    """Upper bound; at least `replicas`."""
    target_cpu_percent: int
    """Average CPU utilization (of `resources.cpu_request`) the HPA keeps, 10-100. Default 70."""


class SquidConfArgs(TypedDict, total=False):
    """What the generated squid.conf allows. Plain values, not Outputs: the file is rendered at preview."""

    allowed_source_cidrs: Required[Sequence[str]]
    """Client networks that may use the proxy (pod CIDRs of the client namespaces' nodes). Required;
    together they must leave some addresses out (`0.0.0.0/0`, or `0.0.0.0/1` with `128.0.0.0/1`, would
    be an open proxy)."""
    allowed_domains: Sequence[str]
    """Destination hosts: `api.slack.com` matches exactly that host, `.slack.com` matches slack.com
    and every subdomain (not `evilslack.com`). At least one of this and `allowed_destination_cidrs`."""
    allowed_destination_cidrs: Sequence[str]
    """Destination networks reachable by IP (e.g. a partner's fixed range). Must not overlap the
    always-denied link-local/metadata ranges nor, together, cover every address. Default: none."""
    http_ports: Sequence[int]
    """Destination ports for plain HTTP requests. Default `[80]`; `[]` makes the proxy TLS-only."""
    tls_ports: Sequence[int]
    """Destination ports CONNECT tunnels may open. Default `[443]`; `[]` forbids CONNECT."""
    shutdown_lifetime_seconds: int
    """How long Squid lets in-flight requests finish after `squid -k shutdown` (1-600, default 20).
    The pod's termination grace period must exceed it."""
    workers: int
    """Squid SMP worker processes per pod (1-32, default 1). More than 1 only pays off with more
    than one CPU per pod; prefer more replicas."""


class SquidProxyArgs(TypedDict, total=False):
    """Args of `SquidProxy`. Plain values, not Outputs: the config text, its checksum and the placement
    rules are computed and validated at preview.

    The squid.conf keys repeat `SquidConfArgs` (not inherited: the Pulumi schema analyzer reads each
    field's docstring from this class only).
    """

    allowed_source_cidrs: Required[Sequence[str]]
    """Client networks Squid accepts (the pod CIDRs of the client namespaces); together they must leave
    some addresses out (`/0`, or halves that add up to it, would be an open proxy)."""
    allowed_domains: Sequence[str]
    """Destination hosts: `api.slack.com` matches that host, `.slack.com` slack.com and every subdomain
    (not `evilslack.com`). At least one of this and `allowed_destination_cidrs`."""
    allowed_destination_cidrs: Sequence[str]
    """Destination networks reachable by IP; must not overlap the always-denied link-local/metadata
    ranges nor, together, cover every address. Default: none."""
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
    """Squid image, pinned by tag or digest, with `/usr/sbin/squid-gnutls` (Squid 7). Default
    `ubuntu/squid:7.2-26.04_edge` (pin its digest in production: the edge tag moves)."""
    exporter_image: str
    """squid-exporter image, pinned. Default `boynux/squid-exporter:v1.13.0`."""
    termination_grace_period_seconds: int
    """Must exceed the preStop delay (5 s) plus `shutdown_lifetime_seconds`, or the kubelet kills
    requests Squid is still draining. Default: that sum plus 10."""


KNOWN_KEYS = frozenset(SquidProxyArgs.__required_keys__ | SquidProxyArgs.__optional_keys__)
"""Every key of `SquidProxyArgs`."""
CONF_KEYS = frozenset(SquidConfArgs.__required_keys__ | SquidConfArgs.__optional_keys__)
"""The keys of the squid.conf part (each also a key of `SquidProxyArgs`)."""
RESOURCE_KEYS = frozenset(ResourcesArgs.__required_keys__ | ResourcesArgs.__optional_keys__)
AUTOSCALING_KEYS = frozenset(AutoscalingArgs.__required_keys__ | AutoscalingArgs.__optional_keys__)
assert CONF_KEYS <= KNOWN_KEYS
