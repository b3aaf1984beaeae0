"""The edge's alerts: valid for Prometheus (`promtool check rules`) and firing when they should
(`promtool test rules`) on series shaped like HAProxy 2.6's own exporter output (the metric and
label names test_monitoring_real.py scrapes from the real binary: `proxy`, `server`, `state`)
and Prometheus' `up`, with the labels the ServiceMonitor's scrape adds (namespace, job, pod)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.support import promtool
from traffic_edge.proxy_protocol_ingress.alerts import alert_rules, prometheus_rule

pytestmark = promtool.requires_promtool
NS, JOB, GATEWAY = "haproxy-edge", "edge-haproxy-metrics", "istio-system/edge-gateway-pp"
POD = {"namespace": NS, "job": JOB, "pod": "edge-haproxy-0", "instance": "10.244.1.7:8404"}


def _series(metric: str, **labels: str) -> str:
    inner = ", ".join(f'{k}="{v}"' for k, v in {**POD, **labels}.items())
    return f"{metric}{{{inner}}}"


def _rule() -> dict[str, Any]:
    return prometheus_rule("edge-haproxy", NS, JOB, GATEWAY, {"release": "kube-prometheus-stack"})


def _test(tmp_path: Path, series: dict[str, str], alerts: list[dict[str, Any]]) -> None:
    done = promtool.test_rules(tmp_path, _rule(), series, alerts)
    assert done.returncode == 0, done.stdout + done.stderr


def _annotations(name: str, labels: dict[str, str]) -> dict[str, str]:
    """The rule's annotations as Prometheus renders them for an alert with `labels`."""
    rule = next(r for r in alert_rules(NS, JOB, GATEWAY) if r["alert"] == name)
    render = re.compile(r"\{\{ \$labels\.(\w+) \}\}")
    return {k: render.sub(lambda m: labels[m.group(1)], v) for k, v in rule["annotations"].items()}


def _firing(name: str, at: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """At `at`, `name` fires once with exactly `labels` plus its severity (None: it does not fire)."""
    if labels is None:
        return {"eval_time": at, "alertname": name, "exp_alerts": []}
    rule = next(r for r in alert_rules(NS, JOB, GATEWAY) if r["alert"] == name)
    expected = {"alertname": name, **labels, **rule["labels"]}
    exp = [{"exp_labels": expected, "exp_annotations": _annotations(name, labels)}]
    return {"eval_time": at, "alertname": name, "exp_alerts": exp}


def test_the_rendered_rules_pass_promtool_check(tmp_path: Path) -> None:
    done = promtool.check_rules(tmp_path, _rule())
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alert_rules(NS, JOB, GATEWAY))} rules found" in done.stdout


def test_no_healthy_gateway_fires_after_a_minute_for_that_backend_only(tmp_path: Path) -> None:
    https = {**POD, "proxy": "be_https"}
    _test(
        tmp_path,
        {
            _series("haproxy_backend_active_servers", proxy="be_https"): "2 2 0 0 0 0",
            _series("haproxy_backend_active_servers", proxy="be_http"): "2x6",
        },
        [_firing("HAProxyNoHealthyGateway", "2m"), _firing("HAProxyNoHealthyGateway", "4m", https)],
    )


def test_one_gateway_server_down_for_ten_minutes_is_a_warning(tmp_path: Path) -> None:
    gw2 = {**POD, "proxy": "be_https", "server": "gw2", "state": "DOWN"}
    _test(
        tmp_path,
        {
            _series("haproxy_server_status", proxy="be_https", server="gw2", state="DOWN"): "0 0 1x15",
            _series("haproxy_server_status", proxy="be_https", server="gw2", state="UP"): "1 1 0x15",
            _series("haproxy_server_status", proxy="be_https", server="gw1", state="DOWN"): "0x17",
            # A slot DNS has no pod for is in maintenance, not down: never an alert.
            _series("haproxy_server_status", proxy="be_https", server="gw3", state="MAINT"): "1x17",
        },
        [_firing("HAProxyGatewayServerDown", "8m"), _firing("HAProxyGatewayServerDown", "13m", gw2)],
    )


def _traffic(counter: str, per_minute: int) -> dict[str, str]:
    """10 connections a second on be_https from minute 0; `counter` grows from minute 5."""
    return {
        _series("haproxy_backend_sessions_total", proxy="be_https"): "0+600x30",
        _series(counter, proxy="be_https"): f"0x5 0+{per_minute}x25",
        # The stats frontend's backend never counts (only be_<port name> backends are traffic).
        _series("haproxy_backend_sessions_total", proxy="stats"): "0+1x30",
        _series(counter, proxy="stats"): "0+1x30",
    }


def test_connection_errors_page_when_clients_fail_and_a_few_do_not(tmp_path: Path) -> None:
    backend = {"namespace": NS, "job": JOB, "proxy": "be_https"}
    errors = "haproxy_backend_connection_errors_total"
    # 1 a second of 10 fail from minute 5: the 5m rate is over 5% from about minute 7, + 5m of `for`.
    _test(tmp_path, _traffic(errors, 60), [_firing("HAProxyGatewayConnectionErrors", "20m", backend)])
    _test(tmp_path, _traffic(errors, 18), [_firing("HAProxyGatewayConnectionErrors", "20m")])  # 3%


def test_retries_are_a_warning_when_sustained(tmp_path: Path) -> None:
    backend = {"namespace": NS, "job": JOB, "proxy": "be_https"}
    retries = "haproxy_backend_retry_warnings_total"
    _test(
        tmp_path,
        _traffic(retries, 120),  # 20% of connections retried
        [_firing("HAProxyGatewayRetriesHigh", "12m"), _firing("HAProxyGatewayRetriesHigh", "28m", backend)],
    )
    _test(tmp_path, _traffic(retries, 30), [_firing("HAProxyGatewayRetriesHigh", "28m")])  # 5%


def test_connections_near_maxconn_is_a_warning(tmp_path: Path) -> None:
    fe = {**POD, "proxy": "fe_https"}
    _test(
        tmp_path,
        {
            _series("haproxy_frontend_current_sessions", proxy="fe_https"): "1000 1000 19000x10",
            _series("haproxy_frontend_limit_sessions", proxy="fe_https"): "20000x12",
            _series("haproxy_frontend_current_sessions", proxy="fe_http"): "15000x12",
            _series("haproxy_frontend_limit_sessions", proxy="fe_http"): "20000x12",
        },
        [_firing("HAProxyConnectionsNearLimit", "5m"), _firing("HAProxyConnectionsNearLimit", "8m", fe)],
    )


def test_a_pod_prometheus_cannot_scrape_is_a_warning(tmp_path: Path) -> None:
    other = {**POD, "pod": "edge-haproxy-1", "instance": "10.244.2.9:8404"}
    inner = ", ".join(f'{k}="{v}"' for k, v in other.items())
    _test(
        tmp_path,
        {_series("up"): "1 1 0x10", f"up{{{inner}}}": "1x12"},
        [_firing("HAProxyTargetDown", "5m"), _firing("HAProxyTargetDown", "8m", POD)],
    )


def test_nothing_scraped_pages(tmp_path: Path) -> None:
    _test(
        tmp_path,
        {_series("up"): "1 1 0x15"},
        [_firing("HAProxyNotScraped", "8m"), _firing("HAProxyNotScraped", "14m", {})],
    )


def test_every_rule_says_what_to_do() -> None:
    for rule in alert_rules(NS, JOB, GATEWAY):
        assert rule["labels"]["severity"] in ("critical", "warning")
        assert len(rule["annotations"]["description"]) > 80, rule["alert"]
