"""Pure planning for `TraefikGateway`: validation, Helm values for the pinned official
Traefik chart, and the IngressRoute / Middleware / NetworkPolicy manifests.

Nothing here touches Pulumi, so every decision is unit-tested directly. The chart cannot
be rendered offline, so the values are what the tests pin; they follow the chart's
41.x value names (checked against the chart's own upgrade notes):

* 39.0: the values schema is enforced (an unknown key fails the install) and entrypoint
  HTTP options moved under ``ports.<ep>.http`` (``ports.websecure.http.tls``).
* 40.0: Service fields moved under ``service.spec`` (``service.spec.type``).
* 41.0: ``logs.general`` became ``log`` and ``logs.access`` became ``accessLog``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Required, TypedDict, TypeGuard

from traffic_edge._shared.names import DNS1123_LABEL, DNS1123_SUBDOMAIN, LABEL_VALUE, is_int
from traffic_edge._shared.problems import Problem

CHART = "traefik"
CHART_REPO = "https://traefik.github.io/charts"
CHART_VERSION = "41.3.0"
"""Pinned chart; it ships Traefik v3.7 and the traefik.io/v1alpha1 CRDs."""

API_VERSION = "traefik.io/v1alpha1"

# Traefik listens on unprivileged container ports (the chart's defaults) so the pod runs
# as non-root with no added capabilities; the Service maps them to web_port/websecure_port.
WEB_CONTAINER_PORT = 8000
WEBSECURE_CONTAINER_PORT = 8443
# The chart's internal `traefik` entrypoint: /ping for the probes and the dashboard. The
# Service never exposes it, and the NetworkPolicy admits nobody to it.
INTERNAL_CONTAINER_PORT = 8080
PING_PATH = "/ping"

# On SIGTERM Traefik keeps accepting requests for this long, so that the endpoint removal
# reaches every kube-proxy / upstream HAProxy before the listener closes (the Kubernetes
# side of the seed's start-first rolling update with 0 % errors).
REQUEST_ACCEPT_GRACE = "5s"
# Then in-flight requests get this long to finish.
GRACE_TIMEOUT = "10s"
TERMINATION_GRACE_SECONDS = 30  # > 5 s + 10 s, with room for the process to exit

ENTRYPOINTS = ("web", "websecure")
ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"


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


_ARG_KEYS = frozenset(TraefikGatewayArgs.__annotations__)
_ROUTE_KEYS = frozenset(TraefikRoute.__annotations__)
_RATE_KEYS = frozenset(RateLimit.__annotations__)
_ALLOW_KEYS = frozenset(IpAllowList.__annotations__)
_DASH_KEYS = frozenset(DashboardRoute.__annotations__)
_PODS_KEYS = frozenset(TrustedPods.__annotations__)
_RES_KEYS = frozenset(Resources.__annotations__)

_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
# Characters a Traefik rule could be broken out of (backtick ends the literal).
_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")

_LABEL_RULE = "a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters"
_HOST_RULE = (
    "a lower-case DNS host name like 'app.example.com' (no wildcard, no port, at most 253 characters)"
)
_PORT_RULE = "an integer port from 1 to 65535"
_QTY_RULE = "a Kubernetes quantity like '100m', '128Mi' or '1Gi'"


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class GatewayNames:
    """Names the chart derives from the release name, computed the way its helpers do."""

    release: str
    """Helm release name; contains 'traefik', so the chart uses it as its full name."""
    service: str
    """The Traefik Service (and Deployment, ServiceAccount) name."""
    namespace: str
    ingress_class: str
    """Value of the ``kubernetes.io/ingress.class`` annotation this gateway serves."""
    selector: dict[str, str]
    """The chart's pod selector labels."""


def gateway_names(name: str, namespace: str) -> GatewayNames:
    # traefik.fullname: a release name that contains the chart name is used as is, so the
    # Service name is predictable without rendering the chart.
    release = name if CHART in name else f"{name}-{CHART}"
    return GatewayNames(
        release=release,
        service=release,
        namespace=namespace,
        ingress_class=release,
        selector={
            "app.kubernetes.io/name": CHART,
            # traefik.instance-name (chart >= 34): "<release>-<namespace>", truncated to 63.
            "app.kubernetes.io/instance": f"{release}-{namespace}"[:63].rstrip("-"),
        },
    )


# --------------------------------------------------------------------------- validation


def _valid_host(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 253 or not DNS1123_SUBDOMAIN.match(value):
        return False
    return all(len(label) <= 63 for label in value.split("."))


def _network(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        return None


def _unknown_keys(prefix: str, given: Mapping[str, Any], known: frozenset[str]) -> list[Problem]:
    allowed = ", ".join(sorted(known))
    return [
        Problem(f"{prefix}{key}", given[key], f"unknown key; allowed keys: {allowed}")
        for key in given
        if key not in known
    ]


def _is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def _check_cidrs(key: str, values: object, *, what: str, allow_everyone: bool) -> list[Problem]:
    if not _is_list(values):
        return [Problem(key, values, f"a list of {what}")]
    problems = []
    for i, cidr in enumerate(values):
        net = _network(cidr)
        if net is None:
            problems.append(
                Problem(
                    f"{key}[{i}]",
                    cidr,
                    "an IP address or CIDR with no host bits set, like '10.0.0.0/24' or '192.0.2.10'",
                )
            )
        elif net.prefixlen == 0 and not allow_everyone:
            problems.append(
                Problem(
                    f"{key}[{i}]",
                    cidr,
                    "trusting every address is the same as insecure: true and lets any client forge "
                    "its IP; list only the HAProxy edge addresses",
                )
            )
    return problems


def _check_name_list(key: str, value: object, problems: list[Problem]) -> None:
    if not (_is_list(value) and value):
        problems.append(Problem(key, value, "a non-empty list"))


def validate_traefik_args(args: Mapping[str, Any]) -> list[Problem]:
    """Every problem with `args` (empty when valid), keys relative to the args object."""
    problems: list[Problem] = _unknown_keys("", args, _ARG_KEYS)

    namespace = args.get("namespace")
    if not (isinstance(namespace, str) and DNS1123_LABEL.match(namespace) and len(namespace) <= 63):
        problems.append(
            Problem("namespace", namespace, f"the existing namespace to install into, {_LABEL_RULE}")
        )

    replicas = args.get("replicas", 2)
    if not (is_int(replicas) and replicas >= 2):
        problems.append(
            Problem(
                "replicas",
                replicas,
                "an integer of at least 2, so a rolling update or a node drain never leaves no ready pod",
            )
        )

    for key in ("dashboard", "websecure", "kubernetes_ingress", "proxy_protocol"):
        if key in args and not isinstance(args[key], bool):
            problems.append(Problem(key, args[key], "true or false"))
    websecure = args.get("websecure") is True

    ports = {"web_port": args.get("web_port", 80)}
    if websecure:
        ports["websecure_port"] = args.get("websecure_port", 443)
    elif "websecure_port" in args:
        problems.append(Problem("websecure_port", args["websecure_port"], "set websecure: true to use it"))
    for key, port in ports.items():
        if not (is_int(port) and 1 <= port <= 65535):
            problems.append(Problem(key, port, _PORT_RULE))
    if len(ports) == 2 and ports["web_port"] == ports["websecure_port"]:
        problems.append(Problem("websecure_port", ports["websecure_port"], "a port different from web_port"))

    for key, enum in (("service_type", ServiceType), ("zone_spread", ZoneSpread)):
        if key in args and args[key] not in {e.value for e in enum}:
            choices = ", ".join(repr(e.value) for e in enum)
            problems.append(Problem(key, args[key], f"one of {choices}"))

    problems += _validate_resources(args.get("resources", {}))
    problems += _validate_trust(args)
    middleware_names = _validate_middlewares(args, problems)
    problems += _validate_routes(args, middleware_names, websecure)
    problems += _validate_dashboard(args, websecure)
    return problems


def _validate_resources(resources: object) -> list[Problem]:
    if not isinstance(resources, Mapping):
        return [Problem("resources", resources, "a mapping with cpu_request, memory_request, memory_limit")]
    problems = _unknown_keys("resources.", resources, _RES_KEYS)
    for key in sorted(_RES_KEYS & set(resources)):
        value = resources[key]
        if not (isinstance(value, str) and _QUANTITY.match(value)):
            problems.append(Problem(f"resources.{key}", value, _QTY_RULE))
    return problems


def _validate_trust(args: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    cidrs = args.get("trusted_cidrs", [])
    problems += _check_cidrs("trusted_cidrs", cidrs, what="HAProxy edge IPs or CIDRs", allow_everyone=False)
    if args.get("proxy_protocol") is True and cidrs == []:
        problems.append(
            Problem(
                "trusted_cidrs",
                cidrs,
                "proxy_protocol is on: list the HAProxy edge addresses (IPs or CIDRs) whose PROXY "
                "header Traefik may believe",
            )
        )
    pods = args.get("trusted_pods")
    if pods is not None:
        if not isinstance(pods, Mapping):
            return [*problems, Problem("trusted_pods", pods, "a mapping with namespace and match_labels")]
        problems += _unknown_keys("trusted_pods.", pods, _PODS_KEYS)
        ns = pods.get("namespace")
        if not (isinstance(ns, str) and DNS1123_LABEL.match(ns) and len(ns) <= 63):
            problems.append(Problem("trusted_pods.namespace", ns, _LABEL_RULE))
        labels = pods.get("match_labels")
        if not (isinstance(labels, Mapping) and labels):
            problems.append(
                Problem(
                    "trusted_pods.match_labels",
                    labels,
                    "a non-empty mapping of labels that select the HAProxy pods",
                )
            )
        else:
            for key, value in labels.items():
                if not (isinstance(key, str) and _LABEL_KEY.match(key)):
                    problems.append(
                        Problem(f"trusted_pods.match_labels.{key}", key, "a Kubernetes label key")
                    )
                elif not (isinstance(value, str) and LABEL_VALUE.match(value)):
                    problems.append(
                        Problem(f"trusted_pods.match_labels.{key}", value, "a Kubernetes label value")
                    )
    return problems


def _check_mw_name(key: str, name: object, seen: set[str], problems: list[Problem]) -> None:
    if not (isinstance(name, str) and DNS1123_LABEL.match(name) and len(name) <= 40):
        problems.append(Problem(key, name, f"{_LABEL_RULE.replace('63', '40')}"))
    elif name in seen:
        problems.append(Problem(key, name, "a name not used by another rate limit or IP allowlist"))
    else:
        seen.add(name)


def _validate_middlewares(args: Mapping[str, Any], problems: list[Problem]) -> set[str]:
    seen: set[str] = set()
    rate_limits = args.get("rate_limits", [])
    if not _is_list(rate_limits):
        problems.append(Problem("rate_limits", rate_limits, "a list of rate limits"))
        rate_limits = []
    for i, rl in enumerate(rate_limits):
        key = f"rate_limits[{i}]"
        if not isinstance(rl, Mapping):
            problems.append(Problem(key, rl, "a mapping with name, average, period_seconds, burst"))
            continue
        problems += _unknown_keys(f"{key}.", rl, _RATE_KEYS)
        _check_mw_name(f"{key}.name", rl.get("name"), seen, problems)
        average = rl.get("average")
        if not (is_int(average) and average >= 1):
            problems.append(Problem(f"{key}.average", average, "an integer of at least 1 request per period"))
        period = rl.get("period_seconds", 1)
        if not (is_int(period) and 1 <= period <= 3600):
            problems.append(Problem(f"{key}.period_seconds", period, "an integer from 1 to 3600 seconds"))
        # An omitted burst follows average, so a bad average is reported once, not twice.
        burst = rl.get("burst", 1)
        if not (is_int(burst) and burst >= 1):
            problems.append(Problem(f"{key}.burst", burst, "an integer of at least 1 request"))
    allowlists = args.get("ip_allowlists", [])
    if not _is_list(allowlists):
        problems.append(Problem("ip_allowlists", allowlists, "a list of IP allowlists"))
        allowlists = []
    for i, al in enumerate(allowlists):
        key = f"ip_allowlists[{i}]"
        if not isinstance(al, Mapping):
            problems.append(Problem(key, al, "a mapping with name and source_ranges"))
            continue
        problems += _unknown_keys(f"{key}.", al, _ALLOW_KEYS)
        _check_mw_name(f"{key}.name", al.get("name"), seen, problems)
        ranges = al.get("source_ranges")
        if _is_list(ranges) and not ranges:
            problems.append(Problem(f"{key}.source_ranges", ranges, "at least one client IP or CIDR"))
        else:
            problems += _check_cidrs(
                f"{key}.source_ranges", ranges, what="client IPs or CIDRs", allow_everyone=True
            )
    return seen


def _validate_routes(args: Mapping[str, Any], middleware_names: set[str], websecure: bool) -> list[Problem]:
    routes = args.get("routes", [])
    if not _is_list(routes):
        return [Problem("routes", routes, "a list of routes")]
    enabled = ["web", "websecure"] if websecure else ["web"]
    problems: list[Problem] = []
    names: set[str] = set()
    for i, route in enumerate(routes):
        key = f"routes[{i}]"
        if not isinstance(route, Mapping):
            problems.append(Problem(key, route, "a mapping with name, host, service, port"))
            continue
        problems += _unknown_keys(f"{key}.", route, _ROUTE_KEYS)
        name = route.get("name")
        if not (isinstance(name, str) and DNS1123_LABEL.match(name) and len(name) <= 40):
            problems.append(Problem(f"{key}.name", name, _LABEL_RULE.replace("63", "40")))
        elif name in names:
            problems.append(Problem(f"{key}.name", name, "a name not used by another route"))
        else:
            names.add(name)
        if not _valid_host(route.get("host")):
            problems.append(Problem(f"{key}.host", route.get("host"), _HOST_RULE))
        if "path_prefix" in route:
            path = route["path_prefix"]
            if not (isinstance(path, str) and _PATH.match(path)):
                problems.append(
                    Problem(
                        f"{key}.path_prefix",
                        path,
                        "a URL path starting with '/' (no spaces, backticks or quotes)",
                    )
                )
        service = route.get("service")
        if not (isinstance(service, str) and DNS1123_LABEL.match(service) and len(service) <= 63):
            problems.append(Problem(f"{key}.service", service, f"a Service name, {_LABEL_RULE}"))
        port = route.get("port")
        if not (is_int(port) and 1 <= port <= 65535):
            problems.append(Problem(f"{key}.port", port, _PORT_RULE))
        if "namespace" in route:
            ns = route["namespace"]
            if not (isinstance(ns, str) and DNS1123_LABEL.match(ns) and len(ns) <= 63):
                problems.append(Problem(f"{key}.namespace", ns, _LABEL_RULE))
        eps = route.get("entrypoints", ["web"])
        if not (_is_list(eps) and eps):
            problems.append(Problem(f"{key}.entrypoints", eps, f"a non-empty list of {enabled}"))
            eps = []
        for j, ep in enumerate(eps):
            if ep not in enabled:
                hint = "" if websecure or ep != "websecure" else " (set websecure: true for 'websecure')"
                problems.append(Problem(f"{key}.entrypoints[{j}]", ep, f"one of {enabled}{hint}"))
            elif ep in eps[:j]:
                problems.append(Problem(f"{key}.entrypoints[{j}]", ep, "an entrypoint listed once"))
        mws = route.get("middlewares", [])
        if not _is_list(mws):
            problems.append(Problem(f"{key}.middlewares", mws, "a list of rate limit / IP allowlist names"))
            mws = []
        for j, mw in enumerate(mws):
            if mw not in middleware_names:
                known = sorted(middleware_names)
                problems.append(
                    Problem(
                        f"{key}.middlewares[{j}]",
                        mw,
                        f"the name of a rate_limits or ip_allowlists entry; defined: {known}",
                    )
                )
        if "tls_secret" in route:
            secret = route["tls_secret"]
            if not (isinstance(secret, str) and DNS1123_SUBDOMAIN.match(secret) and len(secret) <= 253):
                problems.append(Problem(f"{key}.tls_secret", secret, "a Secret name (DNS-1123 subdomain)"))
            elif "websecure" not in eps:
                problems.append(
                    Problem(
                        f"{key}.tls_secret",
                        secret,
                        "TLS is served on websecure: add 'websecure' to entrypoints",
                    )
                )
    return problems


def _validate_dashboard(args: Mapping[str, Any], websecure: bool) -> list[Problem]:
    route = args.get("dashboard_route")
    if route is None:
        return []
    if not isinstance(route, Mapping):
        return [Problem("dashboard_route", route, "a mapping with host and basic_auth_secret")]
    problems = _unknown_keys("dashboard_route.", route, _DASH_KEYS)
    if args.get("dashboard", True) is not True:
        problems.append(Problem("dashboard", args.get("dashboard"), "true when dashboard_route is set"))
    if not websecure:
        problems.append(
            Problem(
                "dashboard_route",
                dict(route),
                "the dashboard is only exposed over TLS (basic-auth passwords would cross the network in "
                "clear): set websecure: true",
            )
        )
    if not _valid_host(route.get("host")):
        problems.append(Problem("dashboard_route.host", route.get("host"), _HOST_RULE))
    for key in ("basic_auth_secret", "tls_secret"):
        if key in route or key == "basic_auth_secret":
            secret = route.get(key)
            if not (isinstance(secret, str) and DNS1123_SUBDOMAIN.match(secret) and len(secret) <= 253):
                problems.append(
                    Problem(
                        f"dashboard_route.{key}",
                        secret,
                        "the name of an existing Secret (DNS-1123 subdomain)",
                    )
                )
    if "allow_from" in route:
        allow = route["allow_from"]
        if _is_list(allow) and not allow:
            problems.append(
                Problem("dashboard_route.allow_from", allow, "at least one client IP or CIDR, or omit it")
            )
        else:
            problems += _check_cidrs(
                "dashboard_route.allow_from", allow, what="client IPs or CIDRs", allow_everyone=True
            )
    return problems


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class RoutePlan:
    """A validated route with defaults applied."""

    name: str
    namespace: str
    rule: str
    service: str
    port: int
    entrypoints: list[str]
    middlewares: list[str]
    tls_secret: str | None


def route_rule(host: str, path_prefix: str | None) -> str:
    rule = f"Host(`{host}`)"
    return f"{rule} && PathPrefix(`{path_prefix}`)" if path_prefix else rule


def plan_routes(args: Mapping[str, Any]) -> list[RoutePlan]:
    return [
        RoutePlan(
            name=r["name"],
            namespace=r.get("namespace", args["namespace"]),
            rule=route_rule(r["host"], r.get("path_prefix")),
            service=r["service"],
            port=r["port"],
            entrypoints=list(r.get("entrypoints", ["web"])),
            middlewares=list(r.get("middlewares", [])),
            tls_secret=r.get("tls_secret"),
        )
        for r in args.get("routes", [])
    ]


def watched_namespaces(args: Mapping[str, Any]) -> list[str]:
    """The gateway's namespace first, then every route namespace: all Traefik may read."""
    extra = sorted({r.namespace for r in plan_routes(args)} - {args["namespace"]})
    return [args["namespace"], *extra]


def entrypoint_ports(args: Mapping[str, Any]) -> dict[str, int]:
    """Enabled entrypoints -> Service port."""
    ports = {"web": int(args.get("web_port", 80))}
    if args.get("websecure") is True:
        ports["websecure"] = int(args.get("websecure_port", 443))
    return ports


def _labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": name}


def _entrypoint_values(args: Mapping[str, Any], container_port: int, service_port: int) -> dict[str, Any]:
    trusted = list(args.get("trusted_cidrs", []))
    values: dict[str, Any] = {
        "port": container_port,
        "exposedPort": service_port,
        "expose": {"default": True},
        "protocol": "TCP",
        # Only the edge may set X-Forwarded-*; everybody else's are overwritten. Never insecure.
        "forwardedHeaders": {"trustedIPs": trusted, "insecure": False},
        "transport": {
            "lifeCycle": {"requestAcceptGraceTimeout": REQUEST_ACCEPT_GRACE, "graceTimeOut": GRACE_TIMEOUT}
        },
    }
    if args.get("proxy_protocol") is True:
        # Traefik ignores a PROXY header from an untrusted peer instead of rejecting the
        # connection, so trustedIPs is what stops a client from forging its address;
        # `insecure: true` would trust everyone.
        values["proxyProtocol"] = {"trustedIPs": trusted, "insecure": False}
    return values


def _topology_spread(args: Mapping[str, Any], names: GatewayNames) -> list[dict[str, Any]]:
    selector = {"matchLabels": dict(names.selector)}
    zone_mode = ZoneSpread(args.get("zone_spread", ZoneSpread.PREFERRED)).value
    return [
        {"maxSkew": 1, "topologyKey": ZONE_KEY, "whenUnsatisfiable": zone_mode, "labelSelector": selector},
        # Two replicas on one node die together in a node drain; spread hosts too.
        {
            "maxSkew": 1,
            "topologyKey": HOST_KEY,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        },
    ]


def helm_values(name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The chart values for validated `args`: every key is a value name of chart 41.x."""
    names = gateway_names(name, args["namespace"])
    ports = entrypoint_ports(args)
    namespaces = watched_namespaces(args)
    res = args.get("resources", {})
    service_type = ServiceType(args.get("service_type", ServiceType.CLUSTER_IP)).value
    service_spec: dict[str, Any] = {"type": service_type}
    if service_type == ServiceType.LOAD_BALANCER.value:
        # With Cluster, kube-proxy SNATs and Traefik sees a node address, not the client.
        service_spec["externalTrafficPolicy"] = "Local"
    dashboard = args.get("dashboard", True) is True
    kubernetes_ingress = args.get("kubernetes_ingress", False) is True

    values: dict[str, Any] = {
        "deployment": {
            "kind": "Deployment",
            "replicas": int(args.get("replicas", 2)),
            "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
            "readinessPath": PING_PATH,
            "livenessPath": PING_PATH,
        },
        # maxUnavailable 0 + maxSurge 1 is the Kubernetes form of the seed's start-first update.
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
        "readinessProbe": {
            "failureThreshold": 1,
            "initialDelaySeconds": 2,
            "periodSeconds": 5,
            "successThreshold": 1,
            "timeoutSeconds": 2,
        },
        "livenessProbe": {
            "failureThreshold": 3,
            "initialDelaySeconds": 2,
            "periodSeconds": 10,
            "successThreshold": 1,
            "timeoutSeconds": 2,
        },
        "topologySpreadConstraints": _topology_spread(args, names),
        "podSecurityContext": {
            "runAsNonRoot": True,
            "runAsUser": 65532,
            "runAsGroup": 65532,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "resources": {
            "requests": {"cpu": res.get("cpu_request", "100m"), "memory": res.get("memory_request", "128Mi")},
            "limits": {"memory": res.get("memory_limit", "256Mi")},
        },
        "ports": {
            "traefik": {"port": INTERNAL_CONTAINER_PORT, "expose": {"default": False}},
            "metrics": {"expose": {"default": False}},
            "web": _entrypoint_values(args, WEB_CONTAINER_PORT, ports["web"]),
            # null removes the chart's default websecure entrypoint (needs allowNullValues).
            "websecure": None,
        },
        "service": {"enabled": True, "spec": service_spec},
        # The seed's exposedbydefault=false: only objects carrying this gateway's class are
        # served, and only in the namespaces the routes live in.
        "providers": {
            "kubernetesCRD": {
                "enabled": True,
                "ingressClass": names.ingress_class,
                "namespaces": namespaces,
                "allowCrossNamespace": False,
                "allowExternalNameServices": False,
            },
            "kubernetesIngress": {
                "enabled": kubernetes_ingress,
                "ingressClass": names.ingress_class,
                "namespaces": namespaces,
                "allowExternalNameServices": False,
            },
        },
        # Namespaced RBAC (Roles in the watched namespaces, no ClusterRole) cannot read
        # IngressClass objects, so Ingresses select this gateway by annotation instead.
        "rbac": {"enabled": True, "namespaced": True},
        "ingressClass": {"enabled": False},
        "api": {"dashboard": dashboard},
        "ingressRoute": {
            # The chart's dashboard route lives on the `traefik` entrypoint, which no Service
            # exposes: reachable with `kubectl port-forward` only.
            "dashboard": {"enabled": dashboard, "entryPoints": ["traefik"]},
            "healthcheck": {"enabled": False},
        },
        "log": {"level": "INFO", "format": "json"},
        "accessLog": {"enabled": True, "format": "json"},
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
    }
    if "websecure" in ports:
        websecure = _entrypoint_values(args, WEBSECURE_CONTAINER_PORT, ports["websecure"])
        websecure["http"] = {"tls": {"enabled": True}}
        values["ports"]["websecure"] = websecure
    return values


def middleware_manifests(name: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each middleware in the gateway namespace and in every namespace whose routes use it.

    A Middleware referenced from another namespace needs allowCrossNamespace, which would let
    any IngressRoute borrow any namespace's middlewares; a copy per namespace avoids that.
    """
    specs: dict[str, dict[str, Any]] = {}
    for rl in args.get("rate_limits", []):
        average = rl["average"]
        # No sourceCriterion: the bucket is keyed on the remote address, which is the
        # client address from the PROXY header. ipStrategy.depth would trust X-Forwarded-For.
        specs[rl["name"]] = {
            "rateLimit": {
                "average": average,
                "period": f"{rl.get('period_seconds', 1)}s",
                "burst": rl.get("burst", average),
            }
        }
    for al in args.get("ip_allowlists", []):
        specs[al["name"]] = {"ipAllowList": {"sourceRange": list(al["source_ranges"])}}

    # Every middleware also exists in the gateway namespace, where IngressRoutes written
    # outside this component can reference it.
    used: dict[tuple[str, str], None] = {(args["namespace"], mw): None for mw in specs}
    for route in plan_routes(args):
        for mw in route.middlewares:
            used[(route.namespace, mw)] = None
    manifests = []
    for namespace, mw in sorted(used):
        manifests.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Middleware",
                "metadata": {"name": f"{name}-{mw}", "namespace": namespace, "labels": _labels(name)},
                "spec": specs[mw],
            }
        )
    manifests += _dashboard_middlewares(name, args)
    return manifests


def _dashboard_middlewares(name: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    route = args.get("dashboard_route")
    if route is None:
        return []
    meta = {"namespace": args["namespace"], "labels": _labels(name)}
    out = [
        {
            "apiVersion": API_VERSION,
            "kind": "Middleware",
            "metadata": {"name": f"{name}-dashboard-auth", **meta},
            # removeHeader: the dashboard has no use for the credentials; don't pass them on.
            "spec": {"basicAuth": {"secret": route["basic_auth_secret"], "removeHeader": True}},
        }
    ]
    if "allow_from" in route:
        out.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Middleware",
                "metadata": {"name": f"{name}-dashboard-allow", **meta},
                "spec": {"ipAllowList": {"sourceRange": list(route["allow_from"])}},
            }
        )
    return out


def ingress_route_manifests(name: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One IngressRoute per route (plus the dashboard's when `dashboard_route` is set)."""
    names = gateway_names(name, args["namespace"])
    annotations = {"kubernetes.io/ingress.class": names.ingress_class}
    manifests = []
    for route in plan_routes(args):
        rule: dict[str, Any] = {
            "kind": "Rule",
            "match": route.rule,
            "services": [{"kind": "Service", "name": route.service, "port": route.port}],
        }
        if route.middlewares:
            rule["middlewares"] = [{"name": f"{name}-{mw}"} for mw in route.middlewares]
        spec: dict[str, Any] = {"entryPoints": route.entrypoints, "routes": [rule]}
        if route.tls_secret:
            spec["tls"] = {"secretName": route.tls_secret}
        manifests.append(
            {
                "apiVersion": API_VERSION,
                "kind": "IngressRoute",
                "metadata": {
                    "name": f"{name}-{route.name}",
                    "namespace": route.namespace,
                    "labels": _labels(name),
                    "annotations": dict(annotations),
                },
                "spec": spec,
            }
        )
    dash = args.get("dashboard_route")
    if dash is not None:
        mws = [{"name": f"{name}-dashboard-auth"}]
        if "allow_from" in dash:
            # The allowlist runs first so strangers never reach the password prompt.
            mws.insert(0, {"name": f"{name}-dashboard-allow"})
        spec = {
            "entryPoints": ["websecure"],
            "routes": [
                {
                    "kind": "Rule",
                    "match": f"Host(`{dash['host']}`) && (PathPrefix(`/dashboard`) || PathPrefix(`/api`))",
                    "middlewares": mws,
                    "services": [{"kind": "TraefikService", "name": "api@internal"}],
                }
            ],
            "tls": {"secretName": dash["tls_secret"]} if "tls_secret" in dash else {},
        }
        manifests.append(
            {
                "apiVersion": API_VERSION,
                "kind": "IngressRoute",
                "metadata": {
                    "name": f"{name}-dashboard",
                    "namespace": args["namespace"],
                    "labels": _labels(name),
                    "annotations": dict(annotations),
                },
                "spec": spec,
            }
        )
    return manifests


def network_policy_manifest(name: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """Admit only the trusted edge to the entrypoints (None when no trusted source is set).

    The same spoofing protection as the Istio receiver: a PROXY header is only believed
    from `trusted_cidrs`, and nobody else can open a connection to the entrypoints at all.
    The internal port (ping, dashboard) and metrics get no rule, so they are closed too.
    """
    cidrs = list(args.get("trusted_cidrs", []))
    pods = args.get("trusted_pods")
    if not cidrs and pods is None:
        return None
    names = gateway_names(name, args["namespace"])
    peers: list[dict[str, Any]] = [{"ipBlock": {"cidr": str(ipaddress.ip_network(c))}} for c in cidrs]
    if pods is not None:
        peers.append(
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": pods["namespace"]}},
                "podSelector": {"matchLabels": dict(pods["match_labels"])},
            }
        )
    container_ports = [WEB_CONTAINER_PORT]
    if args.get("websecure") is True:
        container_ports.append(WEBSECURE_CONTAINER_PORT)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"{name}-edge-only", "namespace": args["namespace"], "labels": _labels(name)},
        "spec": {
            "podSelector": {"matchLabels": dict(names.selector)},
            "policyTypes": ["Ingress"],
            # NetworkPolicy sees the pod's container ports (after the Service's DNAT).
            "ingress": [{"from": peers, "ports": [{"protocol": "TCP", "port": p} for p in container_ports]}],
        },
    }


def route_outputs(args: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What each route matches and where it goes, for the component's `routes` output."""
    return [
        {
            "name": r.name,
            "namespace": r.namespace,
            "rule": r.rule,
            "service": f"{r.service}:{r.port}",
            "entrypoints": r.entrypoints,
            "middlewares": r.middlewares,
        }
        for r in plan_routes(args)
    ]


def all_manifests(name: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every Kubernetes object the component creates besides the chart."""
    policy = network_policy_manifest(name, args)
    return [
        *middleware_manifests(name, args),
        *ingress_route_manifests(name, args),
        *([policy] if policy else []),
    ]
