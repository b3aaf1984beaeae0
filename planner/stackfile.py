"""Read Pulumi.<stack>.yaml the way the CLI hands config to a program."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent


def stacks(root: Path = REPO) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def read_config(stack: str, root: Path = REPO) -> dict[str, Any]:
    """Full config keys -> values as the engine passes them (objects and lists JSON-encoded)."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(stacks(root)) or "none"
        raise FileNotFoundError(f"no stack file {path.name}; stacks in this repo: {known}")
    doc = yaml.safe_load(path.read_text()) or {}
    project_doc = yaml.safe_load((root / "Pulumi.yaml").read_text()) or {}
    project = project_doc["name"]
    config: dict[str, Any] = {}
    # Project-level values (not schemas) apply to every stack, as with the CLI.
    for key, value in (project_doc.get("config") or {}).items():
        if isinstance(value, dict) and ("type" in value or "description" in value):
            if "default" not in value:
                continue
            value = value["default"]
        config[key if ":" in key else f"{project}:{key}"] = value
    for key, value in (doc.get("config") or {}).items():
        config[key if ":" in key else f"{project}:{key}"] = value
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
