"""HAProxy's own Prometheus endpoint on real parts: Debian's HAProxy with the generated haproxy.cfg
in front of PROXY-protocol receivers, Debian's Prometheus scraping it the way the ServiceMonitor
says (its port's container port, its path, job = the metrics Service's name, namespace, pod), all
inside the test's network namespaces.

The HTTPS gateway answers and the HTTP one does not (no receiver on its port), and a second
scrape target stands for a pod that is gone. Then every metric an alert reads must return data,
and the alerts' own expressions must hold exactly where the state says: no healthy gateway,
a server DOWN and failed client connections on be_http only, the gone pod not scraped.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import netns, prometheus
from tests.support.netns import TestNet
from tests.traffic_edge.proxy_protocol_ingress.seeds import IN_CLUSTER_ARGS
from tests.traffic_edge.proxy_protocol_ingress.test_haproxy_real import (
    CLIENT,
    RX1,
    connect_as,
    generated,
    receivers,
    running,
    wait_for,
)
from traffic_edge.proxy_protocol_ingress import manifests
from traffic_edge.proxy_protocol_ingress.alerts import alert_rules
from traffic_edge.proxy_protocol_ingress.plan import plan_proxy_protocol_ingress

pytestmark = [
    pytest.mark.real,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed"),
    pytest.mark.skipif(
        prometheus.PROMETHEUS is None, reason="prometheus not installed (make test installs it)"
    ),
    pytest.mark.skipif(netns.available() is not None, reason=str(netns.available())),
]
ARGS = {**IN_CLUSTER_ARGS, "service_monitor": True, "service_monitor_labels": {"release": "kps"}}
GONE_POD = "edge-haproxy-gone"


def _planned() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The planned ServiceMonitor, metrics Service and HAProxy container."""
    objs = manifests.haproxy_manifests(plan_proxy_protocol_ingress("edge", ARGS), "cfg")
    monitor = next(m for m in objs if m["kind"] == "ServiceMonitor")
    service = next(m for m in objs if m["kind"] == "Service" and m["metadata"]["name"].endswith("-metrics"))
    deployment = next(m for m in objs if m["kind"] == "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return monitor, service, container


def _prometheus_config(workdir: Path) -> tuple[Path, str, str]:
    """The scrape the operator makes of the ServiceMonitor; returns the config, namespace and job."""
    monitor, service, container = _planned()
    (endpoint,) = monitor["spec"]["endpoints"]
    (port,) = [p for p in service["spec"]["ports"] if p["name"] == endpoint["port"]]
    container_port = next(p["containerPort"] for p in container["ports"] if p["name"] == port["targetPort"])
    namespace, job = service["metadata"]["namespace"], service["metadata"]["name"]

    def target(address: str, pod: str) -> dict[str, Any]:
        return {"targets": [address], "labels": {"job": job, "namespace": namespace, "pod": pod}}

    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {
                "job_name": f"serviceMonitor/{namespace}/{monitor['metadata']['name']}/0",
                "metrics_path": endpoint["path"],
                "static_configs": [
                    target(f"127.0.0.1:{container_port}", "edge-haproxy-0"),
                    target("127.0.0.1:9", GONE_POD),  # nothing listens: a pod that is gone
                ],
            }
        ],
    }
    path = workdir / "prometheus.yml"
    path.write_text(json.dumps(config))  # YAML is a superset of JSON
    return path, namespace, job


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[TestNet, str, str]]:
    with TestNet("hapmon") as net:
        workdir = Path(tempfile.mkdtemp(prefix="haproxy-monitoring-"))
        cfg = generated(ARGS, (RX1,))
        config, namespace, job = _prometheus_config(workdir)
        server = None
        try:
            with receivers(net, RX1, ports=(8443,)), running(net, cfg):
                server = prometheus.start(net, config, workdir)
                yield net, namespace, job
        finally:
            if server is not None:
                server.kill()
                server.wait(timeout=10)
            shutil.rmtree(workdir, ignore_errors=True)


def _traffic(net: TestNet) -> None:
    for _ in range(20):
        assert connect_as(net, 443, b"x").startswith(f"PROXY {CLIENT}:".encode())
        assert connect_as(net, 80, b"x") == b""  # no gateway on that port: closed at once


def test_every_metric_the_alerts_read_is_scraped_and_the_alerts_hold_where_they_should(
    stack: tuple[TestNet, str, str],
) -> None:
    net, namespace, job = stack
    sel = f'namespace="{namespace}", job="{job}"'
    wait_for(lambda: prometheus.query(net, f'up{{{sel}, pod="edge-haproxy-0"}} == 1'), "the first scrape", 60)
    _traffic(net)
    time.sleep(4)  # a few scrapes after the traffic, so every rate has two points that differ
    _traffic(net)
    time.sleep(4)
    rules = {r["alert"]: r["expr"] for r in alert_rules(namespace, job, "istio-system/edge-gateway-pp")}
    names = sorted({m for expr in rules.values() for m in re.findall(r"\b(haproxy_\w+|up)\{", expr)})
    assert len(names) >= 8
    empty = [m for m in names if not prometheus.query(net, f"{m}{{{sel}}}")]
    assert empty == [], "metrics the alerts read that the real HAProxy does not expose"

    def fired(alert: str) -> list[dict[str, str]]:
        return [r["metric"] for r in prometheus.query(net, rules[alert])]

    assert [(m["proxy"], m["pod"]) for m in fired("HAProxyNoHealthyGateway")] == [
        ("be_http", "edge-haproxy-0")
    ]
    assert [(m["proxy"], m["server"]) for m in fired("HAProxyGatewayServerDown")] == [("be_http", "gw1")]
    assert [m["proxy"] for m in fired("HAProxyGatewayConnectionErrors")] == ["be_http"]
    assert fired("HAProxyGatewayRetriesHigh") == []
    assert [m["pod"] for m in fired("HAProxyTargetDown")] == [GONE_POD]
    assert fired("HAProxyNotScraped") == []
    assert fired("HAProxyConnectionsNearLimit") == []
    ratio = rules["HAProxyConnectionsNearLimit"].rsplit(" > ", 1)[0]
    assert {m["metric"]["proxy"] for m in prometheus.query(net, ratio)} == {"fe_http", "fe_https"}
