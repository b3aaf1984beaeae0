"""Pure planning for `AksTcpLoadBalancer`: args, validation, cloud-provider-azure annotations,
the Service manifest and the version-awareness warnings.

Nothing here touches Pulumi's engine: `validate_aks_tcp_load_balancer_args` returns every
problem at once, `plan_service` turns valid args into the exact annotations and manifest the
component registers plus the warnings it logs. Facts behind the numbers (annotation names,
version boundaries, limits) come from cloud-provider-azure's code and the AKS docs; each
constant says where its boundary comes from.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Required, TypedDict

import pulumi

from traffic_edge._shared.names import DNS1035_LABEL, DNS1123_LABEL, LABEL_VALUE, is_int
from traffic_edge._shared.problems import Problem

PREFIX = "service.beta.kubernetes.io/"
ANN_RESOURCE_GROUP = PREFIX + "azure-load-balancer-resource-group"
ANN_PIP_NAME = PREFIX + "azure-pip-name"
ANN_INTERNAL = PREFIX + "azure-load-balancer-internal"
ANN_INTERNAL_SUBNET = PREFIX + "azure-load-balancer-internal-subnet"
ANN_IPV4 = PREFIX + "azure-load-balancer-ipv4"
ANN_PROBE_INTERVAL = PREFIX + "azure-load-balancer-health-probe-interval"
ANN_PROBE_NUM = PREFIX + "azure-load-balancer-health-probe-num-of-probe"
ANN_IDLE_TIMEOUT = PREFIX + "azure-load-balancer-tcp-idle-timeout"
ANN_ALLOWED_IP_RANGES = PREFIX + "azure-allowed-ip-ranges"

NETWORK_CONTRIBUTOR_ROLE = "4d97b98b-1d4f-4787-a291-c67834d212e7"
DEFAULT_ZONES = ("1", "2", "3")

# cloud-provider-azure's own defaults when an annotation is absent.
PROVIDER_DEFAULT_INTERVAL = 5
PROVIDER_DEFAULT_THRESHOLD = 2
# The provider rejects interval x num-of-probe >= 120 s (azure_loadbalancer_healthprobe.go).
PROBE_WINDOW_LIMIT = 120
MIN_INTERVAL = 5
MIN_THRESHOLD = 2
# The provider accepts 4-100 minutes; the AKS doc still documents 30 as the maximum.
IDLE_TIMEOUT_RANGE = (4, 100)
IDLE_TIMEOUT_DOCUMENTED_MAX = 30


def port_annotation(port: int, what: str) -> str:
    return f"{PREFIX}port_{port}_health-probe_{what}"


class ProbeProtocol(StrEnum):
    """Health probe protocol, exactly as cloud-provider-azure spells it."""

    TCP = "Tcp"
    HTTP = "Http"
    HTTPS = "Https"

    @classmethod
    def _missing_(cls, value: object) -> ProbeProtocol | None:
        # The provider compares case-insensitively, and the AKS docs (and seed 001) write "TCP".
        for member in cls:
            if isinstance(value, str) and value.lower() == member.value.lower():
                return member
        return None


class ExternalTrafficPolicy(StrEnum):
    CLUSTER = "Cluster"
    LOCAL = "Local"


class SessionAffinity(StrEnum):
    NONE = "None"
    CLIENT_IP = "ClientIP"


class LoadBalancerFrontend(StrEnum):
    """Where the load balancer's frontend IP comes from."""

    NEW_PUBLIC_IP = "NewPublicIp"
    """A Standard, static public IP created (and protected) by the component."""
    EXISTING_PUBLIC_IP = "ExistingPublicIp"
    """A public IP that already exists in `network_resource_group`, adopted by name."""
    INTERNAL = "Internal"
    """An internal load balancer on a private IP of the cluster's virtual network."""


class ServicePortArgs(TypedDict, total=False):
    name: Required[str]
    """Port name (IANA service name: lowercase letters, digits and '-', at most 15 characters)."""
    port: Required[int]
    """Port the load balancer listens on (1-65535); also the number in the per-port annotations."""
    target_port: int
    """Container port number on the selected pods (1-65535). Give this or `target_port_name`."""
    target_port_name: str
    """Name of the container port on the selected pods (IANA service name, as in the pod's
    `ports[].name`), for a pod whose port number may change. Give this or `target_port`."""
    probe_protocol: ProbeProtocol
    """Health probe protocol for this port (default Tcp: the provider's HTTP default fails for a TCP
    server). Ignored by the provider with externalTrafficPolicy Local."""
    probe_request_path: str
    """Request path for an Http/Https probe (provider default '/'); only with Http or Https."""
    probe_interval_seconds: int
    """Probe interval for this port, overriding `probe_interval_seconds` (>= 5)."""
    probe_threshold: int
    """Consecutive failed probes before this port's backend is marked down, overriding
    `probe_threshold` (>= 2; num-of-probe annotation, written to the LB probe's probeThreshold)."""


class AksClusterRef(TypedDict):
    name: str
    """AKS managed cluster name."""
    resource_group_name: str
    """Resource group of the managed cluster (not its node resource group)."""


class AksTcpLoadBalancerArgs(TypedDict, total=False):
    service_name: Required[str]
    """Name of the LoadBalancer Service (DNS-1035 label)."""
    namespace: Required[str]
    """Namespace of the Service and of the workload it selects."""
    create_namespace: bool
    """Create the namespace (with the restricted pod security level enforced). Default False:
    the namespace usually belongs to the workload's own deployment."""
    selector: Required[dict[str, str]]
    """Pod labels of the TCP server the Service sends traffic to (the workload is not created here)."""
    ports: Required[list[ServicePortArgs]]
    """Service ports (TCP); at least one, unique numbers and names."""
    network_resource_group: Required[str]
    """Resource group holding the public IP (or, for an internal LB, the virtual network); the
    cluster identity gets Network Contributor on it."""
    frontend: LoadBalancerFrontend
    """NewPublicIp (default), ExistingPublicIp or Internal."""
    public_ip_name: str
    """Name of the public IP to create or adopt; required unless frontend is Internal."""
    location: str
    """Azure region of the new public IP (the cluster's region); NewPublicIp only, required there."""
    zones: list[str]
    """Availability zones of the new public IP: default 1,2,3 (zone-redundant); [] for a region
    without zones. NewPublicIp only; must match the zones the cluster's load balancer can use."""
    dns_label: str
    """DNS label of the new public IP (<label>.<region>.cloudapp.azure.com); NewPublicIp only."""
    internal_subnet: str
    """Subnet of the internal load balancer (default: the cluster's subnet); Internal only."""
    internal_ip: str
    """Fixed private IPv4 address of the internal load balancer, in that subnet; Internal only."""
    external_traffic_policy: ExternalTrafficPolicy
    """Cluster (default) or Local (keeps the client IP; the LB then probes kube-proxy's /healthz
    on the healthCheckNodePort and per-port probe settings are ignored)."""
    session_affinity: SessionAffinity
    """None (default) or ClientIP (kube-proxy keeps a client on one pod for long TCP sessions)."""
    probe_interval_seconds: int
    """Probe interval for every port (>= 5; provider default 5)."""
    probe_threshold: int
    """Failed probes before a backend is marked down, for every port (>= 2; provider default 2).
    interval x threshold must stay below 120 s."""
    tcp_idle_timeout_minutes: int
    """TCP idle timeout of the load-balancing rules, 4-100 minutes (provider default 4)."""
    load_balancer_source_ranges: list[str]
    """Client CIDRs allowed in, enforced by the NSG and kube-proxy (spec.loadBalancerSourceRanges).
    Default: open to every address. Not together with `allowed_ip_ranges`."""
    allowed_ip_ranges: list[str]
    """Client CIDRs allowed in, enforced by the NSG only (azure-allowed-ip-ranges,
    cloud-provider-azure 1.29+). Not together with `load_balancer_source_ranges`."""
    kubernetes_version: str
    """AKS Kubernetes version ("1.29" or "1.29.4"); AKS runs the matching cloud-provider-azure minor.
    This or `cloud_provider_version` is required."""
    cloud_provider_version: str
    """Exact cloud-provider-azure version ("1.26.8"); more precise than `kubernetes_version`
    for patch-level backports."""
    grant_network_contributor: bool
    """Give the cluster's control-plane identity Network Contributor on `network_resource_group`
    (default True). Set False when that assignment already exists."""
    cluster_principal_id: pulumi.Input[str]
    """Object (principal) ID of the cluster's control-plane identity. Give this or `aks_cluster`."""
    aks_cluster: AksClusterRef
    """The AKS cluster whose control-plane identity is looked up (never the kubelet identity)."""
    subscription_id: pulumi.Input[str]
    """Subscription of `network_resource_group`; default: the azure-native provider's subscription."""


# --- validation -------------------------------------------------------------------------------------

_IANA_SVC_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_RESOURCE_GROUP = re.compile(r"^[-\w._()]*[-\w_()]$")
_PIP_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
_SUBNET_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
_LOCATION = re.compile(r"^[a-z][a-z0-9]*$")
_PIP_DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")

_ONLY_FOR_NEW_PIP = ("location", "zones", "dns_label")
_ONLY_FOR_INTERNAL = ("internal_subnet", "internal_ip")


def _enum(problems: list[Problem], key: str, value: object, enum: type[Enum], default: Enum) -> Any:
    if value is None:
        return default
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum)
        problems.append(Problem(key, value, f"use one of {allowed}"))
        return default


def _name(
    problems: list[Problem], key: str, value: object, pattern: re.Pattern[str], rule: str, max_len: int
) -> None:
    if not isinstance(value, str) or len(value) > max_len or not pattern.match(value):
        problems.append(Problem(key, value, rule))


def _probe_numbers(problems: list[Problem], prefix: str, spec: Mapping[str, Any]) -> None:
    interval = spec.get("probe_interval_seconds")
    if interval is not None and (not is_int(interval) or interval < MIN_INTERVAL):
        problems.append(
            Problem(
                f"{prefix}probe_interval_seconds",
                interval,
                f"use a whole number of seconds >= {MIN_INTERVAL}",
            )
        )
    threshold = spec.get("probe_threshold")
    if threshold is not None and (not is_int(threshold) or threshold < MIN_THRESHOLD):
        problems.append(
            Problem(
                f"{prefix}probe_threshold",
                threshold,
                f"use a whole number >= {MIN_THRESHOLD} (cloud-provider-azure rejects fewer probes)",
            )
        )


def _window_problem(key: str, value: int, interval: int, threshold: int) -> Problem | None:
    window = interval * threshold
    if window < PROBE_WINDOW_LIMIT:
        return None
    fix = f"lower the interval to at most {(PROBE_WINDOW_LIMIT - 1) // threshold} s"
    max_threshold = (PROBE_WINDOW_LIMIT - 1) // interval
    if max_threshold >= MIN_THRESHOLD:
        fix += f" or the threshold to at most {max_threshold}"
    return Problem(
        key,
        value,
        f"interval {interval} s x threshold {threshold} = {window} s, and cloud-provider-azure rejects a "
        f"probe window of {PROBE_WINDOW_LIMIT} s or more: {fix}",
    )


def _valid_number(value: object, minimum: int) -> int | None:
    return value if is_int(value) and value >= minimum else None


def _cidrs(problems: list[Problem], key: str, value: object) -> None:
    if not isinstance(value, list) or not value:
        problems.append(Problem(key, value, "use a non-empty list of IPv4 CIDRs such as '203.0.113.0/24'"))
        return
    seen: set[str] = set()
    for i, cidr in enumerate(value):
        try:
            if not isinstance(cidr, str):
                raise ValueError(cidr)
            net = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            problems.append(
                Problem(
                    f"{key}[{i}]",
                    cidr,
                    "use an IPv4 CIDR with no host bits set, such as '203.0.113.0/24' (the public IP is IPv4)",
                )
            )
            continue
        if net.version != 4:
            problems.append(
                Problem(f"{key}[{i}]", cidr, "use an IPv4 CIDR: the load balancer's frontend is IPv4")
            )
        elif str(net) in seen:
            problems.append(Problem(f"{key}[{i}]", cidr, "list each CIDR once"))
        seen.add(str(net))


def _target_port(problems: list[Problem], at: str, port: Mapping[str, Any]) -> None:
    """Exactly one of target_port (a number) and target_port_name: the schema other languages get
    has no int-or-string type, so Kubernetes' IntOrString targetPort is two typed keys."""
    has_number = "target_port" in port
    has_name = "target_port_name" in port
    if not has_number and not has_name:
        problems.append(
            Problem(
                f"{at}.target_port",
                None,
                "give target_port (the pod's port number, 1-65535) or target_port_name (the name of the "
                "pod's port)",
            )
        )
    if has_number:
        number = port["target_port"]
        if isinstance(number, str):
            problems.append(
                Problem(
                    f"{at}.target_port",
                    number,
                    "use a port number from 1 to 65535 (an integer); a named pod port goes in target_port_name",
                )
            )
        elif not is_int(number) or not 1 <= number <= 65535:
            problems.append(Problem(f"{at}.target_port", number, "use a port number from 1 to 65535"))
    if has_number and has_name:
        problems.append(
            Problem(
                f"{at}.target_port_name",
                port["target_port_name"],
                "give either target_port (the pod's port number) or target_port_name (the name of the "
                "pod's port), not both",
            )
        )
    if has_name:
        name = port["target_port_name"]
        # Kubernetes' IsValidPortName: IANA_SVC_NAME, at least one letter, no '--'.
        if (
            not isinstance(name, str)
            or len(name) > 15
            or not _IANA_SVC_NAME.match(name)
            or not re.search("[a-z]", name)
            or "--" in name
        ):
            problems.append(
                Problem(
                    f"{at}.target_port_name",
                    name,
                    "use the name of the pod's port: an IANA service name of at most 15 lowercase letters, "
                    "digits and '-', with at least one letter and no '--'",
                )
            )


def validate_aks_tcp_load_balancer_args(args: Mapping[str, Any]) -> list[Problem]:
    """Every problem in `args`, in key order; an empty list means `plan_service` will succeed."""
    p: list[Problem] = []
    known = set(AksTcpLoadBalancerArgs.__annotations__)
    for key in args:
        if key not in known:
            p.append(Problem(key, args[key], f"unknown key; known keys: {', '.join(sorted(known))}"))

    _name(
        p,
        "service_name",
        args.get("service_name"),
        DNS1035_LABEL,
        "use a DNS-1035 label: lowercase letters, digits and '-', starting with a letter, at most 63",
        63,
    )
    _name(
        p,
        "namespace",
        args.get("namespace"),
        DNS1123_LABEL,
        "use a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters",
        63,
    )
    create_ns = args.get("create_namespace", False)
    if not isinstance(create_ns, bool):
        p.append(Problem("create_namespace", create_ns, "use true or false"))

    selector = args.get("selector")
    if not isinstance(selector, dict) or not selector:
        p.append(
            Problem(
                "selector", selector, "give the pod labels of the workload, e.g. {'app': 'kimmap-backend'}"
            )
        )
    else:
        for k, v in selector.items():
            name = k.rsplit("/", 1)[-1] if isinstance(k, str) else k
            if not isinstance(name, str) or len(name) > 63 or not _LABEL_NAME.match(name):
                p.append(
                    Problem(f"selector.{k}", k, "use a Kubernetes label key ([prefix/]name, name at most 63)")
                )
            if not isinstance(v, str) or len(v) > 63 or not LABEL_VALUE.match(v):
                p.append(
                    Problem(
                        f"selector.{k}", v, "use a Kubernetes label value (at most 63 alphanumerics, '-_.')"
                    )
                )

    _name(
        p,
        "network_resource_group",
        args.get("network_resource_group"),
        _RESOURCE_GROUP,
        "use an Azure resource group name: 1-90 letters, digits, '-_.()', not ending in '.'",
        90,
    )

    frontend = _enum(
        p, "frontend", args.get("frontend"), LoadBalancerFrontend, LoadBalancerFrontend.NEW_PUBLIC_IP
    )
    policy = _enum(
        p,
        "external_traffic_policy",
        args.get("external_traffic_policy"),
        ExternalTrafficPolicy,
        ExternalTrafficPolicy.CLUSTER,
    )
    _enum(p, "session_affinity", args.get("session_affinity"), SessionAffinity, SessionAffinity.NONE)

    if frontend is LoadBalancerFrontend.INTERNAL:
        if "public_ip_name" in args:
            p.append(
                Problem(
                    "public_ip_name",
                    args["public_ip_name"],
                    "an internal load balancer has no public IP: remove it or use frontend NewPublicIp",
                )
            )
    else:
        _name(
            p,
            "public_ip_name",
            args.get("public_ip_name"),
            _PIP_NAME,
            "give the public IP name: 1-80 letters, digits, '_.-', starting with a letter or digit",
            80,
        )
    if frontend is not LoadBalancerFrontend.NEW_PUBLIC_IP:
        for key in _ONLY_FOR_NEW_PIP:
            if key in args:
                p.append(
                    Problem(key, args[key], f"only used with frontend 'NewPublicIp', not {frontend.value!r}")
                )
    else:
        _name(
            p,
            "location",
            args.get("location"),
            _LOCATION,
            "give the Azure region of the cluster in lowercase, e.g. 'koreacentral'",
            40,
        )
        zones = args.get("zones", list(DEFAULT_ZONES))
        if not isinstance(zones, list):
            p.append(Problem("zones", zones, "use a list of zones from '1', '2', '3', or [] for no zones"))
        else:
            for i, z in enumerate(zones):
                if z not in DEFAULT_ZONES:
                    p.append(Problem(f"zones[{i}]", z, "use '1', '2' or '3'"))
                elif zones.index(z) != i:
                    p.append(Problem(f"zones[{i}]", z, "list each zone once"))
        if "dns_label" in args:
            _name(
                p,
                "dns_label",
                args["dns_label"],
                _PIP_DNS_LABEL,
                "use 3-63 lowercase letters, digits and '-', starting with a letter",
                63,
            )
    if frontend is not LoadBalancerFrontend.INTERNAL:
        for key in _ONLY_FOR_INTERNAL:
            if key in args:
                p.append(
                    Problem(key, args[key], f"only used with frontend 'Internal', not {frontend.value!r}")
                )
    else:
        if "internal_subnet" in args:
            _name(
                p,
                "internal_subnet",
                args["internal_subnet"],
                _SUBNET_NAME,
                "give the subnet name (not its ID): 1-80 letters, digits, '_.-'",
                80,
            )
        if "internal_ip" in args:
            ip = args["internal_ip"]
            try:
                addr = ipaddress.IPv4Address(ip)
                if not addr.is_private:
                    raise ValueError(ip)
            except ValueError:
                p.append(Problem("internal_ip", ip, "use a private IPv4 address inside the internal subnet"))

    _probe_numbers(p, "", args)
    g_interval = _valid_number(args.get("probe_interval_seconds"), MIN_INTERVAL)
    g_threshold = _valid_number(args.get("probe_threshold"), MIN_THRESHOLD)
    if g_interval is not None or g_threshold is not None:
        key = "probe_threshold" if g_threshold is not None else "probe_interval_seconds"
        window = _window_problem(
            key,
            g_threshold if g_threshold is not None else g_interval,  # type: ignore[arg-type]
            g_interval or PROVIDER_DEFAULT_INTERVAL,
            g_threshold or PROVIDER_DEFAULT_THRESHOLD,
        )
        if window:
            p.append(window)

    ports = args.get("ports")
    if not isinstance(ports, list) or not ports:
        p.append(
            Problem(
                "ports",
                ports,
                "give at least one port, e.g. [{name: tcp-client, port: 9999, targetPort: 8888}]",
            )
        )
        ports = []
    port_keys = set(ServicePortArgs.__annotations__)
    seen_ports: dict[object, int] = {}
    seen_names: dict[object, int] = {}
    for i, port in enumerate(ports):
        at = f"ports[{i}]"
        if not isinstance(port, dict):
            p.append(Problem(at, port, "use a mapping with name, port and target_port or target_port_name"))
            continue
        for key in port:
            if key not in port_keys:
                p.append(
                    Problem(
                        f"{at}.{key}", port[key], f"unknown key; known keys: {', '.join(sorted(port_keys))}"
                    )
                )
        _name(
            p,
            f"{at}.name",
            port.get("name"),
            _IANA_SVC_NAME,
            "use an IANA service name: lowercase letters, digits and '-', at most 15 characters",
            15,
        )
        number = port.get("port")
        if not is_int(number) or not 1 <= number <= 65535:
            p.append(Problem(f"{at}.port", number, "use a port number from 1 to 65535"))
        elif number in seen_ports:
            p.append(
                Problem(
                    f"{at}.port", number, f"already used by ports[{seen_ports[number]}]; use each port once"
                )
            )
        else:
            seen_ports[number] = i
        name = port.get("name")
        if isinstance(name, str) and name in seen_names:
            p.append(
                Problem(f"{at}.name", name, f"already used by ports[{seen_names[name]}]; use each name once")
            )
        elif isinstance(name, str):
            seen_names[name] = i
        _target_port(p, at, port)
        proto = _enum(p, f"{at}.probe_protocol", port.get("probe_protocol"), ProbeProtocol, ProbeProtocol.TCP)
        if "probe_request_path" in port:
            path = port["probe_request_path"]
            if proto is ProbeProtocol.TCP:
                p.append(
                    Problem(
                        f"{at}.probe_request_path",
                        path,
                        "only used with probe_protocol 'Http' or 'Https'; a Tcp probe only connects",
                    )
                )
            elif not isinstance(path, str) or not path.startswith("/") or any(c.isspace() for c in path):
                p.append(Problem(f"{at}.probe_request_path", path, "use an absolute path such as '/healthz'"))
        _probe_numbers(p, f"{at}.", port)
        p_interval = _valid_number(port.get("probe_interval_seconds"), MIN_INTERVAL)
        p_threshold = _valid_number(port.get("probe_threshold"), MIN_THRESHOLD)
        # Ports that override nothing share the global window checked above; Local ignores overrides.
        if (p_interval is not None or p_threshold is not None) and policy is ExternalTrafficPolicy.CLUSTER:
            key = f"{at}.probe_threshold" if p_threshold is not None else f"{at}.probe_interval_seconds"
            window = _window_problem(
                key,
                p_threshold if p_threshold is not None else p_interval,  # type: ignore[arg-type]
                p_interval or g_interval or PROVIDER_DEFAULT_INTERVAL,
                p_threshold or g_threshold or PROVIDER_DEFAULT_THRESHOLD,
            )
            if window:
                p.append(window)

    idle = args.get("tcp_idle_timeout_minutes")
    low, high = IDLE_TIMEOUT_RANGE
    if idle is not None and (not is_int(idle) or not low <= idle <= high):
        p.append(
            Problem("tcp_idle_timeout_minutes", idle, f"use a whole number of minutes from {low} to {high}")
        )

    has_lbsr = "load_balancer_source_ranges" in args
    has_allowed = "allowed_ip_ranges" in args
    if has_lbsr and has_allowed:
        p.append(
            Problem(
                "allowed_ip_ranges",
                args["allowed_ip_ranges"],
                "cloud-provider-azure rejects it together with load_balancer_source_ranges: keep one",
            )
        )
    if has_lbsr:
        _cidrs(p, "load_balancer_source_ranges", args["load_balancer_source_ranges"])
    if has_allowed:
        _cidrs(p, "allowed_ip_ranges", args["allowed_ip_ranges"])

    version: ProviderVersion | None = None
    for key in ("cloud_provider_version", "kubernetes_version"):
        if key in args:
            parsed = ProviderVersion.parse(args[key], exact=key == "cloud_provider_version")
            if parsed is None:
                example = "'1.29.4'" if key == "cloud_provider_version" else "'1.29' or '1.29.4'"
                p.append(Problem(key, args[key], f"use a 1.x version such as {example}"))
            elif version is None:
                version = parsed
    if "cloud_provider_version" not in args and "kubernetes_version" not in args:
        p.append(
            Problem(
                "kubernetes_version",
                None,
                "give the AKS Kubernetes version (or cloud_provider_version): annotation support depends on it",
            )
        )
    if has_allowed and version is not None and ALLOWED_IP_RANGES.support(version) is not Support.YES:
        # An ignored allow-list would leave the service open to every address.
        p.append(
            Problem(
                "allowed_ip_ranges",
                args["allowed_ip_ranges"],
                f"needs cloud-provider-azure {ALLOWED_IP_RANGES.first} or later; {version.describe()} ignores "
                "it, which would leave the service open to every address: use load_balancer_source_ranges",
            )
        )

    grant = args.get("grant_network_contributor", True)
    if not isinstance(grant, bool):
        p.append(Problem("grant_network_contributor", grant, "use true or false"))
    elif not grant:
        for key in ("cluster_principal_id", "aks_cluster", "subscription_id"):
            if key in args:
                p.append(Problem(key, args[key], "only used when grant_network_contributor is true"))
    else:
        has_principal = "cluster_principal_id" in args
        has_cluster = "aks_cluster" in args
        if has_principal and has_cluster:
            p.append(
                Problem(
                    "aks_cluster",
                    args["aks_cluster"],
                    "give either cluster_principal_id or aks_cluster (to look the identity up), not both",
                )
            )
        elif not has_principal and not has_cluster:
            p.append(
                Problem(
                    "cluster_principal_id",
                    None,
                    "give the control-plane identity's principal ID, or cluster {name, resource_group_name} "
                    "to look it up, or set grant_network_contributor to false",
                )
            )
        if (
            has_principal
            and isinstance(args["cluster_principal_id"], str)
            and not _GUID.match(args["cluster_principal_id"])
        ):
            p.append(
                Problem(
                    "cluster_principal_id",
                    args["cluster_principal_id"],
                    "use the identity's principal (object) ID, a GUID; not its client ID or resource ID",
                )
            )
        if has_cluster:
            cluster = args["aks_cluster"]
            if not isinstance(cluster, dict) or set(cluster) != {"name", "resource_group_name"}:
                p.append(
                    Problem(
                        "aks_cluster", cluster, "use {name: <AKS cluster>, resource_group_name: <its group>}"
                    )
                )
            else:
                _name(
                    p,
                    "aks_cluster.name",
                    cluster["name"],
                    re.compile(r"^[A-Za-z0-9][-_A-Za-z0-9]*$"),
                    "use the AKS cluster name: 1-63 letters, digits, '-_'",
                    63,
                )
                _name(
                    p,
                    "aks_cluster.resource_group_name",
                    cluster["resource_group_name"],
                    _RESOURCE_GROUP,
                    "use an Azure resource group name: 1-90 letters, digits, '-_.()', not ending in '.'",
                    90,
                )
        if isinstance(args.get("subscription_id"), str) and not _GUID.match(args["subscription_id"]):
            p.append(Problem("subscription_id", args["subscription_id"], "use the subscription ID, a GUID"))
    return p


# --- version awareness ------------------------------------------------------------------------------


class Support(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ProviderVersion:
    """The cloud-provider-azure version, or only its minor when derived from AKS's Kubernetes version."""

    minor: int
    patch: int | None
    from_kubernetes: bool

    @staticmethod
    def parse(text: object, *, exact: bool) -> ProviderVersion | None:
        m = _VERSION.match(text) if isinstance(text, str) else None
        if m is None or m.group(1) != "1" or (exact and m.group(3) is None):
            return None
        # AKS ships the cloud-provider minor that matches Kubernetes, but its patch numbers are its own.
        patch = None if not exact else int(m.group(3))
        return ProviderVersion(int(m.group(2)), patch, not exact)

    def describe(self) -> str:
        if self.from_kubernetes:
            return f"cloud-provider-azure 1.{self.minor}.x (AKS 1.{self.minor})"
        return f"cloud-provider-azure 1.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class Fix:
    """A cloud-provider-azure change: the first minor that has it and the patches it was backported to."""

    first_minor: int
    backports: Mapping[int, int]

    @property
    def first(self) -> str:
        return f"1.{self.first_minor}.0"

    def describe(self) -> str:
        back = ", ".join(f"1.{m}.{p}" for m, p in sorted(self.backports.items(), reverse=True))
        return f"cloud-provider-azure {self.first}" + (f" (backports {back})" if back else "")

    def support(self, v: ProviderVersion) -> Support:
        if v.minor >= self.first_minor:
            return Support.YES
        need = self.backports.get(v.minor)
        if need is None:
            return Support.NO
        if v.patch is None:
            return Support.UNKNOWN
        return Support.YES if v.patch >= need else Support.NO


# PR #3623: num-of-probe written to probeThreshold instead of numberOfProbes, which Azure LB ignored.
NUM_OF_PROBE = Fix(27, {26: 8, 25: 12, 24: 18})
# PR #4207: the global interval / num-of-probe also apply to the Local policy's healthCheckNodePort probe.
LOCAL_PROBE_SETTINGS = Fix(28, {27: 6, 26: 12, 25: 16})
ALLOWED_IP_RANGES = Fix(29, {})


def _support_phrase(support: Support) -> str:
    return "may have no effect" if support is Support.UNKNOWN else "has no effect"


def version_warnings(args: Mapping[str, Any]) -> list[str]:
    """Warnings for settings the configured cloud-provider-azure version ignores (valid args only)."""
    version = _version(args)
    policy = ExternalTrafficPolicy(args.get("external_traffic_policy", ExternalTrafficPolicy.CLUSTER))
    warnings: list[str] = []
    unknown_hint = (
        " The AKS patch that carries the backport is not known here: set cloud_provider_version to be sure."
    )

    if policy is ExternalTrafficPolicy.LOCAL:
        set_keys = [k for k in ("probe_interval_seconds", "probe_threshold") if k in args]
        support = LOCAL_PROBE_SETTINGS.support(version)
        if set_keys and support is not Support.YES:
            warnings.append(
                f"{' and '.join(set_keys)} {_support_phrase(support)} with external_traffic_policy Local on "
                f"{version.describe()}: the healthCheckNodePort probe stays at 5 s / 2 probes before "
                f"{LOCAL_PROBE_SETTINGS.describe()}." + (unknown_hint if support is Support.UNKNOWN else "")
            )
        return warnings

    threshold_keys = (["probe_threshold"] if "probe_threshold" in args else []) + [
        f"ports[{i}].probe_threshold" for i, port in enumerate(args["ports"]) if "probe_threshold" in port
    ]
    support = NUM_OF_PROBE.support(version)
    if threshold_keys and support is not Support.YES:
        warnings.append(
            f"{', '.join(threshold_keys)} {_support_phrase(support)} on {version.describe()}: the provider writes "
            "num-of-probe to numberOfProbes, which Azure Load Balancer ignores, so a backend is marked down after "
            f"one failed probe. Fixed in {NUM_OF_PROBE.describe()}."
            + (unknown_hint if support is Support.UNKNOWN else "")
        )
    return warnings


def _version(args: Mapping[str, Any]) -> ProviderVersion:
    if "cloud_provider_version" in args:
        v = ProviderVersion.parse(args["cloud_provider_version"], exact=True)
    else:
        v = ProviderVersion.parse(args["kubernetes_version"], exact=False)
    assert v is not None, "validate_aks_tcp_load_balancer_args first"
    return v


# --- plan ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServicePlan:
    annotations: dict[str, str]
    service: dict[str, Any]
    namespace: dict[str, Any] | None
    warnings: list[str]


def build_annotations(args: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The cloud-provider-azure annotations for valid `args`, and the notes about what is not applied."""
    frontend = LoadBalancerFrontend(args.get("frontend", LoadBalancerFrontend.NEW_PUBLIC_IP))
    policy = ExternalTrafficPolicy(args.get("external_traffic_policy", ExternalTrafficPolicy.CLUSTER))
    ann: dict[str, str] = {}
    notes: list[str] = []

    if frontend is LoadBalancerFrontend.INTERNAL:
        ann[ANN_INTERNAL] = "true"
        if "internal_subnet" in args:
            ann[ANN_INTERNAL_SUBNET] = args["internal_subnet"]
        if "internal_ip" in args:
            ann[ANN_IPV4] = args["internal_ip"]
    else:
        # The provider reads this group only to find the PIP; the LB itself stays in the node group.
        ann[ANN_RESOURCE_GROUP] = args["network_resource_group"]
        ann[ANN_PIP_NAME] = args["public_ip_name"]

    if "probe_interval_seconds" in args:
        ann[ANN_PROBE_INTERVAL] = str(args["probe_interval_seconds"])
    if "probe_threshold" in args:
        ann[ANN_PROBE_NUM] = str(args["probe_threshold"])

    for i, port in enumerate(args["ports"]):
        number = port["port"]
        if policy is ExternalTrafficPolicy.LOCAL:
            ignored = [
                k
                for k in ("probe_protocol", "probe_request_path", "probe_interval_seconds", "probe_threshold")
                if k in port
            ]
            if ignored:
                notes.append(
                    f"ports[{i}]: {', '.join(ignored)} not applied: with external_traffic_policy Local the load "
                    "balancer probes kube-proxy with HTTP GET /healthz on the healthCheckNodePort for every port, "
                    "and cloud-provider-azure ignores per-port probe annotations for it; the global "
                    "probe_interval_seconds / probe_threshold apply instead."
                )
            continue
        # Always explicit: without it the probe protocol follows appProtocol or the cluster default,
        # and an HTTP probe against a TCP server fails so no traffic arrives (seed 001).
        proto = ProbeProtocol(port.get("probe_protocol", ProbeProtocol.TCP))
        ann[port_annotation(number, "protocol")] = proto.value
        if "probe_request_path" in port:
            ann[port_annotation(number, "request-path")] = port["probe_request_path"]
        if "probe_interval_seconds" in port:
            ann[port_annotation(number, "interval")] = str(port["probe_interval_seconds"])
        if "probe_threshold" in port:
            ann[port_annotation(number, "num-of-probe")] = str(port["probe_threshold"])

    if "tcp_idle_timeout_minutes" in args:
        idle = args["tcp_idle_timeout_minutes"]
        ann[ANN_IDLE_TIMEOUT] = str(idle)
        if idle > IDLE_TIMEOUT_DOCUMENTED_MAX:
            notes.append(
                f"tcp_idle_timeout_minutes {idle}: cloud-provider-azure accepts up to {IDLE_TIMEOUT_RANGE[1]}, "
                f"but the AKS documentation still gives {IDLE_TIMEOUT_DOCUMENTED_MAX} minutes as the maximum "
                "for load-balancing rules; check the applied rule after deploying."
            )
    if "allowed_ip_ranges" in args:
        ann[ANN_ALLOWED_IP_RANGES] = ",".join(args["allowed_ip_ranges"])
    return ann, notes


def build_service_manifest(args: Mapping[str, Any], annotations: Mapping[str, str]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "LoadBalancer",
        "selector": dict(args["selector"]),
        "ports": [
            {
                "name": p["name"],
                "protocol": "TCP",
                "port": p["port"],
                "targetPort": p["target_port"] if "target_port" in p else p["target_port_name"],
            }
            for p in args["ports"]
        ],
        "externalTrafficPolicy": ExternalTrafficPolicy(
            args.get("external_traffic_policy", ExternalTrafficPolicy.CLUSTER)
        ).value,
        "sessionAffinity": SessionAffinity(args.get("session_affinity", SessionAffinity.NONE)).value,
    }
    if "load_balancer_source_ranges" in args:
        spec["loadBalancerSourceRanges"] = list(args["load_balancer_source_ranges"])
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": args["service_name"],
            "namespace": args["namespace"],
            "annotations": dict(annotations),
        },
        "spec": spec,
    }


def build_namespace_manifest(name: str) -> dict[str, Any]:
    restricted = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": restricted}}


def plan_service(args: Mapping[str, Any]) -> ServicePlan:
    """Annotations, manifests and warnings for args that `validate_aks_tcp_load_balancer_args` accepted."""
    annotations, notes = build_annotations(args)
    return ServicePlan(
        annotations=annotations,
        service=build_service_manifest(args, annotations),
        namespace=build_namespace_manifest(args["namespace"])
        if args.get("create_namespace", False)
        else None,
        warnings=notes + version_warnings(args),
    )


# --- role assignment ------------------------------------------------------------------------------------


def resource_group_scope(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def role_definition_id(subscription_id: str, role: str = NETWORK_CONTRIBUTOR_ROLE) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role}"


def role_assignment_name(scope: str, principal_id: str, role_definition: str) -> str:
    """A stable GUID for (scope, principal, role): a re-run or re-create targets the same assignment
    instead of failing with RoleAssignmentExists under a fresh random name."""
    key = f"{scope.lower()}|{principal_id.lower()}|{role_definition.lower()}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def control_plane_principal_id(
    cluster: str,
    identity_type: str | None,
    system_principal_id: str | None,
    user_assigned_principal_ids: Sequence[str | None],
) -> str:
    """The principal ID of the cluster's control-plane identity, from a managed cluster's `identity`.

    The kubelet identity (identityProfile.kubeletidentity) is deliberately not an input: it pulls
    images, while the load balancer and its public IP are managed by the control-plane identity."""
    if identity_type == "SystemAssigned" and system_principal_id:
        return system_principal_id
    # AKS allows exactly one user-assigned control-plane identity.
    if (
        identity_type == "UserAssigned"
        and len(user_assigned_principal_ids) == 1
        and user_assigned_principal_ids[0]
    ):
        return user_assigned_principal_ids[0]
    raise ValueError(
        f"AKS cluster {cluster!r} has no usable control-plane managed identity (identity type "
        f"{identity_type!r}); give cluster_principal_id (for a service-principal cluster: the service "
        "principal's object ID) or set grant_network_contributor to false"
    )
