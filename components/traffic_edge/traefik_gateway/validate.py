"""Validation of `TraefikGatewayArgs`: every problem at once, in the one grammar.

`validate_traefik_args` calls one small function per rule group. A group whose input already
has a problem reports nothing derived from it (a route's middlewares are checked against the
defined ones only when every rate limit and allowlist could be read), and a default the user
did not write is never reported as if they had written it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from traffic_edge._shared import checks
from traffic_edge._shared.names import DNS1123_LABEL, DNS1123_SUBDOMAIN, memory_bytes
from traffic_edge._shared.problems import Path, Problem, conflict, invalid, missing, without_knock_on
from traffic_edge.traefik_gateway.args import (
    Autoscaling,
    CertManagerCertificate,
    DashboardRoute,
    DefaultCertificate,
    IpAllowList,
    IssuerKind,
    Metrics,
    RateLimit,
    RateLimitStore,
    RedisStore,
    Resources,
    ServiceType,
    TcpRoute,
    Tls,
    TlsVersion,
    Tracing,
    TraefikGatewayArgs,
    TraefikRoute,
    TrustedPods,
    ZoneSpread,
)
from traffic_edge.traefik_gateway.facts import (
    CHART,
    ENTRYPOINTS,
    INSTANCE_LABEL,
    INTERNAL_CONTAINER_PORT,
    INTERNAL_ENTRYPOINT,
    METRICS_CONTAINER_PORT,
    METRICS_ENTRYPOINT,
    PORT_NAME_MAX,
    WEB_CONTAINER_PORT,
    WEB_ENTRYPOINT,
    WEBSECURE_CONTAINER_PORT,
    WEBSECURE_ENTRYPOINT,
)
from traffic_edge.traefik_gateway.plan import (
    MEMORY_LIMIT,
    MEMORY_REQUEST,
    REPLICAS,
    gateway_names,
    min_replicas,
    present,
    route_entrypoints,
    service_ports,
    tcp_container_port,
)

_FLAGS = ("dashboard", "websecure", "kubernetes_ingress", "proxy_protocol", "redirect_to_https")

# Route and middleware names become objects named `<gateway>-<name>`.
NAME_MAX = 40
NAME_RULE = "a DNS-1123 label: lower-case letters, digits and '-', at most 40 characters"
HOST_RULE = "a lower-case DNS host name like 'app.example.com' (no wildcard, no port, at most 253 characters)"
# Characters a Traefik rule could be broken out of (a backtick ends the literal) are not in it.
_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
PATH_RULE = "a URL path starting with '/' (no spaces, backticks or quotes)"
EDGE = "HAProxy edge networks"
EVERY_ADDRESS = "trusting every address is the same as insecure: true, and lets any client forge its address"


@dataclass(frozen=True)
class _Known:
    """What the cross-group rules may rely on; None where that input has a problem of its own."""

    websecure: bool | None
    middlewares: frozenset[str] | None
    redirect: bool | None = False


def _component_name(name: str | None) -> list[Problem]:
    """The release (and Service) is the name, with ``-traefik`` unless it holds ``traefik``."""
    if name is None:
        return []
    template = "{}" if isinstance(name, str) and CHART in name else "{}-" + CHART
    release = checks.Derived(template, "the Helm release and Service", checks.HELM_RELEASE_MAX)
    return checks.component_name(name, "name", (release,), service=True)


def validate_traefik_args(args: Mapping[str, Any], name: str | None = None) -> list[Problem]:
    """Every problem with `args` (and the resource `name`; empty when valid), keys relative
    to the args object."""
    given = present(args)
    known = _Known(
        websecure=_flag(given, "websecure"),
        middlewares=_defined_middlewares(given),
        redirect=_flag(given, "redirect_to_https"),
    )
    return without_knock_on(
        [
            *_component_name(name),
            *checks.unknown_keys(args, TraefikGatewayArgs.__annotations__),
            *_namespace(given),
            *_instance_label(given, name),
            *_replicas(given),
            *_flags(given),
            *_ports(given, known),
            *_enums(given),
            *_resources(given),
            *_trusted_cidrs(given),
            *_trusted_pods(given),
            *_middlewares(given),
            *_routes(given, known),
            *_dashboard(given, known),
            *_autoscaling(given),
            *_metrics(given),
            *_tracing(given),
            *_needs_websecure(given, known),
            *_tls(given),
            *_redis_store(given),
            *_tcp_routes(given, known),
        ]
    )


# --------------------------------------------------------------------------- helpers


def _flag(args: Mapping[str, Any], key: str) -> bool | None:
    """The flag's value (False when not given), or None when it is not a bool."""
    value = args.get(key)
    if value is None:
        return False
    return value if isinstance(value, bool) else None


def _is_name(value: object) -> bool:
    return isinstance(value, str) and len(value) <= NAME_MAX and DNS1123_LABEL.match(value) is not None


def _name(args: Mapping[str, Any], at: Path, what_for: str) -> list[Problem]:
    if "name" not in args:
        return [missing(at / "name", what_for)]
    return [] if _is_name(args["name"]) else [invalid(at / "name", args["name"], NAME_RULE)]


def _is_host(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 253 or not DNS1123_SUBDOMAIN.match(value):
        return False
    return all(len(label) <= 63 for label in value.split("."))


def _host(args: Mapping[str, Any], at: Path, what_for: str) -> list[Problem]:
    if "host" not in args:
        return [missing(at / "host", what_for)]
    return [] if _is_host(args["host"]) else [invalid(at / "host", args["host"], HOST_RULE)]


def _entries(args: Mapping[str, Any], key: str) -> list[tuple[Path, Any]]:
    """(path, entry) of each entry of the list at `key`; none when it is absent or not a list."""
    value = args.get(key)
    return [(Path.of(key) / i, entry) for i, entry in enumerate(value)] if checks.is_list(value) else []


# --------------------------------------------------------------------------- the gateway


def _namespace(args: Mapping[str, Any]) -> list[Problem]:
    return checks.required(args, "namespace", "the existing namespace the chart is installed into") or (
        checks.dns_label(args["namespace"], "namespace")
    )


def _instance_label(args: Mapping[str, Any], name: str | None) -> list[Problem]:
    """The chart's instance label, "<release>-<namespace>" cut to 63 characters with one trailing
    '-' trimmed (traefik.instance-name, templates/_helpers.tpl): a cut that still ends in '-' is no
    label value, and the chart's install fails on it."""
    namespace = args.get("namespace")
    if name is None or not isinstance(namespace, str) or checks.dns_label(namespace, "namespace"):
        return []
    names = gateway_names(name, namespace)
    instance = names.selector[INSTANCE_LABEL]
    if not instance.endswith("-"):
        return []
    return [
        invalid(
            "namespace",
            namespace,
            f"a namespace that, after the release name {names.release!r}, is not "
            f"cut at 63 characters on two '-' in a row: the chart's instance label would be {instance!r}, "
            "which ends in '-' and is not a valid label value",
        )
    ]


def _replicas(args: Mapping[str, Any]) -> list[Problem]:
    if "replicas" not in args:
        return []
    found = checks.integer(args["replicas"], "replicas", lo=2)
    return checks.because(found, "one pod must stay ready through a rolling update or a node drain")


def _flags(args: Mapping[str, Any]) -> list[Problem]:
    return [p for key in _FLAGS if key in args for p in checks.boolean(args[key], key)]


def _ports(args: Mapping[str, Any], known: _Known) -> list[Problem]:
    problems = checks.port(args["web_port"], "web_port") if "web_port" in args else []
    if "websecure_port" in args and known.websecure is False:
        why = "the port of the websecure entrypoint, which runs only with websecure: true"
        return [*problems, conflict("websecure_port", args["websecure_port"], "websecure", why)]
    if "websecure_port" in args:
        problems += checks.port(args["websecure_port"], "websecure_port")
    if problems or known.websecure is not True:
        return problems
    web, secure = service_ports(args)
    if web != secure:
        return []
    # Reported at a key the user wrote: the other may be at its default.
    key, other = (
        ("websecure_port", "web_port") if "websecure_port" in args else ("web_port", "websecure_port")
    )
    why = "each entrypoint needs its own Service port"
    if other not in args:
        why += f", and {other} is {web} unless set"
    return [conflict(key, web, other, why)]


def _enums(args: Mapping[str, Any]) -> list[Problem]:
    problems = (
        checks.one_of(args["service_type"], ServiceType, "service_type") if "service_type" in args else []
    )
    if "zone_spread" in args:
        problems += checks.one_of(args["zone_spread"], ZoneSpread, "zone_spread")
    return problems


def _resources(args: Mapping[str, Any]) -> list[Problem]:
    if "resources" not in args:
        return []
    res, at = args["resources"], Path.of("resources")
    if not isinstance(res, Mapping):
        return [invalid(at, res, "a map with cpu_request, memory_request and memory_limit")]
    given = present(res)
    problems = checks.unknown_keys(res, Resources.__annotations__, at)
    if "cpu_request" in given:
        problems += checks.cpu(given["cpu_request"], at / "cpu_request")
    for key in ("memory_request", "memory_limit"):
        if key in given:
            problems += checks.memory(given[key], at / key)
    return problems or _memory_within_limit(given, at)


def _memory_within_limit(given: Mapping[str, Any], at: Path) -> list[Problem]:
    """The limit at least the request (the API server refuses the pod otherwise)."""
    request = given.get("memory_request", MEMORY_REQUEST)
    limit = given.get("memory_limit", MEMORY_LIMIT)
    if memory_bytes(request) <= memory_bytes(limit):
        return []
    if "memory_limit" in given:
        said = repr(request) + ("" if "memory_request" in given else ", the default")
        return [invalid(at / "memory_limit", limit, f"a quantity of at least memory_request ({said})")]
    return [
        invalid(
            at / "memory_request", request, f"a quantity of at most memory_limit ({limit!r}, the default)"
        )
    ]


# --------------------------------------------------------------------------- the edge's trust


def _trusted_cidrs(args: Mapping[str, Any]) -> list[Problem]:
    proxy = args.get("proxy_protocol") is True
    if "trusted_cidrs" not in args:
        what_for = "the HAProxy edge networks whose PROXY header Traefik believes (proxy_protocol is on)"
        return [missing("trusted_cidrs", what_for)] if proxy else []
    cidrs = args["trusted_cidrs"]
    if proxy and cidrs == []:
        why = "Traefik believes a PROXY header only from the networks listed here, and none is listed"
        return [conflict("trusted_cidrs", cidrs, "proxy_protocol", why)]
    return checks.cidr_list(cidrs, "trusted_cidrs", what=EDGE, every_address=EVERY_ADDRESS)


def _trusted_pods(args: Mapping[str, Any]) -> list[Problem]:
    if "trusted_pods" not in args:
        return []
    pods, at = args["trusted_pods"], Path.of("trusted_pods")
    if not isinstance(pods, Mapping):
        return [invalid(at, pods, "a map with namespace and match_labels")]
    given = present(pods)
    return [
        *checks.unknown_keys(pods, TrustedPods.__annotations__, at),
        *(
            checks.required(given, "namespace", "the namespace the HAProxy pods run in", at)
            or checks.dns_label(given["namespace"], at / "namespace")
        ),
        *(
            checks.required(given, "match_labels", "the labels that select the HAProxy pods", at)
            or checks.labels(given["match_labels"], at / "match_labels", at_least=1)
        ),
    ]


# --------------------------------------------------------------------------- middlewares


def _defined_middlewares(args: Mapping[str, Any]) -> frozenset[str] | None:
    """The names routes may reference; None when some entry's name cannot be read."""
    names: set[str] = set()
    for key in ("rate_limits", "ip_allowlists"):
        if key in args and not checks.is_list(args[key]):
            return None
        for _, entry in _entries(args, key):
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if not isinstance(name, str):
                return None
            names.add(name)
    return frozenset(names)


def _middlewares(args: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for key, what, check in (
        ("rate_limits", "a list of rate limits", _rate_limit),
        ("ip_allowlists", "a list of IP allowlists", _ip_allowlist),
    ):
        if key in args and not checks.is_list(args[key]):
            problems.append(invalid(key, args[key], what))
        problems += [p for at, entry in _entries(args, key) for p in check(entry, at)]
    names = [
        (at / "name", entry["name"])
        for key in ("rate_limits", "ip_allowlists")
        for at, entry in _entries(args, key)
        if isinstance(entry, Mapping) and _is_name(entry.get("name"))
    ]
    return problems + checks.used_once(names, "a middleware name (rate_limits and ip_allowlists together)")


def _rate_limit(entry: object, at: Path) -> list[Problem]:
    if not isinstance(entry, Mapping):
        return [invalid(at, entry, "a map with name, average, period_seconds and burst")]
    given = present(entry)
    problems = checks.unknown_keys(entry, RateLimit.__annotations__, at)
    problems += _name(given, at, "the middleware name routes reference")
    what_for = "the requests allowed per period on average, per client address"
    problems += checks.required(given, "average", what_for, at) or checks.integer(
        given["average"], at / "average", lo=1
    )
    if "period_seconds" in given:
        problems += checks.integer(given["period_seconds"], at / "period_seconds", 1, 3600)
    # An omitted burst follows average: a bad average is reported once, not twice.
    if "burst" in given:
        problems += checks.integer(given["burst"], at / "burst", lo=1)
    return problems


def _ip_allowlist(entry: object, at: Path) -> list[Problem]:
    if not isinstance(entry, Mapping):
        return [invalid(at, entry, "a map with name and source_ranges")]
    given = present(entry)
    problems = checks.unknown_keys(entry, IpAllowList.__annotations__, at)
    problems += _name(given, at, "the middleware name routes reference")
    what_for = "the client networks allowed"
    problems += checks.required(given, "source_ranges", what_for, at) or checks.cidr_list(
        given["source_ranges"], at / "source_ranges", what="client networks", at_least=1
    )
    return problems


# --------------------------------------------------------------------------- routes


def _routes(args: Mapping[str, Any], known: _Known) -> list[Problem]:
    if "routes" in args and not checks.is_list(args["routes"]):
        return [invalid("routes", args["routes"], "a list of routes")]
    routes = _entries(args, "routes")
    problems = [p for at, route in routes for p in _route(route, at, known)]
    names = [
        (at / "name", r["name"]) for at, r in routes if isinstance(r, Mapping) and _is_name(r.get("name"))
    ]
    return problems + checks.used_once(names, "a route name")


def _route(route: object, at: Path, known: _Known) -> list[Problem]:
    if not isinstance(route, Mapping):
        return [invalid(at, route, "a map with name, host, service and port")]
    given = present(route)
    return [
        *checks.unknown_keys(route, TraefikRoute.__annotations__, at),
        *_name(given, at, "the route name; its IngressRoute is named <gateway>-<name>"),
        *_host(given, at, "the host name the route matches"),
        *_path_prefix(given, at),
        *(
            checks.required(given, "service", "the backend Service, in the route's namespace", at)
            or checks.service_name(given["service"], at / "service")
        ),
        *(
            checks.required(given, "port", "the backend Service port", at)
            or checks.port(given["port"], at / "port")
        ),
        *(checks.dns_label(given["namespace"], at / "namespace") if "namespace" in given else []),
        *_entrypoints(given, at, known),
        *_route_middlewares(given, at, known),
        *_tls_secret(given, at, route_entrypoints({"redirect_to_https": known.redirect})),
    ]


def _path_prefix(route: Mapping[str, Any], at: Path) -> list[Problem]:
    if "path_prefix" not in route:
        return []
    path = route["path_prefix"]
    return (
        [] if isinstance(path, str) and _PATH.match(path) else [invalid(at / "path_prefix", path, PATH_RULE)]
    )


def _entrypoints(route: Mapping[str, Any], at: Path, known: _Known) -> list[Problem]:
    if "entrypoints" not in route:
        return []
    eps, base = route["entrypoints"], at / "entrypoints"
    if not (checks.is_list(eps) and eps):
        return [invalid(base, eps, "a non-empty list of entrypoints, like ['web']")]
    problems: list[Problem] = []
    for j, ep in enumerate(eps):
        if ep == WEBSECURE_ENTRYPOINT and known.websecure is False:
            why = "the websecure entrypoint runs only with websecure: true"
            problems.append(conflict(base / j, ep, "websecure", why))
        else:
            problems += checks.one_of(ep, ENTRYPOINTS, base / j)
    problems = problems or checks.distinct(eps, base)
    if problems or known.redirect is not True or WEB_ENTRYPOINT not in eps or WEBSECURE_ENTRYPOINT in eps:
        return problems
    why = "every request on web is redirected to websecure before any route sees it, so this route is never reached"
    return [conflict(base, eps, "redirect_to_https", why)]


def _route_middlewares(route: Mapping[str, Any], at: Path, known: _Known) -> list[Problem]:
    if "middlewares" not in route:
        return []
    mws, base = route["middlewares"], at / "middlewares"
    if not checks.is_list(mws):
        return [invalid(base, mws, "a list of names of rate_limits and ip_allowlists entries")]
    defined = known.middlewares
    if defined is None:
        return []
    listed = ", ".join(repr(n) for n in sorted(defined))
    rule = "the name of a rate_limits or ip_allowlists entry" + (
        f": one of {listed}" if listed else ", of which there are none"
    )
    return [
        invalid(base / j, mw, rule) for j, mw in enumerate(mws) if not (isinstance(mw, str) and mw in defined)
    ]


def _tls_secret(route: Mapping[str, Any], at: Path, default_eps: tuple[str, ...]) -> list[Problem]:
    if "tls_secret" not in route:
        return []
    secret = route["tls_secret"]
    problems = checks.subdomain(secret, at / "tls_secret")
    eps = route["entrypoints"] if "entrypoints" in route else list(default_eps)
    # Entrypoints with a problem of their own say nothing about where TLS is served.
    if problems or not (checks.is_list(eps) and eps) or WEBSECURE_ENTRYPOINT in eps:
        return problems
    why = "TLS is served on the websecure entrypoint, which the route does not listen on"
    return [conflict(at / "tls_secret", secret, at / "entrypoints", why)]


# --------------------------------------------------------------------------- the dashboard


def _dashboard(args: Mapping[str, Any], known: _Known) -> list[Problem]:
    if "dashboard_route" not in args:
        return []
    route, at = args["dashboard_route"], Path.of("dashboard_route")
    if not isinstance(route, Mapping):
        return [invalid(at, route, "a map with host and basic_auth_secret")]
    given = present(route)
    problems = [
        *checks.unknown_keys(route, DashboardRoute.__annotations__, at),
        *_host(given, at, "the host name the dashboard is served on"),
        *(
            checks.required(given, "basic_auth_secret", "the existing Secret with the dashboard's users", at)
            or checks.subdomain(given["basic_auth_secret"], at / "basic_auth_secret")
        ),
        *(checks.subdomain(given["tls_secret"], at / "tls_secret") if "tls_secret" in given else []),
        *(
            checks.cidr_list(given["allow_from"], at / "allow_from", what="client networks", at_least=1)
            if "allow_from" in given
            else []
        ),
    ]
    if args.get("dashboard") is False:
        why = "dashboard_route exposes the dashboard, which dashboard: false turns off"
        problems.append(conflict("dashboard", False, "dashboard_route", why))
    if known.websecure is False:
        why = "the dashboard is exposed over TLS only: basic-auth passwords would cross the network in clear"
        problems.append(conflict(at, dict(route), "websecure", why))
    return problems


# --------------------------------------------------------------------------- shared shapes


def _map(value: object, at: Path, shape: str, fields: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """(the keys set, the problems of its shape): None with one problem when it is no map."""
    if not isinstance(value, Mapping):
        return None, [invalid(at, value, shape)]
    return present(value), checks.unknown_keys(value, fields.__annotations__, at)


ADDRESS_RULE = (
    "an address 'host:port', like 'redis.cache:6379' (a lower-case DNS name or an IP, a port from 1 to 65535)"
)


def _is_address(value: object) -> bool:
    if not isinstance(value, str) or ":" not in value:
        return False
    host, _, port = value.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not (port.isdigit() and 1 <= int(port) <= 65535 and port == str(int(port))):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _is_host(host)
    return True


def _addresses(value: object, at: Path) -> list[Problem]:
    if not (checks.is_list(value) and value):
        return [invalid(at, value, "a non-empty list of addresses 'host:port'")]
    problems = [invalid(at / i, v, ADDRESS_RULE) for i, v in enumerate(value) if not _is_address(v)]
    return problems or checks.distinct(value, at)


# --------------------------------------------------------------------------- autoscaling


def _autoscaling(args: Mapping[str, Any]) -> list[Problem]:
    if "autoscaling" not in args:
        return []
    at = Path.of("autoscaling")
    given, problems = _map(
        args["autoscaling"],
        at,
        "a map with max_replicas, min_replicas, target_cpu_percent and scale_down_stabilization_seconds",
        Autoscaling,
    )
    if given is None:
        return problems
    problems += checks.required(given, "max_replicas", "the most Traefik pods the autoscaler runs", at) or (
        checks.integer(given["max_replicas"], at / "max_replicas", lo=REPLICAS)
    )
    if "min_replicas" in given:
        floor = (
            "the PodDisruptionBudget lets one pod go at a time: below 2, a drain or an update stops them all"
        )
        problems += checks.because(
            checks.integer(given["min_replicas"], at / "min_replicas", lo=REPLICAS), floor
        )
        if "replicas" in args:
            why = "with autoscaling, replicas is only the autoscaler's minimum, which min_replicas also sets"
            problems.append(conflict("replicas", args["replicas"], at / "min_replicas", why))
    if "target_cpu_percent" in given:
        problems += checks.integer(given["target_cpu_percent"], at / "target_cpu_percent", 1, 100)
    if "scale_down_stabilization_seconds" in given:
        key = at / "scale_down_stabilization_seconds"
        problems += checks.integer(given["scale_down_stabilization_seconds"], key, 0, 3600)
    return problems or _max_at_least_min(args, given, at)


def _max_at_least_min(args: Mapping[str, Any], given: Mapping[str, Any], at: Path) -> list[Problem]:
    """max_replicas at least the minimum, as written or taken from replicas or the default."""
    if _replicas(args):
        return []
    low, high = min_replicas(args), given["max_replicas"]
    if high >= low:
        return []
    source = (
        "min_replicas" if "min_replicas" in given else "replicas" if "replicas" in args else "the default"
    )
    return [invalid(at / "max_replicas", high, f"an integer of at least the minimum, {low} ({source})")]


# --------------------------------------------------------------------------- metrics and tracing


def _metrics(args: Mapping[str, Any]) -> list[Problem]:
    if "metrics" not in args:
        return []
    at = Path.of("metrics")
    shape = (
        "a map with monitoring_namespace, service_monitor_labels and interval_seconds ({} for the defaults)"
    )
    given, problems = _map(args["metrics"], at, shape, Metrics)
    if given is None:
        return problems
    if "monitoring_namespace" in given:
        problems += checks.dns_label(given["monitoring_namespace"], at / "monitoring_namespace")
    if "service_monitor_labels" in given:
        problems += checks.labels(given["service_monitor_labels"], at / "service_monitor_labels", at_least=1)
    if "interval_seconds" in given:
        problems += checks.integer(given["interval_seconds"], at / "interval_seconds", 5, 3600)
    return problems


def _tracing(args: Mapping[str, Any]) -> list[Problem]:
    if "tracing" not in args:
        return []
    at = Path.of("tracing")
    given, problems = _map(args["tracing"], at, "a map with endpoint, insecure and sample_rate", Tracing)
    if given is None:
        return problems
    what_for = "the OTLP/gRPC collector's address, 'host:port'"
    problems += checks.required(given, "endpoint", what_for, at) or (
        [] if _is_address(given["endpoint"]) else [invalid(at / "endpoint", given["endpoint"], ADDRESS_RULE)]
    )
    if "insecure" in given:
        problems += checks.boolean(given["insecure"], at / "insecure")
    rate = given.get("sample_rate")
    if "sample_rate" in given and not (
        isinstance(rate, int | float) and not isinstance(rate, bool) and 0 <= rate <= 1
    ):
        problems.append(invalid(at / "sample_rate", rate, "a number from 0 to 1, like 0.1"))
    return problems


# --------------------------------------------------------------------------- TLS and the redirect


def _needs_websecure(args: Mapping[str, Any], known: _Known) -> list[Problem]:
    """redirect_to_https and tls are about the websecure entrypoint."""
    if known.websecure is not False:
        return []
    problems = []
    if args.get("redirect_to_https") is True:
        why = "the redirect goes to the websecure entrypoint, which runs only with websecure: true"
        problems.append(conflict("redirect_to_https", True, "websecure", why))
    if "tls" in args:
        why = "the default certificate and TLS options are websecure's, which runs only with websecure: true"
        problems.append(conflict("tls", args["tls"], "websecure", why))
    return problems


def _tls(args: Mapping[str, Any]) -> list[Problem]:
    if "tls" not in args:
        return []
    at = Path.of("tls")
    given, problems = _map(args["tls"], at, "a map with default_certificate and min_version", Tls)
    if given is None:
        return problems
    if "min_version" in given:
        problems += checks.one_of(given["min_version"], TlsVersion, at / "min_version")
    if "default_certificate" in given:
        problems += _default_certificate(given["default_certificate"], at / "default_certificate")
    return problems


def _default_certificate(value: object, at: Path) -> list[Problem]:
    given, problems = _map(value, at, "a map with secret or cert_manager", DefaultCertificate)
    if given is None:
        return problems
    if "secret" in given and "cert_manager" in given:
        why = "the default certificate comes either from an existing Secret or from cert-manager, not both"
        return [*problems, conflict(at / "cert_manager", given["cert_manager"], at / "secret", why)]
    if "secret" in given:
        return problems + checks.subdomain(given["secret"], at / "secret")
    if "cert_manager" in given:
        return problems + _cert_manager(given["cert_manager"], at / "cert_manager")
    what_for = "the existing TLS Secret of the default certificate (or cert_manager, to have one issued)"
    return [*problems, missing(at / "secret", what_for)]


def _cert_manager(value: object, at: Path) -> list[Problem]:
    given, problems = _map(value, at, "a map with issuer, issuer_kind and dns_names", CertManagerCertificate)
    if given is None:
        return problems
    problems += checks.required(
        given, "issuer", "the cert-manager issuer that signs the certificate", at
    ) or (checks.subdomain(given["issuer"], at / "issuer"))
    if "issuer_kind" in given:
        problems += checks.one_of(given["issuer_kind"], IssuerKind, at / "issuer_kind")
    names = given.get("dns_names")
    if names is None:
        return [*problems, missing(at / "dns_names", "the host names on the certificate")]
    if not (checks.is_list(names) and names):
        return [*problems, invalid(at / "dns_names", names, "a non-empty list of host names")]
    rule = HOST_RULE.replace("no wildcard", "or a wildcard '*.example.com'")
    problems += [
        invalid(at / "dns_names" / i, n, rule)
        for i, n in enumerate(names)
        if not (_is_host(n) or (isinstance(n, str) and n.startswith("*.") and _is_host(n[2:])))
    ]
    return problems or checks.distinct(names, at / "dns_names")


# --------------------------------------------------------------------------- the Redis store


def _redis_store(args: Mapping[str, Any]) -> list[Problem]:
    """A store per rate limit; the Redis exactly when some limit keeps its buckets there."""
    stores = [
        (at, entry.get("store"))
        for at, entry in _entries(args, "rate_limits")
        if isinstance(entry, Mapping) and entry.get("store") is not None
    ]
    problems = [p for at, store in stores for p in checks.one_of(store, RateLimitStore, at / "store")]
    users = [at for at, store in stores if store == RateLimitStore.REDIS]
    if "rate_limit_redis" not in args:
        if users:
            what_for = f"the Redis that rate limits with store: redis share ({users[0]} has it)"
            problems.append(missing("rate_limit_redis", what_for))
        return problems
    if not users and not problems and checks.is_list(args.get("rate_limits", [])):
        why = "only a rate limit with store: redis uses it, and none has"
        problems.append(conflict("rate_limit_redis", args["rate_limit_redis"], "rate_limits", why))
    return problems + _redis(args["rate_limit_redis"], Path.of("rate_limit_redis"))


def _redis(value: object, at: Path) -> list[Problem]:
    shape = "a map with endpoints, auth_secret, db, tls and ca_secret"
    given, problems = _map(value, at, shape, RedisStore)
    if given is None:
        return problems
    problems += checks.required(given, "endpoints", "the Redis addresses, 'host:port'", at) or (
        _addresses(given["endpoints"], at / "endpoints")
    )
    for key in ("auth_secret", "ca_secret"):
        if key in given:
            problems += checks.subdomain(given[key], at / key)
    if "db" in given:
        problems += checks.integer(given["db"], at / "db", lo=0)
    if "tls" in given:
        problems += checks.boolean(given["tls"], at / "tls")
    if "ca_secret" in given and given.get("tls") is not True:
        why = "the CA checks the certificate Redis presents over TLS, which only tls: true turns on"
        problems.append(conflict(at / "ca_secret", given["ca_secret"], at / "tls", why))
    return problems


# --------------------------------------------------------------------------- TCP routes

_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
PORT_NAME_RULE = (
    f"a port name: at most {PORT_NAME_MAX} lower-case letters, digits and '-', with a letter, "
    "not starting or ending with '-' nor holding '--'"
)
_TAKEN_NAMES = (WEB_ENTRYPOINT, WEBSECURE_ENTRYPOINT, INTERNAL_ENTRYPOINT, METRICS_ENTRYPOINT)


def _is_port_name(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= PORT_NAME_MAX
        and _PORT_NAME.match(value) is not None
        and "--" not in value
        and any(c.isalpha() for c in value)
    )


def _tcp_routes(args: Mapping[str, Any], known: _Known) -> list[Problem]:
    if "tcp_routes" in args and not checks.is_list(args["tcp_routes"]):
        return [invalid("tcp_routes", args["tcp_routes"], "a list of TCP routes")]
    routes = _entries(args, "tcp_routes")
    problems = [p for at, route in routes for p in _tcp_route(route, at)]
    names = [
        (at / "name", r["name"])
        for at, r in routes
        if isinstance(r, Mapping) and _is_port_name(r.get("name"))
    ]
    problems += checks.used_once(names, "a TCP route name")
    if problems or not routes:
        return problems
    return _tcp_service_ports(args, routes, known) + _tcp_container_ports(routes, known)


def _tcp_route(route: object, at: Path) -> list[Problem]:
    given, problems = _map(route, at, "a map with name, port, service and service_port", TcpRoute)
    if given is None:
        return problems
    name = given.get("name")
    name_problems = checks.required(given, "name", "the route's name, which its entrypoint takes", at) or (
        [] if _is_port_name(name) else [invalid(at / "name", name, PORT_NAME_RULE)]
    )
    if not name_problems and name in _TAKEN_NAMES:
        names = ", ".join(repr(n) for n in _TAKEN_NAMES)
        name_problems = [invalid(at / "name", name, f"{PORT_NAME_RULE}, other than the chart's {names}")]
    return [
        *problems,
        *name_problems,
        *(
            checks.required(given, "port", "the Service port of the route's entrypoint", at)
            or checks.port(given["port"], at / "port")
        ),
        *(
            checks.required(given, "service", "the backend Service, in the route's namespace", at)
            or checks.service_name(given["service"], at / "service")
        ),
        *(
            checks.required(given, "service_port", "the backend Service port", at)
            or checks.port(given["service_port"], at / "service_port")
        ),
        *(checks.dns_label(given["namespace"], at / "namespace") if "namespace" in given else []),
        *(
            checks.integer(given["container_port"], at / "container_port", 1024, 65535)
            if "container_port" in given
            else []
        ),
    ]


def _tcp_service_ports(
    args: Mapping[str, Any], routes: list[tuple[Path, Any]], known: _Known
) -> list[Problem]:
    """Each TCP entrypoint its own Service port, apart from web's and websecure's."""
    if _ports(args, known) or known.websecure is None:
        return []
    web, secure = service_ports(args)
    taken = {web: "web_port"} | ({secure: "websecure_port"} if secure is not None else {})
    problems = []
    for at, route in routes:
        if route["port"] in taken:
            other = taken[route["port"]]
            why = "each entrypoint needs its own Service port" + (
                "" if other in args else f", and {other} is {route['port']} unless set"
            )
            problems.append(conflict(at / "port", route["port"], other, why))
    return problems + checks.used_once([(at / "port", r["port"]) for at, r in routes], "a Service port")


def _tcp_container_ports(routes: list[tuple[Path, Any]], known: _Known) -> list[Problem]:
    """Each TCP entrypoint its own port in the pod, apart from the chart's entrypoints'."""
    taken = {WEB_CONTAINER_PORT: WEB_ENTRYPOINT, INTERNAL_CONTAINER_PORT: INTERNAL_ENTRYPOINT}
    taken[METRICS_CONTAINER_PORT] = METRICS_ENTRYPOINT
    if known.websecure is not False:
        taken[WEBSECURE_CONTAINER_PORT] = WEBSECURE_ENTRYPOINT
    problems: list[Problem] = []
    seen: dict[int, Path] = {}
    for at, route in routes:
        port = tcp_container_port(route)
        written = "container_port" in route
        key, value = (
            (at / "container_port", route["container_port"]) if written else (at / "port", route["port"])
        )
        said = (
            ""
            if written
            else f"Traefik listens for it on {port} in the pod unless container_port is set, and "
        )
        if port in taken:
            why = f"{said}{port} is the {taken[port]} entrypoint's port in the pod"
            problems.append(
                invalid(key, value, f"a port other than Traefik's own: {why}")
                if written
                else conflict(key, value, at / "container_port", why)
            )
        elif port in seen:
            why = f"{said}{port} is also the port in the pod of {seen[port].parent}"
            problems.append(conflict(key, value, seen[port], why))
        seen.setdefault(port, at / "container_port")
    return problems
