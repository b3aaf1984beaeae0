"""The resolved plan: every default applied once, and the pure role-assignment helpers."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from tests.support.aks_seed import PRINCIPAL, SUBSCRIPTION, seed
from tests.traffic_edge.aks_tcp_load_balancer.cases import internal, without
from traffic_edge.aks_tcp_load_balancer.args import (
    ExternalTrafficPolicy,
    LoadBalancerFrontend,
    ProbeProtocol,
    SessionAffinity,
)
from traffic_edge.aks_tcp_load_balancer.facts import ProviderVersion
from traffic_edge.aks_tcp_load_balancer.plan import (
    GrantPlan,
    NewPublicIpPlan,
    PortPlan,
    control_plane_principal_id,
    plan_aks_tcp_load_balancer,
    resource_group_scope,
    role_assignment_name,
    role_definition_id,
)


def test_seed_plan_has_every_default_applied() -> None:
    plan = plan_aks_tcp_load_balancer("kimmap", seed())
    assert plan.frontend is LoadBalancerFrontend.NEW_PUBLIC_IP
    assert plan.new_public_ip == NewPublicIpPlan(
        location="koreacentral",
        zones=("1", "2", "3"),
        dns_label=None,
        prefix=None,
        prefix_ipv6=None,
        ip_tags=(),
        tags=None,
    )
    assert (plan.dual_stack, plan.public_ip_name_ipv6, plan.allowed_service_tags) == (False, None, None)
    assert plan.deny_all_except_source_ranges is False
    assert plan.public_ip_name == "kimmap-tcp-pip"
    assert plan.external_traffic_policy is ExternalTrafficPolicy.CLUSTER
    assert plan.session_affinity is SessionAffinity.NONE
    assert plan.create_namespace is False
    assert plan.ports == (
        PortPlan(
            name="tcp-client",
            port=9999,
            target_port=8888,
            probe_protocol=ProbeProtocol.TCP,
            probe_request_path=None,
            probe_interval_seconds=None,
            probe_threshold=None,
            probe_settings=(),
        ),
    )
    # The provider's own defaults are left to the provider: only what was set is planned.
    assert (plan.probe_interval_seconds, plan.probe_threshold, plan.tcp_idle_timeout_minutes) == (
        59,
        None,
        None,
    )
    assert plan.load_balancer_source_ranges is None and plan.allowed_ip_ranges is None
    assert plan.provider_version == ProviderVersion(30, None, True)
    assert plan.grant == GrantPlan(
        resource_group="rg-network",
        cluster_principal_id=PRINCIPAL,
        aks_cluster=None,
        subscription_id=SUBSCRIPTION,
    )


def test_the_plan_is_frozen() -> None:
    plan = plan_aks_tcp_load_balancer("kimmap", seed())
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.service_name = "other"  # type: ignore[misc]


def test_a_ports_probe_settings_are_recorded_in_order_with_the_protocol_normalised() -> None:
    ports = [
        {
            "name": "web",
            "port": 80,
            "target_port_name": "http",
            "probe_threshold": 3,
            "probe_protocol": "HTTP",
        }
    ]
    [port] = plan_aks_tcp_load_balancer("kimmap", seed(ports=ports, probe_interval_seconds=10)).ports
    assert port.target_port == "http"
    assert port.probe_protocol is ProbeProtocol.HTTP
    assert port.probe_settings == ("probe_protocol", "probe_threshold")


def test_zones_and_dns_label_only_plan_a_new_public_ip() -> None:
    plan = plan_aks_tcp_load_balancer("kimmap", seed(zones=[], dns_label="kimmap-tcp"))
    assert plan.new_public_ip == NewPublicIpPlan(
        location="koreacentral",
        zones=(),
        dns_label="kimmap-tcp",
        prefix=None,
        prefix_ipv6=None,
        ip_tags=(),
        tags=None,
    )
    existing = plan_aks_tcp_load_balancer("kimmap", without("location", frontend="ExistingPublicIp"))
    assert existing.new_public_ip is None and existing.public_ip_name == "kimmap-tcp-pip"


def test_an_internal_load_balancer_has_no_public_ip() -> None:
    plan = plan_aks_tcp_load_balancer("kimmap", internal())
    assert (plan.public_ip_name, plan.new_public_ip) == (None, None)
    assert (plan.internal_subnet, plan.internal_ip) == ("snet-aks-ilb", "10.240.0.50")


def test_the_exact_cloud_provider_version_wins() -> None:
    plan = plan_aks_tcp_load_balancer("kimmap", seed(cloud_provider_version="1.26.8"))
    assert plan.provider_version == ProviderVersion(26, 8, False)


def test_no_grant_when_it_is_off_and_a_lookup_when_no_principal_is_given() -> None:
    off = without("cluster_principal_id", "subscription_id", grant_network_contributor=False)
    assert plan_aks_tcp_load_balancer("kimmap", off).grant is None
    cluster = {"name": "aks-kimmap", "resource_group_name": "rg-aks"}
    grant = plan_aks_tcp_load_balancer("kimmap", without("cluster_principal_id", aks_cluster=cluster)).grant
    assert grant is not None
    assert (grant.cluster_principal_id, grant.aks_cluster) == (None, cluster)
    assert (
        grant.description == "cloud-provider-azure attaches public IPs in rg-network to the AKS load balancer"
    )


def test_a_plan_of_args_that_were_not_validated_fails_loudly() -> None:
    with pytest.raises(ValueError, match="validate_aks_tcp_load_balancer_args first"):
        plan_aks_tcp_load_balancer("kimmap", seed(kubernetes_version="2.0"))


# --- role assignment helpers ---------------------------------------------------------------------


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
    with pytest.raises(ValueError):
        control_plane_principal_id("aks", "UserAssigned", None, ["one", "two"])
