"""Where the Squid pods may run and how their images are pulled: `node_selector`, `tolerations`,
`affinity`, `priority_class_name`, `image_pull_secrets`, and the HPA's scaling behaviour.

The zones stay the component's: a node selector or an affinity term on the zone label is refused
(it would fight `zones`), and the affinity is checked as far as the merge with the zone pinning
relies on its shape; the API server checks the rest of the Kubernetes fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from traffic_edge._shared.checks import distinct, integer, is_list, labels, one_of, subdomain, unknown_keys
from traffic_edge._shared.names import LABEL_KEY, LABEL_VALUE
from traffic_edge._shared.problems import MapKey, Path, Problem, conflict, invalid
from traffic_edge.squid_proxy.args import TOLERATION_KEYS
from traffic_edge.squid_proxy.facts import HPA_STABILIZATION_MAX_SECONDS, ZONE_LABEL

_ZONES_OWN = "zones pins the pods to their zones; a second rule on the zone label would fight it"
_OPERATORS = ("Equal", "Exists")
_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_AFFINITY_KEYS = ("nodeAffinity", "podAffinity", "podAntiAffinity")
_NODE_AFFINITY_KEYS = (
    "requiredDuringSchedulingIgnoredDuringExecution",
    "preferredDuringSchedulingIgnoredDuringExecution",
)
_TERM_KEYS = ("matchExpressions", "matchFields")
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"


def _node_selector(value: object) -> list[Problem]:
    key = Path.of("node_selector")
    found = labels(value, key)
    if found or not isinstance(value, Mapping) or ZONE_LABEL not in value:
        return found
    return [conflict(key / MapKey(ZONE_LABEL), value[ZONE_LABEL], "zones", _ZONES_OWN)]


def _toleration(raw: object, at: Path) -> list[Problem]:
    if not isinstance(raw, Mapping):
        return [invalid(at, raw, "a map of key, operator, value, effect and toleration_seconds")]
    problems = unknown_keys(raw, TOLERATION_KEYS, at)
    operator = raw.get("operator", "Equal")
    if "operator" in raw:
        problems += one_of(raw["operator"], _OPERATORS, at / "operator")
    if "effect" in raw:
        problems += one_of(raw["effect"], _EFFECTS, at / "effect")
    if "key" in raw and not (isinstance(raw["key"], str) and LABEL_KEY.match(raw["key"])):
        problems.append(
            invalid(at / "key", raw["key"], "a taint key: an optional DNS prefix and '/', then a name")
        )
    elif "key" not in raw and operator == "Equal":
        problems.append(
            invalid(at, dict(raw), "a toleration with a key, or with operator Exists (every taint)")
        )
    if "value" in raw and operator == "Exists":
        problems.append(conflict(at / "value", raw["value"], at / "operator", "Exists matches any value"))
    elif "value" in raw and not (isinstance(raw["value"], str) and LABEL_VALUE.match(raw["value"])):
        problems.append(
            invalid(at / "value", raw["value"], "a taint value: at most 63 letters, digits, '-', '_' or '.'")
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
    return integer(raw["toleration_seconds"], at / "toleration_seconds", lo=0)


def _tolerations(value: object) -> list[Problem]:
    key = Path.of("tolerations")
    if not is_list(value):
        return [invalid(key, value, "a list of tolerations, each a map with key, operator, value and effect")]
    return [p for i, t in enumerate(value) for p in _toleration(t, key / i)]


def _term(term: object, at: Path) -> list[Problem]:
    if not isinstance(term, Mapping):
        return [invalid(at, term, "a node selector term: a map of matchExpressions and matchFields")]
    problems = unknown_keys(term, _TERM_KEYS, at)
    expressions = term.get("matchExpressions", [])
    if not is_list(expressions):
        return [*problems, invalid(at / "matchExpressions", expressions, "a list of {key, operator, values}")]
    for j, e in enumerate(expressions):
        if isinstance(e, Mapping) and e.get("key") == ZONE_LABEL:
            problems.append(conflict(at / "matchExpressions" / j / "key", ZONE_LABEL, "zones", _ZONES_OWN))
    return problems


def _node_affinity(value: object, at: Path) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [invalid(at, value, f"a map of {' and '.join(_NODE_AFFINITY_KEYS)}")]
    problems = unknown_keys(value, _NODE_AFFINITY_KEYS, at)
    if _REQUIRED not in value:
        return problems
    required, at = value[_REQUIRED], at / _REQUIRED
    terms = required.get("nodeSelectorTerms") if isinstance(required, Mapping) else None
    if not isinstance(required, Mapping) or not is_list(terms) or not terms:
        return [*problems, invalid(at, required, "a map with nodeSelectorTerms, a list of at least 1 term")]
    return problems + [p for i, t in enumerate(terms) for p in _term(t, at / "nodeSelectorTerms" / i)]


def _affinity(value: object) -> list[Problem]:
    key = Path.of("affinity")
    if not isinstance(value, Mapping):
        return [invalid(key, value, f"a map of {', '.join(_AFFINITY_KEYS)} in the Kubernetes API's form")]
    problems = unknown_keys(value, _AFFINITY_KEYS, key)
    for name in ("podAffinity", "podAntiAffinity"):
        if name in value and not isinstance(value[name], Mapping):
            problems.append(invalid(key / name, value[name], "a map in the Kubernetes API's form"))
    if "nodeAffinity" in value:
        problems += _node_affinity(value["nodeAffinity"], key / "nodeAffinity")
    return problems


def _pull_secrets(value: object) -> list[Problem]:
    key = Path.of("image_pull_secrets")
    if not is_list(value):
        return [invalid(key, value, "a list of Secret names in the proxy's namespace")]
    problems = [p for i, v in enumerate(value) for p in subdomain(v, key / i)]
    return problems or distinct(value, key)


def placement_problems(args: Mapping[str, Any]) -> list[Problem]:
    """Every problem of the scheduling and image-pull args that are set."""
    rules = {
        "node_selector": _node_selector,
        "tolerations": _tolerations,
        "affinity": _affinity,
        "priority_class_name": lambda v: subdomain(v, "priority_class_name"),
        "image_pull_secrets": _pull_secrets,
    }
    return [p for key, rule in rules.items() if key in args for p in rule(args[key])]


def behavior_problems(auto: Mapping[str, Any], at: Path) -> list[Problem]:
    """The HPA's stabilisation windows: 0 to the API's most."""
    keys = ("scale_down_stabilization_seconds", "scale_up_stabilization_seconds")
    return [p for k in keys if k in auto for p in integer(auto[k], at / k, 0, HPA_STABILIZATION_MAX_SECONDS)]
