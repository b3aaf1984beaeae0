"""A recording -> the files of out/plan/<stack>/, deterministic (sorted, stable names), so two
runs give byte-identical trees and a diff of two plans is a review of a change.

Kubernetes objects are grouped by the name of the Kubernetes provider resource that
creates them (``_default`` for the default provider), whatever the program calls it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from traffic_edge.plan.engine import Recording, Resource

_TOP_ORDER = ("apiVersion", "kind", "metadata")
DEFAULT_PROVIDER = "_default"


# libyaml's emitter where PyYAML was built with it (its wheels are): the same text, a fifth of the
# time of the pure-Python one for a plan's manifests (bench/bench_plan.py).
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
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


def provider_name(res: Resource) -> str:
    """The name of the provider resource that creates `res` (its explicit provider's)."""
    # The engine records the provider by its URN, whose last "::" segment is the resource name.
    return res.provider.rsplit("::", 1)[-1] if res.provider else DEFAULT_PROVIDER


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
        data = res.inputs.get("data")
        if not isinstance(data, dict):  # known only after apply (built from another resource's outputs)
            continue
        for key, text in data.items():
            if key.endswith((".conf", ".cfg")) and isinstance(text, str):
                files[f"{comp.name if comp else '_stack'}/{key}"] = text
    for path, text in (rec.outputs.get("configFiles") or {}).items():
        if isinstance(text, str):
            files.setdefault(path, text)
    return files


def _target(res: Resource) -> tuple[str, Path] | None:
    """Which folder and file a resource is written to, if any besides resources.json."""
    if res.is_kubernetes_object:
        return "manifests", Path(provider_name(res)) / _file_name(res.inputs)
    if res.is_kubernetes_patch:
        kind = res.type.rsplit(":", 1)[1]
        return "patches", Path(provider_name(res)) / _file_name({"kind": kind, **res.inputs})
    if res.type.startswith("kubernetes:helm.sh/"):
        return "helm", Path(provider_name(res)) / f"{res.name}.yaml"
    return None


def write_plan(rec: Recording, out: Path) -> dict[str, int]:
    """Write every file of the plan into `out` (created; it must not hold an older plan)."""
    out.mkdir(parents=True, exist_ok=True)
    resources = sorted((r.to_json() for r in rec.resources), key=lambda r: r["urn"])
    (out / "resources.json").write_text(json.dumps(resources, indent=2, sort_keys=True) + "\n")
    (out / "outputs.json").write_text(json.dumps(rec.outputs, indent=2, sort_keys=True) + "\n")
    manifests = 0
    for res in rec.resources:
        target = _target(res)
        if target is None:
            continue
        folder, rel = target
        path = out / folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(manifest_yaml(res.inputs))
        manifests += folder == "manifests"
    for rel_name, text in sorted(collect_configs(rec).items()):
        path = out / "configs" / rel_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if rec.warnings:
        (out / "warnings.txt").write_text("".join(f"{w}\n" for w in sorted(set(rec.warnings))))
    return {"resources": len(resources), "manifests": manifests}
