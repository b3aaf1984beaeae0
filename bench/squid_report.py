"""The Squid benchmark's section of docs/benchmarks.md, and its raw rounds (bench_squid measures)."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

from bench.proxyload import TUNNEL_PARALLEL, WRK_CONNECTIONS, Sample, Target, tunnels_per_round, wrk_seconds
from bench.stats import Ratio, overall, per_round, spread_rule, verdict
from bench.tinyproxy_stall import BLOCKED_MS, TRACED, Diagnosis

WORKLOADS = (("http", "Plain HTTP (keep-alive)"), ("connect", "CONNECT tunnels (one per request)"))
RATIOS: tuple[tuple[str, str, str, float | None], ...] = (
    ("generated / minimal allow-all", "generated", "minimal", 0.9),
    ("generated / no proxy (the physical limit)", "generated", "direct", None),
    ("workers 2 / workers 1 (generated config)", "workers2", "generated", None),
    ("generated / tinyproxy (legacy target, issue 3)", "generated", "tinyproxy", 1.5),
)
"""(label, numerator, denominator, target: at least this many times the denominator's req/s)."""


@dataclass
class Summary:
    rps: float
    p50: float
    p99: float
    errors: int
    cpu_per_10k: float | None
    closed: int


def cpu_per_10k(s: Sample) -> float | None:
    return None if s.cpu_seconds is None or not s.requests else s.cpu_seconds / s.requests * 10_000


def summarize(samples: list[Sample]) -> Summary:
    cpu = [c for s in samples if (c := cpu_per_10k(s)) is not None]
    return Summary(
        rps=statistics.median(s.rps for s in samples),
        p50=statistics.median(s.p50_ms for s in samples),
        p99=statistics.median(s.p99_ms for s in samples),
        errors=sum(s.errors for s in samples),
        cpu_per_10k=statistics.median(cpu) if cpu else None,
        closed=sum(s.closed for s in samples),
    )


def rps_ratio(by: dict[str, Target], workload: str, num: str, den: str) -> Ratio:
    return per_round([s.rps for s in by[num].samples[workload]], [s.rps for s in by[den].samples[workload]])


def cpu_ratio(by: dict[str, Target], workload: str, num: str, den: str) -> Ratio | None:
    a = [cpu_per_10k(s) for s in by[num].samples[workload]]
    z = [cpu_per_10k(s) for s in by[den].samples[workload]]
    if any(v is None or not v for v in (*a, *z)):
        return None
    return per_round([v for v in a if v], [v for v in z if v])


def _table(ts: list[Target], workload: str) -> list[str]:
    lines = [
        "| target | req/s | p50 ms | p99 ms | errors | closed by proxy | CPU s / 10k req | processes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in ts:
        s = summarize(t.samples[workload])
        cpu = "-" if s.cpu_per_10k is None else f"{s.cpu_per_10k:.2f}"
        closed = f"{s.closed:,}" if workload == "http" else "-"
        procs = str(t.processes) if t.processes else "-"
        lines.append(
            f"| {t.name} | {s.rps:,.0f} | {s.p50:.2f} | {s.p99:.2f} | {s.errors} | {closed} | {cpu} | {procs} |"
        )
    return lines


def _judged(by: dict[str, Target], workload: str, num: str, r: Ratio, target: float | None) -> str:
    if target is None:
        return "no target"
    errors = sum(s.errors for s in by[num].samples[workload])
    if errors:
        return f"MISS ({errors} errors)"
    return verdict(r, at_least=target)


def ratio_table(ts: list[Target]) -> tuple[list[str], list[str]]:
    """The ratio rows, and the verdicts of those with a target."""
    by = {t.key: t for t in ts}
    lines = [
        "| ratio of req/s, per round | plain HTTP | CONNECT | target | verdict (HTTP; CONNECT) |",
        "|---|---|---|---|---|",
    ]
    verdicts = []
    for label, num, den, target in RATIOS:
        rs = {w: rps_ratio(by, w, num, den) for w, _ in WORKLOADS}
        judged = [_judged(by, w, num, rs[w], target) for w, _ in WORKLOADS]
        if target is not None:
            verdicts += judged
        goal = f">= {target}x" if target is not None else "-"
        mark = "; ".join(f"**{j}**" for j in judged) if target is not None else "no target"
        lines.append(f"| {label} | {rs['http'].text(2)} | {rs['connect'].text(2)} | {goal} | {mark} |")
    cpu = {w: cpu_ratio(by, w, "generated", "minimal") for w, _ in WORKLOADS}
    if all(cpu.values()):
        texts = [r.text(2) for r in cpu.values() if r is not None]
        lines.append(f"| CPU per request, generated / minimal | {texts[0]} | {texts[1]} | - | no target |")
    return lines, verdicts


def _intro(rounds: int, versions: str) -> list[str]:
    return [
        "## Squid",
        "",
        "`python -m bench.bench_squid`: the generated squid.conf, dev's as `make plan` writes it "
        "(configs/squid/squid.conf) with only its paths and shutdown_lifetime rewritten, the load coming from "
        "an address inside its `allowed_src` so the allowlist runs as planned, against its floors on the same "
        "Squid binary (the pod's Squid series from the Debian root tree `make test` builds, when it is there; "
        "versions below), port 3128 and user (uid 13), each started as the pod starts it (`--foreground -d 1`: "
        "the master forks its kids) for its own round and stopped after it: a minimal allow-all config "
        "(`http_access allow all`, no access log, no cache: the cost of the allowlist, the denies and the "
        "logs), the generated config with `workers 2` (Squid SMP), no proxy (the physical limit) and "
        "tinyproxy as the EC2 boxes ran it (legacy row: same allowlist as an ERE filter, CONNECT to 443 "
        "only, LogLevel Info). Same HAProxy upstream answering 200, all inside a private network namespace "
        "on this 2-core machine: load generator, proxy and upstream share the cores, so compare ratios, not "
        f"absolute numbers. {rounds} rounds, the order of the targets rotating each round, a 1 s warm-up "
        f"after each start; plain HTTP: wrk, {WRK_CONNECTIONS} keep-alive connections, {wrk_seconds()} s; "
        f"CONNECT: curl --parallel {TUNNEL_PARALLEL}, {tunnels_per_round()} new tunnels per round (CONNECT, "
        f"one GET inside, close). {versions}.",
        "",
    ]


def _workers(ts: list[Target]) -> list[str]:
    by = {t.key: t for t in ts}
    http, connect = (rps_ratio(by, w, "workers2", "generated") for w in ("http", "connect"))
    procs = by["workers2"].processes
    ran = (
        f"SMP ran in the namespace: {procs} processes in the group (master, coordinator, 2 workers), with "
        "its shared memory in /dev/shm and its IPC sockets in /run/squid (the package's directory, owned "
        "by uid 13), under a service name of its own (`-n`) so no other Squid's segments collide."
        if procs >= 4
        else f"SMP did not come up as expected: {procs} processes in the group."
    )
    return [
        "### Workers",
        "",
        f"`workers 2` / `workers 1`, req/s per round: plain HTTP {http.text(2)}, CONNECT {connect.text(2)}. "
        + ran
        + " "
        + workers_advice(http, connect),
        "",
    ]


def workers_advice(http: Ratio, connect: Ratio) -> str:
    """Whether the component should set `workers` from the pod's CPU limit, as these rounds say."""
    scaled = min(http.median, connect.median) >= 1.2 and not (http.noisy() or connect.noisy())
    if scaled:
        return (
            "A second worker scaled here: setting `workers` from the pod's whole CPUs (limit rounded down, "
            "at least 1) would pay off."
        )
    noisy = http.noisy() or connect.noisy()
    seen = (
        "These rounds disagree too much to show a gain"
        if noisy
        else "A second worker did not scale here (under 1.2x on at least one workload)"
    )
    return (
        f"{seen}: on 2 cores shared with the load generator and the upstream it "
        "has no core of its own, so this measures SMP's cost (a coordinator, IPC, a second process "
        "competing for the same cores) rather than its gain. So the component should not set `workers` "
        "from the CPU limit: keep `workers 1` per pod and scale with replicas, unless a pod gets 2 or more "
        "whole CPUs and a benchmark on such a node shows the gain."
    )


def _stall_cause(d: Diagnosis) -> str:
    if d.ttfb_ms - d.ttfb_no_delayed_ack_ms < 20:
        return (
            f"No delayed-ACK stall this run: {d.ttfb_ms:.1f} ms per request, {d.ttfb_no_delayed_ack_ms:.1f} ms "
            "with delayed ACKs off."
        )
    sends = f" ({d.syscalls['sendto']:.0f} sendto() per request)" if d.syscalls else ""
    return (
        f"Cause of the stall: TCP, not tinyproxy's work. One request at a time, the first byte comes after "
        f"{d.ttfb_ms:.1f} ms; with delayed ACKs off on every route of the test network (`ip route ... "
        f"quickack 1`) after {d.ttfb_no_delayed_ack_ms:.1f} ms. tinyproxy writes the request it forwards one "
        f"header line per send(){sends} on a socket without TCP_NODELAY, so Nagle's algorithm holds the "
        "second segment until the first is ACKed, and the upstream, holding an incomplete request, delays "
        f"that ACK by Linux's ~40 ms minimum. {_blocked(d)} "
        f"CONNECT has no such stall ({d.connect_ms:.1f} ms per tunnel one at a time): its small writes go "
        "to a client that answers at once."
    )


def _blocked(d: Diagnosis) -> str:
    if not d.blocked:
        return "(strace is not installed: where tinyproxy waits was not traced.)"
    calls = ", ".join(f"{ms:.1f} ms in {name}()" for name, ms in d.blocked.items())
    return (
        f"Where tinyproxy's connection threads wait, per sequential request (strace -f -T, calls of "
        f"{BLOCKED_MS:.0f} ms or more): {calls}."
    )


def _log_cost(d: Diagnosis, tiny: Summary) -> str:
    quiet = d.rows.get("LogLevel Critical (no per-request log)")
    if d.syscalls is None or quiet is None:
        return "strace is not installed: the per-request system calls were not counted."
    return (
        f"Its log: at LogLevel Info tinyproxy writes {d.syscalls['write']:.1f} log lines per request and "
        f"calls fsync() after each ({d.syscalls['fsync']:.1f} per request, strace -c -f over {TRACED} "
        f"requests), and starts a thread per connection ({d.syscalls['clone3']:.1f} clone3). Under "
        f"{TUNNEL_PARALLEL} parallel clients the fsyncs queue on the disk: without the per-request log "
        f"CONNECT goes from {tiny.rps:,.0f} to {quiet[1].rps:,.0f} tunnels/s."
    )


def hostname_section(found: dict[str, Sample]) -> list[str]:
    before, after = found["without"], found["generated"]
    gain = after.rps / before.rps
    return [
        "### Before/after: Squid's own host name (`visible_hostname`, applied)",
        "",
        "This machine's Squid (Debian 12's), since the root tree's start writes an /etc/hosts naming the "
        "host, as the kubelet does in a pod, so the pod's Squid always resolves it here.",
        "",
        "| squid, host name not resolvable (one round, plain HTTP) | req/s | p50 ms | CPU s / 10k req |",
        "|---|---|---|---|",
        *(
            f"| {label} | {s.rps:,.0f} | {s.p50_ms:.2f} | {cpu_per_10k(s) or 0:.2f} |"
            for label, s in (
                ("generated config without its `visible_hostname` (before)", before),
                ("generated config (`visible_hostname egress-proxy`)", after),
            )
        ),
        "",
        "Without `visible_hostname` Squid takes the host's name, resolves it, and when that fails tries "
        "again on every request (strace of a worker when this was set up: an open() of the hosts file and "
        "DNS queries per request); it also signs error pages with it (the pod's name). With a hosts file "
        f"that lacks the host's name the config without the line runs at {before.rps:,.0f} req/s, as "
        f"generated at {after.rps:,.0f} ({gain:.1f}x). Applied: the generator writes "
        "`visible_hostname egress-proxy` (squid_conf.py; the real-Squid tests check the pod name is gone "
        "from error pages). The rounds above give the namespace a hosts file that names the host, as the "
        "kubelet writes a pod's.",
        "",
    ]


def stall_section(ts: list[Target], d: Diagnosis) -> list[str]:
    tiny = {t.key: t for t in ts}["tinyproxy"]
    http, connect = summarize(tiny.samples["http"]), summarize(tiny.samples["connect"])
    lines = [
        "### tinyproxy's per-request stall, measured",
        "",
        "| tinyproxy | plain HTTP req/s | p50 ms | CONNECT tunnels/s | p50 ms |",
        "|---|---|---|---|---|",
        f"| as deployed (the rounds above, medians) | {http.rps:,.0f} | {http.p50:.2f} | {connect.rps:,.0f} "
        f"| {connect.p50:.2f} |",
    ]
    for name, (h, c) in d.rows.items():
        lines.append(
            f"| {name} (one round) | {h.rps:,.0f} | {h.p50_ms:.2f} | {c.rps:,.0f} | {c.p50_ms:.2f} |"
        )
    return [*lines, "", _stall_cause(d), _log_cost(d, connect), ""]


def report(ts: list[Target], d: Diagnosis, hostname: dict[str, Sample], rounds: int, versions: str) -> str:
    lines = _intro(rounds, versions)
    for workload, title in WORKLOADS:
        lines += [f"### {title}", "", *_table(ts, workload), ""]
    ratios, verdicts = ratio_table(ts)
    word = overall(verdicts)
    lines += ["### Ratios", "", *ratios, "", f"Overall against the targets: **{word}**.", ""]
    lines += [*_workers(ts), *hostname_section(hostname), *stall_section(ts, d)]
    lines += [
        "Columns: medians of the rounds; errors and closes summed. Errors: failed connects, writes, timeouts, "
        "non-2xx answers, failed tunnels. Closed by proxy: keep-alive connections the proxy closed after a "
        "complete response (tinyproxy does not keep client connections open), so the client pays a new TCP "
        "connection per request; not counted as errors. CPU: utime+stime of all the proxy's processes over "
        "the round. " + spread_rule(),
        "",
        f"Measured {time.strftime('%Y-%m-%d')}. Reproduce: `make bench` or, as root with squid, tinyproxy, "
        "haproxy, wrk, curl (and strace for the system-call counts) installed, "
        "`.venv/bin/python -m bench.bench_squid`.",
        "",
    ]
    return "\n".join(lines)


def raw(ts: list[Target], d: Diagnosis, hostname: dict[str, Sample]) -> dict[str, Any]:
    by = {t.key: t for t in ts}
    return {
        "targets": {
            t.key: {
                "name": t.name,
                "processes": t.processes,
                **{w: [asdict(s) for s in t.samples[w]] for w, _ in WORKLOADS},
            }
            for t in ts
        },
        "ratios": {
            label: {w: rps_ratio(by, w, num, den).to_json() for w, _ in WORKLOADS}
            for label, num, den, _ in RATIOS
        },
        "unresolvable_hostname": {k: asdict(s) for k, s in hostname.items()},
        "tinyproxy_diagnosis": {
            "ttfb_ms": d.ttfb_ms,
            "ttfb_no_delayed_ack_ms": d.ttfb_no_delayed_ack_ms,
            "connect_ms": d.connect_ms,
            "syscalls_per_request": d.syscalls,
            "blocked_ms_per_request": d.blocked,
            "rows": {k: {"http": asdict(h), "connect": asdict(c)} for k, (h, c) in d.rows.items()},
        },
    }
