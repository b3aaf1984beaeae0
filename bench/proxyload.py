"""Load against a proxy in a TestNet: wrk (plain HTTP, keep-alive) and curl (CONNECT tunnels), with
the proxy's CPU; and starting and stopping the processes under test. Shared by bench_squid and
tinyproxy_stall."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.settings import pick
from tests.support.netns import UPSTREAM_ADDR, TestNet

WRK_SECONDS = 4
"""Seconds of each plain-HTTP run in a full run (2 in a quick one): `wrk_seconds()`."""
WRK_CONNECTIONS = 32
WARMUP_SECONDS = 1
TUNNELS_PER_ROUND = 3000
"""New CONNECT tunnels per round in a full run (1000 in a quick one): `tunnels_per_round()`."""
TUNNEL_PARALLEL = 32
HOST = "api.slack.com"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROXY_UID = 13
AS_PROXY = ["setpriv", f"--reuid={PROXY_UID}", f"--regid={PROXY_UID}", "--clear-groups"]


def wrk_seconds() -> int:
    return pick(WRK_SECONDS, 2)


def tunnels_per_round() -> int:
    return pick(TUNNELS_PER_ROUND, 1000)


@dataclass
class Sample:
    """One round of one workload against one target."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_seconds: float | None
    closed: int = 0
    """Keep-alive connections the proxy closed after a complete response (wrk's "read" errors)."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


@dataclass
class Target:
    key: str
    name: str
    proxy: str | None  # "127.0.0.1:3128", None = direct
    squid_conf: str | None = None
    """A Squid config started for each of this target's rounds; None: always running, or no proxy."""
    pgid: int | None = None
    """The process group whose CPU is the proxy's."""
    processes: int = 0
    """The most processes seen in that group while loaded (Squid SMP: master, coordinator, workers)."""
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {"http": [], "connect": []})


def group_stats(pgid: int) -> list[list[str]]:
    """The /proc/<pid>/stat fields (after the command name) of every process in the group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[2]) == pgid:  # pgrp
            found.append(fields)
    return found


def cpu_seconds(pgid: int | None) -> float | None:
    """utime+stime of every process in the group (Squid's master and kids; tinyproxy's threads)."""
    if pgid is None:
        return None
    return sum(int(f[11]) + int(f[12]) for f in group_stats(pgid)) / CLK_TCK  # utime, stime


_UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert m, text
    return float(m.group(1)) * _UNIT_MS[m.group(2)]


def _wrk_errors(out: str) -> tuple[int, int]:
    """(errors, closed): failed connects, writes, timeouts and non-2xx answers; closes after a response."""
    errors = closed = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        connect, closed, write, timeout = (int(n) for n in sock.groups())
        errors += connect + write + timeout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    return errors, closed


def wrk_round(net: TestNet, target: Target, script: Path, seconds: int | None = None) -> Sample:
    seconds = seconds or wrk_seconds()
    url = f"http://{target.proxy}/" if target.proxy else f"http://{UPSTREAM_ADDR}/"
    argv = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if target.proxy:
        argv[1:1] = ["-s", str(script)]
    before = cpu_seconds(target.pgid)
    out = net.check_output(net.proxy, argv, timeout=seconds + 30)
    after = cpu_seconds(target.pgid)
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    assert done is not None, out
    elapsed = float(done.group(2)) * {"ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))$", out, re.M))
    errors, closed = _wrk_errors(out)
    cpu = None if before is None or after is None else after - before
    return Sample(int(done.group(1)), elapsed, _ms(latency["50"]), _ms(latency["99"]), errors, cpu, closed)


def _curl_tunnels(target: Target, tunnels: int) -> list[str]:
    # One new tunnel per request: `Connection: close` inside it, so curl cannot reuse the tunnel.
    host = HOST if target.proxy else UPSTREAM_ADDR
    argv = ["curl", "--parallel", "--parallel-immediate", "--parallel-max", str(TUNNEL_PARALLEL)]
    # --no-progress-meter: with --parallel it would interleave with the -w lines on stderr.
    # --max-time: a stuck tunnel is an error of its own, not a stuck round.
    argv += ["--silent", "--no-progress-meter", "--max-time", "10", "-H", "Connection: close"]
    argv += ["-w", "%{stderr}%{http_code} %{time_total}\\n"]
    if target.proxy:
        argv += ["--proxytunnel", "-x", f"http://{target.proxy}"]
    return [*argv, f"http://{host}:443/t[1-{tunnels}]"]


def tunnel_round(net: TestNet, target: Target, tunnels: int | None = None) -> Sample:
    tunnels = tunnels or tunnels_per_round()
    before = cpu_seconds(target.pgid)
    start = time.monotonic()
    done = subprocess.run(
        ["ip", "netns", "exec", net.proxy, *_curl_tunnels(target, tunnels)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120 + tunnels // 10,  # tinyproxy under a loaded disk managed under 100 tunnels/s
    )
    seconds = time.monotonic() - start
    after = cpu_seconds(target.pgid)
    codes, times = [], []
    for line in done.stderr.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            codes.append(parts[0])
            times.append(float(parts[1]) * 1e3)
    errors = sum(code != "200" for code in codes) + (tunnels - len(codes))
    times.sort()
    p50 = times[len(times) // 2] if times else float("nan")
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] if times else float("nan")
    cpu = None if before is None or after is None else after - before
    return Sample(len(codes), seconds, p50, p99, errors, cpu)


# ---------------------------------------------------------------- processes


def wait_port(net: TestNet, ns: str, port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    """Until `proc` listens on `port`: on loopback in the proxy's namespace, else on the upstream address."""
    addr = "127.0.0.1" if ns == net.proxy else UPSTREAM_ADDR
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with net.entered(ns), socket.socket() as s:
            if s.connect_ex((addr, port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


@contextmanager
def started(
    net: TestNet, ns: str, argv: list[str], port: int, what: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`argv` in its own process group (so its kids are found and stopped), until it listens."""
    proc = net.run(ns, argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_port(net, ns, port, proc, what)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # Squid: shut down (shutdown_lifetime 1 s), kids too
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
