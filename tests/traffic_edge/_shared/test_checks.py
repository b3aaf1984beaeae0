"""The shared checks: each returns the problems of one rule, in the one grammar."""

from __future__ import annotations

import pytest

from traffic_edge._shared import checks
from traffic_edge._shared.problems import without_knock_on


def rendered(problems: list[checks.Problem]) -> list[str]:
    return [p.render() for p in problems]


@pytest.mark.parametrize(
    "cidrs",
    [
        ["0.0.0.0/0"],
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["::/1", "8000::/1"],
        ["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1"],
    ],
)
def test_a_list_that_together_covers_every_address_is_refused_however_it_is_spelt(cidrs: list[str]) -> None:
    assert rendered(
        checks.cidr_list(cidrs, "sources", what="client networks", every_address="an open proxy")
    ) == [f"sources: {cidrs!r} is not allowed: client networks that leave some addresses out: an open proxy"]


def test_a_list_that_leaves_one_address_out_is_not_everyone() -> None:
    assert checks.cidr_list(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"], "s", every_address="x") == []
    assert checks.cidr_list(["0.0.0.0/1", "128.0.0.0/2"], "s", every_address="x") == []


def test_cidr_items_are_checked_one_by_one_then_for_repeats() -> None:
    assert rendered(checks.cidr_list(["10.0.0.1/8", 7, "10.1.0.0/16"], "c")) == [
        "c[0]: '10.0.0.1/8' is not allowed: a network in CIDR form with no host bits set, like '10.0.0.0/16'",
        "c[1]: 7 is not allowed: a network in CIDR form with no host bits set, like '10.0.0.0/16'",
    ]
    assert rendered(checks.cidr_list(["10.0.0.0/8", "10.0.0.0/8"], "c")) == [
        "c[1]: '10.0.0.0/8' is not allowed: an item listed once; it repeats c[0]"
    ]
    assert rendered(checks.cidr_list("10.0.0.0/8", "c", at_least=1)) == [
        "c: '10.0.0.0/8' is not allowed: a list of networks in CIDR form, at least 1, like ['10.0.0.0/16']"
    ]


def test_unknown_keys_suggest_the_nearest_known_key() -> None:
    assert rendered(checks.unknown_keys({"replica": 3, "zones": []}, ["replicas", "zones"], "squid")) == [
        "squid.replica is not a known key: did you mean replicas?"
    ]


@pytest.mark.parametrize(
    ("value", "ok"),
    [(True, False), (0, False), (1, True), (65535, True), (65536, False), ("80", False)],
)
def test_port_is_an_int_never_a_bool(value: object, ok: bool) -> None:
    assert (checks.port(value, "p") == []) is ok


@pytest.mark.parametrize(
    ("image", "ok"),
    [
        ("docker.io/library/haproxy:2.6", True),
        ("ubuntu/squid:6.13-25.04_beta", True),
        ("registry.local:5000/squid:6.13", True),
        ("haproxy@sha256:" + "a" * 64, True),
        ("haproxy:latest", False),
        ("haproxy", False),
        ("registry.local:5000/squid", False),
        ("Haproxy:2.6", False),
    ],
)
def test_images_are_pinned_by_tag_or_digest(image: str, ok: bool) -> None:
    assert (checks.image(image, "image") == []) is ok


def test_labels_check_keys_and_values() -> None:
    assert rendered(checks.labels({"app.kubernetes.io/name": "x", "bad key": "y", "k": "-v"}, "l")) == [
        "l: 'bad key' is not allowed: label keys: an optional DNS prefix and '/', then a name",
        "l.k: '-v' is not allowed: a label value: at most 63 letters, digits, '-', '_' or '.', "
        "starting and ending alphanumeric",
    ]


def test_integer_ranges_say_what_is_allowed() -> None:
    assert rendered(checks.integer(0, "r", 1)) == ["r: 0 is not allowed: an integer of at least 1"]
    assert rendered(checks.integer(True, "r", 1, 5)) == ["r: True is not allowed: an integer from 1 to 5"]
    assert checks.integer(3, "r", 1, 5) == []


def test_a_list_of_names_with_a_repeat() -> None:
    assert rendered(checks.label_list(["apps", "apps"], "ns", "namespace names", at_least=1)) == [
        "ns[1]: 'apps' is not allowed: an item listed once; it repeats ns[0]"
    ]
    assert rendered(checks.label_list([], "ns", "namespace names", at_least=1)) == [
        "ns: [] is not allowed: a list of namespace names, at least 1"
    ]


def test_a_typo_of_a_key_the_user_also_wrote_does_not_hide_that_keys_problems() -> None:
    given = {"max_replicas": 0, "max_replica": 1}
    found = checks.unknown_keys(given, ["max_replicas", "target_cpu_percent"], "a")
    found += checks.integer(given["max_replicas"], "a.max_replicas", 1)
    assert rendered(without_knock_on(found)) == [
        "a.max_replica is not a known key: did you mean max_replicas?",
        "a.max_replicas: 0 is not allowed: an integer of at least 1",
    ]


def test_integers_never_go_beyond_kubernetes_int32() -> None:
    assert checks.integer(2**31 - 1, "replicas", lo=1) == []
    [p] = checks.integer(2**31, "replicas", lo=1)
    assert p.render() == (
        "replicas: 2147483648 is not allowed: an integer of at most 2147483647: the Kubernetes field is an int32"
    )


def test_a_component_name_is_as_long_as_its_longest_derived_name_allows() -> None:
    derived = [
        checks.Derived("{}-gateway-pp", "the gateway Service"),
        checks.Derived("{}-x", "an object", 253),
    ]
    assert checks.component_name("a" * 52, "name", derived, service=True) == []
    [p] = checks.component_name("a" * 53, "name", derived, service=True)
    assert p.render() == (
        f"name: '{'a' * 53}' is not allowed: a DNS-1035 label of at most 52 characters: it makes the gateway "
        f"Service '{'a' * 53}-gateway-pp', 64 characters of at most 63"
    )
    [p] = checks.component_name("9abc", "name", derived, service=True)
    assert "a lower-case letter, then" in p.render()
    assert checks.component_name("9abc", "name", derived, service=False) == []
