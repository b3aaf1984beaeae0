"""HAProxy's own Prometheus endpoint in the cluster: the metrics Service, the ServiceMonitor and
the PrometheusRule (`service_monitor`), their labels, names, validation and warning."""

from __future__ import annotations

from typing import Any

import pytest

from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS, IN_CLUSTER_ARGS
from tests.traffic_edge.proxy_protocol_ingress.test_component import KUBE, by_kind, objects, plan
from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.proxy_protocol_ingress import manifests
from traffic_edge.proxy_protocol_ingress.plan import plan_proxy_protocol_ingress
from traffic_edge.proxy_protocol_ingress.validate import validate_proxy_protocol_ingress_args

RELEASE = {"release": "kube-prometheus-stack"}
MONITORED = {**IN_CLUSTER_ARGS, "service_monitor": True, "service_monitor_labels": RELEASE}
HAPROXY_LABELS = {
    "app.kubernetes.io/name": "haproxy",
    "app.kubernetes.io/instance": "edge",
    "app.kubernetes.io/component": "proxy-protocol-edge",
}


def messages(args: dict[str, Any], name: str | None = None) -> list[str]:
    return [p.render() for p in validate_proxy_protocol_ingress_args(args, name)]


def monitoring(args: dict[str, Any]) -> dict[str, dict[str, Any]]:
    plan = plan_proxy_protocol_ingress("edge", args)
    objs = manifests.haproxy_manifests(plan, "cfg")
    out = {m["kind"]: m for m in objs if m["kind"] in ("ServiceMonitor", "PrometheusRule")}
    out.update(("Service", m) for m in objs if m["metadata"]["name"] == "edge-haproxy-metrics")
    return out


def test_off_by_default_and_nothing_monitoring_is_created() -> None:
    assert monitoring(IN_CLUSTER_ARGS) == {}
    assert plan_proxy_protocol_ingress("edge", IN_CLUSTER_ARGS).warnings == []


def test_the_metrics_service_lists_only_the_stats_port_and_the_monitor_selects_only_it() -> None:
    objs = monitoring(MONITORED)
    svc, monitor = objs["Service"], objs["ServiceMonitor"]
    assert svc["metadata"]["namespace"] == "haproxy-edge"
    assert svc["spec"] == {
        "selector": HAPROXY_LABELS,
        "ports": [{"name": "stats", "port": 8404, "targetPort": "stats", "protocol": "TCP"}],
    }
    assert monitor["spec"] == {
        "selector": {"matchLabels": {**HAPROXY_LABELS, "traffic-edge/metrics": "haproxy"}},
        "endpoints": [{"port": "stats", "path": "/metrics", "interval": "30s"}],
    }
    selector = monitor["spec"]["selector"]["matchLabels"]
    assert selector.items() <= svc["metadata"]["labels"].items()
    # The public LoadBalancer Service has no stats port, and the monitor never selects it.
    public = next(
        m
        for m in manifests.haproxy_manifests(plan_proxy_protocol_ingress("edge", MONITORED), "cfg")
        if m["kind"] == "Service" and m["metadata"]["name"] == "edge-haproxy"
    )
    assert not selector.items() <= public["metadata"]["labels"].items()
    assert 8404 not in [p["port"] for p in public["spec"]["ports"]]


def test_the_monitor_and_the_rules_carry_the_selector_labels_and_the_rules_select_the_scrape() -> None:
    objs = monitoring(MONITORED)
    for kind in ("ServiceMonitor", "PrometheusRule"):
        assert RELEASE.items() <= objs[kind]["metadata"]["labels"].items(), kind
        assert objs[kind]["metadata"]["namespace"] == "haproxy-edge"
    (group,) = objs["PrometheusRule"]["spec"]["groups"]
    for rule in group["rules"]:
        # job = the metrics Service's name: the operator's job label when jobLabel is unset.
        assert 'namespace="haproxy-edge", job="edge-haproxy-metrics"' in rule["expr"], rule["alert"]


def test_monitoring_objects_are_children_with_their_own_names_and_pass_the_schema() -> None:
    rec = plan(MONITORED, "onprem")
    names = sorted(r.name for r in rec.resources if r.custom)
    for name in (
        "onprem-haproxy-metrics-service",
        "onprem-haproxy-servicemonitor",
        "onprem-haproxy-prometheusrule",
    ):
        assert name in names
    assert "onprem-haproxy-service" in names  # the public Service keeps its name
    for kind in ("ServiceMonitor", "PrometheusRule"):
        (m,) = by_kind(rec, kind)
        assert validate_manifest(m, KUBE) == []
    assert len(by_kind(rec, "Service")) == 3  # public, metrics, gateway pods
    for m in objects(rec):
        assert validate_manifest(m, KUBE) == [], m["kind"]


def test_no_selector_labels_is_a_warning_but_an_empty_map_on_purpose_is_not() -> None:
    on = {**IN_CLUSTER_ARGS, "service_monitor": True}
    [warning] = plan_proxy_protocol_ingress("edge", on).warnings
    assert warning.startswith("service_monitor is on but service_monitor_labels is not set")
    assert "release: <its release name>" in warning
    rec = plan(on)
    assert rec.warnings == [f"ProxyProtocolIngress 'edge': {warning}"]
    assert plan_proxy_protocol_ingress("edge", {**on, "service_monitor_labels": {}}).warnings == []
    assert plan_proxy_protocol_ingress("edge", MONITORED).warnings == []
    assert monitoring({**on, "service_monitor_labels": {}})["ServiceMonitor"]["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "traffic-edge",
        **HAPROXY_LABELS,
    }


def test_bad_monitoring_args_are_reported_at_their_keys() -> None:
    assert messages({**IN_CLUSTER_ARGS, "service_monitor": "yes", "service_monitor_labels": RELEASE}) == [
        "service_monitor: 'yes' is not allowed: true or false"
    ]
    assert messages({**IN_CLUSTER_ARGS, "service_monitor_labels": RELEASE}) == [
        "service_monitor_labels: {'release': 'kube-prometheus-stack'} conflicts with service_monitor: the "
        "labels are for the ServiceMonitor and PrometheusRule, which only service_monitor: true creates"
    ]
    assert messages({**MONITORED, "service_monitor": False}) == [
        "service_monitor_labels: {'release': 'kube-prometheus-stack'} conflicts with service_monitor: the "
        "labels are for the ServiceMonitor and PrometheusRule, which only service_monitor: true creates"
    ]
    assert messages({**MONITORED, "service_monitor_labels": {"release": "kube prometheus"}}) == [
        "service_monitor_labels.release: 'kube prometheus' is not allowed: a label value: at most 63 "
        "letters, digits, '-', '_' or '.', starting and ending alphanumeric"
    ]


def test_an_external_haproxy_has_no_service_monitor() -> None:
    assert messages({**EXTERNAL_ARGS, "service_monitor": True}) == [
        "service_monitor: True conflicts with placement: it configures the in-cluster HAProxy, and "
        "placement 'external' runs HAProxy outside the cluster"
    ]


@pytest.mark.parametrize("monitored", [False, True])
def test_the_metrics_service_name_limits_the_component_name_only_when_monitored(monitored: bool) -> None:
    name = "e" * 48  # edge-gateway-pp allows 52 characters, the metrics Service 47
    args = {**IN_CLUSTER_ARGS, "service_monitor": monitored, "service_monitor_labels": RELEASE}
    if not monitored:
        args.pop("service_monitor_labels")
    expected = (
        [
            f"name: '{name}' is not allowed: a DNS-1035 label of at most 47 characters: it makes the HAProxy "
            f"metrics Service '{name}-haproxy-metrics', 64 characters of at most 63"
        ]
        if monitored
        else []
    )
    assert messages(args, name) == expected
    if monitored:
        with pytest.raises(ArgsError, match="the HAProxy metrics Service"):
            plan(args, name)
