"""Property: any one mistake in a real stack file gives one block of problems, each naming a key
that is in the file (or a required key under one that is), and nothing is registered.

The stack files are mutated as a user would get them wrong: wrong types, out-of-range and
huge numbers, deleted keys, unknown and misspelt keys at every level, and text that is not
YAML at all.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge_stack.config import arg_names, decode, load
from edge_stack.program import main as program_main
from tests.support.stacks import REPO, stacks
from traffic_edge._shared.problems import ArgsError, Kind, MapKey, Problem, camel
from traffic_edge.plan.engine import run
from traffic_edge.plan.project import StackFileError, read_project, read_stack

STACKS = stacks()
DOCS = {s: yaml.safe_load((REPO / f"Pulumi.{s}.yaml").read_text()) for s in STACKS}
VALUES = st.sampled_from(
    [
        None,
        0,
        -1,
        2**31,
        2**40,
        1.5,
        True,
        "",
        "x",
        "9abc",
        "0.0.0.0/0",
        "1.30",
        "1.26",  # too old for Squid: reported under the cluster
        "a" * 80,
        [],
        ["a"],
        {},
        {"a": 1},
    ]
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*at, key))


def _mutate(doc: dict[str, Any], data: st.DataObject) -> None:
    """One mistake somewhere under config:."""
    paths = [p for p in _paths(doc["config"]) if p]
    at = data.draw(st.sampled_from(paths), label="path")
    parent = doc["config"]
    for part in at[:-1]:
        parent = parent[part]
    key = at[-1]
    op = data.draw(st.sampled_from(["value", "delete", "unknown", "misspell"]), label="op")
    if op == "value":
        parent[key] = copy.deepcopy(data.draw(VALUES, label="value"))
    elif op == "delete":
        del parent[key]
    elif op == "unknown" and isinstance(parent, dict):
        parent["bogusKey"] = 1
    elif op == "misspell" and isinstance(parent, dict) and isinstance(key, str) and len(key) > 3:
        parent[key[:-2] + key[-1] + key[-2]] = parent.pop(key)


def _in_file(problem: Problem, config: dict[str, Any]) -> bool:
    """The problem's key is in the file; a missing key's parent is."""
    node: Any = config
    parts = problem.path.parts
    for i, part in enumerate(parts):
        spelled = part if isinstance(part, MapKey | int) else camel(part)
        present = (isinstance(node, dict) and spelled in node) or (
            isinstance(node, list) and isinstance(spelled, int) and spelled < len(node)
        )
        if not present:
            return problem.kind is Kind.MISSING and i == len(parts) - 1
        node = node[spelled]
    return True


def _check(text: str | bytes, tmp: Path) -> None:
    (tmp / "Pulumi.t.yaml").write_bytes(text if isinstance(text, bytes) else text.encode())
    try:
        stack = read_stack(read_project(tmp), "t")
        load("t", decode(stack.config, stack.secret_keys))
    except StackFileError as err:
        assert str(err).startswith("Pulumi.t.yaml: ") and "Traceback" not in str(err)
        return
    except ArgsError as err:
        # Keys as the engine passes them: JSON, so a YAML key `true` or `~` is "true" or "null".
        doc = json.loads(json.dumps(yaml.safe_load(text)))
        config = {k if ":" in k else f"traffic-edge:{k}": v for k, v in (doc.get("config") or {}).items()}
        assert str(err).startswith("stack 't': the config in Pulumi.t.yaml: ")
        wrong = [p.render("config") for p in err.problems if not _in_file(p, config)]
        assert wrong == [], "problems about keys that are not in the file"
        python_names = [w for w in re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", str(err)) if w in arg_names()]
        assert python_names == [], "the message spells keys in the Python API's snake_case"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("stack")
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp / name)
    return tmp


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_stack_file_gives_problems_about_keys_in_the_file(root: Path, data: st.DataObject) -> None:
    stack = data.draw(st.sampled_from(STACKS), label="stack")
    doc = copy.deepcopy(DOCS[stack])
    _mutate(doc, data)
    _check(yaml.safe_dump(doc), root)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_stack_file_broken_as_text_is_one_problem_with_the_file(root: Path, data: st.DataObject) -> None:
    text = (REPO / f"Pulumi.{data.draw(st.sampled_from(STACKS), label='stack')}.yaml").read_bytes()
    at = data.draw(st.integers(0, len(text)), label="at")
    junk = data.draw(
        st.sampled_from([b"\t", b"[", b"{", b": ", b"*x", b"&", b"\n---\n", b"\xff", b"'", b"\n- "])
    )
    cut = data.draw(st.booleans(), label="cut")
    _check(text[:at] + junk + (b"" if cut else text[at:]), root)


def test_a_refused_config_registers_nothing_not_even_a_provider() -> None:
    doc = copy.deepcopy(DOCS["dev"])
    doc["config"]["traffic-edge:squid"]["name"] = "9abc"  # refused by SquidProxy's own name rule
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in doc["config"].items()}
    caught: list[ArgsError] = []

    def program() -> None:
        try:
            program_main()
        except ArgsError as err:
            caught.append(err)

    rec = run(program, stack="dev", config=config)
    assert [p.render("config") for p in caught[0].problems] == [
        "traffic-edge:squid.name: '9abc' is not allowed: a DNS-1035 label of at most 56 characters: a lower-case "
        "letter, then lower-case letters, digits and '-': it names the Service (and so the proxy URL)"
    ]
    assert [r.type for r in rec.resources if r.type != "pulumi:pulumi:Stack"] == []


def test_a_key_with_a_trailing_colon_is_reported_as_written(root: Path) -> None:
    # Found by the property test on Pulumi.dr.yaml: `traffic-edge:aws::` was reported as `aws:`.
    text = (
        (REPO / "Pulumi.dev.yaml").read_text().replace("  traffic-edge:aws:\n", "  traffic-edge:aws:: \n", 1)
    )
    assert "traffic-edge:aws::" in text
    _check(text, root)
