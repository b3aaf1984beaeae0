"""The benchmarks' pure parts, fast and without traffic: ratios, spread and verdicts, where results
are written (out/bench/, never docs/ unless asked), the reports, and the stacks the plan benchmark
generates."""

from __future__ import annotations

import ast
import json
import socket
import struct
from pathlib import Path

import pytest

from bench import (
    bench_haproxy,
    bench_plan,
    bench_squid,
    haproxy_report,
    nsfiles,
    output,
    planned,
    settings,
    squid_report,
    stats,
    tinyproxy_stall,
)
from bench import run as runner
from bench.bench_haproxy import Sample as HaproxySample
from bench.proxyload import Sample, Target
from edge_stack.config import decode, load
from traffic_edge.plan.project import read_project, read_stack
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import (
    DnsServers,
    HaproxyConfig,
    Placement,
    Route,
    render_haproxy_cfg,
)
from traffic_edge.squid_proxy import render_squid_conf

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"

# ---------------------------------------------------------------- ratios, spread, verdicts


def test_a_ratio_is_the_median_of_the_rounds_with_their_min_max_and_spread() -> None:
    r = stats.per_round([110, 100, 104, 120], [100, 100, 100, 100])
    assert r.rounds == (1.1, 1.0, 1.04, 1.2)
    assert r.median == pytest.approx(1.07)
    assert (r.lo, r.hi) == (1.0, 1.2)
    assert r.spread == pytest.approx(0.2 / 1.07)
    assert r.text(2) == "1.07 (1.00-1.20)"


def test_rounds_must_pair_up_and_exist() -> None:
    with pytest.raises(ValueError):
        stats.per_round([1, 2], [1])
    with pytest.raises(ValueError):
        stats.ratio([])


def test_the_verdict_follows_the_target_when_the_rounds_agree() -> None:
    tight = stats.ratio([0.95, 0.96, 0.97])
    assert stats.verdict(tight, at_least=0.9) == "PASS"
    assert stats.verdict(tight, at_least=0.99) == "MISS"
    assert stats.verdict(tight, at_most=0.96) == "PASS"
    assert stats.verdict(tight, at_most=0.95) == "MISS"


def test_a_measure_wider_than_the_bound_is_noisy_whatever_side_of_the_target() -> None:
    wide = stats.ratio([0.8, 1.0, 1.2])  # spread 40%
    assert stats.verdict(wide, at_least=0.5) == "NOISY (spread 40%)"
    assert stats.verdict(wide, at_least=1.5) == "NOISY (spread 40%)"
    just = stats.ratio([0.95, 1.0, 1.05])  # spread exactly 10%: still judged
    assert stats.verdict(just, at_least=0.9) == "PASS"


def test_the_target_is_compared_at_the_precision_it_is_printed_with() -> None:
    assert stats.meets(1.0204, at_most=1.02)
    assert not stats.meets(1.0206, at_most=1.02)
    with pytest.raises(ValueError):
        stats.meets(1.0)


def test_overall_is_miss_before_noisy_before_pass() -> None:
    assert stats.overall(["PASS", "PASS"]) == "PASS"
    assert stats.overall(["PASS", "NOISY (spread 12%)"]) == "NOISY"
    assert stats.overall(["NOISY (spread 12%)", "MISS"]) == "MISS"


# ---------------------------------------------------------------- where results go


def _result(slug: str = "fake", title: str = "Fake") -> output.Result:
    return output.Result(slug, title, f"## {title}\n\nfigures\n", {"rounds": [1, 2]})


def test_make_bench_writes_out_bench_and_never_the_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = REPO / "docs" / "benchmarks.md"
    before = docs.read_bytes(), docs.stat().st_mtime_ns
    monkeypatch.setattr(output, "OUT", tmp_path / "out")
    monkeypatch.setattr(runner, "BENCHMARKS", {"fake": ("a fake benchmark", _result)})
    assert runner.main([]) == 0
    assert (docs.read_bytes(), docs.stat().st_mtime_ns) == before
    written = json.loads((tmp_path / "out" / "fake.json").read_text())
    assert written["raw"] == {"rounds": [1, 2]} and written["run"]["cpus"]
    md = (tmp_path / "out" / "benchmarks.md").read_text()
    assert md.startswith("# Benchmarks\n\n## Fake\n\nfigures\n\nRecorded by `make bench` on ")


def test_bench_docs_records_the_sections_in_place_with_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nintro\n\n## Fake\n\nold\n\n## Other\n\nkept\n")
    monkeypatch.setattr(output, "OUT", tmp_path / "out")
    monkeypatch.setattr(output, "DOCS", docs)
    monkeypatch.setattr(runner, "BENCHMARKS", {"fake": ("a fake benchmark", _result)})
    assert runner.main(["--docs"]) == 0
    text = docs.read_text()
    assert text.startswith("# Benchmarks\n\nintro\n\n## Fake\n\nfigures\n\nRecorded by `make bench-docs` on ")
    assert "1-min load average" in text and text.endswith("## Other\n\nkept\n")


def _makefile_recipe(target: str) -> list[str]:
    lines = (REPO / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_only_make_bench_docs_asks_for_the_docs() -> None:
    assert _makefile_recipe("bench") == ["$(RUN) python -m bench.run"]
    assert _makefile_recipe("bench-docs") == ["$(RUN) python -m bench.run --docs"]
    phony = next(line for line in (REPO / "Makefile").read_text().splitlines() if line.startswith(".PHONY:"))
    assert {"bench", "bench-docs"} <= set(phony.split())


def test_no_benchmark_writes_the_docs_itself() -> None:
    # Only the writer (bench/output.py, with `--docs`) may name docs/benchmarks.md.
    for path in sorted(BENCH.glob("*.py")):
        if path.name in ("output.py", "docs_section.py"):
            continue
        names = {n.id for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Name)}
        assert not names & {"DOCS", "write_section", "write_docs"}, path.name


def test_no_bench_function_is_longer_than_60_lines() -> None:
    long = {}
    for path in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    long[f"{path.name}:{node.name}"] = length
    assert long == {}


# ---------------------------------------------------------------- the plan benchmark's stacks


def test_leaves_are_the_innermost_modules() -> None:
    assert bench_plan.leaves(["a", "a.b", "a.b.c", "a.d", "ab"]) == ["a.b.c", "a.d", "ab"]


@pytest.mark.parametrize("zones", [1, 3, 9])
def test_the_zone_stacks_are_valid_dev_stacks(tmp_path: Path, zones: int) -> None:
    project = bench_plan.zone_project(tmp_path, zones)
    stack = read_stack(read_project(project), "dev")
    settings = load("dev", decode(stack.config, stack.secret_keys))
    squid, nat = settings.components["squid"].args, settings.components["egressNat"].args
    expected = [f"ap-northeast-2{c}" for c in "acbdefghi"[:zones]]  # dev's own two first
    assert squid["zones"] == nat["zones"] == expected
    assert set(nat["public_subnet_ids"]) == set(nat["private_subnet_ids"]) == set(expected)
    assert squid["replicas"] == 3 * zones
    assert ("--policy-pack-config" in bench_plan.plan_argv("dev", tmp_path / "o", project)) == (zones == 1)


def test_the_zone_stacks_change_only_the_zones() -> None:
    import yaml

    doc = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    two = bench_plan.zone_stack(doc, 2)
    assert two["config"]["traffic-edge:squid"]["zones"] == doc["config"]["traffic-edge:squid"]["zones"]
    assert (
        two["config"]["traffic-edge:egressNat"]["zones"] == doc["config"]["traffic-edge:egressNat"]["zones"]
    )
    assert two["config"]["traffic-edge:egressNat"]["strategy"] == "OnePerZone"
    changed = {k for k in doc["config"] if two["config"][k] != doc["config"][k]}
    assert changed <= {"traffic-edge:squid", "traffic-edge:egressNat"}
    with pytest.raises(ValueError):
        bench_plan.zone_names("ap-northeast-2", 10)


# ---------------------------------------------------------------- the reports, on made-up rounds


def _squid_targets(spread: float = 0.0) -> list[Target]:
    rps = {"direct": 40_000, "generated": 4_000, "minimal": 4_200, "workers2": 4_400, "tinyproxy": 500}
    ts = []
    for key, base in rps.items():
        t = Target(
            key, key, None if key == "direct" else "127.0.0.1:3128", processes=4 if key == "workers2" else 0
        )
        for i in range(5):
            n = base * (1 + spread * (i - 2) / 2) if key == "generated" else base
            for w in ("http", "connect"):
                t.samples[w].append(Sample(int(n * 4), 4.0, 1.0, 2.0, 0, None if key == "direct" else 1.0))
        ts.append(t)
    return ts


def _diagnosis() -> tinyproxy_stall.Diagnosis:
    s = Sample(2000, 4.0, 44.0, 50.0, 0, 1.0)
    return tinyproxy_stall.Diagnosis(
        ttfb_ms=43.8,
        ttfb_no_delayed_ack_ms=2.4,
        connect_ms=2.3,
        syscalls={"fsync": 7.0, "write": 7.0, "sendto": 9.0, "recvfrom": 20.0, "clone3": 1.0},
        rows={"LogLevel Critical (no per-request log)": (s, s)},
    )


def _hostname() -> dict[str, Sample]:
    return {
        "without": Sample(12_000, 4.0, 11.0, 14.0, 0, 3.4),
        "generated": Sample(48_000, 4.0, 2.7, 4.0, 0, 3.9),
    }


def test_the_squid_report_judges_the_floor_ratio_and_flags_noise() -> None:
    calm = squid_report.report(_squid_targets(), _diagnosis(), _hostname(), 5, "Squid 5.7")
    assert (
        "| generated / minimal allow-all | 0.95 (0.95-0.95) | 0.95 (0.95-0.95) | >= 0.9x | **PASS**; **PASS** |"
        in calm
    )
    assert "Overall against the targets: **PASS**." in calm
    assert "runs at 3,000 req/s, as generated at 12,000 (4.0x)" in calm
    assert "Cause of the stall: TCP" in calm and "SMP ran in the namespace: 4 processes" in calm
    noisy = squid_report.report(_squid_targets(spread=0.3), _diagnosis(), _hostname(), 5, "Squid 5.7")
    assert "**NOISY (spread 60%)**; **NOISY (spread 60%)**" in noisy
    assert "Overall against the targets: **NOISY**." in noisy
    json.dumps(squid_report.raw(_squid_targets(), _diagnosis(), _hostname()))  # serializable


def _haproxy_results(minimal_cpu: float, spread: float = 0.0) -> dict[str, dict[str, list[HaproxySample]]]:
    cpu = {"pp": 0.75, "plain": 0.70, "minimal": minimal_cpu, "quiet": 0.74}
    results: dict[str, dict[str, list[HaproxySample]]] = {}
    for mode in ("connections", "throughput"):
        results[mode] = {}
        for route, c in cpu.items():
            jitter = [1 + spread * (i - 1) for i in range(3)] if route == "pp" else [1.0] * 3
            results[mode][route] = [
                HaproxySample(10_000, 10_000 / (c * j), 300 / (c * j), c * j, 0.4) for j in jitter
            ]
    return results


def test_the_haproxy_report_judges_the_generated_extras_against_two_percent() -> None:
    within = haproxy_report.report(_haproxy_results(minimal_cpu=0.745), 3, 3, 32)
    assert "Overall against the 2% target: **PASS**." in within
    missed = haproxy_report.report(_haproxy_results(minimal_cpu=0.70), 3, 3, 32)
    assert (
        "| edge HAProxy CPU s / 10k connections | 0.750 | 0.700 | 1.071 (1.071-1.071) | +7.1% | **MISS** |"
        in missed
    )
    noisy = haproxy_report.report(_haproxy_results(minimal_cpu=0.745, spread=0.1), 3, 3, 32)
    assert "Overall against the 2% target: **NOISY**." in noisy


def test_strace_summaries_are_read_by_syscall() -> None:
    text = """% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 61.20    0.012000          85       140           fsync
 10.00    0.002000          10       180           sendto
  1.00    0.000100          10        40        20 connect
------ ----------- ----------- --------- --------- ----------------
100.00    0.019600                   360        20 total
"""
    assert tinyproxy_stall.parse_strace_summary(text) == {"fsync": 140, "sendto": 180, "connect": 40}


# ---------------------------------------------------------------- quick runs


def test_a_quick_run_is_picked_at_run_time_and_never_recorded_in_the_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(settings.QUICK_ENV, raising=False)
    assert settings.pick(5, 3) == 5
    monkeypatch.setenv(settings.QUICK_ENV, "0")
    assert settings.pick(5, 3) == 5
    monkeypatch.setenv(settings.QUICK_ENV, "1")
    assert settings.pick(5, 3) == 3
    with pytest.raises(SystemExit):
        runner.main(["--docs"])
    monkeypatch.setattr(output, "OUT", tmp_path / "out")
    monkeypatch.setattr(runner, "BENCHMARKS", {"fake": ("a fake benchmark", _result)})
    assert runner.main([]) == 0
    assert "Recorded by `BENCH_QUICK=1 make bench` on " in (tmp_path / "out" / "benchmarks.md").read_text()


def test_quick_sets_the_environment_for_the_benchmarks_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.QUICK_ENV, "0")  # recorded, so what --quick sets is undone afterwards
    seen = []

    def fake() -> output.Result:
        seen.append(settings.quick())
        return _result()

    monkeypatch.setattr(output, "write_out", lambda results, command: [])
    monkeypatch.setattr(runner, "BENCHMARKS", {"fake": ("a fake benchmark", fake)})
    assert runner.main(["--quick"]) == 0
    assert seen == [True]


# ---------------------------------------------------------------- the planned configs, made runnable


def test_a_rewrite_must_match_exactly_once() -> None:
    assert planned.rewrite("a b c", {"b": "B"}) == "a B c"
    with pytest.raises(ValueError, match="occurs 0 times"):
        planned.rewrite("a b c", {"x": "y"})
    with pytest.raises(ValueError, match="occurs 2 times"):
        planned.rewrite("b b", {"b": "c"})
    assert planned.the_file({"squid/squid.conf": "x", "edge/haproxy.cfg": "y"}, "squid.conf") == "x"
    with pytest.raises(RuntimeError):
        planned.the_file({"a/squid.conf": "x", "b/squid.conf": "y"}, "squid.conf")


def _planned_squid() -> str:
    return render_squid_conf(
        {"allowed_source_cidrs": ["10.0.0.0/16"], "allowed_domains": ["api.slack.com"], "workers": 1}
    )


def test_the_bench_squid_conf_is_the_planned_one_with_only_paths_lifetime_and_workers_changed(
    tmp_path: Path,
) -> None:
    planned_text = _planned_squid()
    assert bench_squid.client_address(planned_text) == "10.0.0.1"
    one = bench_squid.squid_conf_for_bench(planned_text, tmp_path)
    two = bench_squid.squid_conf_for_bench(planned_text, tmp_path, workers=2)
    assert "acl allowed_src src 10.0.0.0/16\n" in one and "http_access deny all\n" in one
    assert "/dev/stdout" not in one and f"access_log stdio:{tmp_path}/access.log" in one
    assert "\nshutdown_lifetime 1 seconds\n" in one and "\nworkers 1\n" in one
    assert "\nworkers 2\n" in two and "\nworkers 1\n" not in two
    kept = [line for line in planned_text.splitlines() if line not in one.splitlines()]
    assert all(
        line.startswith(
            (
                "access_log stdio",
                "cache_log",
                "pid_filename",
                "coredump_dir",
                "shutdown_lifetime",
                "include /",
            )
        )
        for line in kept
    ), kept
    targets = {t.key: t for t in bench_squid.targets(tmp_path, planned_text)}
    assert targets["generated"].proxy == targets["minimal"].proxy == "10.0.0.1:3128"
    assert targets["workers2"].squid_conf == two


def test_the_pods_mounted_secrets_get_stand_ins_and_an_unknown_mount_stops_the_bench(tmp_path: Path) -> None:
    planned_text = _planned_squid() + "include /etc/squid/traffic-edge-manager/cachemgr.conf\n"
    conf = bench_squid.squid_conf_for_bench(planned_text, tmp_path)
    assert f"\ninclude {tmp_path}/cachemgr.conf\n" in conf and "/etc/squid/" not in conf
    with pytest.raises(RuntimeError, match="no stand-in"):
        bench_squid.squid_conf_for_bench(_planned_squid() + "include /etc/squid/other.conf\n", tmp_path)


def _planned_haproxy(maxconn: int = 20000) -> str:
    return render_haproxy_cfg(
        HaproxyConfig(
            routes=(Route("http", 80, 8080), Route("https", 443, 8443)),
            servers=DnsServers("edge-gateway-pp.istio-system.svc.cluster.local"),
            placement=Placement.IN_CLUSTER,
            maxconn=maxconn,
        )
    )


def test_the_bench_edges_are_the_planned_haproxy_cfg_with_one_route_plain() -> None:
    planned_text = _planned_haproxy()
    assert bench_haproxy.gateway_fqdn(planned_text) == "edge-gateway-pp.istio-system.svc.cluster.local"
    edge = bench_haproxy.edge_config(planned_text)
    http, https = edge.split("\nbackend be_https\n")
    assert "send-proxy-v2" in http.split("\nbackend be_http\n")[1] and "send-proxy-v2" not in https
    assert edge.replace("rise 2\n", "rise 2 send-proxy-v2\n") == planned_text
    assert "resolvers cluster" in edge and "option tcplog" in edge
    assert "rise 2\n    server-template gw 1-10 edge-gateway-pp.istio-system.svc.cluster.local:8443" in https
    quiet = bench_haproxy.quiet_config(planned_text)
    assert (
        "    option dontlog-normal\n" in quiet and "    bind :90\n" in quiet and "    bind :8405\n" in quiet
    )
    assert "    bind :80\n" not in quiet


def test_maxconn_is_lowered_only_when_the_open_files_limit_cannot_hold_it() -> None:
    planned_text = _planned_haproxy()
    assert bench_haproxy.fit_maxconn(planned_text, 1_048_576) == (planned_text, "")
    fitted, note = bench_haproxy.fit_maxconn(planned_text, 20_000)
    assert fitted.count("    maxconn 9900\n") == 2 and "maxconn 20000" not in fitted
    assert "lowered from the planned 20,000 to 9,900" in note


def _query(name: str, qtype: int) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    opt = b"\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00"  # an EDNS record, as HAProxy sends
    return (
        struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 1)
        + labels
        + b"\x00"
        + struct.pack("!HH", qtype, 1)
        + opt
    )


def test_the_dns_stub_answers_a_queries_for_its_names_only() -> None:
    names = {"gw.example.local": "198.18.0.2"}
    a = nsfiles.answer(_query("gw.example.local", 1), names)
    assert a is not None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", a[:12])
    assert (qid, flags & 0x800F, qd, an, ns, ar) == (0x1234, 0x8000, 1, 1, 0, 0)
    assert a.endswith(socket.inet_aton("198.18.0.2"))
    aaaa = nsfiles.answer(_query("gw.example.local", 28), names)
    assert aaaa is not None and struct.unpack("!HHHHHH", aaaa[:12])[3] == 0
    nx = nsfiles.answer(_query("other.local", 1), names)
    assert nx is not None and struct.unpack("!H", nx[2:4])[0] & 0xF == 3
    assert nsfiles.answer(b"\x00" * 5, names) is None


def test_strace_timings_are_summed_per_request_for_the_long_calls_only() -> None:
    text = """101 restart_syscall(<... resuming interrupted poll ...>) = 1 <0.090000>
101 accept(3, {sa_family=AF_INET}, [16]) = 5 <0.000100>
102 recvfrom(5, "HTTP/1.1 200 OK", 4096, 0, NULL, NULL) = 120 <0.041000>
102 select(6, [5], NULL, NULL, {tv_sec=600, tv_usec=0} <unfinished ...>
103 fsync(4) = 0 <0.012000>
102 <... select resumed>) = 1 (in [5], left {tv_sec=599}) <0.039000>
102 sendto(6, "GET / HTTP/1.1", 16, MSG_NOSIGNAL, NULL, 0) = 16 <0.000020>
"""
    assert tinyproxy_stall.parse_strace_blocked(text, 2, main_tid=101) == pytest.approx(
        {"recvfrom": 20.5, "select": 19.5, "fsync": 6.0}
    )


def test_a_failing_benchmark_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> output.Result:
        raise RuntimeError("the tree does not plan")

    docs = tmp_path / "benchmarks.md"
    monkeypatch.setattr(output, "OUT", tmp_path / "out")
    monkeypatch.setattr(output, "DOCS", docs)
    monkeypatch.setattr(runner, "BENCHMARKS", {"broken": ("broken", broken), "fake": ("a fake one", _result)})
    assert runner.main(["--docs"]) == 1
    assert "## Fake\n\nfigures\n" in docs.read_text()
    assert (tmp_path / "out" / "fake.json").exists() and not (tmp_path / "out" / "broken.json").exists()


def test_the_workers_advice_follows_the_rounds() -> None:
    scaled = squid_report.workers_advice(stats.ratio([1.3, 1.35, 1.4]), stats.ratio([1.25, 1.3, 1.3]))
    assert scaled.startswith("A second worker scaled here")
    flat = squid_report.workers_advice(stats.ratio([0.9, 0.91, 0.92]), stats.ratio([0.9, 0.9, 0.9]))
    assert flat.startswith("A second worker did not scale here") and "should not set `workers`" in flat
    noisy = squid_report.workers_advice(stats.ratio([0.7, 1.36, 1.56]), stats.ratio([0.9, 0.9, 0.9]))
    assert noisy.startswith("These rounds disagree too much to show a gain")
