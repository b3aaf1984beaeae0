"""The canary's alert on kube-state-metrics' CronJob series (promtool): a zone whose runs stop
matching, and a zone that never matched, fire; a zone that keeps matching never does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import promtool
from traffic_edge.squid_proxy.alerts import alert_rules, canary_rules, prometheus_rule

pytestmark = promtool.requires_promtool
NS = 'namespace="egress"'


def _rule() -> dict[str, Any]:
    return prometheus_rule(
        "squid", "egress", "squid", {"release": "kube-prometheus-stack"}, canary_interval=5
    )


def _firing(at: str, cronjob: str | None) -> dict[str, Any]:
    [rule] = canary_rules("egress", "squid", 5)
    if cronjob is None:
        return {"eval_time": at, "alertname": "SquidEgressCanaryFailing", "exp_alerts": []}
    annotations = {k: v.replace("{{ $labels.cronjob }}", cronjob) for k, v in rule["annotations"].items()}
    labels = {
        "alertname": "SquidEgressCanaryFailing",
        "namespace": "egress",
        "cronjob": cronjob,
        "severity": "critical",
    }
    return {
        "eval_time": at,
        "alertname": "SquidEgressCanaryFailing",
        "exp_alerts": [{"exp_labels": labels, "exp_annotations": annotations}],
    }


def test_the_rules_with_the_canary_pass_promtool_check(tmp_path: Path) -> None:
    done = promtool.check_rules(tmp_path, _rule())
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alert_rules('egress', 'squid')) + 1} rules found" in done.stdout


def test_the_canary_alert_fires_after_three_missed_intervals(tmp_path: Path) -> None:
    last = "kube_cronjob_status_last_successful_time"
    series = {
        # zone a matched at 0, 5 and 10 minutes, then never again
        f'{last}{{{NS}, cronjob="squid-canary-a"}}': "0x4 300x4 600x30",
        # zone b matches every five minutes
        f'{last}{{{NS}, cronjob="squid-canary-b"}}': "0x4 300x4 600x4 900x4 1200x4 1500x4 1800x4 2100x4",
        # zone c never matched since its CronJob was created
        **{f'kube_cronjob_created{{{NS}, cronjob="squid-canary-{z}"}}': "0x40" for z in "abc"},
        # another proxy's canary in the namespace is not this one's
        f'kube_cronjob_created{{{NS}, cronjob="other-canary-a"}}': "0x40",
    }
    tests = [
        _firing("15m", None),
        _firing("19m", "squid-canary-c"),  # created 0, nothing by 16 min (3 x 5 + 1), for 1 min
        _firing("25m", "squid-canary-c"),
        # a: last match at 10 min; 26 min is not yet more than 16 min later, 28 min fires
        {**_firing("26m", "squid-canary-c")},
        {
            "eval_time": "29m",
            "alertname": "SquidEgressCanaryFailing",
            "exp_alerts": _firing("29m", "squid-canary-a")["exp_alerts"]
            + _firing("29m", "squid-canary-c")["exp_alerts"],
        },
    ]
    done = promtool.test_rules(tmp_path, _rule(), series, tests)
    assert done.returncode == 0, done.stdout + done.stderr
