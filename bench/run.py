"""`make bench`: every benchmark, each measuring its contenders side by side in one run.

Each prints its table and rewrites its own section of docs/benchmarks.md. Benchmarks never
run in `make test`: their targets are ratios on a shared machine, not pass/fail tests.
"""

from __future__ import annotations

import sys
import time

from bench import bench_haproxy, bench_squid

BENCHMARKS = (
    ("squid vs tinyproxy vs no proxy", bench_squid.main),
    ("haproxy send-proxy-v2 overhead", bench_haproxy.main),
)


def main() -> int:
    for title, run in BENCHMARKS:
        print(f"== {title}", flush=True)
        started = time.monotonic()
        run()
        print(f"== {title}: {time.monotonic() - started:.0f} s\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
