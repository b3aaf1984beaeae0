"""`TraefikGateway`: Traefik from its pinned official chart, with routes, rate limits and
the HAProxy-edge trust set by typed args (seed 003, composed with the PROXY-protocol edge).

The class validates, resolves the plan once (`plan`), and registers what the plan says: one
`helm.v3.Release` (values from `helm_values`), the NetworkPolicy that admits only the edge,
and the Middlewares and IngressRoutes (`manifests`), after the release whose chart installs
their CRDs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.problems import raise_if
from traffic_edge.traefik_gateway.args import TraefikGatewayArgs
from traffic_edge.traefik_gateway.facts import CHART, CHART_REPO, CHART_VERSION
from traffic_edge.traefik_gateway.helm_values import helm_values
from traffic_edge.traefik_gateway.manifests import (
    certificate_manifest,
    ingress_route_manifests,
    metrics_manifests,
    middleware_manifests,
    network_policy_manifest,
    tcp_route_manifests,
)
from traffic_edge.traefik_gateway.plan import TraefikPlan, plan_traefik_gateway
from traffic_edge.traefik_gateway.validate import validate_traefik_args

__all__ = ["TraefikGateway", "TraefikGatewayArgs"]


class TraefikGateway(pulumi.ComponentResource):
    """Traefik reverse proxy with CRD routing, ping probes, JSON access logs, rate limiting
    and zero-downtime updates.

    * Chart ``traefik`` pinned (`CHART_VERSION`); entrypoint ``web`` (and ``websecure`` with
      TLS when `websecure`), providers kubernetesCRD (and kubernetesIngress when
      `kubernetes_ingress`), serving only objects annotated with this gateway's ingress
      class in the namespaces its routes use; namespaced RBAC.
    * At least 2 replicas, rolling update maxUnavailable 0 / maxSurge 1, PDB, zone and host
      spreading, probes on ``/ping``, restricted security context, resources.
    * `routes` -> IngressRoutes; `rate_limits` / `ip_allowlists` -> Middlewares.
    * `proxy_protocol` + `trusted_cidrs`: PROXY and X-Forwarded-* believed from the HAProxy
      edge only (never ``insecure``); with `trusted_cidrs` / `trusted_pods` a NetworkPolicy
      admits only the edge to the entrypoints.
    * The dashboard stays on the internal entrypoint unless `dashboard_route` exposes it on
      ``websecure`` behind basic auth.
    * Optional: `autoscaling` (an HPA, never below 2), `metrics` (metrics Service, ServiceMonitor,
      the metrics port open to the monitoring namespace only), `tracing` (OTLP), `redirect_to_https`,
      `tls` (default certificate from a Secret or cert-manager, minimum version), Redis-backed rate
      limits, and `tcp_routes` as IngressRouteTCPs on their own entrypoints.
    """

    service_name: pulumi.Output[str]
    """The Traefik Service (what the HAProxy edge forwards to)."""
    namespace: pulumi.Output[str]
    """Namespace of the release and the Service."""
    ingress_class: pulumi.Output[str]
    """``kubernetes.io/ingress.class`` annotation value this gateway serves."""
    entrypoints: pulumi.Output[dict[str, int]]
    """Enabled entrypoints -> Service port."""
    routes: pulumi.Output[list[dict[str, Any]]]
    """Each route: name, namespace, rule, service, entrypoints, middlewares."""

    def __init__(
        self, name: str, args: TraefikGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        raise_if(f"TraefikGateway {name!r}", validate_traefik_args(args, name))
        plan = plan_traefik_gateway(name, args)
        super().__init__("traffic-edge:index:TraefikGateway", name, None, opts)
        for warning in plan.warnings:
            pulumi.log.warn(f"TraefikGateway {name!r}: {warning}", resource=self)
        release = self._release(plan)
        self._custom_objects(plan, release)

        names = plan.names
        self.service_name = pulumi.Output.from_input(names.service)
        self.namespace = pulumi.Output.from_input(names.namespace)
        self.ingress_class = pulumi.Output.from_input(names.ingress_class)
        self.entrypoints = pulumi.Output.from_input(plan.entrypoints)
        self.routes = pulumi.Output.from_input([r.output() for r in plan.routes])
        self.register_outputs(
            {
                "service_name": self.service_name,
                "namespace": self.namespace,
                "ingress_class": self.ingress_class,
                "entrypoints": self.entrypoints,
                "routes": self.routes,
            }
        )

    def _release(self, plan: TraefikPlan) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            plan.names.release_resource,
            k8s.helm.v3.ReleaseArgs(
                name=plan.names.release,
                chart=CHART,
                version=CHART_VERSION,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPO),
                namespace=plan.names.namespace,
                values=helm_values(plan),
                # The values remove the chart's default websecure entrypoint with a null.
                allow_null_values=True,
                # A failed upgrade rolls back instead of leaving a half-updated gateway.
                atomic=True,
                cleanup_on_fail=True,
            ),
            pulumi.ResourceOptions(parent=self),
        )

    def _custom_objects(self, plan: TraefikPlan, release: k8s.helm.v3.Release) -> None:
        # Created before the pods exist, so there is no window with the entrypoints open.
        own = pulumi.ResourceOptions(parent=self)
        policy = network_policy_manifest(plan)
        if policy is not None:
            k8s_objects.create(policy["metadata"]["name"], policy, own)
        # Neither needs the chart: the ServiceMonitor's and Certificate's CRDs are
        # prometheus-operator's and cert-manager's, and Traefik serves its own certificate until
        # cert-manager has written the Secret.
        for manifest in metrics_manifests(plan):
            k8s_objects.create(manifest["metadata"]["name"], manifest, own)
        certificate = certificate_manifest(plan)
        if certificate is not None:
            k8s_objects.create(plan.names.certificate, certificate, own)

        # The CRDs come with the chart: the custom objects wait for the release.
        after_release = pulumi.ResourceOptions(parent=self, depends_on=[release])
        middlewares = [
            k8s_objects.create(
                plan.names.middleware_resource(m["metadata"]["name"], m["metadata"]["namespace"]),
                m,
                after_release,
            )
            for m in middleware_manifests(plan)
        ]
        routes_opts = pulumi.ResourceOptions(parent=self, depends_on=[release, *middlewares])
        for manifest in ingress_route_manifests(plan):
            k8s_objects.create(manifest["metadata"]["name"], manifest, routes_opts)
        for manifest in tcp_route_manifests(plan):
            k8s_objects.create(manifest["metadata"]["name"], manifest, after_release)
