"""What evaluating a policy pack on a plan found (no pulumi-policy needed to read it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str
    urn: str | None
    message: str


@dataclass
class Report:
    """What evaluating a pack on a plan found: the policies run and their violations."""

    violations: list[Violation] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    pack: str | None = None
    """The pack's name; None when no pack was given."""

    @property
    def mandatory_violations(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    def text(self) -> str:
        if self.pack is None:
            return "policies: none evaluated (no --policy-pack given)"
        lines = [f"policies: {len(self.policies)} evaluated, {len(self.violations)} violation(s)"]
        for v in sorted(self.violations, key=lambda v: (v.enforcement, v.policy, v.urn or "")):
            lines.append(f"  [{v.enforcement}] {v.policy}: {v.message}" + (f" ({v.urn})" if v.urn else ""))
        return "\n".join(lines)

    def write(self, path: Path) -> None:
        data = {
            "pack": self.pack,
            "policies": sorted(self.policies),
            "violations": [
                v.__dict__ for v in sorted(self.violations, key=lambda v: (v.policy, v.urn or "", v.message))
            ],
        }
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


class PackError(Exception):
    """The policy pack directory cannot be loaded."""
