"""Pod tolerations, one definition for every component that runs on tainted (dedicated) nodes:
the args type, its validation and the manifest form. SDK-free, like the args it serves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from traffic_edge._shared.checks import integer, is_list, one_of, unknown_keys
from traffic_edge._shared.names import LABEL_KEY, LABEL_VALUE
from traffic_edge._shared.problems import Path, Problem, conflict, invalid, missing

OPERATORS = ("Equal", "Exists")
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


class TolerationArgs(TypedDict, total=False):
    """A Kubernetes toleration (the fields of a pod's `tolerations` item)."""

    key: str
    """The taint key; absent with `operator: Exists` tolerates every taint."""
    operator: str
    """`Equal` (default) or `Exists`."""
    value: str
    """The taint value, with `Equal`."""
    effect: str
    """`NoSchedule`, `PreferNoSchedule` or `NoExecute`; absent matches every effect."""
    toleration_seconds: int
    """With `NoExecute`: how long the pod stays after the taint appears."""


TOLERATION_KEYS = frozenset(TolerationArgs.__optional_keys__)


def tolerations(value: object, at: Path | str = "tolerations") -> list[Problem]:
    """Every problem with a list of tolerations."""
    key = Path.of(at)
    if not is_list(value):
        return [invalid(key, value, "a list of tolerations, each a map with key, operator, value and effect")]
    return [p for i, t in enumerate(value) for p in _toleration(t, key / i)]


def _toleration(raw: object, at: Path) -> list[Problem]:
    if not isinstance(raw, Mapping):
        return [
            invalid(at, raw, "a toleration: a map of key, operator, value, effect and toleration_seconds")
        ]
    problems = unknown_keys(raw, TOLERATION_KEYS, at)
    operator = raw.get("operator", "Equal")
    if "operator" in raw:
        problems += one_of(raw["operator"], OPERATORS, at / "operator")
    if "effect" in raw:
        problems += one_of(raw["effect"], EFFECTS, at / "effect")
    if "key" in raw and not (isinstance(raw["key"], str) and LABEL_KEY.match(raw["key"])):
        problems.append(
            invalid(at / "key", raw["key"], "a taint key: an optional DNS prefix and '/', then a name")
        )
    if "value" in raw and operator == "Exists":
        problems.append(conflict(at / "value", raw["value"], at / "operator", "Exists matches any value"))
    elif "value" in raw and not (isinstance(raw["value"], str) and LABEL_VALUE.match(raw["value"])):
        rule = "a taint value: at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric"
        problems.append(invalid(at / "value", raw["value"], rule))
    if "key" not in raw and operator == "Equal":
        problems.append(
            missing(at / "key", "the taint's key: only operator Exists (every taint) may leave it out")
        )
    if "toleration_seconds" in raw:
        problems += _toleration_seconds(raw, at)
    return problems


def _toleration_seconds(raw: Mapping[str, Any], at: Path) -> list[Problem]:
    key, why = at / "toleration_seconds", "only a NoExecute taint evicts, so only it has a time to tolerate"
    if "effect" not in raw:
        return [invalid(key, raw["toleration_seconds"], f"no value unless effect is NoExecute: {why}")]
    if raw["effect"] != "NoExecute":
        return [conflict(key, raw["toleration_seconds"], at / "effect", why)]
    return integer(raw["toleration_seconds"], key, lo=0)


def manifest(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A pod spec's `tolerations` item from validated args (`tolerationSeconds` camelCased)."""
    names = {"toleration_seconds": "tolerationSeconds"}
    return {names.get(k, k): v for k, v in raw.items()}
