"""Evaluate the CrossGuard policies (policies/) on a recording, as `pulumi preview --policy-pack` would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from planner.engine import Recording


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str
    urn: str | None
    message: str


@dataclass
class Report:
    violations: list[Violation] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)

    @property
    def mandatory_violations(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    def text(self) -> str:
        lines = [f"policies: {len(self.policies)} evaluated, {len(self.violations)} violation(s)"]
        for v in sorted(self.violations, key=lambda v: (v.enforcement, v.policy, v.urn or "")):
            lines.append(f"  [{v.enforcement}] {v.policy}: {v.message}" + (f" ({v.urn})" if v.urn else ""))
        return "\n".join(lines)


def evaluate(rec: Recording) -> Report:
    try:
        from policies.evaluate import evaluate_recording
    except ImportError:
        return Report()
    report: Report = evaluate_recording(rec)
    return report


def write_report(report: Report, path: Path) -> None:
    data = {
        "policies": sorted(report.policies),
        "violations": [
            v.__dict__ for v in sorted(report.violations, key=lambda v: (v.policy, v.urn or "", v.message))
        ],
    }
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
