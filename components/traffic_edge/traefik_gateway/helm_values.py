"""The values of the pinned official Traefik chart, built from a `TraefikPlan`.

Every key is a value name of chart 41.x (see `facts`); the chart enforces its schema, so a
stale key fails the install instead of being ignored. The chart cannot be rendered offline,
so the values are what the tests pin.
"""

from __future__ import annotations

from typing import Any

from traffic_edge.traefik_gateway.args import ServiceType
from traffic_edge.traefik_gateway.facts import (
    DEFAULT_TLS_NAME,
    INTERNAL_CONTAINER_PORT,
    INTERNAL_ENTRYPOINT,
    METRICS_CONTAINER_PORT,
    METRICS_ENTRYPOINT,
    PING_PATH,
    RUN_AS_ID,
    WEB_CONTAINER_PORT,
    WEB_ENTRYPOINT,
    WEBSECURE_CONTAINER_PORT,
    WEBSECURE_ENTRYPOINT,
)
from traffic_edge.traefik_gateway.plan import TcpRoutePlan, TraefikPlan

# On SIGTERM Traefik keeps accepting requests for this long, so that the endpoint removal
# reaches every kube-proxy / upstream HAProxy before the listener closes (the Kubernetes
# side of the seed's start-first rolling update with 0 % errors).
REQUEST_ACCEPT_GRACE = "5s"
# Then in-flight requests get this long to finish.
GRACE_TIMEOUT = "10s"
TERMINATION_GRACE_SECONDS = 30  # > 5 s + 10 s, with room for the process to exit

ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"


def helm_values(plan: TraefikPlan) -> dict[str, Any]:
    """The chart values of `plan`: a literal tree, with the parts that vary built below, and
    the optional features' values only when they are on."""
    return {**_base(plan), **_autoscaling(plan), **_observability(plan), **_tls(plan)}


def _base(plan: TraefikPlan) -> dict[str, Any]:
    return {
        **_pods(plan),
        "ports": _ports(plan),
        "service": {"enabled": True, "spec": _service_spec(plan)},
        "providers": _providers(plan),
        # Namespaced RBAC (Roles in the watched namespaces, no ClusterRole) cannot read
        # IngressClass objects, so Ingresses select this gateway by annotation instead.
        "rbac": {"enabled": True, "namespaced": True},
        "ingressClass": {"enabled": False},
        "api": {"dashboard": plan.dashboard},
        "ingressRoute": {
            # The chart's dashboard route lives on the `traefik` entrypoint, which no Service
            # exposes: reachable with `kubectl port-forward` only.
            "dashboard": {"enabled": plan.dashboard, "entryPoints": [INTERNAL_ENTRYPOINT]},
            "healthcheck": {"enabled": False},
        },
        "log": {"level": "INFO", "format": "json"},
        "accessLog": {"enabled": True, "format": "json"},
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
    }


def _autoscaling(plan: TraefikPlan) -> dict[str, Any]:
    """The chart's HorizontalPodAutoscaler on CPU; it leaves deployment.replicas out while on."""
    scaling = plan.autoscaling
    if scaling is None:
        return {}
    cpu = {"type": "Utilization", "averageUtilization": scaling.target_cpu_percent}
    return {
        "autoscaling": {
            "enabled": True,
            "minReplicas": plan.replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": cpu}}],
            "behavior": {
                # Up fast: double within 30 s when the load is there.
                "scaleUp": {
                    "stabilizationWindowSeconds": 0,
                    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30}],
                },
                # Down slowly, one pod a minute, like the PDB lets a drain take them: each leaving
                # pod drains its connections (requestAcceptGraceTimeout + graceTimeOut) first.
                "scaleDown": {
                    "stabilizationWindowSeconds": scaling.scale_down_stabilization_seconds,
                    "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                },
            },
        }
    }


def _observability(plan: TraefikPlan) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if plan.metrics is not None:
        # The metrics Service and ServiceMonitor are the component's own (manifests.py), so the
        # NetworkPolicy and the scrape are decided in one place.
        values["metrics"] = {
            "prometheus": {
                "entryPoint": METRICS_ENTRYPOINT,
                "addEntryPointsLabels": True,
                "addServicesLabels": True,
            }
        }
    if plan.tracing is not None:
        grpc = {"enabled": True, "endpoint": plan.tracing.endpoint, "insecure": plan.tracing.insecure}
        values["tracing"] = {"sampleRate": plan.tracing.sample_rate, "otlp": {"enabled": True, "grpc": grpc}}
    return values


def _tls(plan: TraefikPlan) -> dict[str, Any]:
    """The TLSStore and TLSOption named "default": what every router on websecure uses."""
    if plan.tls is None:
        return {}
    values: dict[str, Any] = {"tlsOptions": {DEFAULT_TLS_NAME: {"minVersion": plan.tls.min_version.value}}}
    if plan.tls.default_secret is not None:
        store = {"defaultCertificate": {"secretName": plan.tls.default_secret}}
        values["tlsStore"] = {DEFAULT_TLS_NAME: store}
    return values


def _pods(plan: TraefikPlan) -> dict[str, Any]:
    """The Deployment: replicas, zero-downtime updates, probes, spread, security, resources."""
    return {
        "deployment": {
            "kind": "Deployment",
            "replicas": plan.replicas,
            "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
            "readinessPath": PING_PATH,
            "livenessPath": PING_PATH,
        },
        # maxUnavailable 0 + maxSurge 1 is the Kubernetes form of the seed's start-first update.
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
        "readinessProbe": {
            "failureThreshold": 1,
            "initialDelaySeconds": 2,
            "periodSeconds": 5,
            "successThreshold": 1,
            "timeoutSeconds": 2,
        },
        "livenessProbe": {
            "failureThreshold": 3,
            "initialDelaySeconds": 2,
            "periodSeconds": 10,
            "successThreshold": 1,
            "timeoutSeconds": 2,
        },
        "topologySpreadConstraints": _topology_spread(plan),
        "podSecurityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS_ID,
            "runAsGroup": RUN_AS_ID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "resources": {
            "requests": {"cpu": plan.resources.cpu_request, "memory": plan.resources.memory_request},
            "limits": {"memory": plan.resources.memory_limit},
        },
    }


def _ports(plan: TraefikPlan) -> dict[str, Any]:
    ports: dict[str, Any] = {
        INTERNAL_ENTRYPOINT: {"port": INTERNAL_CONTAINER_PORT, "expose": {"default": False}},
        METRICS_ENTRYPOINT: {"expose": {"default": False}},
        WEB_ENTRYPOINT: _entrypoint(plan, WEB_CONTAINER_PORT, plan.web_port),
        # null removes the chart's default websecure entrypoint (needs allowNullValues).
        WEBSECURE_ENTRYPOINT: None,
    }
    if plan.metrics is not None:
        # Stated, not left to the chart's default: the NetworkPolicy and the metrics Service use it.
        ports[METRICS_ENTRYPOINT] = {"port": METRICS_CONTAINER_PORT, "expose": {"default": False}}
    if plan.redirect_to_https:
        # The chart turns this into entryPoints.web.http.redirections.entryPoint.to=:<exposedPort>.
        redirect = {"to": WEBSECURE_ENTRYPOINT, "scheme": "https", "permanent": True}
        ports[WEB_ENTRYPOINT]["http"] = {"redirections": {"entryPoint": redirect}}
    if plan.websecure_port is not None:
        websecure = _entrypoint(plan, WEBSECURE_CONTAINER_PORT, plan.websecure_port)
        websecure["http"] = {"tls": {"enabled": True}}
        ports[WEBSECURE_ENTRYPOINT] = websecure
    ports.update({tcp.name: _tcp_entrypoint(plan, tcp) for tcp in plan.tcp_routes})
    return ports


def _tcp_entrypoint(plan: TraefikPlan, tcp: TcpRoutePlan) -> dict[str, Any]:
    """A TCP route's own entrypoint: no X-Forwarded-* (no HTTP), the PROXY header like the others."""
    values = _entrypoint(plan, tcp.container_port, tcp.port)
    del values["forwardedHeaders"]
    return values


def _entrypoint(plan: TraefikPlan, container_port: int, service_port: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "port": container_port,
        "exposedPort": service_port,
        "expose": {"default": True},
        "protocol": "TCP",
        # Only the edge may set X-Forwarded-*; everybody else's are overwritten. Never insecure.
        "forwardedHeaders": {"trustedIPs": list(plan.trusted_cidrs), "insecure": False},
        "transport": {
            "lifeCycle": {"requestAcceptGraceTimeout": REQUEST_ACCEPT_GRACE, "graceTimeOut": GRACE_TIMEOUT}
        },
    }
    if plan.proxy_protocol:
        # Traefik ignores a PROXY header from an untrusted peer instead of rejecting the
        # connection, so trustedIPs is what stops a client from forging its address;
        # `insecure: true` would trust everyone.
        values["proxyProtocol"] = {"trustedIPs": list(plan.trusted_cidrs), "insecure": False}
    return values


def _service_spec(plan: TraefikPlan) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": plan.service_type.value}
    if plan.service_type is ServiceType.LOAD_BALANCER:
        # With Cluster, kube-proxy SNATs and Traefik sees a node address, not the client.
        spec["externalTrafficPolicy"] = "Local"
    return spec


def _providers(plan: TraefikPlan) -> dict[str, Any]:
    # The seed's exposedbydefault=false: only objects carrying this gateway's class are
    # served, and only in the namespaces the routes live in.
    ingress_class = plan.names.ingress_class
    return {
        "kubernetesCRD": {
            "enabled": True,
            "ingressClass": ingress_class,
            "namespaces": list(plan.watched_namespaces),
            "allowCrossNamespace": False,
            "allowExternalNameServices": False,
        },
        "kubernetesIngress": {
            "enabled": plan.kubernetes_ingress,
            "ingressClass": ingress_class,
            "namespaces": list(plan.watched_namespaces),
            "allowExternalNameServices": False,
        },
    }


def _topology_spread(plan: TraefikPlan) -> list[dict[str, Any]]:
    selector = {"matchLabels": dict(plan.names.selector)}
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": plan.zone_spread.value,
            "labelSelector": selector,
        },
        # Two replicas on one node die together in a node drain; spread hosts too.
        {
            "maxSkew": 1,
            "topologyKey": HOST_KEY,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        },
    ]
