"""Evaluate the CrossGuard policies (policies/) on a recording, as `pulumi preview --policy-pack` would.

The policy modules are imported like any other: if they cannot be imported, the plan fails
instead of reporting "0 evaluated" and passing.
"""

from __future__ import annotations

import json
from pathlib import Path

from planner.engine import Recording
from policies.evaluate import evaluate_recording
from policies.report import Report, Violation

__all__ = ["Report", "Violation", "evaluate", "write_report"]


def evaluate(rec: Recording) -> Report:
    return evaluate_recording(rec)


def write_report(report: Report, path: Path) -> None:
    data = {
        "policies": sorted(report.policies),
        "violations": [
            v.__dict__ for v in sorted(report.violations, key=lambda v: (v.policy, v.urn or "", v.message))
        ],
    }
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
