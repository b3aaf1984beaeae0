"""`ProxyProtocolIngress`: MetalLB (L2) -> HAProxy -> Istio ingress gateway, keeping the client IP.

Seed 004: with MetalLB in L2 mode one leader node answers for a LoadBalancer IP, so
`externalTrafficPolicy: Local` on the *gateway* Service breaks whenever no gateway pod runs
on that node, and `Cluster` SNATs the client away. Instead HAProxy relays TCP to the gateway
and prepends a PROXY protocol v2 header that Envoy reads (proxy_protocol listener filter).

The pure functions here build everything (validation, haproxy.cfg settings, manifests);
the ComponentResource only registers them. What it creates:

- MetalLB (optional): the pinned official chart as a `helm.v3.Release` that waits for its
  resources (so the CRDs and the validating webhook are serving), then `IPAddressPool` and
  `L2Advertisement` with `depends_on` the release — the first-install race (webhook without
  endpoints) cannot happen because the pool is only sent once the release is ready.
- HAProxy, `in-cluster`: Namespace (restricted Pod Security), ConfigMap with haproxy.cfg,
  Deployment (checksum annotation rolls pods on config change), PDB, LoadBalancer Service
  with a fixed MetalLB IP and `externalTrafficPolicy: Local` so HAProxy sees the client
  address. `external`: only the haproxy.cfg text (output), plus a NodePort Service with
  `externalTrafficPolicy: Local` on the gateway pods for the external HAProxy to reach.
- Receiver on the gateway: Istio >= 1.19 a `DeploymentPatch` adding the
  `proxy.istio.io/config` gatewayTopology.proxyProtocol pod annotation to the existing
  gateway Deployment; 1.17-1.18 an `EnvoyFilter` (LISTENER_FILTER, INSERT_FIRST).
- Spoofing protection: a NetworkPolicy that admits only HAProxy (pods or external
  addresses) to the gateway's PROXY ports, optionally an Istio DENY AuthorizationPolicy.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, Required, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.names import LABEL_VALUE
from traffic_edge._shared.problems import Problem, raise_if
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import (
    DnsServers,
    HaproxyConfig,
    HealthCheck,
    Placement,
    Route,
    render_haproxy_cfg,
    validate_haproxy_config,
)

METALLB_CHART = "metallb"
METALLB_CHART_VERSION = "0.16.1"
METALLB_REPO = "https://metallb.github.io/metallb"
DEFAULT_IMAGE = "docker.io/library/haproxy:2.6"
"""The HAProxy branch the tests run (Debian's 2.6); pin a digest in production stacks."""
HAPROXY_UID = 99
"""The `haproxy` user of the official image."""
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"


class IngressPort(TypedDict):
    """One public port."""

    name: str
    """Port name (``https``), 1-15 characters of a-z, 0-9, '-'."""
    port: int
    """Public port: what HAProxy listens on and the LoadBalancer Service exposes."""
    target_port: int
    """The gateway pods' container port (``8443`` for Istio's default gateway)."""
    node_port: NotRequired[int]
    """`external` placement only: the NodePort (30000-32767) the external HAProxy connects to."""


class HealthCheckArgs(TypedDict, total=False):
    """HAProxy's health check of every gateway server."""

    inter_ms: int
    """Milliseconds between checks (default 2000)."""
    fall: int
    """Failed checks that mark a server DOWN (default 3)."""
    rise: int
    """Passed checks that bring it back (default 2)."""


class MetalLbArgs(TypedDict, total=False):
    """MetalLB in L2 mode."""

    addresses: Required[list[str]]
    """The pool: CIDRs (``192.0.2.16/28``) or ranges (``192.0.2.20-192.0.2.29``), no overlaps."""
    install: bool
    """Install the pinned chart (default true); false when MetalLB is already there."""
    namespace: str
    """MetalLB's namespace (default ``metallb-system``)."""


class GatewayArgs(TypedDict, total=False):
    """The existing Istio ingress gateway."""

    namespace: str
    """Default ``istio-system``."""
    deployment: str
    """Its Deployment, patched with the proxyProtocol annotation on Istio >= 1.19 (default
    ``istio-ingressgateway``)."""
    selector: dict[str, str]
    """Labels of its pods (default ``{"istio": "ingressgateway"}``)."""


class ProxyProtocolIngressArgs(TypedDict, total=False):
    istio_version: Required[str]
    """Istio ``major.minor[.patch]``; decides how the gateway is told to read PROXY (>= 1.17)."""
    ports: Required[list[IngressPort]]
    """The public ports."""
    placement: str
    """``in-cluster`` (default) or ``external`` (see `Placement`)."""
    metallb: MetalLbArgs
    """`in-cluster` only, required there: the MetalLB pool the fixed IP comes from."""
    load_balancer_ip: str
    """`in-cluster` only, required there: the fixed IP, inside the pool."""
    namespace: str
    """`in-cluster`: the namespace created for HAProxy (default ``haproxy-edge``)."""
    replicas: int
    """`in-cluster`: HAProxy pods (default 2, at least 2 so the PDB allows a drain)."""
    image: str
    """`in-cluster`: HAProxy image (default `DEFAULT_IMAGE`)."""
    node_addresses: list[str]
    """`external` only, required there: node IPs the external HAProxy forwards to (NodePorts)."""
    haproxy_source_cidrs: list[str]
    """Addresses HAProxy connects from. `external`: required, admitted by the NetworkPolicy.
    `in-cluster`: the pod CIDRs, needed only by `authorization_policy`."""
    gateway: GatewayArgs
    """The Istio ingress gateway that receives the PROXY header."""
    authorization_policy: bool
    """Also deny, in Envoy, any peer outside `haproxy_source_cidrs` on the gateway ports
    (default false; the NetworkPolicy alone needs a CNI that enforces it)."""
    health_check: HealthCheckArgs
    """HAProxy's health check of the gateway servers."""
    maxconn: int
    """HAProxy connection limit per process and frontend (default 20000)."""


_ARG_KEYS = frozenset(ProxyProtocolIngressArgs.__annotations__)
_PORT_KEYS = frozenset(IngressPort.__annotations__)
_METALLB_KEYS = frozenset(MetalLbArgs.__annotations__)
_GATEWAY_KEYS = frozenset(GatewayArgs.__annotations__)
_HEALTH_KEYS = frozenset(HealthCheckArgs.__annotations__)
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_IMAGE = re.compile(r"^[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$")
_ISTIO_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")
_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")

IpRange = tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ipaddress.IPv4Address | ipaddress.IPv6Address]


# --- validation ---------------------------------------------------------------------------


def istio_minor(version: str) -> tuple[int, int] | None:
    m = _ISTIO_VERSION.match(str(version).strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def _unknown(prefix: str, given: Mapping[str, Any], known: frozenset[str]) -> list[Problem]:
    return [
        Problem(f"{prefix}{k}", given[k], f"not a known key; known: {', '.join(sorted(known))}")
        for k in given
        if k not in known
    ]


def parse_pool_address(text: str) -> IpRange | None:
    """A MetalLB pool entry (CIDR or ``a-b`` range) as its first and last address."""
    try:
        if "-" in text:
            lo_s, hi_s = (s.strip() for s in text.split("-", 1))
            lo, hi = ipaddress.ip_address(lo_s), ipaddress.ip_address(hi_s)
            if lo.version != hi.version or lo > hi:  # type: ignore[operator]
                return None
            return lo, hi
        net = ipaddress.ip_network(text, strict=True)
        return net.network_address, net.broadcast_address
    except ValueError:
        return None


def _cidr_problems(key: str, values: object, what: str) -> list[Problem]:
    if not isinstance(values, list) or not values:
        return [Problem(key, values, f"a non-empty list of {what}")]
    out = []
    for i, v in enumerate(values):
        try:
            net = ipaddress.ip_network(str(v), strict=True)
        except ValueError:
            out.append(Problem(f"{key}[{i}]", v, f"an IP or CIDR ({what}) with no host bits set"))
            continue
        if net.prefixlen == 0:
            out.append(Problem(f"{key}[{i}]", v, f"{what}, not the whole internet: that trusts every client"))
    return out


def _port(value: object, lo: int = 1, hi: int = 65535) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def validate_proxy_protocol_ingress_args(args: Mapping[str, Any]) -> list[Problem]:
    """Every problem with `args`, keyed by the snake_case arg path."""
    problems = _unknown("", args, _ARG_KEYS)
    version = args.get("istio_version")
    minor = istio_minor(str(version)) if version is not None else None
    if version is None or minor is None:
        problems.append(Problem("istio_version", version, "an Istio version like '1.22' or '1.22.3'"))
    elif minor < (1, 17):
        problems.append(
            Problem(
                "istio_version",
                version,
                "Istio 1.17 or later: older gateways cannot insert the proxy_protocol listener filter "
                "first (LISTENER_FILTER patches need 1.17); upgrade Istio",
            )
        )
    placement_raw = args.get("placement", Placement.IN_CLUSTER.value)
    try:
        placement: Placement | None = Placement(placement_raw)
    except ValueError:
        placement = None
        problems.append(Problem("placement", placement_raw, "'in-cluster' or 'external'"))

    ports = args.get("ports")
    if not isinstance(ports, list) or not ports:
        problems.append(Problem("ports", ports, "a non-empty list of {name, port, target_port}"))
        ports = []
    for i, p in enumerate(ports):
        if not isinstance(p, dict):
            problems.append(Problem(f"ports[{i}]", p, "a mapping with name, port and target_port"))
            continue
        problems += _unknown(f"ports[{i}].", p, _PORT_KEYS)
        if not isinstance(p.get("name"), str):
            problems.append(Problem(f"ports[{i}].name", p.get("name"), "a port name such as 'https'"))
        for key in ("port", "target_port"):
            if not _port(p.get(key)):
                problems.append(Problem(f"ports[{i}].{key}", p.get(key), "a TCP port 1-65535"))
        if placement is Placement.EXTERNAL:
            if not _port(p.get("node_port"), 30000, 32767):
                problems.append(
                    Problem(
                        f"ports[{i}].node_port",
                        p.get("node_port"),
                        "a NodePort 30000-32767 (external placement)",
                    )
                )
        elif "node_port" in p:
            problems.append(
                Problem(f"ports[{i}].node_port", p["node_port"], "only with placement 'external'; remove it")
            )
    node_ports = [p.get("node_port") for p in ports if isinstance(p, dict) and "node_port" in p]
    for i, p in enumerate(ports):
        if isinstance(p, dict) and "node_port" in p and node_ports.count(p["node_port"]) > 1:
            problems.append(Problem(f"ports[{i}].node_port", p["node_port"], "a NodePort no other port uses"))

    in_cluster_only = ("metallb", "load_balancer_ip", "namespace", "replicas", "image")
    if placement is Placement.EXTERNAL:
        for key in in_cluster_only:
            if key in args:
                problems.append(Problem(key, args[key], "only with placement 'in-cluster'; remove it"))
        if "node_addresses" not in args:
            problems.append(
                Problem("node_addresses", None, "required with placement 'external': the node IPs")
            )
        else:
            nodes = args["node_addresses"]
            if not isinstance(nodes, list) or not nodes:
                problems.append(Problem("node_addresses", nodes, "a non-empty list of node IP addresses"))
            else:
                for i, n in enumerate(nodes):
                    try:
                        ipaddress.ip_address(str(n))
                    except ValueError:
                        problems.append(Problem(f"node_addresses[{i}]", n, "a node IP address"))
        if "haproxy_source_cidrs" not in args:
            problems.append(
                Problem(
                    "haproxy_source_cidrs",
                    None,
                    "required with placement 'external': the external HAProxy addresses the gateway admits",
                )
            )
    elif placement is Placement.IN_CLUSTER:
        if "node_addresses" in args:
            problems.append(
                Problem("node_addresses", args["node_addresses"], "only with placement 'external'; remove it")
            )
        problems += _metallb_problems(args)
        ns = args.get("namespace", "haproxy-edge")
        if not isinstance(ns, str) or not _DNS_LABEL.match(ns):
            problems.append(Problem("namespace", ns, "a DNS-1123 label (lower case, digits, '-')"))
        replicas = args.get("replicas", 2)
        if not isinstance(replicas, int) or isinstance(replicas, bool) or not 2 <= replicas <= 50:
            problems.append(
                Problem(
                    "replicas", replicas, "2-50: one pod is a single point of failure and blocks node drains"
                )
            )
        image = args.get("image", DEFAULT_IMAGE)
        if not isinstance(image, str) or not _IMAGE.match(image):
            problems.append(Problem("image", image, "an image reference with a tag or digest"))
    if "haproxy_source_cidrs" in args:
        problems += _cidr_problems(
            "haproxy_source_cidrs", args["haproxy_source_cidrs"], "HAProxy source addresses"
        )
    if args.get("authorization_policy") is True and "haproxy_source_cidrs" not in args:
        problems.append(
            Problem(
                "haproxy_source_cidrs",
                None,
                "required with authorization_policy: the HAProxy pod CIDRs (in-cluster) the policy allows",
            )
        )
    if "authorization_policy" in args and not isinstance(args["authorization_policy"], bool):
        problems.append(Problem("authorization_policy", args["authorization_policy"], "true or false"))

    gw = args.get("gateway", {})
    if not isinstance(gw, dict):
        problems.append(Problem("gateway", gw, "a mapping with namespace, deployment, selector"))
    else:
        problems += _unknown("gateway.", gw, _GATEWAY_KEYS)
        for key in ("namespace", "deployment"):
            if key in gw and (not isinstance(gw[key], str) or not _DNS_LABEL.match(gw[key])):
                problems.append(
                    Problem(f"gateway.{key}", gw[key], "a DNS-1123 label (lower case, digits, '-')")
                )
        sel = gw.get("selector", {"istio": "ingressgateway"})
        if not isinstance(sel, dict) or not sel:
            problems.append(Problem("gateway.selector", sel, "a non-empty mapping of pod labels"))
        else:
            for k, v in sel.items():
                if not _LABEL_KEY.match(str(k)) or not isinstance(v, str) or not LABEL_VALUE.match(v):
                    problems.append(Problem(f"gateway.selector.{k}", v, "a Kubernetes label key and value"))
    hc = args.get("health_check", {})
    if isinstance(hc, dict):
        problems += _unknown("health_check.", hc, _HEALTH_KEYS)
        for key in ("inter_ms", "fall", "rise"):
            if key in hc and (not isinstance(hc[key], int) or isinstance(hc[key], bool)):
                problems.append(Problem(f"health_check.{key}", hc[key], "a whole number"))
    else:
        problems.append(Problem("health_check", hc, "a mapping with inter_ms, fall, rise"))

    maxconn = args.get("maxconn", 20000)
    if not isinstance(maxconn, int) or isinstance(maxconn, bool):
        problems.append(Problem("maxconn", maxconn, "a whole number of connections"))
    # The haproxy.cfg rules (port ranges, duplicates, health and maxconn ranges) are the
    # generator's; translate its keys back to arg keys instead of repeating them here.
    # Only once the values it reads are well-typed (it compares numbers).
    shaky = ("ports", "health_check", "maxconn", "node_addresses", "placement")
    if not any(p.key.startswith(shaky) for p in problems):
        problems += [_cfg_key_to_arg(p) for p in validate_haproxy_config(haproxy_config(args))]
    return problems


def _metallb_problems(args: Mapping[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    mlb = args.get("metallb")
    if not isinstance(mlb, dict):
        return [Problem("metallb", mlb, "required with placement 'in-cluster': a mapping with addresses")]
    out += _unknown("metallb.", mlb, _METALLB_KEYS)
    ns = mlb.get("namespace", "metallb-system")
    if not isinstance(ns, str) or not _DNS_LABEL.match(ns):
        out.append(Problem("metallb.namespace", ns, "a DNS-1123 label (lower case, digits, '-')"))
    if "install" in mlb and not isinstance(mlb["install"], bool):
        out.append(Problem("metallb.install", mlb["install"], "true or false"))
    addrs = mlb.get("addresses")
    ranges: list[tuple[int, IpRange]] = []
    if not isinstance(addrs, list) or not addrs:
        out.append(Problem("metallb.addresses", addrs, "a non-empty list of CIDRs or 'first-last' ranges"))
        addrs = []
    for i, a in enumerate(addrs):
        r = parse_pool_address(str(a))
        if r is None:
            out.append(
                Problem(
                    f"metallb.addresses[{i}]",
                    a,
                    "a CIDR with no host bits set (192.0.2.16/28) or a range first-last (192.0.2.20-192.0.2.29)",
                )
            )
            continue
        for j, other in ranges:
            if r[0].version == other[0].version and r[0] <= other[1] and other[0] <= r[1]:  # type: ignore[operator]
                out.append(
                    Problem(
                        f"metallb.addresses[{i}]", a, f"a block that does not overlap metallb.addresses[{j}]"
                    )
                )
        ranges.append((i, r))
    ip_raw = args.get("load_balancer_ip")
    if ip_raw is None:
        out.append(
            Problem(
                "load_balancer_ip", None, "required with placement 'in-cluster': a fixed IP from the pool"
            )
        )
    else:
        try:
            ip = ipaddress.ip_address(str(ip_raw))
        except ValueError:
            out.append(Problem("load_balancer_ip", ip_raw, "an IP address from metallb.addresses"))
        else:
            if ranges and not any(
                ip.version == lo.version and lo <= ip <= hi  # type: ignore[operator]
                for _, (lo, hi) in ranges
            ):
                out.append(
                    Problem(
                        "load_balancer_ip",
                        ip_raw,
                        f"an address inside metallb.addresses {[str(a) for a in addrs]}",
                    )
                )
    return out


def _cfg_key_to_arg(p: Problem) -> Problem:
    key = p.key
    key = re.sub(r"^routes\[(\d+)\]\.name", r"ports[\1].name", key)
    key = re.sub(r"^routes\[(\d+)\]\.bind_port", r"ports[\1].port", key)
    key = re.sub(r"^routes\[(\d+)\]\.server_port", r"ports[\1].target_port", key)
    key = key.replace("health.", "health_check.")
    key = re.sub(r"^servers\[", "node_addresses[", key)
    return Problem(key, p.value, p.allowed)


# --- pure plan ----------------------------------------------------------------------------


def _gateway(args: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    gw = args.get("gateway", {})
    return (
        gw.get("namespace", "istio-system"),
        gw.get("deployment", "istio-ingressgateway"),
        dict(gw.get("selector", {"istio": "ingressgateway"})),
    )


def gateway_pods_service_name(name: str) -> str:
    """The headless Service (in-cluster) or NodePort Service (external) on the gateway pods."""
    return f"{name}-gateway-pp"


def haproxy_config(args: Mapping[str, Any], name: str = "edge") -> HaproxyConfig:
    """The haproxy.cfg settings for `args` (component `name`); assumes args are valid."""
    placement = Placement(args.get("placement", Placement.IN_CLUSTER.value))
    hc = args.get("health_check", {})
    health = HealthCheck(inter_ms=hc.get("inter_ms", 2000), fall=hc.get("fall", 3), rise=hc.get("rise", 2))
    gw_ns, _, _ = _gateway(args)
    ports = args.get("ports", [])
    servers: tuple[str, ...] | DnsServers
    if placement is Placement.IN_CLUSTER:
        routes = tuple(Route(p.get("name", ""), p.get("port", 0), p.get("target_port", 0)) for p in ports)
        servers = DnsServers(f"{gateway_pods_service_name(name)}.{gw_ns}.svc.cluster.local")
    else:
        routes = tuple(Route(p.get("name", ""), p.get("port", 0), p.get("node_port", 0)) for p in ports)
        servers = tuple(str(n) for n in args.get("node_addresses", []))
    return HaproxyConfig(
        routes=routes,
        servers=servers,
        placement=placement,
        health=health,
        maxconn=args.get("maxconn", 20000),
    )


def haproxy_labels(name: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "haproxy",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": "proxy-protocol-edge",
    }


_MANAGED = {"app.kubernetes.io/managed-by": "traffic-edge"}


def _meta(name: str, namespace: str | None = None, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {**_MANAGED, **(labels or {})}}
    if namespace:
        meta["namespace"] = namespace
    return meta


def metallb_manifests(name: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    """IPAddressPool + L2Advertisement; the Service picks the pool by name."""
    mlb = args["metallb"]
    ns = mlb.get("namespace", "metallb-system")
    return [
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "IPAddressPool",
            "metadata": _meta(f"{name}-pool", ns),
            # autoAssign off: these addresses are handed out only to Services that ask by
            # annotation, so a random `type: LoadBalancer` cannot take the edge's fixed IP.
            "spec": {"addresses": list(mlb["addresses"]), "autoAssign": False},
        },
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "L2Advertisement",
            "metadata": _meta(f"{name}-l2", ns),
            "spec": {"ipAddressPools": [f"{name}-pool"]},
        },
    ]


def haproxy_manifests(name: str, args: Mapping[str, Any], cfg_text: str) -> list[dict[str, Any]]:
    """Namespace, ConfigMap, Deployment, PDB and LoadBalancer Service of the in-cluster HAProxy."""
    ns = args.get("namespace", "haproxy-edge")
    labels = haproxy_labels(name)
    cfg = haproxy_config(args, name)
    checksum = hashlib.sha256(cfg_text.encode()).hexdigest()
    mlb_ns_pool = f"{name}-pool"
    container_ports = [{"name": r.name, "containerPort": r.bind_port, "protocol": "TCP"} for r in cfg.routes]
    container_ports.append({"name": "stats", "containerPort": cfg.stats_port, "protocol": "TCP"})
    pod_spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": HAPROXY_UID,
            "runAsGroup": HAPROXY_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
            # A "safe" sysctl (allowed by the restricted profile) so the non-root process
            # binds the public ports itself, with no NET_BIND_SERVICE capability.
            "sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}],
        },
        # Longer than haproxy.cfg's hard-stop-after (30s): the soft stop drains first.
        "terminationGracePeriodSeconds": 40,
        "affinity": {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "podAffinityTerm": {
                            "topologyKey": "kubernetes.io/hostname",
                            "labelSelector": {"matchLabels": labels},
                        },
                    }
                ]
            }
        },
        "containers": [
            {
                "name": "haproxy",
                "image": args.get("image", DEFAULT_IMAGE),
                "args": ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"],
                "ports": container_ports,
                "readinessProbe": {"httpGet": {"path": "/stats", "port": "stats"}, "periodSeconds": 5},
                "livenessProbe": {"tcpSocket": {"port": "stats"}, "periodSeconds": 10, "failureThreshold": 3},
                # The Service endpoint disappears before HAProxy stops, so MetalLB/kube-proxy
                # stop sending new connections to a pod that is about to drain.
                "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
                "resources": {
                    "requests": {"cpu": "100m", "memory": "128Mi"},
                    "limits": {"memory": "256Mi"},
                },
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "capabilities": {"drop": ["ALL"]},
                },
                "volumeMounts": [{"name": "config", "mountPath": "/usr/local/etc/haproxy", "readOnly": True}],
            }
        ],
        "volumes": [{"name": "config", "configMap": {"name": f"{name}-haproxy"}}],
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": _meta(
                ns,
                labels={
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            ),
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(f"{name}-haproxy", ns, labels),
            "data": {"haproxy.cfg": cfg_text},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _meta(f"{name}-haproxy", ns, labels),
            "spec": {
                "replicas": args.get("replicas", 2),
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {
                        "labels": {**_MANAGED, **labels},
                        "annotations": {"checksum/haproxy.cfg": checksum},
                    },
                    "spec": pod_spec,
                },
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta(f"{name}-haproxy", ns, labels),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                **_meta(f"{name}-haproxy", ns, labels),
                "annotations": {
                    "metallb.io/loadBalancerIPs": str(args["load_balancer_ip"]),
                    "metallb.io/address-pool": mlb_ns_pool,
                },
            },
            "spec": {
                "type": "LoadBalancer",
                # Local: no SNAT, so HAProxy sees (and forwards in PROXY) the client address.
                # MetalLB L2 then announces the IP only from a node with a ready HAProxy pod.
                "externalTrafficPolicy": "Local",
                "selector": labels,
                # The stats port is deliberately absent: it stays inside the cluster.
                "ports": [
                    {"name": r.name, "port": r.bind_port, "targetPort": r.name, "protocol": "TCP"}
                    for r in cfg.routes
                ],
            },
        },
    ]


def gateway_manifests(name: str, args: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What the gateway side gets: pod Service for HAProxy, receiver (EnvoyFilter < 1.19),
    NetworkPolicy, optional AuthorizationPolicy. The >= 1.19 Deployment patch is separate
    (`gateway_proxy_config_patch`): it is a partial object, not a manifest."""
    gw_ns, _, selector = _gateway(args)
    placement = Placement(args.get("placement", Placement.IN_CLUSTER.value))
    ports: list[dict[str, Any]] = args["ports"]
    minor = istio_minor(str(args["istio_version"]))
    assert minor is not None
    out: list[dict[str, Any]] = []
    svc_ports = [
        {"name": p["name"], "port": p["target_port"], "targetPort": p["target_port"], "protocol": "TCP"}
        for p in ports
    ]
    if placement is Placement.IN_CLUSTER:
        # Headless: one A record per ready gateway pod, so HAProxy checks and balances each
        # pod itself and connects pod-to-pod (no kube-proxy hop to hide HAProxy's address
        # from the NetworkPolicy). The gateway's own ClusterIP Service is left as it is.
        svc_spec: dict[str, Any] = {"clusterIP": "None", "selector": selector, "ports": svc_ports}
    else:
        # Local: kube-proxy does not SNAT, so the gateway (and the NetworkPolicy) see the
        # external HAProxy's address; nodes without a gateway pod fail HAProxy's checks
        # and are skipped — HAProxy does what MetalLB L2 cannot.
        svc_spec = {
            "type": "NodePort",
            "externalTrafficPolicy": "Local",
            "selector": selector,
            "ports": [{**sp, "nodePort": p["node_port"]} for sp, p in zip(svc_ports, ports, strict=True)],
        }
    out.append(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(gateway_pods_service_name(name), gw_ns),
            "spec": svc_spec,
        }
    )
    if minor < (1, 19):
        out.append(
            {
                "apiVersion": "networking.istio.io/v1alpha3",
                "kind": "EnvoyFilter",
                "metadata": _meta(f"{name}-proxy-protocol", gw_ns),
                "spec": {
                    "workloadSelector": {"labels": selector},
                    "configPatches": [
                        {
                            "applyTo": "LISTENER_FILTER",
                            "match": {"context": "GATEWAY"},
                            # First, before tls_inspector: the inspector would otherwise read the
                            # PROXY bytes as a TLS ClientHello and SNI routing breaks.
                            "patch": {
                                "operation": "INSERT_FIRST",
                                "value": {
                                    "name": "envoy.filters.listener.proxy_protocol",
                                    "typed_config": {
                                        "@type": "type.googleapis.com/"
                                        "envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol"
                                    },
                                },
                            },
                        }
                    ],
                },
            }
        )
    peer: list[dict[str, Any]]
    if placement is Placement.IN_CLUSTER:
        peer = [
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": args.get("namespace", "haproxy-edge")}
                },
                "podSelector": {"matchLabels": haproxy_labels(name)},
            }
        ]
    else:
        peer = [{"ipBlock": {"cidr": str(c)}} for c in args["haproxy_source_cidrs"]]
    proxy_ports = sorted({int(p["target_port"]) for p in ports})
    out.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta(f"{name}-gateway-proxy-protocol", gw_ns),
            "spec": {
                "podSelector": {"matchLabels": selector},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": peer, "ports": [{"protocol": "TCP", "port": p} for p in proxy_ports]},
                    # A policy that selects a pod denies every port it does not list, so the
                    # gateway's other ports (status 15021, metrics 15090, ...) stay open as before.
                    {"ports": other_port_ranges(proxy_ports)},
                ],
            },
        }
    )
    if args.get("authorization_policy") is True:
        api = "security.istio.io/v1" if minor >= (1, 22) else "security.istio.io/v1beta1"
        out.append(
            {
                "apiVersion": api,
                "kind": "AuthorizationPolicy",
                "metadata": _meta(f"{name}-proxy-protocol-peers", gw_ns),
                "spec": {
                    "selector": {"matchLabels": selector},
                    "action": "DENY",
                    # ipBlocks is the TCP peer (Envoy's direct_remote_ip), never the PROXY
                    # address — exactly the thing a forger cannot choose.
                    "rules": [
                        {
                            "from": [
                                {"source": {"notIpBlocks": [str(c) for c in args["haproxy_source_cidrs"]]}}
                            ],
                            "to": [{"operation": {"ports": [str(p) for p in proxy_ports]}}],
                        }
                    ],
                },
            }
        )
    return out


def other_port_ranges(ports: Sequence[int]) -> list[dict[str, Any]]:
    """NetworkPolicy port entries covering every TCP/UDP port except `ports`."""
    out: list[dict[str, Any]] = []
    start = 1
    for p in [*sorted(set(ports)), 65536]:
        if start <= p - 1:
            for proto in ("TCP", "UDP"):
                entry: dict[str, Any] = {"protocol": proto, "port": start}
                if p - 1 > start:
                    entry["endPort"] = p - 1
                out.append(entry)
        start = p + 1
    return out


def gateway_proxy_config() -> str:
    """The `proxy.istio.io/config` annotation value (Istio >= 1.19)."""
    # numTrustedProxies stays 0: with any trusted hop Envoy prefers X-Forwarded-For over the
    # PROXY address, and clients write X-Forwarded-For themselves.
    return json.dumps(
        {"gatewayTopology": {"numTrustedProxies": 0, "proxyProtocol": {}}}, separators=(",", ":")
    )


def gateway_proxy_config_patch(args: Mapping[str, Any]) -> dict[str, Any] | None:
    """The partial Deployment applied (server-side) to the existing gateway on Istio >= 1.19."""
    minor = istio_minor(str(args["istio_version"]))
    if minor is None or minor < (1, 19):
        return None
    gw_ns, deployment, _ = _gateway(args)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": deployment,
            "namespace": gw_ns,
            # The gateway Deployment belongs to the Istio installation; force only takes our
            # one annotation field, and `pulumi destroy` gives it back.
            "annotations": {"pulumi.com/patchForce": "true"},
        },
        "spec": {
            "template": {"metadata": {"annotations": {PROXY_CONFIG_ANNOTATION: gateway_proxy_config()}}}
        },
    }


def traefik_trust(args: Mapping[str, Any], name: str) -> dict[str, Any]:
    """What a Traefik behind this HAProxy must trust (`TraefikGatewayArgs` keys).

    `trusted_cidrs`: the addresses HAProxy connects from (`haproxy_source_cidrs`; for
    in-cluster HAProxy the pod CIDRs). `trusted_pods` (in-cluster only): the HAProxy pods,
    for the NetworkPolicy in front of Traefik.
    """
    out: dict[str, Any] = {
        "proxy_protocol": True,
        "trusted_cidrs": list(args.get("haproxy_source_cidrs", [])),
    }
    if Placement(args.get("placement", Placement.IN_CLUSTER.value)) is Placement.IN_CLUSTER:
        out["trusted_pods"] = {
            "namespace": args.get("namespace", "haproxy-edge"),
            "match_labels": haproxy_labels(name),
        }
    return out


# --- component ----------------------------------------------------------------------------


class ProxyProtocolIngress(pulumi.ComponentResource):
    """MetalLB -> HAProxy (send-proxy-v2) -> Istio ingress gateway that reads the PROXY header.

    Args: `ProxyProtocolIngressArgs` (every key documented there). Outputs:
    `load_balancer_ip` (the fixed MetalLB IP, in-cluster; None external) and `haproxy_cfg`
    (the rendered text; for `external` this is what gets installed on the HAProxy host).
    """

    load_balancer_ip: pulumi.Output[str | None]
    haproxy_cfg: pulumi.Output[str]

    def __init__(
        self, name: str, args: ProxyProtocolIngressArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        raise_if(f"ProxyProtocolIngress {name!r}", validate_proxy_protocol_ingress_args(args))
        super().__init__("traffic-edge:index:ProxyProtocolIngress", name, None, opts)
        a: Mapping[str, Any] = args
        child = pulumi.ResourceOptions(parent=self)
        self.haproxy_cfg_text = render_haproxy_cfg(haproxy_config(a, name))
        # Generated files the stack writes to out/plan/<stack>/configs/<name>/ (external HAProxy
        # has no ConfigMap: this is where its operators take the file from).
        self.config_files = {"haproxy.cfg": self.haproxy_cfg_text}
        placement = Placement(a.get("placement", Placement.IN_CLUSTER.value))

        lb_ip: str | None = None
        if placement is Placement.IN_CLUSTER:
            lb_ip = str(a["load_balancer_ip"])
            mlb = a["metallb"]
            after: list[pulumi.Resource] = []
            if mlb.get("install", True):
                mlb_ns = mlb.get("namespace", "metallb-system")
                namespace = k8s_objects.create(
                    f"{name}-metallb-ns",
                    {
                        "apiVersion": "v1",
                        "kind": "Namespace",
                        # The speaker needs host networking and NET_RAW: privileged by design.
                        "metadata": _meta(
                            mlb_ns, labels={"pod-security.kubernetes.io/enforce": "privileged"}
                        ),
                    },
                    child,
                )
                release = k8s.helm.v3.Release(
                    f"{name}-metallb",
                    chart=METALLB_CHART,
                    version=METALLB_CHART_VERSION,
                    repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=METALLB_REPO),
                    namespace=mlb_ns,
                    # Wait for every chart resource (webhook Deployment ready, CRDs
                    # established) before anything that depends on the release is sent.
                    skip_await=False,
                    atomic=True,
                    timeout=600,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
                )
                after = [release]
            for m in metallb_manifests(name, a):
                k8s_objects.create(
                    f"{name}-{m['kind'].lower()}", m, pulumi.ResourceOptions(parent=self, depends_on=after)
                )
            for m in haproxy_manifests(name, a, self.haproxy_cfg_text):
                k8s_objects.create(f"{name}-haproxy-{m['kind'].lower()}", m, child)

        for m in gateway_manifests(name, a):
            k8s_objects.create(f"{name}-gateway-{m['kind'].lower()}", m, child)
        patch = gateway_proxy_config_patch(a)
        if patch is not None:
            k8s.apps.v1.DeploymentPatch(
                f"{name}-gateway-proxy-config",
                metadata=patch["metadata"],
                spec=patch["spec"],
                opts=child,
            )

        self.load_balancer_ip = pulumi.Output.from_input(lb_ip)
        self.haproxy_cfg = pulumi.Output.from_input(self.haproxy_cfg_text)
        self.register_outputs({"load_balancer_ip": self.load_balancer_ip, "haproxy_cfg": self.haproxy_cfg})
