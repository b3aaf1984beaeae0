"""The pinned chart: what a version bump must change on purpose."""

from __future__ import annotations

from traffic_edge.traefik_gateway.facts import API_VERSION, CHART, CHART_REPO, CHART_VERSION


def test_chart_is_pinned() -> None:
    assert (CHART, CHART_VERSION) == ("traefik", "41.3.0")
    assert CHART_REPO == "https://traefik.github.io/charts"
    assert API_VERSION == "traefik.io/v1alpha1"
