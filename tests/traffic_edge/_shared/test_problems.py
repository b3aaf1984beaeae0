"""The one problem grammar: four kinds, one rendering each, in the caller's vocabulary."""

from __future__ import annotations

import pytest

from traffic_edge._shared.problems import (
    ArgsError,
    Kind,
    MapKey,
    Path,
    conflict,
    invalid,
    missing,
    raise_if,
    unknown,
    without_knock_on,
)


def test_each_kind_renders_one_way() -> None:
    assert invalid("ports[0].port", 70000, "an integer port from 1 to 65535").render() == (
        "ports[0].port: 70000 is not allowed: an integer port from 1 to 65535"
    )
    assert missing("zones", "the zones the proxies spread over").render() == (
        "zones is required: the zones the proxies spread over"
    )
    assert unknown("alowed_domains", [], ["allowed_domains", "zones"]).render() == (
        "alowed_domains is not a known key: did you mean allowed_domains?"
    )
    assert conflict(
        "internal_ip", "10.0.0.4", "public_ip", "an internal load balancer has no public IP"
    ).render() == (
        "internal_ip: '10.0.0.4' conflicts with public_ip: an internal load balancer has no public IP"
    )


def test_the_stack_file_vocabulary_is_camel_case_with_yaml_values() -> None:
    p = invalid(Path((MapKey("traffic-edge:squid"), "allowed_source_cidrs", 0)), None, "a network")
    assert p.render("config") == "traffic-edge:squid.allowedSourceCidrs[0]: null is not allowed: a network"
    assert p.render() == "traffic-edge:squid.allowed_source_cidrs[0]: None is not allowed: a network"
    assert (
        invalid("create_namespace", True, "x").render("config") == "createNamespace: true is not allowed: x"
    )


def test_the_users_own_map_keys_are_never_recased() -> None:
    p = invalid("private_subnet_ids['ap_northeast_2a'][0]", "x", "a subnet id")
    assert p.path.parts == ("private_subnet_ids", MapKey("ap_northeast_2a"), 0)
    assert p.render("config") == "privateSubnetIds.ap_northeast_2a[0]: 'x' is not allowed: a subnet id"


def test_an_unknown_key_far_from_every_known_one_lists_them_in_the_callers_spelling() -> None:
    p = unknown("zzz", 1, ["allowed_domains", "zones"])
    assert p.render() == "zzz is not a known key: the known keys are allowed_domains, zones"
    assert p.render("config") == "zzz is not a known key: the known keys are allowedDomains, zones"


def test_a_suggestion_matches_either_spelling_of_the_known_key() -> None:
    assert unknown(Path((MapKey("allowedDomain"),)), [], ["allowed_domains"]).render("config") == (
        "allowedDomain is not a known key: did you mean allowedDomains?"
    )


def test_within_nests_both_keys_of_a_conflict() -> None:
    p = conflict("a", 1, "b", "why").within("outer[2]")
    assert (p.key, p.other) == ("outer[2].a", Path.of("outer[2].b"))


def test_a_misspelled_key_causes_no_knock_on_problem() -> None:
    typo = unknown("alowed_domains", ["x.com"], ["allowed_domains"])
    knock_on = missing("allowed_domains", "the destinations")
    unrelated = invalid("zones", [], "at least one zone")
    assert without_knock_on([typo, knock_on, unrelated]) == [typo, unrelated]


def test_args_error_lists_every_problem_numbered_under_where_it_happened() -> None:
    with pytest.raises(ArgsError) as err:
        raise_if("SquidProxy 'egress'", [invalid("a", 1, "x"), missing("b", "y")])
    assert (
        str(err.value)
        == "SquidProxy 'egress': 2 problems:\n  1. a: 1 is not allowed: x\n  2. b is required: y"
    )
    assert [p.kind for p in err.value.problems] == [Kind.INVALID, Kind.MISSING]
    raise_if("nothing", [])


def test_a_long_value_is_cut_and_says_how_long_it_was() -> None:
    from traffic_edge._shared.problems import SHOW_MAX, show

    text = show("x" * 500)
    assert len(text) == SHOW_MAX + len(" ... (502 characters)") - 5
    assert text.endswith("x ... (502 characters)")
    assert show("short") == "'short'"


def test_a_value_under_a_key_that_names_a_secret_is_never_shown() -> None:
    from traffic_edge._shared.problems import Secret, invalid

    assert invalid("redis.password", "hunter2", "a string").render("config") == (
        "redis.password: [secret] is not allowed: a string"
    )
    assert (
        invalid("tls_secret", "Bad_Name", "a name").render()
        == "tls_secret: 'Bad_Name' is not allowed: a name"
    )
    assert invalid("x", [Secret("hunter2"), "ok"], "a list").render("config") == (
        "x: [[secret], 'ok'] is not allowed: a list"
    )


def test_a_stack_file_message_spells_the_arg_names_it_mentions_in_camel_case() -> None:
    from traffic_edge._shared.problems import missing

    p = missing("ports[0].target_port", "the pod's port (or target_port_name: the pod's 'port_name')")
    assert p.render("config", keys={"target_port_name", "port_name"}) == (
        "ports[0].targetPort is required: the pod's port (or targetPortName: the pod's 'port_name')"
    )
    assert p.render("python", keys={"target_port_name"}).endswith(
        "(or target_port_name: the pod's 'port_name')"
    )


def test_a_sub_object_shown_whole_spells_its_arg_names_as_the_file_does() -> None:
    from traffic_edge._shared.problems import conflict

    p = conflict("bgp", {"my_asn": 1, "peers": [{"password_secret": "s", "x_y": 2}]}, "mode", "why")
    assert p.render("config", {"my_asn", "password_secret"}) == (
        "bgp: {myAsn: 1, peers: [{passwordSecret: 's', x_y: 2}]} conflicts with mode: why"
    )
    assert "my_asn" in p.render("python", {"my_asn"})
