"""How long the benchmarks run: in full (the figures docs/benchmarks.md records) or quick.

A quick run (``BENCH_QUICK=1 make bench``, ``make bench BENCH_QUICK=1`` or
``python -m bench.run --quick``) runs every benchmark end to end with fewer and shorter rounds,
a few minutes in all: a smoke test of the benchmarks, whose spreads are wider and whose
figures are not recorded in the docs (``--docs`` refuses a quick run).
"""

from __future__ import annotations

import os

QUICK_ENV = "BENCH_QUICK"


def quick() -> bool:
    """Whether this is a quick (smoke) run: read at run time, so `--quick` can set it."""
    return os.environ.get(QUICK_ENV, "").strip() not in ("", "0")


def pick(full: int, quick_value: int) -> int:
    """`full` in a full run, `quick_value` in a quick one."""
    return quick_value if quick() else full
