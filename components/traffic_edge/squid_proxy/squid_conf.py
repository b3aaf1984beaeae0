"""squid.conf for an egress allowlist proxy: a pure function of the args, valid for Squid 7 and 5.7.

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

`validate_squid_conf_args` checks the args (every problem at once), `plan_squid_conf` applies
the defaults, `render` writes the file from that plan.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from traffic_edge._shared.checks import (
    Network,
    cidr_list,
    distinct,
    integer,
    is_list,
    network,
    port,
    required,
    unknown_keys,
)
from traffic_edge._shared.problems import Path, Problem, conflict, invalid, missing
from traffic_edge.squid_proxy.args import CONF_KEYS, SquidConfArgs
from traffic_edge.squid_proxy.facts import (
    ALWAYS_DENIED_DESTINATIONS,
    MANAGER_PASSWORD_DIRECTIVE,
    PORT_NAME_ACL,
    PROXY_PORT,
)
from traffic_edge.squid_proxy.plan import ConfPlan, TenantPlan, plan_squid_conf

PID_FILE = "/run/squid/squid.pid"
"""Writable with a read-only root filesystem (an emptyDir is mounted on /run/squid); `squid -k` reads it."""

SPOOL_DIR = "/var/spool/squid"

MAX_WORKERS = 32
MAX_SHUTDOWN_LIFETIME_SECONDS = 600

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"^(?:{_LABEL}\.)+{_LABEL}$")
_DOMAIN_RULE = (
    "a lowercase host name with at least two labels (api.slack.com), or a leading-dot suffix "
    "(.slack.com) that matches the domain and all its subdomains"
)
_OPEN_PROXY = "every address would make an open proxy"
_ANY_DESTINATION = "every address would let the clients reach anything"


# ---------------------------------------------------------------- checks


def source_problems(args: Mapping[str, Any]) -> list[Problem]:
    """`allowed_source_cidrs`: required, networks whose union leaves some addresses out."""
    key = "allowed_source_cidrs"
    if found := required(args, key, "the client networks that may use the proxy"):
        return found
    return cidr_list(args[key], key, what="client networks", at_least=1, every_address=_OPEN_PROXY)


def _denied_overlap(net: Network) -> str | None:
    """Why a destination network is refused: it reaches an always-denied range or loopback."""
    for denied in ALWAYS_DENIED_DESTINATIONS:
        d = ipaddress.ip_network(denied)
        if net.version == d.version and net.overlaps(d):
            return f"a network outside the always-denied link-local/metadata range {denied}"
    if net.is_loopback:
        return "a network outside loopback: Squid denies to_localhost"
    return None


def _destination_cidrs(values: object) -> list[Problem]:
    """Destination networks: CIDRs, not every address, none reaching an always-denied range.

    A list that covers every address necessarily reaches the denied ranges, so that is not
    reported again item by item; nor is an item that already has a problem of its own.
    """
    key = Path.of("allowed_destination_cidrs")
    problems = cidr_list(values, key, what="destination networks", every_address=_ANY_DESTINATION)
    if not is_list(values) or any(p.path == key for p in problems):
        return problems
    flagged = {p.path for p in problems}
    for i, raw in enumerate(values):
        net = network(raw)
        why = _denied_overlap(net) if net is not None and key / i not in flagged else None
        if why is not None:
            problems.append(invalid(key / i, raw, why))
    return sorted(problems, key=lambda p: p.path.parts)


def domain_problem(key: Path | str, raw: object) -> Problem | None:
    """One `allowed_domains` entry, or None when it is good."""
    key = Path.of(key)
    if not isinstance(raw, str):
        return invalid(key, raw, _DOMAIN_RULE)
    if raw.startswith("*."):
        return invalid(
            key,
            raw,
            f"a leading-dot suffix like {raw[1:]!r} for the domain and its subdomains: Squid has no wildcards",
        )
    host = raw[1:] if raw.startswith(".") else raw
    if _looks_like_ip(host):
        return invalid(key, raw, "a host name, not an address: addresses belong in allowed_destination_cidrs")
    if len(raw) > 253 or not _HOST_RE.match(host) or host[-1].isdigit():
        return invalid(key, raw, _DOMAIN_RULE)
    return None


def _covers(suffix: str, domain: str) -> bool:
    """True when the dstdomain entry `suffix` (leading dot) already matches `domain`."""
    bare = domain.lstrip(".")
    return bare == suffix[1:] or bare.endswith(suffix)


def _overlaps(key: Path, domains: list[str]) -> list[Problem]:
    """An entry a leading-dot suffix already matches: Squid would warn and keep only one."""
    problems = []
    for i, domain in enumerate(domains):
        if domain in domains[:i]:
            continue  # a repeat: `distinct` names it
        cover = next(
            (j for j, o in enumerate(domains) if o != domain and o.startswith(".") and _covers(o, domain)),
            None,
        )
        if cover is not None:
            why = f"{domains[cover]!r} already matches it, and Squid warns about overlapping dstdomain entries and keeps only one"
            problems.append(conflict(key / i, domain, key / cover, why))
    return problems


def _domains(values: object) -> list[Problem]:
    key = Path.of("allowed_domains")
    if not is_list(values):
        return [invalid(key, values, "a list of host names or leading-dot suffixes")]
    problems = [p for i, raw in enumerate(values) if (p := domain_problem(key / i, raw)) is not None]
    if problems:
        return problems
    domains = [str(d) for d in values]
    return sorted(distinct(domains, key) + _overlaps(key, domains), key=lambda p: p.path.parts)


def _looks_like_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def destination_problems(args: Mapping[str, Any]) -> list[Problem]:
    """Hosts and networks the proxy may reach, in a map (the args, or a tenant): at least one of them."""
    domains, nets = "allowed_domains", "allowed_destination_cidrs"
    problems = _domains(args[domains]) if domains in args else []
    problems += _destination_cidrs(args[nets]) if nets in args else []
    if problems or args.get(domains) or args.get(nets):
        return problems
    if domains not in args and nets not in args:
        return [missing(domains, f"the hosts the proxy may reach (unless {nets} lists networks)")]
    key, other = (domains, nets) if domains in args else (nets, domains)
    why = "a proxy that may reach nothing is a misconfiguration"
    return [invalid(key, args[key], f"at least one destination here or in {other}: {why}")]


def _port_list(values: object, key: str) -> list[Problem]:
    if not is_list(values):
        return [invalid(key, values, "a list of TCP ports, like [443]")]
    problems = [p for i, v in enumerate(values) for p in port(v, Path.of(key) / i)]
    return problems or distinct(values, key)


def port_problems(args: Mapping[str, Any]) -> list[Problem]:
    """`http_ports` and `tls_ports` of a map (the args, or a tenant): ports, and not both empty (every
    request would be refused)."""
    problems = [p for key in ("http_ports", "tls_ports") if key in args for p in _port_list(args[key], key)]
    both_empty = all(
        key in args and is_list(args[key]) and not args[key] for key in ("http_ports", "tls_ports")
    )
    if not problems and both_empty:
        problems.append(
            conflict("tls_ports", [], "http_ports", "with no port in either list every request is refused")
        )
    return problems


def lifetime_problems(value: object) -> list[Problem]:
    """`shutdown_lifetime_seconds`, as written."""
    if not integer(value, "shutdown_lifetime_seconds", 1, MAX_SHUTDOWN_LIFETIME_SECONDS):
        return []
    rule = f"an integer from 1 to {MAX_SHUTDOWN_LIFETIME_SECONDS}: 0 would cut in-flight requests on every rollout"
    return [invalid("shutdown_lifetime_seconds", value, rule)]


def _operations(args: Mapping[str, Any]) -> list[Problem]:
    problems = (
        lifetime_problems(args["shutdown_lifetime_seconds"]) if "shutdown_lifetime_seconds" in args else []
    )
    if "workers" in args:
        problems += integer(args["workers"], "workers", 1, MAX_WORKERS)
    return problems


def validate_squid_conf_args(args: SquidConfArgs | Mapping[str, Any]) -> list[Problem]:
    """Every problem in `args` at once; an empty list means `render_squid_conf(args)` is safe."""
    return [
        *unknown_keys(args, CONF_KEYS),
        *source_problems(args),
        *destination_problems(args),
        *port_problems(args),
        *_operations(args),
    ]


# ---------------------------------------------------------------- the file


def _acls(conf: ConfPlan) -> list[str]:
    acls = [f"acl allowed_src src {' '.join(conf.allowed_source_cidrs)}"]
    acls += _allowlist_acls(conf, "allowed_domains", "allowed_nets", "http_ports", "tls_ports")
    acls.append(
        "# to_linklocal is predefined only from Squid 5.8, so link-local and metadata ranges get their own ACL."
    )
    acls.append(f"acl denied_dst dst {' '.join(ALWAYS_DENIED_DESTINATIONS)}")
    acls.append("acl has_request has request")
    acls += [line for tenant in conf.tenants for line in _tenant_acls(tenant)]
    return acls + _canary_acls(conf)


def _tenant_acls(tenant: TenantPlan) -> list[str]:
    name = tenant.port_name
    return [
        f"acl {name} {PORT_NAME_ACL} {name}",
        *_allowlist_acls(
            tenant, f"{name}-domains", f"{name}-nets", f"{name}-http-ports", f"{name}-tls-ports"
        ),
    ]


def _allowlist_acls(plan: ConfPlan | TenantPlan, domains: str, nets: str, http: str, tls: str) -> list[str]:
    """The ACLs of an allowlist (the shared port's or a tenant's), under the given names; a list
    left empty gets no ACL."""
    lines = []
    if plan.allowed_domains:
        lines.append(f"acl {domains} dstdomain -n {' '.join(plan.allowed_domains)}")
    if plan.allowed_destination_cidrs:
        lines.append(f"acl {nets} dst {' '.join(plan.allowed_destination_cidrs)}")
    if plan.http_ports:
        lines.append(f"acl {http} port {' '.join(map(str, plan.http_ports))}")
    if plan.tls_ports:
        lines.append(f"acl {tls} port {' '.join(map(str, plan.tls_ports))}")
    return lines


def _tenant_rules(tenant: TenantPlan) -> list[str]:
    """Every request on a tenant's port is decided here, by its own lists: the shared rules below
    never see it. Each allow names its destination ACL, so the rule reads as what it allows."""
    on = f"http_access deny {tenant.port_name}"
    allow = f"http_access allow {tenant.port_name} allowed_src"
    return [
        f"# Tenant {tenant.name}: its own port ({tenant.port}), its own destinations and ports.",
        f"{on} CONNECT !{tenant.port_name}-tls-ports" if tenant.tls_ports else f"{on} CONNECT",
        f"{on} !CONNECT !{tenant.port_name}-http-ports" if tenant.http_ports else f"{on} !CONNECT",
        f"{on} to_localhost",
        f"{on} denied_dst",
        *([f"{allow} {tenant.port_name}-domains"] if tenant.allowed_domains else []),
        *([f"{allow} {tenant.port_name}-nets"] if tenant.allowed_destination_cidrs else []),
        on,
    ]


def _canary_acls(conf: ConfPlan) -> list[str]:
    """The canary's ACLs: its echo host and port."""
    if conf.canary is None:
        return []
    return [f"acl canary_dst dstdomain -n {conf.canary.host}", f"acl canary_port port {conf.canary.port}"]


def _canary_rules(conf: ConfPlan) -> list[str]:
    """The canary's one allow rule (shared port: the tenant blocks above decided theirs)."""
    if conf.canary is None:
        return []
    method = "CONNECT" if conf.canary.tls else "!CONNECT"
    return [
        "# The egress canary's IP-echo destination (and only that host and port), by resolved address too.",
        f"http_access allow allowed_src {method} canary_dst canary_port !to_localhost !denied_dst",
    ]


def _access_rules(conf: ConfPlan) -> list[str]:
    dst_names = (["!allowed_domains"] if conf.allowed_domains else []) + (
        ["!allowed_nets"] if conf.allowed_destination_cidrs else []
    )
    return [
        "# The exporter's cache-manager requests go to :3128 itself, so these must come before the port rules.",
        "http_access allow localhost manager",
        "http_access deny manager",
        "http_access deny !allowed_src",
        *[line for tenant in conf.tenants for line in _tenant_rules(tenant)],
        *_canary_rules(conf),
        "http_access deny CONNECT !tls_ports" if conf.tls_ports else "http_access deny CONNECT",
        "http_access deny !CONNECT !http_ports" if conf.http_ports else "http_access deny !CONNECT",
        f"http_access deny {' '.join(dst_names)}",
        "# By resolved address: an allowlisted name that resolves to loopback or metadata is refused too.",
        "http_access deny to_localhost",
        "http_access deny denied_dst",
        "http_access allow allowed_src",
        "http_access deny all",
    ]


def _operation_lines(conf: ConfPlan) -> list[str]:
    return [
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
        f"shutdown_lifetime {conf.shutdown_lifetime_seconds} seconds",
        "",
        *_manager_password(conf),
        "# Tell third parties nothing about the clients or the proxy.",
        "httpd_suppress_version_string on",
        "via off",
        "forwarded_for delete",
        "# Not the pod's name in error pages and headers; and no lookup of it on the request path where",
        "# it does not resolve (2.5x the req/s then: docs/benchmarks.md, Squid section).",
        f"visible_hostname {VISIBLE_HOSTNAME}",
        "",
    ]


def _manager_password(conf: ConfPlan) -> list[str]:
    if conf.manager_password_file is None:
        return []
    return [
        f"# {MANAGER_PASSWORD_DIRECTIVE} <password> all, from a Secret mounted here: never in this ConfigMap.",
        f"include {conf.manager_password_file}",
        "",
    ]


def _http_ports(conf: ConfPlan) -> list[str]:
    # One port per tenant; `name=` is what its myportname ACL matches.
    return [f"http_port {PROXY_PORT}"] + [f"http_port {t.port} name={t.port_name}" for t in conf.tenants]


VISIBLE_HOSTNAME = "egress-proxy"
"""The name Squid gives itself in error pages and response headers, the same in every pod."""


def render(conf: ConfPlan) -> str:
    """The squid.conf text of a plan."""
    lines = [
        # The header keeps the path from before the package move: the text is in every stack's
        # ConfigMap and the pods' config checksum, so a new path would roll every Squid pod.
        "# Generated by traffic-edge (components/squid_conf.py): change the SquidProxy args, not this file.",
        "# Valid for Squid 7 (the image's series) and 5.7.",
        "",
        *_http_ports(conf),
        f"workers {conf.workers}",
        "",
        *_acls(conf),
        "",
        *_access_rules(conf),
        "",
        *_operation_lines(conf),
    ]
    return "\n".join(lines)


def render_squid_conf(args: SquidConfArgs | Mapping[str, Any]) -> str:
    """The squid.conf text for valid `args` (call `validate_squid_conf_args` first)."""
    return render(plan_squid_conf(args))
