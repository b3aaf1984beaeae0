"""`make plan`: run the real stack program offline and write out/plan/<stack>/.

No Pulumi CLI, credentials, cluster or network: the program runs under the recording
engine with preview semantics. Output is deterministic (sorted, stable names), so two
runs give byte-identical trees and a diff of two plans is a review of a change.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from planner import policy_report
from planner.engine import Recording, Resource, run
from planner.kube_schema import describe, validate_manifest
from planner.stackfile import REPO, StackFileError, read_config, read_stack, stacks
from traffic_edge._shared.problems import ArgsError

_TOP_ORDER = ("apiVersion", "kind", "metadata")


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def manifest_yaml(manifest: dict[str, Any]) -> str:
    ordered = {k: _sorted(manifest[k]) for k in _TOP_ORDER if k in manifest}
    ordered.update({k: _sorted(manifest[k]) for k in sorted(manifest) if k not in _TOP_ORDER})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)


def run_stack(stack: str, root: Path = REPO) -> Recording:
    """Run the repository's real __main__.py for `stack` offline."""
    stack_config = read_stack(stack, root)

    def program() -> None:
        runpy.run_path(str(root / "__main__.py"), run_name="__main__")

    return run(program, stack=stack, config=stack_config.config, secret_keys=stack_config.secret_keys)


def cluster_of(rec: Recording, res: Resource) -> str:
    """Cluster name of a Kubernetes object, from its explicit provider (`k8s-<cluster>`)."""
    if res.provider:
        name = res.provider.rsplit("::", 1)[-1]
        if name.startswith("k8s-"):
            return name[len("k8s-") :]
    return "_default"


def _file_name(manifest: dict[str, Any]) -> str:
    meta = manifest.get("metadata") or {}
    ns = meta.get("namespace") or "_cluster"
    return f"{ns}--{manifest['kind'].lower()}--{meta.get('name')}.yaml"


def collect_configs(rec: Recording) -> dict[str, str]:
    """Generated proxy config files: `<component>/<file>` -> text, as they go into their ConfigMaps."""
    files: dict[str, str] = {}
    for res in rec.resources:
        if res.type != "kubernetes:core/v1:ConfigMap":
            continue
        comp = rec.component_of(res)
        for key, text in (res.inputs.get("data") or {}).items():
            if key.endswith((".conf", ".cfg")) and isinstance(text, str):
                files[f"{comp.name if comp else '_stack'}/{key}"] = text
    for path, text in (rec.outputs.get("configFiles") or {}).items():
        if isinstance(text, str):
            files.setdefault(path, text)
    return files


def schema_problems(rec: Recording, versions: dict[str, str]) -> list[str]:
    problems = []
    for res in rec.resources:
        if not res.is_kubernetes_object:
            continue
        cluster = cluster_of(rec, res)
        version = versions.get(cluster)
        if version is None:
            problems.append(
                f"{describe(res.inputs)} ({res.urn}): no cluster/version known for provider {res.provider}"
            )
            continue
        for p in validate_manifest(res.inputs, version):
            problems.append(f"{describe(res.inputs)} [cluster {cluster}, Kubernetes {version}]: {p}")
    return problems


def cluster_versions(stack: str, root: Path = REPO) -> dict[str, str]:
    raw = read_config(stack, root).get("traffic-edge:clusters")
    clusters = json.loads(raw) if isinstance(raw, str) else {}
    return {name: str(c.get("kubernetesVersion")) for name, c in (clusters or {}).items()}


def write_plan(stack: str, rec: Recording, out: Path, root: Path = REPO) -> dict[str, Any]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    resources = sorted((r.to_json() for r in rec.resources), key=lambda r: r["urn"])
    (out / "resources.json").write_text(json.dumps(resources, indent=2, sort_keys=True) + "\n")
    (out / "outputs.json").write_text(json.dumps(rec.outputs, indent=2, sort_keys=True) + "\n")
    manifests = 0
    for res in rec.resources:
        if res.is_kubernetes_object:
            path = out / "manifests" / cluster_of(rec, res) / _file_name(res.inputs)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(manifest_yaml(res.inputs))
            manifests += 1
        elif res.is_kubernetes_patch:
            path = (
                out
                / "patches"
                / cluster_of(rec, res)
                / _file_name({"kind": res.type.rsplit(":", 1)[1], **res.inputs})
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(manifest_yaml(res.inputs))
        elif res.type.startswith("kubernetes:helm.sh/"):
            path = out / "helm" / cluster_of(rec, res) / f"{res.name}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(manifest_yaml(res.inputs))
    for rel, text in sorted(collect_configs(rec).items()):
        path = out / "configs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if rec.warnings:
        (out / "warnings.txt").write_text("".join(f"{w}\n" for w in sorted(set(rec.warnings))))
    return {"resources": len(resources), "manifests": manifests}


def summary(rec: Recording) -> str:
    per_component: Counter[str] = Counter()
    per_type: Counter[str] = Counter()
    for res in rec.resources:
        if res.type == "pulumi:pulumi:Stack":
            continue
        per_type[res.type] += 1
        comp = rec.component_of(res)
        per_component[f"{comp.type} {comp.name}" if comp else "(stack)"] += 1
    lines = ["resources per component:"]
    lines += [f"  {n:4d}  {k}" for k, n in sorted(per_component.items())]
    lines += ["resources per type:"]
    lines += [f"  {n:4d}  {k}" for k, n in sorted(per_type.items())]
    return "\n".join(lines)


def _written(out: Path) -> str:
    """The files and folders of `out`, as the last line names them."""
    return ", ".join(p.name + ("/" if p.is_dir() else "") for p in sorted(out.iterdir()))


def _plan(stack: str, out: Path) -> tuple[Recording, dict[str, Any]] | None:
    """Run and write the plan; None (and nothing written) when the config is refused."""
    try:
        rec = run_stack(stack)
    except (ArgsError, StackFileError) as err:
        print(f"plan: {err}", file=sys.stderr)
        return None
    return rec, write_plan(stack, rec, out)


def main(argv: list[str] | None = None) -> int:
    """Exit 0: planned; 1: invalid (config, schema or a mandatory policy); 2: usage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default=os.environ.get("STACK", "dev"))
    parser.add_argument("--out", default=None, help="default: out/plan/<stack>")
    args = parser.parse_args(argv)
    if args.stack not in stacks():
        print(f"plan: no Pulumi.{args.stack}.yaml; stacks: {', '.join(stacks())}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else REPO / "out" / "plan" / args.stack
    # A failed plan must not leave the previous plan behind for a reviewer to read.
    shutil.rmtree(out, ignore_errors=True)
    planned = _plan(args.stack, out)
    if planned is None:
        return 1
    rec, counts = planned
    failed = False
    problems = schema_problems(rec, cluster_versions(args.stack))
    if problems:
        failed = True
        print(f"plan: {len(problems)} invalid Kubernetes object(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
    report = policy_report.evaluate(rec)
    policy_report.write_report(report, out / "policy-report.json")
    print(summary(rec))
    for warning in sorted(set(rec.warnings)):
        print(f"warning: {warning}")
    print(report.text())
    failed = failed or bool(report.mandatory_violations)
    rel = out.relative_to(REPO) if out.is_relative_to(REPO) else out
    print(
        f"plan for stack {args.stack!r}: {counts['resources']} resources, {counts['manifests']} Kubernetes objects "
        f"-> {rel}/ ({_written(out)})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The Pulumi runtime leaves an event loop whose teardown prints noise at exit.
    os._exit(code)
