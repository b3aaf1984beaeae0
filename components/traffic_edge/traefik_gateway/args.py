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
