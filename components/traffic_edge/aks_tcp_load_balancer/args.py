"""The args of `AksTcpLoadBalancer`: TypedDicts and the enums they use.

Importable without any cloud SDK (only `pulumi` and the standard library): the stack layer
reads these TypedDicts as the schema of its ``traffic-edge:aksIngress`` section, and the
package schema other languages get is inferred from them (docstrings become descriptions).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Required, TypedDict

import pulumi

from traffic_edge.aks_tcp_load_balancer.facts import PROBE_MODE_SERVICE_NODE_PORT, PROBE_MODE_SHARED


class ProbeProtocol(StrEnum):
    """Health probe protocol, exactly as cloud-provider-azure spells it."""

    TCP = "Tcp"
    HTTP = "Http"
    HTTPS = "Https"

    @classmethod
    def _missing_(cls, value: object) -> ProbeProtocol | None:
        # The provider compares case-insensitively, and the AKS docs (and seed 001) write "TCP".
        for member in cls:
            if isinstance(value, str) and value.lower() == member.value.lower():
                return member
        return None


class ExternalTrafficPolicy(StrEnum):
    CLUSTER = "Cluster"
    LOCAL = "Local"


class HealthProbeMode(StrEnum):
    """The cluster's clusterServiceLoadBalancerHealthProbeMode, as cloud-provider-azure names it."""

    SERVICE_NODE_PORT = PROBE_MODE_SERVICE_NODE_PORT
    """One probe per Service port, to its nodePort (the provider's default)."""
    SHARED = PROBE_MODE_SHARED
    """One shared probe of kube-proxy for every Service with externalTrafficPolicy Cluster."""

    @classmethod
    def _missing_(cls, value: object) -> HealthProbeMode | None:
        # The provider lower-cases the setting before comparing (pkg/provider/azure.go).
        for member in cls:
            if isinstance(value, str) and value.lower() == member.value:
                return member
        return None


class SessionAffinity(StrEnum):
    NONE = "None"
    CLIENT_IP = "ClientIP"


class LoadBalancerFrontend(StrEnum):
    """Where the load balancer's frontend IP comes from."""

    NEW_PUBLIC_IP = "NewPublicIp"
    """A Standard, static public IP created (and protected) by the component."""
    EXISTING_PUBLIC_IP = "ExistingPublicIp"
    """A public IP that already exists in `network_resource_group`, adopted by name."""
    INTERNAL = "Internal"
    """An internal load balancer on a private IP of the cluster's virtual network."""


class ServicePortArgs(TypedDict, total=False):
    name: Required[str]
    """Port name (IANA service name: lowercase letters, digits and '-', at most 15 characters)."""
    port: Required[int]
    """Port the load balancer listens on (1-65535); also the number in the per-port annotations."""
    target_port: int
    """Container port number on the selected pods (1-65535). Give this or `target_port_name`."""
    target_port_name: str
    """Name of the container port on the selected pods (IANA service name, as in the pod's
    `ports[].name`), for a pod whose port number may change. Give this or `target_port`."""
    probe_protocol: ProbeProtocol
    """Health probe protocol for this port (default Tcp: the provider's HTTP default fails for a TCP
    server). Ignored by the provider with externalTrafficPolicy Local."""
    probe_request_path: str
    """Request path for an Http/Https probe (provider default '/'); only with Http or Https."""
    probe_interval_seconds: int
    """Probe interval for this port, overriding `probe_interval_seconds` (>= 5)."""
    probe_threshold: int
    """Consecutive failed probes before this port's backend is marked down, overriding
    `probe_threshold` (>= 2; num-of-probe annotation, written to the LB probe's probeThreshold)."""


class PublicIpPrefixArgs(TypedDict, total=False):
    """The public IP prefix a new public IP is taken from: adopted by `id`, or created (protected)
    from `name` and `length`."""

    id: str
    """ARM resource ID of an existing public IP prefix, in the public IP's region and subscription."""
    name: str
    """Name of the prefix to create in `network_resource_group` (protected and retained on delete)."""
    length: int
    """Prefix length of the prefix to create: 28-31 for IPv4, 124-127 for IPv6 (16 to 2 addresses)."""


class IpTagArgs(TypedDict):
    ip_tag_type: str
    """The IP tag's type, as Azure names it, like 'RoutingPreference' or 'FirstPartyUsage'."""
    tag: str
    """The IP tag's value, like 'Internet' or '/Sql'."""


class AksClusterRef(TypedDict):
    name: str
    """AKS managed cluster name."""
    resource_group_name: str
    """Resource group of the managed cluster (not its node resource group)."""


class AksTcpLoadBalancerArgs(TypedDict, total=False):
    service_name: Required[str]
    """Name of the LoadBalancer Service (DNS-1035 label)."""
    namespace: Required[str]
    """Namespace of the Service and of the workload it selects."""
    create_namespace: bool
    """Create the namespace (with the restricted pod security level enforced). Default False:
    the namespace usually belongs to the workload's own deployment."""
    selector: Required[dict[str, str]]
    """Pod labels of the TCP server the Service sends traffic to (the workload is not created here)."""
    ports: Required[list[ServicePortArgs]]
    """Service ports (TCP); at least one, unique numbers and names."""
    network_resource_group: Required[str]
    """Resource group holding the public IP (or, for an internal LB, the virtual network); the
    cluster identity gets Network Contributor on it."""
    frontend: LoadBalancerFrontend
    """NewPublicIp (default), ExistingPublicIp or Internal."""
    public_ip_name: str
    """Name of the public IP to create or adopt; required unless frontend is Internal."""
    location: str
    """Azure region of the new public IP (the cluster's region); NewPublicIp only, required there."""
    zones: list[str]
    """Availability zones of the new public IP: default 1,2,3 (zone-redundant); [] for a region
    without zones. NewPublicIp only; must match the zones the cluster's load balancer can use."""
    dns_label: str
    """DNS label of the new public IP (<label>.<region>.cloudapp.azure.com); NewPublicIp only."""
    public_ip_prefix: PublicIpPrefixArgs
    """The prefix the new public IP is taken from (the contiguous range a third party allowlists):
    `id` to adopt one, or `name` and `length` to create one. NewPublicIp only."""
    ip_tags: list[IpTagArgs]
    """IP tags of the new IPv4 public IP (set at creation: changing them replaces the IP, which its
    protection refuses). NewPublicIp only."""
    public_ip_tags: dict[str, str]
    """Azure resource tags of the new public IPs and prefixes. NewPublicIp only; needs a provider
    that leaves a named public IP's tags alone (facts.USER_PIP_TAGS_KEPT)."""
    dual_stack: bool
    """Serve IPv4 and IPv6 (ipFamilies IPv4, IPv6 with RequireDualStack; the cluster must be
    dual-stack). Default False. Public frontends then need `public_ip_name_ipv6` (facts.DUAL_STACK)."""
    public_ip_name_ipv6: str
    """Name of the IPv6 public IP to create or adopt; with `dual_stack` on a public frontend only."""
    public_ip_prefix_ipv6: PublicIpPrefixArgs
    """The prefix the new IPv6 public IP is taken from, like `public_ip_prefix`. NewPublicIp only."""
    internal_subnet: str
    """Subnet of the internal load balancer (default: the cluster's subnet); Internal only."""
    internal_ip: str
    """Fixed private IPv4 address of the internal load balancer, in that subnet; Internal only."""
    external_traffic_policy: ExternalTrafficPolicy
    """Cluster (default) or Local (keeps the client IP; the LB then probes kube-proxy's /healthz
    on the healthCheckNodePort and per-port probe settings are ignored)."""
    health_probe_mode: HealthProbeMode
    """The cluster's health-probe mode (AKS: --cluster-service-load-balancer-health-probe-mode):
    servicenodeport (default) or shared. With shared and externalTrafficPolicy Cluster the provider
    builds no probe for this Service, so probe settings are rejected and no probe annotation is written."""
    session_affinity: SessionAffinity
    """None (default) or ClientIP (kube-proxy keeps a client on one pod for long TCP sessions)."""
    probe_interval_seconds: int
    """Probe interval for every port (>= 5; provider default 5)."""
    probe_threshold: int
    """Failed probes before a backend is marked down, for every port (>= 2; provider default 2).
    interval x threshold must stay below 120 s."""
    tcp_idle_timeout_minutes: int
    """TCP idle timeout of the load-balancing rules, 4-100 minutes (provider default 4)."""
    load_balancer_source_ranges: list[str]
    """Client CIDRs allowed in, enforced by the NSG and kube-proxy (spec.loadBalancerSourceRanges).
    Default: open to every address. Not together with `allowed_ip_ranges`."""
    allowed_ip_ranges: list[str]
    """Client CIDRs allowed in, enforced by the NSG only (azure-allowed-ip-ranges, cloud-provider-azure
    1.29.0 and the backports in facts.ALLOWED_IP_RANGES). Not together with `load_balancer_source_ranges`."""
    allowed_service_tags: list[str]
    """Azure service tags allowed in by the NSG (azure-allowed-service-tags), like 'AzureFrontDoor.Backend';
    with them the Service is no longer open to the Internet. Not with `load_balancer_source_ranges`
    (kube-proxy would drop the tags' sources); may be combined with `allowed_ip_ranges`."""
    deny_all_except_source_ranges: bool
    """Add an NSG rule denying every other source, the virtual network's included
    (azure-deny-all-except-load-balancer-source-ranges). Default False. Needs
    `load_balancer_source_ranges` or `allowed_ip_ranges` (the latter from facts.DENY_ALL_WITH_ALLOWED_IP_RANGES)."""
    disable_tcp_reset: bool
    """Turn TCP reset off on the load-balancing rules (azure-load-balancer-disable-tcp-reset). Default
    False: an idle-timed-out flow is reset, as AKS recommends. Read by cloud-provider-azure 1.29.0 and
    the backports in facts.DISABLE_TCP_RESET."""
    kubernetes_version: str
    """AKS Kubernetes version ("1.29" or "1.29.4"); AKS runs the matching cloud-provider-azure minor.
    This or `cloud_provider_version` is required."""
    cloud_provider_version: str
    """Exact cloud-provider-azure version ("1.26.8"); more precise than `kubernetes_version`
    for patch-level backports."""
    grant_network_contributor: bool
    """Give the cluster's control-plane identity Network Contributor on `network_resource_group`
    (default True). Set False when that assignment already exists."""
    cluster_principal_id: pulumi.Input[str]
    """Object (principal) ID of the cluster's control-plane identity. Give this or `aks_cluster`."""
    aks_cluster: AksClusterRef
    """The AKS cluster whose control-plane identity is looked up (never the kubelet identity)."""
    subscription_id: pulumi.Input[str]
    """Subscription of `network_resource_group`; default: the azure-native provider's subscription."""
