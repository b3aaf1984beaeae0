"""`validate_proxy_protocol_ingress_args`: every problem with the args at once, in the one grammar.

One small function per rule group; a group whose input already has a problem reports nothing
derived from it, and a default the user did not write is never checked as if they had. The
haproxy.cfg generator's own rules (port names, public ports, health check, maxconn) come from
`haproxy_cfg`, applied here at the args' keys.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

from traffic_edge._shared import checks
from traffic_edge._shared.names import is_int
from traffic_edge._shared.problems import Path, Problem, conflict, invalid, missing, suggestion
from traffic_edge._shared.tolerations import tolerations
from traffic_edge._shared.versions import KubeVersion
from traffic_edge.proxy_protocol_ingress import facts
from traffic_edge.proxy_protocol_ingress.args import (
    ARG_KEYS,
    AUTOSCALING_KEYS,
    BGP_KEYS,
    GATEWAY_KEYS,
    HEALTH_KEYS,
    IN_CLUSTER_ONLY,
    METALLB_KEYS,
    PEER_KEYS,
    PORT_KEYS,
    MetalLbMode,
    Placement,
    Workload,
)
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import (
    Keyed,
    bind_port_problems,
    health_problems,
    maxconn_problems,
    route_name_problems,
)
from traffic_edge.proxy_protocol_ingress.plan import (
    DEFAULT_METALLB_MODE,
    DEFAULT_PLACEMENT,
    DEFAULT_REPLICAS,
    DEFAULT_WORKLOAD,
)

Where = Path | str
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpRange = tuple[IpAddress, IpAddress]

POOL_BLOCK_RULE = (
    "a network in CIDR form with no host bits set, like '192.0.2.16/28', "
    "or a range 'first-last', like '192.0.2.20-192.0.2.29'"
)
NODE_PORT_RANGE = (30000, 32767)
MAX_REPLICAS = 50


NAMES = (
    checks.Derived("{}-gateway-pp", "the gateway pods' Service"),
    checks.Derived("{}-haproxy", "the HAProxy Service"),
    checks.Derived("{}-pool", "the metallb.io/address-pool label"),
)
RELEASE = checks.Derived(
    "{}-metallb", "the MetalLB Helm release", checks.HELM_RELEASE_MAX, extra=checks.AUTONAME_SUFFIX
)
"""The MetalLB release is auto-named from its resource name (`metallb.install` only)."""
METRICS_SERVICE = checks.Derived("{}-haproxy-metrics", "the HAProxy metrics Service")
"""Only with `service_monitor: true`."""


def _name(args: Mapping[str, Any], name: str | None) -> list[Problem]:
    if name is None:
        return []
    metallb = args.get("metallb")
    installs = isinstance(metallb, Mapping) and metallb.get("install") is True
    derived = [*NAMES, *([RELEASE] if installs else [])]
    if args.get("service_monitor") is True:
        derived.append(METRICS_SERVICE)
    return checks.component_name(name, "name", derived, service=True)


def validate_proxy_protocol_ingress_args(args: Mapping[str, Any], name: str | None = None) -> list[Problem]:
    """Every problem with `args` (and the resource `name`), keyed by the snake_case arg path."""
    unknown = checks.unknown_keys(args, ARG_KEYS)
    placement = _placement(args, unknown)
    return [
        *_name(args, name),
        *unknown,
        *_istio_version_problems(args),
        *_placement_problems(args),
        *_port_problems(args, placement),
        *_placement_key_problems(args, placement),
        *_metallb_problems(args, placement),
        *_load_balancer_ip_problems(args, placement),
        *_haproxy_pod_problems(args, placement),
        *_node_address_problems(args, placement),
        *_source_cidr_problems(args),
        *_authorization_policy_problems(args, placement),
        *_gateway_problems(args),
        *_health_check_problems(args),
        *(maxconn_problems(args["maxconn"], "maxconn") if "maxconn" in args else []),
    ]


# --- helpers -----------------------------------------------------------------------------


E = TypeVar("E", bound=Enum)


def _member(enum: type[E], raw: object) -> E | None:
    """The member whose value `raw` is, or None."""
    return next((m for m in enum if raw == m.value), None)


def _placement(args: Mapping[str, Any], unknown: list[Problem]) -> Placement | None:
    """The placement the rules go by; None when it is invalid, or misspelled (then the default
    is not the user's choice, and checking the other keys against it would be a second mistake)."""
    if "placement" not in args:
        meant = {suggestion(p) for p in unknown}
        return None if "placement" in meant else DEFAULT_PLACEMENT
    raw = args["placement"]
    return _member(Placement, raw)


def _placement_said(args: Mapping[str, Any], placement: Placement) -> str:
    said = f"placement {placement.value!r}"
    return said if "placement" in args else f"{said} (the default)"


# --- rule groups -------------------------------------------------------------------------


def _istio_version_problems(args: Mapping[str, Any]) -> list[Problem]:
    raw = args.get("istio_version")
    if raw is None:
        what_for = "the Istio version of the gateway, which decides how it is told to read the PROXY header"
        return [missing("istio_version", what_for)]
    version = KubeVersion.try_parse(raw) if isinstance(raw, str) else None
    if version is None:
        return [invalid("istio_version", raw, "an Istio version like '1.22' or '1.22.3'")]
    oldest = facts.ISTIO_LISTENER_FILTER
    if version < oldest:
        why = f"older gateways cannot insert the proxy_protocol listener filter first (LISTENER_FILTER patches need {oldest})"
        return [invalid("istio_version", raw, f"Istio {oldest} or later: {why}")]
    return []


def _placement_problems(args: Mapping[str, Any]) -> list[Problem]:
    return checks.one_of(args["placement"], Placement, "placement") if "placement" in args else []


def _placement_key_problems(args: Mapping[str, Any], placement: Placement | None) -> list[Problem]:
    """The keys one placement requires, and those of the other placement."""
    if placement is Placement.EXTERNAL:
        return _external_key_problems(args)
    if placement is Placement.IN_CLUSTER:
        return _in_cluster_key_problems(args, _placement_said(args, placement))
    return []


def _external_key_problems(args: Mapping[str, Any]) -> list[Problem]:
    why = "it configures the in-cluster HAProxy, and placement 'external' runs HAProxy outside the cluster"
    problems = [conflict(k, args[k], "placement", why) for k in IN_CLUSTER_ONLY if k in args]
    problems += checks.required(args, "node_addresses", "the node IPs the external HAProxy forwards to")
    what_for = "the addresses the external HAProxy connects from, the only ones the gateway admits"
    return problems + checks.required(args, "haproxy_source_cidrs", what_for)


def _in_cluster_key_problems(args: Mapping[str, Any], said: str) -> list[Problem]:
    problems = []
    if "node_addresses" in args:
        why = f"it lists the nodes an external HAProxy forwards to, and {said} forwards to the gateway pods"
        problems.append(conflict("node_addresses", args["node_addresses"], "placement", why))
    problems += checks.required(args, "metallb", "the MetalLB pool the HAProxy Service's fixed IP comes from")
    what_for = "the fixed IP of the HAProxy Service, from the MetalLB pool"
    return problems + checks.required(args, "load_balancer_ip", what_for)


def _fields(ports: Sequence[Any], field: str) -> Keyed:
    """Each port's `field` (where given) with its key."""
    base = Path.of("ports")
    return [
        (p[field], base / i / field)
        for i, p in enumerate(ports)
        if isinstance(p, Mapping) and p.get(field) is not None
    ]


def _port_problems(args: Mapping[str, Any], placement: Placement | None) -> list[Problem]:
    ports = args.get("ports")
    if ports is None:
        return [missing("ports", "the public ports and the gateway ports each one forwards to")]
    if not checks.is_list(ports) or not ports:
        return [
            invalid("ports", ports, "a list of at least one port: a mapping with name, port and target_port")
        ]
    problems = [
        p for i, port in enumerate(ports) for p in _one_port(args, port, Path.of("ports") / i, placement)
    ]
    problems += route_name_problems(_fields(ports, "name"))
    problems += bind_port_problems(_fields(ports, "port"))
    node_ports = [(v, at) for v, at in _fields(ports, "node_port") if not _node_port(v, at)]
    return problems + (
        checks.used_once([(at, v) for v, at in node_ports], "a NodePort")
        if placement is Placement.EXTERNAL
        else []
    )


def _node_port(value: object, at: Path) -> list[Problem]:
    return checks.integer(value, at, *NODE_PORT_RANGE)


def _one_port(args: Mapping[str, Any], port: object, at: Path, placement: Placement | None) -> list[Problem]:
    if not isinstance(port, Mapping):
        return [invalid(at, port, "a port: a mapping with name, port and target_port")]
    problems = checks.unknown_keys(port, PORT_KEYS, at)
    problems += checks.required(
        port, "name", "the port's name, which names HAProxy's frontend and the Service port", at
    )
    problems += checks.required(port, "port", "the public port HAProxy listens on", at)
    problems += checks.required(port, "target_port", "the gateway pods' port HAProxy forwards to", at)
    if port.get("target_port") is not None:
        problems += checks.port(port["target_port"], at / "target_port")
    if placement is Placement.EXTERNAL:
        problems += checks.required(port, "node_port", "the NodePort the external HAProxy connects to", at)
        if port.get("node_port") is not None:
            problems += _node_port(port["node_port"], at / "node_port")
    elif placement is Placement.IN_CLUSTER and "node_port" in port:
        said = _placement_said(args, placement)
        why = f"a NodePort is for an external HAProxy, and {said} connects to the gateway pods directly"
        problems.append(conflict(at / "node_port", port["node_port"], "placement", why))
    return problems


def parse_pool_block(text: object) -> IpRange | None:
    """A MetalLB pool entry (CIDR or ``first-last`` range) as its first and last address."""
    if not isinstance(text, str):
        return None
    try:
        if "-" in text:
            lo_s, hi_s = (s.strip() for s in text.split("-", 1))
            lo, hi = ipaddress.ip_address(lo_s), ipaddress.ip_address(hi_s)
            if lo.version != hi.version or int(lo) > int(hi):
                return None
            return lo, hi
        net = ipaddress.ip_network(text, strict=True)
        return net.network_address, net.broadcast_address
    except ValueError:
        return None


def _pool_nets(blocks: Sequence[IpRange]) -> list[checks.Network]:
    return [net for lo, hi in blocks for net in ipaddress.summarize_address_range(lo, hi)]


def _overlaps(block: IpRange, other: IpRange) -> bool:
    (lo, hi), (other_lo, other_hi) = block, other
    return lo.version == other_lo.version and int(lo) <= int(other_hi) and int(other_lo) <= int(hi)


def _pool_problems(addresses: object) -> list[Problem]:
    at = Path.of("metallb") / "addresses"
    if addresses is None:
        return [missing(at, "the pool: the addresses MetalLB may give the HAProxy Service")]
    if not checks.is_list(addresses) or not addresses:
        return [invalid(at, addresses, f"a list of at least one pool block: {POOL_BLOCK_RULE}")]
    blocks = [parse_pool_block(a) for a in addresses]
    problems = [
        invalid(at / i, a, POOL_BLOCK_RULE)
        for i, (a, b) in enumerate(zip(addresses, blocks, strict=True))
        if b is None
    ]
    valid = [(i, b) for i, b in enumerate(blocks) if b is not None]
    problems += [
        invalid(at / i, addresses[i], f"a block that does not overlap {at / j}")
        for n, (i, block) in enumerate(valid)
        for j, other in valid[:n]
        if _overlaps(block, other)
    ]
    # More blocks only add addresses: a union that is already everything stays a problem.
    if checks.covers_every_address(_pool_nets([b for _, b in valid])):
        why = "MetalLB would answer ARP for every address and take over the network segment"
        problems.append(invalid(at, list(addresses), f"blocks that leave some addresses out: {why}"))
    return problems


def _metallb_problems(args: Mapping[str, Any], placement: Placement | None) -> list[Problem]:
    if placement is not Placement.IN_CLUSTER or "metallb" not in args:
        return []
    mlb = args["metallb"]
    if not isinstance(mlb, Mapping):
        return [invalid("metallb", mlb, "a mapping with addresses, install and namespace")]
    problems = checks.unknown_keys(mlb, METALLB_KEYS, "metallb")
    if "install" in mlb:
        problems += checks.boolean(mlb["install"], "metallb.install")
    if "namespace" in mlb:
        problems += checks.dns_label(mlb["namespace"], "metallb.namespace")
    problems += _pool_problems(mlb.get("addresses"))
    problems += _announce_problems(mlb)
    return problems + _mode_problems(mlb)


def _metallb_mode(mlb: Mapping[str, Any]) -> MetalLbMode | None:
    """The mode the MetalLB rules go by; None when it is invalid."""
    raw = mlb.get("mode", DEFAULT_METALLB_MODE.value)
    return _member(MetalLbMode, raw)


def _label_selectors(value: object, at: Where) -> list[Problem]:
    """A list of at least one label map, each with at least one label (matchLabels)."""
    if not checks.is_list(value) or not value:
        return [invalid(at, value, "a list of at least one map of node labels, like [{'edge': 'true'}]")]
    return [p for i, sel in enumerate(value) for p in checks.labels(sel, Path.of(at) / i, at_least=1)]


INTERFACE_RULE = "a network interface name: 1 to 15 characters, no '/', ':' or whitespace"


def _interface_problems(value: object, at: Path) -> list[Problem]:
    if not checks.is_list(value) or not value:
        return [invalid(at, value, "a list of at least one network interface name, like ['eth1']")]
    bad = [
        invalid(at / i, name, INTERFACE_RULE)
        for i, name in enumerate(value)
        if not (isinstance(name, str) and 1 <= len(name) <= 15 and not any(c in name for c in "/: \t\n"))
    ]
    return bad or checks.distinct(value, at)


def _announce_problems(mlb: Mapping[str, Any]) -> list[Problem]:
    """Where the IP is announced from: the nodes, and in L2 the interfaces."""
    at = Path.of("metallb")
    problems = (
        _label_selectors(mlb["node_selectors"], at / "node_selectors") if "node_selectors" in mlb else []
    )
    if "interfaces" not in mlb:
        return problems
    mode = _metallb_mode(mlb)
    if mode is MetalLbMode.BGP:
        why = "interfaces pick where L2 answers ARP/NDP, and BGP announces routes to its peers"
        return [*problems, conflict(at / "interfaces", mlb["interfaces"], at / "mode", why)]
    return problems + _interface_problems(mlb["interfaces"], at / "interfaces")


def _mode_problems(mlb: Mapping[str, Any]) -> list[Problem]:
    at = Path.of("metallb")
    if "mode" in mlb and _metallb_mode(mlb) is None:
        return checks.one_of(mlb["mode"], MetalLbMode, at / "mode")
    mode = _metallb_mode(mlb)
    if mode is MetalLbMode.BGP:
        what_for = "the local AS number and the BGP routers MetalLB announces the IP to"
        return checks.required(mlb, "bgp", what_for, at) + (_bgp_problems(mlb["bgp"]) if "bgp" in mlb else [])
    if "bgp" in mlb:
        said = "mode 'l2'" if "mode" in mlb else "mode 'l2' (the default)"
        why = f"the BGP peers are for mode 'bgp', and {said} announces with ARP/NDP"
        return [conflict(at / "bgp", mlb["bgp"], at / "mode", why)]
    return []


ASN_RULE = f"an AS number from 1 to {facts.METALLB_ASN_MAX}"


def _asn(value: object, at: Path) -> list[Problem]:
    """A 4-byte AS number: beyond int32, so not `checks.integer` (the CRD field is an int64)."""
    return [] if is_int(value) and 1 <= value <= facts.METALLB_ASN_MAX else [invalid(at, value, ASN_RULE)]


def _bgp_problems(bgp: object) -> list[Problem]:
    at = Path.of("metallb") / "bgp"
    if not isinstance(bgp, Mapping):
        return [invalid(at, bgp, "a mapping with my_asn and peers")]
    problems = checks.unknown_keys(bgp, BGP_KEYS, at)
    problems += checks.required(bgp, "my_asn", "the cluster's AS number, MetalLB's end of every session", at)
    if bgp.get("my_asn") is not None:
        problems += _asn(bgp["my_asn"], at / "my_asn")
    peers = bgp.get("peers")
    if peers is None:
        return [*problems, missing(at / "peers", "the BGP routers MetalLB announces the IP to")]
    if not checks.is_list(peers) or not peers:
        return [*problems, invalid(at / "peers", peers, "a list of at least one peer: name, address and asn")]
    my_asn = bgp.get("my_asn") if is_int(bgp.get("my_asn")) else None
    problems += [p for i, peer in enumerate(peers) for p in _peer_problems(peer, at / "peers" / i, my_asn)]
    for field in ("name", "address"):
        given = [
            (at / "peers" / i / field, p[field])
            for i, p in enumerate(peers)
            if isinstance(p, Mapping) and field in p
        ]
        problems += checks.used_once([(k, v) for k, v in given if isinstance(v, str)], f"a peer {field}")
    return problems


def _peer_problems(peer: object, at: Path, my_asn: int | None) -> list[Problem]:
    if not isinstance(peer, Mapping):
        return [invalid(at, peer, "a peer: a mapping with name, address and asn")]
    problems = checks.unknown_keys({k: v for k, v in peer.items() if k != "password"}, PEER_KEYS, at)
    if "password" in peer:
        # Shown as [secret] (the key names a password): a value here would land in the plan.
        where = f"a Secret of type {facts.METALLB_PASSWORD_SECRET_TYPE} with the key password"
        why = f"{where} in MetalLB's namespace, named in password_secret: a password never sits in the args"
        problems.append(invalid(at / "password", peer["password"], f"no password value here: {why}"))
    problems += checks.required(peer, "name", "the peer's name, which names its BGPPeer object", at)
    problems += checks.required(peer, "address", "the router's IP address", at)
    problems += checks.required(peer, "asn", "the router's AS number", at)
    if peer.get("name") is not None:
        problems += checks.dns_label(peer["name"], at / "name")
    if peer.get("address") is not None and not _is_ip(peer["address"]):
        problems.append(invalid(at / "address", peer["address"], "an IP address of the router"))
    if peer.get("asn") is not None:
        problems += _asn(peer["asn"], at / "asn")
    if "port" in peer:
        problems += checks.integer(peer["port"], at / "port", 1, facts.METALLB_BGP_PORT_MAX)
    if "password_secret" in peer:
        problems += checks.subdomain(peer["password_secret"], at / "password_secret")
    return problems + _multihop_problems(peer, at, my_asn)


def _multihop_problems(peer: Mapping[str, Any], at: Path, my_asn: int | None) -> list[Problem]:
    if "ebgp_multihop" not in peer:
        return []
    problems = checks.boolean(peer["ebgp_multihop"], at / "ebgp_multihop")
    if peer["ebgp_multihop"] is True and my_asn is not None and peer.get("asn") == my_asn:
        why = (
            f"asn {my_asn} equals metallb.bgp.my_asn, so the peer is iBGP, which MetalLB refuses multihop for"
        )
        problems.append(conflict(at / "ebgp_multihop", True, at / "asn", why))
    return problems


def _valid_pool(args: Mapping[str, Any]) -> list[IpRange] | None:
    """The pool's blocks, or None when the pool has a problem of its own."""
    mlb = args.get("metallb")
    if not isinstance(mlb, Mapping) or _pool_problems(mlb.get("addresses")):
        return None
    return [b for b in (parse_pool_block(a) for a in mlb["addresses"]) if b is not None]


def _load_balancer_ip_problems(args: Mapping[str, Any], placement: Placement | None) -> list[Problem]:
    if placement is not Placement.IN_CLUSTER or args.get("load_balancer_ip") is None:
        return []
    raw = args["load_balancer_ip"]
    try:
        ip = ipaddress.ip_address(raw if isinstance(raw, str) else "")
    except ValueError:
        return [invalid("load_balancer_ip", raw, "an IP address from metallb.addresses")]
    pool = _valid_pool(args)
    if pool is None or any(ip.version == lo.version and int(lo) <= int(ip) <= int(hi) for lo, hi in pool):
        return []
    blocks = ", ".join(args["metallb"]["addresses"])
    return [invalid("load_balancer_ip", raw, f"an address of the MetalLB pool ({blocks})")]


def _haproxy_pod_problems(args: Mapping[str, Any], placement: Placement | None) -> list[Problem]:
    if placement is not Placement.IN_CLUSTER:
        return []
    problems = checks.dns_label(args["namespace"], "namespace") if "namespace" in args else []
    problems += _workload_problems(args)
    problems += _node_selector_problems(args)
    problems += tolerations(args["tolerations"]) if "tolerations" in args else []
    if "image" in args:
        problems += checks.image(args["image"], "image")
    if "monitoring_namespace" in args:
        problems += checks.dns_label(args["monitoring_namespace"], "monitoring_namespace")
    return problems + _service_monitor_problems(args)


def _workload(args: Mapping[str, Any]) -> Workload | None:
    raw = args.get("workload", DEFAULT_WORKLOAD.value)
    return _member(Workload, raw)


def _replicas_problems(args: Mapping[str, Any]) -> list[Problem]:
    why = "one pod is a single point of failure and blocks node drains"
    return checks.because(checks.integer(args["replicas"], "replicas", 2, MAX_REPLICAS), why)


def _workload_problems(args: Mapping[str, Any]) -> list[Problem]:
    workload = _workload(args)
    if workload is None:
        return checks.one_of(args["workload"], Workload, "workload")
    if workload is Workload.DAEMONSET:
        why = "a DaemonSet runs one HAProxy pod on every node node_selector selects"
        return [conflict(k, args[k], "workload", why) for k in ("replicas", "autoscaling") if k in args]
    problems = _replicas_problems(args) if "replicas" in args else []
    if "autoscaling" in args:
        problems += _autoscaling_problems(args["autoscaling"], args, replicas_ok=not problems)
    return problems


def _autoscaling_problems(auto: object, args: Mapping[str, Any], replicas_ok: bool) -> list[Problem]:
    at = Path.of("autoscaling")
    if not isinstance(auto, Mapping):
        return [invalid(at, auto, "a mapping with max_replicas and, optionally, target_cpu_percent")]
    problems = checks.unknown_keys(auto, AUTOSCALING_KEYS, at)
    problems += checks.required(
        auto, "max_replicas", "the most HAProxy pods the HorizontalPodAutoscaler may run", at
    )
    if auto.get("max_replicas") is not None:
        problems += _max_replicas_problems(auto["max_replicas"], args, replicas_ok)
    if "target_cpu_percent" in auto:
        problems += checks.integer(auto["target_cpu_percent"], at / "target_cpu_percent", 10, 100)
    return problems


def _max_replicas_problems(value: object, args: Mapping[str, Any], replicas_ok: bool) -> list[Problem]:
    """At least `replicas`, the HPA's minimum (as written, or its default), so the HPA never
    scales below the floor the PDB (maxUnavailable 1) relies on."""
    floor, said = 2, "2"
    if replicas_ok:
        floor = args.get("replicas", DEFAULT_REPLICAS)
        said = f"replicas ({floor})" if "replicas" in args else f"replicas ({floor}, the default)"
    if is_int(value) and floor <= value <= MAX_REPLICAS:
        return []
    why = "the HorizontalPodAutoscaler scales between replicas and max_replicas"
    return [
        invalid(
            Path.of("autoscaling") / "max_replicas", value, f"an integer from {said} to {MAX_REPLICAS}: {why}"
        )
    ]


def _node_selector_problems(args: Mapping[str, Any]) -> list[Problem]:
    if "node_selector" in args:
        problems = checks.labels(args["node_selector"], "node_selector", at_least=1)
        return problems or _announcing_problems(args)
    if _workload(args) is Workload.DAEMONSET:
        what_for = (
            "the labels of the edge nodes the HAProxy DaemonSet runs on; without them it runs on every node"
        )
        return [missing("node_selector", what_for)]
    return _announcing_problems(args)


def _announcing_problems(args: Mapping[str, Any]) -> list[Problem]:
    """HAProxy runs only where the IP may be announced: with externalTrafficPolicy Local only a
    node with a ready HAProxy pod announces it, so a pod outside every announcing node's
    selector leaves the IP silent when the others are gone."""
    mlb = args.get("metallb")
    if not isinstance(mlb, Mapping) or "node_selectors" not in mlb:
        return []
    selectors = mlb["node_selectors"]
    if _label_selectors(selectors, "x"):
        return []  # reported at metallb.node_selectors
    local = "with externalTrafficPolicy Local only a node with a ready HAProxy pod announces the IP"
    if "node_selector" not in args:
        return [missing("node_selector", f"the HAProxy nodes, inside one of metallb.node_selectors: {local}")]
    mine = args["node_selector"]
    if any(sel.items() <= mine.items() for sel in selectors):
        return []
    why = f"HAProxy may then run on nodes that never announce the IP, and {local}; include one selector's labels"
    return [conflict("node_selector", mine, "metallb.node_selectors", why)]


def _service_monitor_problems(args: Mapping[str, Any]) -> list[Problem]:
    problems = checks.boolean(args["service_monitor"], "service_monitor") if "service_monitor" in args else []
    if "service_monitor_labels" not in args or problems:
        return problems  # a bad service_monitor has its own problem: nothing to compare with
    key, value = "service_monitor_labels", args["service_monitor_labels"]
    if args.get("service_monitor") is not True:
        why = "the labels are for the ServiceMonitor and PrometheusRule, which only service_monitor: true creates"
        return [conflict(key, value, "service_monitor", why)]
    return checks.labels(value, key)


def _node_address_problems(args: Mapping[str, Any], placement: Placement | None) -> list[Problem]:
    nodes = args.get("node_addresses")
    if placement is not Placement.EXTERNAL or nodes is None:
        return []
    if not checks.is_list(nodes) or not nodes:
        return [invalid("node_addresses", nodes, "a list of at least one node IP address")]
    bad = [
        invalid(Path.of("node_addresses") / i, n, "a node IP address")
        for i, n in enumerate(nodes)
        if not _is_ip(n)
    ]
    return bad or checks.distinct(nodes, "node_addresses")


def _is_ip(value: object) -> bool:
    try:
        ipaddress.ip_address(value if isinstance(value, str) else "")
    except ValueError:
        return False
    return True


def _source_cidr_problems(args: Mapping[str, Any]) -> list[Problem]:
    if args.get("haproxy_source_cidrs") is None:
        return []
    why = "the gateway would believe the PROXY header of any client"
    return checks.cidr_list(
        args["haproxy_source_cidrs"],
        "haproxy_source_cidrs",
        what="HAProxy source networks",
        at_least=1,
        every_address=why,
    )


def _authorization_policy_problems(args: Mapping[str, Any], placement: Placement | None) -> list[Problem]:
    if "authorization_policy" not in args:
        return []
    problems = checks.boolean(args["authorization_policy"], "authorization_policy")
    # External placement requires the CIDRs anyway (reported once, by its own rule).
    if args["authorization_policy"] is True and placement is Placement.IN_CLUSTER:
        what_for = (
            "the HAProxy pod CIDRs, the only peers the authorization policy lets reach the gateway ports"
        )
        problems += checks.required(args, "haproxy_source_cidrs", what_for)
    return problems


def _gateway_problems(args: Mapping[str, Any]) -> list[Problem]:
    if "gateway" not in args:
        return []
    gw = args["gateway"]
    if not isinstance(gw, Mapping):
        return [invalid("gateway", gw, "a mapping with namespace, deployment and selector")]
    problems = checks.unknown_keys(gw, GATEWAY_KEYS, "gateway")
    for key in ("namespace", "deployment"):
        if key in gw:
            problems += checks.dns_label(gw[key], Path.of("gateway") / key)
    if "selector" in gw:
        problems += checks.labels(gw["selector"], "gateway.selector", at_least=1)
    return problems


def _health_check_problems(args: Mapping[str, Any]) -> list[Problem]:
    if "health_check" not in args:
        return []
    hc = args["health_check"]
    if not isinstance(hc, Mapping):
        return [invalid("health_check", hc, "a mapping with inter_ms, fall and rise")]
    return checks.unknown_keys(hc, HEALTH_KEYS, "health_check") + health_problems(hc, "health_check")
