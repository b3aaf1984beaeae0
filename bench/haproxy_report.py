"""The HAProxy benchmark's section of docs/benchmarks.md (bench_haproxy measures)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.stats import Ratio, overall, per_round, spread_rule, verdict

if TYPE_CHECKING:
    from bench.bench_haproxy import Results, Sample

TARGET_OVERHEAD = 0.02


@dataclass(frozen=True)
class Measure:
    label: str
    mode: str
    value: Callable[[Sample], float]
    fmt: str
    worse_up: bool
    """More is worse (CPU); else less is worse (rates)."""


def _edge(s: Sample) -> float:
    return s.edge_per_10k


def _upstream(s: Sample) -> float:
    return s.upstream_per_10k


def _rps(s: Sample) -> float:
    return s.rps


def _mbs(s: Sample) -> float:
    return s.mbs


EDGE_CPU = Measure("edge HAProxy CPU s / 10k connections", "connections", _edge, "{:.3f}", True)
RATE = Measure("end-to-end new connections/s", "connections", _rps, "{:,.0f}", False)
THROUGHPUT = Measure("end-to-end throughput, MB/s keep-alive", "throughput", _mbs, "{:,.0f}", False)
UPSTREAM_CPU = Measure("upstream HAProxy CPU s / 10k connections", "connections", _upstream, "{:.3f}", True)


def ratio(results: Results, m: Measure, a: str, b: str) -> Ratio:
    return per_round([m.value(s) for s in results[m.mode][a]], [m.value(s) for s in results[m.mode][b]])


def median_of(results: Results, m: Measure, route: str) -> float:
    return statistics.median(m.value(s) for s in results[m.mode][route])


def overhead(m: Measure, r: Ratio) -> float:
    return r.median - 1 if m.worse_up else 1 - r.median


def judge(m: Measure, r: Ratio) -> str:
    """Within TARGET_OVERHEAD: CPU ratio <= 1.02, rate ratios >= 0.98; NOISY when the rounds disagree."""
    if m.worse_up:
        return verdict(r, at_most=1 + TARGET_OVERHEAD)
    return verdict(r, at_least=1 - TARGET_OVERHEAD)


def _row(results: Results, m: Measure, a: str, b: str, judged: bool) -> tuple[str, str]:
    r = ratio(results, m, a, b)
    mark = f"**{judge(m, r)}**" if judged else "no target"
    va, vb = (m.fmt.format(median_of(results, m, route)) for route in (a, b))
    return f"| {m.label} | {va} | {vb} | {r.text()} | {overhead(m, r):+.1%} | {mark} |", mark


def generated_vs_minimal(results: Results) -> tuple[list[str], list[str]]:
    target = f"{TARGET_OVERHEAD:.0%}"
    lines = [
        "### The generated haproxy.cfg vs a minimal one (same send-proxy-v2 backend)",
        "",
        f"| measure | generated | minimal | ratio (min-max) | overhead | verdict (<= {target}) |",
        "|---|---|---|---|---|---|",
    ]
    marks = []
    for m in (EDGE_CPU, RATE, THROUGHPUT):
        row, mark = _row(results, m, "pp", "minimal", True)
        lines.append(row)
        marks.append(mark)
    return [*lines, ""], marks


def logging_cost(results: Results) -> list[str]:
    """Before/after of `option dontlog-normal`: how much of the generated extras is the connection log."""
    lines = [
        "### Before/after: the per-connection log line (`option dontlog-normal`)",
        "",
        "| measure | generated / minimal | generated + dontlog-normal / minimal | generated / generated + dontlog-normal |",
        "|---|---|---|---|",
    ]
    for m in (EDGE_CPU, RATE, THROUGHPUT):
        pairs = (("pp", "minimal"), ("quiet", "minimal"), ("pp", "quiet"))
        cells = [f"{ratio(results, m, a, b).text()} ({judge(m, ratio(results, m, a, b))})" for a, b in pairs]
        lines.append(f"| {m.label} | " + " | ".join(cells) + " |")
    return [
        *lines,
        "",
        "`option dontlog-normal` (a third edge process: the generated config with that one line added, on "
        "other ports) logs only connections that failed or ended abnormally; verdicts in brackets against "
        f"the same {TARGET_OVERHEAD:.0%}. The log goes to /dev/null here; in a pod it goes to the container "
        "runtime's pipe, whose cost this does not measure.",
        "",
        "Not applied: the generated edge keeps its log line per connection, the largest of its extras "
        "(the columns above). HAProxy's manual strongly discourages `dontlog-normal` because \"the key to complex "
        'issues is in the normal logs" (haproxy/haproxy, doc/configuration.txt, `option dontlog-normal`, '
        "v2.6.0): an edge's connection log is where a client's report of a reset or a slow connect is "
        "answered. The cost is one write to stdout per connection, paid on the edge's CPU, not on the "
        "connection's path to the gateway.",
        "",
    ]


def protocol_cost(results: Results, seconds: int) -> list[str]:
    lines = [
        "### PROXY v2's own cost: send-proxy-v2 vs the same backend without it (generated config)",
        "",
        "| measure | with send-proxy-v2 | without | ratio (min-max) | overhead | target |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_row(results, m, "pp", "plain", False)[0] for m in (EDGE_CPU, RATE, THROUGHPUT, UPSTREAM_CPU)]
    return [*lines, "", _prediction(results, seconds), ""]


def _prediction(results: Results, seconds: int) -> str:
    """With the HAProxies' core the bottleneck, the rate ratio is the inverse of their summed CPU per
    connection; a gap means something else took that core during the run."""

    def both(s: Sample) -> float:
        return s.edge_per_10k + s.upstream_per_10k

    summed = per_round(
        [both(s) for s in results["connections"]["pp"]], [both(s) for s in results["connections"]["plain"]]
    )
    predicted = statistics.median(1 / r for r in summed.rounds)
    measured = ratio(results, RATE, "pp", "plain").median
    busy = statistics.median(
        (s.edge_cpu + s.upstream_cpu) / seconds
        for route in ("pp", "plain")
        for s in results["connections"][route]
    )
    edge = median_of(results, EDGE_CPU, "pp") - median_of(results, EDGE_CPU, "plain")
    up = median_of(results, UPSTREAM_CPU, "pp") - median_of(results, UPSTREAM_CPU, "plain")
    gap = (
        " The gap means something else took that core during the run."
        if abs(predicted - measured) > 0.02
        else ""
    )
    return (
        f"The HAProxies' core was {busy:.0%} busy; with PROXY v2 the edge spends {edge:+.3f} s and the upstream "
        f"{up:+.3f} s more per 10k connections (per connection the edge makes three more system calls, "
        "getsockname and an SO_ORIGINAL_DST lookup for the header's addresses and the 28-byte header in a "
        "send() of its own; the upstream two more recv(), to peek at and consume it: strace of this "
        f"HAProxy 2.6), so their summed CPU per connection predicts a connection-rate ratio of {predicted:.3f}; "
        f"measured {measured:.3f}.{gap}"
    )


def report(results: Results, rounds: int, seconds: int, connections: int, note: str = "") -> str:
    minimal, marks = generated_vs_minimal(results)
    word = overall(m.strip("*") for m in marks)
    lines = [
        "## HAProxy",
        "",
        "`python -m bench.bench_haproxy`: the generated haproxy.cfg, dev's as `make plan` writes it "
        "(configs/edge/haproxy.cfg: tcplog to stdout, health checks, a `server-template` kept current by "
        "its `resolvers` section, stats and Prometheus frontend), its gateway name answered by a DNS stub "
        "in the test network, `send-proxy-v2` to an upstream HAProxy "
        "that answers 200 itself (`accept-proxy` on that port), against a minimal haproxy.cfg with the same "
        "send-proxy-v2 server line and nothing else (no logging, health checks, resolvers, stats, retries), "
        "in a second edge process; and, in the generated edge, its second route (fe_https) with "
        f"send-proxy-v2 removed, to a plain port of the same upstream, for the protocol's own cost. Rotating wrk rounds ({rounds} x {seconds}s per route and workload, "
        f"{connections} connections) inside a private network namespace on this 2-core machine; wrk is "
        "pinned to CPU 0 and every HAProxy to CPU 1 (one thread each), which makes the HAProxies' core the "
        "bottleneck so the ratios show their cost undiluted by wrk's. Compare ratios, not absolute numbers. "
        f"Target (issue 15): the generated extras cost <= {TARGET_OVERHEAD:.0%} per connection (edge CPU) and "
        "on throughput (and on the connection rate); PROXY v2 vs plain has no target."
        + (f" {note}" if note else ""),
        "",
        *minimal,
        f"Overall against the {TARGET_OVERHEAD:.0%} target: **{word}**.",
        "",
        *logging_cost(results),
        *protocol_cost(results, seconds),
        "Columns: medians of the rounds. Overhead: extra CPU per connection, or the rate lost. CPU: "
        "utime+stime of the HAProxy process serving the route (or the upstream's) from /proc over each wrk "
        "run, per completed connection; it includes the kernel's TCP work done in the process's context, and "
        "the generated edge's per-connection log line (to its stdout, /dev/null here). " + spread_rule(),
        "",
        f"Measured {time.strftime('%Y-%m-%d')}.",
        "",
    ]
    return "\n".join(lines)
