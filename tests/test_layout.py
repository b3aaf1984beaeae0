"""The layout's rules, checked on the source: no import cycles, short functions, tests that mirror.

CONTRIBUTING.md describes the layout; these tests keep it true.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.support.stacks import REPO

LIBRARY = REPO / "components" / "traffic_edge"
ROOTS = {"traffic_edge": REPO / "components", "edge_stack": REPO, "policies": REPO}
MAX_LINES = 60
# Functions that are one data literal (a dashboard, a values tree): long by nature, and the
# length says nothing about their logic. Each entry must still be long (see the test).
DATA_LITERALS: set[str] = set()


def modules() -> dict[str, Path]:
    found = {}
    for package, root in ROOTS.items():
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found[".".join(parts)] = path
    return found


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module imported, at any depth, except under `if TYPE_CHECKING:`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{a.name}" for a in node.names)


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        targets = set(_imports(ast.parse(path.read_text()), name, path.name == "__init__.py"))
        graph[name] = {t for t in targets if t in mods and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_among_the_projects_modules() -> None:
    graph = import_graph()
    assert "edge_stack.config" in graph and "traffic_edge.squid_proxy" in graph
    assert cycles(graph) == []


def long_functions() -> dict[str, int]:
    found = {}
    for path in sorted(LIBRARY.rglob("*.py")):
        rel = ".".join(path.relative_to(LIBRARY.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    found[f"{rel}:{node.name}"] = length
    return found


def test_no_library_function_is_longer_than_60_lines_unless_it_is_a_data_literal() -> None:
    long = long_functions()
    assert {k: n for k, n in long.items() if k not in DATA_LITERALS} == {}
    assert set(DATA_LITERALS) <= set(long), "a data literal got short: take it off DATA_LITERALS"


SDKS = ("pulumi_aws", "pulumi_azure_native", "pulumi_kubernetes")


def _sdk_subpackages_used(tree: ast.AST) -> Iterator[str]:
    """`pulumi_aws.ec2` for `import pulumi_aws as aws` + `aws.ec2...`, or `from pulumi_aws import ec2`."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({a.asname or a.name: a.name for a in node.names if a.name in SDKS})
        elif isinstance(node, ast.ImportFrom) and node.module in SDKS:
            yield from (f"{node.module}.{a.name}" for a in node.names if a.name.islower())
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SDKS:
            yield ".".join(node.module.split(".")[:2])
    for node in ast.walk(tree):
        # A lower-case attribute of the package is a subpackage or a function in its own module.
        is_sdk = (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
        )
        if is_sdk and node.attr.islower():
            yield f"{aliases[node.value.id]}.{node.attr}"


def test_every_sdk_subpackage_the_code_uses_is_type_checked() -> None:
    """mypy skips the cloud SDKs' ~10,000 generated modules but those the code uses
    (pyproject: follow_imports): a subpackage used but left skipped would be typed Any."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    overrides = config["overrides"]
    skipped = {m for o in overrides if o.get("follow_imports") == "skip" for m in o["module"]}
    checked = {m for o in overrides if o.get("follow_imports") == "normal" for m in o["module"]}
    assert {f"{sdk}.*" for sdk in SDKS} <= skipped
    used: set[str] = set()
    for root in config["files"]:
        for path in sorted((REPO / root).rglob("*.py")):
            used |= set(_sdk_subpackages_used(ast.parse(path.read_text())))
    assert {"pulumi_aws.ec2", "pulumi_kubernetes.helm"} <= used  # the scan finds what is there
    unchecked = sorted(m for m in used if m not in checked or f"{m}.*" not in checked)
    assert unchecked == [], "add these to the follow_imports = 'normal' override in pyproject.toml"
