"""squid.conf for an egress allowlist proxy: a pure function of the args, valid for Squid 5.x and 6.x.

The generated file is what `SquidProxy` mounts into its pods, what `make plan` writes under
`configs/`, and what the real-Squid tests run. Its rules, in the order Squid evaluates them:

1. the cache manager answers loopback only (the squid-exporter sidecar), and these two rules sit
   above every port rule: below a tight port list the exporter's request to :3128 gets 403;
2. clients outside `allowed_source_cidrs` are denied before anything costs a DNS lookup;
3. CONNECT only to `tls_ports`, plain HTTP only to `http_ports`;
4. destinations outside `allowed_domains` / `allowed_destination_cidrs` are denied;
5. loopback, link-local and cloud metadata addresses are denied by *resolved* address, so an
   allowlisted name that resolves there (DNS rebinding, a hostile record) is still refused;
6. `http_access deny all` is last: whatever the rules above miss is refused, never forwarded.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Required, TypedDict

from traffic_edge._shared.names import is_int
from traffic_edge._shared.problems import Problem

PROXY_PORT = 3128
"""The port Squid listens on and the Service exposes (the conventional `HTTP_PROXY` port)."""

PID_FILE = "/run/squid/squid.pid"
"""Writable with a read-only root filesystem (an emptyDir is mounted on /run/squid); `squid -k` reads it."""

SPOOL_DIR = "/var/spool/squid"

DEFAULT_HTTP_PORTS: tuple[int, ...] = (80,)
DEFAULT_TLS_PORTS: tuple[int, ...] = (443,)
DEFAULT_SHUTDOWN_LIFETIME_SECONDS = 20
DEFAULT_WORKERS = 1
MAX_WORKERS = 32
MAX_SHUTDOWN_LIFETIME_SECONDS = 600

ALWAYS_DENIED_DESTINATIONS: tuple[str, ...] = (
    "169.254.0.0/16",  # IPv4 link-local: AWS/GCP/Azure/OpenStack metadata at 169.254.169.254, ECS at .170.2
    "fe80::/10",  # IPv6 link-local
    "fd00:ec2::254/128",  # AWS IMDS over IPv6 (Nitro)
    "168.63.129.16/32",  # Azure WireServer: VM agent config and extension settings
    "100.100.100.200/32",  # Alibaba Cloud metadata
)
"""Denied by resolved address in every generated config, on top of Squid's predefined `to_localhost`."""

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"^(?:{_LABEL}\.)+{_LABEL}$")
_Net = ipaddress.IPv4Network | ipaddress.IPv6Network
_DOMAIN_ALLOWED = (
    "a lowercase host name with at least two labels (api.slack.com), or a leading-dot suffix "
    "(.slack.com) that matches the domain and all its subdomains"
)


class SquidConfArgs(TypedDict, total=False):
    """What the generated squid.conf allows. Plain values, not Outputs: the file is rendered at preview."""

    allowed_source_cidrs: Required[Sequence[str]]
    """Client networks that may use the proxy (pod CIDRs of the client namespaces' nodes). Required;
    `0.0.0.0/0` and `::/0` are rejected: that would be an open proxy."""
    allowed_domains: Sequence[str]
    """Destination hosts: `api.slack.com` matches exactly that host, `.slack.com` matches slack.com
    and every subdomain (not `evilslack.com`). At least one of this and `allowed_destination_cidrs`."""
    allowed_destination_cidrs: Sequence[str]
    """Destination networks reachable by IP (e.g. a partner's fixed range). Must not overlap the
    always-denied link-local/metadata ranges. Default: none."""
    http_ports: Sequence[int]
    """Destination ports for plain HTTP requests. Default `[80]`; `[]` makes the proxy TLS-only."""
    tls_ports: Sequence[int]
    """Destination ports CONNECT tunnels may open. Default `[443]`; `[]` forbids CONNECT."""
    shutdown_lifetime_seconds: int
    """How long Squid lets in-flight requests finish after `squid -k shutdown` (1-600, default 20).
    The pod's termination grace period must exceed it."""
    workers: int
    """Squid SMP worker processes per pod (1-32, default 1). More than 1 only pays off with more
    than one CPU per pod; prefer more replicas."""


def _check_cidrs(key: str, values: object, *, source: bool) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(values, str) or not isinstance(values, Sequence):
        return [Problem(key, values, "a list of CIDRs such as ['10.0.0.0/16']")]
    seen: dict[_Net, int] = {}
    for i, raw in enumerate(values):
        k = f"{key}[{i}]"
        try:
            net = ipaddress.ip_network(raw, strict=True) if isinstance(raw, str) else None
        except ValueError:
            net = None
        if net is None:
            problems.append(
                Problem(
                    k, raw, "an IPv4 or IPv6 network in CIDR form with no host bits set, e.g. '10.0.0.0/16'"
                )
            )
            continue
        if net.prefixlen == 0:
            what = "client" if source else "destination"
            problems.append(
                Problem(
                    k, raw, f"allowing every {what} address makes an open proxy; list the networks instead"
                )
            )
            continue
        if net in seen:
            problems.append(Problem(k, raw, f"a CIDR listed once; it repeats {key}[{seen[net]}]"))
            continue
        seen[net] = i
        if not source:
            for denied in ALWAYS_DENIED_DESTINATIONS:
                d = ipaddress.ip_network(denied)
                if net.version == d.version and net.overlaps(d):
                    problems.append(
                        Problem(
                            k,
                            raw,
                            f"a network outside the always-denied link-local/metadata range {denied}",
                        )
                    )
                    break
            else:
                if net.is_loopback:
                    problems.append(Problem(k, raw, "a network outside loopback (Squid denies to_localhost)"))
                    continue
    return problems


def _check_ports(key: str, values: object) -> list[Problem]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        return [Problem(key, values, "a list of TCP ports (1-65535)")]
    problems: list[Problem] = []
    seen: dict[object, int] = {}
    for i, port in enumerate(values):
        if not is_int(port) or not 1 <= port <= 65535:
            problems.append(Problem(f"{key}[{i}]", port, "a TCP port number from 1 to 65535"))
        elif port in seen:
            problems.append(
                Problem(f"{key}[{i}]", port, f"a port listed once; it repeats {key}[{seen[port]}]")
            )
        else:
            seen[port] = i
    return problems


def _covers(suffix: str, domain: str) -> bool:
    """True when the dstdomain entry `suffix` (leading dot) already matches `domain`."""
    bare = domain.lstrip(".")
    return bare == suffix[1:] or bare.endswith(suffix)


def _check_domains(values: object) -> list[Problem]:
    key = "allowed_domains"
    if isinstance(values, str) or not isinstance(values, Sequence):
        return [Problem(key, values, "a list of host names or leading-dot suffixes")]
    problems: list[Problem] = []
    valid: list[tuple[int, str]] = []
    for i, raw in enumerate(values):
        k = f"{key}[{i}]"
        if not isinstance(raw, str):
            problems.append(Problem(k, raw, _DOMAIN_ALLOWED))
            continue
        if raw.startswith("*."):
            problems.append(
                Problem(
                    k, raw, f"Squid has no wildcards; write {raw[1:]!r} for the domain and its subdomains"
                )
            )
            continue
        host = raw[1:] if raw.startswith(".") else raw
        if _looks_like_ip(host):
            problems.append(Problem(k, raw, "a host name; put addresses in allowed_destination_cidrs"))
            continue
        if len(raw) > 253 or not _HOST_RE.match(host) or host[-1].isdigit():
            problems.append(Problem(k, raw, _DOMAIN_ALLOWED))
            continue
        valid.append((i, raw))
    for i, raw in valid:
        earlier_same = next((j for j, other in valid if other == raw and j < i), None)
        if earlier_same is not None:
            problems.append(
                Problem(f"{key}[{i}]", raw, f"a domain listed once; it repeats {key}[{earlier_same}]")
            )
            continue
        cover = next(
            ((j, o) for j, o in valid if o != raw and o.startswith(".") and _covers(o, raw)),
            None,
        )
        if cover is not None:
            problems.append(
                Problem(
                    f"{key}[{i}]",
                    raw,
                    f"an entry not already matched by {cover[1]!r} ({key}[{cover[0]}]); remove it "
                    "(Squid warns about overlapping dstdomain entries and keeps only one)",
                )
            )
    return problems


def _looks_like_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def validate_squid_conf_args(args: SquidConfArgs) -> list[Problem]:
    """Every problem in `args` at once; an empty list means `render_squid_conf(args)` is safe."""
    problems: list[Problem] = []
    if "allowed_source_cidrs" not in args:
        problems.append(
            Problem("allowed_source_cidrs", None, "required: the client networks that may use the proxy")
        )
    else:
        src = args["allowed_source_cidrs"]
        if isinstance(src, Sequence) and not isinstance(src, str) and len(src) == 0:
            problems.append(
                Problem(
                    "allowed_source_cidrs", [], "at least one client CIDR; with none every request is denied"
                )
            )
        problems += _check_cidrs("allowed_source_cidrs", src, source=True)
    domains = args.get("allowed_domains", [])
    dst_cidrs = args.get("allowed_destination_cidrs", [])
    problems += _check_domains(domains)
    problems += _check_cidrs("allowed_destination_cidrs", dst_cidrs, source=False)
    if not domains and not dst_cidrs:
        problems.append(
            Problem(
                "allowed_domains",
                list(domains) if isinstance(domains, Sequence) else domains,
                "at least one destination in allowed_domains or allowed_destination_cidrs; "
                "a proxy that may reach nothing is a misconfiguration",
            )
        )
    http_ports = args.get("http_ports", DEFAULT_HTTP_PORTS)
    tls_ports = args.get("tls_ports", DEFAULT_TLS_PORTS)
    problems += _check_ports("http_ports", http_ports)
    problems += _check_ports("tls_ports", tls_ports)
    if not http_ports and not tls_ports:
        problems.append(Problem("tls_ports", [], "at least one port in http_ports or tls_ports"))
    lifetime = args.get("shutdown_lifetime_seconds", DEFAULT_SHUTDOWN_LIFETIME_SECONDS)
    if not is_int(lifetime) or not 1 <= lifetime <= MAX_SHUTDOWN_LIFETIME_SECONDS:
        problems.append(
            Problem(
                "shutdown_lifetime_seconds",
                lifetime,
                f"whole seconds from 1 to {MAX_SHUTDOWN_LIFETIME_SECONDS}; 0 would cut in-flight requests "
                "on every rollout",
            )
        )
    workers = args.get("workers", DEFAULT_WORKERS)
    if not is_int(workers) or not 1 <= workers <= MAX_WORKERS:
        problems.append(
            Problem("workers", workers, f"a whole number of Squid workers from 1 to {MAX_WORKERS}")
        )
    return problems


def render_squid_conf(args: SquidConfArgs) -> str:
    """The squid.conf text for valid `args` (call `validate_squid_conf_args` first)."""
    sources = " ".join(str(ipaddress.ip_network(c)) for c in args["allowed_source_cidrs"])
    domains = list(args.get("allowed_domains", []))
    dst_cidrs = [str(ipaddress.ip_network(c)) for c in args.get("allowed_destination_cidrs", [])]
    http_ports = list(args.get("http_ports", DEFAULT_HTTP_PORTS))
    tls_ports = list(args.get("tls_ports", DEFAULT_TLS_PORTS))
    lifetime = args.get("shutdown_lifetime_seconds", DEFAULT_SHUTDOWN_LIFETIME_SECONDS)
    workers = args.get("workers", DEFAULT_WORKERS)

    acls = [f"acl allowed_src src {sources}"]
    if domains:
        acls.append(f"acl allowed_domains dstdomain -n {' '.join(domains)}")
    if dst_cidrs:
        acls.append(f"acl allowed_nets dst {' '.join(dst_cidrs)}")
    if http_ports:
        acls.append(f"acl http_ports port {' '.join(map(str, http_ports))}")
    if tls_ports:
        acls.append(f"acl tls_ports port {' '.join(map(str, tls_ports))}")
    acls.append(
        "# to_linklocal is predefined only from Squid 5.8, so link-local and metadata ranges get their own ACL."
    )
    acls.append(f"acl denied_dst dst {' '.join(ALWAYS_DENIED_DESTINATIONS)}")
    acls.append("acl has_request has request")

    port_rules = [
        "http_access deny CONNECT !tls_ports" if tls_ports else "http_access deny CONNECT",
        "http_access deny !CONNECT !http_ports" if http_ports else "http_access deny !CONNECT",
    ]
    dst_names = (["!allowed_domains"] if domains else []) + (["!allowed_nets"] if dst_cidrs else [])

    lines = [
        "# Generated by traffic-edge (components/squid_conf.py): change the SquidProxy args, not this file.",
        "# Valid for Squid 5.x and 6.x.",
        "",
        f"http_port {PROXY_PORT}",
        f"workers {workers}",
        "",
        *acls,
        "",
        "# The exporter's cache-manager requests go to :3128 itself, so these must come before the port rules.",
        "http_access allow localhost manager",
        "http_access deny manager",
        "http_access deny !allowed_src",
        *port_rules,
        f"http_access deny {' '.join(dst_names)}",
        "# By resolved address: an allowlisted name that resolves to loopback or metadata is refused too.",
        "http_access deny to_localhost",
        "http_access deny denied_dst",
        "http_access allow allowed_src",
        "http_access deny all",
        "",
        "# An egress proxy, not a cache: nothing is stored, so the pods stay stateless.",
        "cache deny all",
        "cache_mem 0 MB",
        "",
        "# Logs go to the container's stdout/stderr (needs uid 13 from the start, see the Deployment);",
        "# exporter scrapes and bare TCP probe connections would drown the real traffic.",
        "access_log none localhost manager",
        "access_log none !has_request",
        "access_log stdio:/dev/stdout",
        "cache_log /dev/stderr",
        "logfile_rotate 0",
        "",
        f"pid_filename {PID_FILE}",
        f"coredump_dir {SPOOL_DIR}",
        "# The ICMP pinger needs CAP_NET_RAW, which the pod drops; without it Squid would log its failures.",
        "pinger_enable off",
        "# Container nofile limits can be ~1M; Squid sizes its fd tables by it.",
        "max_filedescriptors 65536",
        f"shutdown_lifetime {lifetime} seconds",
        "",
        "# Tell third parties nothing about the clients or the proxy.",
        "httpd_suppress_version_string on",
        "via off",
        "forwarded_for delete",
        "",
    ]
    return "\n".join(lines)
