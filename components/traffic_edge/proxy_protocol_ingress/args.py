"""The args of `ProxyProtocolIngress`: TypedDicts and enums only, importable without any cloud SDK.

Every default named here is applied once, by `plan.plan_proxy_protocol_ingress`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NotRequired, Required, TypedDict


class Placement(StrEnum):
    """Where HAProxy runs."""

    IN_CLUSTER = "in-cluster"
    """Pods in the cluster behind a MetalLB LoadBalancer Service; logs to stdout."""
    EXTERNAL = "external"
    """A host outside the cluster (the seed's setup); logs to the local syslog socket."""


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


class MetalLbArgs(TypedDict, total=False):
    """MetalLB in L2 mode."""

    addresses: Required[list[str]]
    """The pool: CIDRs (``192.0.2.16/28``) or ranges (``192.0.2.20-192.0.2.29``), no overlaps."""
    install: bool
    """Install the pinned chart (default true); false when MetalLB is already there."""
    namespace: str
    """MetalLB's namespace (default ``metallb-system``)."""


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
    """`in-cluster`: HAProxy pods (default 2, at least 2 so the PDB allows a drain)."""
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
IN_CLUSTER_ONLY = (
    "metallb",
    "load_balancer_ip",
    "namespace",
    "replicas",
    "image",
    "monitoring_namespace",
    "service_monitor",
    "service_monitor_labels",
)
"""The keys of the in-cluster HAProxy, which an external HAProxy does not have."""
