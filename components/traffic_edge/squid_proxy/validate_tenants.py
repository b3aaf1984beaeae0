"""`tenants`: one proxy port per tenant, its own allowlist, reachable only from its own namespaces.

A tenant's name becomes a Service port name and a container port name (an IANA service name: at
most 15 characters), and its Squid port's `name=`; its destinations and ports follow the shared
allowlist's rules, checked by the same functions. A namespace belongs to one tenant at most and
not also to `client_namespaces`: NetworkPolicies only add, so a namespace in two places would
reach both ports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from traffic_edge._shared.checks import integer, is_list, label_list, required, unknown_keys, used_once
from traffic_edge._shared.problems import Path, Problem, conflict, invalid
from traffic_edge.squid_proxy.args import TENANT_KEYS
from traffic_edge.squid_proxy.facts import EXPORTER_PORT, PROXY_PORT
from traffic_edge.squid_proxy.squid_conf import destination_problems, port_problems

_SERVICE_PORT_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*(?<!-)$")
_NAME_RULE = (
    "a tenant name of 1-15 lowercase letters, digits and single '-', with at least one letter "
    "(it names the Service port), and not 'proxy' or 'metrics'"
)
_TAKEN_NAMES = ("proxy", "metrics")
_LOWEST_PORT = 1024  # Squid runs as uid 13 without capabilities: no privileged ports


def _name(value: object, at: Path) -> list[Problem]:
    ok = isinstance(value, str) and len(value) <= 15 and _SERVICE_PORT_NAME.match(value)
    return [] if ok and value not in _TAKEN_NAMES else [invalid(at, value, _NAME_RULE)]


def _port(value: object, at: Path) -> list[Problem]:
    rule = (
        f"an integer port from {_LOWEST_PORT} to 65535 other than {PROXY_PORT} and {EXPORTER_PORT}: "
        "Squid runs without privileges, and those two are the shared proxy's and the exporter's"
    )
    if integer(value, at, _LOWEST_PORT, 65535) or value in (PROXY_PORT, EXPORTER_PORT):
        return [invalid(at, value, rule)]
    return []


def _tenant(raw: object, at: Path) -> list[Problem]:
    if not isinstance(raw, Mapping):
        return [invalid(at, raw, "a map with name, port, client_namespaces and the tenant's destinations")]
    problems = unknown_keys(raw, TENANT_KEYS, at)
    problems += required(raw, "name", "the tenant's name, which names its port", at) or _name(
        raw["name"], at / "name"
    )
    problems += required(raw, "port", "the tenant's proxy port", at) or _port(raw["port"], at / "port")
    key = "client_namespaces"
    problems += required(raw, key, "the namespaces whose pods use this tenant's port", at) or label_list(
        raw[key], at / key, "namespace names", at_least=1
    )
    conf = {
        k: v
        for k, v in raw.items()
        if k in ("allowed_domains", "allowed_destination_cidrs", "http_ports", "tls_ports")
    }
    return problems + [p.within(at) for p in destination_problems(conf) + port_problems(conf)]


def _namespaces(args: Mapping[str, Any], tenants: list[Any]) -> list[Problem]:
    """Each namespace in one place: a tenant's, or the shared port's."""
    shared = args.get("client_namespaces")
    shared_set = set(shared) if is_list(shared) and all(isinstance(n, str) for n in shared) else set()
    uses: list[tuple[Path, object]] = []
    problems = []
    for i, t in enumerate(tenants):
        names = t.get("client_namespaces") if isinstance(t, Mapping) else None
        if not is_list(names):
            continue
        for j, n in enumerate(names):
            at = Path.of("tenants") / i / "client_namespaces" / j
            if isinstance(n, str) and n in shared_set:
                why = "NetworkPolicies only add: it would reach the shared port with the shared allowlist too"
                problems.append(conflict(at, n, "client_namespaces", why))
            uses.append((at, n))
    return problems + used_once(uses, "a namespace in one tenant")


def tenant_problems(args: Mapping[str, Any]) -> list[Problem]:
    """Every problem of `tenants`, one per bad value."""
    if "tenants" not in args:
        return []
    tenants, at = args["tenants"], Path.of("tenants")
    if not is_list(tenants):
        return [
            invalid(
                at,
                tenants,
                "a list of tenants, each a map with name, port, client_namespaces and its destinations",
            )
        ]
    problems = [p for i, t in enumerate(tenants) for p in _tenant(t, at / i)]
    maps = [(i, t) for i, t in enumerate(tenants) if isinstance(t, Mapping)]
    problems += used_once([(at / i / "name", t["name"]) for i, t in maps if "name" in t], "a tenant name")
    problems += used_once([(at / i / "port", t["port"]) for i, t in maps if "port" in t], "a port")
    return problems + _namespaces(args, list(tenants))
