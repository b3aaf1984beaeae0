"""Every Kubernetes object of a SquidProxy, as plain manifests built from its `SquidPlan` alone.

- the squid.conf (`squid_conf.render`) in a ConfigMap, its checksum on the pod template so a
  config change rolls the pods;
- a Deployment whose pods are spread hard over the listed zones (maxSkew 1, DoNotSchedule,
  minDomains = zones) and softly over nodes, restricted pod security, squid-exporter sidecar,
  and a drain on shutdown that the termination grace period is checked to cover;
- a Service whose local-zone routing is chosen by the cluster's Kubernetes version, a
  PodDisruptionBudget, an optional HPA and ServiceMonitor, a NetworkPolicy, and the Grafana
  dashboard ConfigMap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from traffic_edge._shared import monitoring
from traffic_edge._shared.autoscaling import cpu_autoscaler
from traffic_edge._shared.security import restricted_container
from traffic_edge.squid_proxy.alerts import prometheus_rule
from traffic_edge.squid_proxy.canary import canary_config_name, canary_labels, canary_manifests
from traffic_edge.squid_proxy.dashboard import dashboard_configmap
from traffic_edge.squid_proxy.facts import (
    DASHBOARD_LABEL,
    EXPORTER_LOGIN_ENV,
    EXPORTER_PASSWORD_ENV,
    EXPORTER_PORT,
    HOSTNAME_LABEL,
    MANAGER_PASSWORD_DIRECTIVE,
    NAMESPACE_NAME_LABEL,
    PROXY_PORT,
    SQUID_BINARY,
    SQUID_UID,
    TOPOLOGY_MODE_ANNOTATION,
    ZONE_LABEL,
)
from traffic_edge.squid_proxy.plan import (
    MANAGER_SECRET_DIR,
    PRESTOP_DELAY_SECONDS,
    SCALE_DOWN_PODS_PER_MINUTE,
    SquidPlan,
)
from traffic_edge.squid_proxy.squid_conf import PID_FILE, SPOOL_DIR, render

CONF_DIR = "/etc/squid/traffic-edge"
CONF_PATH = f"{CONF_DIR}/squid.conf"

_RESTRICTED_CONTAINER = restricted_container(SQUID_UID)


def labels(name: str) -> dict[str, str]:
    """The labels that select the proxy's pods (and that the dashboard's job follows)."""
    return {"app.kubernetes.io/name": "squid", "app.kubernetes.io/instance": name}


def _meta(name: str, namespace: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        "labels": {**labels(name), "app.kubernetes.io/part-of": "traffic-edge"},
    }


def config_checksum(conf: str) -> str:
    return hashlib.sha256(conf.encode()).hexdigest()


def _squid_container(plan: SquidPlan) -> dict[str, Any]:
    r = plan.resources
    return {
        "name": "squid",
        "image": plan.image,
        # Squid itself is PID 1 (an image entrypoint would not pass SIGTERM on), and --foreground,
        # unlike the images' -N, forks the SMP workers `workers` asks for. -d 1 keeps stdout and
        # stderr: without -N or -d, Squid's watch_child() points both at /dev/null (src/main.cc,
        # `if (opt_debug_stderr < 0) { dup2(nullfd, 1); dup2(nullfd, 2); }`), so the access log
        # (stdio:/dev/stdout) and cache.log (/dev/stderr) never reached `kubectl logs`.
        "command": [SQUID_BINARY, "--foreground", "-d", "1", "-f", CONF_PATH],
        "ports": [
            {"name": "proxy", "containerPort": PROXY_PORT, "protocol": "TCP"},
            *({"name": t.name, "containerPort": t.port, "protocol": "TCP"} for t in plan.conf.tenants),
        ],
        "readinessProbe": {"tcpSocket": {"port": "proxy"}, "periodSeconds": 5, "failureThreshold": 2},
        "livenessProbe": {
            "tcpSocket": {"port": "proxy"},
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        "lifecycle": {"preStop": _pre_stop(plan)},
        "resources": {
            "requests": {"cpu": r.cpu_request, "memory": r.memory_request},
            "limits": {"cpu": r.cpu_limit, "memory": r.memory_limit},
        },
        "securityContext": _RESTRICTED_CONTAINER,
        "volumeMounts": [
            {"name": "config", "mountPath": CONF_DIR, "readOnly": True},
            {"name": "run", "mountPath": PID_FILE.rsplit("/", 1)[0]},
            {"name": "spool", "mountPath": SPOOL_DIR},
            {"name": "manager", "mountPath": MANAGER_SECRET_DIR, "readOnly": True},
        ],
    }


def _pre_stop(plan: SquidPlan) -> dict[str, Any]:
    """Wait until the endpoint is gone, then drain. From 1.30 the kubelet sleeps (the default image
    has no sleep binary) and its SIGTERM to PID 1 is Squid's graceful shutdown: the port closes at
    once, transactions in flight get `shutdown_lifetime`. Before 1.30 an exec hook does the same with
    `sh` and `sleep` from the image, then sleeps through the drain so the kubelet's SIGTERM (a second
    shutdown) does not cut it short."""
    if plan.sleep_action:
        return {"sleep": {"seconds": PRESTOP_DELAY_SECONDS}}
    drain = plan.conf.shutdown_lifetime_seconds
    shutdown = f"{SQUID_BINARY} -f {CONF_PATH} -k shutdown"
    return {
        "exec": {"command": ["sh", "-c", f"sleep {PRESTOP_DELAY_SECONDS}; {shutdown}; sleep {drain + 5}"]}
    }


def _exporter_container(plan: SquidPlan) -> dict[str, Any]:
    return {
        "name": "exporter",
        "image": plan.exporter_image,
        # Loopback: the only client Squid's cache-manager rules admit.
        "args": [
            f"-listen=:{EXPORTER_PORT}",
            "-squid-hostname=127.0.0.1",
            f"-squid-port={PROXY_PORT}",
            # The dashboard's latency panel reads the service_times percentiles.
            "-extractservicetimes=true",
        ],
        # The cache manager's password, from the Secret: never in the pod spec or an argument.
        "env": [
            {"name": EXPORTER_LOGIN_ENV, "value": "exporter"},
            {
                "name": EXPORTER_PASSWORD_ENV,
                "valueFrom": {"secretKeyRef": {"name": manager_secret_name(plan.name), "key": "password"}},
            },
        ],
        "ports": [{"name": "metrics", "containerPort": EXPORTER_PORT, "protocol": "TCP"}],
        "readinessProbe": {"tcpSocket": {"port": "metrics"}, "periodSeconds": 10},
        "livenessProbe": {"tcpSocket": {"port": "metrics"}, "initialDelaySeconds": 10, "periodSeconds": 20},
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
        "securityContext": _RESTRICTED_CONTAINER,
    }


def _spread_constraints(plan: SquidPlan) -> list[dict[str, Any]]:
    zone: dict[str, Any] = {
        "maxSkew": 1,
        "topologyKey": ZONE_LABEL,
        "whenUnsatisfiable": plan.zone_spread.value,
        "labelSelector": {"matchLabels": labels(plan.name)},
        # Skew is computed per ReplicaSet, so a rollout's surge pods spread like the old ones did.
        "matchLabelKeys": ["pod-template-hash"],
    }
    if plan.min_domains is not None:
        zone["minDomains"] = plan.min_domains
    node = {
        "maxSkew": 1,
        "topologyKey": HOSTNAME_LABEL,
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": labels(plan.name)},
    }
    return [zone, node]


def manager_secret_name(name: str) -> str:
    """The Secret with the cache manager's password (`password`) and the file squid.conf includes."""
    return f"{name}-cachemgr"


def _node_affinity(plan: SquidPlan) -> dict[str, Any]:
    """The zone pinning, merged into the user's node affinity: every required term (they are ORed)
    also gets the zone expression (ANDed), so no term can schedule a pod outside `zones`."""
    zone = {"key": ZONE_LABEL, "operator": "In", "values": list(plan.zones)}
    given = dict((plan.scheduling.affinity or {}).get("nodeAffinity") or {})
    required = given.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = [dict(t) for t in required.get("nodeSelectorTerms") or []] or [{}]
    merged = [{**t, "matchExpressions": [*t.get("matchExpressions", []), zone]} for t in terms]
    return {**given, "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": merged}}


def _affinity(plan: SquidPlan) -> dict[str, Any]:
    return {**(plan.scheduling.affinity or {}), "nodeAffinity": _node_affinity(plan)}


def _placement(plan: SquidPlan) -> dict[str, Any]:
    """nodeSelector, tolerations, priority and pull secrets, each only when set."""
    sched = plan.scheduling
    found: dict[str, Any] = {}
    if sched.node_selector:
        found["nodeSelector"] = dict(sched.node_selector)
    if sched.tolerations:
        found["tolerations"] = [dict(t) for t in sched.tolerations]
    if sched.priority_class_name:
        found["priorityClassName"] = sched.priority_class_name
    if sched.image_pull_secrets:
        found["imagePullSecrets"] = [{"name": n} for n in sched.image_pull_secrets]
    return found


def pod_spec(plan: SquidPlan) -> dict[str, Any]:
    return {
        "serviceAccountName": plan.name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": plan.termination_grace_period_seconds,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": SQUID_UID,
            "runAsGroup": SQUID_UID,
            "fsGroup": SQUID_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "affinity": _affinity(plan),
        **_placement(plan),
        "topologySpreadConstraints": _spread_constraints(plan),
        "containers": [_squid_container(plan), _exporter_container(plan)],
        "volumes": [
            {"name": "config", "configMap": {"name": f"{plan.name}-config"}},
            {"name": "run", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
            {"name": "spool", "emptyDir": {"sizeLimit": "256Mi"}},
            {
                "name": "manager",
                # Group-readable: the pod's fsGroup is Squid's uid's group; nobody else reads it.
                "secret": {
                    "secretName": manager_secret_name(plan.name),
                    "items": [{"key": "cachemgr.conf", "path": "cachemgr.conf"}],
                    "defaultMode": 0o440,
                },
            },
        ],
    }


def _namespace(plan: SquidPlan) -> dict[str, Any]:
    restricted = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": plan.namespace, "labels": {**restricted, **labels(plan.name)}},
    }


def _deployment(plan: SquidPlan, conf: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": labels(plan.name)},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "template": {
            "metadata": {
                "labels": labels(plan.name),
                "annotations": {"checksum/config": config_checksum(conf)},
            },
            "spec": pod_spec(plan),
        },
    }
    if plan.autoscaling is None:
        # With an HPA it owns the count: a Deployment replicas field would be reset on every `pulumi up`.
        spec = {"replicas": plan.replicas, **spec}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(plan.name, plan.namespace),
        "spec": spec,
    }


def _service(plan: SquidPlan) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "ClusterIP",
        "selector": labels(plan.name),
        "ports": [
            {"name": "proxy", "port": PROXY_PORT, "targetPort": "proxy", "protocol": "TCP"},
            {"name": "metrics", "port": EXPORTER_PORT, "targetPort": "metrics", "protocol": "TCP"},
            *(
                {"name": t.name, "port": t.port, "targetPort": t.name, "protocol": "TCP"}
                for t in plan.conf.tenants
            ),
        ],
    }
    if plan.routing.traffic_distribution:
        spec["trafficDistribution"] = plan.routing.traffic_distribution
    meta = _meta(plan.name, plan.namespace)
    if plan.routing.topology_mode:
        meta["annotations"] = {TOPOLOGY_MODE_ANNOTATION: plan.routing.topology_mode}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}


def _disruption_budget(plan: SquidPlan) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(plan.name, plan.namespace),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": labels(plan.name)},
            # A crash-looping pod must not block node drains (the seed chart's PR #3).
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def _autoscaler(plan: SquidPlan) -> list[dict[str, Any]]:
    auto = plan.autoscaling
    if auto is None:
        return []
    behavior = {
        "scaleDown": {
            "stabilizationWindowSeconds": auto.scale_down_stabilization_seconds,
            "policies": [{"type": "Pods", "value": SCALE_DOWN_PODS_PER_MINUTE, "periodSeconds": 60}],
        },
        "scaleUp": {"stabilizationWindowSeconds": auto.scale_up_stabilization_seconds},
    }
    replicas = (auto.min_replicas, auto.max_replicas)
    meta = _meta(plan.name, plan.namespace)
    return [cpu_autoscaler(meta, plan.name, replicas, auto.target_cpu_percent, behavior)]


def _namespace_peer(namespace: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}}


def _tenant_ingress(plan: SquidPlan) -> list[dict[str, Any]]:
    """Each tenant's namespaces reach its port and no other (validation keeps them out of
    `client_namespaces` and of every other tenant)."""
    return [
        {
            "from": [_namespace_peer(n) for n in t.client_namespaces],
            "ports": [{"protocol": "TCP", "port": t.port}],
        }
        for t in plan.conf.tenants
    ]


def _network_policy(plan: SquidPlan) -> dict[str, Any]:
    clients = [_namespace_peer(n) for n in plan.client_namespaces]
    clients += [{"ipBlock": {"cidr": c}} for c in plan.external_client_cidrs]
    if plan.canary is not None:
        clients.append({"podSelector": {"matchLabels": canary_labels(plan.name)}})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(plan.name, plan.namespace),
        "spec": {
            "podSelector": {"matchLabels": labels(plan.name)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": clients, "ports": [{"protocol": "TCP", "port": PROXY_PORT}]},
                {
                    "from": [_namespace_peer(plan.monitoring_namespace)],
                    "ports": [{"protocol": "TCP", "port": EXPORTER_PORT}],
                },
                *_tenant_ingress(plan),
            ],
        },
    }


def _service_monitor(plan: SquidPlan) -> list[dict[str, Any]]:
    if not plan.service_monitor:
        return []
    meta = _meta(plan.name, plan.namespace)
    meta["labels"] = {**meta["labels"], **dict(plan.service_monitor_labels)}
    # The alerts go with the scrape: the same labels, so a ruleSelector like the
    # serviceMonitorSelector (kube-prometheus-stack: release: <name>) picks them up too.
    return [
        monitoring.service_monitor(meta, labels(plan.name), "metrics", "/metrics", "30s"),
        prometheus_rule(
            plan.name,
            plan.namespace,
            plan.name,
            dict(meta["labels"]),
            plan.canary.interval_minutes if plan.canary is not None else None,
        ),
    ]


def manager_secret(plan: SquidPlan, string_data: Any = None) -> dict[str, Any]:
    """The cache manager's Secret: `password` for the exporter, `cachemgr.conf` for squid.conf's
    include. `string_data` is a secret Output in the component; the pure manifests leave it out."""
    secret: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {**_meta(plan.name, plan.namespace), "name": manager_secret_name(plan.name)},
        "type": "Opaque",
    }
    if string_data is not None:
        secret["stringData"] = string_data
    return secret


def manager_secret_data(password: str) -> dict[str, str]:
    """The Secret's keys for a password (hex: no space, '#' or ':' to quote in either place)."""
    return {"password": password, "cachemgr.conf": f"{MANAGER_PASSWORD_DIRECTIVE} {password} all\n"}


def manifests(plan: SquidPlan, *, manager_data: Any = None, canary_ips: Any = None) -> list[dict[str, Any]]:
    """Every Kubernetes object of the proxy, as plain manifests, in the order they are registered.

    `manager_data` (the Secret's stringData) and `canary_ips` (zone -> egress IPs) may be Outputs:
    the component passes the generated password and the wired IPs; left out, the Secret has no
    data and the canary's ConfigMap has the IPs the args wrote (or none)."""
    conf = render(plan.conf)
    meta = _meta(plan.name, plan.namespace)
    return [
        *([_namespace(plan)] if plan.create_namespace else []),
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta,
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(f"{plan.name}-config", plan.namespace),
            "data": {"squid.conf": conf},
        },
        manager_secret(plan, manager_data),
        _deployment(plan, conf),
        _service(plan),
        _disruption_budget(plan),
        *_autoscaler(plan),
        _network_policy(plan),
        *_service_monitor(plan),
        *canary_manifests(plan, canary_ips),
        dashboard_configmap(
            f"{plan.name}-dashboard",
            plan.dashboard_namespace,
            plan.namespace,
            plan.name,
            canary=plan.canary is not None,
        ),
    ]


_SUFFIX = {
    "Namespace": "namespace",
    "ServiceAccount": "sa",
    "Deployment": "deployment",
    "Service": "svc",
    "PodDisruptionBudget": "pdb",
    "HorizontalPodAutoscaler": "hpa",
    "NetworkPolicy": "netpol",
    "ServiceMonitor": "servicemonitor",
    "PrometheusRule": "prometheusrule",
    "Secret": "cachemgr",
}


def child_name(name: str, manifest: Mapping[str, Any]) -> str:
    """The Pulumi resource name of one of the proxy's objects."""
    kind = manifest["kind"]
    if kind == "ConfigMap":
        if manifest["metadata"]["name"] == canary_config_name(name):
            return f"{name}-canary"
        dashboard = DASHBOARD_LABEL.keys() <= manifest["metadata"]["labels"].keys()
        return f"{name}-dashboard" if dashboard else f"{name}-config"
    if kind == "CronJob":
        return str(manifest["metadata"]["name"])  # <name>-canary-<zone>
    return f"{name}-{_SUFFIX[kind]}"
