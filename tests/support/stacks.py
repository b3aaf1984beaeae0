"""This repository's stacks, planned the way `make plan` plans them (`traffic-edge plan`)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from traffic_edge.plan.cli import run_project
from traffic_edge.plan.engine import Recording
from traffic_edge.plan.policy import Report
from traffic_edge.plan.policy_pack import Pack, evaluate_recording, load_pack
from traffic_edge.plan.project import read_project, read_stack

REPO = Path(__file__).resolve().parents[2]


def stacks(root: Path = REPO) -> list[str]:
    return read_project(root).stacks()


def read_config(stack: str, root: Path = REPO) -> dict[str, Any]:
    """Full config keys -> values as the engine passes them (objects and lists JSON-encoded)."""
    return read_stack(read_project(root), stack).config


def run_stack(stack: str, root: Path = REPO) -> Recording:
    """The project's program in `root` for `stack`, offline."""
    return run_project(read_project(root), stack)


@functools.cache
def pack() -> Pack:
    return load_pack(REPO / "policies")


def evaluate(rec: Recording, config: dict[str, Any] | None = None) -> Report:
    """This repository's policy pack on `rec`."""
    return evaluate_recording(rec, pack(), config)
