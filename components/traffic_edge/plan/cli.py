"""`traffic-edge plan`: a Pulumi Python project's program, offline -> out/plan/<stack>/.

No Pulumi CLI, credentials, cluster or network: the project's program runs as the CLI runs
it (its `main:` directory as the working directory, its ``__main__.py`` as ``__main__``, its
stack's config and secret keys) under the recording engine with preview semantics. The
plan is written deterministically, so two runs give byte-identical trees; with ``--base``
(a previous plan's directory) summary.md is a review of the change.

Exit codes: 0 planned; 1 invalid (the config, a Kubernetes object its schema refuses, or a
mandatory policy); 2 usage (no project, no such stack, a bad option).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import runpy
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from traffic_edge._shared.problems import ArgsError
from traffic_edge._shared.versions import SUPPORTED_MAX
from traffic_edge.plan import summary
from traffic_edge.plan.engine import Recording, run
from traffic_edge.plan.kube_schema import describe, validate_manifest
from traffic_edge.plan.policy import PackError, Report
from traffic_edge.plan.project import Project, StackFileError, read_project, read_stack
from traffic_edge.plan.writer import provider_name, write_plan

GC_THRESHOLDS = (200_000, 30, 30)
"""The cyclic collector's thresholds in the console script (see `entry`)."""


@contextmanager
def _as_the_cli(project: Project) -> Iterator[None]:
    """The working directory and import path the CLI gives the program, restored after."""
    cwd, path = Path.cwd(), list(sys.path)
    os.chdir(project.working_directory)
    sys.path.insert(0, str(project.working_directory))
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path[:] = path


def run_project(project: Project, stack: str) -> Recording:
    """Run the project's program for `stack` offline."""
    stack_config = read_stack(project, stack)
    program = project.program if project.program.is_file() else project.program / "__main__.py"

    def main() -> None:
        runpy.run_path(str(program), run_name="__main__")

    with _as_the_cli(project):
        return run(
            main,
            project=project.name,
            stack=stack,
            config=stack_config.config,
            secret_keys=stack_config.secret_keys,
        )


def kubernetes_versions(rec: Recording, config: dict[str, Any], given: str | None) -> dict[str, str]:
    """The Kubernetes version of each Kubernetes provider: ``--kubernetes-version``, else the
    stack's ``<project>:clusters`` entry whose name is the provider's (or ``k8s-<name>``)."""
    clusters: dict[str, Any] = {}
    for key, value in config.items():
        if key.endswith(":clusters") and isinstance(value, str) and value.startswith("{"):
            clusters.update(json.loads(value))
    versions = {}
    for res in rec.by_type("pulumi:providers:kubernetes"):
        entry = clusters.get(res.name) or clusters.get(res.name.removeprefix("k8s-")) or {}
        version = given or (entry.get("kubernetesVersion") if isinstance(entry, dict) else None)
        if version is not None:
            versions[res.name] = str(version)
    return versions


def schema_problems(rec: Recording, versions: dict[str, str]) -> tuple[list[str], list[str]]:
    """(problems, warnings): every Kubernetes object against its provider's version's schema;
    a provider whose version is unknown is checked against the newest schema, with a warning."""
    problems, warnings = [], set()
    for res in rec.resources:
        if not res.is_kubernetes_object:
            continue
        provider = provider_name(res)
        version = versions.get(provider)
        if version is None:
            version = str(SUPPORTED_MAX)
            warnings.add(
                f"provider {provider!r}: Kubernetes version unknown (no cluster entry; give "
                f"--kubernetes-version); its objects were checked against the newest schema, {version}"
            )
        for p in validate_manifest(res.inputs, version):
            problems.append(f"{describe(res.inputs)} [provider {provider}, Kubernetes {version}]: {p}")
    return problems, sorted(warnings)


def counts(rec: Recording) -> str:
    per_type = Counter(r.type for r in rec.resources if r.type != "pulumi:pulumi:Stack")
    return "resources per type:\n" + "\n".join(f"  {n:4d}  {k}" for k, n in sorted(per_type.items()))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="traffic-edge", description="Offline plans of Pulumi Python projects."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help=__doc__.splitlines()[0] if __doc__ else None)
    plan.add_argument("--stack", default=os.environ.get("STACK", "dev"), help="default: $STACK or dev")
    plan.add_argument("--project", type=Path, default=Path("."), help="the directory of Pulumi.yaml")
    plan.add_argument("--out", type=Path, default=None, help="default: <project>/out/plan/<stack>")
    plan.add_argument(
        "--base", type=Path, default=None, help="a previous plan's directory: summary.md is a diff"
    )
    plan.add_argument("--kubernetes-version", default=None, help="for every Kubernetes provider, e.g. 1.33")
    plan.add_argument("--policy-pack", type=Path, default=None, help="a CrossGuard policy pack directory")
    plan.add_argument(
        "--policy-pack-config", type=Path, default=None, help="its config (JSON), as for pulumi"
    )
    return parser


class UsageError(Exception):
    pass


def _inputs(args: argparse.Namespace) -> tuple[Project, Path, list[dict[str, Any]] | None]:
    try:
        project = read_project(args.project.resolve())
    except StackFileError as err:
        raise UsageError(str(err)) from None
    if args.stack not in project.stacks():
        raise UsageError(f"no Pulumi.{args.stack}.yaml; stacks: {', '.join(project.stacks()) or 'none'}")
    base = None
    if args.base is not None:
        if not (args.base / "resources.json").is_file():
            raise UsageError(f"--base {args.base}: not a plan directory (no resources.json)")
        base = json.loads((args.base / "resources.json").read_text())
    out = (args.out or project.root / "out" / "plan" / args.stack).resolve()
    return project, out, base


def _policies(args: argparse.Namespace, rec: Recording) -> Report:
    if args.policy_pack is None:
        return Report()
    try:
        from traffic_edge.plan.policy_pack import evaluate_recording, load_pack
    except ImportError as err:
        raise PackError(f"{err}: install the plan extra, pip install 'traffic-edge[plan]'") from None
    config = json.loads(args.policy_pack_config.read_text()) if args.policy_pack_config else {}
    return evaluate_recording(rec, load_pack(args.policy_pack.resolve()), config)


def _summary(args: argparse.Namespace, rec: Recording, warnings: list[str], report: Report, base: Any) -> str:
    head = sorted((r.to_json() for r in rec.resources), key=lambda r: r["urn"])
    changes = summary.diff(head, base)
    return summary.render(args.stack, changes, rec.outputs, warnings, report.text(), base is not None)


def plan(args: argparse.Namespace) -> int:
    project, out, base = _inputs(args)
    # A failed plan must not leave an older plan behind for a reviewer to read.
    shutil.rmtree(out, ignore_errors=True)
    try:
        rec = run_project(project, args.stack)
    except (ArgsError, StackFileError) as err:
        print(f"plan: {err}", file=sys.stderr)
        return 1
    versions = kubernetes_versions(rec, read_stack(project, args.stack).config, args.kubernetes_version)
    problems, schema_warnings = schema_problems(rec, versions)
    report = _policies(args, rec)
    written = write_plan(rec, out)
    warnings = sorted(set(rec.warnings) | set(schema_warnings))
    report.write(out / "policy-report.json")
    text = _summary(args, rec, warnings, report, base)
    (out / "summary.md").write_text(text)
    print(text)
    print(counts(rec))
    for p in problems:
        print(f"plan: invalid Kubernetes object: {p}", file=sys.stderr)
    files = ", ".join(p.name + ("/" if p.is_dir() else "") for p in sorted(out.iterdir()))
    where = out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out
    print(
        f"plan for stack {args.stack!r}: {written['resources']} resources, {written['manifests']} Kubernetes objects -> {where}/ ({files})"
    )
    return 1 if problems or report.mandatory_violations else 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        return int(exit_.code or 0) and 2
    try:
        return plan(args)
    except UsageError as err:
        print(f"traffic-edge plan: {err}", file=sys.stderr)
        return 2
    except PackError as err:
        print(f"traffic-edge plan: policy pack: {err}", file=sys.stderr)
        return 1


def entry() -> None:
    """The console script: flush, then leave without the Pulumi runtime's event-loop teardown noise."""
    # The cloud SDKs leave about a million objects on the heap, and the default thresholds (700,
    # 10, 10) make the cyclic collector walk them again and again while the program allocates:
    # a quarter of a dev plan's wall time (bench/bench_plan.py). Collect less often, as mypy does
    # for the same reason (python/mypy, mypy/build.py, `_build`). Only the console script: a
    # program that imports the plan library keeps its own settings.
    gc.set_threshold(*GC_THRESHOLDS)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
