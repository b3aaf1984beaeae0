"""Upstream facts as data: every constant a component's ``facts.py`` exports, with its sources.

Each component's ``facts.py`` keeps its facts as plain module constants (what the code reads)
and ends with ``FACTS``: one `Fact` per constant, naming the constant, what it means and where
it comes from (`Source`: a repository, a file or pull request, and the tag or date it was
checked at). `unsourced` and `untabled` keep the table and the module in step, and `render`
writes the table the component's doc carries between ``<!-- facts:begin -->`` and
``<!-- facts:end -->``; a test compares the two, so the docs cannot drift from the code.

Nothing copied from upstream lives here: only the facts the code relies on and their citations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from types import ModuleType

BEGIN = "<!-- facts:begin -->"
END = "<!-- facts:end -->"
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class Source:
    """Where a fact was read: ``repo`` (owner/name, or a publisher for a document), ``where``
    (a file path, ``PR #1234`` or a document's section) and ``at`` (the tag, commit or date)."""

    repo: str
    where: str
    at: str

    def cite(self) -> str:
        return f"{self.repo} {self.where} @ {self.at}"


@dataclass(frozen=True)
class Fact:
    """One constant of a ``facts.py``: its name, what it means, and every source it rests on."""

    name: str
    says: str
    sources: tuple[Source, ...]

    def __post_init__(self) -> None:
        if not _CONSTANT.match(self.name):
            raise ValueError(f"a fact names a module constant in UPPER_CASE, not {self.name!r}")
        if not self.sources:
            raise ValueError(f"fact {self.name} has no source")


def constants(module: ModuleType) -> list[str]:
    """The module's public UPPER_CASE constants, in definition order, except the table itself."""
    return [n for n in vars(module) if _CONSTANT.match(n) and n != "FACTS"]


def unsourced(module: ModuleType, facts: Iterable[Fact]) -> list[str]:
    """Constants of `module` that no fact covers."""
    named = {f.name for f in facts}
    return [n for n in constants(module) if n not in named]


def untabled(module: ModuleType, facts: Iterable[Fact]) -> list[str]:
    """Facts naming a constant `module` does not have, or naming one twice."""
    seen: set[str] = set()
    bad = []
    for fact in facts:
        if fact.name in seen or not hasattr(module, fact.name):
            bad.append(fact.name)
        seen.add(fact.name)
    return bad


def shown(value: object) -> str:
    """A constant's value as the docs show it: `describe()` where the value has one."""
    describe = getattr(value, "describe", None)
    if callable(describe):
        return str(describe())
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return f"`{value}`"
    return f"`{value!r}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(module: ModuleType, facts: Sequence[Fact]) -> str:
    """The markdown table of the facts, values read from the module (what the code reads)."""
    rows = ["| fact | value | what it means | source |", "|---|---|---|---|"]
    for fact in facts:
        value = shown(getattr(module, fact.name))
        cites = "; ".join(s.cite() for s in fact.sources)
        rows.append(f"| `{fact.name}` | {_cell(value)} | {_cell(fact.says)} | {_cell(cites)} |")
    return "\n".join(rows)


def block(doc: str) -> str | None:
    """The text between the doc's markers, stripped; None when the doc has no such block."""
    start, end = doc.find(BEGIN), doc.find(END)
    if start < 0 or end < start:
        return None
    return doc[start + len(BEGIN) : end].strip()


def replaced(doc: str, table: str) -> str:
    """The doc with its block replaced by `table`; ValueError when it has no block."""
    start, end = doc.find(BEGIN), doc.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the doc has no {BEGIN} ... {END} block")
    return doc[: start + len(BEGIN)] + "\n" + table + "\n" + doc[end:]
