"""A gateway that believes PROXY headers must be reachable only from the proxy in front of it.

The PROXY header carries the client address the gateway logs, rate-limits and allowlists on.
Envoy's proxy_protocol listener filter has no list of trusted peers, and Traefik only ignores
headers from untrusted peers: whoever can open a connection to such a gateway can claim any
client address (seed 004). So the stack must isolate every PROXY-reading gateway with
NetworkPolicies that admit, on its PROXY ports, only narrowed peers (the proxy's pods or
addresses) and never everybody.

Gateways this recognises:
- an Istio ``EnvoyFilter`` inserting ``envoy.filters.listener.proxy_protocol``;
- a workload or ``DeploymentPatch`` whose pod template carries the ``proxy.istio.io/config``
  annotation with ``gatewayTopology.proxyProtocol`` (Istio >= 1.19);
- a Traefik ``helm.sh/v3:Release`` with ``proxyProtocol`` on an entrypoint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies._props import ReportViolation, get, items, mapping, path, plain, selects, to_int, whole_space

PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"
PROXY_FILTER = "envoy.filters.listener.proxy_protocol"
RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
SERVICE_TYPE = "kubernetes:core/v1:Service"
WORKLOAD_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:DeploymentPatch")
ENVOY_FILTER_TYPE = "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter"
ALL_PORTS = frozenset(range(1, 65536))


@dataclass
class Gateway:
    what: str
    urn: str
    namespace: str
    selector: dict[str, Any] | None
    """Pod labels the gateway's pods carry; None when the stack does not show them."""
    ports: set[int] = field(default_factory=set)
    """Container ports that read PROXY; empty: every port the NetworkPolicies mention."""
    problems: list[str] = field(default_factory=list)


def _ns(props: Any, default: str = "default") -> str:
    ns = path(props, "metadata", "namespace")
    return ns if isinstance(ns, str) and ns else default


def _traefik_gateway(r: PolicyResource) -> Gateway | None:
    values = plain(get(r.props, "values"))
    ports = mapping(get(values, "ports"))
    proxied = {
        ep: p
        for ep, p in ports.items()
        if isinstance(p, Mapping) and isinstance(p.get("proxyProtocol"), Mapping)
    }
    if not proxied:
        return None
    namespace = get(r.props, "namespace")
    namespace = namespace if isinstance(namespace, str) and namespace else "default"
    release = get(r.props, "name")
    selector = None
    if isinstance(release, str) and release:
        # The chart's pod labels (traefik.instance-name, chart >= 34).
        selector = {
            "app.kubernetes.io/name": "traefik",
            "app.kubernetes.io/instance": f"{release}-{namespace}"[:63].rstrip("-"),
        }
    gw = Gateway(f"Traefik release {release or r.name!r}", r.urn, namespace, selector)
    for ep, p in sorted(proxied.items()):
        port = to_int(p.get("port"))
        if port is not None:
            gw.ports.add(port)
        pp = p["proxyProtocol"]
        if pp.get("insecure") is True:
            gw.problems.append(f"entrypoint {ep} trusts PROXY headers from everyone (proxyProtocol.insecure)")
        trusted = pp.get("trustedIPs")
        if not trusted:
            gw.problems.append(f"entrypoint {ep} lists no proxyProtocol.trustedIPs")
        if whole_space(trusted or []):
            gw.problems.append(f"entrypoint {ep} trusts PROXY headers from {', '.join(map(str, trusted))}")
    return gw


def _istio_workload_gateway(r: PolicyResource) -> Gateway | None:
    raw = path(r.props, "spec", "template", "metadata", "annotations", PROXY_CONFIG_ANNOTATION)
    if not isinstance(raw, str):
        return None
    try:
        config = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(config, dict) or "proxyProtocol" not in (config.get("gatewayTopology") or {}):
        return None
    labels = plain(path(r.props, "spec", "selector", "matchLabels"))
    name = path(r.props, "metadata", "name")
    kind = r.resource_type.rsplit(":", 1)[-1]
    return Gateway(f"Istio gateway {kind} {name!r}", r.urn, _ns(r.props), labels if labels else None)


def _envoy_filter_gateway(r: PolicyResource) -> Gateway | None:
    for patch in items(path(r.props, "spec", "configPatches")):
        if path(patch, "patch", "value", "name") == PROXY_FILTER:
            labels = plain(path(r.props, "spec", "workloadSelector", "labels"))
            name = path(r.props, "metadata", "name")
            return Gateway(f"Istio EnvoyFilter {name!r}", r.urn, _ns(r.props), labels or None)
    return None


def find_gateways(resources: list[PolicyResource]) -> list[Gateway]:
    out = []
    for r in resources:
        gw = None
        if r.resource_type == RELEASE_TYPE:
            gw = _traefik_gateway(r)
        elif r.resource_type in WORKLOAD_TYPES:
            gw = _istio_workload_gateway(r)
        elif r.resource_type == ENVOY_FILTER_TYPE:
            gw = _envoy_filter_gateway(r)
        if gw is not None:
            out.append(gw)
    return out


def _rule_ports(rule: Mapping[str, Any]) -> frozenset[int] | None:
    """TCP ports a rule admits; None for named ports (cannot be resolved from the stack)."""
    entries = rule.get("ports")
    if not entries:
        return ALL_PORTS
    out: set[int] = set()
    for e in entries:
        if e.get("protocol", "TCP") != "TCP":
            continue
        port = e.get("port")
        if port is None:
            return ALL_PORTS
        if to_int(port) is None:
            return None
        end = to_int(e.get("endPort")) or int(port)
        out.update(range(int(port), end + 1))
    return frozenset(out)


def _open_peers(peers: list[Any]) -> str | None:
    """Why a rule's peers admit everyone (None: they do not): one open peer, or address
    blocks that together hold every address (``0.0.0.0/1`` + ``128.0.0.0/1``)."""
    one = next((w for p in peers if isinstance(p, Mapping) and (w := _open_peer(p)) is not None), None)
    if one is not None:
        return one
    blocks = [
        p["ipBlock"].get("cidr")
        for p in peers
        if isinstance(p, Mapping) and isinstance(p.get("ipBlock"), Mapping)
    ]
    return f"ipBlocks {', '.join(map(str, blocks))} (together every address)" if whole_space(blocks) else None


def _open_peer(peer: Mapping[str, Any]) -> str | None:
    """Why a NetworkPolicy peer is not narrowed to particular pods or addresses (None: it is)."""
    block = peer.get("ipBlock")
    if isinstance(block, Mapping):
        return f"ipBlock {block.get('cidr')}" if whole_space([block.get("cidr")]) else None
    pods = peer.get("podSelector")
    if isinstance(pods, Mapping) and (pods.get("matchLabels") or pods.get("matchExpressions")):
        return None
    if "namespaceSelector" in peer:
        return "every pod of the selected namespaces"
    return "every pod of the namespace"


def _policy_selects(np: Mapping[str, Any], gw: Gateway) -> bool:
    pod_selector = mapping(np.get("podSelector"))
    if gw.selector is None or pod_selector.get("matchExpressions"):
        # Cannot tell: judge it as if it selected the gateway (an open rule must not slip through).
        return True
    return selects(pod_selector.get("matchLabels") or {}, gw.selector)


def _service_ports(resources: list[PolicyResource], gw: Gateway) -> set[int]:
    """Target ports of the stack's Services in front of the gateway pods."""
    ports: set[int] = set()
    if gw.selector is None:
        return ports
    for r in resources:
        if r.resource_type != SERVICE_TYPE or _ns(r.props) != gw.namespace:
            continue
        selector = plain(path(r.props, "spec", "selector"))
        if not selector or not selects(selector, gw.selector):
            continue
        for p in plain(path(r.props, "spec", "ports")) or []:
            target = to_int(p.get("targetPort", p.get("port")))
            if target is not None:
                ports.add(target)
    return ports


def _sibling_selector(gw: Gateway, resources: list[PolicyResource]) -> dict[str, Any] | None:
    """A patch shows no pod labels: take them from the Service its component puts in front of the pods."""
    me = next((r for r in resources if r.urn == gw.urn), None)
    parent = me.parent.urn if me is not None and me.parent is not None else None
    for r in resources:
        if r.resource_type != SERVICE_TYPE or _ns(r.props) != gw.namespace or parent is None:
            continue
        if r.parent is not None and r.parent.urn == parent:
            selector = plain(path(r.props, "spec", "selector"))
            if isinstance(selector, dict) and selector:
                return selector
    return None


def gateway_problems(gw: Gateway, resources: list[PolicyResource]) -> list[str]:
    problems = list(gw.problems)
    if gw.selector is None:
        gw.selector = _sibling_selector(gw, resources)
    policies = []
    for r in resources:
        if r.resource_type != NETWORK_POLICY_TYPE or _ns(r.props) != gw.namespace:
            continue
        spec = plain(get(r.props, "spec"))
        if not isinstance(spec, dict):
            continue
        types = spec.get("policyTypes") or ["Ingress"]
        if "Ingress" in types and _policy_selects(spec, gw):
            policies.append((path(r.props, "metadata", "name"), spec))
    if not policies:
        return [
            *problems,
            f"no NetworkPolicy in namespace {gw.namespace!r} selects its pods, so anyone can connect",
        ]

    open_rules: list[tuple[str, frozenset[int], str]] = []
    admitted: set[int] = set()
    for name, spec in policies:
        for i, rule in enumerate(spec.get("ingress") or []):
            ports = _rule_ports(rule)
            peers = rule.get("from") or []
            why = "every source (no 'from')" if not peers else _open_peers(peers)
            if why is None:
                admitted |= ports or set()
            else:
                open_rules.append(
                    (f"NetworkPolicy {name!r} ingress[{i}]", ALL_PORTS if ports is None else ports, why)
                )
    # The PROXY ports: the gateway's own (Traefik entrypoints), else what the stack's Services
    # send to its pods, else the ports the proxy is admitted to.
    proxy_ports = set(gw.ports) or _service_ports(resources, gw) or admitted
    if not admitted & (proxy_ports or ALL_PORTS):
        problems.append("no NetworkPolicy rule admits the proxy in front of it (narrowed pods or addresses)")
    for where, ports, why in open_rules:
        hit = ports & (proxy_ports or ALL_PORTS)
        if hit:
            shown = "every port" if hit == ALL_PORTS else f"PROXY port(s) {sorted(hit)}"
            problems.append(f"{where} admits {why} to {shown}")
    return problems


def check_proxy_protocol_gateways(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for gw in find_gateways(list(args.resources)):
        problems = gateway_problems(gw, list(args.resources))
        if problems:
            report_violation(
                f"{gw.what} in namespace {gw.namespace!r} trusts PROXY headers but is not reachable only "
                f"from the proxy in front of it: {'; '.join(problems)}. Anyone who can connect can forge "
                "client addresses: admit only the proxy's pods or addresses on its PROXY ports.",
                gw.urn,
            )


proxy_protocol_gateway_isolated = StackValidationPolicy(
    name="proxy-protocol-gateway-isolated",
    description="A gateway that trusts PROXY headers is reachable only from the proxy in front of it.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_proxy_protocol_gateways,
)
