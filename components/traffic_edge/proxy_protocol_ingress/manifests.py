"""The Kubernetes objects of a `ProxyProtocolIngress`, as plain manifests built from its plan.

MetalLB pool and L2Advertisement; the in-cluster HAProxy (Namespace, ConfigMap, Deployment,
PDB, LoadBalancer Service, NetworkPolicy, and with `service_monitor` a metrics Service, a
ServiceMonitor and the PrometheusRule of `alerts.py`); the gateway side (Service on the gateway pods, the EnvoyFilter
receiver before Istio 1.19, the NetworkPolicy, the optional AuthorizationPolicy) and the
partial gateway Deployment patched on Istio >= 1.19. Pure: no Pulumi, no SDK.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from traffic_edge._shared import monitoring
from traffic_edge._shared.autoscaling import cpu_autoscaler
from traffic_edge.proxy_protocol_ingress import facts
from traffic_edge.proxy_protocol_ingress.alerts import prometheus_rule
from traffic_edge.proxy_protocol_ingress.args import MetalLbMode, Placement, Workload
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import METRICS_PATH, STATS_PORT
from traffic_edge.proxy_protocol_ingress.plan import BgpPeer, InClusterPlan, IngressPlan, MetalLbPlan

Manifest = dict[str, Any]

_MANAGED = {"app.kubernetes.io/managed-by": "traffic-edge"}
METRICS_LABEL = {"traffic-edge/metrics": "haproxy"}
"""On the metrics Service only, so the ServiceMonitor selects it and never the public one."""
SCRAPE_INTERVAL = "30s"


def _meta(name: str, namespace: str | None = None, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {**_MANAGED, **(labels or {})}}
    if namespace:
        meta["namespace"] = namespace
    return meta


def _in_cluster(plan: IngressPlan) -> InClusterPlan:
    if plan.in_cluster is None:
        raise ValueError(f"{plan.name}: placement {plan.placement.value!r} has no in-cluster HAProxy")
    return plan.in_cluster


# --- MetalLB -----------------------------------------------------------------------------


def metallb_namespace(plan: IngressPlan) -> Manifest:
    """MetalLB's namespace, created with the chart: the speaker needs host networking and NET_RAW."""
    ns = _in_cluster(plan).metallb.namespace
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": _meta(ns, labels={"pod-security.kubernetes.io/enforce": "privileged"}),
    }


def _selectors(mlb: MetalLbPlan) -> dict[str, Any]:
    return (
        {"nodeSelectors": [{"matchLabels": dict(sel)} for sel in mlb.node_selectors]}
        if mlb.node_selectors
        else {}
    )


def _peer(plan: IngressPlan, mlb: MetalLbPlan, peer: BgpPeer, my_asn: int) -> Manifest:
    spec: dict[str, Any] = {
        "myASN": my_asn,
        "peerASN": peer.asn,
        "peerAddress": peer.address,
        "peerPort": peer.port,
    }
    if peer.password_secret is not None:
        # By reference only: MetalLB reads the Secret in its own namespace; no password in the plan.
        spec["passwordSecret"] = {"name": peer.password_secret, "namespace": mlb.namespace}
    if peer.ebgp_multihop:
        spec["ebgpMultiHop"] = True
    return {
        "apiVersion": facts.METALLB_BGP_PEER_API,
        "kind": "BGPPeer",
        "metadata": _meta(bgp_peer_name(plan, peer), mlb.namespace),
        "spec": spec,
    }


def bgp_peer_name(plan: IngressPlan, peer: BgpPeer) -> str:
    return f"{plan.name}-{peer.name}"


def _advertisements(plan: IngressPlan, mlb: MetalLbPlan) -> list[Manifest]:
    """L2: which nodes answer ARP/NDP for the IP, on which interfaces. BGP: the peers (only
    ours, not every BGPPeer in the cluster) and the nodes that announce themselves as next hops."""
    if mlb.mode is MetalLbMode.L2:
        spec = {"ipAddressPools": [plan.pool_name], **_selectors(mlb)}
        if mlb.interfaces:
            spec["interfaces"] = list(mlb.interfaces)
        meta = _meta(f"{plan.name}-l2", mlb.namespace)
        return [
            {"apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement", "metadata": meta, "spec": spec}
        ]
    if mlb.bgp is None:
        raise ValueError(f"{plan.name}: metallb mode 'bgp' without peers")
    peers = [_peer(plan, mlb, p, mlb.bgp.my_asn) for p in mlb.bgp.peers]
    spec = {
        "ipAddressPools": [plan.pool_name],
        "peers": [p["metadata"]["name"] for p in peers],
        **_selectors(mlb),
    }
    meta = _meta(f"{plan.name}-bgp", mlb.namespace)
    return [
        *peers,
        {"apiVersion": "metallb.io/v1beta1", "kind": "BGPAdvertisement", "metadata": meta, "spec": spec},
    ]


def metallb_manifests(plan: IngressPlan) -> list[Manifest]:
    """IPAddressPool, then the L2Advertisement, or the BGPPeers and their BGPAdvertisement; the
    Service picks the pool by name."""
    mlb = _in_cluster(plan).metallb
    pool = {
        "apiVersion": "metallb.io/v1beta1",
        "kind": "IPAddressPool",
        "metadata": _meta(plan.pool_name, mlb.namespace),
        # autoAssign off: these addresses are handed out only to Services that ask by
        # annotation, so a random `type: LoadBalancer` cannot take the edge's fixed IP.
        "spec": {"addresses": list(mlb.addresses), "autoAssign": False},
    }
    return [pool, *_advertisements(plan, mlb)]


def metallb_child_name(plan: IngressPlan, manifest: Manifest) -> str:
    """The Pulumi resource name of a MetalLB object: one per kind, one per BGP peer."""
    kind = manifest["kind"].lower()
    if manifest["kind"] == "BGPPeer":
        return f"{plan.name}-bgppeer-{manifest['metadata']['name'].removeprefix(plan.name + '-')}"
    return f"{plan.name}-{kind}"


def metallb_chart_values(plan: IngressPlan) -> dict[str, Any]:
    """The chart's values: FRR-K8s (0.16's BGP backend) only for BGP, and the HAProxy pods'
    tolerations on the speaker (and FRR-K8s): with externalTrafficPolicy Local only a node with
    both a speaker and a ready HAProxy pod can announce the IP, so tainted edge nodes need both."""
    haproxy = _in_cluster(plan)
    bgp = haproxy.metallb.mode is MetalLbMode.BGP
    values: dict[str, Any] = json.loads(json.dumps(facts.METALLB_BGP_VALUES if bgp else facts.METALLB_VALUES))
    tolerations = _tolerations(haproxy)
    if tolerations:
        values["speaker"] = {"tolerations": tolerations}
        if bgp:
            values["frr-k8s"] = {"frrk8s": {"tolerations": tolerations}}
    return values


# --- in-cluster HAProxy ------------------------------------------------------------------


def _container(plan: IngressPlan) -> dict[str, Any]:
    ports = [{"name": r.name, "containerPort": r.bind_port, "protocol": "TCP"} for r in plan.haproxy.routes]
    ports.append({"name": "stats", "containerPort": STATS_PORT, "protocol": "TCP"})
    return {
        "name": "haproxy",
        "image": _in_cluster(plan).image,
        # The binary itself, not the image's docker-entrypoint.sh: what runs is exactly this
        # (master-worker, foreground, so `log stdout` reaches `kubectl logs`), and the real
        # tests start the same command as the same user.
        "command": ["haproxy"],
        "args": ["-W", "-db", "-f", f"{facts.HAPROXY_CONFIG_DIR}/haproxy.cfg"],
        "ports": ports,
        "readinessProbe": {"httpGet": {"path": "/stats", "port": "stats"}, "periodSeconds": 5},
        "livenessProbe": {"tcpSocket": {"port": "stats"}, "periodSeconds": 10, "failureThreshold": 3},
        # The Service endpoint disappears before HAProxy stops, so MetalLB/kube-proxy
        # stop sending new connections to a pod that is about to drain.
        "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
        # No CPU limit, on purpose: a CFS quota throttles a busy proxy for the rest of each
        # 100 ms period, which every connection through it sees as added latency; the request
        # reserves the CPU for scheduling and the memory limit bounds what a leak can take.
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "config", "mountPath": facts.HAPROXY_CONFIG_DIR, "readOnly": True}],
    }


def _pod_spec(plan: IngressPlan) -> dict[str, Any]:
    return {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": facts.HAPROXY_UID,
            "runAsGroup": facts.HAPROXY_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
            # A "safe" sysctl (allowed by the restricted profile) so the non-root process
            # binds the public ports itself, with no NET_BIND_SERVICE capability.
            "sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}],
        },
        # Longer than haproxy.cfg's hard-stop-after (30s): the soft stop drains first.
        "terminationGracePeriodSeconds": 40,
        **_placement(plan),
        "containers": [_container(plan)],
        "volumes": [{"name": "config", "configMap": {"name": f"{plan.name}-haproxy"}}],
    }


def _tolerations(haproxy: InClusterPlan) -> list[dict[str, Any]]:
    return [dict(t) for t in haproxy.tolerations]


def _placement(plan: IngressPlan) -> dict[str, Any]:
    """The edge nodes (`node_selector`, `tolerations`); a Deployment also spreads its pods, which
    a DaemonSet does by itself."""
    haproxy = _in_cluster(plan)
    out: dict[str, Any] = {}
    if haproxy.node_selector:
        out["nodeSelector"] = dict(haproxy.node_selector)
    if haproxy.tolerations:
        out["tolerations"] = _tolerations(haproxy)
    if haproxy.workload is Workload.DEPLOYMENT:
        spread = {
            "topologyKey": "kubernetes.io/hostname",
            "labelSelector": {"matchLabels": plan.haproxy_labels},
        }
        preferred = [{"weight": 100, "podAffinityTerm": spread}]
        out["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": preferred}}
    return out


def _template(plan: IngressPlan, cfg_text: str) -> dict[str, Any]:
    checksum = hashlib.sha256(cfg_text.encode()).hexdigest()
    return {
        "metadata": {
            "labels": {**_MANAGED, **plan.haproxy_labels},
            "annotations": {"checksum/haproxy.cfg": checksum},
        },
        "spec": _pod_spec(plan),
    }


def _workload(plan: IngressPlan, cfg_text: str) -> Manifest:
    """The HAProxy pods: a Deployment (the HPA owns its count when there is one) or a DaemonSet
    on the edge nodes. Both carry the same pod labels, so the Services, the NetworkPolicy, the
    PDB, the ServiceMonitor and Traefik's trust select either."""
    haproxy = _in_cluster(plan)
    labels = plan.haproxy_labels
    spec: dict[str, Any] = {"selector": {"matchLabels": labels}, "template": _template(plan, cfg_text)}
    if haproxy.workload is Workload.DAEMONSET:
        # Surge, not unavailability: the new pod on a node is ready before the old one stops, so
        # the node keeps a local endpoint (externalTrafficPolicy Local) and keeps announcing.
        rolling = {"maxSurge": 1, "maxUnavailable": 0}
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": rolling}
        kind = "DaemonSet"
    else:
        kind = "Deployment"
        if haproxy.autoscaling is None:
            # With an HPA it owns the count: a replicas field here would reset it on every update.
            spec = {"replicas": haproxy.replicas, **spec}
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": _meta(f"{plan.name}-haproxy", haproxy.namespace, labels),
        "spec": spec,
    }


def _disruption_budget(plan: IngressPlan) -> Manifest:
    haproxy = _in_cluster(plan)
    labels = plan.haproxy_labels
    spec: dict[str, Any]
    if haproxy.workload is Workload.DAEMONSET:
        # An integer minAvailable: the only form the disruption controller computes for pods
        # whose controller has no scale (maxUnavailable would block every eviction).
        spec = {"minAvailable": facts.DAEMONSET_PDB_MIN_AVAILABLE, "selector": {"matchLabels": labels}}
    else:
        spec = {"maxUnavailable": 1, "selector": {"matchLabels": labels}}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(f"{plan.name}-haproxy", haproxy.namespace, labels),
        "spec": spec,
    }


SCALE_DOWN_WINDOW_SECONDS = 300
"""Five minutes of lower load before the HPA removes a pod."""
SCALE_DOWN_PERIOD_SECONDS = 120
"""At most one pod removed per period: each removal drains its connections (hard-stop-after 30s)."""


def _autoscaler(plan: IngressPlan) -> list[Manifest]:
    """autoscaling/v2 on CPU, from `replicas` (never below the two pods the PDB's maxUnavailable
    1 needs to leave one serving) to `max_replicas`; up at once, down slowly, one pod at a time."""
    haproxy = _in_cluster(plan)
    auto = haproxy.autoscaling
    if auto is None:
        return []
    behavior = {
        "scaleUp": {
            "stabilizationWindowSeconds": 0,
            "selectPolicy": "Max",
            "policies": [
                {"type": "Pods", "value": 2, "periodSeconds": 60},
                {"type": "Percent", "value": 100, "periodSeconds": 60},
            ],
        },
        "scaleDown": {
            "stabilizationWindowSeconds": SCALE_DOWN_WINDOW_SECONDS,
            "selectPolicy": "Min",
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": SCALE_DOWN_PERIOD_SECONDS}],
        },
    }
    meta = _meta(f"{plan.name}-haproxy", haproxy.namespace, plan.haproxy_labels)
    replicas = (haproxy.replicas, auto.max_replicas)
    return [cpu_autoscaler(meta, f"{plan.name}-haproxy", replicas, auto.target_cpu_percent, behavior)]


def _load_balancer_service(plan: IngressPlan) -> Manifest:
    haproxy = _in_cluster(plan)
    labels = plan.haproxy_labels
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            **_meta(f"{plan.name}-haproxy", haproxy.namespace, labels),
            "annotations": {
                "metallb.io/loadBalancerIPs": haproxy.load_balancer_ip,
                "metallb.io/address-pool": plan.pool_name,
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
                for r in plan.haproxy.routes
            ],
        },
    }


def haproxy_manifests(plan: IngressPlan, cfg_text: str) -> list[Manifest]:
    """Namespace, ConfigMap, Deployment or DaemonSet, PDB, HPA (`autoscaling`), LoadBalancer
    Service, NetworkPolicy and monitoring of the in-cluster HAProxy."""
    ns = _in_cluster(plan).namespace
    labels = plan.haproxy_labels
    restricted = {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns, labels=restricted)},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(f"{plan.name}-haproxy", ns, labels),
            "data": {"haproxy.cfg": cfg_text},
        },
        _workload(plan, cfg_text),
        _disruption_budget(plan),
        *_autoscaler(plan),
        _load_balancer_service(plan),
        _haproxy_network_policy(plan),
        *_monitoring(plan),
    ]


def _monitoring(plan: IngressPlan) -> list[Manifest]:
    """The metrics Service, its ServiceMonitor and the alerts (`service_monitor` only)."""
    haproxy = _in_cluster(plan)
    if not haproxy.service_monitor:
        return []
    ns, labels = haproxy.namespace, plan.haproxy_labels
    selected = dict(haproxy.service_monitor_labels)
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(plan.metrics_service, ns, {**labels, **METRICS_LABEL}),
        "spec": {
            "selector": labels,
            "ports": [{"name": "stats", "port": STATS_PORT, "targetPort": "stats", "protocol": "TCP"}],
        },
    }
    # job = the Service's name (the operator's default jobLabel), which the alerts select on.
    meta = _meta(f"{plan.name}-haproxy", ns, {**labels, **selected})
    monitor = monitoring.service_monitor(
        meta, {**labels, **METRICS_LABEL}, "stats", METRICS_PATH, SCRAPE_INTERVAL
    )
    gateway = f"{plan.gateway.namespace}/{plan.gateway_pods_service}"
    rule_labels = {**_MANAGED, **labels, **selected}
    rule = prometheus_rule(f"{plan.name}-haproxy", ns, plan.metrics_service, gateway, rule_labels)
    return [service, monitor, rule]


def haproxy_child_name(plan: IngressPlan, manifest: Manifest) -> str:
    """The Pulumi resource name of one of the in-cluster HAProxy's objects (names never change)."""
    kind = manifest["kind"].lower()
    if manifest["metadata"]["name"] == plan.metrics_service:
        return f"{plan.name}-haproxy-metrics-{kind}"
    return f"{plan.name}-haproxy-{kind}"


def _haproxy_network_policy(plan: IngressPlan) -> Manifest:
    """The HAProxy pods: clients on the service ports from anywhere (they arrive through the
    LoadBalancer), the stats/Prometheus port only from the monitoring namespace; out, only to
    the gateway pods' PROXY ports and to the cluster DNS (the resolvers section). Kubelet
    probes come from the node, which a NetworkPolicy always admits."""
    in_cluster = _in_cluster(plan)
    gateway = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": plan.gateway.namespace}},
        "podSelector": {"matchLabels": dict(plan.gateway.selector)},
    }
    dns = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
    }
    monitoring = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": in_cluster.monitoring_namespace}}
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(f"{plan.name}-haproxy", in_cluster.namespace, plan.haproxy_labels),
        "spec": {
            "podSelector": {"matchLabels": plan.haproxy_labels},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {"ports": [{"protocol": "TCP", "port": r.bind_port} for r in plan.haproxy.routes]},
                {"from": [monitoring], "ports": [{"protocol": "TCP", "port": STATS_PORT}]},
            ],
            "egress": [
                {"to": [gateway], "ports": [{"protocol": "TCP", "port": p} for p in plan.proxy_ports]},
                {"to": [dns], "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
            ],
        },
    }


# --- gateway side ------------------------------------------------------------------------


def _gateway_pods_service(plan: IngressPlan) -> Manifest:
    selector = dict(plan.gateway.selector)
    ports = [
        {"name": p.name, "port": p.target_port, "targetPort": p.target_port, "protocol": "TCP"}
        for p in plan.ports
    ]
    spec: dict[str, Any]
    if plan.placement is Placement.IN_CLUSTER:
        # Headless: one A record per ready gateway pod, so HAProxy checks and balances each
        # pod itself and connects pod-to-pod (no kube-proxy hop to hide HAProxy's address
        # from the NetworkPolicy). The gateway's own ClusterIP Service is left as it is.
        spec = {"clusterIP": "None", "selector": selector, "ports": ports}
    else:
        # Local: kube-proxy does not SNAT, so the gateway (and the NetworkPolicy) see the
        # external HAProxy's address; nodes without a gateway pod fail HAProxy's checks
        # and are skipped — HAProxy does what MetalLB L2 cannot.
        spec = {
            "type": "NodePort",
            "externalTrafficPolicy": "Local",
            "selector": selector,
            "ports": [{**sp, "nodePort": p.node_port} for sp, p in zip(ports, plan.ports, strict=True)],
        }
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(plan.gateway_pods_service, plan.gateway.namespace),
        "spec": spec,
    }


def _envoy_filter(plan: IngressPlan) -> Manifest:
    """The receiver before Istio 1.19: the proxy_protocol listener filter, inserted first."""
    patch = {
        "applyTo": "LISTENER_FILTER",
        "match": {"context": "GATEWAY"},
        # First, before tls_inspector: the inspector would otherwise read the PROXY bytes
        # as a TLS ClientHello and SNI routing breaks.
        "patch": {
            "operation": "INSERT_FIRST",
            "value": {
                "name": facts.PROXY_PROTOCOL_FILTER,
                "typed_config": {"@type": facts.PROXY_PROTOCOL_TYPE},
            },
        },
    }
    return {
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": _meta(f"{plan.name}-proxy-protocol", plan.gateway.namespace),
        "spec": {"workloadSelector": {"labels": dict(plan.gateway.selector)}, "configPatches": [patch]},
    }


def _haproxy_peers(plan: IngressPlan) -> list[dict[str, Any]]:
    if plan.in_cluster is None:
        return [{"ipBlock": {"cidr": str(c)}} for c in plan.haproxy_source_cidrs]
    return [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": plan.in_cluster.namespace}},
            "podSelector": {"matchLabels": plan.haproxy_labels},
        }
    ]


def _network_policy(plan: IngressPlan) -> Manifest:
    proxy_ports = plan.proxy_ports
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(f"{plan.name}-gateway-proxy-protocol", plan.gateway.namespace),
        "spec": {
            "podSelector": {"matchLabels": dict(plan.gateway.selector)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": _haproxy_peers(plan),
                    "ports": [{"protocol": "TCP", "port": p} for p in proxy_ports],
                },
                # A policy that selects a pod denies every port it does not list, so the
                # gateway's other ports (status 15021, metrics 15090, ...) stay open as before.
                {"ports": other_port_ranges(proxy_ports)},
            ],
        },
    }


def _authorization_policy(plan: IngressPlan) -> Manifest:
    # ipBlocks is the TCP peer (Envoy's direct_remote_ip), never the PROXY address —
    # exactly the thing a forger cannot choose.
    rule = {
        "from": [{"source": {"notIpBlocks": [str(c) for c in plan.haproxy_source_cidrs]}}],
        "to": [{"operation": {"ports": [str(p) for p in plan.proxy_ports]}}],
    }
    return {
        "apiVersion": plan.authorization_api,
        "kind": "AuthorizationPolicy",
        "metadata": _meta(f"{plan.name}-proxy-protocol-peers", plan.gateway.namespace),
        "spec": {"selector": {"matchLabels": dict(plan.gateway.selector)}, "action": "DENY", "rules": [rule]},
    }


def gateway_manifests(plan: IngressPlan) -> list[Manifest]:
    """What the gateway side gets: pod Service for HAProxy, receiver (EnvoyFilter < 1.19),
    NetworkPolicy, optional AuthorizationPolicy. The >= 1.19 Deployment patch is separate
    (`gateway_proxy_config_patch`): it is a partial object, not a manifest."""
    out = [_gateway_pods_service(plan)]
    if not plan.patches_gateway_deployment:
        out.append(_envoy_filter(plan))
    out.append(_network_policy(plan))
    if plan.authorization_policy:
        out.append(_authorization_policy(plan))
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


def gateway_proxy_config_patch(plan: IngressPlan) -> Manifest | None:
    """The partial Deployment applied (server-side) to the existing gateway on Istio >= 1.19."""
    if not plan.patches_gateway_deployment:
        return None
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": plan.gateway.deployment,
            "namespace": plan.gateway.namespace,
            # The gateway Deployment belongs to the Istio installation; force only takes our
            # one annotation field, and `pulumi destroy` gives it back.
            "annotations": {"pulumi.com/patchForce": "true"},
        },
        "spec": {
            "template": {"metadata": {"annotations": {facts.PROXY_CONFIG_ANNOTATION: gateway_proxy_config()}}}
        },
    }
