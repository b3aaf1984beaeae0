"""Kubernetes name, label and quantity syntax."""

from __future__ import annotations

import pytest

from traffic_edge._shared.names import (
    DNS1035_LABEL,
    DNS1123_LABEL,
    LABEL_KEY,
    cpu_millis,
    is_int,
    memory_bytes,
)


def test_quantities() -> None:
    assert memory_bytes("256Mi") == 256 * 2**20
    assert memory_bytes("1G") == 10**9
    assert memory_bytes("1024") == 1024
    assert cpu_millis("250m") == 250
    assert cpu_millis("1.5") == 1500
    with pytest.raises(ValueError):
        memory_bytes("1Xi")


@pytest.mark.parametrize(
    ("key", "ok"),
    [("app", True), ("app.kubernetes.io/name", True), ("a/b/c", False), ("-a", False), ("x" * 64, False)],
)
def test_label_keys(key: str, ok: bool) -> None:
    assert (LABEL_KEY.match(key) is not None) is ok


def test_service_names_start_with_a_letter_other_names_may_not() -> None:
    assert DNS1123_LABEL.match("1abc") and not DNS1035_LABEL.match("1abc")


def test_a_bool_is_not_an_int() -> None:
    assert is_int(3) and not is_int(True) and not is_int(3.0)
