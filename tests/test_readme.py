"""The README's examples are what the code really prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edge_stack.config import decode, load
from tests.support.stacks import REPO, read_config
from traffic_edge._shared.problems import ArgsError

README = (REPO / "README.md").read_text()


def test_the_bad_config_example_is_the_real_error() -> None:
    block = re.search(r"A bad config fails before anything is registered.*?```\n(.*?)```", README, re.S)
    assert block is not None
    config = decode(read_config("dev"))
    config["aws"]["region"] = "seoul"
    config["squid"]["replicas"] = 1
    with pytest.raises(ArgsError) as err:
        load("dev", config)
    assert block.group(1) == f"plan: {err.value}\n"


def test_the_plan_table_lists_every_file_a_plan_writes(tmp_path: Path) -> None:
    from tests.support.stacks import run_stack
    from traffic_edge.plan.writer import write_plan

    table = re.search(r"## What `make plan` writes.*?\n\n(\|.*?)\n\n", README, re.S)
    assert table is not None
    listed = {m.split("/")[0] for m in re.findall(r"^\| `([^`]+)`", table.group(1), re.M)}
    out = tmp_path / "dev"
    write_plan(run_stack("dev"), out)
    # The command adds the policy report and summary.md always, warnings.txt when there are any.
    written = {p.name for p in out.iterdir()} | {"policy-report.json", "summary.md", "warnings.txt"}
    assert written <= listed, f"written but not in the README: {sorted(written - listed)}"
