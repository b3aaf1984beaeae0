"""haproxy.cfg for the PROXY-protocol edge: a pure function of `HaproxyConfig`.

HAProxy is a layer-4 relay here: it terminates nothing, and prepends a PROXY protocol v2
header to every connection it opens to the Istio ingress gateway, so the gateway's Envoy
(proxy_protocol listener filter) logs and authorizes the real client address instead of
HAProxy's. The config is rendered as text, checked with `haproxy -c` and run for real by
the tests, and shipped either in a ConfigMap (in-cluster) or as a file (external HAProxy).

Choices that matter, with the reason:
- The frontends never `accept-proxy`: HAProxy is the first hop, so a PROXY header a client
  sends is ordinary payload. The gateway then reads HAProxy's header first and the forged
  one is passed on as (broken) application data, never taken as the client address.
- `send-proxy-v2` sits on `default-server` and servers set neither `port` nor `addr`, so
  health checks carry the header too (a v2 LOCAL command, which Envoy accepts); without it
  Envoy would reject the check connection and HAProxy would mark every gateway down.
- `retries` with `option redispatch 1`: a new connection refused by a gateway that just
  died is retried on another server at once, so clients do not see the gap between the
  death and the health check marking the server DOWN (`fall` x `inter`).
- The stats/Prometheus endpoint is its own HTTP frontend on its own port, which the
  public Service/firewall never exposes.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from traffic_edge._shared import checks
from traffic_edge._shared.names import DNS1123_SUBDOMAIN
from traffic_edge._shared.problems import Path, Problem, invalid, raise_if
from traffic_edge.proxy_protocol_ingress.args import Placement

# Placement is the args' enum, exported here too (bench/bench_haproxy.py imports it from here).
__all__ = [
    "METRICS_PATH",
    "STATS_PORT",
    "DnsServers",
    "HaproxyConfig",
    "HealthCheck",
    "Placement",
    "Route",
    "render_haproxy_cfg",
    "validate_haproxy_config",
]

STATS_PORT = 8404
"""The stats/Prometheus frontend's port: a container port, never a public one."""
METRICS_PATH = "/metrics"
"""Where the stats frontend serves HAProxy's Prometheus exporter (the ServiceMonitor's path)."""
DNS_SLOTS = 10
"""Servers `DnsServers` fills: at most this many gateway pods get traffic."""

# Fixed, not args: they follow from the traffic (long-lived TCP/TLS through a layer-4 hop)
# rather than from an environment, and every one of them is exercised by the real tests.
TIMEOUT_CONNECT = "5s"
TIMEOUT_CLIENT = "60s"
TIMEOUT_SERVER = "60s"
TIMEOUT_CHECK = "3s"
RETRIES = 3


@dataclass(frozen=True)
class Route:
    """One public port: a frontend and the backend it feeds."""

    name: str
    """Lower-case port name (``https``); frontend ``fe_<name>``, backend ``be_<name>``."""
    bind_port: int
    """The port HAProxy listens on (what clients connect to)."""
    server_port: int
    """The port on every server (gateway pod port in-cluster, NodePort externally)."""


@dataclass(frozen=True)
class DnsServers:
    """Servers discovered from a DNS name with one A record per gateway pod (a headless Service).

    Each pod becomes its own server with its own health check, filled into `DNS_SLOTS`
    slots and kept current by the resolvers section.
    """

    fqdn: str


@dataclass(frozen=True)
class HealthCheck:
    inter_ms: int = 2000
    """Time between two checks of one server."""
    fall: int = 3
    """Consecutive failed checks that mark a server DOWN."""
    rise: int = 2
    """Consecutive passed checks that bring it back UP."""


@dataclass(frozen=True)
class HaproxyConfig:
    routes: tuple[Route, ...]
    servers: tuple[str, ...] | DnsServers
    """Static server addresses (IP or host name), or DNS discovery."""
    placement: Placement = Placement.IN_CLUSTER
    health: HealthCheck = field(default_factory=HealthCheck)
    maxconn: int = 20000
    """Process-wide and per-frontend connection limit; beyond it connections wait in the kernel backlog."""
    stats_port: ClassVar[int] = STATS_PORT


# --- rules -------------------------------------------------------------------------------
# Each rule takes the values with the key they sit at, so `validate.py` applies the same rule
# to the component's args and reports it at the arg's key (``ports[1].port``), while
# `validate_haproxy_config` reports it at the config's (``routes[1].bind_port``).

Keyed = Sequence[tuple[object, Path]]
"""Values, each with the key it sits at."""

ROUTE_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,13}[a-z0-9])?$")
ROUTE_NAME_RULE = (
    "a port name: 1-15 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'"
)
HEALTH_LIMITS: Mapping[str, tuple[int, int]] = {"inter_ms": (100, 60_000), "fall": (1, 20), "rise": (1, 20)}
"""`HealthCheck` field -> its lowest and highest value."""
MAXCONN_LIMITS = (1, 1_000_000)


def route_name_problems(names: Keyed) -> list[Problem]:
    """Names that become frontend, backend and container port names."""
    bad = [invalid(at, v, ROUTE_NAME_RULE) for v, at in names if not _route_name(v)]
    return bad + checks.used_once([(at, v) for v, at in names if _route_name(v)], "a port name")


def _route_name(value: object) -> bool:
    return isinstance(value, str) and ROUTE_NAME.match(value) is not None


def bind_port_problems(ports: Keyed) -> list[Problem]:
    """The public ports: valid, each bound once, and never the stats port."""
    bad = [p for v, at in ports for p in checks.port(v, at)]
    good = [(v, at) for v, at in ports if not checks.port(v, at)]
    stats = [
        invalid(at, v, f"a port other than {STATS_PORT}: the stats port stays off the public side")
        for v, at in good
        if v == STATS_PORT
    ]
    return bad + stats + checks.used_once([(at, v) for v, at in good], "a port")


def health_problems(values: Mapping[str, object], at: Path | str) -> list[Problem]:
    """The health check settings given in `values` (a `HealthCheck`'s fields)."""
    base = Path.of(at)
    return [
        p
        for key, (lo, hi) in HEALTH_LIMITS.items()
        if key in values
        for p in checks.integer(values[key], base / key, lo, hi)
    ]


def maxconn_problems(value: object, at: Path | str) -> list[Problem]:
    return checks.integer(value, at, *MAXCONN_LIMITS)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_host(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 253 and DNS1123_SUBDOMAIN.match(value) is not None


def _server_problems(servers: tuple[str, ...] | DnsServers) -> list[Problem]:
    if isinstance(servers, DnsServers):
        ok = _is_host(servers.fqdn)
        return [] if ok else [invalid("servers.fqdn", servers.fqdn, "a lower-case DNS name")]
    if not servers:
        return [invalid("servers", list(servers), "at least one server address")]
    rule = "an IP address or a lower-case DNS name"
    bad = [
        invalid(Path.of("servers") / i, s, rule)
        for i, s in enumerate(servers)
        if not (_is_ip(s) or _is_host(s))
    ]
    return bad or checks.distinct(servers, "servers")


def validate_haproxy_config(cfg: HaproxyConfig) -> list[Problem]:
    """Every problem with `cfg`, keys relative to the config (``routes[1].bind_port``)."""
    base = Path.of("routes")
    problems = [] if cfg.routes else [invalid("routes", [], "at least one route (public port)")]
    problems += route_name_problems([(r.name, base / i / "name") for i, r in enumerate(cfg.routes)])
    problems += bind_port_problems([(r.bind_port, base / i / "bind_port") for i, r in enumerate(cfg.routes)])
    problems += [
        p for i, r in enumerate(cfg.routes) for p in checks.port(r.server_port, base / i / "server_port")
    ]
    problems += _server_problems(cfg.servers)
    problems += health_problems(dataclasses.asdict(cfg.health), "health")
    return problems + maxconn_problems(cfg.maxconn, "maxconn")


# --- rendering ---------------------------------------------------------------------------


def _hostport(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _servers(cfg: HaproxyConfig, route: Route) -> list[str]:
    if isinstance(cfg.servers, DnsServers):
        # `init-addr none`: start even before DNS answers (empty slots stay in maintenance)
        # instead of refusing to start when the gateway has no ready pod yet.
        return [
            f"    server-template gw 1-{DNS_SLOTS} "
            f"{cfg.servers.fqdn}:{route.server_port} resolvers cluster init-addr none"
        ]
    lines = []
    for i, address in enumerate(cfg.servers, 1):
        extra = "" if _is_ip(address) else " resolvers cluster init-addr libc,none"
        lines.append(f"    server gw{i} {_hostport(address, route.server_port)}{extra}")
    return lines


def _uses_dns(cfg: HaproxyConfig) -> bool:
    return isinstance(cfg.servers, DnsServers) or any(not _is_ip(s) for s in cfg.servers)


def _global_and_defaults(cfg: HaproxyConfig) -> list[str]:
    log = "stdout format raw local0" if cfg.placement is Placement.IN_CLUSTER else "/dev/log local0"
    return [
        "# Generated by traffic-edge ProxyProtocolIngress; edit the stack config, not this file.",
        "global",
        f"    log {log}",
        f"    maxconn {cfg.maxconn}",
        # Lets a draining old process (reload, pod stop) finish long connections, but not forever.
        "    hard-stop-after 30s",
        "",
        "defaults",
        "    mode tcp",
        "    log global",
        "    option tcplog",
        "    option dontlognull",
        f"    maxconn {cfg.maxconn}",
        f"    retries {RETRIES}",
        "    option redispatch 1",
        f"    timeout connect {TIMEOUT_CONNECT}",
        f"    timeout client {TIMEOUT_CLIENT}",
        f"    timeout server {TIMEOUT_SERVER}",
        f"    timeout check {TIMEOUT_CHECK}",
        "",
    ]


_RESOLVERS = [
    "resolvers cluster",
    "    parse-resolv-conf",
    "    hold valid 10s",
    "    hold obsolete 30s",
    "    resolve_retries 3",
    "    timeout resolve 1s",
    "    timeout retry 1s",
    "",
]


def _stats(cfg: HaproxyConfig) -> list[str]:
    # External HAProxy: stats stay on loopback (scrape through the host); in a pod the
    # Prometheus scraper reaches the pod IP, and the Service simply does not list the port.
    host = "" if cfg.placement is Placement.IN_CLUSTER else "127.0.0.1"
    return [
        "frontend stats",
        "    mode http",
        f"    bind {host}:{STATS_PORT}",
        # Scrapes every few seconds would drown the connection log; `no log` instead makes
        # HAProxy warn that the inherited tcplog format is ignored.
        "    http-request set-log-level silent",
        "    timeout client 10s",
        # HAProxy's built-in exporter (addons/promex, in Debian's and the official image's builds).
        f"    http-request use-service prometheus-exporter if {{ path {METRICS_PATH} }}",
        "    stats enable",
        "    stats uri /stats",
        "    stats refresh 10s",
        "",
    ]


def _route(cfg: HaproxyConfig, route: Route) -> list[str]:
    h = cfg.health
    return [
        f"frontend fe_{route.name}",
        f"    bind :{route.bind_port}",
        f"    default_backend be_{route.name}",
        "",
        f"backend be_{route.name}",
        "    balance leastconn",
        f"    default-server check inter {h.inter_ms}ms fall {h.fall} rise {h.rise} send-proxy-v2",
        *_servers(cfg, route),
        "",
    ]


def render_haproxy_cfg(cfg: HaproxyConfig) -> str:
    """The complete haproxy.cfg text; raises ArgsError when `cfg` is invalid."""
    raise_if("haproxy.cfg", validate_haproxy_config(cfg))
    out = _global_and_defaults(cfg)
    if _uses_dns(cfg):
        out += _RESOLVERS
    out += _stats(cfg)
    for route in cfg.routes:
        out += _route(cfg, route)
    return "\n".join(out)
