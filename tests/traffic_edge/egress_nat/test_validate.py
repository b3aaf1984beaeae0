"""`validate_egress_nat_args`: every problem at once, each in the one grammar, no knock-on ones."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.traffic_edge.egress_nat.seed import A, B, C, alloc, rtb, seed_args, sub
from traffic_edge._shared.problems import ArgsError, Kind, MapKey, raise_if
from traffic_edge.egress_nat.args import NatStrategy
from traffic_edge.egress_nat.plan import plan_egress_nat
from traffic_edge.egress_nat.validate import validate_egress_nat_args


def rendered(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_egress_nat_args(args)]


def test_seed_shape_is_valid() -> None:
    assert validate_egress_nat_args(seed_args()) == []


def test_a_zone_may_use_existing_route_tables_while_another_gets_created_ones() -> None:
    args = seed_args(private_subnet_ids={A: [sub(11)]}, private_route_table_ids={C: [rtb(1), rtb(2)]})
    assert validate_egress_nat_args(args) == []


@pytest.mark.parametrize(
    ("over", "message"),
    [
        (
            {"vpc_id": "vpc-12"},
            "vpc_id: 'vpc-12' is not allowed: a VPC id: 'vpc-' followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"public_subnet_ids": {A: "subnet-0ABCDEF01", C: sub(3)}},
            "public_subnet_ids.ap-northeast-2a: 'subnet-0ABCDEF01' is not allowed: a subnet id: 'subnet-' "
            "followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)]}, "private_route_table_ids": {C: ["rtb-xyz"]}},
            "private_route_table_ids.ap-northeast-2c[0]: 'rtb-xyz' is not allowed: a route table id: 'rtb-' "
            "followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"adopted_eip_allocation_ids": {A: ["eipalloc-1"]}},
            "adopted_eip_allocation_ids.ap-northeast-2a[0]: 'eipalloc-1' is not allowed: an EIP allocation "
            "id: 'eipalloc-' followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"zones": [A, "ap-northeast-2"]},
            "zones[1]: 'ap-northeast-2' is not allowed: an Availability Zone name, like 'ap-northeast-2a' "
            "(Local and Wavelength Zones are not supported)",
        ),
        (
            {"zones": []},
            "zones: [] is not allowed: a non-empty list of Availability Zone names, like ['ap-northeast-2a']",
        ),
        (
            {"public_subnet_ids": {A: sub(1)}},
            "public_subnet_ids.ap-northeast-2c is required: the public subnet that hosts the NAT gateway of "
            "ap-northeast-2c (strategy OnePerZone has one in every zone)",
        ),
        (
            {"public_subnet_ids": {A: sub(1), C: sub(3), B: sub(2)}},
            "public_subnet_ids.ap-northeast-2b: 'subnet-00000000000000002' is not allowed: an entry for a "
            "zone listed in zones ('ap-northeast-2a', 'ap-northeast-2c')",
        ),
        (
            {"public_subnet_ids": []},
            "public_subnet_ids: [] is not allowed: a map of zone to the public subnet id that hosts its NAT "
            "gateway, like {'ap-northeast-2a': 'subnet-...'}",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)]}},
            "private_subnet_ids.ap-northeast-2c is required: the private routing of ap-northeast-2c to its "
            "NAT gateway: its private subnets, or else an entry in private_route_table_ids",
        ),
        (
            {"private_subnet_ids": None, "private_route_table_ids": {A: [rtb(1)]}},
            "private_route_table_ids.ap-northeast-2c is required: the private routing of ap-northeast-2c to "
            "its NAT gateway: its existing route tables, or else an entry in private_subnet_ids",
        ),
        (
            {"private_subnet_ids": {A: [], C: [sub(13)]}},
            "private_subnet_ids.ap-northeast-2a: [] is not allowed: a non-empty list of subnet ids",
        ),
        (
            {"private_subnet_ids": "subnet-0000000000000000b"},
            "private_subnet_ids: 'subnet-0000000000000000b' is not allowed: a map of zone to a list of subnet "
            "ids, like {'ap-northeast-2a': [...]}",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)], C: [sub(13)]}, "private_route_table_ids": {C: [rtb(1)]}},
            "private_subnet_ids.ap-northeast-2c: ['subnet-0000000000000000d'] conflicts with "
            "private_route_table_ids.ap-northeast-2c: a zone routes either through its existing route tables "
            "or through one created for its subnets",
        ),
        (
            {"private_subnet_ids": {A: [sub(11)], C: [sub(11)]}},
            "private_subnet_ids.ap-northeast-2c[0]: 'subnet-0000000000000000b' is not allowed: a subnet "
            "listed once; it repeats private_subnet_ids.ap-northeast-2a[0]",
        ),
        (
            {"private_subnet_ids": {A: [sub(1)], C: [sub(13)]}},
            "private_subnet_ids.ap-northeast-2a[0]: 'subnet-00000000000000001' is not allowed: a subnet "
            "listed once; it repeats public_subnet_ids.ap-northeast-2a",
        ),
        (
            {"public_subnet_ids": {A: sub(1), C: sub(1)}},
            "public_subnet_ids.ap-northeast-2c: 'subnet-00000000000000001' is not allowed: a subnet listed "
            "once; it repeats public_subnet_ids.ap-northeast-2a",
        ),
        (
            {"private_subnet_ids": None, "private_route_table_ids": {A: [rtb(1)], C: [rtb(1)]}},
            "private_route_table_ids.ap-northeast-2c[0]: 'rtb-00000000000000001' is not allowed: a route "
            "table listed once; it repeats private_route_table_ids.ap-northeast-2a[0]",
        ),
        (
            {"strategy": "PerAz"},
            "strategy: 'PerAz' is not allowed: one of 'OnePerZone', 'Single', 'Regional'",
        ),
        (
            {"secondary_eips_per_nat": 8},
            "secondary_eips_per_nat: 8 is not allowed: an integer from 0 to 7: AWS allows 1 primary and at "
            "most 7 secondary IPs per NAT gateway",
        ),
        (
            {"adopted_eip_allocation_ids": {A: [alloc(1), alloc(2)]}},
            "adopted_eip_allocation_ids.ap-northeast-2a: ['eipalloc-00000000000000001', "
            "'eipalloc-00000000000000002'] is not allowed: at most 1 allocation id: without "
            "secondary_eips_per_nat a NAT gateway has only its primary IP",
        ),
        (
            {"adopted_eip_allocation_ids": {A: [alloc(1), alloc(2), alloc(3)]}, "secondary_eips_per_nat": 1},
            "adopted_eip_allocation_ids.ap-northeast-2a: ['eipalloc-00000000000000001', "
            "'eipalloc-00000000000000002', 'eipalloc-00000000000000003'] conflicts with "
            "secondary_eips_per_nat: a NAT gateway has 1 primary and 1 secondary IP, so at most 2 adopted ids",
        ),
        (
            {"adopted_eip_allocation_ids": {A: [alloc(1)], C: [alloc(1)]}},
            "adopted_eip_allocation_ids.ap-northeast-2c[0]: 'eipalloc-00000000000000001' is not allowed: an "
            "EIP allocation listed once; it repeats adopted_eip_allocation_ids.ap-northeast-2a[0]",
        ),
        (
            {"alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:ops"},
            "alarm_topic_arn: 'arn:aws:sns:us-east-1:123456789012:ops' is not allowed: a topic in the NAT "
            "gateways' region ap-northeast-2: CloudWatch alarms only notify topics in their own region",
        ),
        (
            {"alarm_topic_arn": "ops-topic"},
            "alarm_topic_arn: 'ops-topic' is not allowed: an SNS topic ARN, like "
            "'arn:aws:sns:ap-northeast-2:123456789012:edge-alerts'",
        ),
        (
            {"alarms": False, "alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123456789012:ops"},
            "alarm_topic_arn: 'arn:aws:sns:ap-northeast-2:123456789012:ops' conflicts with alarms: only the "
            "alarms notify the topic, and they are off",
        ),
        (
            {"alarms": "yes"},
            "alarms: 'yes' is not allowed: true or false",
        ),
        (
            {"expected_gb_per_month": -1},
            "expected_gb_per_month: -1 is not allowed: a number of GB from 0 to less than 1,000,000,000: what "
            "all NAT gateways process together in a month",
        ),
        (
            {"expected_gb_per_month": True},
            "expected_gb_per_month: True is not allowed: a number of GB from 0 to less than 1,000,000,000: "
            "what all NAT gateways process together in a month",
        ),
        (
            {"tags": {"Name": "egress"}},
            "tags: 'Name' is not allowed: tag keys other than Name: the component sets Name on each resource "
            "(<name>-nat-<zone>, ...)",
        ),
        (
            {"tags": {"aws:owner": "x"}},
            "tags: 'aws:owner' is not allowed: tag keys of 1 to 128 characters, not starting with 'aws:' (AWS "
            "reserves it)",
        ),
        (
            {"tags": {"team": "x" * 257}},
            # A long value is cut: its first 195 characters, then how long it was.
            f"tags.team: '{'x' * 194} ... (259 characters) is not allowed: a tag value: a string of at most 256 "
            "characters",
        ),
        (
            {"tags": {f"k{i}": "v" for i in range(41)}},
            "tags: "
            + ("{" + ", ".join(f"'k{i}': 'v'" for i in range(41)) + "}")[:195]
            + " ... (482 characters) is not allowed: at most 40 tags: AWS allows 50 per resource, and the "
            "component adds Name",
        ),
        (
            {"tags": ["team"]},
            "tags: ['team'] is not allowed: a map of tag key to tag value",
        ),
        (
            {
                "ipam_pool_id": "ipam-pool-07ccc86aa41bef7ce",
                "public_ipv4_pool": "ipv4pool-ec2-0123456789abcdef0",
            },
            "ipam_pool_id: 'ipam-pool-07ccc86aa41bef7ce' conflicts with public_ipv4_pool: an Elastic IP is "
            "allocated from one pool, either the BYOIP pool or the IPAM pool",
        ),
        (
            {"ipam_pool_id": "ipam-07ccc86aa41bef7ce"},
            "ipam_pool_id: 'ipam-07ccc86aa41bef7ce' is not allowed: an IPAM pool id: 'ipam-pool-' followed by "
            "lowercase hex digits",
        ),
        (
            {"public_ipv4_pool": "amazon"},
            "public_ipv4_pool: 'amazon' is not allowed: an EC2 public IPv4 (BYOIP) pool id: 'ipv4pool-ec2-' "
            "followed by lowercase hex digits",
        ),
        (
            {"strategy": "Regional"},
            "public_subnet_ids: {'ap-northeast-2a': 'subnet-00000000000000001', 'ap-northeast-2c': "
            "'subnet-00000000000000003'} conflicts with strategy: strategy Regional has no public subnets: its "
            "NAT gateway attaches to the VPC, and AWS takes no subnet_id with availability mode regional",
        ),
        (
            {"natGateways": 2},
            "natGateways is not a known key: the known keys are adopted_eip_allocation_ids, alarm_topic_arn, "
            "alarms, expected_gb_per_month, ipam_pool_id, private_route_table_ids, private_subnet_ids, "
            "public_ipv4_pool, public_subnet_ids, secondary_eips_per_nat, strategy, tags, vpc_id, zones",
        ),
    ],
)
def test_one_bad_value_gives_one_exact_message(over: dict[str, Any], message: str) -> None:
    assert rendered(seed_args(**over)) == [message]


def test_single_takes_exactly_one_public_subnet_and_adopts_only_in_its_zone() -> None:
    both = seed_args(strategy="Single")
    assert rendered(both) == [
        "public_subnet_ids: {'ap-northeast-2a': 'subnet-00000000000000001', 'ap-northeast-2c': "
        "'subnet-00000000000000003'} conflicts with strategy: Single has one NAT gateway, so exactly one "
        "public subnet, for a zone of zones"
    ]
    legacy = seed_args(
        strategy=NatStrategy.SINGLE,
        public_subnet_ids={C: sub(3)},
        adopted_eip_allocation_ids={A: [alloc(1)], C: [alloc(2)]},
    )
    assert rendered(legacy) == [
        "adopted_eip_allocation_ids.ap-northeast-2a: ['eipalloc-00000000000000001'] is not allowed: an entry "
        "for a zone that hosts a NAT gateway; with strategy Single only 'ap-northeast-2c' does"
    ]
    # Both legacy tinyproxy IPs survive on the single NAT when the second becomes its secondary.
    kept = seed_args(
        strategy="Single",
        public_subnet_ids={C: sub(3)},
        adopted_eip_allocation_ids={C: [alloc(2), alloc(1)]},
        secondary_eips_per_nat=1,
    )
    assert validate_egress_nat_args(kept) == []


def test_missing_required_args_and_every_problem_at_once() -> None:
    problems = validate_egress_nat_args(
        {"zones": [A, A, "us-east-1b"], "secondary_eips_per_nat": True, "alarms": "yes"}
    )
    assert [p.render() for p in problems] == [
        "vpc_id is required: the existing VPC (vpc-...) the private route tables are created in",
        "zones[1]: 'ap-northeast-2a' is not allowed: an item listed once; it repeats zones[0]",
        "zones: ['ap-northeast-2a', 'ap-northeast-2a', 'us-east-1b'] is not allowed: zones of one region: "
        "these span ap-northeast-2, us-east-1",
        "public_subnet_ids is required: the public subnet (subnet-...) of each zone that hosts a NAT gateway",
        "secondary_eips_per_nat: True is not allowed: an integer from 0 to 7: AWS allows 1 primary and at "
        "most 7 secondary IPs per NAT gateway",
        "alarms: 'yes' is not allowed: true or false",
    ]
    assert [p.kind for p in problems][:1] == [Kind.MISSING]
    with pytest.raises(ArgsError) as err:
        raise_if("EgressNatGateways 'egress'", problems)
    assert str(err.value).startswith(
        "EgressNatGateways 'egress': 6 problems:\n  1. vpc_id is required: the existing VPC"
    )


# --- misspelled keys and knock-on problems ---------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("vpcid", "vpc_id"),
        ("zone", "zones"),
        ("stratgy", "strategy"),
        ("private_subnet_id", "private_subnet_ids"),
        ("secondary_eip_per_nat", "secondary_eips_per_nat"),
    ],
)
def test_a_misspelled_key_suggests_the_right_one_and_nothing_else(typo: str, meant: str) -> None:
    args = seed_args(strategy="Single", public_subnet_ids={C: sub(3)})
    if meant == "secondary_eips_per_nat":
        args["adopted_eip_allocation_ids"] = {C: [alloc(1), alloc(2)]}
    args[typo] = args.pop(meant) if meant in args else 1
    (problem,) = validate_egress_nat_args(args)
    assert problem.render() == f"{typo} is not a known key: did you mean {meant}?"


def test_a_misspelled_key_is_suggested_in_the_stack_files_spelling_too() -> None:
    args = seed_args()
    args["private_subnet_id"] = args.pop("private_subnet_ids")
    (problem,) = validate_egress_nat_args(args)
    assert problem.render("config") == "privateSubnetId is not a known key: did you mean privateSubnetIds?"


def test_a_bad_zone_list_hides_every_check_of_the_zone_maps_against_it() -> None:
    # The maps name zones a and c, the topic another region: judged against the broken zone list
    # they would all be wrong.
    topic = "arn:aws:sns:us-east-1:123456789012:ops"
    assert rendered(seed_args(zones=[A, "apne2-az1"], alarm_topic_arn=topic)) == [
        "zones[1]: 'apne2-az1' is not allowed: an Availability Zone name, like 'ap-northeast-2a' (Local and "
        "Wavelength Zones are not supported)",
    ]
    # A repeated malformed zone is reported once per place, not once more as a repeat.
    assert [p.key for p in validate_egress_nat_args(seed_args(zones=["x", "x"]))] == ["zones[0]", "zones[1]"]


def test_a_broken_input_reports_nothing_derived_from_it() -> None:
    # A bad strategy: no public-subnet rule of either strategy is applied.
    assert [
        p.key for p in validate_egress_nat_args(seed_args(strategy="PerAz", public_subnet_ids={A: sub(1)}))
    ] == ["strategy"]
    # A private_subnet_ids that is no map: no zone is then "missing" its routing.
    assert [p.key for p in validate_egress_nat_args(seed_args(private_subnet_ids=[sub(11)]))] == [
        "private_subnet_ids"
    ]
    # A bad secondary count: the adopted ids are not counted against it.
    bad = seed_args(secondary_eips_per_nat=9, adopted_eip_allocation_ids={A: [alloc(1), alloc(2)]})
    assert [p.key for p in validate_egress_nat_args(bad)] == ["secondary_eips_per_nat"]
    # An entry for a zone not in zones is reported once, its ids not judged.
    foreign = seed_args(private_subnet_ids={A: [sub(11)], C: [sub(13)], B: ["subnet-nope"]})
    assert rendered(foreign) == [
        "private_subnet_ids.ap-northeast-2b: ['subnet-nope'] is not allowed: an entry for a zone listed in "
        "zones ('ap-northeast-2a', 'ap-northeast-2c')"
    ]


def test_defaults_the_user_did_not_write_are_never_judged_as_written() -> None:
    # Without secondary_eips_per_nat there is no key to conflict with: the limit itself is stated.
    (unwritten,) = validate_egress_nat_args(seed_args(adopted_eip_allocation_ids={A: [alloc(1), alloc(2)]}))
    assert unwritten.kind is Kind.INVALID and unwritten.other is None
    (written,) = validate_egress_nat_args(
        seed_args(adopted_eip_allocation_ids={A: [alloc(1), alloc(2)]}, secondary_eips_per_nat=0)
    )
    assert written.kind is Kind.CONFLICT and written.other is not None
    assert written.other.render("config") == "secondaryEipsPerNat"
    # alarms defaults to true: a topic without it is fine, and only an explicit false conflicts.
    topic = "arn:aws:sns:ap-northeast-2:123456789012:ops"
    assert validate_egress_nat_args(seed_args(alarm_topic_arn=topic)) == []
    assert validate_egress_nat_args(seed_args(alarm_topic_arn=topic, alarms=True)) == []


def test_zone_and_tag_keys_are_the_users_data_and_never_re_cased() -> None:
    (subnet,) = validate_egress_nat_args(seed_args(public_subnet_ids={A: "subnet-x", C: sub(3)}))
    assert subnet.path.parts == ("public_subnet_ids", A)
    assert isinstance(subnet.path.parts[1], MapKey)
    (tag,) = validate_egress_nat_args(seed_args(tags={"cost_center": 7}))
    assert (
        tag.render("config")
        == "tags.cost_center: 7 is not allowed: a tag value: a string of at most 256 characters"
    )
    (route,) = validate_egress_nat_args(seed_args(private_subnet_ids={A: [sub(11)]}))
    assert route.render("config").startswith("privateSubnetIds.ap-northeast-2c is required: ")


# --- any input -------------------------------------------------------------------------------

ZONE_NAMES = st.sampled_from([A, B, C, "us-east-1a", "apne2-az1", ""])
IDS = st.sampled_from([sub(1), sub(2), rtb(1), alloc(1), alloc(2), "vpc-0123456789abcdef0", "x"])
ANY = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 10) | st.floats(allow_nan=True) | IDS | ZONE_NAMES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ZONE_NAMES | IDS, inner, max_size=3),
    max_leaves=8,
)
ID_LISTS = st.dictionaries(ZONE_NAMES, st.lists(IDS, max_size=3) | ANY, max_size=3)
FINE = {
    "private_route_table_ids": st.just({A: [rtb(1)], C: [rtb(2)]}),
    "strategy": st.sampled_from(list(NatStrategy)),
    "adopted_eip_allocation_ids": st.just({C: [alloc(1)]}),
    "secondary_eips_per_nat": st.integers(0, 7),
    "alarms": st.booleans(),
    "alarm_topic_arn": st.just("arn:aws:sns:ap-northeast-2:123456789012:ops"),
    "expected_gb_per_month": st.integers(0, 10**6) | st.floats(0, 10**6),
    "tags": st.dictionaries(st.sampled_from(["team", "env"]), st.sampled_from(["a", ""])),
}
"""Values that are often valid on the seed, so that some examples get as far as the plan."""
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "vpc_id": IDS | ANY,
    "zones": st.lists(ZONE_NAMES, max_size=3) | ANY,
    "public_subnet_ids": st.dictionaries(ZONE_NAMES, IDS, max_size=3) | ANY,
    "private_route_table_ids": ID_LISTS | ANY,
    "private_subnet_ids": ID_LISTS | ANY,
    "strategy": st.sampled_from(["OnePerZone", "Single", "PerAz"]) | ANY,
    "adopted_eip_allocation_ids": ID_LISTS | ANY,
    "secondary_eips_per_nat": st.integers(-1, 9) | ANY,
    "alarms": ANY,
    "alarm_topic_arn": st.just("arn:aws:sns:ap-northeast-2:123456789012:ops") | ANY,
    "expected_gb_per_month": ANY,
    "tags": st.dictionaries(st.sampled_from(["Name", "team", "aws:x", ""]), ANY, max_size=3) | ANY,
    "zone": ANY,
}
"""Anything, per key."""


@st.composite
def any_args(draw: st.DrawFn) -> dict[str, Any]:
    """The seed with some keys dropped and some set to anything: valid often enough to plan."""
    args = seed_args()
    for key in draw(st.sets(st.sampled_from(sorted(args)), max_size=1)):
        del args[key]
    for key in draw(st.sets(st.sampled_from(sorted(FINE)))):
        args[key] = draw(FINE[key])
    for key in draw(st.sets(st.sampled_from(sorted(VALUES)), max_size=2)):
        args[key] = draw(VALUES[key])
    return args


@settings(max_examples=500, deadline=None)
@given(any_args())
def test_any_input_gives_problems_or_a_plan_never_an_exception(args: dict[str, Any]) -> None:
    problems = validate_egress_nat_args(args)
    for problem in problems:
        assert problem.render() and problem.render("config")
    if not problems:
        plan = plan_egress_nat("egress", args)
        assert set(plan.zones) == {r.zone for r in plan.route_tables}


def test_regional_needs_no_public_subnet_and_takes_adopted_ips_in_every_zone() -> None:
    args = seed_args(
        strategy="Regional",
        adopted_eip_allocation_ids={A: [alloc(1)], C: [alloc(3)]},
        ipam_pool_id="ipam-pool-07ccc86aa41bef7ce",
    )
    del args["public_subnet_ids"]
    assert validate_egress_nat_args(args) == []
    # Without a strategy it is OnePerZone, which does need them.
    del args["strategy"]
    assert rendered(args) == [
        "public_subnet_ids is required: the public subnet (subnet-...) of each zone that hosts a NAT gateway"
    ]
