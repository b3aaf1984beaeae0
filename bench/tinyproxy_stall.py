"""Where tinyproxy's time goes: measured in the Squid benchmark's network, after its rounds.

tinyproxy answers a plain-HTTP request through a proxy in ~44 ms even alone, and Squid in ~1 ms.
The diagnosis measures, each run, rather than assumes:

- the time to the first byte of sequential requests (one at a time, nothing queued);
- the system calls tinyproxy makes per request (`strace -c -f` attached for `TRACED` requests);
- the same requests with delayed ACKs off on every route of both namespaces (`ip route ...
  quickack 1`): if the stall vanishes, it was a sender waiting for an ACK the receiver delayed
  (Nagle's algorithm on a connection without TCP_NODELAY, against Linux's ~40 ms delayed ACK);
- a second tinyproxy that logs nothing per request (`LogLevel Critical`), to separate what its
  per-line log costs under load, with delayed ACKs on and off.

The extra rows are one round each: they explain the legacy row, they get no verdict.
"""

from __future__ import annotations

import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.proxyload import AS_PROXY, HOST, Sample, Target, started, tunnel_round, wrk_round
from tests.support.netns import TestNet

QUIET_PORT = 8889
"""The second tinyproxy: the same config with LogLevel Critical."""
SEQUENTIAL = 40
TRACED = 20
COUNTED = ("fsync", "write", "sendto", "recvfrom", "clone3")


@dataclass
class Diagnosis:
    ttfb_ms: float
    """Median time to the first byte of sequential plain-HTTP requests through tinyproxy."""
    ttfb_no_delayed_ack_ms: float
    connect_ms: float
    """Median total time of sequential CONNECT tunnels (CONNECT, GET inside, close)."""
    syscalls: dict[str, float] | None
    """System calls per plain-HTTP request (None: strace is not installed)."""
    rows: dict[str, tuple[Sample, Sample]] = field(default_factory=dict)
    """Variant -> (plain HTTP, CONNECT) rounds."""
    blocked: dict[str, float] | None = None
    """ms per plain-HTTP request that tinyproxy's connection threads (not its main thread, which
    waits for the next client) spent inside system calls of 10 ms or more, by system call
    (`strace -f -T`; None: strace is not installed)."""


def sequential_ms(net: TestNet, proxy: str, connect: bool, n: int = SEQUENTIAL) -> float:
    """Median ms of `n` requests one after another, each on a new connection."""
    port, timing = (":443", "time_total") if connect else ("", "time_starttransfer")
    argv = ["curl", "-s", "-o", "/dev/null", "-w", f"%{{{timing}}}\\n", "-x", f"http://{proxy}"]
    argv += ["-H", "Connection: close", *(["--proxytunnel"] if connect else [])]
    out = net.check_output(net.proxy, [*argv, f"http://{HOST}{port}/s[1-{n}]"], timeout=120)
    return statistics.median(float(t) * 1e3 for t in out.split())


def parse_strace_summary(text: str) -> dict[str, int]:
    """`strace -c` table -> syscall -> calls."""
    calls = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) in (5, 6) and parts[-1].isidentifier() and parts[3].isdigit() and parts[-1] != "total":
            calls[parts[-1]] = int(parts[3])
    return calls


def _strace(net: TestNet, target: Target, n: int, *flags: str) -> str | None:
    """strace's output (with `flags`) over `n` sequential plain requests through `target`, or None
    without strace or a process to attach to."""
    if shutil.which("strace") is None or target.pgid is None or target.proxy is None:
        return None
    with tempfile.NamedTemporaryFile(prefix="bench-strace-", suffix=".txt") as out:
        tracer = subprocess.Popen(
            ["strace", *flags, "-o", out.name, "-p", str(target.pgid)], stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(0.5)  # attached
            sequential_ms(net, target.proxy, connect=False, n=n)
        finally:
            tracer.send_signal(signal.SIGINT)
            tracer.wait(timeout=30)
        return Path(out.name).read_text()


def syscalls_per_request(net: TestNet, target: Target) -> dict[str, float] | None:
    text = _strace(net, target, TRACED, "-c", "-f")
    if text is None:
        return None
    calls = parse_strace_summary(text)
    return {name: calls.get(name, 0) / TRACED for name in COUNTED}


BLOCKED_MS = 10.0
_CALL = re.compile(r"^(\d+)\s+(?:<\.\.\. )?(\w+)(?:\(| resumed>).*<([\d.]+)>$")


def parse_strace_blocked(text: str, requests: int, main_tid: int) -> dict[str, float]:
    """`strace -f -T` output -> ms per request the threads other than `main_tid` spent in calls of
    `BLOCKED_MS` or more, by call."""
    blocked: dict[str, float] = {}
    for line in text.splitlines():
        m = _CALL.match(line)
        if m is None or int(m.group(1)) == main_tid:
            continue
        name, ms = m.group(2), float(m.group(3)) * 1e3
        if ms >= BLOCKED_MS:
            blocked[name] = blocked.get(name, 0.0) + ms / requests
    return dict(sorted(blocked.items(), key=lambda kv: -kv[1]))


def blocked_per_request(net: TestNet, target: Target, n: int = 10) -> dict[str, float] | None:
    """Where a sequential request's time goes inside tinyproxy: the long system calls."""
    text = _strace(net, target, n, "-f", "-T")
    if text is None or target.pgid is None:
        return None
    return parse_strace_blocked(text, n, target.pgid)


def _routes(ns: str, table: str) -> list[list[str]]:
    out = subprocess.run(
        ["ip", "-n", ns, "route", "show", "table", table], check=True, capture_output=True, text=True
    ).stdout
    routes = [line.split() for line in out.splitlines() if line.strip()]
    return [[w for w in r if w != "linkdown"] for r in routes if r[0] not in ("broadcast", "multicast")]


def _replace(ns: str, table: str, route: list[str], *extra: str) -> None:
    argv = ["ip", "-n", ns, "route", "replace", *route, "table", table, *extra]
    subprocess.run(argv, check=True, capture_output=True, text=True)


@contextmanager
def delayed_acks_off(net: TestNet) -> Iterator[None]:
    """Every route of both namespaces with `quickack 1`: TCP ACKs at once, never delayed."""
    saved = [
        (ns, t, r) for ns in (net.proxy, net.upstream) for t in ("main", "local") for r in _routes(ns, t)
    ]
    try:
        for ns, table, route in saved:
            _replace(ns, table, route, "quickack", "1")
        yield
    finally:
        for ns, table, route in saved:
            _replace(ns, table, route)  # as it was: replace drops the quickack metric


def tinyproxy_argv(workdir: Path, port: int) -> list[str]:
    """tinyproxy in the foreground as the proxy user, with the config written for `port`."""
    return [*AS_PROXY, "tinyproxy", "-d", "-c", str(workdir / f"tinyproxy{port}.conf")]


def _rounds(net: TestNet, target: Target, script: Path) -> tuple[Sample, Sample]:
    return wrk_round(net, target, script), tunnel_round(net, target)


def diagnose(net: TestNet, tiny: Target, workdir: Path, script: Path) -> Diagnosis:
    """Run after the rounds, with `tiny` (LogLevel Info, as deployed) still running."""
    assert tiny.proxy is not None
    ttfb_ms = sequential_ms(net, tiny.proxy, connect=False)
    connect_ms = sequential_ms(net, tiny.proxy, connect=True)
    syscalls = syscalls_per_request(net, tiny)
    blocked = blocked_per_request(net, tiny)
    rows = {}
    with delayed_acks_off(net):
        ttfb_no_delayed_ack_ms = sequential_ms(net, tiny.proxy, connect=False)
        rows["as deployed, delayed ACKs off"] = _rounds(net, tiny, script)
    with started(net, net.proxy, tinyproxy_argv(workdir, QUIET_PORT), QUIET_PORT, "quiet tinyproxy") as proc:
        quiet = Target("quiet", "tinyproxy, LogLevel Critical", f"127.0.0.1:{QUIET_PORT}", pgid=proc.pid)
        wrk_round(net, quiet, script, 1)  # warm-up
        rows["LogLevel Critical (no per-request log)"] = _rounds(net, quiet, script)
        with delayed_acks_off(net):
            rows["LogLevel Critical, delayed ACKs off"] = _rounds(net, quiet, script)
    return Diagnosis(ttfb_ms, ttfb_no_delayed_ack_ms, connect_ms, syscalls, rows, blocked)
