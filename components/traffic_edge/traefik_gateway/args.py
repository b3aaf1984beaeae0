"""The args of `TraefikGateway` and their enums: importable with no cloud SDK.

In a stack file the same names are camelCase (``webPort``, ``rateLimits``, ``periodSeconds``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Required, TypedDict


class ServiceType(StrEnum):
    """How the Traefik Service is reached."""

    CLUSTER_IP = "ClusterIP"
    """Only inside the cluster (behind the HAProxy edge): the default."""
    LOAD_BALANCER = "LoadBalancer"
    """A load-balancer address, with externalTrafficPolicy Local to keep the client IP."""


class ZoneSpread(StrEnum):
    """How strictly the replicas are spread over zones."""

    PREFERRED = "ScheduleAnyway"
    """Spread when possible; on-prem nodes without zone labels still schedule."""
    REQUIRED = "DoNotSchedule"
    """Never put more than one extra replica in a zone (nodes need zone labels)."""


class RateLimitStore(StrEnum):
    """Where a rate limit keeps its buckets."""

    MEMORY = "memory"
    """In each Traefik pod's memory, per route: the default (see the effective-limit warning)."""
    REDIS = "redis"
    """In Redis (`rate_limit_redis`): one bucket per client shared by every replica."""


class TlsVersion(StrEnum):
    """The lowest TLS version the websecure entrypoint accepts (Traefik's names)."""

    TLS12 = "VersionTLS12"
    """TLS 1.2 and 1.3: the default."""
    TLS13 = "VersionTLS13"
    """TLS 1.3 only."""


class IssuerKind(StrEnum):
    """The kind of cert-manager issuer a certificate comes from."""

    CLUSTER_ISSUER = "ClusterIssuer"
    """A cluster-wide issuer: the default."""
    ISSUER = "Issuer"
    """An issuer in the gateway's namespace."""


class TraefikRoute(TypedDict, total=False):
    """One HTTP route: host (and optional path prefix) -> a Service port."""

    name: Required[str]
    """Route name (DNS-1123 label); the IngressRoute is named ``<gateway>-<name>``."""
    host: Required[str]
    """Exact host name matched with ``Host(...)`` (lower case, no wildcard)."""
    path_prefix: str
    """Optional path prefix matched with ``PathPrefix(...)``; starts with ``/``."""
    service: Required[str]
    """Backend Service name, in the route's namespace."""
    port: Required[int]
    """Backend Service port number."""
    namespace: str
    """Namespace of the Service and of the IngressRoute; defaults to the gateway's namespace."""
    entrypoints: list[str]
    """Entrypoints the route listens on (``web``, ``websecure``); defaults to ``["web"]``."""
    middlewares: list[str]
    """Names of `rate_limits` / `ip_allowlists` applied to the route, in order."""
    tls_secret: str
    """TLS Secret (in the route's namespace) served on ``websecure``; needs ``websecure``."""


class RateLimit(TypedDict, total=False):
    """A token-bucket rate limit keyed on the client address."""

    name: Required[str]
    """Middleware name (DNS-1123 label) that routes reference."""
    average: Required[int]
    """Requests allowed per period on average, per client address."""
    period_seconds: int
    """Length of the period in seconds (default 1)."""
    burst: int
    """Requests allowed in a burst above the average (default: `average`)."""
    store: RateLimitStore
    """``memory`` (default: per pod and per route) or ``redis`` (shared; needs `rate_limit_redis`)."""


class RedisStore(TypedDict, total=False):
    """The Redis that rate limits with ``store: redis`` share. No password here: a Secret holds it."""

    endpoints: Required[list[str]]
    """Redis addresses as ``host:port`` (one, or a seed list)."""
    auth_secret: str
    """Secret with ``username`` and ``password`` keys, in every namespace a Redis-backed limit is in."""
    db: int
    """Redis database number (default 0)."""
    tls: bool
    """Connect with TLS (default false)."""
    ca_secret: str
    """Secret with the CA (``tls.ca`` or ``ca.crt``) that signed Redis's certificate; needs `tls`."""


class TcpRoute(TypedDict, total=False):
    """A TCP service on its own entrypoint: every connection to `port` goes to the backend."""

    name: Required[str]
    """Route and entrypoint name: a port name (at most 15 lower-case letters, digits and '-')."""
    port: Required[int]
    """Service port of the route's entrypoint."""
    service: Required[str]
    """Backend Service name, in the route's namespace."""
    service_port: Required[int]
    """Backend Service port number."""
    namespace: str
    """Namespace of the Service and of the IngressRouteTCP; defaults to the gateway's namespace."""
    container_port: int
    """Port Traefik listens on in the pod (default: `port`, or 10000 + `port` below 1024)."""


class IpAllowList(TypedDict):
    """Admit only clients from these ranges (others get 403)."""

    name: str
    """Middleware name (DNS-1123 label) that routes reference."""
    source_ranges: list[str]
    """Client IPs or CIDRs allowed."""


class TrustedPods(TypedDict):
    """The HAProxy edge pods, admitted by the NetworkPolicy."""

    namespace: str
    """Namespace the HAProxy pods run in."""
    match_labels: dict[str, str]
    """Labels that select the HAProxy pods."""


class DashboardRoute(TypedDict, total=False):
    """An explicit, authenticated route to the dashboard on ``websecure``."""

    host: Required[str]
    """Host name the dashboard is served on."""
    basic_auth_secret: Required[str]
    """Existing Secret (``kubernetes.io/basic-auth`` or ``users``) in the gateway namespace."""
    tls_secret: str
    """TLS Secret for the host; Traefik's default certificate when absent."""
    allow_from: list[str]
    """Optional client IPs/CIDRs allowed to reach the dashboard."""


class Autoscaling(TypedDict, total=False):
    """A HorizontalPodAutoscaler on CPU, never below the PodDisruptionBudget's floor of 2."""

    max_replicas: Required[int]
    """Most Traefik pods."""
    min_replicas: int
    """Fewest Traefik pods (default: `replicas`, 2); at least 2."""
    target_cpu_percent: int
    """Average CPU use, in percent of the request, the HPA keeps the pods at (default 70)."""
    scale_down_stabilization_seconds: int
    """How long the load must stay low before pods are removed (default 300)."""


class Metrics(TypedDict, total=False):
    """Prometheus metrics scraped by prometheus-operator from the monitoring namespace only."""

    monitoring_namespace: str
    """Namespace Prometheus runs in: the only one the NetworkPolicy admits to the metrics port
    (default ``monitoring``)."""
    service_monitor_labels: dict[str, str]
    """Labels on the ServiceMonitor, for a Prometheus that selects by label."""
    interval_seconds: int
    """Scrape interval (default 30)."""


class Tracing(TypedDict, total=False):
    """OpenTelemetry traces sent over OTLP/gRPC."""

    endpoint: Required[str]
    """The collector's OTLP/gRPC address, ``host:port``."""
    insecure: bool
    """Send without TLS, to an in-cluster collector (default false)."""
    sample_rate: float
    """Share of requests traced, from 0 to 1 (default 0.1)."""


class CertManagerCertificate(TypedDict, total=False):
    """A cert-manager Certificate for the default certificate (the cluster runs cert-manager)."""

    issuer: Required[str]
    """Name of the issuer."""
    issuer_kind: IssuerKind
    """``ClusterIssuer`` (default) or ``Issuer`` (in the gateway's namespace)."""
    dns_names: Required[list[str]]
    """Host names on the certificate; ``*.example.com`` wildcards allowed."""


class DefaultCertificate(TypedDict, total=False):
    """Where the certificate Traefik serves when no route names one comes from: exactly one."""

    secret: str
    """An existing ``kubernetes.io/tls`` Secret in the gateway's namespace."""
    cert_manager: CertManagerCertificate
    """A cert-manager Certificate the component creates; its Secret is ``<name>-default-tls``."""


class Tls(TypedDict, total=False):
    """TLS on ``websecure``: the default certificate and the lowest version accepted."""

    default_certificate: DefaultCertificate
    """The default certificate; Traefik's self-signed one when absent."""
    min_version: TlsVersion
    """``VersionTLS12`` (default) or ``VersionTLS13``."""


class Resources(TypedDict, total=False):
    """Container resources (Kubernetes quantities)."""

    cpu_request: str
    """CPU request (default ``100m``); no CPU limit, throttling a proxy adds latency."""
    memory_request: str
    """Memory request (default ``128Mi``)."""
    memory_limit: str
    """Memory limit (default ``256Mi``); the chart sets GOMEMLIMIT from it."""


class TraefikGatewayArgs(TypedDict, total=False):
    """Arguments of `TraefikGateway` (stack config: the same names in camelCase)."""

    namespace: Required[str]
    """Existing namespace the chart is installed into."""
    replicas: int
    """Traefik pods (default 2, at least 2)."""
    web_port: int
    """Service port of the ``web`` entrypoint (default 80)."""
    websecure: bool
    """Also run the ``websecure`` entrypoint with TLS (default false)."""
    websecure_port: int
    """Service port of ``websecure`` (default 443)."""
    kubernetes_ingress: bool
    """Also serve Ingress objects annotated with the gateway's ingress class (default false)."""
    dashboard: bool
    """Serve the dashboard on the internal, unexposed entrypoint (default true)."""
    dashboard_route: DashboardRoute
    """Expose the dashboard on ``websecure`` behind basic auth; absent: not exposed."""
    routes: list[TraefikRoute]
    """HTTP routes, rendered as IngressRoutes."""
    rate_limits: list[RateLimit]
    """Rate-limit middlewares that routes reference by name."""
    ip_allowlists: list[IpAllowList]
    """IP allowlist middlewares that routes reference by name."""
    proxy_protocol: bool
    """Read the PROXY protocol header from `trusted_cidrs` on every entrypoint (default false)."""
    trusted_cidrs: list[str]
    """Addresses of the HAProxy edge: PROXY / X-Forwarded-* trusted from them only."""
    trusted_pods: TrustedPods
    """HAProxy pods admitted by the NetworkPolicy (besides `trusted_cidrs`)."""
    service_type: ServiceType
    """``ClusterIP`` (default, behind HAProxy) or ``LoadBalancer``."""
    zone_spread: ZoneSpread
    """Zone spreading strictness (default ``ScheduleAnyway``)."""
    resources: Resources
    """Container resources."""
    autoscaling: Autoscaling
    """Scale on CPU with a HorizontalPodAutoscaler; absent: a fixed `replicas`."""
    metrics: Metrics
    """Scrape Traefik's Prometheus metrics (metrics Service, ServiceMonitor, NetworkPolicy rule)."""
    tracing: Tracing
    """Send OTLP traces; absent: no tracing."""
    redirect_to_https: bool
    """Redirect every request on ``web`` to ``websecure`` (default false); needs `websecure`."""
    tls: Tls
    """Default certificate and TLS options of ``websecure``; needs `websecure`."""
    rate_limit_redis: RedisStore
    """The Redis of the rate limits with ``store: redis``."""
    tcp_routes: list[TcpRoute]
    """TCP services, each on its own entrypoint, rendered as IngressRouteTCPs."""
