"""This repository's stacks, planned the way `make plan` plans them (`traffic-edge plan`)."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

from traffic_edge.plan.cli import run_project
from traffic_edge.plan.engine import Recording
from traffic_edge.plan.policy import Report
from traffic_edge.plan.policy_pack import Pack, evaluate_recording, load_pack
from traffic_edge.plan.project import read_project, read_stack

REPO = Path(__file__).resolve().parents[2]


def plan_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m traffic_edge.plan plan <args>` in a fresh process run from the repository, as
    `make plan` runs it; its output captured."""
    argv = [sys.executable, "-m", "traffic_edge.plan", "plan", *args]
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)


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
