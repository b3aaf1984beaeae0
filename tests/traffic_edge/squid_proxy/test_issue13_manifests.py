"""Issue 13 items 3-5 on the manifests: placement merged with the zone pinning, tenant ports in the
pod, the Service and the NetworkPolicy, the HPA's behaviour, the cache manager's Secret, and the
canary's CronJobs, ConfigMap, alert and dashboard panel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.traffic_edge.squid_proxy.cases import CANARY, PLACEMENT, TENANT
from tests.traffic_edge.squid_proxy.test_manifests import DEV, ZONES, container, kind, objects, pod
from traffic_edge.squid_proxy.canary import SCRIPT

ZONE_EXPRESSION = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ZONES}


@pytest.fixture(scope="module")
def full() -> list[dict[str, Any]]:
    return objects(
        {
            **DEV,
            **PLACEMENT,
            "tenants": [TENANT],
            "canary": CANARY,
            "service_monitor": True,
            "autoscaling": {"max_replicas": 8},
        }
    )


# ---------------------------------------------------------------- placement


def test_every_required_node_term_keeps_the_zone_pinning(full: list[dict[str, Any]]) -> None:
    node = pod(full)["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    arches = [t["matchExpressions"][0]["values"] for t in node["nodeSelectorTerms"]]
    assert arches == [["arm64"], ["amd64"]]
    assert all(t["matchExpressions"][-1] == ZONE_EXPRESSION for t in node["nodeSelectorTerms"])


def test_the_rest_of_the_affinity_and_the_spread_are_kept(full: list[dict[str, Any]]) -> None:
    spec = pod(full)
    assert spec["affinity"]["podAntiAffinity"] == PLACEMENT["affinity"]["podAntiAffinity"]
    assert [c["topologyKey"] for c in spec["topologySpreadConstraints"]] == [
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    ]
    assert spec["nodeSelector"] == {"node-group": "egress"}
    assert spec["tolerations"] == PLACEMENT["tolerations"]
    assert spec["priorityClassName"] == "egress-critical"
    assert spec["imagePullSecrets"] == [{"name": "mirror-pull"}]


def test_without_placement_args_the_pod_is_as_before() -> None:
    spec = pod(objects(DEV))
    assert spec["affinity"] == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [ZONE_EXPRESSION]}]
            }
        }
    }
    assert not {"nodeSelector", "tolerations", "priorityClassName", "imagePullSecrets"} & spec.keys()


def test_tolerations_are_written_in_the_api_s_spelling() -> None:
    toleration = {"key": "spot", "operator": "Exists", "effect": "NoExecute", "toleration_seconds": 30}
    spec = pod(objects({**DEV, "tolerations": [toleration]}))
    assert spec["tolerations"] == [
        {"key": "spot", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}
    ]


# ---------------------------------------------------------------- HPA behaviour


def test_the_hpa_scales_down_slowly_by_default(full: list[dict[str, Any]]) -> None:
    assert kind(full, "HorizontalPodAutoscaler")["spec"]["behavior"] == {
        "scaleDown": {
            "stabilizationWindowSeconds": 600,
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
        },
        "scaleUp": {"stabilizationWindowSeconds": 0},
    }


def test_the_stabilization_windows_are_the_args() -> None:
    auto = {"max_replicas": 8, "scale_down_stabilization_seconds": 900, "scale_up_stabilization_seconds": 60}
    behavior = kind(objects({**DEV, "autoscaling": auto}), "HorizontalPodAutoscaler")["spec"]["behavior"]
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] == 900
    assert behavior["scaleUp"] == {"stabilizationWindowSeconds": 60}


# ---------------------------------------------------------------- tenants


def test_a_tenant_gets_a_container_port_and_a_service_port(full: list[dict[str, Any]]) -> None:
    assert container(full, "squid")["ports"][1] == {
        "name": "payments",
        "containerPort": 3200,
        "protocol": "TCP",
    }
    assert kind(full, "Service")["spec"]["ports"] == [
        {"name": "proxy", "port": 3128, "targetPort": "proxy", "protocol": "TCP"},
        {"name": "metrics", "port": 9301, "targetPort": "metrics", "protocol": "TCP"},
        {"name": "payments", "port": 3200, "targetPort": "payments", "protocol": "TCP"},
    ]


def test_a_tenant_namespace_reaches_only_its_port(full: list[dict[str, Any]]) -> None:
    ingress = kind(full, "NetworkPolicy")["spec"]["ingress"]
    by_port = {r["ports"][0]["port"]: r["from"] for r in ingress}
    ns = "kubernetes.io/metadata.name"
    assert by_port[3200] == [{"namespaceSelector": {"matchLabels": {ns: "payments"}}}]
    assert {"namespaceSelector": {"matchLabels": {ns: "payments"}}} not in by_port[3128]
    assert {"namespaceSelector": {"matchLabels": {ns: "payments"}}} not in by_port[9301]


def test_a_tenant_has_its_own_squid_port_and_acls(full: list[dict[str, Any]]) -> None:
    conf = kind(full, "ConfigMap", "squid-config")["data"]["squid.conf"].splitlines()
    assert "http_port 3200 name=tenant-payments" in conf
    assert "acl tenant-payments myportname tenant-payments" in conf
    assert "acl tenant-payments-domains dstdomain -n .stripe.com" in conf
    first = conf.index("http_access deny !allowed_src")
    block = conf[first + 1 : first + 7]
    assert block == [
        "# Tenant payments: its own port (3200), its own destinations and ports.",
        "http_access deny tenant-payments CONNECT !tenant-payments-tls-ports",
        "http_access deny tenant-payments !CONNECT",  # http_ports: [] makes it TLS-only
        "http_access deny tenant-payments to_localhost",
        "http_access deny tenant-payments denied_dst",
        "http_access allow tenant-payments allowed_src tenant-payments-domains",
    ]
    assert conf[first + 7] == "http_access deny tenant-payments"  # decided before the shared rules


# ---------------------------------------------------------------- the cache manager's password


def test_the_password_lives_in_a_secret_the_pod_mounts_and_the_exporter_reads(
    full: list[dict[str, Any]],
) -> None:
    secret = kind(full, "Secret")
    assert secret["metadata"]["name"] == "squid-cachemgr"
    assert "stringData" not in secret and "data" not in secret  # the component adds it as a secret Output
    assert {"name": "manager", "mountPath": "/etc/squid/traffic-edge-manager", "readOnly": True} in container(
        full, "squid"
    )["volumeMounts"]
    volume = next(v for v in pod(full)["volumes"] if v["name"] == "manager")
    assert volume["secret"] == {
        "secretName": "squid-cachemgr",
        "items": [{"key": "cachemgr.conf", "path": "cachemgr.conf"}],
        "defaultMode": 0o440,
    }
    assert container(full, "exporter")["env"] == [
        {"name": "SQUID_LOGIN", "value": "exporter"},
        {
            "name": "SQUID_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "squid-cachemgr", "key": "password"}},
        },
    ]
    conf = kind(full, "ConfigMap", "squid-config")["data"]["squid.conf"]
    assert "include /etc/squid/traffic-edge-manager/cachemgr.conf" in conf.splitlines()
    assert "cachemgr_passwd" not in conf.replace("# cachemgr_passwd <password> all", "")


def test_the_manager_stays_loopback_only(full: list[dict[str, Any]]) -> None:
    conf = kind(full, "ConfigMap", "squid-config")["data"]["squid.conf"].splitlines()
    rules = [line for line in conf if line.startswith("http_access")]
    assert rules[:2] == ["http_access allow localhost manager", "http_access deny manager"]


# ---------------------------------------------------------------- the canary


def test_one_cronjob_per_zone_pinned_to_it_running_the_script(full: list[dict[str, Any]]) -> None:
    jobs = [m for m in full if m["kind"] == "CronJob"]
    assert [j["metadata"]["name"] for j in jobs] == [f"squid-canary-{z}" for z in ZONES]
    for zone, job in zip(ZONES, jobs, strict=True):
        spec = job["spec"]
        assert spec["schedule"] == "*/5 * * * *"
        assert spec["concurrencyPolicy"] == "Forbid"
        template = spec["jobTemplate"]["spec"]
        assert template["backoffLimit"] == 0
        pod_spec = template["template"]["spec"]
        assert pod_spec["nodeSelector"] == {"topology.kubernetes.io/zone": zone}
        assert pod_spec["imagePullSecrets"] == [{"name": "mirror-pull"}]
        [c] = pod_spec["containers"]
        assert c["image"] == "curlimages/curl:8.21.0"
        assert c["command"] == ["sh", "-c", SCRIPT]
        env = {e["name"]: e.get("value", e.get("valueFrom")) for e in c["env"]}
        assert env == {
            "PROXY_URL": "http://squid.egress.svc.cluster.local:3128",
            "ECHO_URL": "https://checkip.example.net/",
            "ZONE": zone,
            "EXPECTED_IPS": {"configMapKeyRef": {"name": "squid-canary", "key": zone}},
        }


def test_the_canary_pods_meet_the_restricted_pod_security_standard(full: list[dict[str, Any]]) -> None:
    for job in (m for m in full if m["kind"] == "CronJob"):
        pod_spec = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod_spec["automountServiceAccountToken"] is False
        assert pod_spec["securityContext"]["runAsNonRoot"] is True
        assert pod_spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        sc = pod_spec["containers"][0]["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"] == {"drop": ["ALL"]}
        assert sc["runAsNonRoot"] is True and sc["runAsUser"] != 0
        assert sc["readOnlyRootFilesystem"] is True


def test_the_expected_ips_are_a_configmap_per_zone(full: list[dict[str, Any]]) -> None:
    assert kind(full, "ConfigMap", "squid-canary")["data"] == {
        "ap-northeast-2a": "203.0.113.10",
        "ap-northeast-2c": "203.0.113.20 203.0.113.21",
    }


def test_the_proxy_admits_the_canary_pods_and_allowlists_only_the_echo(full: list[dict[str, Any]]) -> None:
    ingress = kind(full, "NetworkPolicy")["spec"]["ingress"][0]
    labels = {"app.kubernetes.io/name": "squid-canary", "app.kubernetes.io/instance": "squid"}
    assert {"podSelector": {"matchLabels": labels}} in ingress["from"]
    conf = kind(full, "ConfigMap", "squid-config")["data"]["squid.conf"].splitlines()
    assert "acl canary_dst dstdomain -n checkip.example.net" in conf
    assert "acl canary_port port 443" in conf
    assert "http_access allow allowed_src CONNECT canary_dst canary_port !to_localhost !denied_dst" in conf


def test_the_canary_has_an_alert_and_a_dashboard_panel(full: list[dict[str, Any]]) -> None:
    rules = kind(full, "PrometheusRule")["spec"]["groups"][0]["rules"]
    canary = next(r for r in rules if r["alert"] == "SquidEgressCanaryFailing")
    assert "kube_cronjob_status_last_successful_time" in canary["expr"]
    assert "> 960" in canary["expr"]  # three 5-minute intervals and a minute
    import json

    model = json.loads(next(iter(kind(full, "ConfigMap", "squid-dashboard")["data"].values())))
    [panel] = [p for p in model["panels"] if "canary" in p["title"]]
    assert panel["targets"][0]["expr"] == (
        '(time() - kube_cronjob_status_last_successful_time{namespace="egress", cronjob=~"squid-canary-.+"}) / 60'
    )


def test_without_the_canary_nothing_of_it_is_made() -> None:
    objs = objects({**DEV, "service_monitor": True})
    assert not [m for m in objs if m["kind"] == "CronJob" or m["metadata"]["name"] == "squid-canary"]
    rules = kind(objs, "PrometheusRule")["spec"]["groups"][0]["rules"]
    assert "SquidEgressCanaryFailing" not in [r["alert"] for r in rules]
    assert "canary" not in kind(objs, "ConfigMap", "squid-config")["data"]["squid.conf"]


def test_hourly_runs_are_on_the_hour() -> None:
    objs = objects({**DEV, "canary": {**CANARY, "interval_minutes": 60}})
    assert {m["spec"]["schedule"] for m in objs if m["kind"] == "CronJob"} == {"0 * * * *"}
