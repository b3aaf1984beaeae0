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

import ipaddress
import re
from dataclasses import dataclass, field
from enum import StrEnum

from traffic_edge._shared.problems import Problem, raise_if


class Placement(StrEnum):
    """Where HAProxy runs."""

    IN_CLUSTER = "in-cluster"
    """Pods in the cluster behind a MetalLB LoadBalancer Service; logs to stdout."""
    EXTERNAL = "external"
    """A host outside the cluster (the seed's setup); logs to the local syslog socket."""


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

    Each pod becomes its own server with its own health check, filled into at most
    `max_servers` slots and kept current by the resolvers section.
    """

    fqdn: str
    max_servers: int = 10


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
    stats_port: int = 8404
    bind_address: str = ""
    """Address the public frontends bind; empty = every address of the host/pod."""


# Fixed, not args: they follow from the traffic (long-lived TCP/TLS through a layer-4 hop)
# rather than from an environment, and every one of them is exercised by the real tests.
TIMEOUT_CONNECT = "5s"
TIMEOUT_CLIENT = "60s"
TIMEOUT_SERVER = "60s"
TIMEOUT_CHECK = "3s"
RETRIES = 3

_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,13}[a-z0-9])?$")
_DNS = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return bool(_DNS.match(value))
    return True


def _port_problem(key: str, value: object) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return Problem(key, value, "a TCP port 1-65535")
    return None


def validate_haproxy_config(cfg: HaproxyConfig) -> list[Problem]:
    """Every problem with `cfg`, keys relative to the config (``routes[1].bind_port``)."""
    problems: list[Problem] = []
    if not cfg.routes:
        problems.append(Problem("routes", list(cfg.routes), "at least one route (public port)"))
    names: set[str] = set()
    binds: dict[int, str] = {}
    for i, route in enumerate(cfg.routes):
        if not _NAME.match(route.name):
            problems.append(
                Problem(
                    f"routes[{i}].name",
                    route.name,
                    "1-15 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-'",
                )
            )
        elif route.name in names:
            problems.append(Problem(f"routes[{i}].name", route.name, "a name no other route uses"))
        names.add(route.name)
        for attr in ("bind_port", "server_port"):
            if p := _port_problem(f"routes[{i}].{attr}", getattr(route, attr)):
                problems.append(p)
        if isinstance(route.bind_port, int) and route.bind_port in binds:
            problems.append(
                Problem(
                    f"routes[{i}].bind_port",
                    route.bind_port,
                    f"a port no other route binds (route {binds[route.bind_port]!r} already does)",
                )
            )
        elif route.bind_port == cfg.stats_port:
            problems.append(
                Problem(
                    f"routes[{i}].bind_port",
                    route.bind_port,
                    "a port other than the stats port, which must stay off the public side",
                )
            )
        binds.setdefault(route.bind_port, route.name)
    if isinstance(cfg.servers, DnsServers):
        if not _DNS.match(cfg.servers.fqdn):
            problems.append(Problem("servers.fqdn", cfg.servers.fqdn, "a lower-case DNS name"))
        if not 1 <= cfg.servers.max_servers <= 256:
            problems.append(Problem("servers.max_servers", cfg.servers.max_servers, "1-256"))
    else:
        if not cfg.servers:
            problems.append(Problem("servers", list(cfg.servers), "at least one server address"))
        seen: set[str] = set()
        for i, server in enumerate(cfg.servers):
            if not _is_address(server):
                problems.append(Problem(f"servers[{i}]", server, "an IP address or a lower-case DNS name"))
            elif server in seen:
                problems.append(Problem(f"servers[{i}]", server, "an address listed only once"))
            seen.add(server)
    if cfg.bind_address and not _is_ip(cfg.bind_address):
        problems.append(
            Problem("bind_address", cfg.bind_address, "an IP address, or empty for all addresses")
        )
    h = cfg.health
    if not 100 <= h.inter_ms <= 60_000:
        problems.append(Problem("health.inter_ms", h.inter_ms, "100-60000 milliseconds"))
    for attr in ("fall", "rise"):
        if not 1 <= getattr(h, attr) <= 20:
            problems.append(Problem(f"health.{attr}", getattr(h, attr), "1-20 consecutive checks"))
    if not 1 <= cfg.maxconn <= 1_000_000:
        problems.append(Problem("maxconn", cfg.maxconn, "1-1000000 connections"))
    if p := _port_problem("stats_port", cfg.stats_port):
        problems.append(p)
    return problems


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _hostport(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _servers(cfg: HaproxyConfig, route: Route) -> list[str]:
    if isinstance(cfg.servers, DnsServers):
        # `init-addr none`: start even before DNS answers (empty slots stay in maintenance)
        # instead of refusing to start when the gateway has no ready pod yet.
        return [
            f"    server-template gw 1-{cfg.servers.max_servers} "
            f"{cfg.servers.fqdn}:{route.server_port} resolvers cluster init-addr none"
        ]
    lines = []
    for i, address in enumerate(cfg.servers, 1):
        extra = "" if _is_ip(address) else " resolvers cluster init-addr libc,none"
        lines.append(f"    server gw{i} {_hostport(address, route.server_port)}{extra}")
    return lines


def _uses_dns(cfg: HaproxyConfig) -> bool:
    return isinstance(cfg.servers, DnsServers) or any(not _is_ip(s) for s in cfg.servers)


def render_haproxy_cfg(cfg: HaproxyConfig) -> str:
    """The complete haproxy.cfg text; raises ArgsError when `cfg` is invalid."""
    raise_if("haproxy.cfg", validate_haproxy_config(cfg))
    h = cfg.health
    log = "stdout format raw local0" if cfg.placement is Placement.IN_CLUSTER else "/dev/log local0"
    # External HAProxy: stats stay on loopback (scrape through the host); in a pod the
    # Prometheus scraper reaches the pod IP, and the Service simply does not list the port.
    stats_bind = (
        f":{cfg.stats_port}" if cfg.placement is Placement.IN_CLUSTER else f"127.0.0.1:{cfg.stats_port}"
    )
    bind_host = f"[{cfg.bind_address}]" if ":" in cfg.bind_address else cfg.bind_address
    out = [
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
    if _uses_dns(cfg):
        out += [
            "resolvers cluster",
            "    parse-resolv-conf",
            "    hold valid 10s",
            "    hold obsolete 30s",
            "    resolve_retries 3",
            "    timeout resolve 1s",
            "    timeout retry 1s",
            "",
        ]
    out += [
        "frontend stats",
        "    mode http",
        f"    bind {stats_bind}",
        # Scrapes every few seconds would drown the connection log; `no log` instead makes
        # HAProxy warn that the inherited tcplog format is ignored.
        "    http-request set-log-level silent",
        "    timeout client 10s",
        "    http-request use-service prometheus-exporter if { path /metrics }",
        "    stats enable",
        "    stats uri /stats",
        "    stats refresh 10s",
        "",
    ]
    for route in cfg.routes:
        out += [
            f"frontend fe_{route.name}",
            f"    bind {bind_host}:{route.bind_port}",
            f"    default_backend be_{route.name}",
            "",
            f"backend be_{route.name}",
            "    balance leastconn",
            f"    default-server check inter {h.inter_ms}ms fall {h.fall} rise {h.rise} send-proxy-v2",
            *_servers(cfg, route),
            "",
        ]
    return "\n".join(out)
