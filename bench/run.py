"""`make bench`: every benchmark, each measuring its contenders side by side in one run.

Each prints its section; the run writes them to out/bench/ (benchmarks.md and one JSON of raw
rounds per benchmark) and leaves the work tree alone. `make bench-docs` (``--docs``) runs the
same and replaces the sections of docs/benchmarks.md in place. Benchmarks never run in
`make test`: their targets are ratios on a shared machine, not pass/fail tests.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from bench import bench_haproxy, bench_plan, bench_squid, output, planned, settings

BENCHMARKS: dict[str, tuple[str, Callable[[], output.Result]]] = {
    "plan": ("make plan vs importing the SDKs; per stack, per zone", bench_plan.run),
    "squid": ("squid: generated vs minimal config, workers, no proxy, tinyproxy", bench_squid.run),
    "haproxy": ("haproxy: generated vs minimal config; send-proxy-v2 vs plain", bench_haproxy.run),
}


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", action="store_true", help="also record the sections in docs/benchmarks.md")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="these benchmarks only")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: fewer, shorter rounds (also {settings.QUICK_ENV}=1); never recorded in the docs",
    )
    args = parser.parse_args(argv)
    if args.quick:
        os.environ[settings.QUICK_ENV] = "1"
    if args.docs and settings.quick():
        parser.error(f"a quick run ({settings.QUICK_ENV}=1 or --quick) is not recorded in the docs")
    return args


def _command(args: argparse.Namespace) -> str:
    """What produced the figures, as the stamp under each section says."""
    quick = f"{settings.QUICK_ENV}=1 " if settings.quick() else ""
    if args.only:
        return f"{quick}python -m bench.run {'--docs ' if args.docs else ''}--only {' '.join(args.only)}"
    return f"{quick}make bench-docs" if args.docs else f"{quick}make bench"


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so every benchmark stops its processes and deletes its namespaces."""
    raise KeyboardInterrupt(f"signal {signum}")


USE_PLANNED = {"squid", "haproxy"}
"""The benchmarks that run the stack's planned configs (bench/planned.py)."""


def run_all(args: argparse.Namespace, command: str) -> tuple[list[Path], list[str]]:
    """Every selected benchmark; one that fails is reported and the others still run. Returns the
    files written and the benchmarks that failed."""
    results, written, failed = [], [], []
    slugs = args.only or list(BENCHMARKS)
    if USE_PLANNED & set(slugs):
        planned.planned_configs()  # once, first: a tree that does not plan fails before any round
    for slug in slugs:
        title, run = BENCHMARKS[slug]
        print(f"== {title}", flush=True)
        load, started = output.load_average(), time.monotonic()
        try:
            result = output.measured(run(), started, load)
        except Exception:  # the next benchmark does not depend on this one
            traceback.print_exc()
            print(f"== {title}: FAILED after {time.monotonic() - started:.0f} s\n", flush=True)
            failed.append(slug)
            continue
        print(output.stamped(result, command), flush=True)
        print(f"== {title}: {result.run['seconds']:.0f} s\n", flush=True)
        results.append(result)
        written += output.write_out([result], command=command)
    if args.docs and results:
        written.append(output.write_docs(results, command=command))
    return written, failed


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        written, failed = run_all(args, _command(args))
    finally:
        signal.signal(signal.SIGTERM, previous)
    shown = sorted(
        {str(p.relative_to(output.REPO)) if p.is_relative_to(output.REPO) else str(p) for p in written}
    )
    print("wrote " + (", ".join(shown) or "nothing"))
    if failed:
        print(f"FAILED: {', '.join(failed)} (their sections were not written)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
