"""What evaluating the pack on a plan found: the policies run and their violations."""

from __future__ import annotations

from dataclasses import dataclass, field


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
