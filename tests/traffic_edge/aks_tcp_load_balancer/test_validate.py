"""`validate_aks_tcp_load_balancer_args`: every problem at once, word for word, in the one grammar."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.aks_seed import seed
from tests.traffic_edge.aks_tcp_load_balancer.cases import without
from traffic_edge._shared.problems import ArgsError, Problem, invalid
from traffic_edge.aks_tcp_load_balancer.validate import validate_aks_tcp_load_balancer_args

WINDOW = "cloud-provider-azure rejects a probe window (interval x threshold) of 120 s or more, and "


def rendered(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_aks_tcp_load_balancer_args(args)]


def problems(**overrides: Any) -> list[str]:
    return rendered(seed(**overrides))


def test_seed_is_valid() -> None:
    assert validate_aks_tcp_load_balancer_args(seed()) == []


# --- probes and the probe window ---------------------------------------------------------------


def test_seed_interval_59_with_two_probes_passes_but_three_do_not() -> None:
    assert problems(probe_threshold=2) == []
    assert problems(probe_threshold=3) == [
        "probe_threshold: 3 is not allowed: a threshold of at most 2 (or an interval of at most 39 s): "
        + WINDOW
        + "59 s x 3 = 177 s"
    ]


def test_interval_of_60_fails_with_the_providers_default_two_probes_and_says_whose_two() -> None:
    assert problems(probe_interval_seconds=60) == [
        "probe_interval_seconds: 60 is not allowed: an interval of at most 59 s: "
        + WINDOW
        + "60 s x 2 (cloud-provider-azure's default) = 120 s"
    ]


def test_a_window_nothing_single_can_fix_asks_for_both() -> None:
    assert problems(probe_interval_seconds=70, probe_threshold=30) == [
        "probe_threshold: 30 is not allowed: an interval and a threshold whose product is below 120 s: "
        + WINDOW
        + "70 s x 30 = 2100 s"
    ]


def test_per_port_window_combines_with_the_global_setting() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_threshold": 3}]
    assert problems(ports=ports) == [
        "ports[0].probe_threshold: 3 is not allowed: a threshold of at most 2 (or an interval of at most 39 s): "
        + WINDOW
        + "59 s (probe_interval_seconds) x 3 = 177 s"
    ]
    # Local ignores per-port settings, so only their own range is checked.
    assert problems(ports=ports, external_traffic_policy="Local") == []


def test_a_wrong_global_setting_is_not_judged_again_in_each_ports_window() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_threshold": 3}]
    assert problems(ports=ports, probe_interval_seconds=4) == [
        "probe_interval_seconds: 4 is not allowed: an integer of at least 5: cloud-provider-azure's shortest "
        "probe interval, in seconds"
    ]
    # Nor with an unknown policy: whether the port's settings apply is not known.
    assert problems(ports=ports, external_traffic_policy="local") == [
        "external_traffic_policy: 'local' is not allowed: one of 'Cluster', 'Local'"
    ]


@given(interval=st.integers(5, 130), threshold=st.integers(2, 30))
def test_window_rule_holds_for_every_interval_and_threshold(interval: int, threshold: int) -> None:
    found = validate_aks_tcp_load_balancer_args(
        seed(probe_interval_seconds=interval, probe_threshold=threshold)
    )
    assert (found == []) == (interval * threshold < 120)
    if found:
        assert [p.key for p in found] == ["probe_threshold"]
        # What it suggests is valid and fits the window.
        for count in re.findall(r"a threshold of at most (\d+)", found[0].allowed):
            assert int(count) >= 2 and interval * int(count) < 120
        for seconds in re.findall(r"an interval of at most (\d+) s", found[0].allowed):
            assert int(seconds) >= 5 and int(seconds) * threshold < 120


# --- one bad value, one exact problem ------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"probe_interval_seconds": 4},
            "probe_interval_seconds: 4 is not allowed: an integer of at least 5: cloud-provider-azure's shortest "
            "probe interval, in seconds",
        ),
        (
            {"probe_threshold": 1},
            "probe_threshold: 1 is not allowed: an integer of at least 2: cloud-provider-azure rejects fewer probes",
        ),
        (
            {"probe_threshold": True},
            "probe_threshold: True is not allowed: an integer of at least 2: cloud-provider-azure rejects fewer "
            "probes",
        ),
        (
            {"tcp_idle_timeout_minutes": 3},
            "tcp_idle_timeout_minutes: 3 is not allowed: an integer from 4 to 100: the minutes cloud-provider-azure "
            "accepts",
        ),
        (
            {"tcp_idle_timeout_minutes": 101},
            "tcp_idle_timeout_minutes: 101 is not allowed: an integer from 4 to 100: the minutes "
            "cloud-provider-azure accepts",
        ),
        (
            {"external_traffic_policy": "local"},
            "external_traffic_policy: 'local' is not allowed: one of 'Cluster', 'Local'",
        ),
        (
            {"session_affinity": "Sticky"},
            "session_affinity: 'Sticky' is not allowed: one of 'None', 'ClientIP'",
        ),
        (
            {"frontend": "Public"},
            "frontend: 'Public' is not allowed: one of 'NewPublicIp', 'ExistingPublicIp', 'Internal'",
        ),
        (
            {"dns_label": "Kimmap"},
            "dns_label: 'Kimmap' is not allowed: a DNS label: 3-63 lower-case letters, digits and '-', starting "
            "with a letter, not ending in '-'",
        ),
        (
            {"location": "Korea Central"},
            "location: 'Korea Central' is not allowed: an Azure region name in lower case, like 'koreacentral'",
        ),
        (
            {"zones": "1,2,3"},
            "zones: '1,2,3' is not allowed: a list of availability zones from '1', '2', '3', or [] for a region "
            "without zones",
        ),
        (
            {"cluster_principal_id": "kimmap-aks-identity"},
            "cluster_principal_id: 'kimmap-aks-identity' is not allowed: the identity's principal (object) ID, a "
            "GUID; not its client ID or resource ID",
        ),
        (
            {"subscription_id": "sub-1"},
            "subscription_id: 'sub-1' is not allowed: a subscription ID: a GUID like "
            "'00000000-0000-0000-0000-000000000000'",
        ),
        (
            {"kubernetes_version": "2.0"},
            "kubernetes_version: '2.0' is not allowed: a 1.x AKS Kubernetes version, like '1.29' or '1.29.4'",
        ),
        (
            {"cloud_provider_version": "1.27"},
            "cloud_provider_version: '1.27' is not allowed: a 1.x cloud-provider-azure version with its patch, "
            "like '1.29.4'",
        ),
        (
            {"service_name": "Kimmap_TCP"},
            "service_name: 'Kimmap_TCP' is not allowed: a DNS-1035 label: a lower-case letter, then lower-case "
            "letters, digits and '-', at most 63 characters",
        ),
        (
            {"namespace": "Kimmap"},
            "namespace: 'Kimmap' is not allowed: a DNS-1123 label: lower-case letters, digits and '-', at most 63 "
            "characters",
        ),
        (
            {"create_namespace": "yes"},
            "create_namespace: 'yes' is not allowed: true or false",
        ),
        (
            {"selector": {}},
            "selector: {} is not allowed: a map of label keys to label values with at least 1 label",
        ),
        (
            {"selector": {"app": "kimmap backend"}},
            "selector.app: 'kimmap backend' is not allowed: a label value: at most 63 letters, digits, '-', '_' "
            "or '.', starting and ending alphanumeric",
        ),
        (
            {"network_resource_group": "rg-network."},
            "network_resource_group: 'rg-network.' is not allowed: an Azure resource group name: 1-90 letters, "
            "digits, '-', '_', '.', '(' and ')', not ending in '.'",
        ),
        (
            {"public_ip_name": "-pip"},
            "public_ip_name: '-pip' is not allowed: a public IP name: 1-80 letters, digits, '_', '.' and '-', "
            "starting with a letter or digit",
        ),
        (
            {"grant_network_contributor": "no"},
            "grant_network_contributor: 'no' is not allowed: true or false",
        ),
        (
            {"typo_key": 1},
            "typo_key is not a known key: the known keys are aks_cluster, allowed_ip_ranges, "
            "allowed_service_tags, cloud_provider_version, cluster_principal_id, create_namespace, "
            "deny_all_except_source_ranges, disable_tcp_reset, dns_label, dual_stack, "
            "external_traffic_policy, frontend, grant_network_contributor, health_probe_mode, internal_ip, "
            "internal_subnet, ip_tags, kubernetes_version, "
            "load_balancer_source_ranges, location, namespace, network_resource_group, ports, "
            "probe_interval_seconds, probe_threshold, public_ip_name, public_ip_name_ipv6, public_ip_prefix, "
            "public_ip_prefix_ipv6, public_ip_tags, selector, service_name, session_affinity, "
            "subscription_id, tcp_idle_timeout_minutes, zones",
        ),
    ],
)
def test_one_bad_value_gives_one_exact_problem(overrides: dict[str, Any], expected: str) -> None:
    assert problems(**overrides) == [expected]


def test_a_misspelled_key_suggests_the_key_it_meant_and_hides_what_that_caused() -> None:
    args = without("service_name", servce_name="kimmap-backend-tcp")
    assert rendered(args) == [
        "servce_name is not a known key: did you mean service_name?",
        "service_name is required: the name of the LoadBalancer Service",
    ]
    # The error the component raises reports the one mistake, not its knock-on.
    assert str(ArgsError("AksTcpLoadBalancer 'kimmap'", validate_aks_tcp_load_balancer_args(args))) == (
        "AksTcpLoadBalancer 'kimmap': 1 problem:\n  1. servce_name is not a known key: did you mean service_name?"
    )
    assert problems(probe_treshold=2) == ["probe_treshold is not a known key: did you mean probe_threshold?"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("service_name", "service_name is required: the name of the LoadBalancer Service"),
        ("namespace", "namespace is required: the namespace of the Service and of the workload it selects"),
        (
            "selector",
            "selector is required: the pod labels of the TCP server the Service sends traffic to, like "
            "{'app': 'kimmap-backend'}",
        ),
        (
            "ports",
            "ports is required: the TCP ports of the Service, each sent to a port of the selected pods",
        ),
        (
            "network_resource_group",
            "network_resource_group is required: the resource group of the public IP (or, for an internal load "
            "balancer, of the virtual network); the cluster's control-plane identity gets Network Contributor on it",
        ),
        ("public_ip_name", "public_ip_name is required: the name of the public IP to create"),
        (
            "location",
            "location is required: the Azure region of the new public IP: the cluster's region, like 'koreacentral'",
        ),
        (
            "kubernetes_version",
            "kubernetes_version is required: the AKS Kubernetes version (or cloud_provider_version): which "
            "annotations cloud-provider-azure honours depends on it",
        ),
        (
            "cluster_principal_id",
            "cluster_principal_id is required: the principal ID of the cluster's control-plane identity, which "
            "gets Network Contributor (or aks_cluster to look it up, or grant_network_contributor false)",
        ),
    ],
)
def test_a_missing_key_says_what_it_is_for(key: str, expected: str) -> None:
    assert rendered(without(key)) == [expected]


def test_an_adopted_public_ip_is_named_too() -> None:
    assert rendered(without("location", "public_ip_name", frontend="ExistingPublicIp")) == [
        "public_ip_name is required: the name of the existing public IP to adopt, in network_resource_group"
    ]


def test_all_problems_at_once_in_one_error() -> None:
    bad = seed(probe_interval_seconds=4, probe_threshold=1, tcp_idle_timeout_minutes=200, zones=["4"])
    error = ArgsError("AksTcpLoadBalancer 'tcp'", validate_aks_tcp_load_balancer_args(bad))
    assert str(error) == (
        "AksTcpLoadBalancer 'tcp': 4 problems:\n"
        "  1. zones[0]: '4' is not allowed: an availability zone: '1', '2' or '3'\n"
        "  2. probe_interval_seconds: 4 is not allowed: an integer of at least 5: cloud-provider-azure's "
        "shortest probe interval, in seconds\n"
        "  3. probe_threshold: 1 is not allowed: an integer of at least 2: cloud-provider-azure rejects fewer "
        "probes\n"
        "  4. tcp_idle_timeout_minutes: 200 is not allowed: an integer from 4 to 100: the minutes "
        "cloud-provider-azure accepts"
    )


def test_problem_keys_are_relative_for_the_stack_layer_prefix() -> None:
    found = validate_aks_tcp_load_balancer_args(seed(tcp_idle_timeout_minutes=3))
    assert [p.within("traffic-edge:aks") for p in found] == [
        invalid(
            "traffic-edge:aks.tcp_idle_timeout_minutes",
            3,
            "an integer from 4 to 100: the minutes cloud-provider-azure accepts",
        )
    ]
    assert isinstance(found[0], Problem)


# --- zones ---------------------------------------------------------------------------------------


def test_zones_are_1_2_3_each_once_and_only_what_the_user_wrote_is_judged() -> None:
    assert problems(zones=["1", "4", "1"]) == [
        "zones[1]: '4' is not allowed: an availability zone: '1', '2' or '3'",
        "zones[2]: '1' is not allowed: an item listed once; it repeats zones[0]",
    ]
    # A wrong zone listed twice is one mistake, reported where it is wrong.
    assert problems(zones=["4", "4"]) == [
        "zones[0]: '4' is not allowed: an availability zone: '1', '2' or '3'",
        "zones[1]: '4' is not allowed: an availability zone: '1', '2' or '3'",
    ]
    assert problems(zones=[]) == []


# --- ports ---------------------------------------------------------------------------------------


def test_ports_problems_are_all_reported_with_their_index() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888},
        {"name": "tcp-client", "port": 9999, "target_port": 0},
        {"name": "TCP_2", "port": 65536, "target_port": "8888"},
        {"name": "web", "port": 80, "target_port": 80, "probe_protocol": "Udp"},
        {"name": "tcp", "port": 81, "target_port": 81, "probe_request_path": "/healthz"},
        {
            "name": "http",
            "port": 82,
            "target_port": 82,
            "probe_protocol": "Http",
            "probe_request_path": "healthz",
        },
        {"name": "extra", "port": 83, "target_port": 83, "protocol": "UDP"},
        {
            "name": "tcp-probe",
            "port": 84,
            "target_port": 84,
            "probe_protocol": "Tcp",
            "probe_request_path": "/",
        },
    ]
    assert problems(ports=ports) == [
        "ports[1].port: 9999 is not allowed: a port number listed once; it repeats ports[0].port",
        "ports[1].name: 'tcp-client' is not allowed: a port name listed once; it repeats ports[0].name",
        "ports[1].target_port: 0 is not allowed: an integer port from 1 to 65535",
        "ports[2].name: 'TCP_2' is not allowed: an IANA service name: lower-case letters, digits and '-', at "
        "most 15 characters",
        "ports[2].port: 65536 is not allowed: an integer port from 1 to 65535",
        "ports[2].target_port: '8888' is not allowed: an integer port from 1 to 65535; a named pod port goes in "
        "target_port_name",
        "ports[3].probe_protocol: 'Udp' is not allowed: one of 'Tcp', 'Http', 'Https', in any case",
        "ports[4].probe_request_path: '/healthz' conflicts with ports[4].probe_protocol: a Tcp probe only "
        "connects, so a request path needs 'Http' or 'Https'; probe_protocol is 'Tcp' (the default)",
        "ports[5].probe_request_path: 'healthz' is not allowed: an absolute path without spaces, like '/healthz'",
        "ports[6].protocol is not a known key: the known keys are name, port, probe_interval_seconds, probe_protocol, probe_request_path, probe_threshold, target_port, target_port_name",
        "ports[7].probe_request_path: '/' conflicts with ports[7].probe_protocol: a Tcp probe only connects, so "
        "a request path needs 'Http' or 'Https'; probe_protocol is 'Tcp'",
    ]


def test_a_misspelled_port_key_suggests_the_right_one() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_prot": 8888}]
    found = validate_aks_tcp_load_balancer_args(seed(ports=ports))
    assert [p.render() for p in found] == [
        "ports[0].target_prot is not a known key: did you mean target_port?",
        "ports[0].target_port is required: the pod's port number the Service sends to (or target_port_name: the "
        "name of the pod's port)",
    ]
    assert str(ArgsError("AksTcpLoadBalancer 'kimmap'", found)).endswith(
        "1. ports[0].target_prot is not a known key: did you mean target_port?"
    )


def test_an_unknown_probe_protocol_does_not_also_judge_the_request_path_against_it() -> None:
    ports = [
        {"name": "web", "port": 80, "target_port": 80, "probe_protocol": "Grpc", "probe_request_path": "/ok"}
    ]
    assert problems(ports=ports) == [
        "ports[0].probe_protocol: 'Grpc' is not allowed: one of 'Tcp', 'Http', 'Https', in any case"
    ]


def test_a_port_needs_its_name_and_number() -> None:
    assert problems(ports=[{"target_port": 8888}]) == [
        "ports[0].name is required: the name of the Service port, like 'tcp-client'",
        "ports[0].port is required: the port the load balancer listens on",
    ]


def test_target_port_is_a_number_or_a_name_exactly_once() -> None:
    ports = [
        {"name": "none", "port": 1},
        {"name": "both", "port": 2, "target_port": 8888, "target_port_name": "tcp-server"},
        {"name": "name-in-number", "port": 3, "target_port": "tcp-server"},
        {"name": "float", "port": 4, "target_port": 8888.0},
        {"name": "bool", "port": 5, "target_port": True},
        {"name": "big", "port": 6, "target_port": 65536},
    ]
    assert problems(ports=ports) == [
        "ports[0].target_port is required: the pod's port number the Service sends to (or target_port_name: the "
        "name of the pod's port)",
        "ports[1].target_port_name: 'tcp-server' conflicts with ports[1].target_port: a Service port sends to one "
        "pod port, by number or by name",
        "ports[2].target_port: 'tcp-server' is not allowed: an integer port from 1 to 65535; a named pod port goes "
        "in target_port_name",
        "ports[3].target_port: 8888.0 is not allowed: an integer port from 1 to 65535",
        "ports[4].target_port: True is not allowed: an integer port from 1 to 65535",
        "ports[5].target_port: 65536 is not allowed: an integer port from 1 to 65535",
    ]


@pytest.mark.parametrize(
    "name",
    ["8888", "Admin", "tcp_server", "-tcp", "tcp-", "tcp--server", "a-very-long-port-name", "", 8888],
)
def test_target_port_name_must_be_a_kubernetes_port_name(name: object) -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port_name": name}]
    assert problems(ports=ports) == [
        f"ports[0].target_port_name: {name!r} is not allowed: the name of a pod's port: an IANA service name of at "
        "most 15 lower-case letters, digits and '-', with at least one letter and no '--'"
    ]


@pytest.mark.parametrize("name", ["a", "tcp-server", "h2c", "123456789abcdef"])
def test_target_port_name_accepts_every_kubernetes_port_name(name: str) -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port_name": name}]
    assert problems(ports=ports) == []


def test_a_port_that_is_not_a_mapping_names_both_target_keys() -> None:
    assert problems(ports=[9999]) == [
        "ports[0]: 9999 is not allowed: a port: a map with name, port and target_port or target_port_name"
    ]


def test_no_ports_is_an_error() -> None:
    assert problems(ports=[]) == [
        "ports: [] is not allowed: a list of at least one port, each a map with name, port and target_port or "
        "target_port_name"
    ]


def test_probe_protocol_accepts_any_case_like_the_provider() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "TCP"}]
    assert problems(ports=ports) == []


# --- client ranges -------------------------------------------------------------------------------


def test_source_restriction_is_never_both_and_networks_must_be_ipv4_without_host_bits() -> None:
    assert problems(
        load_balancer_source_ranges=["203.0.113.0/24", "203.0.113.5/24", "2001:db8::/32"],
        allowed_ip_ranges=["198.51.100.0/24"],
    ) == [
        "allowed_ip_ranges: ['198.51.100.0/24'] conflicts with load_balancer_source_ranges: cloud-provider-azure "
        "rejects a Service that sets both: keep one",
        "load_balancer_source_ranges[1]: '203.0.113.5/24' is not allowed: a network in CIDR form with no host bits "
        "set, like '10.0.0.0/16'",
        "load_balancer_source_ranges[2]: '2001:db8::/32' is not allowed: an IPv4 network: the load balancer's "
        "frontend is IPv4 unless dual_stack is true",
    ]


def test_a_network_listed_twice_names_the_first() -> None:
    assert problems(load_balancer_source_ranges=["203.0.113.0/24", "198.51.100.7/32", "203.0.113.0/24"]) == [
        "load_balancer_source_ranges[2]: '203.0.113.0/24' is not allowed: an item listed once; it repeats "
        "load_balancer_source_ranges[0]"
    ]


def test_an_empty_range_list_is_an_error() -> None:
    assert problems(load_balancer_source_ranges=[]) == [
        "load_balancer_source_ranges: [] is not allowed: a list of client networks in CIDR form, at least 1, like "
        "['10.0.0.0/16']"
    ]


OPEN = "which would leave the Service open to every address"
ALLOWED_FIX = "cloud-provider-azure 1.29.0 (backports 1.28.5, 1.27.13, 1.26.19, 1.25.24)"


@pytest.mark.parametrize(
    ("version_key", "version", "verdict"),
    [
        # before the change and its backports, at 1.29.0, at each backport's first patch, minor only
        ("cloud_provider_version", "1.28.4", "ignores it"),
        ("cloud_provider_version", "1.25.23", "ignores it"),
        ("kubernetes_version", "1.24", "ignores it"),
        ("cloud_provider_version", "v1.29.0", None),
        ("kubernetes_version", "1.29", None),
        ("cloud_provider_version", "1.28.5", None),
        ("cloud_provider_version", "1.27.13", None),
        ("cloud_provider_version", "1.26.19", None),
        ("cloud_provider_version", "1.25.24", None),
        ("kubernetes_version", "1.28", "may ignore it"),
    ],
)
def test_allowed_ip_ranges_need_a_provider_that_reads_them(
    version_key: str, version: str, verdict: str | None
) -> None:
    args = without("kubernetes_version", allowed_ip_ranges=["198.51.100.0/24"], **{version_key: version})
    minor = version.lstrip("v").split(".")[1]
    described = (
        f"cloud-provider-azure 1.{minor}.x (AKS 1.{minor})"
        if version_key == "kubernetes_version"
        else f"cloud-provider-azure {version.lstrip('v')}"
    )
    hedge = " (set cloud_provider_version to show the patch)" if verdict == "may ignore it" else ""
    assert rendered(args) == (
        []
        if verdict is None
        else [
            f"allowed_ip_ranges: ['198.51.100.0/24'] conflicts with {version_key}: {described} {verdict}, {OPEN}; "
            f"it needs {ALLOWED_FIX} or later{hedge}, and load_balancer_source_ranges works on every version"
        ]
    )


def test_allowed_ip_ranges_are_not_judged_against_a_version_that_does_not_parse() -> None:
    args = without("kubernetes_version", allowed_ip_ranges=["198.51.100.0/24"], cloud_provider_version="1.28")
    assert rendered(args) == [
        "cloud_provider_version: '1.28' is not allowed: a 1.x cloud-provider-azure version with its patch, like "
        "'1.29.4'"
    ]


def test_cloud_provider_version_wins_over_the_kubernetes_version() -> None:
    args = seed(
        kubernetes_version="1.28", cloud_provider_version="1.29.1", allowed_ip_ranges=["198.51.100.0/24"]
    )
    assert validate_aks_tcp_load_balancer_args(args) == []


# --- frontends -----------------------------------------------------------------------------------


def test_frontend_specific_keys_are_rejected_elsewhere() -> None:
    existing = without("location", frontend="ExistingPublicIp", zones=["1"], dns_label="kimmap")
    assert rendered(existing) == [
        "zones: ['1'] conflicts with frontend: it configures the public IP that only frontend 'NewPublicIp' "
        "creates, and frontend is 'ExistingPublicIp'",
        "dns_label: 'kimmap' conflicts with frontend: it configures the public IP that only frontend "
        "'NewPublicIp' creates, and frontend is 'ExistingPublicIp'",
    ]
    assert rendered(seed(frontend="Internal", internal_ip="8.8.8.8")) == [
        "public_ip_name: 'kimmap-tcp-pip' conflicts with frontend: an internal load balancer has no public IP",
        "location: 'koreacentral' conflicts with frontend: it configures the public IP that only frontend "
        "'NewPublicIp' creates, and frontend is 'Internal'",
        "internal_ip: '8.8.8.8' is not allowed: a private IPv4 address in the internal subnet",
    ]
    assert problems(internal_subnet="snet") == [
        "internal_subnet: 'snet' conflicts with frontend: it configures the internal load balancer that only "
        "frontend 'Internal' makes, and frontend is 'NewPublicIp' (the default)"
    ]


def test_an_unknown_frontend_is_the_only_frontend_problem() -> None:
    assert problems(frontend="internal", internal_ip="10.240.0.50") == [
        "frontend: 'internal' is not allowed: one of 'NewPublicIp', 'ExistingPublicIp', 'Internal'"
    ]


@pytest.mark.parametrize("ip", ["10.240.0.50.1", 167772160, "fd00::1"])
def test_internal_ip_is_a_private_ipv4_address_string(ip: object) -> None:
    args = without("public_ip_name", "location", frontend="Internal", internal_ip=ip)
    assert rendered(args) == [
        f"internal_ip: {ip!r} is not allowed: a private IPv4 address in the internal subnet"
    ]


# --- identity ------------------------------------------------------------------------------------


def test_principal_comes_from_exactly_one_place() -> None:
    cluster = {"name": "aks-kimmap", "resource_group_name": "rg-aks"}
    assert problems(aks_cluster=cluster) == [
        "aks_cluster: {'name': 'aks-kimmap', 'resource_group_name': 'rg-aks'} conflicts with cluster_principal_id: "
        "the control-plane identity comes from one place: its principal ID, or the cluster to look it up in"
    ]
    assert validate_aks_tcp_load_balancer_args(without("cluster_principal_id", aks_cluster=cluster)) == []


def test_the_cluster_to_look_up_is_checked_key_by_key() -> None:
    assert rendered(without("cluster_principal_id", aks_cluster={})) == [
        "aks_cluster.name is required: the AKS managed cluster's name",
        "aks_cluster.resource_group_name is required: the resource group of the managed cluster (not its node "
        "resource group)",
    ]
    cluster = {"name": "aks kimmap", "resource_group_name": "rg-aks", "resource_group": "rg-aks"}
    assert rendered(without("cluster_principal_id", aks_cluster=cluster)) == [
        "aks_cluster.resource_group is not a known key: did you mean resource_group_name?",
        "aks_cluster.name: 'aks kimmap' is not allowed: an AKS cluster name: 1-63 letters, digits, '-' and '_', "
        "starting with a letter or digit",
    ]
    assert rendered(without("cluster_principal_id", aks_cluster="aks-kimmap")) == [
        "aks_cluster: 'aks-kimmap' is not allowed: a map with the AKS cluster's name and resource_group_name"
    ]


def test_without_the_grant_the_identity_keys_are_dead_and_rejected() -> None:
    why = (
        "conflicts with grant_network_contributor: it only serves the Network Contributor role assignment, "
        "which grant_network_contributor false turns off"
    )
    assert problems(grant_network_contributor=False) == [
        f"cluster_principal_id: '11111111-2222-3333-4444-555555555555' {why}",
        f"subscription_id: '00000000-0000-0000-0000-000000000000' {why}",
    ]
    assert (
        validate_aks_tcp_load_balancer_args(
            without("cluster_principal_id", "subscription_id", grant_network_contributor=False)
        )
        == []
    )


# --- TCP reset -----------------------------------------------------------------------------------

TCP_RESET_FIX = "cloud-provider-azure 1.29.0 (backports 1.28.1, 1.27.9, 1.26.15, 1.25.19)"


@pytest.mark.parametrize(
    ("version_key", "version", "ok"),
    [
        ("cloud_provider_version", "1.28.0", False),
        ("cloud_provider_version", "1.27.8", False),
        ("cloud_provider_version", "1.24.22", False),
        ("kubernetes_version", "1.24", False),
        ("cloud_provider_version", "1.29.0", True),
        ("cloud_provider_version", "1.28.1", True),
        ("cloud_provider_version", "1.27.9", True),
        ("cloud_provider_version", "1.26.15", True),
        ("cloud_provider_version", "1.25.19", True),
        ("kubernetes_version", "1.27", True),  # minor only: a warning, see test_annotations
    ],
)
def test_disable_tcp_reset_needs_a_provider_that_reads_it(version_key: str, version: str, ok: bool) -> None:
    args = without("kubernetes_version", disable_tcp_reset=True, **{version_key: version})
    described = (
        f"cloud-provider-azure {version}"
        if version_key == "cloud_provider_version"
        else "cloud-provider-azure 1.24.x (AKS 1.24)"
    )
    assert rendered(args) == (
        []
        if ok
        else [
            f"disable_tcp_reset: True conflicts with {version_key}: {described} ignores it and keeps TCP reset on "
            f"for every TCP rule of a Standard load balancer; it needs {TCP_RESET_FIX} or later"
        ]
    )


def test_tcp_reset_left_on_is_fine_on_every_version_and_the_value_is_a_boolean() -> None:
    assert problems(disable_tcp_reset=False, kubernetes_version="1.22") == []
    assert problems(disable_tcp_reset="yes") == ["disable_tcp_reset: 'yes' is not allowed: true or false"]


# --- the cluster's health-probe mode -------------------------------------------------------------

SHARED_WHY = (
    "with health_probe_mode 'shared' and external_traffic_policy 'Cluster'{default}, {version} builds no health "
    "probe for this Service: the load balancer uses the cluster's one shared probe of kube-proxy (HTTP /healthz, "
    "5 s x 2 probes, fixed), so it would be ignored"
)


def test_shared_probe_mode_rejects_every_probe_setting_it_would_ignore() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "Tcp"},
        {
            "name": "admin",
            "port": 8443,
            "target_port": 8443,
            "probe_threshold": 1,
            "probe_request_path": "/x",
        },
    ]
    args = seed(health_probe_mode="shared", kubernetes_version="1.29", probe_threshold=2, ports=ports)
    why = SHARED_WHY.format(default=" (the default)", version="cloud-provider-azure 1.29.x (AKS 1.29)")
    assert rendered(args) == [
        f"probe_interval_seconds: 59 conflicts with health_probe_mode: {why}",
        f"probe_threshold: 2 conflicts with health_probe_mode: {why}",
        f"ports[0].probe_protocol: 'Tcp' conflicts with health_probe_mode: {why}",
        # the bad threshold and the path without Http are not judged: the settings are dropped anyway
        f"ports[1].probe_request_path: '/x' conflicts with health_probe_mode: {why}",
        f"ports[1].probe_threshold: 1 conflicts with health_probe_mode: {why}",
    ]


@pytest.mark.parametrize(
    ("version_key", "version", "rejected"),
    [
        ("cloud_provider_version", "1.29.0", True),
        ("cloud_provider_version", "1.28.5", True),
        ("kubernetes_version", "1.33", True),
        ("kubernetes_version", "1.28", False),  # minor only: written, and a warning says they may be ignored
    ],
)
def test_shared_probe_mode_boundaries(version_key: str, version: str, rejected: bool) -> None:
    args = without("kubernetes_version", health_probe_mode="Shared", **{version_key: version})
    described = (
        f"cloud-provider-azure {version}"
        if version_key == "cloud_provider_version"
        else f"cloud-provider-azure {version}.x (AKS {version})"
    )
    why = SHARED_WHY.format(default=" (the default)", version=described)
    assert rendered(args) == (
        [f"probe_interval_seconds: 59 conflicts with health_probe_mode: {why}"] if rejected else []
    )


@pytest.mark.parametrize(
    ("version_key", "version"), [("cloud_provider_version", "1.28.4"), ("kubernetes_version", "1.27")]
)
def test_shared_probe_mode_on_a_provider_without_it_is_an_error(version_key: str, version: str) -> None:
    args = without(
        "kubernetes_version", "probe_interval_seconds", health_probe_mode="shared", **{version_key: version}
    )
    described = (
        "cloud-provider-azure 1.28.4" if version == "1.28.4" else "cloud-provider-azure 1.27.x (AKS 1.27)"
    )
    assert rendered(args) == [
        f"health_probe_mode: 'shared' conflicts with {version_key}: {described} has no shared health-probe mode, "
        "so the cluster cannot be in it; it needs cloud-provider-azure 1.29.0 (backports 1.28.5) or later"
    ]


def test_shared_probe_mode_leaves_local_and_servicenodeport_alone() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "Tcp"}]
    local = seed(
        health_probe_mode="shared", kubernetes_version="1.30", external_traffic_policy="Local", ports=ports
    )
    assert rendered(local) == []
    assert problems(health_probe_mode="servicenodeport", ports=ports, kubernetes_version="1.22") == []


def test_an_unknown_probe_mode_is_named_with_the_upstream_values() -> None:
    assert problems(health_probe_mode="per-port") == [
        "health_probe_mode: 'per-port' is not allowed: one of 'servicenodeport', 'shared', in any case"
    ]
