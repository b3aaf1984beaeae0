"""The canary's alert on kube-state-metrics' CronJob series (promtool): a zone whose runs stop
matching, and a zone that never matched, fire; a zone that keeps matching never does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.traffic_edge.squid_proxy.test_alerts import PROMTOOL
from traffic_edge.squid_proxy.alerts import alert_rules, canary_rules, prometheus_rule

pytestmark = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (make test installs prometheus)"
)
NS = 'namespace="egress"'


def _rules(tmp_path: Path) -> Path:
    rule = prometheus_rule(
        "squid", "egress", "squid", {"release": "kube-prometheus-stack"}, canary_interval=5
    )
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"groups": rule["spec"]["groups"]}))
    return path


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
    done = subprocess.run(
        [PROMTOOL or "", "check", "rules", str(_rules(tmp_path))], capture_output=True, text=True
    )
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
    test = {
        "rule_files": [str(_rules(tmp_path))],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in series.items()],
                "alert_rule_test": tests,
            }
        ],
    }
    path = tmp_path / "test.json"
    path.write_text(json.dumps(test))
    done = subprocess.run(
        [PROMTOOL or "", "test", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
