"""Ratios of rounds, their spread and the verdict they support.

Every benchmark measures its contenders side by side in alternating rounds, so each round
gives one ratio of two runs made seconds apart; load from other processes on the machine
cancels better in those than in a ratio of medians. A ratio is reported as the median of
the per-round ratios with their min-max, and a verdict (PASS/MISS against a target) is given
only when the rounds agree: when (max - min) / median exceeds `SPREAD_BOUND` the verdict is
"NOISY (spread X%)", whatever side of the target the median fell on.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

SPREAD_BOUND = 0.10
"""A measure whose per-round ratios spread wider than this (max - min over the median) gets no verdict."""


@dataclass(frozen=True)
class Ratio:
    """The per-round ratios of one measure."""

    rounds: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.rounds:
            raise ValueError("a ratio needs at least one round")

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)

    @property
    def lo(self) -> float:
        return min(self.rounds)

    @property
    def hi(self) -> float:
        return max(self.rounds)

    @property
    def spread(self) -> float:
        """(max - min) / median: 0.08 means the rounds lie within 8% of the median's size."""
        return (self.hi - self.lo) / self.median if self.median else float("inf")

    def noisy(self, bound: float = SPREAD_BOUND) -> bool:
        return round(self.spread, 3) > bound  # as printed: a spread of exactly the bound is judged

    def text(self, digits: int = 3) -> str:
        """``1.023 (0.991-1.050)``: the median and the min-max of the rounds."""
        return f"{self.median:.{digits}f} ({self.lo:.{digits}f}-{self.hi:.{digits}f})"

    def to_json(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "min": self.lo,
            "max": self.hi,
            "spread": self.spread,
            "rounds": list(self.rounds),
        }


def ratio(rounds: Iterable[float]) -> Ratio:
    return Ratio(tuple(rounds))


def per_round(numerators: Sequence[float], denominators: Sequence[float]) -> Ratio:
    """Round i's numerator over round i's denominator, for every round."""
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} rounds against {len(denominators)}")
    return Ratio(tuple(a / b for a, b in zip(numerators, denominators, strict=True)))


def meets(value: float, *, at_least: float | None = None, at_most: float | None = None) -> bool:
    """Whether `value` meets the target, compared at the precision it is printed with (3 digits)."""
    if (at_least is None) == (at_most is None):
        raise ValueError("give exactly one of at_least and at_most")
    value = round(value, 3)
    if at_least is not None:
        return value >= at_least
    assert at_most is not None
    return value <= at_most


def verdict(
    r: Ratio,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    bound: float = SPREAD_BOUND,
) -> str:
    """PASS or MISS for the median against the target, or NOISY when the rounds disagree."""
    if r.noisy(bound):
        return f"NOISY (spread {r.spread:.0%})"
    return "PASS" if meets(r.median, at_least=at_least, at_most=at_most) else "MISS"


def rotated(items: Iterable[T], i: int) -> list[T]:
    """`items` starting from the i-th (modulo their number): round i's order, so that no contender
    always runs first (warm-up and drift favour none)."""
    listed = list(items)
    k = i % len(listed) if listed else 0
    return listed[k:] + listed[:k]


def overall(verdicts: Iterable[str]) -> str:
    """One word for several verdicts: MISS if any missed, else NOISY if any was noisy, else PASS."""
    words = [v.split()[0] for v in verdicts]
    if "MISS" in words:
        return "MISS"
    if "NOISY" in words:
        return "NOISY"
    return "PASS"


def spread_rule(bound: float = SPREAD_BOUND) -> str:
    """The sentence every report states its verdicts under."""
    return (
        "Ratios: the median of the per-round ratios, with their min-max in brackets. A verdict is given "
        f"only when the rounds agree: when (max - min) / median exceeds {bound:.0%} the measure says "
        "NOISY (spread X%) instead of PASS or MISS."
    )
