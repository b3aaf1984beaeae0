"""The args of `SquidProxy` and of the squid.conf generator, and their enums.

Importable without any cloud SDK: the stack layer reads the schema of a config section from
`SquidProxyArgs`, and the validator and the plan take these types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Required, TypedDict

from traffic_edge._shared.tolerations import TolerationArgs


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
    scale_down_stabilization_seconds: int
    """How long the HPA must have wanted fewer pods before it removes any (0-3600, default 600;
    Kubernetes' own default is 300). It then removes at most one pod a minute, so a burst of
    traffic after a quiet spell does not find the pods gone."""
    scale_up_stabilization_seconds: int
    """How long the HPA must have wanted more pods before it adds them (0-3600, default 0: at once)."""


class TenantArgs(TypedDict, total=False):
    """One tenant: its own proxy port, the namespaces that may use it, and its own allowlist."""

    name: Required[str]
    """The tenant's name (1-15 lowercase letters, digits and '-', with a letter): it names the
    Service port and the container port, and the Squid port (`tenant-<name>`) its ACLs match."""
    port: Required[int]
    """The proxy port of this tenant (1024-65535, not 3128 or 9301): clients set
    `HTTP_PROXY=http://<service>.<namespace>.svc.cluster.local:<port>`."""
    client_namespaces: Required[Sequence[str]]
    """Namespaces whose pods may reach this port, and no other proxy port (NetworkPolicy). A
    namespace belongs to one tenant at most, and not also to `client_namespaces`."""
    allowed_domains: Sequence[str]
    """This tenant's destination hosts, as in `allowed_domains`."""
    allowed_destination_cidrs: Sequence[str]
    """This tenant's destination networks, as in `allowed_destination_cidrs`."""
    http_ports: Sequence[int]
    """Destination ports for plain HTTP. Default `[80]`; `[]` makes this tenant TLS-only."""
    tls_ports: Sequence[int]
    """Destination ports CONNECT may open. Default `[443]`; `[]` forbids CONNECT."""


class CanaryArgs(TypedDict, total=False):
    """The egress canary: per zone, a CronJob that asks an IP-echo URL through the proxy which address
    it came from, and fails when that is not one of the zone's egress IPs."""

    echo_url: Required[str]
    """An `http://` or `https://` URL whose answer is the caller's address as text (e.g. an IP-echo
    service the third party trusts). Its host and port are allowlisted in squid.conf automatically."""
    expected_egress_ips: Mapping[str, Sequence[str]]
    """Zone -> the egress IPs its Squid pods leave through (every zone of `zones`, no other); or an
    Output of that map. Required; in a stack with `traffic-edge:egressNat` the stack layer fills it
    from EgressNatGateways' outputs unless it is written."""
    interval_minutes: int
    """Minutes between runs: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60 (a divisor of an hour, so
    runs are evenly spaced). Default 5. The alert fires after three intervals without a match."""
    image: str
    """The image that runs the check (needs `sh` and `curl`), pinned. Default `curlimages/curl:8.21.0`."""


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
    node_selector: Mapping[str, str]
    """Node labels the Squid pods require (e.g. a dedicated egress node group), on top of the zone
    pinning; the zone label itself is `zones`' to set. Default: none."""
    tolerations: Sequence[TolerationArgs]
    """Taints the Squid pods tolerate (e.g. the taint of a dedicated egress node group). Default: none."""
    affinity: Mapping[str, Any]
    """Kubernetes `affinity` of the Squid pods, in the API's own form (`nodeAffinity`, `podAffinity`,
    `podAntiAffinity`, camelCase keys as in a pod spec). Merged with the zone pinning, never replacing
    it: every required node-selector term also gets the zone expression. Default: none."""
    priority_class_name: str
    """PriorityClass of the Squid pods (e.g. one that outranks batch work, so egress is not
    preempted). Default: none."""
    image_pull_secrets: Sequence[str]
    """Names of Secrets (in `namespace`) to pull the images with, for a private registry or mirror;
    also used by the canary's pods. Default: none."""
    tenants: Sequence[TenantArgs]
    """Per-tenant allowlists: each tenant gets its own proxy port with its own ACLs, reachable only
    from its own namespaces. The shared allowlist on 3128 stays the default. Default: none."""
    canary: CanaryArgs
    """Turn on the egress canary (a CronJob per zone proving traffic leaves through that zone's
    egress IPs). Default: off."""


KNOWN_KEYS = frozenset(SquidProxyArgs.__required_keys__ | SquidProxyArgs.__optional_keys__)
"""Every key of `SquidProxyArgs`."""
CONF_KEYS = frozenset(SquidConfArgs.__required_keys__ | SquidConfArgs.__optional_keys__)
"""The keys of the squid.conf part (each also a key of `SquidProxyArgs`)."""
RESOURCE_KEYS = frozenset(ResourcesArgs.__required_keys__ | ResourcesArgs.__optional_keys__)
AUTOSCALING_KEYS = frozenset(AutoscalingArgs.__required_keys__ | AutoscalingArgs.__optional_keys__)
TENANT_KEYS = frozenset(TenantArgs.__required_keys__ | TenantArgs.__optional_keys__)
CANARY_KEYS = frozenset(CanaryArgs.__required_keys__ | CanaryArgs.__optional_keys__)


@dataclass(frozen=True)
class Wired:
    """An arg the stack layer fills at deploy time from another section's outputs (`source`).

    Validators accept it where they accept an Output; the stack program swaps it for the Output
    before the component is created, and the component refuses one left unswapped."""

    source: str


def expected_egress_ips(args: Mapping[str, Any]) -> object:
    """`canary.expected_egress_ips` as given (a map, an Output, a `Wired`), or None without one."""
    canary = args.get("canary")
    return canary.get("expected_egress_ips") if isinstance(canary, Mapping) else None


assert CONF_KEYS <= KNOWN_KEYS
