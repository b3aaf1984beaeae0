"""The chart values built from the plan: every key a value name of the pinned chart 41.x."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.traffic_edge.traefik_gateway.cases import BEHIND_EDGE, FULL, MINIMAL, plan_of, with_
from traffic_edge.traefik_gateway.args import ZoneSpread
from traffic_edge.traefik_gateway.helm_values import helm_values
from traffic_edge.traefik_gateway.plan import gateway_names, plan_traefik_gateway
from traffic_edge.traefik_gateway.validate import validate_traefik_args


def values_of(args: dict[str, Any]) -> dict[str, Any]:
    return helm_values(plan_of(args))


def test_default_values_are_zero_downtime_and_locked_down() -> None:
    v = values_of(MINIMAL)
    assert v["deployment"] == {
        "kind": "Deployment",
        "replicas": 2,
        "terminationGracePeriodSeconds": 30,
        "readinessPath": "/ping",
        "livenessPath": "/ping",
    }
    assert v["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
    }
    assert v["podDisruptionBudget"] == {"enabled": True, "maxUnavailable": 1}
    assert v["readinessProbe"]["failureThreshold"] == 1
    assert v["livenessProbe"]["failureThreshold"] == 3
    assert v["podSecurityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert v["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert v["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    selector = {"matchLabels": gateway_names("edge", "edge").selector}
    assert v["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        },
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        },
    ]


def test_default_values_route_nothing_undeclared() -> None:
    v = values_of(MINIMAL)
    assert v["providers"] == {
        "kubernetesCRD": {
            "enabled": True,
            "ingressClass": "edge-traefik",
            "namespaces": ["edge"],
            "allowCrossNamespace": False,
            "allowExternalNameServices": False,
        },
        "kubernetesIngress": {
            "enabled": False,
            "ingressClass": "edge-traefik",
            "namespaces": ["edge"],
            "allowExternalNameServices": False,
        },
    }
    assert v["rbac"] == {"enabled": True, "namespaced": True}
    assert v["ingressClass"] == {"enabled": False}
    assert v["global"] == {"checkNewVersion": False, "sendAnonymousUsage": False}


def test_default_entrypoints_logs_and_dashboard() -> None:
    v = values_of(MINIMAL)
    assert v["ports"] == {
        "traefik": {"port": 8080, "expose": {"default": False}},
        "metrics": {"expose": {"default": False}},
        "web": {
            "port": 8000,
            "exposedPort": 80,
            "expose": {"default": True},
            "protocol": "TCP",
            "forwardedHeaders": {"trustedIPs": [], "insecure": False},
            "transport": {"lifeCycle": {"requestAcceptGraceTimeout": "5s", "graceTimeOut": "10s"}},
        },
        "websecure": None,
    }
    assert v["service"] == {"enabled": True, "spec": {"type": "ClusterIP"}}
    assert v["log"] == {"level": "INFO", "format": "json"}
    assert v["accessLog"] == {"enabled": True, "format": "json"}
    assert v["api"] == {"dashboard": True}
    assert v["ingressRoute"] == {
        "dashboard": {"enabled": True, "entryPoints": ["traefik"]},
        "healthcheck": {"enabled": False},
    }


def test_no_pre_41_value_names() -> None:
    # The chart enforces its schema since 39: a renamed key fails the install.
    v = values_of(BEHIND_EDGE)
    assert "logs" not in v
    assert "type" not in v["service"]
    assert "tls" not in v["ports"]["websecure"]
    assert "redirections" not in v["ports"]["web"]


def test_every_arg_reaches_the_values() -> None:
    args = with_(
        BEHIND_EDGE,
        replicas=3,
        web_port=8081,
        websecure_port=8443,
        kubernetes_ingress=True,
        dashboard=False,
        service_type="LoadBalancer",
        zone_spread=ZoneSpread.REQUIRED,
        resources={"cpu_request": "250m", "memory_request": "256Mi", "memory_limit": "512Mi"},
    )
    v = values_of(args)
    assert v["deployment"]["replicas"] == 3
    assert v["ports"]["web"]["exposedPort"] == 8081
    assert v["ports"]["websecure"]["port"] == 8443
    assert v["ports"]["websecure"]["exposedPort"] == 8443
    assert v["ports"]["websecure"]["http"] == {"tls": {"enabled": True}}
    assert v["providers"]["kubernetesIngress"]["enabled"] is True
    assert v["providers"]["kubernetesCRD"]["namespaces"] == ["edge", "apps"]
    assert v["providers"]["kubernetesIngress"]["namespaces"] == ["edge", "apps"]
    assert v["api"] == {"dashboard": False}
    assert v["ingressRoute"]["dashboard"]["enabled"] is False
    assert v["service"]["spec"] == {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}
    assert v["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"
    assert v["resources"] == {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}


def test_proxy_protocol_trusts_only_the_edge_on_every_entrypoint() -> None:
    v = values_of(BEHIND_EDGE)
    for ep in ("web", "websecure"):
        assert v["ports"][ep]["proxyProtocol"] == {
            "trustedIPs": ["10.244.8.0/24", "192.0.2.10"],
            "insecure": False,
        }
        assert v["ports"][ep]["forwardedHeaders"] == {
            "trustedIPs": ["10.244.8.0/24", "192.0.2.10"],
            "insecure": False,
        }
    assert "proxyProtocol" not in values_of(with_(BEHIND_EDGE, proxy_protocol=False))["ports"]["web"]


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    out = [(path, node)]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _walk(v, f"{path}[{i}]")
    return out


@given(
    cidrs=st.lists(
        st.ip_addresses(v=4).map(str) | st.ip_addresses(v=6).map(str), min_size=0, max_size=4, unique=True
    ),
    websecure=st.booleans(),
)
def test_proxy_protocol_is_never_on_with_an_empty_or_insecure_trust(
    cidrs: list[str], websecure: bool
) -> None:
    args = {"namespace": "edge", "proxy_protocol": True, "trusted_cidrs": cidrs, "websecure": websecure}
    found = validate_traefik_args(args)
    if not cidrs:
        assert [p.key for p in found] == ["trusted_cidrs"]
        return
    assert found == []
    values = helm_values(plan_traefik_gateway("edge", args))
    blocks = [node for path, node in _walk(values) if path.endswith(".proxyProtocol")]
    assert len(blocks) == (2 if websecure else 1)
    for block in blocks:
        assert block == {"trustedIPs": cidrs, "insecure": False}
    assert all(node is not True for path, node in _walk(values) if path.endswith(".insecure"))


def test_optional_features_are_absent_unless_asked_for() -> None:
    v = values_of(BEHIND_EDGE)
    for key in ("autoscaling", "metrics", "tracing", "tlsStore", "tlsOptions"):
        assert key not in v
    assert "http" not in v["ports"]["web"]
    assert set(v["ports"]) == {"traefik", "metrics", "web", "websecure"}


def test_autoscaling_is_the_charts_hpa_on_cpu_never_below_two() -> None:
    v = values_of(FULL)
    assert v["deployment"]["replicas"] == 3
    assert v["autoscaling"] == {
        "enabled": True,
        "minReplicas": 3,
        "maxReplicas": 8,
        "metrics": [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}},
            }
        ],
        "behavior": {
            "scaleUp": {
                "stabilizationWindowSeconds": 0,
                "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30}],
            },
            "scaleDown": {
                "stabilizationWindowSeconds": 300,
                "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
            },
        },
    }
    # Unset, the minimum is replicas (or 2).
    v = values_of(with_(MINIMAL, replicas=4, autoscaling={"max_replicas": 6}))
    assert (v["autoscaling"]["minReplicas"], v["autoscaling"]["maxReplicas"]) == (4, 6)
    assert v["autoscaling"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
    assert values_of(with_(MINIMAL, autoscaling={"max_replicas": 3}))["autoscaling"]["minReplicas"] == 2


def test_metrics_and_tracing_values() -> None:
    v = values_of(FULL)
    assert v["metrics"] == {
        "prometheus": {"entryPoint": "metrics", "addEntryPointsLabels": True, "addServicesLabels": True}
    }
    assert v["ports"]["metrics"] == {"port": 9100, "expose": {"default": False}}
    assert v["tracing"] == {
        "sampleRate": 0.05,
        "otlp": {
            "enabled": True,
            "grpc": {"enabled": True, "endpoint": "otel-collector.monitoring:4317", "insecure": True},
        },
    }
    v = values_of(with_(MINIMAL, tracing={"endpoint": "10.0.0.9:4317"}))
    assert v["tracing"]["sampleRate"] == 0.1
    assert v["tracing"]["otlp"]["grpc"]["insecure"] is False


def test_redirect_to_https_is_on_the_web_entrypoint() -> None:
    v = values_of(FULL)
    assert v["ports"]["web"]["http"] == {
        "redirections": {"entryPoint": {"to": "websecure", "scheme": "https", "permanent": True}}
    }


def test_tls_default_certificate_and_options() -> None:
    v = values_of(FULL)
    assert v["tlsStore"] == {"default": {"defaultCertificate": {"secretName": "edge-default-tls"}}}
    assert v["tlsOptions"] == {"default": {"minVersion": "VersionTLS13"}}
    v = values_of(with_(FULL, tls={"default_certificate": {"secret": "wildcard-tls"}}))
    assert v["tlsStore"] == {"default": {"defaultCertificate": {"secretName": "wildcard-tls"}}}
    assert v["tlsOptions"] == {"default": {"minVersion": "VersionTLS12"}}
    v = values_of(with_(FULL, tls={"min_version": "VersionTLS13"}))
    assert "tlsStore" not in v


def test_each_tcp_route_has_its_own_entrypoint_with_the_edges_trust() -> None:
    ports = values_of(FULL)["ports"]
    trust = {"trustedIPs": ["10.244.8.0/24", "192.0.2.10"], "insecure": False}
    lifecycle = {"lifeCycle": {"requestAcceptGraceTimeout": "5s", "graceTimeOut": "10s"}}
    assert ports["postgres"] == {
        "port": 5432,
        "exposedPort": 5432,
        "expose": {"default": True},
        "protocol": "TCP",
        "transport": lifecycle,
        "proxyProtocol": trust,
    }
    # A privileged Service port is served from an unprivileged one in the pod.
    assert (ports["smtp"]["port"], ports["smtp"]["exposedPort"]) == (10025, 25)
    assert "proxyProtocol" not in values_of(with_(FULL, proxy_protocol=False))["ports"]["smtp"]
