"""`AksTcpLoadBalancer`: a TCP service on AKS behind an Azure Standard Load Balancer with a fixed IP.

Seed 001: the public IP lives in a separate network resource group so it survives the
Service and the cluster; the health probes are TCP (the default HTTP probe fails against a
TCP server and no traffic arrives); the cluster's control-plane identity needs Network
Contributor on that group, or the Service sits pending with an authorization error.
The args are validated (`validate`), resolved once (`plan`), turned into annotations and
manifests (`annotations`, `manifests`); this class only registers them.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import authorization, containerservice, network

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.problems import raise_if
from traffic_edge.aks_tcp_load_balancer.annotations import build_annotations, version_warnings
from traffic_edge.aks_tcp_load_balancer.args import (
    AksClusterRef,
    AksTcpLoadBalancerArgs,
    LoadBalancerFrontend,
)
from traffic_edge.aks_tcp_load_balancer.manifests import namespace_manifest, service_manifest
from traffic_edge.aks_tcp_load_balancer.plan import (
    AksLoadBalancerPlan,
    GrantPlan,
    NewPublicIpPlan,
    PrefixPlan,
    control_plane_principal_id,
    plan_aks_tcp_load_balancer,
    resource_group_scope,
    role_assignment_name,
    role_definition_id,
)
from traffic_edge.aks_tcp_load_balancer.validate import validate_aks_tcp_load_balancer_args

__all__ = ["AksTcpLoadBalancer"]


class AksTcpLoadBalancer(pulumi.ComponentResource):
    """A TCP Service of type LoadBalancer on AKS with a fixed frontend IP and explicit health probes.

    Registers, as children:
    - `<name>-pip`: a Standard, static, IPv4 public IP in `network_resource_group` (zone-redundant
      by default), protected and retained on delete so the address never changes or disappears;
      only with frontend NewPublicIp. ExistingPublicIp adopts one by name instead (looked up, not managed).
    - `<name>-pip-ipv6`: the same for IPv6, with `dual_stack` (and `public_ip_name_ipv6`).
    - `<name>-pip-prefix`, `<name>-pip-prefix-ipv6`: the public IP prefixes created from `public_ip_prefix`
      (`name`, `length`), protected and retained too; a prefix given by `id` is only referenced.
    - `<name>-network-contributor`: a role assignment giving the cluster's control-plane identity
      Network Contributor on `network_resource_group` (deterministic name, principal type
      ServicePrincipal); unless `grant_network_contributor` is false.
    - `<name>-ns`: the namespace with the restricted pod security level, if `create_namespace`.
    - `<name>-svc`: the Service with the cloud-provider-azure annotations; it depends on the public
      IP and the role assignment, so the cloud provider never looks for a PIP it cannot read yet.

    Args (`AksTcpLoadBalancerArgs`, snake_case here, camelCase in stack config):
    service_name, namespace, create_namespace, selector, ports (name, port, target_port or
    target_port_name, probe_protocol, probe_request_path, probe_interval_seconds, probe_threshold),
    network_resource_group, frontend, public_ip_name, location, zones, dns_label,
    public_ip_prefix, ip_tags, public_ip_tags, dual_stack, public_ip_name_ipv6, public_ip_prefix_ipv6,
    internal_subnet, internal_ip, external_traffic_policy, health_probe_mode, session_affinity,
    probe_interval_seconds, probe_threshold, tcp_idle_timeout_minutes,
    load_balancer_source_ranges, allowed_ip_ranges, allowed_service_tags, deny_all_except_source_ranges,
    disable_tcp_reset, kubernetes_version,
    cloud_provider_version,
    grant_network_contributor, cluster_principal_id, aks_cluster, subscription_id.
    Each field is documented on the TypedDict.

    Settings the configured cloud-provider-azure version ignores (num-of-probe, interval/threshold
    with the Local policy: see facts.py) are applied but logged as warnings; an allow-list or a TCP
    reset switch it ignores, and probe settings the cluster's shared probe would ignore, are errors.

    Outputs: `ip_address` (the frontend address; unknown for an internal LB without
    `internal_ip`), `ipv6_address` (the IPv6 public IP's address when dual-stack, else None), `fqdn` (None without a DNS label), `annotations` (exactly as applied),
    `service_name` and `service_namespace` (the Service, for what selects or reaches it next).
    """

    ip_address: pulumi.Output[str | None]
    ipv6_address: pulumi.Output[str | None]
    fqdn: pulumi.Output[str | None]
    annotations: pulumi.Output[dict[str, str]]
    service_name: pulumi.Output[str]
    service_namespace: pulumi.Output[str]

    def __init__(self, name: str, args: AksTcpLoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if(f"AksTcpLoadBalancer {name!r}", validate_aks_tcp_load_balancer_args(args, name))
        super().__init__("traffic-edge:index:AksTcpLoadBalancer", name, None, opts)
        plan = plan_aks_tcp_load_balancer(name, args)
        annotations, notes = build_annotations(plan)
        for warning in notes + version_warnings(plan):
            pulumi.log.warn(f"AksTcpLoadBalancer {name!r}: {warning}", resource=self)

        service_deps: list[pulumi.Resource] = []
        self.ip_address, self.fqdn, self.ipv6_address = self._frontend(plan, service_deps)
        if plan.grant is not None:
            service_deps.append(self._grant_network_contributor(plan.name, plan.grant))
        if plan.create_namespace:
            namespace = namespace_manifest(plan.namespace)
            service_deps.append(
                k8s_objects.create(f"{name}-ns", namespace, pulumi.ResourceOptions(parent=self))
            )
        k8s_objects.create(
            f"{name}-svc",
            service_manifest(plan, annotations),
            pulumi.ResourceOptions(parent=self, depends_on=service_deps),
        )

        self.annotations = pulumi.Output.from_input(annotations)
        self.service_name = pulumi.Output.from_input(plan.service_name)
        self.service_namespace = pulumi.Output.from_input(plan.namespace)
        self.register_outputs(
            {
                "ip_address": self.ip_address,
                "ipv6_address": self.ipv6_address,
                "fqdn": self.fqdn,
                "annotations": self.annotations,
                "service_name": self.service_name,
                "service_namespace": self.service_namespace,
            }
        )

    def _frontend(
        self, plan: AksLoadBalancerPlan, service_deps: list[pulumi.Resource]
    ) -> tuple[pulumi.Output[str | None], pulumi.Output[str | None], pulumi.Output[str | None]]:
        """The frontend's IPv4 address, FQDN and IPv6 address; created public IPs join `service_deps`."""
        none: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        if plan.frontend is LoadBalancerFrontend.INTERNAL:
            return pulumi.Output.from_input(plan.internal_ip), none, none
        if plan.frontend is LoadBalancerFrontend.EXISTING_PUBLIC_IP:
            existing = self._existing_public_ip(plan, plan.public_ip_name)
            ipv6 = (
                self._existing_public_ip(plan, plan.public_ip_name_ipv6).ip_address
                if plan.public_ip_name_ipv6 is not None
                else none
            )
            return existing.ip_address, existing.dns_settings.apply(lambda d: d.fqdn if d else None), ipv6
        new = plan.new_public_ip
        assert new is not None and plan.public_ip_name is not None, "frontend NewPublicIp plans its public IP"
        pip = self._new_public_ip(plan, new, plan.public_ip_name, network.IPVersion.I_PV4, new.prefix, "")
        service_deps.append(pip)
        ipv6 = none
        if plan.public_ip_name_ipv6 is not None:
            pip6 = self._new_public_ip(
                plan, new, plan.public_ip_name_ipv6, network.IPVersion.I_PV6, new.prefix_ipv6, "-ipv6"
            )
            service_deps.append(pip6)
            ipv6 = pip6.ip_address
        return pip.ip_address, pip.dns_settings.apply(lambda d: d.fqdn if d else None), ipv6

    def _existing_public_ip(self, plan: AksLoadBalancerPlan, name: str | None) -> Any:
        return network.get_public_ip_address_output(
            resource_group_name=plan.network_resource_group,
            public_ip_address_name=name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )

    def _new_public_ip(
        self,
        plan: AksLoadBalancerPlan,
        new: NewPublicIpPlan,
        pip_name: str,
        version: network.IPVersion,
        prefix: PrefixPlan | None,
        suffix: str,
    ) -> network.PublicIPAddress:
        """A Standard, static public IP, protected and retained: its address is what clients allowlist."""
        ipv4 = version is network.IPVersion.I_PV4
        return network.PublicIPAddress(
            f"{plan.name}-pip{suffix}",
            resource_group_name=plan.network_resource_group,
            public_ip_address_name=pip_name,
            location=new.location,
            # The PIP SKU must match the AKS load balancer's (Standard), and Standard must be Static.
            sku=network.PublicIPAddressSkuArgs(
                name=network.PublicIPAddressSkuName.STANDARD, tier=network.PublicIPAddressSkuTier.REGIONAL
            ),
            public_ip_allocation_method=network.IPAllocationMethod.STATIC,
            public_ip_address_version=version,
            zones=list(new.zones) or None,
            dns_settings=network.PublicIPAddressDnsSettingsArgs(domain_name_label=new.dns_label)
            if new.dns_label and ipv4
            else None,
            public_ip_prefix=network.SubResourceArgs(id=self._prefix_id(plan, new, prefix, version, suffix))
            if prefix is not None
            else None,
            ip_tags=[network.IpTagArgs(ip_tag_type=t, tag=v) for t, v in new.ip_tags]
            if new.ip_tags and ipv4
            else None,
            tags=dict(new.tags) if new.tags is not None else None,
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )

    def _prefix_id(
        self,
        plan: AksLoadBalancerPlan,
        new: NewPublicIpPlan,
        prefix: PrefixPlan,
        version: network.IPVersion,
        suffix: str,
    ) -> pulumi.Input[str]:
        """The adopted prefix's ID, or that of a prefix created here: protected and retained like the
        PIP, since its range is what third parties allowlist."""
        if prefix.id is not None:
            return prefix.id
        created = network.PublicIPPrefix(
            f"{plan.name}-pip-prefix{suffix}",
            resource_group_name=plan.network_resource_group,
            public_ip_prefix_name=prefix.name,
            location=new.location,
            sku=network.PublicIPPrefixSkuArgs(
                name=network.PublicIPPrefixSkuName.STANDARD, tier=network.PublicIPPrefixSkuTier.REGIONAL
            ),
            prefix_length=prefix.length,
            public_ip_address_version=version,
            zones=list(new.zones) or None,
            tags=dict(new.tags) if new.tags is not None else None,
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        return created.id

    def _grant_network_contributor(self, name: str, grant: GrantPlan) -> authorization.RoleAssignment:
        subscription = (
            pulumi.Output.from_input(grant.subscription_id)
            if grant.subscription_id is not None
            else authorization.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).subscription_id
        )
        if grant.cluster_principal_id is not None:
            principal = pulumi.Output.from_input(grant.cluster_principal_id)
        else:
            assert grant.aks_cluster is not None, "validated: a principal ID or a cluster to look it up in"
            principal = self._control_plane_principal_id(grant.aks_cluster)
        scope = subscription.apply(lambda sub: resource_group_scope(sub, grant.resource_group))
        role = subscription.apply(role_definition_id)
        return authorization.RoleAssignment(
            f"{name}-network-contributor",
            principal_id=principal,
            # A managed identity is a service principal; the SDK's default 'User' makes ARM reject it (UnmatchedPrincipalType).
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=role,
            scope=scope,
            role_assignment_name=pulumi.Output.all(scope, principal, role).apply(
                lambda v: role_assignment_name(v[0], v[1], v[2])
            ),
            description=grant.description,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _control_plane_principal_id(self, cluster: AksClusterRef) -> pulumi.Output[str]:
        """Principal ID of the cluster's control-plane identity, read from the managed cluster."""
        found = containerservice.get_managed_cluster_output(
            resource_group_name=cluster["resource_group_name"],
            resource_name=cluster["name"],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )

        def pick(result: Any) -> str:
            identity = result.identity
            assigned = (identity.user_assigned_identities or {}) if identity else {}
            return control_plane_principal_id(
                cluster["name"],
                identity.type if identity else None,
                identity.principal_id if identity else None,
                [value.principal_id for value in assigned.values()],
            )

        return found.apply(pick)
