"""The dashboard on real parts: real Squid with the generated squid.conf, Debian's
prometheus-squid-exporter with the sidecar's arguments, Debian's Prometheus scraping it with
the labels the ServiceMonitor gives (job = the Service's name, namespace), all inside the
test's network namespaces. After allowed, tunnelled and denied traffic every panel's query,
with Grafana's `$__rate_interval` substituted, must return data, and the error panel must
count the denials.

Versions: Squid and the exporter come from the Debian tree the real Squid tests run
(tests.support.squid_runtime): Squid 7 like the default image, and prometheus-squid-exporter
1.13.0, the release the pod pins (boynux/squid-exporter v1.13.0); the exporter runs as the pod's
uid. Prometheus is this machine's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import prometheus
from tests.support.netns import UPSTREAM_ADDR, TestNet
from tests.support.squid_runtime import DEPLOYED
from tests.traffic_edge.squid_proxy.test_squid_real import (
    ALLOWED_CLIENT,
    HOSTS,
    TEST_ARGS,
    Squid,
    _serve,
    connect,
    get,
    running_squid,
)
from traffic_edge.squid_proxy.alerts import alert_rules
from traffic_edge.squid_proxy.dashboard import dashboard
from traffic_edge.squid_proxy.manifests import manifests
from traffic_edge.squid_proxy.plan import plan_squid_proxy

pytestmark = pytest.mark.real

NAME, NAMESPACE = "squid", "egress"
RATE_INTERVAL = "20s"  # what Grafana's $__rate_interval is at least: 4 x the scrape interval
SCRAPE = "1s"


@pytest.fixture(scope="module", autouse=True)
def _binaries() -> None:
    if prometheus.PROMETHEUS is None:
        pytest.skip("prometheus is not installed (make test installs it)")
    if DEPLOYED.missing():
        pytest.skip(str(DEPLOYED.missing()))


def _exporter() -> tuple[list[str], int]:
    """The sidecar's args from the planned Deployment, its listen address kept, and the pod's uid."""
    plan = plan_squid_proxy(
        NAME,
        {
            "namespace": NAMESPACE,
            "zones": ["a", "b"],
            "kubernetes_version": "1.33",
            "client_namespaces": ["apps"],
            **TEST_ARGS,
        },  # type: ignore[typeddict-item]
    )
    deployment = next(m for m in manifests(plan) if m["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    exporter = next(c for c in pod["containers"] if c["name"] == "exporter")
    assert "command" not in exporter  # the image's entrypoint is the exporter binary itself
    user = exporter.get("securityContext", {}).get("runAsUser", pod["securityContext"]["runAsUser"])
    return list(exporter["args"]), int(user)


def _prometheus_config(workdir: Path, port: int) -> Path:
    # What the ServiceMonitor's endpoint becomes: job = the Service's name, the namespace label.
    relabel = [
        {"target_label": "job", "replacement": NAME},
        {"target_label": "namespace", "replacement": NAMESPACE},
        {"target_label": "pod", "replacement": f"{NAME}-test-0"},
    ]
    config = {
        "global": {"scrape_interval": SCRAPE, "evaluation_interval": SCRAPE},
        "scrape_configs": [
            {
                "job_name": "serviceMonitor/egress/squid/0",
                "static_configs": [{"targets": [f"127.0.0.1:{port}"]}],
                "relabel_configs": relabel,
            }
        ],
    }
    path = workdir / "prometheus.yml"
    path.write_text(json.dumps(config))  # YAML is a superset of JSON
    return path


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[TestNet, Squid]]:
    with TestNet("sqmon") as net:
        net.add_loopback_address(net.proxy, f"{ALLOWED_CLIENT}/8")
        servers = [_serve(net, net.upstream, UPSTREAM_ADDR, port, f"upstream:{port}") for port in (80, 443)]
        workdir = Path(tempfile.mkdtemp(prefix="squid-monitoring-"))
        procs: list[subprocess.Popen[bytes]] = []
        try:
            with running_squid(net, TEST_ARGS) as squid:
                args, user = _exporter()
                procs.append(
                    net.run(
                        net.proxy,
                        DEPLOYED.command([DEPLOYED.exporter, *args], user=user),
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
                port = int(next(a for a in args if a.startswith("-listen=")).rsplit(":", 1)[1])
                config = _prometheus_config(workdir, port)
                procs.append(prometheus.start(net, config, workdir))
                yield net, squid
        finally:
            for proc in procs:
                proc.kill()
                proc.wait(timeout=10)
            for server in servers:
                server.shutdown()
                server.server_close()
            shutil.rmtree(workdir, ignore_errors=True)


def _traffic(net: TestNet) -> None:
    for i in range(5):
        assert get(net, f"http://api.slack.com/ok-{i}").status == 200
        assert get(net, f"http://other.example.com/denied-{i}").status == 403
        status, _ = connect(net, "hooks.example.com:443")
        assert status == 200


def test_every_dashboard_panel_has_data_and_the_denials_are_counted(stack: tuple[TestNet, Squid]) -> None:
    net, _ = stack
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not prometheus.query(net, f'squid_up{{job="{NAME}"}} == 1'):
        time.sleep(0.5)
    assert prometheus.query(net, f'squid_up{{job="{NAME}"}} == 1'), "Prometheus never scraped the exporter"
    _traffic(net)
    time.sleep(4)  # a few scrapes after the traffic, so every rate has two points that differ
    _traffic(net)
    time.sleep(4)
    model = dashboard("Squid egress", NAMESPACE, NAME)
    empty = []
    for panel in model["panels"]:
        for target in panel["targets"]:
            expr = target["expr"].replace("$__rate_interval", RATE_INTERVAL)
            if not prometheus.query(net, expr):
                empty.append(f"{panel['title']}: {target['legendFormat']}: {expr}")
    assert empty == [], "panels without data on real Squid + exporter + Prometheus"
    errors = next(p for p in model["panels"] if p["title"] == "Errors and denied requests")["targets"][0][
        "expr"
    ]
    [ratio] = prometheus.query(net, errors.replace("$__rate_interval", RATE_INTERVAL))
    assert float(ratio["value"][1]) > 0, "the 403 denials are not counted as errors"
    assert HOSTS["other.example.com"] == UPSTREAM_ADDR  # the denied host would have answered


def test_the_descriptor_alert_reads_series_the_real_exporter_has(stack: tuple[TestNet, Squid]) -> None:
    net, _ = stack
    rule = next(r for r in alert_rules(NAMESPACE, NAME) if r["alert"] == "SquidProxyFileDescriptorsNearLimit")
    ratio_expr = rule["expr"].rsplit(" > ", 1)[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not prometheus.query(net, ratio_expr):
        time.sleep(0.5)
    [ratio] = prometheus.query(net, ratio_expr)
    assert 0 < float(ratio["value"][1]) < 0.8, ratio
