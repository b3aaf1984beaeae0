"""The squid.conf generator on its own: rule order, options, and every bad input with its exact message."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from traffic_edge._shared.problems import Problem
from traffic_edge.squid_proxy.args import SquidConfArgs
from traffic_edge.squid_proxy.squid_conf import render_squid_conf, validate_squid_conf_args

BASE: SquidConfArgs = {"allowed_source_cidrs": ["10.0.0.0/16"], "allowed_domains": [".slack.com"]}


def directives(text: str, name: str) -> list[str]:
    return [line[len(name) + 1 :] for line in text.splitlines() if line.startswith(name + " ")]


def access_rules(text: str) -> list[str]:
    return directives(text, "http_access")


def acl(text: str, name: str) -> list[str]:
    """Values of `acl <name> <type> [flags] values...`, flags included."""
    for rest in directives(text, "acl"):
        parts = rest.split()
        if parts[0] == name:
            return parts[2:]
    raise AssertionError(f"no acl {name} in:\n{text}")


def test_allowlist_rules_in_squid_evaluation_order() -> None:
    text = render_squid_conf(
        {
            **BASE,
            "allowed_domains": [".slack.com", "hooks.example.com"],
            "allowed_destination_cidrs": ["203.0.113.0/24"],
        }
    )
    assert access_rules(text) == [
        "allow localhost manager",
        "deny manager",
        "deny !allowed_src",
        "deny CONNECT !tls_ports",
        "deny !CONNECT !http_ports",
        "deny !allowed_domains !allowed_nets",
        "deny to_localhost",
        "deny denied_dst",
        "allow allowed_src",
        "deny all",
    ]
    assert acl(text, "allowed_src") == ["10.0.0.0/16"]
    assert acl(text, "allowed_domains") == ["-n", ".slack.com", "hooks.example.com"]
    assert acl(text, "allowed_nets") == ["203.0.113.0/24"]
    assert acl(text, "tls_ports") == ["443"]
    assert acl(text, "http_ports") == ["80"]


def test_manager_rules_come_before_every_port_rule() -> None:
    # Below a port rule the exporter's request to :3128 itself is refused (research: 403 on 5.7).
    rules = access_rules(render_squid_conf({**BASE, "http_ports": [80, 8080], "tls_ports": [443, 8443]}))
    manager = max(i for i, r in enumerate(rules) if "manager" in r)
    ports = min(i for i, r in enumerate(rules) if "ports" in r)
    assert manager < ports


def test_domain_only_config_has_no_destination_network_acl() -> None:
    text = render_squid_conf(BASE)
    assert "allowed_nets" not in text
    assert "deny !allowed_domains" in access_rules(text)


def test_cidr_only_config_has_no_domain_acl() -> None:
    text = render_squid_conf(
        {"allowed_source_cidrs": ["10.0.0.0/8"], "allowed_destination_cidrs": ["203.0.113.7/32"]}
    )
    assert "dstdomain" not in text
    assert "deny !allowed_nets" in access_rules(text)


def test_tls_only_proxy_refuses_all_plain_http() -> None:
    text = render_squid_conf({**BASE, "http_ports": []})
    assert "deny !CONNECT" in access_rules(text)
    assert "acl http_ports" not in text


def test_no_tls_ports_refuses_every_connect() -> None:
    text = render_squid_conf({**BASE, "tls_ports": []})
    assert "deny CONNECT" in access_rules(text)
    assert "acl tls_ports" not in text


def test_metadata_and_link_local_addresses_are_denied_by_resolved_address() -> None:
    denied = [ipaddress.ip_network(v) for v in acl(render_squid_conf(BASE), "denied_dst")]
    for addr in (
        "169.254.169.254",
        "169.254.170.2",
        "fd00:ec2::254",
        "fe80::1",
        "168.63.129.16",
        "100.100.100.200",
    ):
        ip = ipaddress.ip_address(addr)
        assert any(ip in net for net in denied if net.version == ip.version), addr
    assert ipaddress.ip_address("198.18.0.2") not in ipaddress.ip_network("169.254.0.0/16")


def test_valid_for_squid_5_7_which_lacks_to_linklocal() -> None:
    text = render_squid_conf(BASE)
    assert not [line for line in text.splitlines() if "to_linklocal" in line and not line.startswith("#")]


def test_operational_options() -> None:
    text = render_squid_conf({**BASE, "shutdown_lifetime_seconds": 45, "workers": 3})
    assert directives(text, "shutdown_lifetime") == ["45 seconds"]
    assert directives(text, "workers") == ["3"]
    assert directives(text, "http_port") == ["3128"]
    assert directives(text, "cache") == ["deny all"]
    assert directives(text, "cache_mem") == ["0 MB"]
    assert "cache_dir" not in text
    assert directives(text, "access_log") == [
        "none localhost manager",
        "none !has_request",
        "stdio:/dev/stdout",
    ]
    assert directives(text, "cache_log") == ["/dev/stderr"]
    assert directives(text, "pid_filename") == ["/run/squid/squid.pid"]
    assert directives(text, "httpd_suppress_version_string") == ["on"]
    assert directives(text, "forwarded_for") == ["delete"]
    assert directives(text, "pinger_enable") == ["off"]


def test_defaults() -> None:
    text = render_squid_conf(BASE)
    assert directives(text, "shutdown_lifetime") == ["20 seconds"]
    assert directives(text, "workers") == ["1"]


def test_valid_args_have_no_problems() -> None:
    assert validate_squid_conf_args(BASE) == []
    assert (
        validate_squid_conf_args(
            {
                "allowed_source_cidrs": ["10.0.0.0/16", "fd00:10::/64"],
                "allowed_domains": [".slack.com", "hooks.example.com", ".a-b.example.org"],
                "allowed_destination_cidrs": ["203.0.113.0/24", "2001:db8::/32"],
                "http_ports": [],
                "tls_ports": [443, 8443],
                "shutdown_lifetime_seconds": 600,
                "workers": 32,
            }
        )
        == []
    )


def rendered(problems: list[Problem]) -> list[str]:
    return [p.render() for p in problems]


def test_every_problem_at_once_with_exact_messages() -> None:
    problems = validate_squid_conf_args(
        {
            "allowed_source_cidrs": ["10.0.0.1/16", "10.1.0.0/16"],
            "allowed_domains": [
                "*.slack.com",
                "API.slack.com",
                "169.254.169.254",
                ".com",
                "x",
                ".slack.com",
                3,
            ],  # type: ignore[list-item]
            "allowed_destination_cidrs": [
                "169.254.0.0/15",
                "127.0.0.0/8",
                "203.0.113.0/24",
                "203.0.113.0/24",
            ],
            "http_ports": [0, 80, True],  # type: ignore[list-item]
            "tls_ports": "443",  # type: ignore[typeddict-item]
            "shutdown_lifetime_seconds": 0,
            "workers": 0,
            "worker": 2,  # type: ignore[typeddict-unknown-key]
        }
    )
    domain_rule = (
        "a lowercase host name with at least two labels (api.slack.com), or a leading-dot suffix (.slack.com) "
        "that matches the domain and all its subdomains"
    )
    assert rendered(problems) == [
        "worker is not a known key: did you mean workers?",
        "allowed_source_cidrs[0]: '10.0.0.1/16' is not allowed: a network in CIDR form with no host bits set, "
        "like '10.0.0.0/16'",
        "allowed_domains[0]: '*.slack.com' is not allowed: a leading-dot suffix like '.slack.com' for the domain "
        "and its subdomains: Squid has no wildcards",
        f"allowed_domains[1]: 'API.slack.com' is not allowed: {domain_rule}",
        "allowed_domains[2]: '169.254.169.254' is not allowed: a host name, not an address: addresses belong in "
        "allowed_destination_cidrs",
        f"allowed_domains[3]: '.com' is not allowed: {domain_rule}",
        f"allowed_domains[4]: 'x' is not allowed: {domain_rule}",
        f"allowed_domains[6]: 3 is not allowed: {domain_rule}",
        "allowed_destination_cidrs[0]: '169.254.0.0/15' is not allowed: a network outside the always-denied "
        "link-local/metadata range 169.254.0.0/16",
        "allowed_destination_cidrs[1]: '127.0.0.0/8' is not allowed: a network outside loopback: Squid denies "
        "to_localhost",
        "allowed_destination_cidrs[3]: '203.0.113.0/24' is not allowed: an item listed once; it repeats "
        "allowed_destination_cidrs[2]",
        "http_ports[0]: 0 is not allowed: an integer port from 1 to 65535",
        "http_ports[2]: True is not allowed: an integer port from 1 to 65535",
        "tls_ports: '443' is not allowed: a list of TCP ports, like [443]",
        "shutdown_lifetime_seconds: 0 is not allowed: an integer from 1 to 600: 0 would cut in-flight requests "
        "on every rollout",
        "workers: 0 is not allowed: an integer from 1 to 32",
    ]


def test_repeats_are_named() -> None:
    problems = validate_squid_conf_args(
        {**BASE, "allowed_source_cidrs": ["10.1.0.0/16", "10.1.0.0/16"], "http_ports": [80, 80]}
    )
    assert rendered(problems) == [
        "allowed_source_cidrs[1]: '10.1.0.0/16' is not allowed: an item listed once; it repeats "
        "allowed_source_cidrs[0]",
        "http_ports[1]: 80 is not allowed: an item listed once; it repeats http_ports[0]",
    ]


@pytest.mark.parametrize(
    "sources",
    [
        ["0.0.0.0/0"],
        ["::/0"],
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["10.0.0.0/8", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"],
    ],
)
def test_sources_that_add_up_to_every_address_are_an_open_proxy(sources: list[str]) -> None:
    assert rendered(validate_squid_conf_args({**BASE, "allowed_source_cidrs": sources})) == [
        f"allowed_source_cidrs: {sources!r} is not allowed: client networks that leave some addresses out: every "
        "address would make an open proxy"
    ]


def test_destinations_that_add_up_to_every_address_are_refused_once() -> None:
    # Every address reaches the metadata ranges too; that is not reported again for each entry.
    for destinations in (["0.0.0.0/0"], ["0.0.0.0/1", "128.0.0.0/1", "203.0.113.0/24"], ["::/0"]):
        assert rendered(validate_squid_conf_args({**BASE, "allowed_destination_cidrs": destinations})) == [
            f"allowed_destination_cidrs: {destinations!r} is not allowed: destination networks that leave some "
            "addresses out: every address would let the clients reach anything"
        ]


def test_half_of_every_address_is_only_refused_where_it_reaches_a_denied_range() -> None:
    assert rendered(validate_squid_conf_args({**BASE, "allowed_destination_cidrs": ["128.0.0.0/1"]})) == [
        "allowed_destination_cidrs[0]: '128.0.0.0/1' is not allowed: a network outside the always-denied "
        "link-local/metadata range 169.254.0.0/16"
    ]


def test_overlapping_and_repeated_domains() -> None:
    problems = validate_squid_conf_args(
        {
            **BASE,
            "allowed_domains": ["api.slack.com", ".slack.com", "slack.com", ".slack.com", ".hooks.slack.com"],
        }
    )
    covered = (
        "conflicts with allowed_domains[1]: '.slack.com' already matches it, and Squid warns about overlapping "
        "dstdomain entries and keeps only one"
    )
    assert rendered(problems) == [
        f"allowed_domains[0]: 'api.slack.com' {covered}",
        f"allowed_domains[2]: 'slack.com' {covered}",
        "allowed_domains[3]: '.slack.com' is not allowed: an item listed once; it repeats allowed_domains[1]",
        f"allowed_domains[4]: '.hooks.slack.com' {covered}",
    ]


def test_a_lookalike_domain_is_not_an_overlap() -> None:
    # `.slack.com` does not match evilslack.com, so both are legitimate, separate entries.
    assert validate_squid_conf_args({**BASE, "allowed_domains": [".slack.com", "evilslack.com"]}) == []


def test_missing_sources_and_destinations() -> None:
    assert rendered(validate_squid_conf_args({})) == [  # type: ignore[typeddict-item]
        "allowed_source_cidrs is required: the client networks that may use the proxy",
        "allowed_domains is required: the hosts the proxy may reach (unless allowed_destination_cidrs lists "
        "networks)",
    ]
    assert rendered(
        validate_squid_conf_args({"allowed_source_cidrs": [], "allowed_domains": ["a.example.com"]})
    ) == [
        "allowed_source_cidrs: [] is not allowed: a list of client networks in CIDR form, at least 1, like "
        "['10.0.0.0/16']"
    ]
    nothing = "a proxy that may reach nothing is a misconfiguration"
    assert rendered(validate_squid_conf_args({**BASE, "allowed_domains": []})) == [
        f"allowed_domains: [] is not allowed: at least one destination here or in allowed_destination_cidrs: {nothing}"
    ]
    assert rendered(
        validate_squid_conf_args({"allowed_source_cidrs": ["10.0.0.0/16"], "allowed_destination_cidrs": []})
    ) == [
        f"allowed_destination_cidrs: [] is not allowed: at least one destination here or in allowed_domains: {nothing}"
    ]


def test_no_ports_at_all() -> None:
    assert rendered(validate_squid_conf_args({**BASE, "http_ports": [], "tls_ports": []})) == [
        "tls_ports: [] conflicts with http_ports: with no port in either list every request is refused"
    ]


_label = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
_domains = st.lists(
    st.tuples(st.booleans(), st.lists(_label, min_size=2, max_size=3)).map(
        lambda t: ("." if t[0] else "") + ".".join(t[1])
    ),
    max_size=6,
)
_cidrs = st.lists(st.integers(1, 200).map(lambda n: f"10.{n}.0.0/16"), min_size=1, max_size=4, unique=True)


@given(domains=_domains, sources=_cidrs, http=st.booleans(), tls=st.booleans(), workers=st.integers(1, 32))
def test_any_valid_config_is_never_an_open_proxy(
    domains: list[str], sources: list[str], http: bool, tls: bool, workers: int
) -> None:
    args: SquidConfArgs = {
        "allowed_source_cidrs": sources,
        "allowed_domains": domains,
        "allowed_destination_cidrs": [] if domains else ["203.0.113.0/24"],
        "http_ports": [80] if http else [],
        "tls_ports": [443] if tls or not http else [],
        "workers": workers,
    }
    if validate_squid_conf_args(args):
        return  # overlapping random domains: covered by the exact-message tests
    rules = access_rules(render_squid_conf(args))
    assert rules[-1] == "deny all"
    allows = [r for r in rules if r.startswith("allow")]
    assert allows == ["allow localhost manager", "allow allowed_src"]
    # Every destination, port and address check sits between the manager rules and the only client allow.
    assert (
        rules.index("deny !allowed_src") < rules.index("deny denied_dst") < rules.index("allow allowed_src")
    )
    assert all(re.fullmatch(r"(allow|deny) [!a-zA-Z_ ]+", r) for r in rules)


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "not-a-cidr", "", "10.0.0.0/255.0.0.1"])
def test_malformed_cidrs_are_named(bad: str) -> None:
    problems = validate_squid_conf_args({**BASE, "allowed_source_cidrs": [bad]})
    assert [(p.key, p.value) for p in problems] == [("allowed_source_cidrs[0]", bad)]


def test_a_bare_address_is_a_host_network() -> None:
    assert validate_squid_conf_args({**BASE, "allowed_source_cidrs": ["10.0.0.7"]}) == []
    assert acl(render_squid_conf({**BASE, "allowed_source_cidrs": ["10.0.0.7"]}), "allowed_src") == [
        "10.0.0.7/32"
    ]
