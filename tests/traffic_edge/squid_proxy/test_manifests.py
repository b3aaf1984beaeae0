"""The proxy's Kubernetes objects, built from the plan: every rule of issue 3 on the plain manifests."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from tests.traffic_edge.squid_proxy.cases import CANARY, PLACEMENT, TENANT
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.squid_proxy.args import SquidProxyArgs
from traffic_edge.squid_proxy.manifests import child_name, manifests
from traffic_edge.squid_proxy.plan import PRESTOP_DELAY_SECONDS, plan_squid_proxy
from traffic_edge.squid_proxy.squid_conf import render_squid_conf
from traffic_edge.squid_proxy.validate import validate_squid_proxy_args

ZONES = ["ap-northeast-2a", "ap-northeast-2c"]

DEV: SquidProxyArgs = {
    "namespace": "egress",
    "kubernetes_version": "1.33",
    "zones": ZONES,
    "replicas": 6,
    "allowed_source_cidrs": ["10.0.0.0/16"],
    "allowed_domains": ["api.slack.com", "hooks.slack.com"],
    "client_namespaces": ["apps", "batch"],
}


def objects(args: Any, name: str = "squid") -> list[dict[str, Any]]:
    """The manifests of valid `args` (checked, so no test builds from args the component refuses)."""
    assert [p.render() for p in validate_squid_proxy_args(args, name)] == []
    return manifests(plan_squid_proxy(name, args))


def kind(objs: list[dict[str, Any]], k: str, name: str | None = None) -> dict[str, Any]:
    found = [m for m in objs if m["kind"] == k and (name is None or m["metadata"]["name"] == name)]
    assert len(found) == 1, (k, name, [m["metadata"]["name"] for m in found])
    return found[0]


def pod(objs: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = kind(objs, "Deployment")["spec"]["template"]["spec"]
    return spec


def container(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(c for c in pod(objs)["containers"] if c["name"] == name)


def conf_of(objs: list[dict[str, Any]]) -> str:
    text: str = kind(objs, "ConfigMap", "squid-config")["data"]["squid.conf"]
    return text


def _directive(conf: str, name: str) -> str:
    return next(line.split(" ", 1)[1] for line in conf.splitlines() if line.startswith(name + " "))


@pytest.fixture(scope="module")
def dev() -> list[dict[str, Any]]:
    return objects(DEV)


# ---------------------------------------------------------------- structure


def test_the_objects_and_their_order(dev: list[dict[str, Any]]) -> None:
    assert [m["kind"] for m in dev] == [
        "ServiceAccount",
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ConfigMap",
    ]
    assert [child_name("squid", m) for m in dev] == [
        "squid-sa",
        "squid-config",
        "squid-cachemgr",
        "squid-deployment",
        "squid-svc",
        "squid-pdb",
        "squid-netpol",
        "squid-dashboard",
    ]


def test_manifests_are_a_pure_function_of_the_plan() -> None:
    assert manifests(plan_squid_proxy("squid", DEV)) == manifests(plan_squid_proxy("squid", dict(DEV)))


def test_optional_objects() -> None:
    objs = objects(
        {
            **DEV,
            "create_namespace": True,
            "service_monitor": True,
            "service_monitor_labels": {"release": "kube-prometheus-stack"},
            "autoscaling": {"max_replicas": 12, "target_cpu_percent": 60},
        }
    )
    assert objs[0]["kind"] == "Namespace"
    assert kind(objs, "Namespace")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    hpa = kind(objs, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (6, 12)
    assert hpa["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 60}
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "squid"}
    # The HPA owns the replica count; a Deployment replicas field would be reset on every `pulumi up`.
    assert "replicas" not in kind(objs, "Deployment")["spec"]
    sm = kind(objs, "ServiceMonitor")
    assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert sm["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    # The ServiceMonitor selects the Service (whose endpoints carry the metrics port), not the pods.
    assert (
        sm["spec"]["selector"]["matchLabels"].items() <= kind(objs, "Service")["metadata"]["labels"].items()
    )
    assert [
        child_name("squid", m) for m in objs if m["kind"] in ("Namespace", "HorizontalPodAutoscaler")
    ] == [
        "squid-namespace",
        "squid-hpa",
    ]


def test_no_service_monitor_by_default(dev: list[dict[str, Any]]) -> None:
    assert not [m for m in dev if m["kind"] == "ServiceMonitor"]


@pytest.mark.parametrize("version", ["1.27", "1.29", "1.30", "1.31", "1.33", "1.34", "1.35", "1.37"])
def test_every_manifest_passes_strict_schema_validation(version: str) -> None:
    objs = objects(
        {
            **DEV,
            "kubernetes_version": version,
            "create_namespace": True,
            "service_monitor": True,
            "autoscaling": {"max_replicas": 8},
            "external_client_cidrs": ["10.0.5.0/24"],
            **PLACEMENT,
            "tenants": [TENANT],
            "canary": CANARY,
        }
    )
    checked = 0
    for manifest in objs:
        if manifest["kind"] in ("ServiceMonitor", "PrometheusRule"):
            continue  # CRDs: no OpenAPI schema in kubernetes-validate
        assert validate_manifest(manifest, version) == [], manifest["kind"]
        checked += 1
    assert checked == 13  # with the Secret, the canary's ConfigMap and its two CronJobs


def _with_manager_include(conf: str) -> str:
    """The generator's file plus the include of the cache manager's password, as SquidProxy has it."""
    anchor = "# Tell third parties nothing about the clients or the proxy.\n"
    include = (
        "# cachemgr_passwd <password> all, from a Secret mounted here: never in this ConfigMap.\n"
        "include /etc/squid/traffic-edge-manager/cachemgr.conf\n\n"
    )
    assert conf.count(anchor) == 1
    return conf.replace(anchor, include + anchor)


def test_configmap_holds_the_generated_squid_conf(dev: list[dict[str, Any]]) -> None:
    cm = kind(dev, "ConfigMap", "squid-config")
    assert cm["data"] == {"squid.conf": _with_manager_include(render_squid_conf(DEV))}
    assert cm["metadata"]["namespace"] == "egress"


# ---------------------------------------------------------------- zones


def test_zone_spread_is_hard_with_min_domains_and_soft_over_nodes(dev: list[dict[str, Any]]) -> None:
    labels = kind(dev, "Deployment")["spec"]["selector"]["matchLabels"]
    zone, host = pod(dev)["topologySpreadConstraints"]
    assert zone == {
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule",
        "minDomains": 2,
        "labelSelector": {"matchLabels": labels},
        "matchLabelKeys": ["pod-template-hash"],
    }
    assert host == {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": labels},
    }
    # The selector must match the pods, or the spread counts nothing (the seed blog's `app: squid` slip).
    assert labels.items() <= kind(dev, "Deployment")["spec"]["template"]["metadata"]["labels"].items()


def test_pods_are_pinned_to_the_listed_zones(dev: list[dict[str, Any]]) -> None:
    terms = pod(dev)["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ZONES}]}
    ]


def test_min_domains_follows_the_zone_count() -> None:
    three = objects({**DEV, "zones": [*ZONES, "ap-northeast-2b"]})
    assert pod(three)["topologySpreadConstraints"][0]["minDomains"] == 3
    explicit = objects({**DEV, "zones": [*ZONES, "ap-northeast-2b"], "min_domains": 2})
    assert pod(explicit)["topologySpreadConstraints"][0]["minDomains"] == 2


def test_development_profile_allows_one_zone_and_a_soft_spread() -> None:
    one = objects({**DEV, "profile": "development", "zones": ["kind-zone"], "replicas": 1})
    zone = pod(one)["topologySpreadConstraints"][0]
    assert zone["whenUnsatisfiable"] == "DoNotSchedule"
    assert "minDomains" not in zone  # a single domain: nothing to wait for
    soft = objects({**DEV, "profile": "development", "zone_spread": "ScheduleAnyway"})
    zone = pod(soft)["topologySpreadConstraints"][0]
    assert zone["whenUnsatisfiable"] == "ScheduleAnyway"
    assert "minDomains" not in zone  # the API rejects minDomains with ScheduleAnyway


def test_default_replicas_are_two_per_zone() -> None:
    args = {k: v for k, v in DEV.items() if k != "replicas"}
    assert kind(objects(args), "Deployment")["spec"]["replicas"] == 4


# ---------------------------------------------------------------- service


@pytest.mark.parametrize(
    ("version", "annotation", "distribution"),
    [
        ("1.27", "Auto", None),
        ("1.30", "Auto", None),
        ("1.31", None, "PreferClose"),
        ("1.33.4", None, "PreferClose"),
        ("1.34", None, "PreferSameZone"),
    ],
)
def test_service_local_zone_routing_by_kubernetes_version(
    version: str, annotation: str | None, distribution: str | None
) -> None:
    svc = kind(objects({**DEV, "kubernetes_version": version}), "Service")
    assert svc["spec"].get("trafficDistribution") == distribution
    assert svc["metadata"].get("annotations", {}).get("service.kubernetes.io/topology-mode") == annotation


def test_service_has_a_stable_name_and_selects_the_pods(dev: list[dict[str, Any]]) -> None:
    svc = kind(dev, "Service")
    assert svc["metadata"]["name"] == "squid"
    assert svc["spec"]["type"] == "ClusterIP"
    assert {(p["name"], p["port"]) for p in svc["spec"]["ports"]} == {("proxy", 3128), ("metrics", 9301)}
    pod_labels = kind(dev, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= pod_labels.items()


# ---------------------------------------------------------------- pods


def test_pod_security_is_restricted(dev: list[dict[str, Any]]) -> None:
    spec = pod(dev)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 13  # Squid's uid: stdout logging needs it from the start
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    assert kind(dev, "ServiceAccount")["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == kind(dev, "ServiceAccount")["metadata"]["name"]
    for c in spec["containers"]:
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False, c["name"]
        assert sc["readOnlyRootFilesystem"] is True, c["name"]
        assert sc["capabilities"] == {"drop": ["ALL"]}, c["name"]
        assert sc["runAsNonRoot"] is True, c["name"]
        assert c["resources"]["requests"] and c["resources"]["limits"], c["name"]


def test_everywhere_squid_writes_is_a_mounted_empty_dir(dev: list[dict[str, Any]]) -> None:
    conf = conf_of(dev)
    volumes = {v["name"]: v for v in pod(dev)["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container(dev, "squid")["volumeMounts"]}
    for path in (_directive(conf, "pid_filename").rsplit("/", 1)[0], _directive(conf, "coredump_dir")):
        assert path in mounts, path
        assert "emptyDir" in volumes[mounts[path]], path


def test_squid_runs_the_mounted_config_as_pid_1_in_smp_capable_mode(dev: list[dict[str, Any]]) -> None:
    squid = container(dev, "squid")
    conf_path = squid["command"][squid["command"].index("-f") + 1]
    mount = next(m for m in squid["volumeMounts"] if conf_path.startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod(dev)["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == kind(dev, "ConfigMap", "squid-config")["metadata"]["name"]
    assert conf_path.endswith("/squid.conf")
    assert "--foreground" in squid["command"]
    assert "-N" not in squid["command"]  # -N ignores `workers`


def test_squid_image_is_a_pinned_squid_7_and_the_exporter_is_v1_13(dev: list[dict[str, Any]]) -> None:
    # Squid 6 ended upstream on 2025-07-10; the image's binary is squid-gnutls (no squid link).
    assert re.fullmatch(r"ubuntu/squid:7\.\d+-26\.04_\w+", container(dev, "squid")["image"])
    assert container(dev, "squid")["command"][0] == "/usr/sbin/squid-gnutls"
    assert container(dev, "exporter")["image"] == "boynux/squid-exporter:v1.13.0"


def test_exporter_reads_squid_over_loopback_on_its_proxy_port(dev: list[dict[str, Any]]) -> None:
    conf = conf_of(dev)
    exporter = container(dev, "exporter")
    assert "-squid-hostname=127.0.0.1" in exporter["args"]
    assert f"-squid-port={_directive(conf, 'http_port')}" in exporter["args"]
    assert exporter["ports"] == [{"name": "metrics", "containerPort": 9301, "protocol": "TCP"}]
    assert "http_access allow localhost manager" in conf


def test_probes_are_tcp_on_the_named_ports(dev: list[dict[str, Any]]) -> None:
    squid = container(dev, "squid")
    assert squid["readinessProbe"]["tcpSocket"] == {"port": "proxy"}
    assert squid["livenessProbe"]["tcpSocket"] == {"port": "proxy"}
    assert container(dev, "exporter")["readinessProbe"]["tcpSocket"] == {"port": "metrics"}


@pytest.mark.parametrize("version", ["1.30", "1.33", "1.34"])
def test_from_1_30_the_kubelet_sleeps_and_its_sigterm_drains(version: str) -> None:
    # The default image has no sleep binary: the delay is the kubelet's preStop sleep action (KEP-3960).
    for lifetime in (5, 20, 90):
        objs = objects({**DEV, "kubernetes_version": version, "shutdown_lifetime_seconds": lifetime})
        assert _directive(conf_of(objs), "shutdown_lifetime") == f"{lifetime} seconds"
        assert container(objs, "squid")["lifecycle"]["preStop"] == {
            "sleep": {"seconds": PRESTOP_DELAY_SECONDS}
        }
        assert pod(objs)["terminationGracePeriodSeconds"] > PRESTOP_DELAY_SECONDS + lifetime


@pytest.mark.parametrize("version", ["1.27", "1.29"])
def test_before_1_30_an_exec_hook_sleeps_shuts_down_and_outlasts_the_drain(version: str) -> None:
    for lifetime in (5, 20, 90):
        objs = objects({**DEV, "kubernetes_version": version, "shutdown_lifetime_seconds": lifetime})
        pre_stop = " ".join(container(objs, "squid")["lifecycle"]["preStop"]["exec"]["command"])
        assert "/usr/sbin/squid-gnutls -f /etc/squid/traffic-edge/squid.conf -k shutdown" in pre_stop
        assert f"sleep {PRESTOP_DELAY_SECONDS};" in pre_stop
        assert pre_stop.endswith(f"sleep {lifetime + 5}")
        assert pod(objs)["terminationGracePeriodSeconds"] > PRESTOP_DELAY_SECONDS + lifetime


def test_before_1_30_the_default_image_is_warned_about_and_a_chosen_one_is_not() -> None:
    old = {**DEV, "kubernetes_version": "1.29"}
    assert any("no sleep binary" in w for w in plan_squid_proxy("egress-proxy", old).warnings)
    mine = {**old, "image": "registry.example.com/squid:7.7-debian"}
    assert not any("sleep" in w for w in plan_squid_proxy("egress-proxy", mine).warnings)
    assert not any("sleep" in w for w in plan_squid_proxy("egress-proxy", DEV).warnings)


def test_explicit_grace_period_is_used() -> None:
    objs = objects({**DEV, "shutdown_lifetime_seconds": 30, "termination_grace_period_seconds": 120})
    assert pod(objs)["terminationGracePeriodSeconds"] == 120


def test_config_change_rolls_the_pods(dev: list[dict[str, Any]]) -> None:
    def checksum(objs: list[dict[str, Any]]) -> str:
        value: str = kind(objs, "Deployment")["spec"]["template"]["metadata"]["annotations"][
            "checksum/config"
        ]
        return value

    changed = objects({**DEV, "allowed_domains": ["api.slack.com"]})
    assert checksum(dev) != checksum(changed)
    assert checksum(dev) == hashlib.sha256(_with_manager_include(render_squid_conf(DEV)).encode()).hexdigest()


def test_rolling_update_never_drops_below_the_replica_count(dev: list[dict[str, Any]]) -> None:
    deployment = kind(dev, "Deployment")["spec"]
    assert deployment["replicas"] == 6
    assert deployment["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
    }
    pdb = kind(dev, "PodDisruptionBudget")["spec"]
    assert pdb["maxUnavailable"] == 1
    assert pdb["selector"] == deployment["selector"]
    assert pdb["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


def test_resources_defaults_and_overrides() -> None:
    objs = objects({**DEV, "resources": {"cpu_request": "250m", "memory_limit": "1Gi"}})
    assert container(objs, "squid")["resources"] == {
        "requests": {"cpu": "250m", "memory": "128Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }


def test_custom_images() -> None:
    objs = objects(
        {**DEV, "image": "registry.example/squid@sha256:" + "a" * 64, "exporter_image": "mirror/exp:1.13.0"}
    )
    assert container(objs, "squid")["image"].endswith("a" * 64)
    assert container(objs, "exporter")["image"] == "mirror/exp:1.13.0"


# ---------------------------------------------------------------- network policy, monitoring


def test_network_policy_admits_only_clients_to_the_proxy_and_monitoring_to_the_exporter() -> None:
    objs = objects({**DEV, "external_client_cidrs": ["10.0.9.0/24"], "monitoring_namespace": "observability"})
    policy = kind(objs, "NetworkPolicy")["spec"]
    assert policy["podSelector"]["matchLabels"] == kind(objs, "Deployment")["spec"]["selector"]["matchLabels"]
    assert policy["policyTypes"] == ["Ingress"]
    proxy_rule, metrics_rule = policy["ingress"]
    assert proxy_rule == {
        "from": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "apps"}}},
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "batch"}}},
            {"ipBlock": {"cidr": "10.0.9.0/24"}},
        ],
        "ports": [{"protocol": "TCP", "port": 3128}],
    }
    assert metrics_rule == {
        "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}}],
        "ports": [{"protocol": "TCP", "port": 9301}],
    }
    # The dashboard follows the monitoring namespace unless told otherwise.
    assert kind(objs, "ConfigMap", "squid-dashboard")["metadata"]["namespace"] == "observability"


def test_dashboard_configmap(dev: list[dict[str, Any]]) -> None:
    cm = kind(dev, "ConfigMap", "squid-dashboard")
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert cm["metadata"]["namespace"] == "monitoring"
    assert 'namespace=\\"egress\\", job=\\"squid\\"' in next(iter(cm["data"].values()))
    other = objects({**DEV, "dashboard_namespace": "grafana"})
    assert kind(other, "ConfigMap", "squid-dashboard")["metadata"]["namespace"] == "grafana"
