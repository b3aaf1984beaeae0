"""`TraefikGateway`: Traefik from its pinned official chart, with routes, rate limits and
the HAProxy-edge trust set by typed args (seed 003, composed with the PROXY-protocol edge).

All decisions live in `traffic_edge.traefik_gateway.helm_values`; this class only turns that plan into
resources: one `helm.v3.Release`, the Middlewares and IngressRoutes (after the release,
whose chart installs their CRDs) and the NetworkPolicy that admits only the edge.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.problems import raise_if
from traffic_edge.traefik_gateway.helm_values import (
    CHART,
    CHART_REPO,
    CHART_VERSION,
    TraefikGatewayArgs,
    entrypoint_ports,
    gateway_names,
    helm_values,
    ingress_route_manifests,
    middleware_manifests,
    network_policy_manifest,
    route_outputs,
    validate_traefik_args,
)

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
        raise_if(f"TraefikGateway {name!r}", validate_traefik_args(args))
        super().__init__("traffic-edge:index:TraefikGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        names = gateway_names(name, args["namespace"])

        release = k8s.helm.v3.Release(
            f"{name}-release",
            k8s.helm.v3.ReleaseArgs(
                name=names.release,
                chart=CHART,
                version=CHART_VERSION,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=CHART_REPO),
                namespace=names.namespace,
                values=helm_values(name, args),
                # The values remove the chart's default websecure entrypoint with a null.
                allow_null_values=True,
                # A failed upgrade rolls back instead of leaving a half-updated gateway.
                atomic=True,
                cleanup_on_fail=True,
            ),
            child,
        )

        # Created before the pods exist, so there is no window with the entrypoints open.
        policy = network_policy_manifest(name, args)
        if policy is not None:
            k8s_objects.create(f"{name}-edge-only", policy, child)

        # The CRDs come with the chart: the custom objects wait for the release.
        after_release = pulumi.ResourceOptions(parent=self, depends_on=[release])
        middlewares = [
            k8s_objects.create(_middleware_resource_name(m), m, after_release)
            for m in middleware_manifests(name, args)
        ]
        routes_opts = pulumi.ResourceOptions(parent=self, depends_on=[release, *middlewares])
        for manifest in ingress_route_manifests(name, args):
            k8s_objects.create(manifest["metadata"]["name"], manifest, routes_opts)

        self.service_name = pulumi.Output.from_input(names.service)
        self.namespace = pulumi.Output.from_input(names.namespace)
        self.ingress_class = pulumi.Output.from_input(names.ingress_class)
        self.entrypoints = pulumi.Output.from_input(entrypoint_ports(args))
        self.routes = pulumi.Output.from_input(route_outputs(args))
        self.register_outputs(
            {
                "service_name": self.service_name,
                "namespace": self.namespace,
                "ingress_class": self.ingress_class,
                "entrypoints": self.entrypoints,
                "routes": self.routes,
            }
        )


def _middleware_resource_name(manifest: dict[str, Any]) -> str:
    # A middleware is copied into each namespace that uses it: the namespace keeps the
    # Pulumi names unique (the object names already start with the component name).
    meta = manifest["metadata"]
    return f"{meta['name']}-{meta['namespace']}"
