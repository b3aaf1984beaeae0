"""The README's examples are what the code really prints."""

from __future__ import annotations

import re

import pytest

from edge_stack.config import decode, load
from planner.stackfile import REPO, read_config
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
