"""The resolved plan of a `TraefikGateway`: every default applied once, every name derived.

`plan_traefik_gateway(name, args)` turns validated args into a frozen `TraefikPlan`. The chart
values (`helm_values`), the custom objects (`manifests`) and the component's resources are
built from that plan only, so a default lives here and nowhere else.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from traffic_edge.traefik_gateway.args import IssuerKind, RateLimitStore, ServiceType, TlsVersion, ZoneSpread
from traffic_edge.traefik_gateway.facts import (
    CHART,
    INSTANCE_LABEL,
    INSTANCE_NAME_MAX,
    NAME_LABEL,
    TLS_DEFAULT_MIN_VERSION,
    WEB_ENTRYPOINT,
    WEBSECURE_ENTRYPOINT,
)

REPLICAS = 2
WEB_PORT = 80
WEBSECURE_PORT = 443
ROUTE_ENTRYPOINTS = (WEB_ENTRYPOINT,)
"""What a route listens on unless it lists its entrypoints."""
REDIRECTED_ROUTE_ENTRYPOINTS = (WEBSECURE_ENTRYPOINT,)
"""The same with `redirect_to_https`: every request on web is redirected before any route."""
RATE_PERIOD_SECONDS = 1
CPU_REQUEST = "100m"
MEMORY_REQUEST = "128Mi"
MEMORY_LIMIT = "256Mi"
TARGET_CPU_PERCENT = 70
SCALE_DOWN_STABILIZATION_SECONDS = 300
MONITORING_NAMESPACE = "monitoring"
SCRAPE_INTERVAL_SECONDS = 30
TRACE_SAMPLE_RATE = 0.1
REDIS_DB = 0
LOW_PORT_OFFSET = 10000
"""A TCP route's container port below 1024 is moved up by this: the pod binds no privileged port."""


def present(args: Mapping[str, Any]) -> dict[str, Any]:
    """The keys that are set: a key whose value is None (``null`` in YAML) is not given."""
    return {k: v for k, v in args.items() if v is not None}


@dataclass(frozen=True)
class GatewayNames:
    """The names of everything the gateway creates; the chart's are computed as its helpers do."""

    component: str
    """The component's name: the prefix of every object and resource name."""
    release: str
    """Helm release name; contains 'traefik', so the chart uses it as its full name."""
    service: str
    """The Traefik Service (and Deployment, ServiceAccount) name."""
    namespace: str
    ingress_class: str
    """Value of the ``kubernetes.io/ingress.class`` annotation this gateway serves."""
    selector: dict[str, str]
    """The chart's pod selector labels."""

    @property
    def release_resource(self) -> str:
        return f"{self.component}-release"

    @property
    def network_policy(self) -> str:
        """Object and resource name of the NetworkPolicy that admits only the edge."""
        return f"{self.component}-edge-only"

    def network_policy_for(self, edge_only: bool) -> str:
        """The NetworkPolicy's name: `network_policy` with a trusted edge; else the policy only
        closes the metrics port to all but the monitoring namespace."""
        return self.network_policy if edge_only else f"{self.component}-ingress"

    @property
    def dashboard_route(self) -> str:
        return f"{self.component}-dashboard"

    @property
    def metrics_service(self) -> str:
        """The Service that selects the pods' metrics port, for the ServiceMonitor only."""
        return f"{self.release}-metrics"

    @property
    def service_monitor(self) -> str:
        return f"{self.component}-metrics"

    @property
    def certificate(self) -> str:
        """The cert-manager Certificate of the default certificate."""
        return f"{self.component}-default-cert"

    @property
    def default_tls_secret(self) -> str:
        """The Secret cert-manager writes the default certificate to."""
        return f"{self.component}-default-tls"

    @property
    def dashboard_auth(self) -> str:
        return f"{self.component}-dashboard-auth"

    @property
    def dashboard_allow(self) -> str:
        return f"{self.component}-dashboard-allow"

    def object_name(self, name: str) -> str:
        """A route's IngressRoute or a middleware's Middleware: ``<component>-<name>``."""
        return f"{self.component}-{name}"

    @staticmethod
    def middleware_resource(object_name: str, namespace: str) -> str:
        # A middleware is copied into each namespace that uses it: the namespace keeps the
        # Pulumi names unique (the object names already start with the component name).
        return f"{object_name}-{namespace}"

    @property
    def labels(self) -> dict[str, str]:
        """The labels of every custom object (a new dict each time)."""
        return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": self.component}


def gateway_names(name: str, namespace: str) -> GatewayNames:
    # traefik.fullname: a release name that contains the chart name is used as is, so the
    # Service name is predictable without rendering the chart.
    release = name if CHART in name else f"{name}-{CHART}"
    # traefik.instance-name: `trunc 63 | trimSuffix "-"`, which removes one '-', not every one.
    instance = f"{release}-{namespace}"[:INSTANCE_NAME_MAX].removesuffix("-")
    return GatewayNames(
        component=name,
        release=release,
        service=release,
        namespace=namespace,
        ingress_class=release,
        selector={NAME_LABEL: CHART, INSTANCE_LABEL: instance},
    )


@dataclass(frozen=True)
class RoutePlan:
    """A route with its defaults applied."""

    name: str
    object_name: str
    """The IngressRoute's name (and resource name)."""
    namespace: str
    rule: str
    service: str
    port: int
    entrypoints: tuple[str, ...]
    middlewares: tuple[str, ...]
    tls_secret: str | None

    def output(self) -> dict[str, Any]:
        """What the route matches and where it goes, for the component's `routes` output."""
        return {
            "name": self.name,
            "namespace": self.namespace,
            "rule": self.rule,
            "service": f"{self.service}:{self.port}",
            "entrypoints": list(self.entrypoints),
            "middlewares": list(self.middlewares),
        }


@dataclass(frozen=True)
class TcpRoutePlan:
    """A TCP route with its defaults applied; its entrypoint has its name."""

    name: str
    object_name: str
    """The IngressRouteTCP's name (and resource name)."""
    namespace: str
    port: int
    """The entrypoint's Service port."""
    container_port: int
    service: str
    service_port: int


@dataclass(frozen=True)
class RateLimitPlan:
    name: str
    average: int
    period_seconds: int
    burst: int
    store: RateLimitStore = RateLimitStore.MEMORY


@dataclass(frozen=True)
class RedisPlan:
    endpoints: tuple[str, ...]
    auth_secret: str | None
    db: int
    tls: bool
    ca_secret: str | None


@dataclass(frozen=True)
class AutoscalingPlan:
    max_replicas: int
    target_cpu_percent: int
    scale_down_stabilization_seconds: int


@dataclass(frozen=True)
class MetricsPlan:
    monitoring_namespace: str
    service_monitor_labels: dict[str, str]
    interval_seconds: int


@dataclass(frozen=True)
class TracingPlan:
    endpoint: str
    insecure: bool
    sample_rate: float


@dataclass(frozen=True)
class CertManagerPlan:
    issuer: str
    issuer_kind: IssuerKind
    dns_names: tuple[str, ...]


@dataclass(frozen=True)
class TlsPlan:
    default_secret: str | None
    """The Secret of the default certificate (cert-manager's when `cert_manager`); None: Traefik's own."""
    cert_manager: CertManagerPlan | None
    min_version: TlsVersion


@dataclass(frozen=True)
class AllowListPlan:
    name: str
    source_ranges: tuple[str, ...]


@dataclass(frozen=True)
class DashboardPlan:
    host: str
    basic_auth_secret: str
    tls_secret: str | None
    allow_from: tuple[str, ...] | None
    """None: no allowlist in front of the password prompt."""


@dataclass(frozen=True)
class TrustedPodsPlan:
    namespace: str
    match_labels: dict[str, str]


@dataclass(frozen=True)
class ResourcesPlan:
    cpu_request: str
    memory_request: str
    memory_limit: str


@dataclass(frozen=True)
class TraefikPlan:
    """Everything a `TraefikGateway` creates, decided: the values and objects follow from it."""

    names: GatewayNames
    replicas: int
    web_port: int
    websecure_port: int | None
    """None: the websecure entrypoint is off."""
    kubernetes_ingress: bool
    dashboard: bool
    dashboard_route: DashboardPlan | None
    routes: tuple[RoutePlan, ...]
    rate_limits: tuple[RateLimitPlan, ...]
    ip_allowlists: tuple[AllowListPlan, ...]
    middleware_copies: tuple[tuple[str, str], ...]
    """(namespace, middleware name), sorted: each middleware in the gateway namespace and in
    every namespace whose routes use it."""
    watched_namespaces: tuple[str, ...]
    """The gateway's namespace first, then every route namespace: all Traefik may read."""
    proxy_protocol: bool
    trusted_cidrs: tuple[str, ...]
    """As written: the chart's trustedIPs."""
    trusted_networks: tuple[str, ...]
    """The same in CIDR form (``192.0.2.10`` -> ``192.0.2.10/32``): the NetworkPolicy's ipBlocks."""
    trusted_pods: TrustedPodsPlan | None
    service_type: ServiceType
    zone_spread: ZoneSpread
    resources: ResourcesPlan
    autoscaling: AutoscalingPlan | None = None
    """None: a fixed `replicas`; else `replicas` is the HPA's minimum."""
    metrics: MetricsPlan | None = None
    tracing: TracingPlan | None = None
    redirect_to_https: bool = False
    tls: TlsPlan | None = None
    rate_limit_redis: RedisPlan | None = None
    tcp_routes: tuple[TcpRoutePlan, ...] = ()

    @property
    def max_replicas(self) -> int:
        return self.autoscaling.max_replicas if self.autoscaling is not None else self.replicas

    @property
    def websecure(self) -> bool:
        return self.websecure_port is not None

    def routers_using(self, middleware: str) -> int:
        return sum(middleware in r.middlewares for r in self.routes)

    @property
    def warnings(self) -> list[str]:
        """Each rate limit as a client really gets it (see `_limit_warning`)."""
        out = []
        for limit in self.rate_limits:
            routers = self.routers_using(limit.name)
            if routers:
                out.append(self._limit_warning(limit, routers))
        return out

    def _limit_warning(self, limit: RateLimitPlan, routers: int) -> str:
        """In memory a bucket is per Traefik process (each replica counts on its own) and per
        router (every route using the middleware builds its own limiter: traefik/traefik#13706,
        confirmed and open, 2026-08), so a client can make average x replicas x routers. In Redis
        the bucket key is the middleware's qualified name, `<namespace>-<name>`: one bucket for
        every replica and route, but one per namespace the middleware is copied into."""
        said = f"rate limit {limit.name!r} ({limit.average} per {limit.period_seconds}s per client)"
        if limit.store is RateLimitStore.REDIS:
            spaces = len({r.namespace for r in self.routes if limit.name in r.middlewares})
            return (
                f"{said} is kept in Redis, shared by every replica and by the routes of one namespace: "
                f"with routes in {spaces} namespace(s) using it, one client can make up to "
                f"{limit.average * spaces} per {limit.period_seconds}s in all"
            )
        pods = (
            f"{self.replicas} replicas"
            if self.autoscaling is None
            else f"up to {self.max_replicas} replicas (autoscaling)"
        )
        return (
            f"{said} is kept in memory per Traefik pod and per route: with {pods} and {routers} route(s) "
            f"using it, one client can make up to {limit.average * self.max_replicas * routers} per "
            f"{limit.period_seconds}s in all"
        )

    @property
    def entrypoints(self) -> dict[str, int]:
        """Enabled entrypoints -> Service port."""
        ports = {WEB_ENTRYPOINT: self.web_port}
        if self.websecure_port is not None:
            ports[WEBSECURE_ENTRYPOINT] = self.websecure_port
        ports.update({tcp.name: tcp.port for tcp in self.tcp_routes})
        return ports

    @property
    def edge_only(self) -> bool:
        """Whether a NetworkPolicy admits only the trusted edge (some trusted source is set)."""
        return bool(self.trusted_cidrs) or self.trusted_pods is not None


def plan_traefik_gateway(name: str, args: Mapping[str, Any]) -> TraefikPlan:
    """The plan for validated `args` (`validate_traefik_args` returned no problem)."""
    a = present(args)
    names = gateway_names(name, a["namespace"])
    default_eps = route_entrypoints(a)
    routes = tuple(_route(names, present(r), default_eps) for r in a.get("routes", ()))
    tcp_routes = tuple(_tcp_route(names, present(r)) for r in a.get("tcp_routes", ()))
    autoscaling = _autoscaling(a)
    rate_limits = tuple(_rate_limit(present(r)) for r in a.get("rate_limits", ()))
    allowlists = tuple(
        AllowListPlan(al["name"], tuple(al["source_ranges"])) for al in a.get("ip_allowlists", ())
    )
    trusted = tuple(a.get("trusted_cidrs", ()))
    web_port, websecure_port = service_ports(a)
    return TraefikPlan(
        names=names,
        replicas=min_replicas(a) if autoscaling else int(a.get("replicas", REPLICAS)),
        web_port=web_port,
        websecure_port=websecure_port,
        kubernetes_ingress=a.get("kubernetes_ingress", False) is True,
        dashboard=a.get("dashboard", True) is True,
        dashboard_route=_dashboard(a.get("dashboard_route")),
        routes=routes,
        rate_limits=rate_limits,
        ip_allowlists=allowlists,
        middleware_copies=_middleware_copies(
            names.namespace, [*(r.name for r in rate_limits), *(al.name for al in allowlists)], routes
        ),
        watched_namespaces=(
            names.namespace,
            *sorted(({r.namespace for r in routes} | {t.namespace for t in tcp_routes}) - {names.namespace}),
        ),
        proxy_protocol=a.get("proxy_protocol", False) is True,
        trusted_cidrs=trusted,
        trusted_networks=tuple(str(ipaddress.ip_network(c)) for c in trusted),
        trusted_pods=_trusted_pods(a.get("trusted_pods")),
        service_type=ServiceType(a.get("service_type", ServiceType.CLUSTER_IP)),
        zone_spread=ZoneSpread(a.get("zone_spread", ZoneSpread.PREFERRED)),
        resources=_resources(present(a.get("resources", {}))),
        autoscaling=autoscaling,
        metrics=_metrics(a.get("metrics")),
        tracing=_tracing(a.get("tracing")),
        redirect_to_https=a.get("redirect_to_https", False) is True,
        tls=_tls(names, a.get("tls")),
        rate_limit_redis=_redis(a.get("rate_limit_redis")),
        tcp_routes=tcp_routes,
    )


def route_entrypoints(args: Mapping[str, Any]) -> tuple[str, ...]:
    """What a route listens on unless it lists its entrypoints."""
    return REDIRECTED_ROUTE_ENTRYPOINTS if args.get("redirect_to_https") is True else ROUTE_ENTRYPOINTS


def tcp_container_port(route: Mapping[str, Any]) -> int:
    """The port Traefik listens on for a TCP route: `container_port`, else the Service port,
    moved above 1024 when it is privileged (the pod has no NET_BIND_SERVICE)."""
    if "container_port" in route and route["container_port"] is not None:
        return int(route["container_port"])
    port = int(route["port"])
    return port if port >= 1024 else LOW_PORT_OFFSET + port


def min_replicas(args: Mapping[str, Any]) -> int:
    """The HPA's minimum: `autoscaling.min_replicas`, else `replicas`, else 2."""
    scaling = present(args.get("autoscaling") or {})
    return int(scaling.get("min_replicas", args.get("replicas", REPLICAS)))


def service_ports(args: Mapping[str, Any]) -> tuple[int, int | None]:
    """The Service ports of ``web`` and ``websecure`` (None when websecure is off)."""
    a = present(args)
    web = int(a.get("web_port", WEB_PORT))
    if a.get("websecure") is not True:
        return web, None
    return web, int(a.get("websecure_port", WEBSECURE_PORT))


def _rule(host: str, path_prefix: str | None) -> str:
    rule = f"Host(`{host}`)"
    return f"{rule} && PathPrefix(`{path_prefix}`)" if path_prefix else rule


def _route(names: GatewayNames, r: Mapping[str, Any], default_eps: tuple[str, ...]) -> RoutePlan:
    return RoutePlan(
        name=r["name"],
        object_name=names.object_name(r["name"]),
        namespace=r.get("namespace", names.namespace),
        rule=_rule(r["host"], r.get("path_prefix")),
        service=r["service"],
        port=r["port"],
        entrypoints=tuple(r.get("entrypoints", default_eps)),
        middlewares=tuple(r.get("middlewares", ())),
        tls_secret=r.get("tls_secret"),
    )


def _rate_limit(r: Mapping[str, Any]) -> RateLimitPlan:
    average = r["average"]
    return RateLimitPlan(
        name=r["name"],
        average=average,
        period_seconds=r.get("period_seconds", RATE_PERIOD_SECONDS),
        # An omitted burst follows the average.
        burst=r.get("burst", average),
        store=RateLimitStore(r.get("store", RateLimitStore.MEMORY)),
    )


def _tcp_route(names: GatewayNames, r: Mapping[str, Any]) -> TcpRoutePlan:
    return TcpRoutePlan(
        name=r["name"],
        object_name=names.object_name(r["name"]),
        namespace=r.get("namespace", names.namespace),
        port=r["port"],
        container_port=tcp_container_port(r),
        service=r["service"],
        service_port=r["service_port"],
    )


def _autoscaling(a: Mapping[str, Any]) -> AutoscalingPlan | None:
    if a.get("autoscaling") is None:
        return None
    s = present(a["autoscaling"])
    return AutoscalingPlan(
        max_replicas=s["max_replicas"],
        target_cpu_percent=s.get("target_cpu_percent", TARGET_CPU_PERCENT),
        scale_down_stabilization_seconds=s.get(
            "scale_down_stabilization_seconds", SCALE_DOWN_STABILIZATION_SECONDS
        ),
    )


def _metrics(metrics: Mapping[str, Any] | None) -> MetricsPlan | None:
    if metrics is None:
        return None
    m = present(metrics)
    return MetricsPlan(
        monitoring_namespace=m.get("monitoring_namespace", MONITORING_NAMESPACE),
        service_monitor_labels=dict(m.get("service_monitor_labels", {})),
        interval_seconds=m.get("interval_seconds", SCRAPE_INTERVAL_SECONDS),
    )


def _tracing(tracing: Mapping[str, Any] | None) -> TracingPlan | None:
    if tracing is None:
        return None
    t = present(tracing)
    return TracingPlan(
        endpoint=t["endpoint"],
        insecure=t.get("insecure", False) is True,
        sample_rate=float(t.get("sample_rate", TRACE_SAMPLE_RATE)),
    )


def _tls(names: GatewayNames, tls: Mapping[str, Any] | None) -> TlsPlan | None:
    if tls is None:
        return None
    t = present(tls)
    default = present(t.get("default_certificate") or {})
    cm = present(default["cert_manager"]) if "cert_manager" in default else None
    cert_manager = (
        None
        if cm is None
        else CertManagerPlan(
            issuer=cm["issuer"],
            issuer_kind=IssuerKind(cm.get("issuer_kind", IssuerKind.CLUSTER_ISSUER)),
            dns_names=tuple(cm["dns_names"]),
        )
    )
    secret = names.default_tls_secret if cert_manager is not None else default.get("secret")
    return TlsPlan(
        default_secret=secret,
        cert_manager=cert_manager,
        min_version=TlsVersion(t.get("min_version", TLS_DEFAULT_MIN_VERSION)),
    )


def _redis(redis: Mapping[str, Any] | None) -> RedisPlan | None:
    if redis is None:
        return None
    r = present(redis)
    return RedisPlan(
        endpoints=tuple(r["endpoints"]),
        auth_secret=r.get("auth_secret"),
        db=r.get("db", REDIS_DB),
        tls=r.get("tls", False) is True,
        ca_secret=r.get("ca_secret"),
    )


def _middleware_copies(
    namespace: str, middlewares: Iterable[str], routes: Iterable[RoutePlan]
) -> tuple[tuple[str, str], ...]:
    # Every middleware also exists in the gateway namespace, where IngressRoutes written
    # outside this component can reference it.
    used = {(namespace, mw) for mw in middlewares}
    used |= {(route.namespace, mw) for route in routes for mw in route.middlewares}
    return tuple(sorted(used))


def _dashboard(route: Mapping[str, Any] | None) -> DashboardPlan | None:
    if route is None:
        return None
    d = present(route)
    allow = d.get("allow_from")
    return DashboardPlan(
        host=d["host"],
        basic_auth_secret=d["basic_auth_secret"],
        tls_secret=d.get("tls_secret"),
        allow_from=None if allow is None else tuple(allow),
    )


def _trusted_pods(pods: Mapping[str, Any] | None) -> TrustedPodsPlan | None:
    if pods is None:
        return None
    return TrustedPodsPlan(namespace=pods["namespace"], match_labels=dict(pods["match_labels"]))


def _resources(res: Mapping[str, Any]) -> ResourcesPlan:
    return ResourcesPlan(
        cpu_request=res.get("cpu_request", CPU_REQUEST),
        memory_request=res.get("memory_request", MEMORY_REQUEST),
        memory_limit=res.get("memory_limit", MEMORY_LIMIT),
    )
