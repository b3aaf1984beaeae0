"""The args of `ProxyProtocolIngress`: TypedDicts and enums only, importable without any cloud SDK.

Every default named here is applied once, by `plan.plan_proxy_protocol_ingress`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NotRequired, Required, TypedDict

from traffic_edge._shared.tolerations import TolerationArgs


class Placement(StrEnum):
    """Where HAProxy runs."""

    IN_CLUSTER = "in-cluster"
    """Pods in the cluster behind a MetalLB LoadBalancer Service; logs to stdout."""
    EXTERNAL = "external"
    """A host outside the cluster (the seed's setup); logs to the local syslog socket."""


class Workload(StrEnum):
    """How the in-cluster HAProxy pods run."""

    DEPLOYMENT = "deployment"
    """`replicas` pods spread over nodes (optionally `autoscaling`); PDB `maxUnavailable: 1`."""
    DAEMONSET = "daemonset"
    """One pod on every node `node_selector` selects (the edge nodes); PDB `minAvailable: 1`."""


class MetalLbMode(StrEnum):
    """How MetalLB announces the fixed IP."""

    L2 = "l2"
    """ARP/NDP from one elected node: every connection enters through that node."""
    BGP = "bgp"
    """Routes to BGP peers from every announcing node: the router spreads flows (ECMP)."""


class IngressPort(TypedDict):
    """One public port."""

    name: str
    """Port name (``https``), 1-15 characters of a-z, 0-9, '-'."""
    port: int
    """Public port: what HAProxy listens on and the LoadBalancer Service exposes."""
    target_port: int
    """The gateway pods' container port (``8443`` for Istio's default gateway)."""
    node_port: NotRequired[int]
    """`external` placement only: the NodePort (30000-32767) the external HAProxy connects to."""


class HealthCheckArgs(TypedDict, total=False):
    """HAProxy's health check of every gateway server."""

    inter_ms: int
    """Milliseconds between checks (default 2000)."""
    fall: int
    """Failed checks that mark a server DOWN (default 3)."""
    rise: int
    """Passed checks that bring it back (default 2)."""


class BgpPeerArgs(TypedDict, total=False):
    """One BGP router MetalLB peers with (a MetalLB `BGPPeer`)."""

    name: Required[str]
    """Names the BGPPeer object ``<component>-<name>``: a DNS-1123 label, stable across edits."""
    address: Required[str]
    """The router's IP address."""
    asn: Required[int]
    """The router's AS number (1-4294967295)."""
    port: int
    """The router's BGP port (default 179; MetalLB allows 1-16384)."""
    password_secret: str
    """TCP MD5 password, only as the name of a Secret in MetalLB's namespace (type
    ``kubernetes.io/basic-auth``, key ``password``): never a value in the args or the plan."""
    ebgp_multihop: bool
    """The eBGP router is more than one hop away (default false; refused for an iBGP peer)."""


class BgpArgs(TypedDict, total=False):
    """`mode: bgp`: the local AS and the routers to peer with."""

    my_asn: Required[int]
    """The cluster's AS number (1-4294967295); equal to a peer's `asn` means iBGP."""
    peers: Required[list[BgpPeerArgs]]
    """At least one router; the advertisement goes to exactly these peers."""


class MetalLbArgs(TypedDict, total=False):
    """MetalLB: the pool, and how (and from which nodes) it is announced."""

    addresses: Required[list[str]]
    """The pool: CIDRs (``192.0.2.16/28``) or ranges (``192.0.2.20-192.0.2.29``), no overlaps."""
    install: bool
    """Install the pinned chart (default true); false when MetalLB is already there."""
    namespace: str
    """MetalLB's namespace (default ``metallb-system``)."""
    mode: str
    """``l2`` (default) or ``bgp`` (see `MetalLbMode`); the chart runs FRR-K8s only for ``bgp``."""
    node_selectors: list[dict[str, str]]
    """The nodes that may announce the IP, as label maps (a node matching any one announces);
    default every node. The HAProxy `node_selector` must include one of them."""
    interfaces: list[str]
    """``l2`` only: the node interfaces that answer ARP/NDP for the IP (default every one)."""
    bgp: BgpArgs
    """``bgp`` only, required there: the local AS and the peers."""


class AutoscalingArgs(TypedDict, total=False):
    """A HorizontalPodAutoscaler (autoscaling/v2) between `replicas` and `max_replicas` on CPU."""

    max_replicas: Required[int]
    """Upper bound; at least `replicas` (the HPA's minimum)."""
    target_cpu_percent: int
    """Average CPU utilization of the pods' request the HPA keeps, 10-100 (default 70)."""


class GatewayArgs(TypedDict, total=False):
    """The existing Istio ingress gateway."""

    namespace: str
    """Default ``istio-system``."""
    deployment: str
    """Its Deployment, patched with the proxyProtocol annotation on Istio >= 1.19 (default
    ``istio-ingressgateway``)."""
    selector: dict[str, str]
    """Labels of its pods (default ``{"istio": "ingressgateway"}``)."""


class ProxyProtocolIngressArgs(TypedDict, total=False):
    """The args of `ProxyProtocolIngress`."""

    istio_version: Required[str]
    """Istio ``major.minor[.patch]``; decides how the gateway is told to read PROXY (>= 1.17)."""
    ports: Required[list[IngressPort]]
    """The public ports."""
    placement: str
    """``in-cluster`` (default) or ``external`` (see `Placement`)."""
    metallb: MetalLbArgs
    """`in-cluster` only, required there: the MetalLB pool the fixed IP comes from."""
    load_balancer_ip: str
    """`in-cluster` only, required there: the fixed IP, inside the pool."""
    namespace: str
    """`in-cluster`: the namespace created for HAProxy (default ``haproxy-edge``)."""
    replicas: int
    """`in-cluster`, `deployment` only: HAProxy pods (default 2, at least 2 so the PDB allows a
    drain); the HPA's minimum with `autoscaling`."""
    workload: str
    """`in-cluster`: ``deployment`` (default) or ``daemonset`` on the `node_selector` nodes."""
    autoscaling: AutoscalingArgs
    """`in-cluster`, `deployment` only: a HorizontalPodAutoscaler from `replicas` to `max_replicas`."""
    node_selector: dict[str, str]
    """`in-cluster`: the labels of the nodes HAProxy runs on (the edge nodes); required for a
    ``daemonset``, and to include one of `metallb.node_selectors` when those are set."""
    tolerations: list[TolerationArgs]
    """`in-cluster`: taints of the edge nodes the HAProxy pods tolerate."""
    image: str
    """`in-cluster`: HAProxy image (default `facts.HAPROXY_IMAGE`)."""
    monitoring_namespace: str
    """`in-cluster`: the only namespace that may reach HAProxy's stats/Prometheus port (the
    HAProxy pods' NetworkPolicy). Default `"monitoring"`."""
    service_monitor: bool
    """`in-cluster`: scrape HAProxy's own Prometheus endpoint (``:8404/metrics``): a metrics
    Service, a prometheus-operator ServiceMonitor and a PrometheusRule with the alerts (default
    false: the cluster needs the monitoring.coreos.com CRDs)."""
    service_monitor_labels: dict[str, str]
    """`in-cluster`, with `service_monitor` only: labels on the ServiceMonitor and the
    PrometheusRule, which the Prometheus `serviceMonitorSelector`/`ruleSelector` match (e.g.
    ``{"release": "kube-prometheus-stack"}``; ``{}`` for a Prometheus that selects every one)."""
    node_addresses: list[str]
    """`external` only, required there: node IPs the external HAProxy forwards to (NodePorts)."""
    haproxy_source_cidrs: list[str]
    """Addresses HAProxy connects from. `external`: required, admitted by the NetworkPolicy.
    `in-cluster`: the pod CIDRs, needed only by `authorization_policy`."""
    gateway: GatewayArgs
    """The Istio ingress gateway that receives the PROXY header."""
    authorization_policy: bool
    """Also deny, in Envoy, any peer outside `haproxy_source_cidrs` on the gateway ports
    (default false; the NetworkPolicy alone needs a CNI that enforces it)."""
    health_check: HealthCheckArgs
    """HAProxy's health check of the gateway servers."""
    maxconn: int
    """HAProxy connection limit per process and frontend (default 20000)."""


ARG_KEYS = frozenset(ProxyProtocolIngressArgs.__annotations__)
PORT_KEYS = frozenset(IngressPort.__annotations__)
METALLB_KEYS = frozenset(MetalLbArgs.__annotations__)
GATEWAY_KEYS = frozenset(GatewayArgs.__annotations__)
HEALTH_KEYS = frozenset(HealthCheckArgs.__annotations__)
BGP_KEYS = frozenset(BgpArgs.__annotations__)
PEER_KEYS = frozenset(BgpPeerArgs.__annotations__)
AUTOSCALING_KEYS = frozenset(AutoscalingArgs.__annotations__)
IN_CLUSTER_ONLY = (
    "metallb",
    "load_balancer_ip",
    "namespace",
    "replicas",
    "workload",
    "autoscaling",
    "node_selector",
    "tolerations",
    "image",
    "monitoring_namespace",
    "service_monitor",
    "service_monitor_labels",
)
"""The keys of the in-cluster HAProxy, which an external HAProxy does not have."""
