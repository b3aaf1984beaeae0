"""HAProxy with `send-proxy-v2` vs the same config without it, side by side in one run.

One HAProxy process runs the generated config with two routes that differ in one thing
only: backend `be_pp` sends PROXY v2 to an upstream port that requires it, backend
`be_plain` (the same line with `send-proxy-v2` removed) goes to a plain port of the same
upstream. The upstream is a second HAProxy answering HTTP 200 itself, so neither side is
a slow Python server. wrk drives both routes in alternating rounds (pp, plain, pp, ...)
so drift on this 2-core machine hits both equally:

- connection rate: `Connection: close`, one TCP connection (and one PROXY header) per request;
- throughput: keep-alive with an 8 KiB body, where the header is paid once per connection.

Everything runs inside a tests.support.netns.TestNet: the edge in the proxy namespace,
the upstream on 198.18.0.2, no route out. Prints the ratios and rewrites the "HAProxy"
section of docs/benchmarks.md.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.docs_section import write_section as write_docs_section
from components.haproxy_cfg import HaproxyConfig, Placement, Route, render_haproxy_cfg
from tests.support import netns
from tests.support.netns import TestNet

ROUNDS = 6
SECONDS = 3
CONNECTIONS = 32
TARGET_OVERHEAD = 0.03

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


def wrk(net: TestNet, port: int, keepalive: bool) -> tuple[float, float]:
    """(requests/s, MB/s) for one wrk run."""
    argv = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", f"http://127.0.0.1:{port}/"]
    if not keepalive:
        argv[1:1] = ["-H", "Connection: close"]
    out = net.check_output(net.proxy, argv)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    m = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    assert m is not None
    scale = {"B": 1e-6, "KB": 1e-3, "MB": 1.0, "GB": 1e3}[m.group(2)]
    # With `Connection: close` wrk counts the server's close after each response as a read
    # error; connect/write/timeout errors and non-2xx answers are real failures.
    sock = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out)
    if "Non-2xx" in out or (sock and any(int(n) for n in sock.groups())):
        raise RuntimeError(f"wrk saw failures on port {port}:\n{out}")
    return rps, float(m.group(1)) * scale


def measure() -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {
        mode: {"pp": [], "plain": []} for mode in ("connections", "throughput")
    }
    with tempfile.TemporaryDirectory() as tmp, TestNet("bench") as net:
        body = Path(tmp) / "body.txt"
        body.write_text("x" * 8192)
        up_cfg = Path(tmp) / "upstream.cfg"
        up_cfg.write_text(UPSTREAM_CFG.format(body=body))
        edge_cfg = Path(tmp) / "edge.cfg"
        edge_cfg.write_text(edge_config())
        procs = [
            net.run(net.upstream, ["haproxy", "-db", "-f", str(up_cfg)], stdout=subprocess.DEVNULL),
            net.run(net.proxy, ["haproxy", "-db", "-f", str(edge_cfg)], stdout=subprocess.DEVNULL),
        ]
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
                        rps, mbs = wrk(net, port, keepalive)
                        results[mode][route].append(rps if mode == "connections" else mbs)
        finally:
            for p in procs:
                p.terminate()
                p.wait(timeout=10)
    return results


def report(results: dict[str, dict[str, list[float]]]) -> str:
    lines = [
        "## HAProxy",
        "",
        "`python -m bench.bench_haproxy`: the generated haproxy.cfg with `send-proxy-v2` vs the same",
        "backend without it, one HAProxy process, alternating wrk rounds "
        f"({ROUNDS} x {SECONDS}s each, {CONNECTIONS} connections), inside a private network namespace "
        "on this 2-core machine (wrk, edge and upstream share the cores: compare the ratio, not the "
        f"absolute numbers). Target: overhead <= {TARGET_OVERHEAD:.0%}.",
        "",
        "| measure | with send-proxy-v2 | without | ratio | overhead |",
        "|---|---|---|---|---|",
    ]
    for mode, unit in (("connections", "new connections/s"), ("throughput", "MB/s keep-alive")):
        pp, plain = statistics.median(results[mode]["pp"]), statistics.median(results[mode]["plain"])
        # Median of each round's own pp/plain ratio: the two runs of a round are seconds
        # apart, so load from other processes on the machine cancels better than in medians.
        ratio = statistics.median(
            a / b for a, b in zip(results[mode]["pp"], results[mode]["plain"], strict=True)
        )
        lines.append(f"| {mode} ({unit}) | {pp:,.0f} | {plain:,.0f} | {ratio:.3f} | {1 - ratio:+.1%} |")
    lines.append("")
    spread = {
        m: [f"{a / b:.2f}" for a, b in zip(r["pp"], r["plain"], strict=True)] for m, r in results.items()
    }
    lines.append(
        "Columns: medians of the rounds; ratio: median of the per-round ratios "
        f"(connections {', '.join(spread['connections'])}; throughput {', '.join(spread['throughput'])}). "
        "Overhead > 0 means PROXY v2 was slower; the spread of the per-round ratios is the noise "
        f"of this shared machine. Measured {time.strftime('%Y-%m-%d')}."
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
