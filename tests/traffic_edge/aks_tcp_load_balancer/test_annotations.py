"""The pure AKS load-balancer planner: annotations, Service manifest, validation messages,
version boundaries and the role-assignment helpers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.kube_schema import validate_manifest
from tests.support.aks_seed import PRINCIPAL, SUBSCRIPTION, seed
from traffic_edge._shared.problems import ArgsError, Problem
from traffic_edge.aks_tcp_load_balancer.annotations import (
    LOCAL_PROBE_SETTINGS,
    NUM_OF_PROBE,
    ProviderVersion,
    Support,
    build_namespace_manifest,
    control_plane_principal_id,
    plan_service,
    resource_group_scope,
    role_assignment_name,
    role_definition_id,
    validate_aks_tcp_load_balancer_args,
    version_warnings,
)

S = "service.beta.kubernetes.io/"


def problems(**overrides: Any) -> list[str]:
    return [p.render() for p in validate_aks_tcp_load_balancer_args(seed(**overrides))]


def without(*keys: str, **overrides: Any) -> dict[str, Any]:
    args = seed()
    for key in keys:
        del args[key]
    args.update(overrides)
    return args


# --- annotations and manifest --------------------------------------------------------------------


def test_seed_service_has_exact_annotations_and_spec() -> None:
    plan = plan_service(seed())
    assert plan.service == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kimmap-backend-tcp",
            "namespace": "kimmap",
            "annotations": {
                S + "azure-load-balancer-resource-group": "rg-network",
                S + "azure-pip-name": "kimmap-tcp-pip",
                S + "azure-load-balancer-health-probe-interval": "59",
                S + "port_9999_health-probe_protocol": "Tcp",
            },
        },
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "kimmap-backend"},
            "ports": [{"name": "tcp-client", "protocol": "TCP", "port": 9999, "targetPort": 8888}],
            "externalTrafficPolicy": "Cluster",
            "sessionAffinity": "None",
        },
    }
    assert plan.annotations == plan.service["metadata"]["annotations"]
    assert plan.namespace is None
    assert plan.warnings == []


def test_every_port_gets_its_own_probe_annotations_with_cluster_policy() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888},
        {
            "name": "admin",
            "port": 8443,
            "target_port_name": "admin",
            "probe_protocol": "Https",
            "probe_request_path": "/ready",
            "probe_interval_seconds": 10,
            "probe_threshold": 3,
        },
        {"name": "game", "port": 7000, "target_port": 7000, "probe_protocol": "TCP", "probe_threshold": 2},
    ]
    plan = plan_service(seed(ports=ports, probe_threshold=2, tcp_idle_timeout_minutes=30))
    assert plan.annotations == {
        S + "azure-load-balancer-resource-group": "rg-network",
        S + "azure-pip-name": "kimmap-tcp-pip",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "azure-load-balancer-health-probe-num-of-probe": "2",
        S + "port_9999_health-probe_protocol": "Tcp",
        S + "port_8443_health-probe_protocol": "Https",
        S + "port_8443_health-probe_request-path": "/ready",
        S + "port_8443_health-probe_interval": "10",
        S + "port_8443_health-probe_num-of-probe": "3",
        S + "port_7000_health-probe_protocol": "Tcp",
        S + "port_7000_health-probe_num-of-probe": "2",
        S + "azure-load-balancer-tcp-idle-timeout": "30",
    }
    assert [p["targetPort"] for p in plan.service["spec"]["ports"]] == [8888, "admin", 7000]
    assert plan.warnings == []


def test_local_policy_drops_per_port_probe_annotations_keeps_global_and_says_so() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "Tcp"},
        {"name": "other", "port": 9998, "target_port": 8887},
        {
            "name": "third",
            "port": 9997,
            "target_port": 8886,
            "probe_interval_seconds": 7,
            "probe_threshold": 4,
        },
    ]
    plan = plan_service(seed(ports=ports, external_traffic_policy="Local", probe_threshold=2))
    assert plan.annotations == {
        S + "azure-load-balancer-resource-group": "rg-network",
        S + "azure-pip-name": "kimmap-tcp-pip",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "azure-load-balancer-health-probe-num-of-probe": "2",
    }
    assert plan.service["spec"]["externalTrafficPolicy"] == "Local"
    tail = (
        "not applied: with external_traffic_policy Local the load balancer probes kube-proxy with HTTP GET "
        "/healthz on the healthCheckNodePort for every port, and cloud-provider-azure ignores per-port probe "
        "annotations for it; the global probe_interval_seconds / probe_threshold apply instead."
    )
    assert plan.warnings == [
        f"ports[0]: probe_protocol {tail}",
        f"ports[2]: probe_interval_seconds, probe_threshold {tail}",
    ]


def test_session_affinity_and_source_ranges_go_to_the_spec() -> None:
    plan = plan_service(
        seed(session_affinity="ClientIP", load_balancer_source_ranges=["203.0.113.0/24", "198.51.100.7/32"])
    )
    spec = plan.service["spec"]
    assert spec["sessionAffinity"] == "ClientIP"
    assert spec["loadBalancerSourceRanges"] == ["203.0.113.0/24", "198.51.100.7/32"]
    assert S + "azure-allowed-ip-ranges" not in plan.annotations


def test_allowed_ip_ranges_become_one_comma_separated_annotation() -> None:
    plan = plan_service(
        seed(allowed_ip_ranges=["203.0.113.0/24", "198.51.100.7/32"], kubernetes_version="1.29")
    )
    assert plan.annotations[S + "azure-allowed-ip-ranges"] == "203.0.113.0/24,198.51.100.7/32"
    assert "loadBalancerSourceRanges" not in plan.service["spec"]


def test_internal_frontend_has_no_public_ip_annotations() -> None:
    args = without(
        "public_ip_name",
        "location",
        frontend="Internal",
        internal_subnet="snet-aks-ilb",
        internal_ip="10.240.0.50",
    )
    plan = plan_service(args)
    assert plan.annotations == {
        S + "azure-load-balancer-internal": "true",
        S + "azure-load-balancer-internal-subnet": "snet-aks-ilb",
        S + "azure-load-balancer-ipv4": "10.240.0.50",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "port_9999_health-probe_protocol": "Tcp",
    }


def test_existing_public_ip_is_named_the_same_way() -> None:
    plan = plan_service(without("location", frontend="ExistingPublicIp"))
    assert plan.annotations[S + "azure-pip-name"] == "kimmap-tcp-pip"
    assert plan.annotations[S + "azure-load-balancer-resource-group"] == "rg-network"


@pytest.mark.parametrize(("minutes", "warns"), [(4, False), (30, False), (31, True), (100, True)])
def test_idle_timeout_above_the_documented_30_minutes_warns(minutes: int, warns: bool) -> None:
    plan = plan_service(seed(tcp_idle_timeout_minutes=minutes))
    assert plan.annotations[S + "azure-load-balancer-tcp-idle-timeout"] == str(minutes)
    expected = [
        f"tcp_idle_timeout_minutes {minutes}: cloud-provider-azure accepts up to 100, but the AKS documentation "
        "still gives 30 minutes as the maximum for load-balancing rules; check the applied rule after deploying."
    ]
    assert plan.warnings == (expected if warns else [])


def test_created_namespace_enforces_restricted_pod_security() -> None:
    plan = plan_service(seed(create_namespace=True))
    assert plan.namespace == build_namespace_manifest("kimmap")
    assert plan.namespace["metadata"]["labels"] == {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }


@pytest.mark.parametrize("kube", ["1.25", "1.30", "1.33"])
def test_manifests_are_valid_kubernetes_objects(kube: str) -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888},
        {"name": "admin", "port": 8443, "target_port_name": "admin", "probe_protocol": "Http"},
    ]
    for args in (
        seed(ports=ports, create_namespace=True, session_affinity="ClientIP"),
        seed(external_traffic_policy="Local", load_balancer_source_ranges=["203.0.113.0/24"]),
    ):
        plan = plan_service(args)
        assert validate_manifest(plan.service, kube) == []
        if plan.namespace:
            assert validate_manifest(plan.namespace, kube) == []


# --- validation ------------------------------------------------------------------------------------


def test_seed_is_valid() -> None:
    assert validate_aks_tcp_load_balancer_args(seed()) == []


def test_seed_interval_59_with_two_probes_passes_but_three_do_not() -> None:
    assert problems(probe_threshold=2) == []
    assert problems(probe_threshold=3) == [
        "probe_threshold: 3 is not allowed: interval 59 s x threshold 3 = 177 s, and cloud-provider-azure "
        "rejects a probe window of 120 s or more: lower the interval to at most 39 s or the threshold to at most 2"
    ]


def test_interval_of_60_fails_with_the_default_two_probes() -> None:
    assert problems(probe_interval_seconds=60) == [
        "probe_interval_seconds: 60 is not allowed: interval 60 s x threshold 2 = 120 s, and cloud-provider-azure "
        "rejects a probe window of 120 s or more: lower the interval to at most 59 s"
    ]


def test_per_port_window_combines_with_the_global_setting() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_threshold": 3}]
    assert problems(ports=ports) == [
        "ports[0].probe_threshold: 3 is not allowed: interval 59 s x threshold 3 = 177 s, and cloud-provider-azure "
        "rejects a probe window of 120 s or more: lower the interval to at most 39 s or the threshold to at most 2"
    ]
    # Local ignores per-port settings, so only their own range is checked.
    assert problems(ports=ports, external_traffic_policy="Local") == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"probe_interval_seconds": 4},
            "probe_interval_seconds: 4 is not allowed: use a whole number of seconds >= 5",
        ),
        (
            {"probe_threshold": 1},
            "probe_threshold: 1 is not allowed: use a whole number >= 2 (cloud-provider-azure rejects fewer probes)",
        ),
        (
            {"probe_threshold": True},
            "probe_threshold: True is not allowed: use a whole number >= 2 (cloud-provider-azure rejects fewer probes)",
        ),
        (
            {"tcp_idle_timeout_minutes": 3},
            "tcp_idle_timeout_minutes: 3 is not allowed: use a whole number of minutes from 4 to 100",
        ),
        (
            {"tcp_idle_timeout_minutes": 101},
            "tcp_idle_timeout_minutes: 101 is not allowed: use a whole number of minutes from 4 to 100",
        ),
        (
            {"external_traffic_policy": "local"},
            "external_traffic_policy: 'local' is not allowed: use one of 'Cluster', 'Local'",
        ),
        (
            {"session_affinity": "Sticky"},
            "session_affinity: 'Sticky' is not allowed: use one of 'None', 'ClientIP'",
        ),
        (
            {"frontend": "Public"},
            "frontend: 'Public' is not allowed: use one of 'NewPublicIp', 'ExistingPublicIp', 'Internal'",
        ),
        (
            {"zones": ["1", "4", "1"]},
            "zones[1]: '4' is not allowed: use '1', '2' or '3'",
        ),
        (
            {"dns_label": "Kimmap"},
            "dns_label: 'Kimmap' is not allowed: use 3-63 lowercase letters, digits and '-', starting with a letter",
        ),
        (
            {"location": "Korea Central"},
            "location: 'Korea Central' is not allowed: give the Azure region of the cluster in lowercase, "
            "e.g. 'koreacentral'",
        ),
        (
            {"cluster_principal_id": "kimmap-aks-identity"},
            "cluster_principal_id: 'kimmap-aks-identity' is not allowed: use the identity's principal (object) "
            "ID, a GUID; not its client ID or resource ID",
        ),
        (
            {"subscription_id": "sub-1"},
            "subscription_id: 'sub-1' is not allowed: use the subscription ID, a GUID",
        ),
        (
            {"kubernetes_version": "2.0"},
            "kubernetes_version: '2.0' is not allowed: use a 1.x version such as '1.29' or '1.29.4'",
        ),
        (
            {"cloud_provider_version": "1.27"},
            "cloud_provider_version: '1.27' is not allowed: use a 1.x version such as '1.29.4'",
        ),
        (
            {"service_name": "Kimmap_TCP"},
            "service_name: 'Kimmap_TCP' is not allowed: use a DNS-1035 label: lowercase letters, digits and '-', "
            "starting with a letter, at most 63",
        ),
        (
            {"selector": {}},
            "selector: {} is not allowed: give the pod labels of the workload, e.g. {'app': 'kimmap-backend'}",
        ),
        (
            {"network_resource_group": "rg-network."},
            "network_resource_group: 'rg-network.' is not allowed: use an Azure resource group name: 1-90 letters, "
            "digits, '-_.()', not ending in '.'",
        ),
        (
            {"public_ip_name": "-pip"},
            "public_ip_name: '-pip' is not allowed: give the public IP name: 1-80 letters, digits, '_.-', "
            "starting with a letter or digit",
        ),
        (
            {"typo_key": 1},
            "typo_key: 1 is not allowed: unknown key; known keys: aks_cluster, allowed_ip_ranges, "
            "cloud_provider_version, cluster_principal_id, create_namespace, dns_label, external_traffic_policy, frontend, "
            "grant_network_contributor, internal_ip, internal_subnet, kubernetes_version, "
            "load_balancer_source_ranges, location, namespace, network_resource_group, ports, "
            "probe_interval_seconds, probe_threshold, public_ip_name, selector, service_name, session_affinity, "
            "subscription_id, tcp_idle_timeout_minutes, zones",
        ),
    ],
)
def test_one_bad_value_gives_one_exact_problem(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert found[:1] == [expected]
    assert len(found) == (2 if overrides.get("zones") == ["1", "4", "1"] else 1)


def test_repeated_zone_is_reported_too() -> None:
    assert problems(zones=["1", "4", "1"])[1] == "zones[2]: '1' is not allowed: list each zone once"


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
    ]
    assert problems(ports=ports) == [
        "ports[1].port: 9999 is not allowed: already used by ports[0]; use each port once",
        "ports[1].name: 'tcp-client' is not allowed: already used by ports[0]; use each name once",
        "ports[1].target_port: 0 is not allowed: use a port number from 1 to 65535",
        "ports[2].name: 'TCP_2' is not allowed: use an IANA service name: lowercase letters, digits and '-', "
        "at most 15 characters",
        "ports[2].port: 65536 is not allowed: use a port number from 1 to 65535",
        "ports[2].target_port: '8888' is not allowed: use a port number from 1 to 65535 (an integer); a named "
        "pod port goes in target_port_name",
        "ports[3].probe_protocol: 'Udp' is not allowed: use one of 'Tcp', 'Http', 'Https'",
        "ports[4].probe_request_path: '/healthz' is not allowed: only used with probe_protocol 'Http' or "
        "'Https'; a Tcp probe only connects",
        "ports[5].probe_request_path: 'healthz' is not allowed: use an absolute path such as '/healthz'",
        "ports[6].protocol: 'UDP' is not allowed: unknown key; known keys: name, port, probe_interval_seconds, "
        "probe_protocol, probe_request_path, probe_threshold, target_port, target_port_name",
    ]


def test_target_port_by_name_goes_to_the_manifest_as_the_name() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port_name": "tcp-server"}]
    args = seed(ports=ports)
    assert validate_aks_tcp_load_balancer_args(args) == []
    plan = plan_service(args)
    assert plan.service["spec"]["ports"] == [
        {"name": "tcp-client", "protocol": "TCP", "port": 9999, "targetPort": "tcp-server"}
    ]
    # The probe annotations follow the Service port, whichever way the pod port is named.
    assert plan.annotations[S + "port_9999_health-probe_protocol"] == "Tcp"


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
        "ports[0].target_port: None is not allowed: give target_port (the pod's port number, 1-65535) or "
        "target_port_name (the name of the pod's port)",
        "ports[1].target_port_name: 'tcp-server' is not allowed: give either target_port (the pod's port number) "
        "or target_port_name (the name of the pod's port), not both",
        "ports[2].target_port: 'tcp-server' is not allowed: use a port number from 1 to 65535 (an integer); a "
        "named pod port goes in target_port_name",
        "ports[3].target_port: 8888.0 is not allowed: use a port number from 1 to 65535",
        "ports[4].target_port: True is not allowed: use a port number from 1 to 65535",
        "ports[5].target_port: 65536 is not allowed: use a port number from 1 to 65535",
    ]


@pytest.mark.parametrize(
    "name",
    ["8888", "Admin", "tcp_server", "-tcp", "tcp-", "tcp--server", "a-very-long-port-name", "", 8888],
)
def test_target_port_name_must_be_a_kubernetes_port_name(name: object) -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port_name": name}]
    assert problems(ports=ports) == [
        f"ports[0].target_port_name: {name!r} is not allowed: use the name of the pod's port: an IANA service "
        "name of at most 15 lowercase letters, digits and '-', with at least one letter and no '--'"
    ]


def test_a_port_that_is_not_a_mapping_names_both_target_keys() -> None:
    assert problems(ports=[9999]) == [
        "ports[0]: 9999 is not allowed: use a mapping with name, port and target_port or target_port_name"
    ]


@pytest.mark.parametrize("name", ["a", "tcp-server", "h2c", "123456789abcdef"])
def test_target_port_name_accepts_every_kubernetes_port_name(name: str) -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port_name": name}]
    assert problems(ports=ports) == []


def test_no_ports_is_an_error() -> None:
    assert problems(ports=[]) == [
        "ports: [] is not allowed: give at least one port, e.g. [{name: tcp-client, port: 9999, targetPort: 8888}]"
    ]


def test_source_restriction_is_never_both_and_cidrs_must_be_valid() -> None:
    assert problems(
        load_balancer_source_ranges=["203.0.113.0/24", "203.0.113.5/24", "2001:db8::/32", "203.0.113.0/24"],
        allowed_ip_ranges=["198.51.100.0/24"],
    ) == [
        "allowed_ip_ranges: ['198.51.100.0/24'] is not allowed: cloud-provider-azure rejects it together with "
        "load_balancer_source_ranges: keep one",
        "load_balancer_source_ranges[1]: '203.0.113.5/24' is not allowed: use an IPv4 CIDR with no host bits set, "
        "such as '203.0.113.0/24' (the public IP is IPv4)",
        "load_balancer_source_ranges[2]: '2001:db8::/32' is not allowed: use an IPv4 CIDR: the load balancer's "
        "frontend is IPv4",
        "load_balancer_source_ranges[3]: '203.0.113.0/24' is not allowed: list each CIDR once",
    ]


@pytest.mark.parametrize(
    ("version_key", "version", "ok"),
    [
        ("kubernetes_version", "1.28", False),
        ("kubernetes_version", "1.29", True),
        ("cloud_provider_version", "1.28.9", False),
        ("cloud_provider_version", "v1.29.0", True),
    ],
)
def test_allowed_ip_ranges_need_cloud_provider_1_29(version_key: str, version: str, ok: bool) -> None:
    args = without("kubernetes_version", allowed_ip_ranges=["198.51.100.0/24"], **{version_key: version})
    found = [p.render() for p in validate_aks_tcp_load_balancer_args(args)]
    described = (
        "cloud-provider-azure 1.28.x (AKS 1.28)" if version == "1.28" else "cloud-provider-azure 1.28.9"
    )
    assert found == (
        []
        if ok
        else [
            "allowed_ip_ranges: ['198.51.100.0/24'] is not allowed: needs cloud-provider-azure 1.29.0 or later; "
            f"{described} ignores it, which would leave the service open to every address: "
            "use load_balancer_source_ranges"
        ]
    )


def test_a_version_is_required() -> None:
    assert [p.render() for p in validate_aks_tcp_load_balancer_args(without("kubernetes_version"))] == [
        "kubernetes_version: None is not allowed: give the AKS Kubernetes version (or cloud_provider_version): "
        "annotation support depends on it"
    ]


def test_frontend_specific_keys_are_rejected_elsewhere() -> None:
    existing = without("location", frontend="ExistingPublicIp", zones=["1"], dns_label="kimmap")
    assert [p.render() for p in validate_aks_tcp_load_balancer_args(existing)] == [
        "zones: ['1'] is not allowed: only used with frontend 'NewPublicIp', not 'ExistingPublicIp'",
        "dns_label: 'kimmap' is not allowed: only used with frontend 'NewPublicIp', not 'ExistingPublicIp'",
    ]
    internal = seed(frontend="Internal", internal_ip="8.8.8.8")
    assert [p.render() for p in validate_aks_tcp_load_balancer_args(internal)] == [
        "public_ip_name: 'kimmap-tcp-pip' is not allowed: an internal load balancer has no public IP: remove it "
        "or use frontend NewPublicIp",
        "location: 'koreacentral' is not allowed: only used with frontend 'NewPublicIp', not 'Internal'",
        "internal_ip: '8.8.8.8' is not allowed: use a private IPv4 address inside the internal subnet",
    ]
    assert problems(internal_subnet="snet") == [
        "internal_subnet: 'snet' is not allowed: only used with frontend 'Internal', not 'NewPublicIp'"
    ]


def test_principal_comes_from_exactly_one_place() -> None:
    cluster = {"name": "aks-kimmap", "resource_group_name": "rg-aks"}
    assert problems(aks_cluster=cluster) == [
        "aks_cluster: {'name': 'aks-kimmap', 'resource_group_name': 'rg-aks'} is not allowed: give either "
        "cluster_principal_id or aks_cluster (to look the identity up), not both"
    ]
    assert [p.render() for p in validate_aks_tcp_load_balancer_args(without("cluster_principal_id"))] == [
        "cluster_principal_id: None is not allowed: give the control-plane identity's principal ID, or cluster "
        "{name, resource_group_name} to look it up, or set grant_network_contributor to false"
    ]
    assert validate_aks_tcp_load_balancer_args(without("cluster_principal_id", aks_cluster=cluster)) == []
    assert [
        p.render()
        for p in validate_aks_tcp_load_balancer_args(without("cluster_principal_id", aks_cluster={}))
    ] == ["aks_cluster: {} is not allowed: use {name: <AKS cluster>, resource_group_name: <its group>}"]


def test_without_the_grant_the_identity_keys_are_dead_and_rejected() -> None:
    assert problems(grant_network_contributor=False) == [
        "cluster_principal_id: '11111111-2222-3333-4444-555555555555' is not allowed: only used when "
        "grant_network_contributor is true",
        "subscription_id: '00000000-0000-0000-0000-000000000000' is not allowed: only used when "
        "grant_network_contributor is true",
    ]


def test_all_problems_at_once_in_one_error() -> None:
    bad = seed(probe_interval_seconds=4, probe_threshold=1, tcp_idle_timeout_minutes=200, zones=["4"])
    error = ArgsError("AksTcpLoadBalancer 'tcp'", validate_aks_tcp_load_balancer_args(bad))
    assert str(error) == (
        "AksTcpLoadBalancer 'tcp': 4 problems:\n"
        "  1. zones[0]: '4' is not allowed: use '1', '2' or '3'\n"
        "  2. probe_interval_seconds: 4 is not allowed: use a whole number of seconds >= 5\n"
        "  3. probe_threshold: 1 is not allowed: use a whole number >= 2 (cloud-provider-azure rejects fewer probes)\n"
        "  4. tcp_idle_timeout_minutes: 200 is not allowed: use a whole number of minutes from 4 to 100"
    )


def test_probe_protocol_accepts_any_case_like_the_provider() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "TCP"}]
    assert problems(ports=ports) == []
    assert plan_service(seed(ports=ports)).annotations[S + "port_9999_health-probe_protocol"] == "Tcp"


@given(interval=st.integers(5, 130), threshold=st.integers(2, 30))
def test_window_rule_holds_for_every_interval_and_threshold(interval: int, threshold: int) -> None:
    found = validate_aks_tcp_load_balancer_args(
        seed(probe_interval_seconds=interval, probe_threshold=threshold)
    )
    assert (found == []) == (interval * threshold < 120)
    if found == []:
        ann = plan_service(seed(probe_interval_seconds=interval, probe_threshold=threshold)).annotations
        assert ann[S + "azure-load-balancer-health-probe-interval"] == str(interval)
        assert ann[S + "azure-load-balancer-health-probe-num-of-probe"] == str(threshold)
    else:
        assert [p.key for p in found] == ["probe_threshold"]


# --- version awareness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "exact", "expected"),
    [
        ("1.26.8", True, Support.YES),
        ("1.26.7", True, Support.NO),
        ("1.25.12", True, Support.YES),
        ("1.25.11", True, Support.NO),
        ("1.24.18", True, Support.YES),
        ("1.24.17", True, Support.NO),
        ("1.23.99", True, Support.NO),
        ("1.27.0", True, Support.YES),
        ("1.26", False, Support.UNKNOWN),
        ("1.27", False, Support.YES),
        ("1.23", False, Support.NO),
    ],
)
def test_num_of_probe_fix_boundaries(text: str, exact: bool, expected: Support) -> None:
    version = ProviderVersion.parse(text, exact=exact)
    assert version is not None
    assert NUM_OF_PROBE.support(version) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.28.0", Support.YES),
        ("1.27.6", Support.YES),
        ("1.27.5", Support.NO),
        ("1.26.12", Support.YES),
        ("1.26.11", Support.NO),
        ("1.25.16", Support.YES),
        ("1.25.15", Support.NO),
        ("1.24.30", Support.NO),
    ],
)
def test_local_probe_settings_fix_boundaries(text: str, expected: Support) -> None:
    version = ProviderVersion.parse(text, exact=True)
    assert version is not None
    assert LOCAL_PROBE_SETTINGS.support(version) is expected


def test_kubernetes_patch_is_not_taken_for_the_cloud_provider_patch() -> None:
    assert ProviderVersion.parse("1.26.15", exact=False) == ProviderVersion(26, None, True)


def test_num_of_probe_warning_on_an_unfixed_provider() -> None:
    args = without("kubernetes_version", cloud_provider_version="1.26.7", probe_threshold=2)
    args["ports"] = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_threshold": 2}]
    assert version_warnings(args) == [
        "probe_threshold, ports[0].probe_threshold has no effect on cloud-provider-azure 1.26.7: the provider "
        "writes num-of-probe to numberOfProbes, which Azure Load Balancer ignores, so a backend is marked down "
        "after one failed probe. Fixed in cloud-provider-azure 1.27.0 (backports 1.26.8, 1.25.12, 1.24.18)."
    ]
    assert version_warnings(dict(args, cloud_provider_version="1.26.8")) == []


def test_num_of_probe_warning_is_hedged_when_only_the_aks_minor_is_known() -> None:
    assert version_warnings(seed(kubernetes_version="1.26", probe_threshold=2)) == [
        "probe_threshold may have no effect on cloud-provider-azure 1.26.x (AKS 1.26): the provider writes "
        "num-of-probe to numberOfProbes, which Azure Load Balancer ignores, so a backend is marked down after "
        "one failed probe. Fixed in cloud-provider-azure 1.27.0 (backports 1.26.8, 1.25.12, 1.24.18). The AKS "
        "patch that carries the backport is not known here: set cloud_provider_version to be sure."
    ]


def test_no_version_warning_without_a_threshold() -> None:
    assert version_warnings(seed(kubernetes_version="1.22")) == []


def test_local_policy_warns_that_old_providers_keep_5s_and_2_probes() -> None:
    args = without("kubernetes_version", cloud_provider_version="1.27.5", external_traffic_policy="Local")
    assert version_warnings(args) == [
        "probe_interval_seconds has no effect with external_traffic_policy Local on cloud-provider-azure 1.27.5: "
        "the healthCheckNodePort probe stays at 5 s / 2 probes before cloud-provider-azure 1.28.0 "
        "(backports 1.27.6, 1.26.12, 1.25.16)."
    ]
    assert version_warnings(dict(args, cloud_provider_version="1.27.6")) == []
    assert (
        version_warnings(
            without("probe_interval_seconds", external_traffic_policy="Local", kubernetes_version="1.24")
        )
        == []
    )


def test_cloud_provider_version_wins_over_the_kubernetes_version() -> None:
    args = seed(kubernetes_version="1.26", cloud_provider_version="1.26.8", probe_threshold=2)
    assert validate_aks_tcp_load_balancer_args(args) == []
    assert version_warnings(args) == []


# --- role assignment helpers -----------------------------------------------------------------------


def test_role_ids_and_deterministic_assignment_name() -> None:
    scope = resource_group_scope(SUBSCRIPTION, "rg-network")
    role = role_definition_id(SUBSCRIPTION)
    assert scope == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-network"
    assert role == (
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
        "4d97b98b-1d4f-4787-a291-c67834d212e7"
    )
    name = role_assignment_name(scope, PRINCIPAL, role)
    assert uuid.UUID(name).version == 5
    assert role_assignment_name(scope.upper(), PRINCIPAL.upper(), role) == name
    assert role_assignment_name(scope, "22222222-2222-3333-4444-555555555555", role) != name
    assert role_assignment_name(resource_group_scope(SUBSCRIPTION, "rg-other"), PRINCIPAL, role) != name


def test_control_plane_principal_never_falls_back_to_something_else() -> None:
    assert control_plane_principal_id("aks", "SystemAssigned", PRINCIPAL, []) == PRINCIPAL
    assert control_plane_principal_id("aks", "UserAssigned", None, ["user-principal"]) == "user-principal"
    with pytest.raises(ValueError) as err:
        control_plane_principal_id("aks-kimmap", None, None, [])
    assert str(err.value) == (
        "AKS cluster 'aks-kimmap' has no usable control-plane managed identity (identity type None); give "
        "cluster_principal_id (for a service-principal cluster: the service principal's object ID) or set "
        "grant_network_contributor to false"
    )


def test_problem_keys_are_relative_for_the_stack_layer_prefix() -> None:
    found = validate_aks_tcp_load_balancer_args(seed(probe_interval_seconds=4))
    assert [p.within("traffic-edge:aks") for p in found] == [
        Problem("traffic-edge:aks.probe_interval_seconds", 4, "use a whole number of seconds >= 5")
    ]
