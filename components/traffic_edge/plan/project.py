"""Read a Pulumi project (Pulumi.yaml) and its Pulumi.<stack>.yaml the way the CLI hands
config to the program.

Whatever is in the file, the result is either the config or one `StackFileError` listing
every problem with the file itself (not YAML, not a mapping, an unknown top-level key), in
the same numbered block as the config's own problems, with line and column for YAML
errors. PyYAML's context snippet is never printed: the line could hold a secret.

An encrypted value (``secure: v1:...``) cannot be read offline; the plan stands in
`Secret("[secret]")` for it and marks its config key secret, as the CLI marks the keys it
decrypts (``PULUMI_CONFIG_SECRET_KEYS``), so every output derived from it is a secret.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from traffic_edge._shared.problems import REDACTED, Secret

STACK_FILE_KEYS = ("config", "encryptedkey", "encryptionsalt", "environment", "secretsprovider")
"""The top-level keys of a Pulumi stack settings file: the yaml tags of `ProjectStack` in
pulumi/pulumi sdk/go/common/workspace/project.go (``environment`` since Pulumi ESC)."""


class StackFileError(ValueError):
    """The stack or project file cannot be read as config: every reason, numbered."""

    def __init__(self, path: Path, reasons: list[str]) -> None:
        self.path = path
        self.reasons = reasons
        n = len(reasons)
        lines = "\n".join(f"  {i}. {r}" for i, r in enumerate(reasons, 1))
        super().__init__(f"{path.name}: {n} problem{'s' if n != 1 else ''}:\n{lines}")


@dataclass(frozen=True)
class Project:
    """A Pulumi project: where its program and stack files are."""

    root: Path
    """The directory of Pulumi.yaml."""
    name: str
    program: Path
    """`main:` (default: the project directory): a directory with __main__.py, or a file."""
    stack_dir: Path
    """`stackConfigDir:` (default: the project directory), where Pulumi.<stack>.yaml live."""
    config: dict[str, Any]
    """The project-level `config:` as written."""

    @property
    def working_directory(self) -> Path:
        """Where the CLI runs the program: the directory of `main` (the project's by default)."""
        return self.program if self.program.is_dir() else self.program.parent

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in self.stack_dir.glob("Pulumi.*.yaml"))


def read_project(root: Path) -> Project:
    """The project in `root`, or a `StackFileError` naming what is wrong with Pulumi.yaml."""
    path = root / "Pulumi.yaml"
    if not path.is_file():
        raise StackFileError(path, ["not found: run in a Pulumi project's directory or give --project"])
    doc = _mapping(_load_yaml(path), path, "the project file")
    name = doc.get("name")
    runtime = doc.get("runtime")
    runtime = runtime.get("name") if isinstance(runtime, dict) else runtime
    reasons = (
        []
        if isinstance(name, str) and name
        else ["name is required: the project's name, the namespace of its config"]
    )
    if runtime != "python":
        reasons.append(f"runtime: {runtime!r} is not allowed: python (this planner runs Python programs)")
    program = root / str(doc.get("main") or ".")
    if not (program / "__main__.py").is_file() and not program.is_file():
        reasons.append(f"main: {str(doc.get('main') or '.')!r} has no __main__.py")
    if reasons:
        raise StackFileError(path, reasons)
    stack_dir = root / str(doc.get("stackConfigDir") or ".")
    return Project(
        root.resolve(),
        str(name),
        program.resolve(),
        stack_dir.resolve(),
        _mapping(doc.get("config"), path, "config"),
    )


@dataclass(frozen=True)
class StackConfig:
    config: dict[str, Any]
    """Full config keys -> values as the engine passes them (objects and lists JSON-encoded)."""
    secret_keys: list[str] = field(default_factory=list)
    """The keys that hold an encrypted value, anywhere inside them."""


def _yaml_error(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    context = getattr(err, "context", None)
    text = f"{context}: {problem}" if context and "single document" not in problem else problem
    if "single document" in str(err):
        text = "more than one YAML document ('---'): a stack file is one mapping"
    if "'\\t'" in problem:
        text += " (YAML indents with spaces, never tabs)"
    return f"{where}not valid YAML: {text}"


def _load_yaml(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise StackFileError(path, [f"byte {err.start}: not UTF-8 text ({err.reason})"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise StackFileError(path, [_yaml_error(err)]) from None


def _mapping(value: Any, path: Path, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        shown = type(value).__name__.replace("str", "text").replace("list", "a list")
        raise StackFileError(path, [f"{what}: {shown} is not allowed: a mapping of keys to values"])
    return value


def _top_level(doc: dict[str, Any], path: Path) -> None:
    reasons = []
    for key in sorted(set(map(str, doc)) - set(STACK_FILE_KEYS)):
        close = difflib.get_close_matches(key, STACK_FILE_KEYS, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "the known keys are " + ", ".join(STACK_FILE_KEYS)
        reasons.append(f"{key} is not a known key of a stack file: {hint}")
    if reasons:
        raise StackFileError(path, reasons)


def _secure(value: Any) -> tuple[Any, bool]:
    """`value` with every ``{secure: ...}`` replaced by a `Secret`; whether there was one."""
    if isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str):
        return Secret(REDACTED), True
    if isinstance(value, dict):
        pairs = {k: _secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def read_stack(project: Project, stack: str) -> StackConfig:
    """The stack's config (project defaults under it, as with the CLI) and its secret keys."""
    path = project.stack_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(project.stacks()) or "none"
        raise FileNotFoundError(f"no stack file {path.name}; stacks in this project: {known}")
    doc = _mapping(_load_yaml(path), path, "the top level")
    _top_level(doc, path)
    config: dict[str, Any] = {}
    # Project-level values (typed ones by their default) apply to every stack, as with the CLI.
    for key, value in project.config.items():
        if isinstance(value, dict) and ("type" in value or "description" in value):
            if "default" not in value:
                continue
            value = value["default"]
        config[key if ":" in key else f"{project.name}:{key}"] = value
    for key, value in _mapping(doc.get("config"), path, "config").items():
        config[str(key) if ":" in str(key) else f"{project.name}:{key}"] = value
    out: dict[str, Any] = {}
    secret_keys = []
    for key, value in config.items():
        value, secret = _secure(value)
        if secret:
            secret_keys.append(key)
        out[key] = value if isinstance(value, str) else json.dumps(value)
    return StackConfig(out, sorted(secret_keys))
