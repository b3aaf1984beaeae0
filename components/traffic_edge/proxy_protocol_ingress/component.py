"""`ProxyProtocolIngress`: MetalLB (L2) -> HAProxy -> Istio ingress gateway, keeping the client IP.

Seed 004: with MetalLB in L2 mode one leader node answers for a LoadBalancer IP, so
`externalTrafficPolicy: Local` on the *gateway* Service breaks whenever no gateway pod runs
on that node, and `Cluster` SNATs the client away. Instead HAProxy relays TCP to the gateway
and prepends a PROXY protocol v2 header that Envoy reads (proxy_protocol listener filter).

The args are validated (`validate.py`), resolved once into a plan (`plan.py`), and every
resource is built from that plan (`manifests.py`, `haproxy_cfg.py`). What it creates:

- MetalLB (optional): the pinned official chart as a `helm.v3.Release` that waits for its
  resources (so the CRDs and the validating webhook are serving; FRR-K8s only in BGP mode),
  then `IPAddressPool` and `L2Advertisement` (or `BGPPeer`s and a `BGPAdvertisement`) with
  `depends_on` the release — the first-install race (webhook without
  endpoints) cannot happen because the pool is only sent once the release is ready.
- HAProxy, `in-cluster`: Namespace (restricted Pod Security), ConfigMap with haproxy.cfg,
  Deployment (optionally with an HPA) or DaemonSet on the edge nodes (checksum annotation rolls
  pods on config change), PDB, LoadBalancer Service
  with a fixed MetalLB IP and `externalTrafficPolicy: Local` so HAProxy sees the client
  address; NetworkPolicy; with `service_monitor`, a metrics Service, a ServiceMonitor and a
  PrometheusRule with the alerts (`alerts.py`). `external`: only the haproxy.cfg text (output), plus a NodePort Service with
  `externalTrafficPolicy: Local` on the gateway pods for the external HAProxy to reach.
- Receiver on the gateway: Istio >= 1.19 a `DeploymentPatch` adding the
  `proxy.istio.io/config` gatewayTopology.proxyProtocol pod annotation to the existing
  gateway Deployment; 1.17-1.18 an `EnvoyFilter` (LISTENER_FILTER, INSERT_FIRST).
- Spoofing protection: a NetworkPolicy that admits only HAProxy (pods or external
  addresses) to the gateway's PROXY ports, optionally an Istio DENY AuthorizationPolicy.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.problems import raise_if
from traffic_edge.proxy_protocol_ingress import facts, manifests
from traffic_edge.proxy_protocol_ingress.args import ProxyProtocolIngressArgs
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg
from traffic_edge.proxy_protocol_ingress.plan import IngressPlan, MetalLbPlan, plan_proxy_protocol_ingress
from traffic_edge.proxy_protocol_ingress.validate import validate_proxy_protocol_ingress_args


class ProxyProtocolIngress(pulumi.ComponentResource):
    """MetalLB -> HAProxy (send-proxy-v2) -> Istio ingress gateway that reads the PROXY header.

    Args: `ProxyProtocolIngressArgs` (every key documented there). Outputs:
    `load_balancer_ip` (the fixed MetalLB IP, in-cluster; None external), `haproxy_cfg`
    (the rendered text; for `external` this is what gets installed on the HAProxy host) and
    `traefik_trust` (what a Traefik behind this HAProxy must trust: `trusted_cidrs` and, for
    an in-cluster HAProxy, `trusted_pods`).
    """

    load_balancer_ip: pulumi.Output[str | None]
    """The fixed MetalLB IP of the HAProxy Service (in-cluster); None for an external HAProxy."""
    haproxy_cfg: pulumi.Output[str]
    """The rendered haproxy.cfg."""
    traefik_trust: pulumi.Output[dict[str, Any]]
    """The sources a Traefik behind this HAProxy must trust: ``{"trusted_cidrs": [...]}`` and/or
    ``{"trusted_pods": {"namespace": ..., "match_labels": {...}}}`` (`TraefikGatewayArgs` keys)."""

    def __init__(
        self, name: str, args: ProxyProtocolIngressArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        raise_if(f"ProxyProtocolIngress {name!r}", validate_proxy_protocol_ingress_args(args, name))
        super().__init__("traffic-edge:index:ProxyProtocolIngress", name, None, opts)
        plan = plan_proxy_protocol_ingress(name, args)
        for warning in plan.warnings:
            pulumi.log.warn(f"ProxyProtocolIngress {name!r}: {warning}", resource=self)
        cfg_text = render_haproxy_cfg(plan.haproxy)
        # Generated files the stack writes to out/plan/<stack>/configs/<name>/ (external HAProxy
        # has no ConfigMap: this is where its operators take the file from).
        self.config_files = {"haproxy.cfg": cfg_text}
        if plan.in_cluster is not None:
            self._metallb(plan, plan.in_cluster.metallb)
            for m in manifests.haproxy_manifests(plan, cfg_text):
                k8s_objects.create(
                    manifests.haproxy_child_name(plan, m), m, pulumi.ResourceOptions(parent=self)
                )
        self._gateway(plan)

        lb_ip = plan.in_cluster.load_balancer_ip if plan.in_cluster is not None else None
        self.load_balancer_ip = pulumi.Output.from_input(lb_ip)
        self.haproxy_cfg = pulumi.Output.from_input(cfg_text)
        self.traefik_trust = pulumi.Output.from_input(plan.traefik_trust)
        self.register_outputs(
            {
                "load_balancer_ip": self.load_balancer_ip,
                "haproxy_cfg": self.haproxy_cfg,
                "traefik_trust": self.traefik_trust,
            }
        )

    def _metallb(self, plan: IngressPlan, mlb: MetalLbPlan) -> None:
        """The pinned chart (unless MetalLB is already there), then the pool once it is ready."""
        after: list[pulumi.Resource] = []
        if mlb.install:
            namespace = k8s_objects.create(
                f"{plan.name}-metallb-ns",
                manifests.metallb_namespace(plan),
                pulumi.ResourceOptions(parent=self),
            )
            release = k8s.helm.v3.Release(
                f"{plan.name}-metallb",
                chart=facts.METALLB_CHART,
                version=facts.METALLB_CHART_VERSION,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=facts.METALLB_REPO),
                values=manifests.metallb_chart_values(plan),
                namespace=mlb.namespace,
                # Wait for every chart resource (webhook Deployment ready, CRDs established)
                # before anything that depends on the release is sent.
                skip_await=False,
                atomic=True,
                timeout=facts.METALLB_RELEASE_TIMEOUT_SECONDS,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
            )
            after = [release]
        for m in manifests.metallb_manifests(plan):
            k8s_objects.create(
                manifests.metallb_child_name(plan, m),
                m,
                pulumi.ResourceOptions(parent=self, depends_on=after),
            )

    def _gateway(self, plan: IngressPlan) -> None:
        """The gateway side, and the receiver patch on Istio >= 1.19."""
        child = pulumi.ResourceOptions(parent=self)
        for m in manifests.gateway_manifests(plan):
            k8s_objects.create(f"{plan.name}-gateway-{m['kind'].lower()}", m, child)
        patch = manifests.gateway_proxy_config_patch(plan)
        if patch is not None:
            k8s.apps.v1.DeploymentPatch(
                f"{plan.name}-gateway-proxy-config",
                metadata=patch["metadata"],
                spec=patch["spec"],
                opts=child,
            )
