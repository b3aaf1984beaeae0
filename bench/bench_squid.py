"""The generated squid.conf vs Debian's tinyproxy (what seed 000 replaced) vs no proxy, in one run.

Everything runs inside a tests.support.netns.TestNet, so nothing can leave the machine:

    proxy ns:     squid (the generated config, -N, one worker, uid 13) on :3128,
                  tinyproxy (domain allowlist, CONNECT to 443 only) on :8888, and the load generators
    upstream ns:  HAProxy answering HTTP 200 itself on 198.18.0.2:80 and :443 (plain HTTP: the CONNECT target)

Both proxies resolve api.slack.com to 198.18.0.2 from a hosts file, filter on the same allowlist
and log every request to a file. Two workloads, rounds alternating between the three targets so
drift on this shared 2-core machine hits each equally:

- plain HTTP, keep-alive: wrk with absolute-form request targets (what `HTTP_PROXY` clients send);
- CONNECT tunnels: curl --parallel, one new tunnel per request (CONNECT, GET inside, close),
  the pattern of short-lived HTTPS clients. "no proxy" opens the same TCP connections directly.

Per target: req/s, p50/p99 latency, errors (non-2xx, socket errors, failed transfers) and CPU
seconds per 10k requests of the proxy process (utime+stime from /proc, all its threads).
Prints the table and rewrites the "Squid" section of docs/benchmarks.md. Targets from issue 3:
squid >= 1.5x tinyproxy's req/s with 0 errors, and p99 no worse than tinyproxy's.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.docs_section import write_section as write_docs_section
from tests.support import netns
from tests.support.netns import UPSTREAM_ADDR, TestNet
from traffic_edge.squid_proxy import render_squid_conf

ROUNDS = 3
WRK_SECONDS = 4
WRK_CONNECTIONS = 32
TUNNELS_PER_ROUND = 3000
TUNNEL_PARALLEL = 32
TARGET_RPS_RATIO = 1.5
HOST = "api.slack.com"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROXY_UID = 13

SQUID_ARGS = {
    "allowed_source_cidrs": ["127.0.0.0/8"],
    "allowed_domains": [".slack.com"],
    "shutdown_lifetime_seconds": 1,
}

UPSTREAM_CFG = f"""global
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind {UPSTREAM_ADDR}:80
    bind {UPSTREAM_ADDR}:443
    http-request return status 200 content-type text/plain string "hello from upstream"
"""

TINYPROXY_CFG = """Port 8888
Listen 127.0.0.1
Timeout 600
MaxClients 256
Allow 127.0.0.0/8
ConnectPort 443
DisableViaHeader Yes
Filter "{workdir}/filter"
FilterType ere
FilterDefaultDeny Yes
LogFile "{workdir}/tinyproxy.log"
LogLevel Info
PidFile "{workdir}/tinyproxy.pid"
"""


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


@dataclass
class Target:
    name: str
    proxy: str | None  # "127.0.0.1:3128", None = direct
    pid: int | None
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {"http": [], "connect": []})


def _cpu(pid: int | None) -> float | None:
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (process-wide, all threads)


_UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert m, text
    return float(m.group(1)) * _UNIT_MS[m.group(2)]


def wrk_round(net: TestNet, target: Target, script: Path) -> Sample:
    url = f"http://{target.proxy}/" if target.proxy else f"http://{UPSTREAM_ADDR}/"
    argv = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency", url]
    if target.proxy:
        argv[1:1] = ["-s", str(script)]
    before = _cpu(target.pid)
    out = net.check_output(net.proxy, argv, timeout=WRK_SECONDS + 30)
    after = _cpu(target.pid)
    requests = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))  # type: ignore[union-attr]
    duration = re.search(r"requests in ([\d.]+)(ms|s|m)", out)
    assert duration is not None
    seconds = float(duration.group(1)) * {"ms": 1e-3, "s": 1.0, "m": 60.0}[duration.group(2)]
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))$", out, re.M))
    errors = closed = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        connect, closed, write, timeout = (int(n) for n in sock.groups())
        errors += connect + write + timeout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    cpu = None if before is None or after is None else after - before
    return Sample(requests, seconds, _ms(latency["50"]), _ms(latency["99"]), errors, cpu, closed)


def tunnel_round(net: TestNet, target: Target) -> Sample:
    # One new tunnel per request: `Connection: close` inside it, so curl cannot reuse the tunnel.
    url = (
        f"http://{HOST}:443/t[1-{TUNNELS_PER_ROUND}]"
        if target.proxy
        else f"http://{UPSTREAM_ADDR}:443/t[1-{TUNNELS_PER_ROUND}]"
    )
    argv = [
        "curl",
        "--parallel",
        "--parallel-immediate",
        "--parallel-max",
        str(TUNNEL_PARALLEL),
        "--silent",
        "--no-progress-meter",  # with --parallel it would interleave with the -w lines on stderr
        "-H",
        "Connection: close",
    ]
    argv += ["-w", "%{stderr}%{http_code} %{time_total}\\n"]
    if target.proxy:
        argv += ["--proxytunnel", "-x", f"http://{target.proxy}"]
    argv.append(url)
    before = _cpu(target.pid)
    start = time.monotonic()
    done = subprocess.run(
        ["ip", "netns", "exec", net.proxy, *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    seconds = time.monotonic() - start
    after = _cpu(target.pid)
    codes, times = [], []
    for line in done.stderr.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            codes.append(parts[0])
            times.append(float(parts[1]) * 1e3)
    errors = sum(code != "200" for code in codes) + (TUNNELS_PER_ROUND - len(codes))
    times.sort()
    p50 = times[len(times) // 2] if times else float("nan")
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] if times else float("nan")
    cpu = None if before is None or after is None else after - before
    return Sample(len(codes), seconds, p50, p99, errors, cpu)


def _wait_port(net: TestNet, ns: str, addr: str, port: int, proc: subprocess.Popen[bytes], what: str) -> None:
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
    net: TestNet, ns: str, argv: list[str], listen: tuple[str, int], what: str
) -> Iterator[subprocess.Popen[bytes]]:
    proc = net.run(ns, argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_port(net, ns, *listen, proc, what)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        proc.wait(timeout=10)


def squid_conf_for_bench(workdir: Path) -> str:
    """The generated file with only paths rewritten (as in tests/test_squid_real.py)."""
    text = render_squid_conf(SQUID_ARGS)
    for old, new in {
        "access_log stdio:/dev/stdout": f"access_log stdio:{workdir}/access.log",
        "cache_log /dev/stderr": f"cache_log {workdir}/cache.log",
        "pid_filename /run/squid/squid.pid": f"pid_filename {workdir}/squid.pid",
        "coredump_dir /var/spool/squid": f"coredump_dir {workdir}",
    }.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text + f"hosts_file {workdir}/hosts\ndns_nameservers 127.0.0.1\n"


def measure() -> tuple[list[Target], str]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-squid-"))
    os.chmod(workdir, 0o755)
    os.chown(workdir, PROXY_UID, PROXY_UID)
    (workdir / "hosts").write_text(f"{UPSTREAM_ADDR} {HOST}\n")
    (workdir / "squid.conf").write_text(squid_conf_for_bench(workdir))
    (workdir / "tinyproxy.conf").write_text(TINYPROXY_CFG.format(workdir=workdir))
    (workdir / "filter").write_text(r"(^|\.)slack\.com$" + "\n")
    (workdir / "upstream.cfg").write_text(UPSTREAM_CFG)
    script = workdir / "proxy.lua"
    script.write_text(f'wrk.path = "http://{HOST}/"\nwrk.headers["Host"] = "{HOST}"\n')
    for path in workdir.iterdir():
        os.chown(path, PROXY_UID, PROXY_UID)
    as_proxy = ["setpriv", f"--reuid={PROXY_UID}", f"--regid={PROXY_UID}", "--clear-groups"]
    versions = " / ".join(
        subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()[0].strip()
        for argv in (["squid", "-v"], ["tinyproxy", "-v"])
    )
    try:
        with TestNet("bsq") as net:
            # tinyproxy resolves with the C library: `ip netns exec` gives it this hosts file.
            etc = Path("/etc/netns") / net.proxy
            etc.mkdir(parents=True)
            try:
                (etc / "hosts").write_text(f"127.0.0.1 localhost\n{UPSTREAM_ADDR} {HOST}\n")
                (etc / "resolv.conf").write_text("nameserver 127.0.0.1\n")
                with (
                    started(
                        net,
                        net.upstream,
                        ["haproxy", "-f", str(workdir / "upstream.cfg")],
                        (UPSTREAM_ADDR, 80),
                        "haproxy",
                    ),
                    started(
                        net,
                        net.proxy,
                        [*as_proxy, "squid", "-N", "-f", str(workdir / "squid.conf")],
                        ("127.0.0.1", 3128),
                        "squid",
                    ) as squid,
                    started(
                        net,
                        net.proxy,
                        [*as_proxy, "tinyproxy", "-d", "-c", str(workdir / "tinyproxy.conf")],
                        ("127.0.0.1", 8888),
                        "tinyproxy",
                    ) as tiny,
                ):
                    time.sleep(0.5)
                    targets = [
                        Target("no proxy", None, None),
                        Target("squid (generated config)", "127.0.0.1:3128", squid.pid),
                        Target("tinyproxy", "127.0.0.1:8888", tiny.pid),
                    ]
                    _sanity(net, targets)
                    for _ in range(ROUNDS):
                        for target in targets:
                            target.samples["http"].append(wrk_round(net, target, script))
                        for target in targets:
                            target.samples["connect"].append(tunnel_round(net, target))
            finally:
                shutil.rmtree(etc, ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return targets, versions


def _sanity(net: TestNet, targets: list[Target]) -> None:
    """Both proxies forward the allowlisted host and refuse another one, or the numbers mean nothing."""
    for target in targets[1:]:
        ok = net.check_output(
            net.proxy,
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-x",
                f"http://{target.proxy}",
                f"http://{HOST}/",
            ],
        )
        denied = net.check_output(
            net.proxy,
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-x",
                f"http://{target.proxy}",
                "http://example.org/",
            ],
        )
        if ok != "200" or denied not in ("403", "407"):
            raise RuntimeError(f"{target.name}: allowlisted -> {ok}, other host -> {denied}")


@dataclass
class Summary:
    rps: float
    p50: float
    p99: float
    errors: int
    cpu_per_10k: float | None
    closed: int


def summarize(samples: list[Sample]) -> Summary:
    cpu = [s.cpu_seconds / s.requests * 10_000 for s in samples if s.cpu_seconds is not None and s.requests]
    return Summary(
        rps=statistics.median(s.requests / s.seconds for s in samples),
        p50=statistics.median(s.p50_ms for s in samples),
        p99=statistics.median(s.p99_ms for s in samples),
        errors=sum(s.errors for s in samples),
        cpu_per_10k=statistics.median(cpu) if cpu else None,
        closed=sum(s.closed for s in samples),
    )


def report(targets: list[Target], versions: str) -> str:
    lines = [
        "## Squid",
        "",
        "`python -m bench.bench_squid` (`make bench`): the generated squid.conf (Debian's squid, `-N`, 1 worker, as "
        "uid 13) vs Debian's tinyproxy (same allowlist as an ERE filter, CONNECT to 443 only) vs no proxy, same "
        "HAProxy upstream answering 200, all inside a private network namespace on this 2-core machine "
        "(load generator, proxy and upstream share the cores: compare ratios, not absolute numbers). "
        f"{ROUNDS} alternating rounds per workload; plain HTTP: wrk, {WRK_CONNECTIONS} keep-alive connections, "
        f"{WRK_SECONDS} s; CONNECT: curl --parallel {TUNNEL_PARALLEL}, {TUNNELS_PER_ROUND} new tunnels per round "
        f"(CONNECT, one GET inside, close). {versions}.",
        "",
    ]
    verdicts = []
    for workload, title in (
        ("http", "Plain HTTP (keep-alive)"),
        ("connect", "CONNECT tunnels (one per request)"),
    ):
        lines += [
            f"### {title}",
            "",
            "| target | req/s | p50 ms | p99 ms | errors | closed by proxy | CPU s / 10k req |",
            "|---|---|---|---|---|---|---|",
        ]
        sums = {t.name: summarize(t.samples[workload]) for t in targets}
        for name, s in sums.items():
            cpu = "-" if s.cpu_per_10k is None else f"{s.cpu_per_10k:.2f}"
            closed = f"{s.closed:,}" if workload == "http" else "-"
            lines.append(
                f"| {name} | {s.rps:,.0f} | {s.p50:.2f} | {s.p99:.2f} | {s.errors} | {closed} | {cpu} |"
            )
        squid, tiny = sums["squid (generated config)"], sums["tinyproxy"]
        ratio = squid.rps / tiny.rps
        rps_ok = ratio >= TARGET_RPS_RATIO and squid.errors == 0
        p99_ok = squid.p99 <= tiny.p99
        verdicts.append(rps_ok and p99_ok)
        lines += [
            "",
            f"squid / tinyproxy req/s: **{ratio:.2f}x** (target >= {TARGET_RPS_RATIO}x with 0 errors: "
            f"{'PASS' if rps_ok else 'FAIL'}); p99 {squid.p99:.2f} ms vs {tiny.p99:.2f} ms (target: no worse: "
            f"{'PASS' if p99_ok else 'FAIL'}); squid at {squid.rps / sums['no proxy'].rps:.2f}x of no proxy.",
            "",
        ]
    lines += [
        "Medians of the rounds; errors and closes summed. Errors: failed connects, writes, timeouts, "
        "non-2xx answers, failed tunnels. Closed by proxy: keep-alive connections the proxy closed after a "
        "complete response (tinyproxy does not keep client connections open), so the client pays a new "
        "TCP connection per request; not counted as errors. CPU: utime+stime of the proxy process over the "
        f"round. Overall: {'PASS' if all(verdicts) else 'FAIL'}. "
        f"Measured {time.strftime('%Y-%m-%d')}. Reproduce: `make bench` or, as root with squid, tinyproxy, "
        "haproxy, wrk and curl installed, `.venv/bin/python -m bench.bench_squid`.",
        "",
    ]
    return "\n".join(lines)


def write_section(section: str) -> None:
    write_docs_section("Squid", section)


def main() -> None:
    problem = netns.available()
    if problem is not None:
        sys.exit(f"bench_squid: {problem}")
    missing = [
        b for b in ("squid", "tinyproxy", "haproxy", "wrk", "curl", "setpriv") if shutil.which(b) is None
    ]
    if missing:
        sys.exit(f"bench_squid: not installed: {', '.join(missing)}")
    targets, versions = measure()
    section = report(targets, versions)
    print(section)
    write_section(section)


if __name__ == "__main__":
    main()
