"""The cloud-provider-azure Service annotations of a plan, and the warnings about what they do.

Pure: `build_annotations` turns an `AksLoadBalancerPlan` into the exact annotations the
Service carries plus notes on the settings it leaves out; `version_warnings` names the
settings the configured cloud-provider-azure version ignores. The annotation names and the
version boundaries are in `traffic_edge.aks_tcp_load_balancer.facts`.
"""

from __future__ import annotations

from traffic_edge.aks_tcp_load_balancer.args import ExternalTrafficPolicy, LoadBalancerFrontend
from traffic_edge.aks_tcp_load_balancer.facts import (
    ANN_ALLOWED_IP_RANGES,
    ANN_ALLOWED_SERVICE_TAGS,
    ANN_DENY_ALL_EXCEPT,
    ANN_DISABLE_TCP_RESET,
    ANN_IDLE_TIMEOUT,
    ANN_INTERNAL,
    ANN_INTERNAL_SUBNET,
    ANN_IPV4,
    ANN_PIP_NAME,
    ANN_PIP_NAME_IPV6,
    ANN_PROBE_INTERVAL,
    ANN_PROBE_NUM,
    ANN_RESOURCE_GROUP,
    DISABLE_TCP_RESET,
    IDLE_TIMEOUT_DOCUMENTED_MAX,
    IDLE_TIMEOUT_RANGE,
    LOCAL_PROBE_SETTINGS,
    NUM_OF_PROBE,
    PROVIDER_DEFAULT_INTERVAL,
    PROVIDER_DEFAULT_THRESHOLD,
    SHARED_PROBE_MODE,
    USER_PIP_TAGS_KEPT,
    Support,
    port_annotation,
)
from traffic_edge.aks_tcp_load_balancer.plan import AksLoadBalancerPlan, PortPlan

_LOCAL_IGNORES_PORTS = (
    "not applied: with external_traffic_policy Local the load balancer probes kube-proxy with HTTP GET "
    "/healthz on the healthCheckNodePort for every port, and cloud-provider-azure ignores per-port probe "
    "annotations for it; the global probe_interval_seconds / probe_threshold apply instead."
)
_UNKNOWN_PATCH = (
    " The AKS patch that carries the backport is not known here: set cloud_provider_version to be sure."
)


def build_annotations(plan: AksLoadBalancerPlan) -> tuple[dict[str, str], list[str]]:
    """The Service's cloud-provider-azure annotations, and the notes about what is not applied."""
    ann = _frontend(plan)
    notes: list[str] = []
    # With the cluster's shared probe the provider reads no probe annotation of this Service
    # (useSharedProbe), not even the Tcp protocol the seed needs: writing one would only mislead.
    if plan.shared_probe is not Support.YES:
        notes += _probes(plan, ann)
    if plan.tcp_idle_timeout_minutes is not None:
        ann[ANN_IDLE_TIMEOUT] = str(plan.tcp_idle_timeout_minutes)
        notes += _idle_timeout_note(plan.tcp_idle_timeout_minutes)
    if plan.disable_tcp_reset:
        ann[ANN_DISABLE_TCP_RESET] = "true"
    if plan.allowed_ip_ranges is not None:
        ann[ANN_ALLOWED_IP_RANGES] = ",".join(plan.allowed_ip_ranges)
    if plan.allowed_service_tags is not None:
        ann[ANN_ALLOWED_SERVICE_TAGS] = ",".join(plan.allowed_service_tags)
    if plan.deny_all_except_source_ranges:
        ann[ANN_DENY_ALL_EXCEPT] = "true"
    return ann, notes


def _probes(plan: AksLoadBalancerPlan, ann: dict[str, str]) -> list[str]:
    """Adds the global and per-port probe annotations to `ann`; notes the per-port ones Local drops."""
    if plan.probe_interval_seconds is not None:
        ann[ANN_PROBE_INTERVAL] = str(plan.probe_interval_seconds)
    if plan.probe_threshold is not None:
        ann[ANN_PROBE_NUM] = str(plan.probe_threshold)
    notes: list[str] = []
    for i, port in enumerate(plan.ports):
        if plan.external_traffic_policy is ExternalTrafficPolicy.LOCAL:
            if port.probe_settings:
                notes.append(f"ports[{i}]: {', '.join(port.probe_settings)} {_LOCAL_IGNORES_PORTS}")
            continue
        ann.update(_port_probe(port))
    return notes


def _frontend(plan: AksLoadBalancerPlan) -> dict[str, str]:
    if plan.frontend is LoadBalancerFrontend.INTERNAL:
        ann = {ANN_INTERNAL: "true"}
        if plan.internal_subnet is not None:
            ann[ANN_INTERNAL_SUBNET] = plan.internal_subnet
        if plan.internal_ip is not None:
            ann[ANN_IPV4] = plan.internal_ip
        return ann
    # The provider reads this group only to find the PIP; the LB itself stays in the node group.
    assert plan.public_ip_name is not None, "a public frontend has a public IP name"
    ann = {ANN_RESOURCE_GROUP: plan.network_resource_group, ANN_PIP_NAME: plan.public_ip_name}
    # A dual-stack Service's IPv6 frontend takes the PIP named here (getServicePIPName(service, true)).
    if plan.public_ip_name_ipv6 is not None:
        ann[ANN_PIP_NAME_IPV6] = plan.public_ip_name_ipv6
    return ann


def _port_probe(port: PortPlan) -> dict[str, str]:
    # The protocol is always explicit: without it the probe protocol follows appProtocol or the
    # cluster default, and an HTTP probe against a TCP server fails so no traffic arrives (seed 001).
    ann = {port_annotation(port.port, "protocol"): port.probe_protocol.value}
    if port.probe_request_path is not None:
        ann[port_annotation(port.port, "request-path")] = port.probe_request_path
    if port.probe_interval_seconds is not None:
        ann[port_annotation(port.port, "interval")] = str(port.probe_interval_seconds)
    if port.probe_threshold is not None:
        ann[port_annotation(port.port, "num-of-probe")] = str(port.probe_threshold)
    return ann


def _idle_timeout_note(minutes: int) -> list[str]:
    if minutes <= IDLE_TIMEOUT_DOCUMENTED_MAX:
        return []
    return [
        f"tcp_idle_timeout_minutes {minutes}: cloud-provider-azure accepts up to {IDLE_TIMEOUT_RANGE[1]}, "
        f"but the AKS documentation still gives {IDLE_TIMEOUT_DOCUMENTED_MAX} minutes as the maximum "
        "for load-balancing rules; check the applied rule after deploying."
    ]


def _no_effect(support: Support) -> str:
    return "may have no effect" if support is Support.UNKNOWN else "has no effect"


def version_warnings(plan: AksLoadBalancerPlan) -> list[str]:
    """Warnings for settings the configured cloud-provider-azure version ignores (or may ignore)."""
    return [
        *_probe_warnings(plan),
        *_shared_probe_warning(plan),
        *_tcp_reset_warning(plan),
        *_pip_tags_warning(plan),
    ]


def _hedge(support: Support) -> str:
    return _UNKNOWN_PATCH if support is Support.UNKNOWN else ""


def _probe_warnings(plan: AksLoadBalancerPlan) -> list[str]:
    """num-of-probe before its fix; the global settings with the Local policy before theirs."""
    version = plan.provider_version
    if plan.external_traffic_policy is ExternalTrafficPolicy.LOCAL:
        set_keys = [
            key
            for key, value in (
                ("probe_interval_seconds", plan.probe_interval_seconds),
                ("probe_threshold", plan.probe_threshold),
            )
            if value is not None
        ]
        support = LOCAL_PROBE_SETTINGS.support(version)
        if not set_keys or support is Support.YES:
            return []
        return [
            f"{' and '.join(set_keys)} {_no_effect(support)} with external_traffic_policy Local on "
            f"{version.describe()}: the healthCheckNodePort probe stays at {PROVIDER_DEFAULT_INTERVAL} s / "
            f"{PROVIDER_DEFAULT_THRESHOLD} probes before {LOCAL_PROBE_SETTINGS.describe()}." + _hedge(support)
        ]
    threshold_keys = (["probe_threshold"] if plan.probe_threshold is not None else []) + [
        f"ports[{i}].probe_threshold" for i, port in enumerate(plan.ports) if port.probe_threshold is not None
    ]
    support = NUM_OF_PROBE.support(version)
    if not threshold_keys or support is Support.YES:
        return []
    return [
        f"{', '.join(threshold_keys)} {_no_effect(support)} on {version.describe()}: the provider writes "
        "num-of-probe to numberOfProbes, which Azure Load Balancer ignores, so a backend is marked down after "
        f"one failed probe. Fixed in {NUM_OF_PROBE.describe()}." + _hedge(support)
    ]


def _shared_probe_warning(plan: AksLoadBalancerPlan) -> list[str]:
    """Shared mode on a minor whose AKS patch may or may not have it: the probe settings are
    written (they work without the mode) and said to be maybe ignored."""
    if plan.shared_probe is not Support.UNKNOWN:
        return []
    keys = [k for k in ("probe_interval_seconds", "probe_threshold") if getattr(plan, k) is not None] + [
        f"ports[{i}].{key}" for i, port in enumerate(plan.ports) for key in port.probe_settings
    ]
    if not keys:
        return []
    return [
        f"{', '.join(keys)} may be ignored on {plan.provider_version.describe()}: with health_probe_mode "
        f"'shared' and external_traffic_policy Cluster, {SHARED_PROBE_MODE.describe()} and later build no "
        "health probe for this Service: the load balancer uses the cluster's shared probe of kube-proxy instead."
        + _UNKNOWN_PATCH
    ]


def _tcp_reset_warning(plan: AksLoadBalancerPlan) -> list[str]:
    """disable_tcp_reset on a minor whose AKS patch may not read it (a known NO is a validation error)."""
    support = DISABLE_TCP_RESET.support(plan.provider_version)
    if not plan.disable_tcp_reset or support is not Support.UNKNOWN:
        return []
    return [
        f"disable_tcp_reset may have no effect on {plan.provider_version.describe()}: TCP reset stays on "
        f"unless the provider reads azure-load-balancer-disable-tcp-reset, which it does from "
        f"{DISABLE_TCP_RESET.describe()}." + _UNKNOWN_PATCH
    ]


def _pip_tags_warning(plan: AksLoadBalancerPlan) -> list[str]:
    """public_ip_tags on a minor whose AKS patch may still re-tag named PIPs (a known NO is an error)."""
    new = plan.new_public_ip
    support = USER_PIP_TAGS_KEPT.support(plan.provider_version)
    if new is None or new.tags is None or support is not Support.UNKNOWN:
        return []
    return [
        f"public_ip_tags may not stay as set on {plan.provider_version.describe()}: before "
        f"{USER_PIP_TAGS_KEPT.describe()} the provider re-tags a public IP named by azure-pip-name with the "
        "cluster's tags on every sync, and the next pulumi up sets them back." + _UNKNOWN_PATCH
    ]
