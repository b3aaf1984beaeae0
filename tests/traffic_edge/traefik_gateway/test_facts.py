"""The pinned chart and the facts table: what a version bump must change on purpose."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.stacks import REPO
from tests.traffic_edge.traefik_gateway.cases import BEHIND_EDGE, MINIMAL, plan_of, with_
from traffic_edge.traefik_gateway import facts
from traffic_edge.traefik_gateway.facts import API_VERSION, CHART, CHART_REPO, CHART_VERSION
from traffic_edge.traefik_gateway.helm_values import helm_values
from traffic_edge.traefik_gateway.plan import gateway_names
from traffic_edge.traefik_gateway.validate import validate_traefik_args

DOC = REPO / "docs" / "traefik-gateway.md"
_MISSING = object()


def test_chart_is_pinned() -> None:
    assert (CHART, CHART_VERSION) == ("traefik", "41.3.0")
    assert CHART_REPO == "https://traefik.github.io/charts"
    assert API_VERSION == "traefik.io/v1alpha1"
    assert facts.TRAEFIK_VERSION == "v3.7.11"


def _at(values: dict[str, Any], dotted: str) -> Any:
    node: Any = values
    for key in dotted.replace("<entrypoint>", facts.WEBSECURE_ENTRYPOINT).split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


@pytest.mark.parametrize(("major", "old", "new"), facts.VALUE_RENAMES)
def test_the_values_use_each_renamed_value_by_its_41_name(major: int, old: str, new: str) -> None:
    values = helm_values(plan_of(BEHIND_EDGE))
    assert major >= facts.SCHEMA_ENFORCED_SINCE, "before 39 a stale key was ignored, not rejected"
    assert _at(values, old) is _MISSING, f"{old} was renamed to {new} in chart {major}"
    assert _at(values, new) is not _MISSING


def _version_notes_rows() -> dict[int, str]:
    section = DOC.read_text().split("## Chart version notes", 1)[1].split("\n## ", 1)[0]
    return {int(m[1]): m[2] for m in re.finditer(r"^\| (\d+) \| (.*) \|$", section, re.M)}


def test_the_docs_version_notes_match_the_renames_table() -> None:
    rows = _version_notes_rows()
    assert set(rows) == {major for major, _, _ in facts.VALUE_RENAMES}
    for major, old, new in facts.VALUE_RENAMES:
        assert f"`{old}` → `{new}`" in rows[major], (major, old, new)
    assert f"Since chart {facts.SCHEMA_ENFORCED_SINCE} the chart enforces its schema" in DOC.read_text()


def test_the_docs_prose_names_the_chart_ports() -> None:
    doc = DOC.read_text()
    assert f"The container listens on {facts.WEB_CONTAINER_PORT}." in doc
    assert f"The container listens on {facts.WEBSECURE_CONTAINER_PORT}." in doc
    assert f"container ports {facts.WEB_CONTAINER_PORT} and {facts.WEBSECURE_CONTAINER_PORT}" in doc
    assert f"The internal port ({facts.INTERNAL_CONTAINER_PORT}: ping and dashboard)" in doc
    assert f"the metrics port ({facts.METRICS_CONTAINER_PORT})" in doc


def test_the_values_and_objects_read_the_chart_defaults() -> None:
    values = helm_values(plan_of(with_(MINIMAL, websecure=True)))
    ports = values["ports"]
    assert set(ports) == {facts.INTERNAL_ENTRYPOINT, facts.METRICS_ENTRYPOINT, *facts.ENTRYPOINTS}
    assert ports[facts.WEB_ENTRYPOINT]["port"] == facts.WEB_CONTAINER_PORT
    assert ports[facts.WEBSECURE_ENTRYPOINT]["port"] == facts.WEBSECURE_CONTAINER_PORT
    assert ports[facts.INTERNAL_ENTRYPOINT]["port"] == facts.INTERNAL_CONTAINER_PORT
    assert values["podSecurityContext"]["runAsUser"] == facts.RUN_AS_ID
    assert values["deployment"]["readinessPath"] == values["deployment"]["livenessPath"] == facts.PING_PATH


def _chart_instance_name(release: str, namespace: str) -> str:
    """traefik.instance-name as the chart's helper computes it: trunc 63 | trimSuffix "-"."""
    name = f"{release}-{namespace}"[: facts.INSTANCE_NAME_MAX]
    return name.removesuffix("-")


def test_the_instance_label_is_the_charts_for_ordinary_names() -> None:
    for name, namespace in (("edge", "edge"), ("a" * 40, "b" * 30), ("a" * 54, "bb")):
        names = gateway_names(name, namespace)
        assert names.selector[facts.INSTANCE_LABEL] == _chart_instance_name(names.release, namespace)
        assert names.selector[facts.NAME_LABEL] == CHART


def test_a_cut_ending_in_two_dashes_is_the_charts_or_rejected() -> None:
    namespace = "a" * 48 + "--" + "b" * 5  # "edge-traefik-" + 48 + "--" = 63 characters
    names = gateway_names("edge", namespace)
    chart = _chart_instance_name(names.release, namespace)
    rejected = validate_traefik_args({"namespace": namespace}, "edge") != []
    assert rejected or names.selector[facts.INSTANCE_LABEL] == chart


def test_a_namespace_whose_cut_leaves_a_trailing_dash_is_rejected_by_name() -> None:
    namespace = "a" * 48 + "--" + "b" * 5
    problems = validate_traefik_args({"namespace": namespace}, "edge")
    assert [str(p.path) for p in problems] == ["namespace"]
    assert "ends in '-'" in problems[0].allowed
    assert validate_traefik_args({"namespace": "a" * 48 + "-" + "b" * 5}, "edge") == []
