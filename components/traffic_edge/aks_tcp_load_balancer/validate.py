"""Validation of `AksTcpLoadBalancerArgs`: every problem at once, in the one problem grammar.

`validate_aks_tcp_load_balancer_args` calls one small function per rule group. A group whose
input already has a problem reports nothing derived from it (a port's probe window is not
judged against a global interval that is itself wrong, the frontend-specific keys are not
judged while the frontend is unknown), and a default the user did not write is never judged
as if they had written it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from traffic_edge._shared import checks
from traffic_edge._shared.names import DNS1123_LABEL, is_int
from traffic_edge._shared.problems import MapKey, Path, Problem, conflict, invalid, missing
from traffic_edge.aks_tcp_load_balancer.args import (
    AksClusterRef,
    AksTcpLoadBalancerArgs,
    ExternalTrafficPolicy,
    HealthProbeMode,
    IpTagArgs,
    LoadBalancerFrontend,
    ProbeProtocol,
    PublicIpPrefixArgs,
    ServicePortArgs,
    SessionAffinity,
)
from traffic_edge.aks_tcp_load_balancer.facts import (
    ALLOWED_IP_RANGES,
    AZURE_ZONES,
    DENY_ALL_WITH_ALLOWED_IP_RANGES,
    DISABLE_TCP_RESET,
    DUAL_STACK,
    IDLE_TIMEOUT_RANGE,
    MIN_INTERVAL,
    MIN_THRESHOLD,
    PREFIX_LENGTHS,
    PROBE_WINDOW_LIMIT,
    PROVIDER_DEFAULT_INTERVAL,
    PROVIDER_DEFAULT_THRESHOLD,
    SHARED_PROBE_MODE,
    USER_PIP_TAGS_KEPT,
    Fix,
    ProviderVersion,
    Support,
)
from traffic_edge.aks_tcp_load_balancer.plan import PROBE_SETTINGS, shared_probe_support

E = TypeVar("E", bound=Enum)

_ARG_KEYS = tuple(AksTcpLoadBalancerArgs.__annotations__)
_PORT_KEYS = tuple(ServicePortArgs.__annotations__)
_CLUSTER_KEYS = tuple(AksClusterRef.__annotations__)
_PREFIX_KEYS = tuple(PublicIpPrefixArgs.__annotations__)
_IP_TAG_KEYS = tuple(IpTagArgs.__annotations__)
_ONLY_NEW_PIP = (
    "location",
    "zones",
    "dns_label",
    "public_ip_prefix",
    "public_ip_prefix_ipv6",
    "ip_tags",
    "public_ip_tags",
)
_ONLY_INTERNAL = ("internal_subnet", "internal_ip")
_ONLY_GRANT = ("cluster_principal_id", "aks_cluster", "subscription_id")
_SETTINGS = ("probe_interval_seconds", "probe_threshold")
"""The probe settings whose product is the probe window, globally and per port."""
_DEFAULTS = (PROVIDER_DEFAULT_INTERVAL, PROVIDER_DEFAULT_THRESHOLD)
_PROVIDER_DEFAULT = " (cloud-provider-azure's default)"

# Azure resource names (no other component names Azure resources, so these stay private).
_RESOURCE_GROUP = re.compile(r"^[-\w._()]*[-\w_()]$")
_PIP_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
_SUBNET_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
_CLUSTER_NAME = re.compile(r"^[A-Za-z0-9][-_A-Za-z0-9]*$")
_LOCATION = re.compile(r"^[a-z][a-z0-9]*$")
_PIP_DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
_PREFIX_ID = re.compile(
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+/providers/Microsoft\.Network/"
    r"publicIPPrefixes/[A-Za-z0-9][A-Za-z0-9_.-]*$",
    re.IGNORECASE,
)
_IP_TAG_TYPE = re.compile(r"^[A-Za-z]+$")
_IP_TAG = re.compile(r"^[^\s,]+$")
_SERVICE_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$")
_AZURE_TAG_NAME = re.compile(r"^[^<>%&\\?/]{1,512}$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_RESOURCE_GROUP_RULE = (
    "an Azure resource group name: 1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'"
)
_PORT_NAME_RULE = "an IANA service name: lower-case letters, digits and '-', at most 15 characters"
_POD_PORT_NAME_RULE = (
    "the name of a pod's port: an IANA service name of at most 15 lower-case letters, digits and '-', "
    "with at least one letter and no '--'"
)


NAMES = (checks.Derived("{}-pip", "the default public IP name", 80),)
"""The names made from the resource name; Azure allows public IP names of 80 characters."""


def validate_aks_tcp_load_balancer_args(args: Mapping[str, Any], name: str | None = None) -> list[Problem]:
    """Every problem in `args` (and the resource `name`); an empty list means
    `plan_aks_tcp_load_balancer` will succeed."""
    ranges = _source_ranges(args)
    return [
        *([] if name is None else checks.component_name(name, "name", NAMES, service=False)),
        *checks.unknown_keys(args, _ARG_KEYS),
        *_service(args),
        *_network_resource_group(args),
        *_traffic(args),
        *_frontend(args),
        *_global_probes(args),
        *_ports(args),
        *_idle_timeout(args),
        *_tcp_reset(args),
        *ranges,
        *_service_tags(args),
        *_deny_all_except(args, ranges_bad=bool(ranges)),
        *_versions(args),
        *_identity(args),
    ]


# --- helpers -----------------------------------------------------------------------------------


def _member(enum: type[E], value: object) -> E | None:
    """The member `value` names (as the enum itself reads it), or None."""
    try:
        return enum(value)
    except (ValueError, TypeError):
        return None


def _option(args: Mapping[str, Any], key: str, enum: type[E], default: E) -> E | None:
    """The member `key` selects (its default when unset), or None when the value is no member."""
    return _member(enum, args[key]) if key in args else default


def _named(value: object, at: Path | str, pattern: re.Pattern[str], max_len: int, rule: str) -> list[Problem]:
    ok = isinstance(value, str) and len(value) <= max_len and pattern.match(value) is not None
    return [] if ok else [invalid(at, value, rule)]


def _is_default(args: Mapping[str, Any], key: str) -> str:
    return "" if key in args else " (the default)"


# --- the Service -------------------------------------------------------------------------------


def _service(args: Mapping[str, Any]) -> list[Problem]:
    """Name, namespace and selector of the Service."""
    problems = checks.required(args, "service_name", "the name of the LoadBalancer Service") or (
        checks.service_name(args["service_name"], "service_name")
    )
    namespace = checks.required(
        args, "namespace", "the namespace of the Service and of the workload it selects"
    )
    problems += namespace or checks.dns_label(args["namespace"], "namespace")
    if "create_namespace" in args:
        problems += checks.boolean(args["create_namespace"], "create_namespace")
    selector = checks.required(
        args,
        "selector",
        "the pod labels of the TCP server the Service sends traffic to, like {'app': 'kimmap-backend'}",
    )
    return problems + (selector or checks.labels(args["selector"], "selector", at_least=1))


def _network_resource_group(args: Mapping[str, Any]) -> list[Problem]:
    what_for = (
        "the resource group of the public IP (or, for an internal load balancer, of the virtual network); "
        "the cluster's control-plane identity gets Network Contributor on it"
    )
    return checks.required(args, "network_resource_group", what_for) or _named(
        args["network_resource_group"], "network_resource_group", _RESOURCE_GROUP, 90, _RESOURCE_GROUP_RULE
    )


def _traffic(args: Mapping[str, Any]) -> list[Problem]:
    """The Service's externalTrafficPolicy and sessionAffinity."""
    problems: list[Problem] = []
    if "external_traffic_policy" in args:
        problems += checks.one_of(
            args["external_traffic_policy"], ExternalTrafficPolicy, "external_traffic_policy"
        )
    if "session_affinity" in args:
        problems += checks.one_of(args["session_affinity"], SessionAffinity, "session_affinity")
    return problems + _probe_mode(args)


def _probe_mode(args: Mapping[str, Any]) -> list[Problem]:
    """The cluster's health-probe mode: a value the provider knows, on a provider that has it."""
    if "health_probe_mode" not in args:
        return []
    value = args["health_probe_mode"]
    mode = _member(HealthProbeMode, value)
    if mode is None:
        rule = "one of " + ", ".join(repr(m.value) for m in HealthProbeMode) + ", in any case"
        return [invalid("health_probe_mode", value, rule)]
    if mode is not HealthProbeMode.SHARED:
        return []
    lacks = "has no shared health-probe mode, so the cluster cannot be in it"
    return _needs(args, "health_probe_mode", SHARED_PROBE_MODE, lacks)


def _shared_probe(args: Mapping[str, Any]) -> str | None:
    """Why this Service's probe settings would be ignored (the cluster's shared probe replaces its
    own), or None when they apply or that is not certain (a bad or only partly known input)."""
    mode = _option(args, "health_probe_mode", HealthProbeMode, HealthProbeMode.SERVICE_NODE_PORT)
    policy = _option(args, "external_traffic_policy", ExternalTrafficPolicy, ExternalTrafficPolicy.CLUSTER)
    found = _version(args)
    if mode is None or policy is None or found is None:
        return None
    if shared_probe_support(mode, policy, found[1]) is not Support.YES:
        return None
    return (
        f"with health_probe_mode 'shared' and external_traffic_policy 'Cluster'"
        f"{_is_default(args, 'external_traffic_policy')}, {found[1].describe()} builds no health probe for "
        "this Service: the load balancer uses the cluster's one shared probe of kube-proxy (HTTP /healthz, "
        f"{PROVIDER_DEFAULT_INTERVAL} s x {PROVIDER_DEFAULT_THRESHOLD} probes, fixed), so it would be ignored"
    )


def _ignored(spec: Mapping[str, Any], keys: tuple[str, ...], at: Path | str, why: str) -> list[Problem]:
    base = Path.of(at)
    return [conflict(base / key, spec[key], "health_probe_mode", why) for key in keys if key in spec]


# --- the frontend: a new or adopted public IP, or an internal load balancer ---------------------


def _frontend(args: Mapping[str, Any]) -> list[Problem]:
    if "frontend" in args and (problems := checks.one_of(args["frontend"], LoadBalancerFrontend, "frontend")):
        return problems  # every other frontend rule depends on which frontend it is
    frontend = LoadBalancerFrontend(args.get("frontend", LoadBalancerFrontend.NEW_PUBLIC_IP))
    problems = _public_ip_name(args, frontend) + _misplaced(args, frontend) + _dual_stack(args, frontend)
    if frontend is LoadBalancerFrontend.NEW_PUBLIC_IP:
        problems += _new_public_ip(args) + _new_public_ip_extras(args)
    if frontend is LoadBalancerFrontend.INTERNAL:
        problems += _internal(args)
    return problems


def _dual_stack(args: Mapping[str, Any], frontend: LoadBalancerFrontend) -> list[Problem]:
    """dual_stack on a provider that has it; the IPv6 public IP's name exactly when one is used."""
    if "dual_stack" in args and (problems := checks.boolean(args["dual_stack"], "dual_stack")):
        return problems  # whether the IPv6 keys apply is unknown
    dual = args.get("dual_stack", False)
    ipv6_keys = [k for k in ("public_ip_name_ipv6", "public_ip_prefix_ipv6") if k in args]
    if not dual:
        why = f"only a dual-stack Service has an IPv6 frontend, and dual_stack is false{_is_default(args, 'dual_stack')}"
        return [conflict(k, args[k], "dual_stack", why) for k in ipv6_keys]
    problems = _needs(
        args, "dual_stack", DUAL_STACK, "has no dual-stack load balancer (no azure-pip-name-ipv6)"
    )
    problems += _public_ip_name(args, frontend, "public_ip_name_ipv6", "IPv6 public IP")
    if frontend is LoadBalancerFrontend.INTERNAL:
        return problems
    if args.get("public_ip_name_ipv6") is not None and args.get("public_ip_name_ipv6") == args.get(
        "public_ip_name"
    ):
        why = "the IPv4 and the IPv6 frontend each need their own public IP"
        problems.append(conflict("public_ip_name_ipv6", args["public_ip_name_ipv6"], "public_ip_name", why))
    return problems


def _needs(args: Mapping[str, Any], key: str, fix: Fix, lacks: str) -> list[Problem]:
    """`key` (set) conflicts with the version key when that provider version lacks `fix`."""
    found = _version(args)
    if found is None or fix.support(found[1]) is not Support.NO:
        return []
    version_key, version = found
    why = f"{version.describe()} {lacks}; it needs {fix.describe()} or later"
    return [conflict(key, args[key], version_key, why)]


def _new_public_ip_extras(args: Mapping[str, Any]) -> list[Problem]:
    """The prefixes, IP tags and resource tags of the public IPs the component creates."""
    problems: list[Problem] = []
    for key, family in (("public_ip_prefix", "IPv4"), ("public_ip_prefix_ipv6", "IPv6")):
        if key in args:
            problems += _prefix(args[key], key, family)
    if "ip_tags" in args:
        problems += _ip_tags(args["ip_tags"])
    if "public_ip_tags" in args:
        problems += _azure_tags(args["public_ip_tags"]) or _needs(
            args,
            "public_ip_tags",
            USER_PIP_TAGS_KEPT,
            "re-tags a public IP named by azure-pip-name with the cluster's tags on every sync, "
            "so the tags set here would not stay as set",
        )
    return problems


def _prefix(value: object, key: str, family: str) -> list[Problem]:
    """A prefix to adopt by id, or to create from name and length, never both."""
    at = Path.of(key)
    if not isinstance(value, Mapping):
        return [
            invalid(at, value, "a map with the id of a public IP prefix, or the name and length of a new one")
        ]
    problems = checks.unknown_keys(value, _PREFIX_KEYS, at)
    if "id" in value:
        if "name" in value or "length" in value:
            other = "name" if "name" in value else "length"
            why = "a prefix is either adopted by id or created from name and length"
            return [*problems, conflict(at / other, value[other], at / "id", why)]
        rule = (
            "the ARM ID of a public IP prefix, like '/subscriptions/<id>/resourceGroups/<group>/providers/"
            "Microsoft.Network/publicIPPrefixes/<name>'"
        )
        ok = isinstance(value["id"], str) and _PREFIX_ID.match(value["id"]) is not None
        return problems + ([] if ok else [invalid(at / "id", value["id"], rule)])
    if "name" not in value and "length" not in value:
        return [*problems, missing(at / "id", "the prefix to adopt (or name and length to create one)")]
    rule = "a public IP prefix name: 1-80 letters, digits, '_', '.' and '-', starting with a letter or digit"
    problems += checks.required(value, "name", "the name of the public IP prefix to create", at) or _named(
        value["name"], at / "name", _PIP_NAME, 80, rule
    )
    low, high = PREFIX_LENGTHS[family]
    if "length" not in value:
        return [*problems, missing(at / "length", f"the {family} prefix length, {low}-{high}")]
    found = checks.integer(value["length"], at / "length", low, high)
    return problems + checks.because(found, f"the {family} prefix lengths Azure offers, 16 to 2 addresses")


def _ip_tags(value: object) -> list[Problem]:
    if not checks.is_list(value) or not value:
        return [
            invalid("ip_tags", value, "a list of at least one IP tag, each a map with ip_tag_type and tag")
        ]
    problems: list[Problem] = []
    for i, tag in enumerate(value):
        at = Path.of("ip_tags") / i
        if not isinstance(tag, Mapping):
            problems.append(invalid(at, tag, "an IP tag: a map with ip_tag_type and tag"))
            continue
        problems += checks.unknown_keys(tag, _IP_TAG_KEYS, at)
        problems += checks.required(
            tag, "ip_tag_type", "the IP tag's type, like 'RoutingPreference'", at
        ) or _named(
            tag["ip_tag_type"],
            at / "ip_tag_type",
            _IP_TAG_TYPE,
            64,
            "an IP tag type: letters only, like 'FirstPartyUsage'",
        )
        problems += checks.required(tag, "tag", "the IP tag's value, like 'Internet'", at) or _named(
            tag["tag"], at / "tag", _IP_TAG, 256, "an IP tag value without spaces or commas, like '/Sql'"
        )
    if problems:
        return problems
    return checks.distinct([(t["ip_tag_type"], t["tag"]) for t in value], "ip_tags")


def _azure_tags(value: object) -> list[Problem]:
    if not isinstance(value, Mapping) or not value:
        return [invalid("public_ip_tags", value, "a map of at least one Azure tag name to its value")]
    problems: list[Problem] = []
    for name, tag_value in value.items():
        at = Path.of("public_ip_tags") / MapKey(str(name))
        if not isinstance(name, str) or _AZURE_TAG_NAME.match(name) is None:
            problems.append(
                invalid(
                    at,
                    name,
                    "an Azure tag name: 1-512 characters, none of '<', '>', '%', '&', '\\', '?', '/'",
                )
            )
        elif not isinstance(tag_value, str) or len(tag_value) > 256:
            problems.append(invalid(at, tag_value, "an Azure tag value: a string of at most 256 characters"))
    return problems


def _public_ip_name(
    args: Mapping[str, Any],
    frontend: LoadBalancerFrontend,
    key: str = "public_ip_name",
    ip: str = "public IP",
) -> list[Problem]:
    """The name of the frontend's public IP (`key`, the `ip`) when it has one; none when internal."""
    if frontend is LoadBalancerFrontend.INTERNAL:
        if key not in args:
            return []
        return [conflict(key, args[key], "frontend", "an internal load balancer has no public IP")]
    what_for = (
        f"the name of the {ip} to create"
        if frontend is LoadBalancerFrontend.NEW_PUBLIC_IP
        else f"the name of the existing {ip} to adopt, in network_resource_group"
    )
    rule = "a public IP name: 1-80 letters, digits, '_', '.' and '-', starting with a letter or digit"
    return checks.required(args, key, what_for) or _named(args[key], key, _PIP_NAME, 80, rule)


def _misplaced(args: Mapping[str, Any], frontend: LoadBalancerFrontend) -> list[Problem]:
    """Keys of another frontend: rejected rather than silently ignored."""
    now = f"frontend is {frontend.value!r}{_is_default(args, 'frontend')}"
    problems = []
    if frontend is not LoadBalancerFrontend.NEW_PUBLIC_IP:
        why = f"it configures the public IP that only frontend 'NewPublicIp' creates, and {now}"
        problems += [conflict(key, args[key], "frontend", why) for key in _ONLY_NEW_PIP if key in args]
    if frontend is not LoadBalancerFrontend.INTERNAL:
        why = f"it configures the internal load balancer that only frontend 'Internal' makes, and {now}"
        problems += [conflict(key, args[key], "frontend", why) for key in _ONLY_INTERNAL if key in args]
    return problems


def _new_public_ip(args: Mapping[str, Any]) -> list[Problem]:
    problems = checks.required(
        args, "location", "the Azure region of the new public IP: the cluster's region, like 'koreacentral'"
    ) or _named(
        args["location"], "location", _LOCATION, 40, "an Azure region name in lower case, like 'koreacentral'"
    )
    if "zones" in args:
        problems += _zones(args["zones"])
    if "dns_label" in args:
        rule = (
            "a DNS label: 3-63 lower-case letters, digits and '-', starting with a letter, not ending in '-'"
        )
        problems += _named(args["dns_label"], "dns_label", _PIP_DNS_LABEL, 63, rule)
    return problems


def _zones(zones: object) -> list[Problem]:
    if not checks.is_list(zones):
        return [
            invalid(
                "zones",
                zones,
                "a list of availability zones from '1', '2', '3', or [] for a region without zones",
            )
        ]
    problems = [
        invalid(Path.of("zones") / i, zone, "an availability zone: '1', '2' or '3'")
        for i, zone in enumerate(zones)
        if zone not in AZURE_ZONES
    ]
    bad = {p.path for p in problems}
    return problems + [p for p in checks.distinct(zones, "zones") if p.path not in bad]


def _internal(args: Mapping[str, Any]) -> list[Problem]:
    problems = []
    if "internal_subnet" in args:
        rule = "a subnet name (not its ID): 1-80 letters, digits, '_', '.' and '-'"
        problems += _named(args["internal_subnet"], "internal_subnet", _SUBNET_NAME, 80, rule)
    if "internal_ip" in args and not _private_ipv4(args["internal_ip"]):
        problems.append(
            invalid("internal_ip", args["internal_ip"], "a private IPv4 address in the internal subnet")
        )
    return problems


def _private_ipv4(value: object) -> bool:
    try:
        return isinstance(value, str) and ipaddress.IPv4Address(value).is_private
    except ValueError:
        return False


# --- ports -------------------------------------------------------------------------------------


def _ports(args: Mapping[str, Any]) -> list[Problem]:
    ports = args.get("ports")
    if ports is None:
        return [missing("ports", "the TCP ports of the Service, each sent to a port of the selected pods")]
    if not checks.is_list(ports) or not ports:
        rule = "a list of at least one port, each a map with name, port and target_port or target_port_name"
        return [invalid("ports", ports, rule)]
    policy = _option(args, "external_traffic_policy", ExternalTrafficPolicy, ExternalTrafficPolicy.CLUSTER)
    shared = _shared_probe(args)
    problems: list[Problem] = []
    first: dict[tuple[str, object], Path] = {}
    for i, port in enumerate(ports):
        at = Path.of("ports") / i
        if not isinstance(port, Mapping):
            problems.append(
                invalid(at, port, "a port: a map with name, port and target_port or target_port_name")
            )
            continue
        problems += checks.unknown_keys(port, _PORT_KEYS, at)
        problems += _port_name(port, at) + _port_number(port, at) + _repeats(port, at, first)
        problems += _target(port, at)
        if shared is not None:  # the values would be dropped: only that is reported
            problems += _ignored(port, PROBE_SETTINGS, at, shared)
            continue
        problems += _probe(port, at)
        if policy is ExternalTrafficPolicy.CLUSTER:  # Local ignores per-port probe settings
            problems += _port_window(args, port, at)
    return problems


def _port_name(port: Mapping[str, Any], at: Path) -> list[Problem]:
    return checks.required(port, "name", "the name of the Service port, like 'tcp-client'", at) or _named(
        port["name"], at / "name", DNS1123_LABEL, 15, _PORT_NAME_RULE
    )


def _port_number(port: Mapping[str, Any], at: Path) -> list[Problem]:
    return checks.required(port, "port", "the port the load balancer listens on", at) or checks.port(
        port["port"], at / "port"
    )


def _repeats(port: Mapping[str, Any], at: Path, first: dict[tuple[str, object], Path]) -> list[Problem]:
    """A port number or name used by an earlier port; `first` remembers where each was used."""
    problems = []
    for key, what, ok in (
        ("port", "a port number", is_int(port.get("port"))),
        ("name", "a port name", isinstance(port.get("name"), str)),
    ):
        if not ok:
            continue
        seen = first.setdefault((key, port[key]), at / key)
        if seen != at / key:
            problems.append(invalid(at / key, port[key], f"{what} listed once; it repeats {seen}"))
    return problems


def _target(port: Mapping[str, Any], at: Path) -> list[Problem]:
    """Exactly one of target_port (a number) and target_port_name: the schema other languages get
    has no int-or-string type, so Kubernetes' IntOrString targetPort is two typed keys."""
    has_number, has_name = "target_port" in port, "target_port_name" in port
    if not has_number and not has_name:
        what_for = (
            "the pod's port number the Service sends to (or target_port_name: the name of the pod's port)"
        )
        return [missing(at / "target_port", what_for)]
    problems = []
    if has_number and isinstance(port["target_port"], str):
        rule = f"{checks.PORT_RULE}; a named pod port goes in target_port_name"
        problems.append(invalid(at / "target_port", port["target_port"], rule))
    elif has_number:
        problems += checks.port(port["target_port"], at / "target_port")
    if has_number and has_name:
        why = "a Service port sends to one pod port, by number or by name"
        problems.append(conflict(at / "target_port_name", port["target_port_name"], at / "target_port", why))
    if has_name and not _pod_port_name(port["target_port_name"]):
        problems.append(invalid(at / "target_port_name", port["target_port_name"], _POD_PORT_NAME_RULE))
    return problems


def _pod_port_name(name: object) -> bool:
    """Kubernetes' IsValidPortName: an IANA_SVC_NAME with at least one letter and no '--'."""
    return (
        isinstance(name, str)
        and len(name) <= 15
        and DNS1123_LABEL.match(name) is not None
        and re.search("[a-z]", name) is not None
        and "--" not in name
    )


def _probe(port: Mapping[str, Any], at: Path) -> list[Problem]:
    """The port's probe protocol, request path and numbers."""
    problems: list[Problem] = []
    protocol: ProbeProtocol | None = ProbeProtocol.TCP
    if "probe_protocol" in port:
        protocol = _member(ProbeProtocol, port["probe_protocol"])
        if protocol is None:
            rule = "one of " + ", ".join(repr(m.value) for m in ProbeProtocol) + ", in any case"
            problems.append(invalid(at / "probe_protocol", port["probe_protocol"], rule))
    if "probe_request_path" in port:
        problems += _request_path(port, at, protocol)
    return problems + _probe_numbers(port, at)


def _request_path(port: Mapping[str, Any], at: Path, protocol: ProbeProtocol | None) -> list[Problem]:
    path = port["probe_request_path"]
    if protocol is ProbeProtocol.TCP:
        why = (
            "a Tcp probe only connects, so a request path needs 'Http' or 'Https'; "
            f"probe_protocol is 'Tcp'{_is_default(port, 'probe_protocol')}"
        )
        return [conflict(at / "probe_request_path", path, at / "probe_protocol", why)]
    if not isinstance(path, str) or not path.startswith("/") or any(c.isspace() for c in path):
        return [invalid(at / "probe_request_path", path, "an absolute path without spaces, like '/healthz'")]
    return []


# --- probe numbers and the probe window --------------------------------------------------------


def _probe_numbers(spec: Mapping[str, Any], at: Path | str = "") -> list[Problem]:
    base = Path.of(at)
    problems: list[Problem] = []
    if "probe_interval_seconds" in spec:
        found = checks.integer(spec["probe_interval_seconds"], base / "probe_interval_seconds", MIN_INTERVAL)
        problems += checks.because(found, "cloud-provider-azure's shortest probe interval, in seconds")
    if "probe_threshold" in spec:
        found = checks.integer(spec["probe_threshold"], base / "probe_threshold", MIN_THRESHOLD)
        problems += checks.because(found, "cloud-provider-azure rejects fewer probes")
    return problems


def _setting(spec: Mapping[str, Any], key: str) -> int | None:
    """`key` of `spec` if it is set and valid (a problem of its own otherwise), else None."""
    value = spec.get(key)
    least = MIN_INTERVAL if key == _SETTINGS[0] else MIN_THRESHOLD
    return value if is_int(value) and value >= least else None


def _broken(spec: Mapping[str, Any], key: str) -> bool:
    return key in spec and _setting(spec, key) is None


def _global_probes(args: Mapping[str, Any]) -> list[Problem]:
    """The global interval and threshold, and the window they make (with the provider's defaults)."""
    if (shared := _shared_probe(args)) is not None:
        return _ignored(args, _SETTINGS, "", shared)
    problems = _probe_numbers(args)
    given = [k for k in _SETTINGS if k in args]
    if problems or not given:
        return problems
    interval, threshold = (
        (args[key], "") if key in args else (default, _PROVIDER_DEFAULT)
        for key, default in zip(_SETTINGS, _DEFAULTS, strict=True)
    )
    return _window(Path.of(given[-1]), interval, threshold)


def _port_window(args: Mapping[str, Any], port: Mapping[str, Any], at: Path) -> list[Problem]:
    """A port that overrides the interval or the threshold makes its own window with the rest."""
    given = [k for k in _SETTINGS if k in port]
    if not given or any(_broken(port, k) or (k not in port and _broken(args, k)) for k in _SETTINGS):
        return []
    interval, threshold = (
        (port[key], "")
        if key in port
        else (args[key], f" ({key})")
        if key in args
        else (default, _PROVIDER_DEFAULT)
        for key, default in zip(_SETTINGS, _DEFAULTS, strict=True)
    )
    return _window(at / given[-1], interval, threshold)


def _window(key: Path, interval: tuple[int, str], threshold: tuple[int, str]) -> list[Problem]:
    """interval x threshold must stay below the provider's limit; the problem names what fits."""
    (seconds, seconds_from), (count, count_from) = interval, threshold
    if seconds * count < PROBE_WINDOW_LIMIT:
        return []
    max_count, max_seconds = (PROBE_WINDOW_LIMIT - 1) // seconds, (PROBE_WINDOW_LIMIT - 1) // count
    fits = {
        "probe_threshold": f"a threshold of at most {max_count}" if max_count >= MIN_THRESHOLD else None,
        "probe_interval_seconds": f"an interval of at most {max_seconds} s"
        if max_seconds >= MIN_INTERVAL
        else None,
    }
    own = fits.pop(str(key.leaf))
    other = next(iter(fits.values()))
    options = [o for o in (own, other) if o is not None]
    if len(options) == 2:
        allowed = f"{options[0]} (or {options[1]})"
    else:
        allowed = (
            options[0]
            if options
            else f"an interval and a threshold whose product is below {PROBE_WINDOW_LIMIT} s"
        )
    why = (
        f"cloud-provider-azure rejects a probe window (interval x threshold) of {PROBE_WINDOW_LIMIT} s or more, "
        f"and {seconds} s{seconds_from} x {count}{count_from} = {seconds * count} s"
    )
    value = seconds if key.leaf == "probe_interval_seconds" else count
    return [invalid(key, value, f"{allowed}: {why}")]


# --- idle timeout, client ranges -----------------------------------------------------------------


def _idle_timeout(args: Mapping[str, Any]) -> list[Problem]:
    if "tcp_idle_timeout_minutes" not in args:
        return []
    low, high = IDLE_TIMEOUT_RANGE
    found = checks.integer(args["tcp_idle_timeout_minutes"], "tcp_idle_timeout_minutes", low, high)
    return checks.because(found, "the minutes cloud-provider-azure accepts")


def _tcp_reset(args: Mapping[str, Any]) -> list[Problem]:
    """disable_tcp_reset true on a provider that ignores it is an error; on one known only by its
    minor, `version_warnings` says it may have no effect."""
    if "disable_tcp_reset" not in args:
        return []
    if problems := checks.boolean(args["disable_tcp_reset"], "disable_tcp_reset"):
        return problems
    if not args["disable_tcp_reset"]:
        return []
    lacks = "ignores it and keeps TCP reset on for every TCP rule of a Standard load balancer"
    return _needs(args, "disable_tcp_reset", DISABLE_TCP_RESET, lacks)


def _source_ranges(args: Mapping[str, Any]) -> list[Problem]:
    """Who may connect: spec.loadBalancerSourceRanges or azure-allowed-ip-ranges, never both."""
    problems: list[Problem] = []
    if "load_balancer_source_ranges" in args and "allowed_ip_ranges" in args:
        why = "cloud-provider-azure rejects a Service that sets both: keep one"
        problems.append(
            conflict("allowed_ip_ranges", args["allowed_ip_ranges"], "load_balancer_source_ranges", why)
        )
    if "load_balancer_source_ranges" in args:
        problems += _client_networks(args, "load_balancer_source_ranges")
    if "allowed_ip_ranges" in args:
        ranges = _client_networks(args, "allowed_ip_ranges")
        problems += ranges or _allowed_ranges_honoured(args)
    return problems


def _client_networks(args: Mapping[str, Any], key: str) -> list[Problem]:
    """A non-empty list of distinct networks: IPv4 only, unless the Service is dual-stack."""
    values = args[key]
    problems = checks.cidr_list(values, key, what="client networks", at_least=1)
    if (
        args.get("dual_stack") is True
        or not checks.is_list(values)
        or any(p.path == Path.of(key) for p in problems)
    ):
        return problems
    rule = "an IPv4 network: the load balancer's frontend is IPv4 unless dual_stack is true"
    for i, raw in enumerate(values):
        net = checks.network(raw)
        if net is not None and net.version == 6:
            problems.append(invalid(Path.of(key) / i, raw, rule))
    return sorted(problems, key=lambda p: p.path.parts[1] if len(p.path.parts) > 1 else -1)


def _service_tags(args: Mapping[str, Any]) -> list[Problem]:
    """Service tags the NSG lets in; never with spec.loadBalancerSourceRanges, which kube-proxy also enforces."""
    if "allowed_service_tags" not in args:
        return []
    tags = args["allowed_service_tags"]
    if not checks.is_list(tags) or not tags:
        return [
            invalid(
                "allowed_service_tags",
                tags,
                "a list of at least one Azure service tag, like ['AzureFrontDoor.Backend']",
            )
        ]
    rule = "an Azure service tag: letters and digits, optionally '.'-separated parts, like 'AzureCloud.koreacentral'"
    problems = [
        invalid(Path.of("allowed_service_tags") / i, tag, rule)
        for i, tag in enumerate(tags)
        if not isinstance(tag, str) or _SERVICE_TAG.match(tag) is None
    ]
    problems = problems or checks.distinct(tags, "allowed_service_tags")
    if "load_balancer_source_ranges" in args:
        why = (
            "kube-proxy also enforces load_balancer_source_ranges and would drop the tags' sources the NSG lets in; "
            "give the networks as allowed_ip_ranges instead"
        )
        problems.append(conflict("allowed_service_tags", tags, "load_balancer_source_ranges", why))
    return problems


def _deny_all_except(args: Mapping[str, Any], ranges_bad: bool) -> list[Problem]:
    """The deny-all rule needs networks to except, and allowed_ip_ranges count only on a provider that counts
    them (`ranges_bad`: the source ranges already have problems of their own)."""
    if "deny_all_except_source_ranges" not in args:
        return []
    value = args["deny_all_except_source_ranges"]
    if (problems := checks.boolean(value, "deny_all_except_source_ranges")) or not value:
        return problems
    if "load_balancer_source_ranges" not in args and "allowed_ip_ranges" not in args:
        rule = (
            "false unless load_balancer_source_ranges or allowed_ip_ranges is set: cloud-provider-azure adds the "
            "deny rule only for one of them (allowed_service_tags do not count)"
        )
        return [invalid("deny_all_except_source_ranges", value, rule)]
    if "load_balancer_source_ranges" in args or ranges_bad:
        return []  # honoured everywhere, or allowed_ip_ranges already has a problem of its own
    return _needs(
        args,
        "deny_all_except_source_ranges",
        DENY_ALL_WITH_ALLOWED_IP_RANGES,
        "adds the deny rule only for load_balancer_source_ranges, not for allowed_ip_ranges, so every other "
        "source in the virtual network would stay allowed",
    )


def _allowed_ranges_honoured(args: Mapping[str, Any]) -> list[Problem]:
    """An ignored allow-list would leave the Service open to every address: an error, not a warning."""
    found = _version(args)
    if found is None:
        return []
    key, version = found
    support = ALLOWED_IP_RANGES.support(version)
    if support is Support.YES:
        return []
    ignores = "may ignore it" if support is Support.UNKNOWN else "ignores it"
    why = (
        f"{version.describe()} {ignores}, which would leave the Service open to every address; it needs "
        f"{ALLOWED_IP_RANGES.describe()} or later"
        + (" (set cloud_provider_version to show the patch)" if support is Support.UNKNOWN else "")
        + ", and load_balancer_source_ranges works on every version"
    )
    return [conflict("allowed_ip_ranges", args["allowed_ip_ranges"], key, why)]


# --- versions ------------------------------------------------------------------------------------


def _versions(args: Mapping[str, Any]) -> list[Problem]:
    problems = []
    if "cloud_provider_version" in args and _version(args) is None:
        rule = "a 1.x cloud-provider-azure version with its patch, like '1.29.4'"
        problems.append(invalid("cloud_provider_version", args["cloud_provider_version"], rule))
    if (
        "kubernetes_version" in args
        and ProviderVersion.parse(args["kubernetes_version"], exact=False) is None
    ):
        rule = "a 1.x AKS Kubernetes version, like '1.29' or '1.29.4'"
        problems.append(invalid("kubernetes_version", args["kubernetes_version"], rule))
    if "cloud_provider_version" not in args and "kubernetes_version" not in args:
        what_for = (
            "the AKS Kubernetes version (or cloud_provider_version): which annotations cloud-provider-azure "
            "honours depends on it"
        )
        problems.append(missing("kubernetes_version", what_for))
    return problems


def _version(args: Mapping[str, Any]) -> tuple[str, ProviderVersion] | None:
    """The key that decides the provider version and that version, or None if it does not parse."""
    key = "cloud_provider_version" if "cloud_provider_version" in args else "kubernetes_version"
    if key not in args:
        return None
    version = ProviderVersion.parse(args[key], exact=key == "cloud_provider_version")
    return None if version is None else (key, version)


# --- the cluster identity and its role assignment ---------------------------------------------------


def _identity(args: Mapping[str, Any]) -> list[Problem]:
    if "grant_network_contributor" in args:
        if problems := checks.boolean(args["grant_network_contributor"], "grant_network_contributor"):
            return problems  # whether the identity keys apply is unknown
        if not args["grant_network_contributor"]:
            why = "it only serves the Network Contributor role assignment, which grant_network_contributor false turns off"
            return [conflict(k, args[k], "grant_network_contributor", why) for k in _ONLY_GRANT if k in args]
    return _principal(args) + _aks_cluster(args) + _subscription(args)


def _principal(args: Mapping[str, Any]) -> list[Problem]:
    has_principal, has_cluster = "cluster_principal_id" in args, "aks_cluster" in args
    if has_principal and has_cluster:
        why = "the control-plane identity comes from one place: its principal ID, or the cluster to look it up in"
        return [conflict("aks_cluster", args["aks_cluster"], "cluster_principal_id", why)]
    if not has_principal and not has_cluster:
        what_for = (
            "the principal ID of the cluster's control-plane identity, which gets Network Contributor "
            "(or aks_cluster to look it up, or grant_network_contributor false)"
        )
        return [missing("cluster_principal_id", what_for)]
    principal = args.get("cluster_principal_id")
    if isinstance(principal, str) and not _GUID.match(principal):  # an Output is checked by Azure
        rule = "the identity's principal (object) ID, a GUID; not its client ID or resource ID"
        return [invalid("cluster_principal_id", principal, rule)]
    return []


def _aks_cluster(args: Mapping[str, Any]) -> list[Problem]:
    if "aks_cluster" not in args or "cluster_principal_id" in args:
        return []
    cluster = args["aks_cluster"]
    if not isinstance(cluster, Mapping):
        return [invalid("aks_cluster", cluster, "a map with the AKS cluster's name and resource_group_name")]
    name_rule = "an AKS cluster name: 1-63 letters, digits, '-' and '_', starting with a letter or digit"
    name = checks.required(cluster, "name", "the AKS managed cluster's name", "aks_cluster") or _named(
        cluster["name"], "aks_cluster.name", _CLUSTER_NAME, 63, name_rule
    )
    group_for = "the resource group of the managed cluster (not its node resource group)"
    group = checks.required(cluster, "resource_group_name", group_for, "aks_cluster") or _named(
        cluster["resource_group_name"],
        "aks_cluster.resource_group_name",
        _RESOURCE_GROUP,
        90,
        _RESOURCE_GROUP_RULE,
    )
    return checks.unknown_keys(cluster, _CLUSTER_KEYS, "aks_cluster") + name + group


def _subscription(args: Mapping[str, Any]) -> list[Problem]:
    subscription = args.get("subscription_id")
    if isinstance(subscription, str) and not _GUID.match(subscription):
        rule = "a subscription ID: a GUID like '00000000-0000-0000-0000-000000000000'"
        return [invalid("subscription_id", subscription, rule)]
    return []
