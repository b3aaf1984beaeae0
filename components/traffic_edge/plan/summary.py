"""summary.md: what a plan does, as a reviewer reads it.

A tree of resources under their components, each line ``+`` (create), ``~`` (update), ``-``
(delete) or ``=`` (unchanged, folded into a count), with type and name; with a base plan
the tree is a diff and every ``~`` names its changed input paths, old -> new (a long text
such as a squid.conf as a unified diff). Protected resources that the change would delete,
or whose inputs it changes (a replacement, for most inputs of an Elastic IP), are flagged
loudly at the top. Then the stack outputs, the egress and public IPs, warnings, policy
results and the cost estimate.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

UNKNOWN = "(known after apply)"
LONG = 80
"""A changed value longer than this (or with a newline) is shown as a unified diff."""
PUBLIC_IP_TYPES = ("aws:ec2/eip:Eip", "azure-native:network:PublicIPAddress")


@dataclass
class Change:
    mark: str
    """``+``, ``~``, ``-`` or ``=``."""
    resource: dict[str, Any]
    paths: list[str] = field(default_factory=list)
    """For ``~``: the changed input paths, each with its old -> new values or diff."""


def _flatten(value: Any, at: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for k in sorted(value):
            yield from _flatten(value[k], f"{at}.{k}" if at else str(k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _flatten(v, f"{at}[{i}]")
    else:
        yield at, value


def _shown(value: Any) -> str:
    return "(absent)" if value is _ABSENT else json.dumps(value, sort_keys=True)


_ABSENT = object()


def changed_paths(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """``path: old -> new`` for each input that differs; long texts as a unified diff."""
    before, after = dict(_flatten(dict(old))), dict(_flatten(dict(new)))
    lines = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path, _ABSENT), after.get(path, _ABSENT)
        if a == b:
            continue
        if isinstance(a, str) and isinstance(b, str) and (len(a) > LONG or len(b) > LONG or "\n" in a + b):
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "old", "new", lineterm="", n=1)
            lines.append(f"{path}:\n" + "\n".join(f"      {d}" for d in list(diff)[2:]))
        else:
            lines.append(f"{path}: {_shown(a)} -> {_shown(b)}")
    return lines


def diff(head: list[dict[str, Any]], base: list[dict[str, Any]] | None) -> list[Change]:
    """Every resource of `head` (and those only in `base`, as deletes), by URN."""
    if base is None:
        return [Change("+", r) for r in head]
    old = {r["urn"]: r for r in base}
    changes = []
    for r in head:
        before = old.pop(r["urn"], None)
        if before is None:
            changes.append(Change("+", r))
            continue
        paths = changed_paths(before["inputs"], r["inputs"])
        if before.get("protect") != r.get("protect"):
            paths.append(f"(option) protect: {_shown(before.get('protect'))} -> {_shown(r.get('protect'))}")
        changes.append(Change("~" if paths else "=", r, paths))
    changes += [Change("-", r) for r in old.values()]
    return changes


def warnings_for_protected(changes: list[Change]) -> list[str]:
    """The loud lines: a protected resource deleted, or changed (maybe replaced)."""
    out = []
    for c in changes:
        r = c.resource
        if not r.get("protect"):
            continue
        what = f"{r['type']} {r['name']!r}"
        if c.mark == "-":
            out.append(
                f"**PROTECTED RESOURCE DELETED: {what}** (`pulumi up` refuses until it is unprotected)"
            )
        elif c.mark == "~" and any(not p.startswith("(option)") for p in c.paths):
            out.append(f"**PROTECTED RESOURCE CHANGED: {what}**: check the provider for a replacement")
    return out


def _tree_lines(changes: list[Change]) -> list[str]:
    by_parent: dict[str | None, list[Change]] = {}
    urns = {c.resource["urn"] for c in changes}
    for c in changes:
        parent = c.resource.get("parent")
        by_parent.setdefault(parent if parent in urns else None, []).append(c)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        kids = sorted(by_parent.get(parent, []), key=lambda c: (c.resource["type"], c.resource["name"]))
        same = [c for c in kids if c.mark == "=" and c.resource["urn"] not in by_parent]
        for c in kids:
            if c in same:
                continue
            r = c.resource
            lines.append(f"{'    ' * depth}{c.mark} {r['type']}  {r['name']}")
            lines.extend(f"{'    ' * depth}      {p}" for p in c.paths)
            walk(r["urn"], depth + 1)
        if same:
            lines.append(f"{'    ' * depth}= {len(same)} unchanged")

    walk(None, 0)
    return lines


def _outputs(outputs: Mapping[str, Any]) -> list[str]:
    lines = []
    for key in sorted(outputs):
        if key == "configFiles":
            continue
        value = outputs[key]
        text = json.dumps(value, sort_keys=True)
        mark = " (known after apply)" if UNKNOWN in text else ""
        lines.append(f"- `{key}`{mark}: `{text if len(text) <= 300 else text[:297] + '...'}`")
    return lines


def _public_ips(resources: list[dict[str, Any]]) -> list[str]:
    lines = []
    for r in sorted((r for r in resources if r["type"] in PUBLIC_IP_TYPES), key=lambda r: r["name"]):
        inputs = r["inputs"]
        address = inputs.get("address") or inputs.get("ipAddress") or UNKNOWN
        how = "protected" if r.get("protect") else "NOT protected"
        lines.append(f"- {r['type']} `{r['name']}`: {address} ({how})")
    return lines


def render(
    stack: str,
    changes: list[Change],
    outputs: Mapping[str, Any],
    warnings: list[str],
    policy_text: str,
    has_base: bool,
) -> str:
    counts = {m: sum(c.mark == m for c in changes) for m in "+~-="}
    head = f"# Plan for stack `{stack}`\n\n"
    if has_base and counts["+"] == counts["~"] == counts["-"] == 0:
        head += "**no changes** against the base plan.\n\n"
    else:
        head += f"{counts['+']} to create, {counts['~']} to update, {counts['-']} to delete, {counts['=']} unchanged"
        head += " (against the base plan)\n\n" if has_base else " (no base plan: everything is new)\n\n"
    loud = warnings_for_protected(changes)
    parts = [head + "".join(f"{w}\n\n" for w in loud)]
    parts.append("## Resources\n\n```\n" + "\n".join(_tree_lines(changes)) + "\n```\n")
    parts.append("## Stack outputs\n\n" + ("\n".join(_outputs(outputs)) or "none") + "\n")
    ips = _public_ips([c.resource for c in changes if c.mark != "-"])
    parts.append("## Public IPs\n\n" + ("\n".join(ips) or "none in this stack") + "\n")
    parts.append("## Warnings\n\n" + ("\n".join(f"- {w}" for w in sorted(set(warnings))) or "none") + "\n")
    parts.append("## Policies\n\n```\n" + policy_text + "\n```\n")
    cost = outputs.get("natMonthlyCostEstimate")
    if cost is not None:
        parts.append(
            "## Monthly cost estimate\n\n```\n" + json.dumps(cost, indent=2, sort_keys=True) + "\n```\n"
        )
    return "\n".join(parts)
