"""The resolved plan of a `ProxyProtocolIngress`: every default applied once, frozen.

`plan_proxy_protocol_ingress(name, args)` turns *validated* args into an `IngressPlan`; the
haproxy.cfg settings, the manifests and the component's resources are all built from that
plan, never from the args again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from traffic_edge._shared.tolerations import manifest as toleration_manifest
from traffic_edge._shared.versions import KubeVersion
from traffic_edge.proxy_protocol_ingress import facts
from traffic_edge.proxy_protocol_ingress.args import MetalLbMode, Placement, Workload
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import DnsServers, HaproxyConfig, HealthCheck, Route

DEFAULT_PLACEMENT = Placement.IN_CLUSTER
DEFAULT_NAMESPACE = "haproxy-edge"
DEFAULT_MONITORING_NAMESPACE = "monitoring"
DEFAULT_REPLICAS = 2
DEFAULT_MAXCONN = 20000
DEFAULT_METALLB_NAMESPACE = "metallb-system"
DEFAULT_GATEWAY_NAMESPACE = "istio-system"
DEFAULT_GATEWAY_DEPLOYMENT = "istio-ingressgateway"
DEFAULT_GATEWAY_SELECTOR: Mapping[str, str] = MappingProxyType({"istio": "ingressgateway"})
DEFAULT_HEALTH = HealthCheck()
DEFAULT_WORKLOAD = Workload.DEPLOYMENT
DEFAULT_METALLB_MODE = MetalLbMode.L2
DEFAULT_BGP_PORT = 179
DEFAULT_TARGET_CPU_PERCENT = 70


@dataclass(frozen=True)
class Port:
    name: str
    port: int
    """Public port (HAProxy's frontend)."""
    target_port: int
    """The gateway pods' container port."""
    node_port: int | None
    """`external` only: the NodePort the external HAProxy connects to."""


Labels = tuple[tuple[str, str], ...]
"""A label map, frozen in the order the user wrote it."""


@dataclass(frozen=True)
class BgpPeer:
    name: str
    address: str
    asn: int
    port: int
    password_secret: str | None
    """The name of a Secret in MetalLB's namespace; never a password."""
    ebgp_multihop: bool


@dataclass(frozen=True)
class BgpPlan:
    my_asn: int
    peers: tuple[BgpPeer, ...]


@dataclass(frozen=True)
class MetalLbPlan:
    addresses: tuple[str, ...]
    install: bool
    namespace: str
    mode: MetalLbMode = DEFAULT_METALLB_MODE
    node_selectors: tuple[Labels, ...] = ()
    """The nodes that may announce; empty: every node."""
    interfaces: tuple[str, ...] = ()
    """`l2` only; empty: every interface."""
    bgp: BgpPlan | None = None
    """`bgp` only."""


@dataclass(frozen=True)
class Autoscaling:
    """The HorizontalPodAutoscaler: from `min_replicas` (the plan's replicas) to `max_replicas`."""

    max_replicas: int
    target_cpu_percent: int


@dataclass(frozen=True)
class InClusterPlan:
    """The in-cluster HAProxy and the MetalLB pool its Service takes the fixed IP from."""

    namespace: str
    replicas: int
    image: str
    load_balancer_ip: str
    metallb: MetalLbPlan
    monitoring_namespace: str
    workload: Workload = DEFAULT_WORKLOAD
    autoscaling: Autoscaling | None = None
    """`deployment` only."""
    node_selector: Labels = ()
    tolerations: tuple[dict[str, Any], ...] = ()
    """The pod spec's tolerations items, as written (`traffic_edge._shared.tolerations.manifest`)."""
    service_monitor: bool = False
    """A metrics Service, a ServiceMonitor and the PrometheusRule with the alerts."""
    service_monitor_labels: tuple[tuple[str, str], ...] = ()
    service_monitor_labels_given: bool = False
    """Whether the args set them (an empty map on purpose is not a forgotten one)."""

    @property
    def warnings(self) -> list[str]:
        """Choices that silently do nothing, logged when the component is planned."""
        return self._autoscaling_warnings + self._monitoring_warnings

    @property
    def _autoscaling_warnings(self) -> list[str]:
        if self.autoscaling is None or self.metallb.mode is not MetalLbMode.L2:
            return []
        return [
            "autoscaling with metallb mode 'l2': every connection enters through the one node that "
            "announces the IP, and externalTrafficPolicy Local hands it only to the HAProxy pods on that "
            "node, so added pods carry traffic only if they land there; mode 'bgp' spreads connections "
            "over every node with a ready HAProxy pod"
        ]

    @property
    def _monitoring_warnings(self) -> list[str]:
        if self.service_monitor and not self.service_monitor_labels_given:
            return [
                "service_monitor is on but service_monitor_labels is not set: a Prometheus that selects "
                "ServiceMonitors and rules by label (kube-prometheus-stack selects release: <its release "
                "name> by default) never scrapes HAProxy and never loads its alerts; set e.g. "
                "{'release': 'kube-prometheus-stack'}, or {} for a Prometheus that selects every one"
            ]
        return []


@dataclass(frozen=True)
class GatewayPlan:
    namespace: str
    deployment: str
    selector: Mapping[str, str]


@dataclass(frozen=True)
class IngressPlan:
    name: str
    placement: Placement
    istio_version: KubeVersion
    ports: tuple[Port, ...]
    gateway: GatewayPlan
    in_cluster: InClusterPlan | None
    """None for `external` placement."""
    haproxy_source_cidrs: tuple[str, ...]
    authorization_policy: bool
    haproxy: HaproxyConfig

    @property
    def pool_name(self) -> str:
        return f"{self.name}-pool"

    @property
    def gateway_pods_service(self) -> str:
        """The headless Service (in-cluster) or NodePort Service (external) on the gateway pods."""
        return gateway_pods_service_name(self.name)

    @property
    def haproxy_labels(self) -> dict[str, str]:
        return haproxy_labels(self.name)

    @property
    def metrics_service(self) -> str:
        """The Service that lists only HAProxy's stats/Prometheus port; also the scrape's `job`."""
        return f"{self.name}-haproxy-metrics"

    @property
    def warnings(self) -> list[str]:
        return self.in_cluster.warnings if self.in_cluster is not None else []

    @property
    def patches_gateway_deployment(self) -> bool:
        """Istio reads the receiver from the gateway pods' annotation; older ones get an EnvoyFilter."""
        return self.istio_version >= facts.ISTIO_GATEWAY_TOPOLOGY_PROXY_PROTOCOL

    @property
    def authorization_api(self) -> str:
        # Every Istio the args accept (>= ISTIO_LISTENER_FILTER) serves v1 (ISTIO_SECURITY_V1).
        return "security.istio.io/v1"

    @property
    def proxy_ports(self) -> list[int]:
        """The gateway ports that receive PROXY headers, sorted, each once."""
        return sorted({p.target_port for p in self.ports})

    @property
    def traefik_trust(self) -> dict[str, Any]:
        """The sources a Traefik behind this HAProxy must trust (`TraefikGatewayArgs` keys).

        `trusted_cidrs`: the addresses HAProxy connects from (`haproxy_source_cidrs`; for an
        in-cluster HAProxy the pod CIDRs, when given). `trusted_pods` (in-cluster only): the
        HAProxy pods, for the NetworkPolicy in front of Traefik.
        """
        trust: dict[str, Any] = {}
        if self.haproxy_source_cidrs:
            trust["trusted_cidrs"] = list(self.haproxy_source_cidrs)
        if self.in_cluster is not None:
            trust["trusted_pods"] = {
                "namespace": self.in_cluster.namespace,
                "match_labels": self.haproxy_labels,
            }
        return trust


def gateway_pods_service_name(name: str) -> str:
    return f"{name}-gateway-pp"


def haproxy_labels(name: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "haproxy",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": "proxy-protocol-edge",
    }


def _placement(args: Mapping[str, Any]) -> Placement:
    return Placement(args["placement"]) if "placement" in args else DEFAULT_PLACEMENT


def _ports(args: Mapping[str, Any]) -> tuple[Port, ...]:
    return tuple(Port(p["name"], p["port"], p["target_port"], p.get("node_port")) for p in args["ports"])


def _gateway(args: Mapping[str, Any]) -> GatewayPlan:
    gw: Mapping[str, Any] = args.get("gateway") or {}
    return GatewayPlan(
        namespace=gw.get("namespace", DEFAULT_GATEWAY_NAMESPACE),
        deployment=gw.get("deployment", DEFAULT_GATEWAY_DEPLOYMENT),
        selector=MappingProxyType(dict(gw.get("selector", DEFAULT_GATEWAY_SELECTOR))),
    )


def _bgp(mlb: Mapping[str, Any]) -> BgpPlan | None:
    if "bgp" not in mlb:
        return None
    peers = tuple(
        BgpPeer(
            name=p["name"],
            address=str(p["address"]),
            asn=int(p["asn"]),
            port=int(p.get("port", DEFAULT_BGP_PORT)),
            password_secret=p.get("password_secret"),
            ebgp_multihop=p.get("ebgp_multihop", False),
        )
        for p in mlb["bgp"]["peers"]
    )
    return BgpPlan(my_asn=int(mlb["bgp"]["my_asn"]), peers=peers)


def _metallb(mlb: Mapping[str, Any]) -> MetalLbPlan:
    return MetalLbPlan(
        addresses=tuple(mlb["addresses"]),
        install=mlb.get("install", True),
        namespace=mlb.get("namespace", DEFAULT_METALLB_NAMESPACE),
        mode=MetalLbMode(mlb.get("mode", DEFAULT_METALLB_MODE)),
        node_selectors=tuple(tuple(s.items()) for s in mlb.get("node_selectors", ())),
        interfaces=tuple(mlb.get("interfaces", ())),
        bgp=_bgp(mlb),
    )


def _autoscaling(args: Mapping[str, Any]) -> Autoscaling | None:
    if "autoscaling" not in args:
        return None
    auto = args["autoscaling"]
    return Autoscaling(
        max_replicas=int(auto["max_replicas"]),
        target_cpu_percent=int(auto.get("target_cpu_percent", DEFAULT_TARGET_CPU_PERCENT)),
    )


def _tolerations(args: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    return tuple({"operator": "Equal", **toleration_manifest(t)} for t in args.get("tolerations", ()))


def _in_cluster(args: Mapping[str, Any]) -> InClusterPlan:
    replicas = args.get("replicas", DEFAULT_REPLICAS)
    return InClusterPlan(
        namespace=args.get("namespace", DEFAULT_NAMESPACE),
        replicas=replicas,
        image=args.get("image", facts.HAPROXY_IMAGE),
        load_balancer_ip=str(args["load_balancer_ip"]),
        monitoring_namespace=args.get("monitoring_namespace", DEFAULT_MONITORING_NAMESPACE),
        workload=Workload(args.get("workload", DEFAULT_WORKLOAD)),
        autoscaling=_autoscaling(args),
        node_selector=tuple(args.get("node_selector", {}).items()),
        tolerations=_tolerations(args),
        service_monitor=args.get("service_monitor", False),
        service_monitor_labels=tuple(args.get("service_monitor_labels", {}).items()),
        service_monitor_labels_given="service_monitor_labels" in args,
        metallb=_metallb(args["metallb"]),
    )


def _health(args: Mapping[str, Any]) -> HealthCheck:
    hc: Mapping[str, Any] = args.get("health_check") or {}
    return HealthCheck(
        inter_ms=hc.get("inter_ms", DEFAULT_HEALTH.inter_ms),
        fall=hc.get("fall", DEFAULT_HEALTH.fall),
        rise=hc.get("rise", DEFAULT_HEALTH.rise),
    )


def _haproxy(
    name: str, placement: Placement, ports: tuple[Port, ...], gateway: GatewayPlan, args: Mapping[str, Any]
) -> HaproxyConfig:
    servers: tuple[str, ...] | DnsServers
    if placement is Placement.IN_CLUSTER:
        routes = tuple(Route(p.name, p.port, p.target_port) for p in ports)
        servers = DnsServers(f"{gateway_pods_service_name(name)}.{gateway.namespace}.svc.cluster.local")
    else:
        routes = tuple(Route(p.name, p.port, p.node_port or 0) for p in ports)
        servers = tuple(str(n) for n in args["node_addresses"])
    return HaproxyConfig(
        routes=routes,
        servers=servers,
        placement=placement,
        health=_health(args),
        maxconn=args.get("maxconn", DEFAULT_MAXCONN),
    )


def plan_proxy_protocol_ingress(name: str, args: Mapping[str, Any]) -> IngressPlan:
    """The plan of component `name` for `args`, which `validate_proxy_protocol_ingress_args` accepts."""
    placement = _placement(args)
    ports = _ports(args)
    gateway = _gateway(args)
    in_cluster = placement is Placement.IN_CLUSTER
    return IngressPlan(
        name=name,
        placement=placement,
        istio_version=KubeVersion.parse(args["istio_version"]),
        ports=ports,
        gateway=gateway,
        in_cluster=_in_cluster(args) if in_cluster else None,
        haproxy_source_cidrs=tuple(args.get("haproxy_source_cidrs", ())),
        authorization_policy=args.get("authorization_policy", False),
        haproxy=_haproxy(name, placement, ports, gateway, args),
    )


def haproxy_config(args: Mapping[str, Any], name: str = "edge") -> HaproxyConfig:
    """The haproxy.cfg settings of component `name` for valid `args` (what the real tests run)."""
    return plan_proxy_protocol_ingress(name, args).haproxy


def traefik_trust(args: Mapping[str, Any], name: str) -> dict[str, Any]:
    """What a Traefik behind component `name` must trust, for valid `args` (see `IngressPlan.traefik_trust`)."""
    return plan_proxy_protocol_ingress(name, args).traefik_trust
