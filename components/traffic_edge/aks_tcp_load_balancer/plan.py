"""The resolved plan of `AksTcpLoadBalancer`: valid args with every default applied, once.

`plan_aks_tcp_load_balancer` is the only place that reads the args and fills in defaults;
the annotations, the manifests and the resources are built from the frozen
`AksLoadBalancerPlan` it returns. The role-assignment helpers here are pure too: the
component applies them to the subscription and principal once those are known.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from traffic_edge.aks_tcp_load_balancer.args import (
    AksClusterRef,
    ExternalTrafficPolicy,
    HealthProbeMode,
    LoadBalancerFrontend,
    ProbeProtocol,
    SessionAffinity,
)
from traffic_edge.aks_tcp_load_balancer.facts import (
    AZURE_ZONES,
    NETWORK_CONTRIBUTOR_ROLE,
    SHARED_PROBE_MODE,
    ProviderVersion,
    Support,
)

PROBE_SETTINGS = ("probe_protocol", "probe_request_path", "probe_interval_seconds", "probe_threshold")
"""The per-port probe keys, in the order a warning lists them."""


@dataclass(frozen=True)
class PortPlan:
    """One Service port and its health probe."""

    name: str
    port: int
    target_port: int | str
    """The pod's port number (`target_port`) or its name (`target_port_name`)."""
    probe_protocol: ProbeProtocol
    """Tcp unless set: the provider's HTTP default fails against a TCP server."""
    probe_request_path: str | None
    probe_interval_seconds: int | None
    probe_threshold: int | None
    probe_settings: tuple[str, ...]
    """The probe keys set on this port (the Local policy ignores them all)."""


@dataclass(frozen=True)
class PrefixPlan:
    """The prefix a new public IP is taken from: adopted (`id`) or created (`name`, `length`)."""

    id: str | None
    name: str | None
    length: int | None


@dataclass(frozen=True)
class NewPublicIpPlan:
    """The public IPs the component creates (frontend NewPublicIp): IPv4, and IPv6 when dual-stack."""

    location: str
    zones: tuple[str, ...]
    dns_label: str | None
    prefix: PrefixPlan | None
    prefix_ipv6: PrefixPlan | None
    ip_tags: tuple[tuple[str, str], ...]
    """(ip_tag_type, tag) of the IPv4 public IP."""
    tags: Mapping[str, str] | None
    """Resource tags of the public IPs and of the prefixes created."""


@dataclass(frozen=True)
class GrantPlan:
    """Network Contributor on the network resource group for the control-plane identity."""

    resource_group: str
    cluster_principal_id: pulumi.Input[str] | None
    """None: looked up from `aks_cluster`."""
    aks_cluster: AksClusterRef | None
    subscription_id: pulumi.Input[str] | None
    """None: the azure-native provider's subscription."""

    @property
    def description(self) -> str:
        return f"cloud-provider-azure attaches public IPs in {self.resource_group} to the AKS load balancer"


@dataclass(frozen=True)
class AksLoadBalancerPlan:
    """Everything `AksTcpLoadBalancer` registers, decided."""

    name: str
    """The component's resource name; children are `<name>-pip`, `-network-contributor`, `-ns`, `-svc`."""
    service_name: str
    namespace: str
    create_namespace: bool
    selector: Mapping[str, str]
    ports: tuple[PortPlan, ...]
    network_resource_group: str
    frontend: LoadBalancerFrontend
    public_ip_name: str | None
    """The public IP to create or adopt; None for an internal load balancer."""
    dual_stack: bool
    public_ip_name_ipv6: str | None
    """The IPv6 public IP to create or adopt; None unless dual-stack with a public frontend."""
    new_public_ip: NewPublicIpPlan | None
    internal_subnet: str | None
    internal_ip: str | None
    external_traffic_policy: ExternalTrafficPolicy
    session_affinity: SessionAffinity
    shared_probe: Support
    """Whether the cluster's shared probe replaces this Service's own (see `shared_probe_support`):
    YES writes no probe annotation, UNKNOWN writes them and warns."""
    probe_interval_seconds: int | None
    """The global probe settings as set; None leaves the provider's default."""
    probe_threshold: int | None
    tcp_idle_timeout_minutes: int | None
    load_balancer_source_ranges: tuple[str, ...] | None
    allowed_ip_ranges: tuple[str, ...] | None
    allowed_service_tags: tuple[str, ...] | None
    deny_all_except_source_ranges: bool
    disable_tcp_reset: bool
    provider_version: ProviderVersion
    grant: GrantPlan | None
    """None when `grant_network_contributor` is false."""


def plan_aks_tcp_load_balancer(name: str, args: Mapping[str, Any]) -> AksLoadBalancerPlan:
    """The plan for args that `validate_aks_tcp_load_balancer_args` accepted."""
    frontend = LoadBalancerFrontend(args.get("frontend", LoadBalancerFrontend.NEW_PUBLIC_IP))
    policy = ExternalTrafficPolicy(args.get("external_traffic_policy", ExternalTrafficPolicy.CLUSTER))
    mode = HealthProbeMode(args.get("health_probe_mode", HealthProbeMode.SERVICE_NODE_PORT))
    version = _provider_version(args)
    return AksLoadBalancerPlan(
        name=name,
        service_name=args["service_name"],
        namespace=args["namespace"],
        create_namespace=args.get("create_namespace", False),
        selector=dict(args["selector"]),
        ports=tuple(_port(p) for p in args["ports"]),
        network_resource_group=args["network_resource_group"],
        frontend=frontend,
        public_ip_name=args.get("public_ip_name"),
        dual_stack=args.get("dual_stack", False),
        public_ip_name_ipv6=args.get("public_ip_name_ipv6"),
        new_public_ip=_new_public_ip(args) if frontend is LoadBalancerFrontend.NEW_PUBLIC_IP else None,
        internal_subnet=args.get("internal_subnet"),
        internal_ip=args.get("internal_ip"),
        external_traffic_policy=policy,
        session_affinity=SessionAffinity(args.get("session_affinity", SessionAffinity.NONE)),
        shared_probe=shared_probe_support(mode, policy, version),
        probe_interval_seconds=args.get("probe_interval_seconds"),
        probe_threshold=args.get("probe_threshold"),
        tcp_idle_timeout_minutes=args.get("tcp_idle_timeout_minutes"),
        load_balancer_source_ranges=_optional_tuple(args.get("load_balancer_source_ranges")),
        allowed_ip_ranges=_optional_tuple(args.get("allowed_ip_ranges")),
        allowed_service_tags=_optional_tuple(args.get("allowed_service_tags")),
        deny_all_except_source_ranges=args.get("deny_all_except_source_ranges", False),
        disable_tcp_reset=args.get("disable_tcp_reset", False),
        provider_version=version,
        grant=_grant(args) if args.get("grant_network_contributor", True) else None,
    )


def shared_probe_support(
    mode: HealthProbeMode, policy: ExternalTrafficPolicy, version: ProviderVersion
) -> Support:
    """Whether the cluster's shared probe replaces the Service's own probes, so that every probe
    annotation is ignored: only in mode shared, only for the Cluster policy (Local keeps its
    healthCheckNodePort probe), and only on a provider that has the mode (upstream useSharedProbe)."""
    if mode is not HealthProbeMode.SHARED or policy is not ExternalTrafficPolicy.CLUSTER:
        return Support.NO
    return SHARED_PROBE_MODE.support(version)


def _provider_version(args: Mapping[str, Any]) -> ProviderVersion:
    """`cloud_provider_version` when set (exact), else the minor of `kubernetes_version`."""
    if "cloud_provider_version" in args:
        version = ProviderVersion.parse(args["cloud_provider_version"], exact=True)
    else:
        version = ProviderVersion.parse(args["kubernetes_version"], exact=False)
    if version is None:
        raise ValueError("validate_aks_tcp_load_balancer_args first: the version does not parse")
    return version


def _port(port: Mapping[str, Any]) -> PortPlan:
    return PortPlan(
        name=port["name"],
        port=port["port"],
        target_port=port["target_port"] if "target_port" in port else port["target_port_name"],
        # Accepts any case, like the provider ("TCP" in the AKS docs and seed 001).
        probe_protocol=ProbeProtocol(port.get("probe_protocol", ProbeProtocol.TCP)),
        probe_request_path=port.get("probe_request_path"),
        probe_interval_seconds=port.get("probe_interval_seconds"),
        probe_threshold=port.get("probe_threshold"),
        probe_settings=tuple(k for k in PROBE_SETTINGS if k in port),
    )


def _new_public_ip(args: Mapping[str, Any]) -> NewPublicIpPlan:
    return NewPublicIpPlan(
        location=args["location"],
        zones=tuple(args.get("zones", AZURE_ZONES)),
        dns_label=args.get("dns_label") or None,
        prefix=_prefix(args.get("public_ip_prefix")),
        prefix_ipv6=_prefix(args.get("public_ip_prefix_ipv6")),
        ip_tags=tuple((t["ip_tag_type"], t["tag"]) for t in args.get("ip_tags", ())),
        tags=dict(args["public_ip_tags"]) if "public_ip_tags" in args else None,
    )


def _prefix(prefix: Mapping[str, Any] | None) -> PrefixPlan | None:
    if prefix is None:
        return None
    return PrefixPlan(id=prefix.get("id"), name=prefix.get("name"), length=prefix.get("length"))


def _grant(args: Mapping[str, Any]) -> GrantPlan:
    return GrantPlan(
        resource_group=args["network_resource_group"],
        cluster_principal_id=args.get("cluster_principal_id"),
        aks_cluster=args.get("aks_cluster"),
        subscription_id=args.get("subscription_id"),
    )


def _optional_tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


# --- role assignment ------------------------------------------------------------------------------


def resource_group_scope(subscription_id: str, resource_group: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def role_definition_id(subscription_id: str) -> str:
    """Network Contributor, as a role definition of `subscription_id`."""
    return (
        f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/"
        f"{NETWORK_CONTRIBUTOR_ROLE}"
    )


def role_assignment_name(scope: str, principal_id: str, role_definition: str) -> str:
    """A stable GUID for (scope, principal, role): a re-run or re-create targets the same assignment
    instead of failing with RoleAssignmentExists under a fresh random name."""
    key = f"{scope.lower()}|{principal_id.lower()}|{role_definition.lower()}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def control_plane_principal_id(
    cluster: str,
    identity_type: str | None,
    system_principal_id: str | None,
    user_assigned_principal_ids: Sequence[str | None],
) -> str:
    """The principal ID of the cluster's control-plane identity, from a managed cluster's `identity`.

    The kubelet identity (identityProfile.kubeletidentity) is deliberately not an input: it pulls
    images, while the load balancer and its public IP are managed by the control-plane identity."""
    if identity_type == "SystemAssigned" and system_principal_id:
        return system_principal_id
    # AKS allows exactly one user-assigned control-plane identity.
    if (
        identity_type == "UserAssigned"
        and len(user_assigned_principal_ids) == 1
        and user_assigned_principal_ids[0]
    ):
        return user_assigned_principal_ids[0]
    raise ValueError(
        f"AKS cluster {cluster!r} has no usable control-plane managed identity (identity type "
        f"{identity_type!r}); give cluster_principal_id (for a service-principal cluster: the service "
        "principal's object ID) or set grant_network_contributor to false"
    )
