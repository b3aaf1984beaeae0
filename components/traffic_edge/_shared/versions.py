"""Kubernetes versions and the feature boundaries the components depend on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")


@total_ordering
@dataclass(frozen=True)
class KubeVersion:
    """A Kubernetes ``major.minor[.patch]`` version, ordered numerically (1.9 < 1.10)."""

    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> KubeVersion:
        """Parse ``1.33``, ``1.33.2`` or ``v1.33.2``; raise ValueError otherwise."""
        match = _VERSION.match(str(text).strip())
        if not match:
            raise ValueError(f"{text!r} is not a Kubernetes version like '1.33' or '1.33.2'")
        major, minor, patch = match.groups()
        return cls(int(major), int(minor), int(patch or 0))

    @classmethod
    def try_parse(cls, text: object) -> KubeVersion | None:
        try:
            return cls.parse(str(text))
        except ValueError:
            return None

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, KubeVersion):
            return NotImplemented
        return self._key() < other._key()

    @property
    def minor_str(self) -> str:
        return f"{self.major}.{self.minor}"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}" if self.patch else self.minor_str


# The schema versions `kubernetes-validate` ships; plans are validated against these.
SUPPORTED_MIN = KubeVersion(1, 25)
SUPPORTED_MAX = KubeVersion(1, 37)
