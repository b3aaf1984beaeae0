"""AksTcpLoadBalancer under the offline engine: what it registers (inputs, protect/retain,
dependsOn), both traffic policies, the identity lookups, warnings and outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from tests.support.aks_seed import PRINCIPAL, SUBSCRIPTION, seed
from tests.traffic_edge.aks_tcp_load_balancer.cases import S, internal, without
from traffic_edge._shared.problems import ArgsError
from traffic_edge.aks_tcp_load_balancer.component import AksTcpLoadBalancer
from traffic_edge.aks_tcp_load_balancer.plan import (
    resource_group_scope,
    role_assignment_name,
    role_definition_id,
)
from traffic_edge.plan import engine
from traffic_edge.plan.engine import UNKNOWN, Recording
from traffic_edge.plan.kube_schema import validate_manifest

LOOKED_UP_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555"
PIP = "azure-native:network:PublicIPAddress"
ROLE = "azure-native:authorization:RoleAssignment"
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
GET_CLUSTER = "azure-native:containerservice:getManagedCluster"
GET_CLIENT_CONFIG = "azure-native:authorization:getClientConfig"
GET_PIP = "azure-native:network:getPublicIPAddress"


def plan(
    args: dict[str, Any],
    *,
    preview: bool = True,
    calls: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> Recording:
    def program() -> None:
        lb = AksTcpLoadBalancer("kimmap", args, opts)  # type: ignore[arg-type]
        pulumi.export("ipAddress", lb.ip_address)
        pulumi.export("fqdn", lb.fqdn)
        pulumi.export("annotations", lb.annotations)
        pulumi.export("serviceName", lb.service_name)
        pulumi.export("serviceNamespace", lb.service_namespace)

    return engine.run(program, preview=preview, calls=calls)


def urn(rec: Recording, type_: str, name: str) -> str:
    return rec.get(type_, name).urn


# --- the seed ---------------------------------------------------------------------------------------


def test_seed_registers_pip_role_and_service_under_the_component() -> None:
    rec = plan(seed())
    component = rec.get("traffic-edge:index:AksTcpLoadBalancer", "kimmap")
    children = sorted((r.type, r.name) for r in rec.children_of(component.urn))
    assert children == [
        (ROLE, "kimmap-network-contributor"),
        (PIP, "kimmap-pip"),
        (SERVICE, "kimmap-svc"),
    ]
    assert rec.warnings == []


def test_public_ip_is_standard_static_ipv4_zone_redundant_protected_and_retained() -> None:
    pip = plan(seed()).get(PIP, "kimmap-pip")
    assert pip.inputs == {
        "resourceGroupName": "rg-network",
        "publicIpAddressName": "kimmap-tcp-pip",
        "location": "koreacentral",
        "sku": {"name": "Standard", "tier": "Regional"},
        "publicIPAllocationMethod": "Static",
        "publicIPAddressVersion": "IPv4",
        "zones": ["1", "2", "3"],
    }
    assert pip.protect is True
    assert pip.retain_on_delete is True


def test_zones_and_dns_label_reach_the_public_ip() -> None:
    pip = plan(seed(zones=[], dns_label="kimmap-tcp")).get(PIP, "kimmap-pip")
    assert "zones" not in pip.inputs
    assert pip.inputs["dnsSettings"] == {"domainNameLabel": "kimmap-tcp"}
    assert plan(seed(zones=["2"])).get(PIP, "kimmap-pip").inputs["zones"] == ["2"]


def test_role_assignment_is_network_contributor_for_a_service_principal_with_a_stable_name() -> None:
    role = plan(seed()).get(ROLE, "kimmap-network-contributor")
    scope = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-network"
    definition = (
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
        "4d97b98b-1d4f-4787-a291-c67834d212e7"
    )
    assert role.inputs == {
        "principalId": PRINCIPAL,
        "principalType": "ServicePrincipal",
        "roleDefinitionId": definition,
        "scope": scope,
        "roleAssignmentName": role_assignment_name(scope, PRINCIPAL, definition),
        "description": "cloud-provider-azure attaches public IPs in rg-network to the AKS load balancer",
    }
    assert (
        plan(seed()).get(ROLE, "kimmap-network-contributor").inputs["roleAssignmentName"]
        == (role.inputs["roleAssignmentName"])
    )


def test_service_waits_for_the_public_ip_and_the_role_assignment() -> None:
    rec = plan(seed())
    service = rec.get(SERVICE, "kimmap-svc")
    assert sorted(service.depends_on) == sorted(
        [urn(rec, PIP, "kimmap-pip"), urn(rec, ROLE, "kimmap-network-contributor")]
    )
    assert service.inputs["metadata"]["annotations"] == {
        S + "azure-load-balancer-resource-group": "rg-network",
        S + "azure-pip-name": "kimmap-tcp-pip",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "port_9999_health-probe_protocol": "Tcp",
    }
    assert service.inputs["spec"]["ports"] == [
        {"name": "tcp-client", "protocol": "TCP", "port": 9999, "targetPort": 8888}
    ]


def test_target_port_name_reaches_the_service_as_the_pods_port_name() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port_name": "tcp-server"},
        {"name": "admin", "port": 8443, "target_port": 8443},
    ]
    rec = plan(seed(ports=ports))
    service = rec.get(SERVICE, "kimmap-svc")
    assert service.inputs["spec"]["ports"] == [
        {"name": "tcp-client", "protocol": "TCP", "port": 9999, "targetPort": "tcp-server"},
        {"name": "admin", "protocol": "TCP", "port": 8443, "targetPort": 8443},
    ]
    assert service.inputs["metadata"]["annotations"][S + "port_9999_health-probe_protocol"] == "Tcp"
    for manifest in rec.manifests():
        assert validate_manifest(manifest, "1.30") == []


def test_recorded_manifests_are_valid_for_the_cluster_version() -> None:
    rec = plan(seed(create_namespace=True, session_affinity="ClientIP"))
    manifests = rec.manifests()
    assert sorted(m["kind"] for m in manifests) == ["Namespace", "Service"]
    for manifest in manifests:
        assert validate_manifest(manifest, "1.30") == []


def test_created_namespace_comes_before_the_service() -> None:
    rec = plan(seed(create_namespace=True))
    namespace = rec.get(NAMESPACE, "kimmap-ns")
    assert namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespace.urn in rec.get(SERVICE, "kimmap-svc").depends_on
    assert rec.by_type(NAMESPACE) == [namespace]
    assert plan(seed()).by_type(NAMESPACE) == []


# --- traffic policies -------------------------------------------------------------------------------


def test_cluster_policy_keeps_per_port_probes() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888},
        {
            "name": "admin",
            "port": 8080,
            "target_port": 8080,
            "probe_protocol": "Http",
            "probe_request_path": "/ok",
        },
    ]
    service = plan(seed(ports=ports)).get(SERVICE, "kimmap-svc")
    annotations = service.inputs["metadata"]["annotations"]
    assert annotations[S + "port_9999_health-probe_protocol"] == "Tcp"
    assert annotations[S + "port_8080_health-probe_protocol"] == "Http"
    assert annotations[S + "port_8080_health-probe_request-path"] == "/ok"
    assert service.inputs["spec"]["externalTrafficPolicy"] == "Cluster"


def test_local_policy_uses_global_probe_settings_and_warns_about_per_port_ones() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "Tcp"}]
    rec = plan(seed(ports=ports, external_traffic_policy="Local", probe_threshold=2))
    service = rec.get(SERVICE, "kimmap-svc")
    assert service.inputs["spec"]["externalTrafficPolicy"] == "Local"
    assert service.inputs["metadata"]["annotations"] == {
        S + "azure-load-balancer-resource-group": "rg-network",
        S + "azure-pip-name": "kimmap-tcp-pip",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "azure-load-balancer-health-probe-num-of-probe": "2",
    }
    assert rec.warnings == [
        "AksTcpLoadBalancer 'kimmap': ports[0]: probe_protocol not applied: with external_traffic_policy Local "
        "the load balancer probes kube-proxy with HTTP GET /healthz on the healthCheckNodePort for every port, "
        "and cloud-provider-azure ignores per-port probe annotations for it; the global probe_interval_seconds "
        "/ probe_threshold apply instead."
    ]


def test_old_provider_version_is_warned_about_not_hidden() -> None:
    rec = plan(without("kubernetes_version", cloud_provider_version="1.25.11", probe_threshold=2))
    assert rec.warnings == [
        "AksTcpLoadBalancer 'kimmap': probe_threshold has no effect on cloud-provider-azure 1.25.11: the provider "
        "writes num-of-probe to numberOfProbes, which Azure Load Balancer ignores, so a backend is marked down "
        "after one failed probe. Fixed in cloud-provider-azure 1.27.0 (backports 1.26.8, 1.25.12, 1.24.18)."
    ]
    # The annotation is still applied: upgrading the provider makes it work without a change here.
    annotations = rec.get(SERVICE, "kimmap-svc").inputs["metadata"]["annotations"]
    assert annotations[S + "azure-load-balancer-health-probe-num-of-probe"] == "2"


# --- frontends ----------------------------------------------------------------------------------------


def test_existing_public_ip_is_looked_up_not_created() -> None:
    seen: list[dict[str, Any]] = []

    def get_pip(args: dict[str, Any]) -> dict[str, Any]:
        seen.append(args)
        return {"ipAddress": "20.41.0.7", "dnsSettings": {"fqdn": "kimmap.koreacentral.cloudapp.azure.com"}}

    rec = plan(without("location", frontend="ExistingPublicIp"), preview=False, calls={GET_PIP: get_pip})
    assert rec.by_type(PIP) == []
    assert seen and all(
        a == {"resourceGroupName": "rg-network", "publicIpAddressName": "kimmap-tcp-pip"} for a in seen
    )
    assert rec.outputs["ipAddress"] == "20.41.0.7"
    assert rec.outputs["fqdn"] == "kimmap.koreacentral.cloudapp.azure.com"
    assert rec.get(SERVICE, "kimmap-svc").depends_on == [urn(rec, ROLE, "kimmap-network-contributor")]


def test_new_public_ip_address_is_the_output() -> None:
    rec = plan(seed(), preview=False)
    assert rec.outputs["ipAddress"].startswith("203.0.113.")
    assert rec.outputs["annotations"] == rec.get(SERVICE, "kimmap-svc").inputs["metadata"]["annotations"]
    assert plan(seed()).outputs.get("ipAddress", UNKNOWN) == UNKNOWN


def test_the_service_is_named_in_the_outputs_for_the_next_step(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[dict[str, Any]] = []
    monkeypatch.setattr(
        AksTcpLoadBalancer, "register_outputs", lambda self, outputs: registered.append(outputs)
    )
    rec = plan(seed(), preview=False)
    service = rec.get(SERVICE, "kimmap-svc")
    assert rec.outputs["serviceName"] == service.inputs["metadata"]["name"] == "kimmap-backend-tcp"
    assert rec.outputs["serviceNamespace"] == service.inputs["metadata"]["namespace"] == "kimmap"
    [outputs] = registered
    assert sorted(outputs) == [
        "annotations",
        "fqdn",
        "ip_address",
        "ipv6_address",
        "service_name",
        "service_namespace",
    ]


def test_internal_load_balancer_has_no_public_ip() -> None:
    rec = plan(internal(), preview=False)
    assert rec.by_type(PIP) == []
    assert rec.outputs["ipAddress"] == "10.240.0.50"
    annotations = rec.get(SERVICE, "kimmap-svc").inputs["metadata"]["annotations"]
    assert annotations[S + "azure-load-balancer-internal"] == "true"
    assert S + "azure-pip-name" not in annotations
    # The identity still needs the network group: it holds the VNet the internal frontend joins.
    assert rec.get(ROLE, "kimmap-network-contributor").inputs["scope"] == resource_group_scope(
        SUBSCRIPTION, "rg-network"
    )


# --- identity ------------------------------------------------------------------------------------------


def cluster_calls(identity: dict[str, Any] | None, seen: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    def get_cluster(args: dict[str, Any]) -> dict[str, Any]:
        seen.append((GET_CLUSTER, args))
        found: dict[str, Any] = {
            "name": "aks-kimmap",
            # Must never be used: the kubelet identity only pulls images.
            "identityProfile": {"kubeletidentity": {"objectId": "kubelet-object-id", "clientId": "kubelet"}},
        }
        if identity is not None:
            found["identity"] = identity
        return found

    def get_config(args: dict[str, Any]) -> dict[str, Any]:
        seen.append((GET_CLIENT_CONFIG, args))
        return {"subscriptionId": LOOKED_UP_SUBSCRIPTION, "clientId": "c", "objectId": "o", "tenantId": "t"}

    return {GET_CLUSTER: get_cluster, GET_CLIENT_CONFIG: get_config}


CLUSTER = {"name": "aks-kimmap", "resource_group_name": "rg-aks"}


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ({"type": "SystemAssigned", "principalId": "sys-principal", "tenantId": "t"}, "sys-principal"),
        (
            {
                "type": "UserAssigned",
                "userAssignedIdentities": {
                    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/cp": {
                        "principalId": "user-principal",
                        "clientId": "user-client",
                    }
                },
            },
            "user-principal",
        ),
    ],
)
def test_principal_and_subscription_are_looked_up_when_not_given(
    identity: dict[str, Any], expected: str
) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    args = without("cluster_principal_id", "subscription_id", aks_cluster=CLUSTER)
    role = plan(args, calls=cluster_calls(identity, seen)).get(ROLE, "kimmap-network-contributor")
    scope = resource_group_scope(LOOKED_UP_SUBSCRIPTION, "rg-network")
    definition = role_definition_id(LOOKED_UP_SUBSCRIPTION)
    assert role.inputs["principalId"] == expected
    assert role.inputs["scope"] == scope
    assert role.inputs["roleDefinitionId"] == definition
    assert role.inputs["roleAssignmentName"] == role_assignment_name(scope, expected, definition)
    assert (GET_CLUSTER, {"resourceGroupName": "rg-aks", "resourceName": "aks-kimmap"}) in seen
    assert (GET_CLIENT_CONFIG, {}) in seen


def test_a_cluster_without_a_managed_identity_fails_with_what_to_do() -> None:
    args = without("cluster_principal_id", aks_cluster=CLUSTER)
    with pytest.raises(ValueError) as err:
        plan(args, calls=cluster_calls(None, []))
    # Pulumi may prefix which input it was resolving; the message itself is ours, word for word.
    assert str(err.value).endswith(
        "AKS cluster 'aks-kimmap' has no usable control-plane managed identity (identity type None); give "
        "cluster_principal_id (for a service-principal cluster: the service principal's object ID) or set "
        "grant_network_contributor to false"
    )


def test_no_role_assignment_when_the_grant_is_off() -> None:
    rec = plan(without("cluster_principal_id", "subscription_id", grant_network_contributor=False))
    assert rec.by_type(ROLE) == []
    assert rec.get(SERVICE, "kimmap-svc").depends_on == [urn(rec, PIP, "kimmap-pip")]


def test_principal_may_be_an_output_of_another_resource() -> None:
    def program() -> None:
        principal = pulumi.Output.from_input("33333333-2222-3333-4444-555555555555")
        AksTcpLoadBalancer("kimmap", seed(cluster_principal_id=principal))  # type: ignore[arg-type]

    role = engine.run(program).get(ROLE, "kimmap-network-contributor")
    assert role.inputs["principalId"] == "33333333-2222-3333-4444-555555555555"


# --- validation -----------------------------------------------------------------------------------------


def test_bad_args_raise_before_anything_is_registered() -> None:
    errors: list[ArgsError] = []

    def program() -> None:
        try:
            AksTcpLoadBalancer("kimmap", seed(probe_threshold=3))  # type: ignore[arg-type]
        except ArgsError as err:
            errors.append(err)

    rec = engine.run(program)
    assert [r.type for r in rec.resources] == ["pulumi:pulumi:Stack"]
    assert [str(e) for e in errors] == [
        "AksTcpLoadBalancer 'kimmap': 1 problem:\n"
        "  1. probe_threshold: 3 is not allowed: a threshold of at most 2 (or an interval of at most 39 s): "
        "cloud-provider-azure rejects a probe window (interval x threshold) of 120 s or more, and 59 s x 3 = 177 s"
    ]


def test_a_port_with_both_target_keys_raises_naming_both() -> None:
    errors: list[ArgsError] = []
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "target_port_name": "tcp-server"}]

    def program() -> None:
        try:
            AksTcpLoadBalancer("kimmap", seed(ports=ports))  # type: ignore[arg-type]
        except ArgsError as err:
            errors.append(err)

    rec = engine.run(program)
    assert [r.type for r in rec.resources] == ["pulumi:pulumi:Stack"]
    assert [str(e) for e in errors] == [
        "AksTcpLoadBalancer 'kimmap': 1 problem:\n"
        "  1. ports[0].target_port_name: 'tcp-server' conflicts with ports[0].target_port: a Service port sends "
        "to one pod port, by number or by name"
    ]
