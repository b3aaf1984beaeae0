"""The generated haproxy.cfg against a minimal one with the same `send-proxy-v2` backend, and PROXY v2's
own cost, side by side in one run.

Four routes, each a frontend feeding a backend on one upstream server:

- `pp` (port 80 of the generated edge): the generated haproxy.cfg as the component writes it,
  `send-proxy-v2` to an upstream port that requires it (`accept-proxy`);
- `plain` (port 443, the generated edge's fe_https): the same backend line with `send-proxy-v2`
  removed, to a plain port of the same upstream: pp vs plain is the protocol's own cost (reported without a target);
- `minimal` (port 82, a second edge process): a minimal haproxy.cfg with the same `send-proxy-v2`
  server line and nothing else (no logging, health checks, resolvers, stats, retries): generated pp
  vs minimal is the cost of the generated extras (target: <= 2% per connection and on throughput);
- `quiet` (port 90, a third edge process): the generated haproxy.cfg with `option dontlog-normal`,
  the before/after of the per-connection log line.

The upstream is one more HAProxy answering HTTP 200 itself, so neither side is a slow Python
server. wrk drives the routes in rounds whose order rotates, so drift hits each equally:

- connection rate: `Connection: close`, one TCP connection (and one PROXY header) per request;
- throughput: keep-alive with an 8 KiB body, where the header is paid once per connection.

Each wrk run also reads utime+stime of the edge process serving the route and of the upstream
from /proc: CPU seconds per 10k connections.

Pinning: wrk on CPU 0, every HAProxy on CPU 1 (HAProxy then runs one thread each, since it sizes
nbthread from its CPU affinity). Compared over three runs each when this was set up (2-core
machine, 6 rounds): the standard deviation of the per-round pp/plain ratios fell from 0.047 to
0.023 for the connection rate, 0.038 to 0.031 for edge CPU per connection and 0.046 to 0.026 for
throughput. With the HAProxies' core the bottleneck (about 99% busy), the connection-rate ratio
is what their summed CPU per connection predicts, which the report checks.

Everything runs inside a tests.support.netns.TestNet: the edges in the proxy namespace, the
upstream on 198.18.0.2, no route out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import haproxy_report
from bench.nsfiles import dns_stub, etc_files, pod_nofile
from bench.output import Result
from bench.planned import planned_configs, rewrite, the_file
from bench.settings import pick
from bench.stats import rotated
from tests.support import netns
from tests.support.netns import TestNet

ROUNDS = 8
"""Rounds in a full run (3 in a quick one)."""
SECONDS = 3
"""Seconds per wrk run in a full run (2 in a quick one)."""
CONNECTIONS = 32
CLK_TCK = os.sysconf("SC_CLK_TCK")
CLIENT_CPU, PROXY_CPU = "0", "1"
ROUTES = {
    "pp": ("generated", 80),
    "plain": ("generated", 443),
    "minimal": ("minimal", 82),
    "quiet": ("quiet", 90),
}
"""route -> (edge process, port). The generated edge's two routes: fe_http (:80, send-proxy-v2, as
planned) and fe_https (:443, send-proxy-v2 removed for the protocol's cost)."""
MODES = {"connections": False, "throughput": True}
"""mode -> keep-alive."""
STATS_PORT, QUIET_STATS_PORT = 8404, 8405
PP_PORT, PLAIN_PORT = 8080, 8443
"""The upstream ports the planned routes send to (dev: targetPort 8080 and 8443)."""

UPSTREAM_CFG = f"""global
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend pp
    bind {netns.UPSTREAM_ADDR}:{PP_PORT} accept-proxy
    http-request return status 200 content-type text/plain file {{body}}
frontend plain
    bind {netns.UPSTREAM_ADDR}:{PLAIN_PORT}
    http-request return status 200 content-type text/plain file {{body}}
"""

MINIMAL_CFG = f"""global
    maxconn 4000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend fe_minimal
    bind :82
    default_backend be_minimal
backend be_minimal
    server gw1 {netns.UPSTREAM_ADDR}:{PP_PORT} send-proxy-v2
"""
"""HAProxy's minimum for the same backend: the server line with send-proxy-v2, and nothing else."""

_SERVER_TEMPLATE = re.compile(r"server-template gw 1-\d+ ([a-z0-9.-]+):(\d+) resolvers cluster")


def gateway_fqdn(planned: str) -> str:
    """The DNS name the planned edge's server-template resolves (dev: the Istio gateway's Service)."""
    found = {m.group(1) for m in _SERVER_TEMPLATE.finditer(planned)}
    if len(found) != 1:
        raise RuntimeError(f"expected one server-template name in the planned haproxy.cfg, found {found}")
    return found.pop()


def edge_config(planned: str) -> str:
    """The planned haproxy.cfg (dev's edge) with its second route's backend not sending PROXY v2."""
    if planned.count("\nbackend be_http\n") != 1 or planned.count("\nbackend be_https\n") != 1:
        raise RuntimeError("the planned haproxy.cfg no longer has one be_http and one be_https backend")
    head, https = planned.split("\nbackend be_https\n")
    plain = rewrite(https, {" send-proxy-v2\n": "\n"})
    return head + "\nbackend be_https\n" + plain


def fit_maxconn(planned: str, nofile: int) -> tuple[str, str]:
    """The planned file with its maxconn lowered to what `nofile` open files allow (HAProxy needs about
    2 per connection and refuses to start short of them), and a sentence saying so ('' if unchanged)."""
    found = {int(n) for n in re.findall(r"^    maxconn (\d+)$", planned, re.M)}
    if len(found) != 1:
        raise RuntimeError(f"expected one maxconn value in the planned haproxy.cfg, found {found}")
    planned_maxconn = found.pop()
    fits = (nofile - 200) // 2
    if planned_maxconn <= fits:
        return planned, ""
    text = re.sub(r"^    maxconn \d+$", f"    maxconn {fits}", planned, flags=re.M)
    note = (
        f"maxconn lowered from the planned {planned_maxconn:,} to {fits:,} in the generated edges: this "
        f"machine's open-files hard limit is {nofile:,} (a container's is 1,048,576) and HAProxy needs two per "
        "connection; maxconn sizes limits and tables, not the work per connection at the 32 used here."
    )
    return text, note


def quiet_config(planned: str) -> str:
    """The planned file with `option dontlog-normal` (only failed connections are logged), on other
    ports: the before/after of the one generated setting that costs per connection."""
    return rewrite(
        edge_config(planned),
        {
            "    bind :80\n": "    bind :90\n",
            "    bind :443\n": "    bind :91\n",
            f"    bind :{STATS_PORT}\n": f"    bind :{QUIET_STATS_PORT}\n",
            "    option tcplog\n": "    option tcplog\n    option dontlog-normal\n",
        },
    )


@dataclass(frozen=True)
class Sample:
    """One wrk run against one route, and the CPU the edge and the upstream spent during it."""

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


def _parse(out: str, port: int) -> tuple[int, float, float]:
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
    return int(done.group(1)), float(rps.group(1)), float(m.group(1)) * scale


def wrk(net: TestNet, port: int, keepalive: bool, edge: int, upstream: int) -> Sample:
    seconds = pick(SECONDS, 2)
    argv = ["taskset", "-c", CLIENT_CPU, "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    if not keepalive:
        argv += ["-H", "Connection: close"]
    argv.append(f"http://127.0.0.1:{port}/")
    before = cpu_seconds(edge), cpu_seconds(upstream)
    out = net.check_output(net.proxy, argv, timeout=seconds + 30)
    after = cpu_seconds(edge), cpu_seconds(upstream)
    requests, rps, mbs = _parse(out, port)
    return Sample(requests, rps, mbs, after[0] - before[0], after[1] - before[1])


def _backends_up(net: TestNet, procs: list[subprocess.Popen[str]], stats_port: int) -> None:
    """Measure only once a generated edge's backends are UP: a DOWN backend makes HAProxy close
    connections, which wrk in close mode would count as fast "requests"."""
    deadline = time.monotonic() + 20
    while True:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("haproxy exited at start; run the config through haproxy -c")
        try:
            url = f"http://127.0.0.1:{stats_port}/stats;csv"
            csv = net.check_output(net.proxy, ["curl", "-s", "-m", "5", url], timeout=10)
        except subprocess.CalledProcessError:
            csv = ""  # not listening yet
        # server-template gw 1-10: the slot DNS filled is UP, the empty ones stay in MAINT.
        up = {ln.split(",")[0] for ln in csv.splitlines() if ln.startswith("be_http") and ",UP," in ln}
        if up == {"be_http", "be_https"}:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"backends not UP:\n{csv}")
        time.sleep(0.2)


def _rounds(net: TestNet, pids: dict[str, int]) -> Results:
    results: Results = {mode: {route: [] for route in ROUTES} for mode in MODES}
    for i in range(pick(ROUNDS, 3)):
        for mode, keepalive in MODES.items():
            for route in rotated(ROUTES, i):
                edge, port = ROUTES[route]
                results[mode][route].append(wrk(net, port, keepalive, pids[edge], pids["upstream"]))
    return results


def configs(tmp: Path, planned: str) -> dict[str, Path]:
    """The four HAProxy configs, written to `tmp`: upstream, generated edge, minimal edge, quiet edge."""
    body = tmp / "body.txt"
    body.write_text("x" * 8192)
    texts = {
        "upstream": UPSTREAM_CFG.format(body=body),
        "generated": edge_config(planned),
        "minimal": MINIMAL_CFG,
        "quiet": quiet_config(planned),
    }
    files = {name: tmp / f"{name}.cfg" for name in texts}
    for name, text in texts.items():
        files[name].write_text(text)
    return files


def _start(net: TestNet, files: dict[str, Path]) -> dict[str, subprocess.Popen[str]]:
    """Every HAProxy, pinned; `ip netns exec` and taskset exec the next program, so the pids are
    the HAProxies'. Those started before a failure are stopped."""
    haproxy = ["taskset", "-c", PROXY_CPU, "haproxy", "-db", "-f"]
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, path in files.items():
            ns = net.upstream if name == "upstream" else net.proxy
            procs[name] = net.run(ns, [*haproxy, str(path)], stdout=subprocess.DEVNULL)
    except BaseException:
        _stop(procs)
        raise
    return procs


def _stop(procs: dict[str, subprocess.Popen[str]]) -> None:
    for p in procs.values():
        p.terminate()
    for p in procs.values():
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def measure(planned: str) -> Results:
    """The rounds, in a test network whose proxy namespace resolves the planned gateway name (its
    resolv.conf names a DNS stub on the upstream's address) to the upstream HAProxy."""
    names = {gateway_fqdn(planned): netns.UPSTREAM_ADDR}
    resolv = f"nameserver {netns.UPSTREAM_ADDR}\n"
    with tempfile.TemporaryDirectory(prefix="bench-haproxy-") as tmp, TestNet("bench") as net:
        files = configs(Path(tmp), planned)
        with (
            etc_files(net.proxy, {"resolv.conf": resolv}),
            dns_stub(net, net.upstream, netns.UPSTREAM_ADDR, names),
        ):
            procs = _start(net, files)
            try:
                for stats_port in (STATS_PORT, QUIET_STATS_PORT):
                    _backends_up(net, list(procs.values()), stats_port)
                return _rounds(net, {name: p.pid for name, p in procs.items()})
            finally:
                _stop(procs)


def raw(results: Results) -> dict[str, Any]:
    return {
        mode: {route: [asdict(s) for s in samples] for route, samples in r.items()}
        for mode, r in results.items()
    }


def run() -> Result:
    problem = netns.available()
    if problem is not None:
        sys.exit(f"bench_haproxy: {problem}")
    planned, note = fit_maxconn(the_file(planned_configs(), "haproxy.cfg"), pod_nofile())
    results = measure(planned)
    rounds, seconds = pick(ROUNDS, 3), pick(SECONDS, 2)
    section = haproxy_report.report(results, rounds, seconds, CONNECTIONS, note)
    return Result("haproxy", "HAProxy", section, raw(results))


def main() -> None:
    from bench import run as runner

    sys.exit(runner.main(["--only", "haproxy"]))


if __name__ == "__main__":
    main()
