"""Kubernetes versions parse and order numerically."""

from __future__ import annotations

import pytest

from traffic_edge._shared.versions import KubeVersion


@pytest.mark.parametrize(
    ("text", "parsed"), [("1.33", (1, 33, 0)), ("v1.31.2", (1, 31, 2)), (" 1.9 ", (1, 9, 0))]
)
def test_parse(text: str, parsed: tuple[int, int, int]) -> None:
    v = KubeVersion.parse(text)
    assert (v.major, v.minor, v.patch) == parsed


def test_order_is_numeric_not_textual() -> None:
    assert KubeVersion.parse("1.9") < KubeVersion.parse("1.10") < KubeVersion.parse("1.10.1")
    assert str(KubeVersion.parse("1.30.0")) == "1.30"
    assert str(KubeVersion.parse("1.30.4")) == "1.30.4"


@pytest.mark.parametrize("text", ["1", "1.x", "latest", "1.30.1.2", None])
def test_not_a_version(text: object) -> None:
    assert KubeVersion.try_parse(text) is None
