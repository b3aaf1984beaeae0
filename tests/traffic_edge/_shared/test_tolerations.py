"""The one toleration definition both SquidProxy and ProxyProtocolIngress use."""

from __future__ import annotations

from traffic_edge._shared.tolerations import manifest, tolerations


def test_valid_tolerations_have_no_problem_and_keep_their_fields_in_the_manifest() -> None:
    given = [
        {"key": "dedicated", "operator": "Equal", "value": "egress", "effect": "NoSchedule"},
        {"operator": "Exists"},
        {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "toleration_seconds": 30},
    ]
    assert tolerations(given) == []
    assert [manifest(t) for t in given][2] == {
        "key": "node.kubernetes.io/unreachable",
        "effect": "NoExecute",
        "tolerationSeconds": 30,
    }


def test_each_bad_field_is_named_where_it_is() -> None:
    found = [
        p.render() for p in tolerations([{"key": "a b", "toleration_seconds": -1, "effect": "NoExecute"}])
    ]
    assert found == [
        "tolerations[0].key: 'a b' is not allowed: a taint key: an optional DNS prefix and '/', then a name",
        "tolerations[0].toleration_seconds: -1 is not allowed: an integer of at least 0",
    ]
    assert [p.render() for p in tolerations("edge")] == [
        "tolerations: 'edge' is not allowed: a list of tolerations, each a map with key, operator, value and effect"
    ]
