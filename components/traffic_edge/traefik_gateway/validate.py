"""Validation of `TraefikGatewayArgs`: every problem at once, in the one grammar.

`validate_traefik_args` calls one small function per rule group. A group whose input already
has a problem reports nothing derived from it (a route's middlewares are checked against the
defined ones only when every rate limit and allowlist could be read), and a default the user
did not write is never reported as if they had written it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from traffic_edge._shared import checks
from traffic_edge._shared.names import DNS1123_LABEL, DNS1123_SUBDOMAIN, memory_bytes
from traffic_edge._shared.problems import Path, Problem, conflict, invalid, missing, without_knock_on
from traffic_edge.traefik_gateway.args import (
    DashboardRoute,
    IpAllowList,
    RateLimit,
    Resources,
    ServiceType,
    TraefikGatewayArgs,
    TraefikRoute,
    TrustedPods,
    ZoneSpread,
)
from traffic_edge.traefik_gateway.facts import CHART, ENTRYPOINTS, INSTANCE_LABEL, WEBSECURE_ENTRYPOINT
from traffic_edge.traefik_gateway.plan import (
    MEMORY_LIMIT,
    MEMORY_REQUEST,
    ROUTE_ENTRYPOINTS,
    gateway_names,
    present,
    service_ports,
)

_FLAGS = ("dashboard", "websecure", "kubernetes_ingress", "proxy_protocol")

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
    known = _Known(websecure=_flag(given, "websecure"), middlewares=_defined_middlewares(given))
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
    instance = gateway_names(name, namespace).selector[INSTANCE_LABEL]
    if not instance.endswith("-"):
        return []
    return [
        invalid(
            "namespace",
            namespace,
            f"a namespace that, after the release name {gateway_names(name, namespace).release!r}, is not "
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
        *_tls_secret(given, at),
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
    return problems or checks.distinct(eps, base)


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


def _tls_secret(route: Mapping[str, Any], at: Path) -> list[Problem]:
    if "tls_secret" not in route:
        return []
    secret = route["tls_secret"]
    problems = checks.subdomain(secret, at / "tls_secret")
    eps = route["entrypoints"] if "entrypoints" in route else list(ROUTE_ENTRYPOINTS)
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
