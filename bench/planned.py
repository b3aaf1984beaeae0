"""The configs the benchmarks run are the ones the stacks' plans write, changed only where a test
network needs it.

`planned_configs("dev")` runs what `make plan` runs (`python -m traffic_edge.plan plan --stack dev`,
in a fresh process, its output in a temporary directory) and returns the files it writes under
configs/ (``squid/squid.conf``, ``edge/haproxy.cfg``): the component code's own output for a real
stack, not a config the benchmark builds by hand. The benchmarks then `rewrite` a few lines (paths a
pod has and the test network does not, say), each of which must occur exactly once, so a change in
the generator that a rewrite no longer matches stops the benchmark instead of being measured blind.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from bench.output import REPO

STACK = "dev"
"""The stack whose configs are measured: it plans both the Squid proxy and the HAProxy edge."""


@functools.cache
def planned_configs(stack: str = STACK) -> dict[str, str]:
    """configs/<component>/<file> of `stack`'s plan -> text; planned once per run, so every
    benchmark of a run measures the same code (others may be editing the tree meanwhile)."""
    with tempfile.TemporaryDirectory(prefix="bench-planned-") as tmp:
        argv = [sys.executable, "-m", "traffic_edge.plan", "plan", "--stack", stack, "--out", tmp]
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"planning {stack} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        configs = Path(tmp) / "configs"
        return {str(p.relative_to(configs)): p.read_text() for p in sorted(configs.rglob("*")) if p.is_file()}


def the_file(configs: Mapping[str, str], name: str) -> str:
    """The one planned config called `name` (say ``squid.conf``); the stack must plan exactly one."""
    found = [text for path, text in configs.items() if Path(path).name == name]
    if len(found) != 1:
        raise RuntimeError(f"the plan wrote {len(found)} files called {name}: {sorted(configs)}")
    return found[0]


def rewrite(text: str, changes: Mapping[str, str]) -> str:
    """`text` with each key replaced by its value; every key must occur exactly once."""
    for old, new in changes.items():
        count = text.count(old)
        if count != 1:
            raise ValueError(f"{old!r} occurs {count} times in the planned config, not once")
        text = text.replace(old, new)
    return text
