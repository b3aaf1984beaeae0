"""Where the Squid pods may run and how their images are pulled: `node_selector`, `tolerations`,
`affinity`, `priority_class_name`, `image_pull_secrets`, and the HPA's scaling behaviour.

The zones stay the component's: a node selector or an affinity term on the zone label is refused
(it would fight `zones`), and the affinity is checked as far as the merge with the zone pinning
relies on its shape; the API server checks the rest of the Kubernetes fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from traffic_edge._shared.checks import distinct, integer, is_list, labels, subdomain, unknown_keys
from traffic_edge._shared.problems import MapKey, Path, Problem, conflict, invalid
from traffic_edge._shared.tolerations import tolerations as _tolerations
from traffic_edge.squid_proxy.facts import HPA_STABILIZATION_MAX_SECONDS, ZONE_LABEL

_ZONES_OWN = "zones pins the pods to their zones; a second rule on the zone label would fight it"
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
