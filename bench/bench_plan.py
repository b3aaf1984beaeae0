"""`make plan`'s work against the import floor, side by side in one run; plan time per stack and per zone.

- Plan vs floor: `python -m traffic_edge.plan plan --stack dev --policy-pack policies --out <tmp>`
  (what `make plan` runs, in a fresh process with the repository as the working directory) vs a
  fresh process that only imports the cloud SDK modules the plan loads. Which modules those are
  is read from the plan itself: one plan runs first in a process that then lists every module of
  `SDKS` in sys.modules that was really loaded (the SDKs register many submodules lazily; those
  were never executed and are left out). The floor imports exactly those. The two alternate,
  `ROUNDS` rounds each; target: plan <= `TARGET` x floor, judged on the per-round ratios. In the
  same rotation: the floor under the collector thresholds the console script sets (the stricter
  comparison, same interpreter settings on both sides), and the before-rows of the two tunings (the
  plan with Python's default thresholds; the plan without the schema cache).
- Per stack: every Pulumi.<stack>.yaml planned the same way, `STACK_ROUNDS` rounds interleaved.
- Per zone: dev with 1, 2 (dev's own zones), 3 and 9 zones, Squid spread over them and one NAT
  gateway each (OnePerZone), written as copies of Pulumi.dev.yaml into temporary projects whose program is this
  repository's (`main:`), so only the amount of work changes.
"""

from __future__ import annotations

import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.output import REPO, Result
from bench.settings import pick
from bench.stats import Ratio, per_round, rotated, spread_rule, verdict
from traffic_edge.plan.cli import GC_THRESHOLDS
from traffic_edge.plan.project import read_project

ROUNDS = 5
"""Rounds of plan vs floor in a full run (3 in a quick one)."""
STACK_ROUNDS = 3
"""Rounds of every stack and zone plan in a full run (2 in a quick one)."""
ZONES = (1, 2, 3, 9)
TARGET = 1.10
SDKS = ("pulumi", "pulumi_aws", "pulumi_azure_native", "pulumi_kubernetes")
"""The SDKs the stack program imports; their modules make the floor."""
ZONE_LETTERS = "abcdefghi"
PROJECT = "traffic-edge"
POLICY_CONFIG = "policy-config.json"
ONE_ZONE_POLICY = {"squid-zone-spread": {"enforcementLevel": "advisory"}}
"""One zone cannot meet the zone-spread policy (minDomains >= 2): there it only reports."""

# Run in a fresh process: one plan, then the SDK modules it really loaded (lazy stubs excluded).
DISCOVER = """
import json, sys
from traffic_edge.plan.cli import main
code = main(json.loads(sys.argv[1]))
sdks = tuple(json.loads(sys.argv[2]))
mods = [(n, m) for n, m in list(sys.modules.items()) if m is not None and n.split(".")[0] in sdks]
loaded = sorted(n for n, m in mods if type(m).__name__ != "_LazyModule")
with open(sys.argv[3], "w") as f:
    json.dump({"code": code, "modules": loaded, "lazy": len(mods) - len(loaded)}, f)
"""
UNCACHED_SCHEMAS = (
    f"import gc\ngc.set_threshold{GC_THRESHOLDS}\n"
    + """
import json, os, sys
import kubernetes_validate.utils as schemas
import traffic_edge.plan.kube_schema  # wraps schema_contents in a cache
schemas.schema_contents = schemas.schema_contents.__wrapped__
from traffic_edge.plan.cli import main
code = main(json.loads(sys.argv[1]))
sys.stdout.flush()
os._exit(code)
"""
)
"""The plan as it was before traffic_edge.plan.kube_schema cached the schema files: kubernetes-validate's
`validate` re-reads and re-parses the large _definitions.json for every object. The `uncached` rounds
are the before-row of that change (under the console script's collector thresholds, as the plan runs)."""
FLOOR = (
    "import importlib, json, sys\nfor name in json.load(open(sys.argv[1])): importlib.import_module(name)\n"
)
FLOOR_TUNED = f"import gc\ngc.set_threshold{GC_THRESHOLDS}\n{FLOOR}"
"""The floor under the collector thresholds the plan's console script sets: the same interpreter
settings on both sides."""
UNTUNED = """
import json, os, sys
from traffic_edge.plan.cli import main
code = main(json.loads(sys.argv[1]))
sys.stdout.flush()
os._exit(code)
"""
"""The plan with Python's default collector thresholds: the console script's `entry` without its
`gc.set_threshold`, the before-row of that change."""


def plan_argv(stack: str, out: Path, project: Path | None = None) -> list[str]:
    """What `make plan` runs, with the output in `out` (and another project directory, with the
    policy config it holds, if any)."""
    argv = ["plan", "--stack", stack, "--policy-pack", "policies", "--out", str(out)]
    if project is None:
        return argv
    argv += ["--project", str(project)]
    config = project / POLICY_CONFIG
    return argv + (["--policy-pack-config", str(config)] if config.exists() else [])


def timed(argv: Sequence[str]) -> float:
    """Wall seconds of a fresh process run from the repository; it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def leaves(modules: Sequence[str]) -> list[str]:
    """The modules no other listed module is inside: importing them imports the rest."""
    names = set(modules)
    return sorted(m for m in names if not any(o.startswith(m + ".") for o in names))


def discover(tmp: Path) -> tuple[list[str], int]:
    """The SDK modules a dev plan loads, and how many it left lazy (also the run's warm-up)."""
    listing = tmp / "loaded.json"
    argv = [sys.executable, "-c", DISCOVER, json.dumps(plan_argv("dev", tmp / "discover")), json.dumps(SDKS)]
    timed([*argv, str(listing)])
    found = json.loads(listing.read_text())
    if found["code"] != 0 or not found["modules"]:
        raise RuntimeError(f"the discovery plan failed or loaded no SDK: {found['code']}")
    return list(found["modules"]), int(found["lazy"])


def resources(plan_dir: Path) -> int:
    return len(json.loads((plan_dir / "resources.json").read_text()))


# ---------------------------------------------------------------- stacks with more zones


def zone_names(region: str, n: int, first: Sequence[str] = ()) -> list[str]:
    """`n` zones of `region`: those in `first` (the stack's own), then the next unused letters."""
    if not 1 <= n <= len(ZONE_LETTERS):
        raise ValueError(f"1 to {len(ZONE_LETTERS)} zones")
    rest = [f"{region}{letter}" for letter in ZONE_LETTERS if f"{region}{letter}" not in first]
    return [*first, *rest][:n]


def zone_stack(doc: dict[str, Any], n: int) -> dict[str, Any]:
    """Pulumi.dev.yaml's document with Squid spread over `n` zones, each with its own NAT gateway.

    The zones agree everywhere the validators compare them: squid.zones, egressNat.zones and
    its per-zone subnet maps; 3 Squid pods per zone, as dev has; egressNat's strategy OnePerZone
    (one NAT gateway and Elastic IP per zone) whatever dev's is, so the NAT gateways grow too. One zone takes the development
    profile (the production profile refuses a single zone), and its plan runs the zone-spread
    policy as advisory (`ONE_ZONE_POLICY`): every policy is still evaluated.
    """
    out = copy.deepcopy(doc)
    config = out["config"]
    squid, nat = config[f"{PROJECT}:squid"], config[f"{PROJECT}:egressNat"]
    zones = zone_names(config[f"{PROJECT}:aws"]["region"], n, squid["zones"])
    squid["zones"] = zones
    squid["replicas"] = 3 * n
    if n == 1:
        squid["profile"] = "development"
    nat["zones"] = list(zones)
    nat["strategy"] = "OnePerZone"  # whatever dev chose: what grows with the zones is the point
    nat["publicSubnetIds"] = {z: f"subnet-0a1b2c3d4e5f6{i:02d}01" for i, z in enumerate(zones)}
    nat["privateSubnetIds"] = {z: [f"subnet-0a1b2c3d4e5f6{i:02d}11"] for i, z in enumerate(zones)}
    return out


def zone_project(root: Path, n: int) -> Path:
    """A project directory planning this repository's program with dev at `n` zones."""
    project = root / f"zones-{n}"
    project.mkdir()
    text = (REPO / "Pulumi.yaml").read_text()
    if "main:" in text:
        raise RuntimeError("Pulumi.yaml sets main: the zone projects must point it at the repository")
    (project / "Pulumi.yaml").write_text(text.rstrip("\n") + f"\nmain: {REPO}\n")
    doc = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(zone_stack(doc, n), sort_keys=False))
    if n == 1:
        (project / POLICY_CONFIG).write_text(json.dumps(ONE_ZONE_POLICY))
    return project


# ---------------------------------------------------------------- measuring


@dataclass
class Measured:
    modules: list[str]
    lazy: int
    plan: list[float]
    floor: list[float]
    floor_tuned: list[float]
    untuned: list[float]
    uncached: list[float]
    before_differs: list[str]
    """Files a before-row plan (without the schema cache, or with the default collector thresholds)
    wrote differently from the plan's (none: the same plan)."""
    stacks: dict[str, list[float]]
    stack_resources: dict[str, int]
    zones: dict[int, list[float]]
    zone_resources: dict[int, int]


def plan_vs_floor(tmp: Path, modules: list[str]) -> dict[str, list[float]]:
    """Rounds of the dev plan, the import floor and the plan with schemas parsed once, the order
    rotating every round."""
    listing = tmp / "floor.json"
    listing.write_text(json.dumps(leaves(modules)))
    argv = plan_argv("dev", tmp / "dev")
    runs = {
        "plan": [sys.executable, "-m", "traffic_edge.plan", *argv],
        "floor": [sys.executable, "-c", FLOOR, str(listing)],
        "floor_tuned": [sys.executable, "-c", FLOOR_TUNED, str(listing)],
        "untuned": [sys.executable, "-c", UNTUNED, json.dumps(plan_argv("dev", tmp / "untuned"))],
        "uncached": [sys.executable, "-c", UNCACHED_SCHEMAS, json.dumps(plan_argv("dev", tmp / "uncached"))],
    }
    seconds: dict[str, list[float]] = {key: [] for key in runs}
    for i in range(pick(ROUNDS, 3)):
        for key in rotated(runs, i):
            seconds[key].append(timed(runs[key]))
    return seconds


def interleaved(tmp: Path, runs: dict[Any, list[str]], rounds: int) -> dict[Any, list[float]]:
    """`rounds` rounds of every plan in `runs` (key -> plan arguments), one of each per round."""
    seconds: dict[Any, list[float]] = {key: [] for key in runs}
    for _ in range(rounds):
        for key, argv in runs.items():
            seconds[key].append(timed([sys.executable, "-m", "traffic_edge.plan", *argv]))
    return seconds


def differing(a: Path, b: Path) -> list[str]:
    """The files (relative paths) that two plan output directories do not hold alike."""
    files = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files |= {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    return sorted(
        str(f)
        for f in files
        if not ((a / f).is_file() and (b / f).is_file() and (a / f).read_bytes() == (b / f).read_bytes())
    )


def stack_names() -> list[str]:
    return read_project(REPO).stacks()


def measure() -> Measured:
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as name:
        tmp = Path(name)
        modules, lazy = discover(tmp)
        head = plan_vs_floor(tmp, modules)
        stacks = {s: plan_argv(s, tmp / "stacks" / s) for s in stack_names()}
        stack_seconds = interleaved(tmp, stacks, pick(STACK_ROUNDS, 2))
        stack_resources = {s: resources(tmp / "stacks" / s) for s in stacks}
        zones = {n: plan_argv("dev", tmp / "zplans" / str(n), zone_project(tmp, n)) for n in ZONES}
        zone_seconds = interleaved(tmp, zones, pick(STACK_ROUNDS, 2))
        zone_resources = {n: resources(tmp / "zplans" / str(n)) for n in ZONES}
        differs = differing(tmp / "dev", tmp / "uncached") + differing(tmp / "dev", tmp / "untuned")
    return Measured(
        modules,
        lazy,
        head["plan"],
        head["floor"],
        head["floor_tuned"],
        head["untuned"],
        head["uncached"],
        differs,
        stack_seconds,
        stack_resources,
        zone_seconds,
        zone_resources,
    )


# ---------------------------------------------------------------- report


def _seconds(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f} | {min(values):.2f}-{max(values):.2f}"


def _floor_modules(m: Measured) -> str:
    per_sdk = {sdk: sum(1 for name in m.modules if name.split(".")[0] == sdk) for sdk in SDKS}
    listed = ", ".join(f"{sdk} {n}" for sdk, n in per_sdk.items())
    return (
        f"The floor imports the {len(m.modules)} SDK modules the plan loaded ({listed}) through "
        f"{len(leaves(m.modules))} imports of the innermost ones; the {m.lazy} submodules the SDKs only "
        "registered lazily, and the plan never touched, are not imported."
    )


def _same(m: Measured) -> str:
    if not m.before_differs:
        return "the plan written (resources, policy report, warnings, configs) is byte for byte the plan's."
    return f"the plan written DIFFERS from the plan's in: {', '.join(m.before_differs)}."


def _headline(m: Measured) -> tuple[list[str], Ratio]:
    r, tuned = per_round(m.plan, m.floor), per_round(m.plan, m.floor_tuned)
    untuned, before = per_round(m.untuned, m.floor), per_round(m.uncached, m.floor)
    lines = [
        "| process (fresh, cwd the repository) | median s | min-max s |",
        "|---|---|---|",
        f"| `python -m traffic_edge.plan plan --stack dev --policy-pack policies` | {_seconds(m.plan)} |",
        f"| import floor: the SDK modules that plan loads | {_seconds(m.floor)} |",
        f"| the same imports under the plan's collector thresholds `gc.set_threshold{GC_THRESHOLDS}` "
        f"| {_seconds(m.floor_tuned)} |",
        f"| the plan with Python's default collector thresholds (before them, see below) | {_seconds(m.untuned)} |",
        f"| the plan without the schema cache (before it, see below) | {_seconds(m.uncached)} |",
        "",
        f"plan / floor, per round: **{r.text()}**; target <= {TARGET:.2f}x: "
        f"**{verdict(r, at_most=TARGET)}**. {_floor_modules(m)}",
        "",
        f"The stricter comparison, both sides under the same collector thresholds: plan / tuned floor "
        f"**{tuned.text()}**, **{verdict(tuned, at_most=TARGET)}** against the same target. The thresholds "
        "also speed up the imports, so part of the plan's gain over the default floor is the import's own.",
        "",
        "Tuned (applied in `traffic_edge.plan.cli.entry`, the console script only): the SDKs leave about "
        "a million objects on the heap and Python's default thresholds (700, 10, 10) make the cyclic "
        "collector walk them again and again while the program allocates (measured when this was tuned: the "
        "first parse of a schema file took 0.12 s, a second file of the same size 4 ms; with the collector "
        f"off, 1.3 s for the whole plan instead of 1.8 s). The script sets `gc.set_threshold{GC_THRESHOLDS}`, "
        "mypy's setting for the same reason (python/mypy, mypy/build.py, `_build`), which still collects "
        "cycles, so a large program's memory stays bounded. Before it, in the same rounds, plan / floor "
        f"was **{untuned.text()}** ({verdict(untuned, at_most=TARGET)} against the same target).",
        "",
        "Tuned earlier (applied in `traffic_edge.plan.kube_schema`): kubernetes-validate's `validate` reads "
        "and parses the version's large `_definitions.json` again for every object it checks; the plan "
        "library wraps `kubernetes_validate.utils.schema_contents` in `functools.lru_cache`. Without it, in "
        f"the same rounds, plan / floor is **{before.text()}** ({verdict(before, at_most=TARGET)} against the "
        f"same target). With either before-row, {_same(m)}",
        "",
    ]
    return lines, r


def _stack_table(m: Measured) -> list[str]:
    lines = [
        "### Per stack",
        "",
        "| stack | resources | median s | min-max s |",
        "|---|---|---|---|",
    ]
    lines += [f"| {s} | {m.stack_resources[s]} | {_seconds(v)} |" for s, v in m.stacks.items()]
    note = "Each stack imports only the SDKs its components use, so the smaller ones start below dev's floor."
    return [*lines, "", note, ""]


def _zone_table(m: Measured) -> list[str]:
    lines = [
        "### Growth with the work: dev with more zones",
        "",
        "| zones (Squid spread, NAT gateways) | resources | median s | min-max s |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | {m.zone_resources[n]} | {_seconds(s)} |" for n, s in m.zones.items()]
    xs = [float(m.zone_resources[n]) for n in m.zones]
    ys = [statistics.median(s) for s in m.zones.values()]
    fit = statistics.linear_regression(xs, ys)
    lo, hi = min(m.zones), max(m.zones)
    per_zone = (m.zone_resources[hi] - m.zone_resources[lo]) / (hi - lo)
    lines += [
        "",
        f"Each zone adds {per_zone:.0f} resources; over these plans the time grows by "
        f"{fit.slope * 1000:.1f} ms per resource (least squares), from an intercept of "
        f"{fit.intercept:.2f} s at no resources: the fixed cost (interpreter, SDK imports, schemas) "
        "dominates a plan of this size.",
        "",
    ]
    return lines


def report(m: Measured) -> str:
    head, _ = _headline(m)
    lines = [
        "## Plan",
        "",
        "`python -m bench.bench_plan`: `make plan`'s work (`traffic-edge plan --stack dev --policy-pack "
        "policies`, run as `python -m traffic_edge.plan` in a fresh process from the repository) against "
        "the import floor, a fresh process that only imports the SDK modules that plan loads (found by "
        "listing sys.modules after a plan), alternating "
        f"{len(m.plan)} rounds each. Then every stack, and dev with {', '.join(map(str, ZONES))} zones, "
        f"{len(next(iter(m.stacks.values())))} interleaved rounds each. Wall time of the whole process, including the "
        "interpreter's start.",
        "",
        *head,
        *_stack_table(m),
        *_zone_table(m),
        spread_rule(),
        "",
    ]
    return "\n".join(lines)


def raw(m: Measured) -> dict[str, Any]:
    return {
        "plan_seconds": m.plan,
        "floor_seconds": m.floor,
        "plan_without_schema_cache_seconds": m.uncached,
        "before_rows_differ_in": m.before_differs,
        "floor_tuned_seconds": m.floor_tuned,
        "plan_default_gc_seconds": m.untuned,
        "plan_over_floor": per_round(m.plan, m.floor).to_json(),
        "plan_over_tuned_floor": per_round(m.plan, m.floor_tuned).to_json(),
        "plan_default_gc_over_floor": per_round(m.untuned, m.floor).to_json(),
        "floor_modules": m.modules,
        "lazy_modules_left_out": m.lazy,
        "stacks": {s: {"seconds": v, "resources": m.stack_resources[s]} for s, v in m.stacks.items()},
        "zones": {str(n): {"seconds": v, "resources": m.zone_resources[n]} for n, v in m.zones.items()},
    }


def run() -> Result:
    m = measure()
    return Result("plan", "Plan", report(m), raw(m))


def main() -> None:
    from bench import run as runner

    sys.exit(runner.main(["--only", "plan"]))


if __name__ == "__main__":
    main()
