"""Facts as data: every component's facts.py has a sourced table, and its doc shows that table."""

from __future__ import annotations

import importlib
import runpy
from types import ModuleType

import pytest

from tests.support.stacks import REPO
from traffic_edge._shared import facts

# Component -> its doc: the map scripts/facts-docs.py rewrites, read from the script itself.
DOCS: dict[str, str] = runpy.run_path(str(REPO / "scripts" / "facts-docs.py"))["DOCS"]


def _module(component: str) -> ModuleType:
    return importlib.import_module(f"traffic_edge.{component}.facts")


def test_every_component_package_is_listed() -> None:
    packages = {
        p.name
        for p in (REPO / "components" / "traffic_edge").iterdir()
        if (p / "facts.py").is_file() and not p.name.startswith("_")
    }
    assert packages == set(DOCS)


@pytest.mark.parametrize("component", sorted(DOCS))
def test_every_constant_has_a_source_and_every_fact_a_constant(component: str) -> None:
    module = _module(component)
    table = getattr(module, "FACTS", None)
    assert table, f"{component}/facts.py has no FACTS table"
    assert facts.unsourced(module, table) == []
    assert facts.untabled(module, table) == []


@pytest.mark.parametrize("component", sorted(DOCS))
def test_the_doc_shows_the_table_the_code_reads(component: str) -> None:
    module = _module(component)
    doc = (REPO / DOCS[component]).read_text()
    shown = facts.block(doc)
    assert shown is not None, f"{DOCS[component]} has no {facts.BEGIN} block"
    assert shown == facts.render(module, module.FACTS), (
        f"{DOCS[component]} disagrees with {component}/facts.py: run `uv run python scripts/facts-docs.py`"
    )


def test_the_check_notices_a_changed_value() -> None:
    module = ModuleType("m")
    module.PORT = 1  # type: ignore[attr-defined]
    table = (facts.Fact("PORT", "a port", (facts.Source("o/r", "a.go", "v1"),)),)
    doc = facts.replaced(f"x\n{facts.BEGIN}\n{facts.END}\ny", facts.render(module, table))
    module.PORT = 2  # type: ignore[attr-defined]
    assert facts.block(doc) != facts.render(module, table)


def test_a_constant_without_a_fact_and_a_fact_without_a_constant_are_named() -> None:
    module = ModuleType("m")
    module.A = 1  # type: ignore[attr-defined]
    module.B = 2  # type: ignore[attr-defined]
    src = (facts.Source("o/r", "a.go", "v1"),)
    table = (facts.Fact("A", "a", src), facts.Fact("C", "c", src), facts.Fact("A", "again", src))
    assert facts.unsourced(module, table) == ["B"]
    assert facts.untabled(module, table) == ["C", "A"]


def test_a_fact_needs_a_source_and_a_constant_name() -> None:
    with pytest.raises(ValueError, match="no source"):
        facts.Fact("A", "a", ())
    with pytest.raises(ValueError, match="UPPER_CASE"):
        facts.Fact("a", "a", (facts.Source("o/r", "a.go", "v1"),))
