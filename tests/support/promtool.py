"""Prometheus' promtool on a component's PrometheusRule: `check rules` on the rendered object and
`test rules` on input series, the way every component's alert tests run them."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

PROMTOOL = shutil.which("promtool")
requires_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (make test installs prometheus)"
)


def rules_file(tmp_path: Path, rule: Mapping[str, Any]) -> Path:
    """The PrometheusRule's groups as a rules file (YAML is a superset of JSON)."""
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"groups": rule["spec"]["groups"]}))
    return path


def check_rules(tmp_path: Path, rule: Mapping[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMTOOL or "", "check", "rules", str(rules_file(tmp_path, rule))], capture_output=True, text=True
    )


def test_rules(
    tmp_path: Path, rule: Mapping[str, Any], series: Mapping[str, str], alerts: Sequence[Mapping[str, Any]]
) -> subprocess.CompletedProcess[str]:
    """`promtool test rules`: `series` (name{labels} -> values, one per minute) against `alerts`."""
    test = {
        "rule_files": [str(rules_file(tmp_path, rule))],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in series.items()],
                "alert_rule_test": list(alerts),
            }
        ],
    }
    path = tmp_path / "test.json"
    path.write_text(json.dumps(test))
    return subprocess.run(
        [PROMTOOL or "", "test", "rules", str(path)], capture_output=True, text=True, timeout=60
    )


test_rules.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test
