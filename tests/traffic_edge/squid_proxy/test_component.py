"""SquidProxy on the offline engine: what it registers, under which names, with which options and outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from tests.traffic_edge.squid_proxy.test_manifests import DEV, ZONES
from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.engine import Recording, run
from traffic_edge.squid_proxy.args import SquidProxyArgs
from traffic_edge.squid_proxy.component import SquidProxy
from traffic_edge.squid_proxy.manifests import manifests
from traffic_edge.squid_proxy.plan import plan_squid_proxy
from traffic_edge.squid_proxy.squid_conf import render, render_squid_conf


def record(args: SquidProxyArgs, name: str = "squid", preview: bool = True) -> Recording:
    def program() -> None:
        proxy = SquidProxy(name, args)
        pulumi.export("proxy_url", proxy.proxy_url)
        pulumi.export("service_name", proxy.service_name)
        pulumi.export("namespace", proxy.namespace)
        pulumi.export("zones", proxy.zones)
        pulumi.export("squid_conf", proxy.squid_conf)

    return run(program, stack="test", preview=preview)


@pytest.fixture(scope="module")
def dev() -> Recording:
    return record(DEV)


def test_children_are_plain_kubernetes_objects_under_the_component(dev: Recording) -> None:
    comp = dev.get("traffic-edge:index:SquidProxy", "squid")
    children = dev.children_of(comp.urn)
    assert sorted((c.type, c.name) for c in children) == [
        ("kubernetes:apps/v1:Deployment", "squid-deployment"),
        ("kubernetes:core/v1:ConfigMap", "squid-config"),
        ("kubernetes:core/v1:ConfigMap", "squid-dashboard"),
        ("kubernetes:core/v1:Secret", "squid-cachemgr"),
        ("kubernetes:core/v1:Service", "squid-svc"),
        ("kubernetes:core/v1:ServiceAccount", "squid-sa"),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "squid-netpol"),
        ("kubernetes:policy/v1:PodDisruptionBudget", "squid-pdb"),
    ]
    assert all(c.custom for c in children)
    assert all(c.depends_on == [] for c in children)  # no namespace of its own to wait for


def test_it_registers_exactly_the_planned_manifests(dev: Recording) -> None:
    def order(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(objs, key=lambda m: (m["kind"], m["metadata"]["name"]))

    # The Secret's data is a secret Output: the engine records it as [secret], never its value.
    planned = manifests(plan_squid_proxy("squid", DEV), manager_data="[secret]")
    assert order(dev.manifests()) == order(planned)


def test_optional_children_wait_for_the_namespace_it_creates() -> None:
    rec = record(
        {
            **DEV,
            "create_namespace": True,
            "service_monitor": True,
            "autoscaling": {"max_replicas": 12},
        }
    )
    namespace = rec.get("kubernetes:core/v1:Namespace", "squid-namespace")
    assert rec.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "squid-hpa").depends_on == [
        namespace.urn
    ]
    monitor = rec.get("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "squid-servicemonitor")
    assert monitor.depends_on == [namespace.urn]
    rules = rec.get("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "squid-prometheusrule")
    assert rules.depends_on == [namespace.urn]
    others = [r for r in rec.resources if r.is_kubernetes_object and r.urn != namespace.urn]
    assert len(others) == 11
    for res in others:
        assert namespace.urn in res.depends_on, res.name


def test_outputs() -> None:
    rec = record(DEV, name="egress-proxy", preview=False)
    assert rec.outputs == {
        "proxy_url": "http://egress-proxy.egress.svc.cluster.local:3128",
        "service_name": "egress-proxy",
        "namespace": "egress",
        "zones": ZONES,
        "squid_conf": render(plan_squid_proxy("egress-proxy", DEV).conf),
    }
    assert rec.outputs["squid_conf"].startswith(render_squid_conf(DEV).split("# Tell third")[0])


def test_component_raises_every_problem_before_registering_anything() -> None:
    bad: Any = {**DEV, "replicas": 1, "kubernetes_version": "1.26", "monitoring_namespce": "obs"}
    errors: list[ArgsError] = []

    def program() -> None:
        try:
            SquidProxy("squid", bad)
        except ArgsError as err:
            errors.append(err)

    rec = run(program, stack="test")
    assert [r.type for r in rec.resources] == ["pulumi:pulumi:Stack"]
    [err] = errors
    assert str(err) == (
        "SquidProxy 'squid': 3 problems:\n"
        "  1. monitoring_namespce is not a known key: did you mean monitoring_namespace?\n"
        "  2. kubernetes_version: '1.26' is not allowed: a Kubernetes version of 1.27 or newer: local-zone "
        "routing needs the topology-mode annotation (1.27-1.30) or spec.trafficDistribution (1.31+), and "
        "minDomains is on by default only from 1.27\n"
        "  3. replicas: 1 is not allowed: an integer of at least 2: at least one pod per zone"
    )
