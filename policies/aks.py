"""AKS LoadBalancer Services: explicit health probes that Azure can act on (seed 001)."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policies._props import UNKNOWN, ReportViolation, get, items, k8s_name, mapping, path, to_int

PREFIX = "service.beta.kubernetes.io/"
AZURE_LB_PREFIX = PREFIX + "azure-load-balancer-"
GLOBAL_PROTOCOL = AZURE_LB_PREFIX + "health-probe-protocol"
GLOBAL_INTERVAL = AZURE_LB_PREFIX + "health-probe-interval"
GLOBAL_NUM = AZURE_LB_PREFIX + "health-probe-num-of-probe"
# cloud-provider-azure's defaults when nothing is annotated.
DEFAULT_INTERVAL = 5
DEFAULT_NUM = 2
# The provider rejects interval x num-of-probe >= 120 s and leaves the Service without a load balancer.
PROBE_WINDOW_LIMIT = 120
PROTOCOLS = ("tcp", "http", "https")


def _port_key(port: object, what: str) -> str:
    return f"{PREFIX}port_{port}_health-probe_{what}"


def check_aks_lb_probes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if (
        args.resource_type != "kubernetes:core/v1:Service"
        or path(args.props, "spec", "type") != "LoadBalancer"
    ):
        return
    ann = mapping(path(args.props, "metadata", "annotations"))
    if not any(k.startswith(AZURE_LB_PREFIX) for k in ann):
        return
    name = k8s_name(args.props)
    for p in items(path(args.props, "spec", "ports")):
        protocol = get(p, "protocol", "TCP")
        port = get(p, "port")
        if protocol != "TCP" or port is UNKNOWN or to_int(port) is None:
            continue
        if str(get(ann, f"{PREFIX}port_{port}_no_probe_rule")).lower() == "true" or (
            str(get(ann, f"{PREFIX}port_{port}_no_lb_rule")).lower() == "true"
        ):
            continue
        # cloud-provider-azure's precedence: per-port annotation > appProtocol > global annotation.
        chosen = get(ann, _port_key(port, "protocol")) or get(p, "appProtocol") or get(ann, GLOBAL_PROTOCOL)
        if not isinstance(chosen, str) or chosen.lower() not in PROTOCOLS:
            report_violation(
                f"AKS LoadBalancer Service {name} port {port}/TCP has no health probe protocol "
                f"(got {chosen!r}): a TCP server behind a default HTTP probe never gets traffic. "
                f"Annotate {_port_key(port, 'protocol')} or {GLOBAL_PROTOCOL} with Tcp, Http or Https."
            )
        interval_raw = get(ann, _port_key(port, "interval")) or get(ann, GLOBAL_INTERVAL)
        num_raw = get(ann, _port_key(port, "num-of-probe")) or get(ann, GLOBAL_NUM)
        interval = DEFAULT_INTERVAL if interval_raw is None else to_int(interval_raw)
        num = DEFAULT_NUM if num_raw is None else to_int(num_raw)
        if interval is None or num is None:
            report_violation(
                f"AKS LoadBalancer Service {name} port {port}: probe interval {interval_raw!r} and "
                f"num-of-probe {num_raw!r} must be whole numbers of seconds and probes."
            )
        elif interval * num >= PROBE_WINDOW_LIMIT:
            report_violation(
                f"AKS LoadBalancer Service {name} port {port}: probe interval {interval} s x num-of-probe "
                f"{num} = {interval * num} s, not below {PROBE_WINDOW_LIMIT} s: cloud-provider-azure rejects "
                "the Service and no load balancer rule is created. Lower the interval or the count."
            )


aks_lb_probes = ResourceValidationPolicy(
    name="aks-lb-probes",
    description="AKS LoadBalancer Services: every TCP port has a probe protocol and interval x num-of-probe < 120 s.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_aks_lb_probes,
)
