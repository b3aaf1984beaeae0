"""Validation problems shared by every component and by the stack-config layer.

A component validates its args with a pure function that returns a list of `Problem`s
(every problem at once, never the first only) and raises `ArgsError` before it registers
anything. The stack-config layer calls the same validators and prefixes each key with the
config key it came from, so the user sees `traffic-edge:squid.replicas`, not `replicas`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Problem:
    """One bad input: where it is, what it was, and what is allowed instead."""

    key: str
    """Dotted path of the arg, relative to the args object (``zones[1]``, ``ports.9999``)."""
    value: object
    """The offending value as given (rendered with repr)."""
    allowed: str
    """What is allowed, or what to do instead; a full sentence fragment."""

    def prefixed(self, prefix: str) -> Problem:
        if not prefix:
            return self
        key = f"{prefix}.{self.key}" if self.key and not self.key.startswith("[") else f"{prefix}{self.key}"
        return Problem(key, self.value, self.allowed)

    def render(self) -> str:
        return f"{self.key}: {self.value!r} is not allowed: {self.allowed}"


class ArgsError(pulumi.RunError, ValueError):
    """Raised with every problem found, before any resource is registered.

    A `pulumi.RunError`, so `pulumi up`/`preview` print the message without a traceback.
    """

    def __init__(self, what: str, problems: Iterable[Problem]) -> None:
        self.what = what
        self.problems = list(problems)
        lines = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(self.problems, 1))
        n = len(self.problems)
        super().__init__(f"{what}: {n} invalid value{'s' if n != 1 else ''}:\n{lines}")


def raise_if(what: str, problems: Iterable[Problem]) -> None:
    found = list(problems)
    if found:
        raise ArgsError(what, found)
