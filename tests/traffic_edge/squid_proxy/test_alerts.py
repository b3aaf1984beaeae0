"""The proxy's alerts: valid for Prometheus (`promtool check rules`) and firing when they should
(`promtool test rules`) on series shaped like boynux/squid-exporter's and Prometheus' `up`."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from tests.support import promtool
from traffic_edge.squid_proxy.alerts import alert_rules, prometheus_rule

pytestmark = promtool.requires_promtool
SEL = 'namespace="egress", job="squid", pod="squid-0"'


def _rule() -> dict[str, Any]:
    return prometheus_rule("squid", "egress", "squid", {"release": "kube-prometheus-stack"})


def _test(
    tmp_path: Path, series: dict[str, str], alerts: list[dict[str, Any]]
) -> subprocess.CompletedProcess[str]:
    return promtool.test_rules(tmp_path, _rule(), series, alerts)


def _annotations(name: str, pod: str = "squid-0") -> dict[str, str]:
    """The rule's annotations as Prometheus renders them for `pod`."""
    rule = next(r for r in alert_rules("egress", "squid") if r["alert"] == name)
    return {k: v.replace("{{ $labels.pod }}", pod) for k, v in rule["annotations"].items()}


def _firing(name: str, at: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """At `at`, `name` fires with `labels` (None: it does not fire)."""
    expected = (
        [{"exp_labels": {"alertname": name, **labels}, "exp_annotations": _annotations(name)}]
        if labels is not None
        else []
    )
    return {"eval_time": at, "alertname": name, "exp_alerts": expected}


def test_the_rendered_rules_pass_promtool_check(tmp_path: Path) -> None:
    done = promtool.check_rules(tmp_path, _rule())
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alert_rules('egress', 'squid'))} rules found" in done.stdout


def test_squid_down_fires_after_two_minutes_and_not_before(tmp_path: Path) -> None:
    labels = {"namespace": "egress", "job": "squid", "pod": "squid-0", "severity": "critical"}
    done = _test(
        tmp_path,
        {f"squid_up{{{SEL}}}": "1 1 0 0 0 0", f"up{{{SEL}}}": "1x6"},
        [_firing("SquidProxyDown", "3m"), _firing("SquidProxyDown", "5m", labels)],
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_scrape_fires_when_the_exporter_is_gone(tmp_path: Path) -> None:
    done = _test(
        tmp_path,
        {f"up{{{SEL}}}": "1 1 0x15"},
        [
            _firing("SquidProxyNotScraped", "5m"),
            _firing("SquidProxyNotScraped", "14m", {"severity": "critical"}),
        ],
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_not_forwarding_fires_when_clients_send_and_nothing_goes_upstream(tmp_path: Path) -> None:
    labels = {"severity": "critical"}
    done = _test(
        tmp_path,
        {
            f"squid_client_http_requests_total{{{SEL}}}": "0+60x30",
            f"squid_server_all_requests_total{{{SEL}}}": "0+60x5 300x25",
            f"squid_client_http_errors_total{{{SEL}}}": "0x30",
            f"up{{{SEL}}}": "1x30",
            f"squid_up{{{SEL}}}": "1x30",
        },
        # Forwarding until minute 5; the 5m rate reaches 0 at minute 10, plus 10 minutes of `for`.
        [_firing("SquidProxyNotForwarding", "12m"), _firing("SquidProxyNotForwarding", "22m", labels)],
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_denial_spike_is_a_warning_but_a_few_denials_are_not(tmp_path: Path) -> None:
    labels = {"severity": "warning"}
    series = {
        f"squid_client_http_requests_total{{{SEL}}}": "0+60x40",
        f"squid_server_all_requests_total{{{SEL}}}": "0+20x40",
        f"up{{{SEL}}}": "1x40",
        f"squid_up{{{SEL}}}": "1x40",
    }
    spike = _test(
        tmp_path,
        {**series, f"squid_client_http_errors_total{{{SEL}}}": "0+40x40"},
        [_firing("SquidProxyErrorRatioHigh", "25m", labels)],
    )
    assert spike.returncode == 0, spike.stdout + spike.stderr
    few = _test(
        tmp_path,
        {**series, f"squid_client_http_errors_total{{{SEL}}}": "0+5x40"},
        [_firing("SquidProxyErrorRatioHigh", "25m")],
    )
    assert few.returncode == 0, few.stdout + few.stderr


def test_file_descriptors_near_the_limit_fire_per_pod_and_not_below(tmp_path: Path) -> None:
    labels = {"namespace": "egress", "job": "squid", "pod": "squid-0", "severity": "warning"}
    used, cap = (
        "squid_info_Number_of_file_desc_currently_in_use",
        "squid_info_Maximum_number_of_file_descriptors",
    )
    near = _test(
        tmp_path,
        {f"{used}{{{SEL}}}": "100x3 60000x20", f"{cap}{{{SEL}}}": "65536x23", f"up{{{SEL}}}": "1x23"},
        [
            _firing("SquidProxyFileDescriptorsNearLimit", "8m"),
            _firing("SquidProxyFileDescriptorsNearLimit", "15m", labels),
        ],
    )
    assert near.returncode == 0, near.stdout + near.stderr
    below = _test(
        tmp_path,
        {f"{used}{{{SEL}}}": "50000x20", f"{cap}{{{SEL}}}": "65536x20", f"up{{{SEL}}}": "1x20"},
        [_firing("SquidProxyFileDescriptorsNearLimit", "15m")],
    )
    assert below.returncode == 0, below.stdout + below.stderr


def test_every_rule_says_what_to_do() -> None:
    for rule in alert_rules("egress", "squid"):
        assert rule["labels"]["severity"] in ("critical", "warning")
        assert len(rule["annotations"]["description"]) > 60, rule["alert"]
