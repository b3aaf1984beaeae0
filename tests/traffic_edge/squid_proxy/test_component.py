"""SquidProxy on the offline engine: every rule of issue 3 checked on the recorded resources."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pulumi
import pytest

from planner.engine import Recording, run
from planner.kube_schema import validate_manifest
from traffic_edge._shared.problems import ArgsError
from traffic_edge.squid_proxy.component import (
    PRESTOP_DELAY_SECONDS,
    SquidProxy,
    SquidProxyArgs,
    local_zone_routing,
    manifests,
    validate_squid_proxy_args,
)
from traffic_edge.squid_proxy.squid_conf import render_squid_conf

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


def record(args: SquidProxyArgs, name: str = "squid", preview: bool = True) -> Recording:
    def program() -> None:
        proxy = SquidProxy(name, args)
        pulumi.export("proxy_url", proxy.proxy_url)
        pulumi.export("service_name", proxy.service_name)
        pulumi.export("namespace", proxy.namespace)
        pulumi.export("zones", proxy.zones)

    return run(program, stack="test", preview=preview)


def kind(rec: Recording, k: str, name: str | None = None) -> dict[str, Any]:
    found = [m for m in rec.manifests() if m["kind"] == k and (name is None or m["metadata"]["name"] == name)]
    assert len(found) == 1, (k, name, [m["metadata"]["name"] for m in found])
    return found[0]


def pod(rec: Recording) -> dict[str, Any]:
    spec: dict[str, Any] = kind(rec, "Deployment")["spec"]["template"]["spec"]
    return spec


def container(rec: Recording, name: str) -> dict[str, Any]:
    return next(c for c in pod(rec)["containers"] if c["name"] == name)


@pytest.fixture(scope="module")
def dev() -> Recording:
    return record(DEV)


# ---------------------------------------------------------------- structure


def test_children_are_plain_kubernetes_objects_under_the_component(dev: Recording) -> None:
    comp = dev.get("traffic-edge:index:SquidProxy", "squid")
    children = dev.children_of(comp.urn)
    assert sorted((c.type, c.name) for c in children) == [
        ("kubernetes:apps/v1:Deployment", "squid-deployment"),
        ("kubernetes:core/v1:ConfigMap", "squid-config"),
        ("kubernetes:core/v1:ConfigMap", "squid-dashboard"),
        ("kubernetes:core/v1:Service", "squid-svc"),
        ("kubernetes:core/v1:ServiceAccount", "squid-sa"),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "squid-netpol"),
        ("kubernetes:policy/v1:PodDisruptionBudget", "squid-pdb"),
    ]
    assert all(c.custom for c in children)


def test_optional_children() -> None:
    rec = record(
        {
            **DEV,
            "create_namespace": True,
            "service_monitor": True,
            "service_monitor_labels": {"release": "kube-prometheus-stack"},
            "autoscaling": {"max_replicas": 12, "target_cpu_percent": 60},
        }
    )
    namespace = rec.get("kubernetes:core/v1:Namespace", "squid-namespace")
    assert namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for res in rec.resources:
        if res.is_kubernetes_object and res.inputs.get("metadata", {}).get("namespace") == "egress":
            assert namespace.urn in res.depends_on, res.name
    hpa = kind(rec, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (6, 12)
    assert hpa["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 60}
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "squid"}
    # The HPA owns the replica count; a Deployment replicas field would be reset on every `pulumi up`.
    assert "replicas" not in kind(rec, "Deployment")["spec"]
    sm = kind(rec, "ServiceMonitor")
    assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert sm["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    # The ServiceMonitor selects the Service (whose endpoints carry the metrics port), not the pods.
    assert sm["spec"]["selector"]["matchLabels"].items() <= kind(rec, "Service")["metadata"]["labels"].items()


@pytest.mark.parametrize("version", ["1.27", "1.29", "1.30", "1.31", "1.33", "1.34", "1.35", "1.37"])
def test_every_manifest_passes_strict_schema_validation(version: str) -> None:
    rec = record(
        {
            **DEV,
            "kubernetes_version": version,
            "create_namespace": True,
            "service_monitor": True,
            "autoscaling": {"max_replicas": 8},
            "external_client_cidrs": ["10.0.5.0/24"],
        }
    )
    checked = 0
    for manifest in rec.manifests():
        if manifest["kind"] == "ServiceMonitor":
            continue  # a CRD: no OpenAPI schema in kubernetes-validate
        assert validate_manifest(manifest, version) == [], manifest["kind"]
        checked += 1
    assert checked == 9


def test_configmap_holds_the_generated_squid_conf(dev: Recording) -> None:
    cm = kind(dev, "ConfigMap", "squid-config")
    assert cm["data"] == {"squid.conf": render_squid_conf(DEV)}
    assert cm["metadata"]["namespace"] == "egress"


# ---------------------------------------------------------------- zones


def test_zone_spread_is_hard_with_min_domains_and_soft_over_nodes(dev: Recording) -> None:
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


def test_pods_are_pinned_to_the_listed_zones(dev: Recording) -> None:
    terms = pod(dev)["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ZONES}]}
    ]


def test_min_domains_follows_the_zone_count() -> None:
    three = record({**DEV, "zones": [*ZONES, "ap-northeast-2b"]})
    assert pod(three)["topologySpreadConstraints"][0]["minDomains"] == 3
    explicit = record({**DEV, "zones": [*ZONES, "ap-northeast-2b"], "min_domains": 2})
    assert pod(explicit)["topologySpreadConstraints"][0]["minDomains"] == 2


def test_development_profile_allows_one_zone_and_a_soft_spread() -> None:
    rec = record({**DEV, "profile": "development", "zones": ["kind-zone"], "replicas": 1})
    zone = pod(rec)["topologySpreadConstraints"][0]
    assert zone["whenUnsatisfiable"] == "DoNotSchedule"
    assert "minDomains" not in zone  # a single domain: nothing to wait for
    soft = record({**DEV, "profile": "development", "zone_spread": "ScheduleAnyway"})
    zone = pod(soft)["topologySpreadConstraints"][0]
    assert zone["whenUnsatisfiable"] == "ScheduleAnyway"
    assert "minDomains" not in zone  # the API rejects minDomains with ScheduleAnyway


def test_default_replicas_are_two_per_zone() -> None:
    args = {k: v for k, v in DEV.items() if k != "replicas"}
    assert kind(record(args), "Deployment")["spec"]["replicas"] == 4  # type: ignore[arg-type]


# ---------------------------------------------------------------- local-zone routing by version


@pytest.mark.parametrize(
    ("version", "annotation", "distribution"),
    [
        ("1.27", "Auto", None),
        ("1.30", "Auto", None),
        ("1.31", None, "PreferClose"),
        ("1.33", None, "PreferClose"),
        ("1.33.4", None, "PreferClose"),
        ("1.34", None, "PreferSameZone"),
        ("1.36", None, "PreferSameZone"),
    ],
)
def test_local_zone_routing_by_kubernetes_version(
    version: str, annotation: str | None, distribution: str | None
) -> None:
    routing = local_zone_routing(version)
    assert routing.annotations.get("service.kubernetes.io/topology-mode") == annotation
    assert routing.traffic_distribution == distribution
    svc = kind(record({**DEV, "kubernetes_version": version}), "Service")
    assert svc["spec"].get("trafficDistribution") == distribution
    assert svc["metadata"].get("annotations", {}).get("service.kubernetes.io/topology-mode") == annotation


def test_routing_below_1_27_is_refused() -> None:
    with pytest.raises(ValueError, match="predates"):
        local_zone_routing("1.26")


# ---------------------------------------------------------------- service and outputs


def test_service_has_a_stable_name_and_selects_the_pods(dev: Recording) -> None:
    svc = kind(dev, "Service")
    assert svc["metadata"]["name"] == "squid"
    assert svc["spec"]["type"] == "ClusterIP"
    assert {(p["name"], p["port"]) for p in svc["spec"]["ports"]} == {("proxy", 3128), ("metrics", 9301)}
    pod_labels = kind(dev, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= pod_labels.items()


def test_outputs() -> None:
    rec = record(DEV, name="egress-proxy", preview=False)
    assert rec.outputs == {
        "proxy_url": "http://egress-proxy.egress.svc.cluster.local:3128",
        "service_name": "egress-proxy",
        "namespace": "egress",
        "zones": ZONES,
    }


# ---------------------------------------------------------------- pods


def test_pod_security_is_restricted(dev: Recording) -> None:
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


def _directive(conf: str, name: str) -> str:
    return next(line.split(" ", 1)[1] for line in conf.splitlines() if line.startswith(name + " "))


def test_everywhere_squid_writes_is_a_mounted_empty_dir(dev: Recording) -> None:
    conf = kind(dev, "ConfigMap", "squid-config")["data"]["squid.conf"]
    volumes = {v["name"]: v for v in pod(dev)["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container(dev, "squid")["volumeMounts"]}
    for path in (_directive(conf, "pid_filename").rsplit("/", 1)[0], _directive(conf, "coredump_dir")):
        assert path in mounts, path
        assert "emptyDir" in volumes[mounts[path]], path


def test_squid_runs_the_mounted_config_as_pid_1_in_smp_capable_mode(dev: Recording) -> None:
    squid = container(dev, "squid")
    conf_path = squid["command"][squid["command"].index("-f") + 1]
    mount = next(m for m in squid["volumeMounts"] if conf_path.startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod(dev)["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == kind(dev, "ConfigMap", "squid-config")["metadata"]["name"]
    assert conf_path.endswith("/squid.conf")
    assert "--foreground" in squid["command"]
    assert "-N" not in squid["command"]  # -N ignores `workers`


def test_squid_image_is_a_pinned_6x_and_the_exporter_is_v1_13(dev: Recording) -> None:
    assert re.fullmatch(r"ubuntu/squid:6\.\d+-[\w.]+", container(dev, "squid")["image"])
    assert container(dev, "exporter")["image"] == "boynux/squid-exporter:v1.13.0"


def test_exporter_reads_squid_over_loopback_on_its_proxy_port(dev: Recording) -> None:
    conf = kind(dev, "ConfigMap", "squid-config")["data"]["squid.conf"]
    exporter = container(dev, "exporter")
    assert "-squid-hostname=127.0.0.1" in exporter["args"]
    assert f"-squid-port={_directive(conf, 'http_port')}" in exporter["args"]
    assert exporter["ports"] == [{"name": "metrics", "containerPort": 9301, "protocol": "TCP"}]
    assert "http_access allow localhost manager" in conf


def test_probes_are_tcp_on_the_named_ports(dev: Recording) -> None:
    squid = container(dev, "squid")
    assert squid["readinessProbe"]["tcpSocket"] == {"port": "proxy"}
    assert squid["livenessProbe"]["tcpSocket"] == {"port": "proxy"}
    assert container(dev, "exporter")["readinessProbe"]["tcpSocket"] == {"port": "metrics"}


def test_drain_on_shutdown_fits_in_the_grace_period() -> None:
    for lifetime in (5, 20, 90):
        rec = record({**DEV, "shutdown_lifetime_seconds": lifetime})
        conf = kind(rec, "ConfigMap", "squid-config")["data"]["squid.conf"]
        assert _directive(conf, "shutdown_lifetime") == f"{lifetime} seconds"
        pre_stop = " ".join(container(rec, "squid")["lifecycle"]["preStop"]["exec"]["command"])
        assert "-k shutdown" in pre_stop
        assert f"sleep {PRESTOP_DELAY_SECONDS};" in pre_stop
        assert pod(rec)["terminationGracePeriodSeconds"] > PRESTOP_DELAY_SECONDS + lifetime


def test_explicit_grace_period_is_used() -> None:
    rec = record({**DEV, "shutdown_lifetime_seconds": 30, "termination_grace_period_seconds": 120})
    assert pod(rec)["terminationGracePeriodSeconds"] == 120


def test_config_change_rolls_the_pods() -> None:
    a = kind(record(DEV), "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    changed = {**DEV, "allowed_domains": ["api.slack.com"]}
    b = kind(record(changed), "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    assert a != b
    assert a == hashlib.sha256(render_squid_conf(DEV).encode()).hexdigest()


def test_rolling_update_never_drops_below_the_replica_count(dev: Recording) -> None:
    deployment = kind(dev, "Deployment")["spec"]
    assert deployment["replicas"] == 6
    assert deployment["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
    }
    pdb = kind(dev, "PodDisruptionBudget")["spec"]
    assert pdb["maxUnavailable"] == 1
    assert pdb["selector"] == deployment["selector"]


def test_resources_defaults_and_overrides() -> None:
    rec = record({**DEV, "resources": {"cpu_request": "250m", "memory_limit": "1Gi"}})
    assert container(rec, "squid")["resources"] == {
        "requests": {"cpu": "250m", "memory": "128Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }


def test_custom_images() -> None:
    rec = record(
        {**DEV, "image": "registry.example/squid@sha256:" + "a" * 64, "exporter_image": "mirror/exp:1.13.0"}
    )
    assert container(rec, "squid")["image"].endswith("a" * 64)
    assert container(rec, "exporter")["image"] == "mirror/exp:1.13.0"


# ---------------------------------------------------------------- network policy, monitoring


def test_network_policy_admits_only_clients_to_the_proxy_and_monitoring_to_the_exporter() -> None:
    rec = record({**DEV, "external_client_cidrs": ["10.0.9.0/24"], "monitoring_namespace": "observability"})
    policy = kind(rec, "NetworkPolicy")["spec"]
    assert policy["podSelector"]["matchLabels"] == kind(rec, "Deployment")["spec"]["selector"]["matchLabels"]
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
    assert kind(rec, "ConfigMap", "squid-dashboard")["metadata"]["namespace"] == "observability"


def test_dashboard_configmap(dev: Recording) -> None:
    cm = kind(dev, "ConfigMap", "squid-dashboard")
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert cm["metadata"]["namespace"] == "monitoring"
    assert 'namespace=\\"egress\\", job=\\"squid\\"' in next(iter(cm["data"].values()))
    other = record({**DEV, "dashboard_namespace": "grafana"})
    assert kind(other, "ConfigMap", "squid-dashboard")["metadata"]["namespace"] == "grafana"


def test_no_service_monitor_by_default(dev: Recording) -> None:
    assert not [m for m in dev.manifests() if m["kind"] == "ServiceMonitor"]


def test_manifests_are_a_pure_function_of_the_args() -> None:
    assert manifests("squid", DEV) == manifests("squid", dict(DEV))
    assert [m["kind"] for m in manifests("squid", DEV)] == [
        "ServiceAccount",
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ConfigMap",
    ]


# ---------------------------------------------------------------- bad input


def messages(args: dict[str, Any], name: str | None = "squid") -> list[str]:
    return [p.render() for p in validate_squid_proxy_args(args, name)]


def test_valid_dev_args() -> None:
    assert messages(dict(DEV)) == []


def test_component_raises_every_problem_before_registering_anything() -> None:
    bad = {**DEV, "replicas": 1, "kubernetes_version": "1.26"}
    with pytest.raises(ArgsError) as err:
        record(bad)  # type: ignore[arg-type]
    assert str(err.value) == (
        "SquidProxy 'squid': 2 problems:\n"
        "  1. kubernetes_version: '1.26' is not allowed: 1.27 or newer: local-zone routing needs the "
        "topology-mode annotation (1.27-1.30) or spec.trafficDistribution (1.31+), and minDomains is on by "
        "default only from 1.27\n"
        "  2. replicas: 1 is not allowed: at least one per zone: 2 or more for zones "
        "['ap-northeast-2a', 'ap-northeast-2c']"
    )


def test_placement_rules() -> None:
    assert messages({**DEV, "zones": ["ap-northeast-2a"], "replicas": 2}) == [
        "zones: ['ap-northeast-2a'] is not allowed: at least 2 zones for the production profile, so one zone's "
        "outage leaves egress up; use profile 'development' for a single-zone cluster"
    ]
    assert messages({**DEV, "zone_spread": "ScheduleAnyway", "min_domains": 2}) == [
        "zone_spread: 'ScheduleAnyway' is not allowed: DoNotSchedule for the production profile: ScheduleAnyway "
        "lets every pod land in one zone",
        "min_domains: 2 is not allowed: only with zone_spread 'DoNotSchedule': the API rejects minDomains with "
        "ScheduleAnyway",
    ]
    assert messages({**DEV, "min_domains": 3}) == [
        "min_domains: 3 is not allowed: a whole number from 2 to the number of zones (2): more domains than zones "
        "would cap every zone at one pod"
    ]
    assert messages(
        {**DEV, "profile": "development", "zones": ["kind-zone"], "replicas": 1, "min_domains": 2}
    ) == [
        "min_domains: 2 is not allowed: a whole number from 2 to the number of zones (1): more domains than zones "
        "would cap every zone at one pod"
    ]
    assert messages({**DEV, "profile": "staging", "zone_spread": "Sometimes", "zones": ["a", "a"]}) == [
        "zones[1]: 'a' is not allowed: listed once; it repeats zones[0]",
        "profile: 'staging' is not allowed: one of 'production', 'development'",
        "zone_spread: 'Sometimes' is not allowed: one of 'DoNotSchedule', 'ScheduleAnyway'",
    ]


def test_grace_period_must_exceed_the_drain() -> None:
    assert messages({**DEV, "shutdown_lifetime_seconds": 30, "termination_grace_period_seconds": 35}) == [
        "termination_grace_period_seconds: 35 is not allowed: more than the preStop delay (5s) plus "
        "shutdown_lifetime_seconds (30s), i.e. at least 36: otherwise the kubelet kills requests Squid is still "
        "draining"
    ]
    assert messages({**DEV, "shutdown_lifetime_seconds": 30, "termination_grace_period_seconds": 36}) == []


def test_everything_else_at_once() -> None:
    bad: dict[str, Any] = {
        "namespace": "Egress",
        "kubernetes_version": "one-thirty-three",
        "zones": ZONES,
        "allowed_source_cidrs": ["0.0.0.0/0"],
        "allowed_domains": ["*.slack.com"],
        "client_namespaces": [],
        "external_client_cidrs": ["192.168.0.0/24"],
        "service_monitor_labels": {"release": "kps"},
        "resources": {"cpu_request": "lots", "memory_request": "1Gi", "gpu": "1"},
        "autoscaling": {"max_replicas": 2},
        "image": "ubuntu/squid:latest",
        "exporter_image": "boynux/squid-exporter",
        "replicsa": 6,
    }
    assert messages(bad, name="Squid") == [
        "name: 'Squid' is not allowed: a DNS-1035 label (lowercase letters, digits, '-', starting with a "
        "letter): it names the Service",
        "replicsa: 6 is not allowed: a known SquidProxy arg; known: allowed_destination_cidrs, allowed_domains, "
        "allowed_source_cidrs, autoscaling, client_namespaces, create_namespace, dashboard_namespace, "
        "exporter_image, external_client_cidrs, http_ports, image, kubernetes_version, min_domains, "
        "monitoring_namespace, namespace, profile, replicas, resources, service_monitor, service_monitor_labels, "
        "shutdown_lifetime_seconds, termination_grace_period_seconds, tls_ports, workers, zone_spread, zones",
        "namespace: 'Egress' is not allowed: a namespace name: a DNS-1123 label (lowercase letters, digits, '-')",
        "kubernetes_version: 'one-thirty-three' is not allowed: a Kubernetes version such as '1.33'",
        "allowed_source_cidrs[0]: '0.0.0.0/0' is not allowed: allowing every client address makes an open proxy; "
        "list the networks instead",
        "allowed_domains[0]: '*.slack.com' is not allowed: Squid has no wildcards; write '.slack.com' for the "
        "domain and its subdomains",
        "client_namespaces: [] is not allowed: at least 1 namespace names",
        "external_client_cidrs[0]: '192.168.0.0/24' is not allowed: a network inside allowed_source_cidrs: "
        "Squid refuses clients outside them",
        "service_monitor_labels: {'release': 'kps'} is not allowed: only with service_monitor: true (nothing "
        "would use them)",
        "resources.cpu_request: 'lots' is not allowed: a CPU quantity such as '250m' or '1'",
        "resources.gpu: '1' is not allowed: one of cpu_request, memory_request, cpu_limit, memory_limit",
        "autoscaling.max_replicas: 2 is not allowed: a whole number of at least replicas (4)",
        "image: 'ubuntu/squid:latest' is not allowed: an image pinned by tag or digest (not 'latest'), e.g. "
        "'ubuntu/squid:6.13-25.04_beta'",
        "exporter_image: 'boynux/squid-exporter' is not allowed: an image pinned by tag or digest (not "
        "'latest'), e.g. 'ubuntu/squid:6.13-25.04_beta'",
    ]


def test_memory_limit_below_request() -> None:
    assert messages({**DEV, "resources": {"memory_request": "512Mi", "memory_limit": "256Mi"}}) == [
        "resources.memory_limit: '256Mi' is not allowed: at least memory_request (512Mi)"
    ]


def test_required_keys() -> None:
    assert messages({}) == [
        "namespace: None is not allowed: required: the namespace of the proxy's objects",
        "kubernetes_version: None is not allowed: required: the cluster's version, e.g. '1.33'",
        "allowed_source_cidrs: None is not allowed: required: the client networks that may use the proxy",
        "allowed_domains: [] is not allowed: at least one destination in allowed_domains or "
        "allowed_destination_cidrs; a proxy that may reach nothing is a misconfiguration",
        "zones: None is not allowed: required: the availability zones the pods run in",
        "client_namespaces: None is not allowed: required: the namespaces whose pods use the proxy",
    ]
