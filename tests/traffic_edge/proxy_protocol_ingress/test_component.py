"""ProxyProtocolIngress through the offline engine: what gets registered, in which order,
whether every object passes the strict schema, and the exact validation messages."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pulumi
import pytest

from planner.engine import run
from planner.kube_schema import validate_manifest
from traffic_edge._shared.problems import ArgsError
from traffic_edge.proxy_protocol_ingress.component import (
    ProxyProtocolIngress,
    haproxy_config,
    other_port_ranges,
    traefik_trust,
    validate_proxy_protocol_ingress_args,
)
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg

KUBE = "1.33"

IN_CLUSTER_ARGS: dict[str, Any] = {
    "istio_version": "1.24",
    "ports": [
        {"name": "http", "port": 80, "target_port": 8080},
        {"name": "https", "port": 443, "target_port": 8443},
    ],
    "metallb": {"addresses": ["192.168.50.240/29", "192.168.50.250-192.168.50.252"]},
    "load_balancer_ip": "192.168.50.241",
}

EXTERNAL_ARGS: dict[str, Any] = {
    "istio_version": "1.18",
    "placement": "external",
    "ports": [
        {"name": "http", "port": 80, "target_port": 8080, "node_port": 30080},
        {"name": "https", "port": 443, "target_port": 8443, "node_port": 30443},
    ],
    "node_addresses": ["10.20.0.11", "10.20.0.12", "10.20.0.13"],
    "haproxy_source_cidrs": ["10.20.1.5/32", "10.20.1.6/32"],
    "health_check": {"inter_ms": 1000, "fall": 2, "rise": 2},
}


def plan(args: dict[str, Any], name: str = "edge") -> Any:
    return run(lambda: ProxyProtocolIngress(name, args), stack="test")  # type: ignore[arg-type]


def objects(rec: Any) -> list[dict[str, Any]]:
    """Whole objects; a `*Patch` resource is a partial object for server-side apply, checked
    on its own (its `kind` is the patched kind, but it lacks the required fields)."""
    return [r.inputs for r in rec.resources if r.is_kubernetes_object and not r.type.endswith("Patch")]


def by_kind(rec: Any, kind: str) -> list[dict[str, Any]]:
    return [m for m in objects(rec) if m["kind"] == kind]


def test_in_cluster_registers_metallb_haproxy_and_gateway_side_all_schema_valid() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    kinds = sorted(m["kind"] for m in objects(rec))
    assert kinds == sorted(
        [
            "Namespace",  # metallb-system (privileged)
            "IPAddressPool",
            "L2Advertisement",
            "Namespace",  # haproxy-edge (restricted)
            "ConfigMap",
            "Deployment",
            "PodDisruptionBudget",
            "Service",  # LoadBalancer
            "Service",  # headless, gateway pods
            "NetworkPolicy",
        ]
    )
    for m in objects(rec):
        assert validate_manifest(m, KUBE) == [], m["kind"]
    (component,) = rec.by_type("traffic-edge:index:ProxyProtocolIngress")
    for r in rec.descendants_of(component.urn):
        assert r.parent == component.urn
    assert rec.by_type("kubernetes:apps/v1:DeploymentPatch")  # Istio 1.24 -> annotation patch
    assert not by_kind(rec, "EnvoyFilter")


def test_metallb_release_pinned_and_pool_waits_for_it() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    (release,) = rec.by_type("kubernetes:helm.sh/v3:Release")
    assert release.inputs["chart"] == "metallb"
    assert release.inputs["version"] == "0.16.1"
    assert release.inputs["repositoryOpts"]["repo"] == "https://metallb.github.io/metallb"
    assert release.inputs["skipAwait"] is False
    assert release.inputs["namespace"] == "metallb-system"
    ns = rec.get("kubernetes:core/v1:Namespace", "edge-metallb-ns")
    assert ns.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    assert ns.urn in release.depends_on
    pools = [r for r in rec.resources if r.inputs.get("kind") in ("IPAddressPool", "L2Advertisement")]
    assert len(pools) == 2
    for r in pools:
        assert release.urn in r.depends_on
        assert r.inputs["metadata"]["namespace"] == "metallb-system"
    (pool,) = by_kind(rec, "IPAddressPool")
    assert pool["spec"] == {
        "addresses": ["192.168.50.240/29", "192.168.50.250-192.168.50.252"],
        "autoAssign": False,
    }
    (adv,) = by_kind(rec, "L2Advertisement")
    assert adv["spec"]["ipAddressPools"] == [pool["metadata"]["name"]]


def test_existing_metallb_gets_only_pool_and_advertisement() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args["metallb"].update(install=False, namespace="metallb")
    rec = plan(args)
    assert rec.by_type("kubernetes:helm.sh/v3:Release") == []
    assert [m["metadata"]["name"] for m in by_kind(rec, "Namespace")] == ["haproxy-edge"]
    for kind in ("IPAddressPool", "L2Advertisement"):
        (m,) = by_kind(rec, kind)
        assert m["metadata"]["namespace"] == "metallb"


def test_haproxy_deployment_restricted_and_rolled_by_config_checksum() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    (cm,) = by_kind(rec, "ConfigMap")
    text = cm["data"]["haproxy.cfg"]
    assert text == render_haproxy_cfg(haproxy_config(IN_CLUSTER_ARGS, "edge"))
    assert "server-template gw 1-10 edge-gateway-pp.istio-system.svc.cluster.local:8443" in text
    (dep,) = by_kind(rec, "Deployment")
    tpl = dep["spec"]["template"]
    assert tpl["metadata"]["annotations"]["checksum/haproxy.cfg"] == hashlib.sha256(text.encode()).hexdigest()
    assert dep["spec"]["replicas"] == 2
    pod = tpl["spec"]
    (c,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert c["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert pod["automountServiceAccountToken"] is False
    assert [p["containerPort"] for p in c["ports"]] == [80, 443, 8404]
    assert pod["volumes"] == [{"name": "config", "configMap": {"name": cm["metadata"]["name"]}}]
    (ns,) = [n for n in by_kind(rec, "Namespace") if n["metadata"]["name"] == "haproxy-edge"]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    (pdb,) = by_kind(rec, "PodDisruptionBudget")
    assert pdb["spec"]["selector"] == dep["spec"]["selector"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= tpl["metadata"]["labels"].items()


def test_config_change_changes_the_checksum() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args["health_check"] = {"fall": 5}
    a = by_kind(plan(IN_CLUSTER_ARGS), "Deployment")[0]["spec"]["template"]["metadata"]["annotations"]
    b = by_kind(plan(args), "Deployment")[0]["spec"]["template"]["metadata"]["annotations"]
    assert a["checksum/haproxy.cfg"] != b["checksum/haproxy.cfg"]


def test_load_balancer_service_fixed_ip_local_policy_and_no_stats_port() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    (lb,) = [s for s in by_kind(rec, "Service") if s["spec"].get("type") == "LoadBalancer"]
    assert lb["metadata"]["annotations"] == {
        "metallb.io/loadBalancerIPs": "192.168.50.241",
        "metallb.io/address-pool": "edge-pool",
    }
    assert lb["spec"]["externalTrafficPolicy"] == "Local"
    assert [(p["port"], p["targetPort"]) for p in lb["spec"]["ports"]] == [(80, "http"), (443, "https")]
    (dep,) = by_kind(rec, "Deployment")
    assert lb["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]


def test_gateway_side_in_cluster_headless_pods_and_network_policy() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    (pods,) = [s for s in by_kind(rec, "Service") if s["metadata"]["namespace"] == "istio-system"]
    assert pods["metadata"]["name"] == "edge-gateway-pp"
    assert pods["spec"]["clusterIP"] == "None"
    assert pods["spec"]["selector"] == {"istio": "ingressgateway"}
    (np,) = by_kind(rec, "NetworkPolicy")
    assert np["metadata"]["namespace"] == "istio-system"
    assert np["spec"]["podSelector"] == {"matchLabels": {"istio": "ingressgateway"}}
    proxy_rule, rest_rule = np["spec"]["ingress"]
    assert proxy_rule["ports"] == [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 8443}]
    (dep,) = by_kind(rec, "Deployment")
    assert proxy_rule["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "haproxy-edge"}},
            "podSelector": {"matchLabels": dep["spec"]["selector"]["matchLabels"]},
        }
    ]
    assert "from" not in rest_rule


def test_other_port_ranges_cover_everything_but_the_proxy_ports() -> None:
    ranges = other_port_ranges([8443, 8080])
    for proto in ("TCP", "UDP"):
        covered = set()
        for r in ranges:
            if r["protocol"] == proto:
                covered |= set(range(r["port"], r.get("endPort", r["port"]) + 1))
        assert covered == set(range(1, 65536)) - {8080, 8443}
    assert {"protocol": "TCP", "port": 8081, "endPort": 8442} in ranges
    assert other_port_ranges([1, 2, 65535]) == [
        {"protocol": "TCP", "port": 3, "endPort": 65534},
        {"protocol": "UDP", "port": 3, "endPort": 65534},
    ]


def test_istio_119_plus_patches_the_gateway_deployment_annotation() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    (patch,) = rec.by_type("kubernetes:apps/v1:DeploymentPatch")
    assert patch.inputs["metadata"]["name"] == "istio-ingressgateway"
    assert patch.inputs["metadata"]["namespace"] == "istio-system"
    ann = patch.inputs["spec"]["template"]["metadata"]["annotations"]["proxy.istio.io/config"]
    assert json.loads(ann) == {"gatewayTopology": {"numTrustedProxies": 0, "proxyProtocol": {}}}


@pytest.mark.parametrize("version", ["1.17", "1.18.3"])
def test_istio_117_118_gets_an_envoy_filter_inserted_first(version: str) -> None:
    args = {**IN_CLUSTER_ARGS, "istio_version": version}
    rec = plan(args)
    assert rec.by_type("kubernetes:apps/v1:DeploymentPatch") == []
    (ef,) = by_kind(rec, "EnvoyFilter")
    assert validate_manifest(ef, KUBE) == []
    assert ef["apiVersion"] == "networking.istio.io/v1alpha3"
    assert ef["spec"]["workloadSelector"] == {"labels": {"istio": "ingressgateway"}}
    (patch,) = ef["spec"]["configPatches"]
    assert patch["applyTo"] == "LISTENER_FILTER"
    assert patch["match"] == {"context": "GATEWAY"}
    assert patch["patch"]["operation"] == "INSERT_FIRST"
    assert patch["patch"]["value"]["name"] == "envoy.filters.listener.proxy_protocol"
    assert patch["patch"]["value"]["typed_config"]["@type"].endswith("proxy_protocol.v3.ProxyProtocol")


def test_external_placement_renders_cfg_and_opens_gateway_only_to_its_addresses() -> None:
    rec = run(
        lambda: pulumi.export("cfg", ProxyProtocolIngress("edge", EXTERNAL_ARGS).haproxy_cfg),  # type: ignore[arg-type]
        stack="test",
        preview=False,
    )
    kinds = sorted(m["kind"] for m in objects(rec))
    assert kinds == ["EnvoyFilter", "NetworkPolicy", "Service"]
    for m in objects(rec):
        assert validate_manifest(m, KUBE) == []
    (svc,) = by_kind(rec, "Service")
    assert svc["spec"]["type"] == "NodePort"
    assert svc["spec"]["externalTrafficPolicy"] == "Local"
    assert [(p["port"], p["nodePort"]) for p in svc["spec"]["ports"]] == [(8080, 30080), (8443, 30443)]
    (np,) = by_kind(rec, "NetworkPolicy")
    assert np["spec"]["ingress"][0]["from"] == [
        {"ipBlock": {"cidr": "10.20.1.5/32"}},
        {"ipBlock": {"cidr": "10.20.1.6/32"}},
    ]
    cfg = rec.outputs["cfg"]
    assert "server gw3 10.20.0.13:30443" in cfg
    assert "default-server check inter 1000ms fall 2 rise 2 send-proxy-v2" in cfg
    assert "bind 127.0.0.1:8404" in cfg


def test_outputs_lb_ip_and_cfg() -> None:
    def program() -> None:
        c = ProxyProtocolIngress("edge", IN_CLUSTER_ARGS)  # type: ignore[arg-type]
        pulumi.export("ip", c.load_balancer_ip)
        pulumi.export("cfg", c.haproxy_cfg)

    rec = run(program, stack="test", preview=False)
    assert rec.outputs["ip"] == "192.168.50.241"
    assert rec.outputs["cfg"] == render_haproxy_cfg(haproxy_config(IN_CLUSTER_ARGS, "edge"))


@pytest.mark.parametrize(
    ("version", "api"), [("1.21", "security.istio.io/v1beta1"), ("1.22", "security.istio.io/v1")]
)
def test_optional_authorization_policy_denies_peers_outside_haproxy(version: str, api: str) -> None:
    args = {
        **IN_CLUSTER_ARGS,
        "istio_version": version,
        "authorization_policy": True,
        "haproxy_source_cidrs": ["10.244.0.0/16"],
    }
    (ap,) = by_kind(plan(args), "AuthorizationPolicy")
    assert validate_manifest(ap, KUBE) == []
    assert ap["apiVersion"] == api
    assert ap["spec"] == {
        "selector": {"matchLabels": {"istio": "ingressgateway"}},
        "action": "DENY",
        "rules": [
            {
                "from": [{"source": {"notIpBlocks": ["10.244.0.0/16"]}}],
                "to": [{"operation": {"ports": ["8080", "8443"]}}],
            }
        ],
    }
    assert by_kind(plan(IN_CLUSTER_ARGS), "AuthorizationPolicy") == []


def test_custom_gateway_names_reach_every_object() -> None:
    args = {
        **IN_CLUSTER_ARGS,
        "gateway": {"namespace": "ingress", "deployment": "gw", "selector": {"app": "gw"}},
        "namespace": "edge-lb",
        "replicas": 3,
    }
    rec = plan(args)
    for m in objects(rec):
        if m["kind"] in ("Service", "NetworkPolicy") and m["metadata"]["namespace"] != "edge-lb":
            assert m["metadata"]["namespace"] == "ingress"
    (patch,) = rec.by_type("kubernetes:apps/v1:DeploymentPatch")
    assert (patch.inputs["metadata"]["name"], patch.inputs["metadata"]["namespace"]) == ("gw", "ingress")
    assert "edge-gateway-pp.ingress.svc.cluster.local" in by_kind(rec, "ConfigMap")[0]["data"]["haproxy.cfg"]
    assert by_kind(rec, "Deployment")[0]["spec"]["replicas"] == 3


def test_traefik_trust_reuses_haproxy_sources() -> None:
    assert traefik_trust(EXTERNAL_ARGS, "edge") == {
        "proxy_protocol": True,
        "trusted_cidrs": ["10.20.1.5/32", "10.20.1.6/32"],
    }
    inside = traefik_trust({**IN_CLUSTER_ARGS, "haproxy_source_cidrs": ["10.244.0.0/16"]}, "edge")
    assert inside["trusted_cidrs"] == ["10.244.0.0/16"]
    assert inside["trusted_pods"]["namespace"] == "haproxy-edge"
    dep = by_kind(plan(IN_CLUSTER_ARGS), "Deployment")[0]
    assert inside["trusted_pods"]["match_labels"] == dep["spec"]["selector"]["matchLabels"]


# --- bad input ------------------------------------------------------------------------


def messages(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_proxy_protocol_ingress_args(args)]


def test_bad_in_cluster_args_all_reported_and_nothing_registered() -> None:
    bad = {
        "istio_version": "1.16",
        "ports": [{"name": "https", "port": 443, "target_port": 8443, "node_port": 30443}],
        "metallb": {
            "addresses": ["192.168.50.0/28", "192.168.50.8-192.168.50.20", "192.168.50.1/24", "x"],
            "speed": 1,
        },
        "load_balancer_ip": "192.168.60.1",
        "replicas": 1,
        "node_addresses": ["10.0.0.1"],
        "authorization_policy": True,
        "color": "blue",
    }
    with pytest.raises(ArgsError) as err:
        run(lambda: ProxyProtocolIngress("edge", bad), stack="test")  # type: ignore[arg-type]
    assert str(err.value) == "\n".join(
        [
            "ProxyProtocolIngress 'edge': 11 problems:",
            "  1. color: 'blue' is not allowed: not a known key; known: authorization_policy, gateway, "
            "haproxy_source_cidrs, health_check, image, istio_version, load_balancer_ip, maxconn, metallb, "
            "namespace, node_addresses, placement, ports, replicas",
            "  2. istio_version: '1.16' is not allowed: Istio 1.17 or later: older gateways cannot insert the "
            "proxy_protocol listener filter first (LISTENER_FILTER patches need 1.17); upgrade Istio",
            "  3. ports[0].node_port: 30443 is not allowed: only with placement 'external'; remove it",
            "  4. node_addresses: ['10.0.0.1'] is not allowed: only with placement 'external'; remove it",
            "  5. metallb.speed: 1 is not allowed: not a known key; known: addresses, install, namespace",
            "  6. metallb.addresses[1]: '192.168.50.8-192.168.50.20' is not allowed: a block that does not "
            "overlap metallb.addresses[0]",
            "  7. metallb.addresses[2]: '192.168.50.1/24' is not allowed: a CIDR with no host bits set "
            "(192.0.2.16/28) or a range first-last (192.0.2.20-192.0.2.29)",
            "  8. metallb.addresses[3]: 'x' is not allowed: a CIDR with no host bits set (192.0.2.16/28) or a "
            "range first-last (192.0.2.20-192.0.2.29)",
            "  9. load_balancer_ip: '192.168.60.1' is not allowed: an address inside metallb.addresses "
            "['192.168.50.0/28', '192.168.50.8-192.168.50.20', '192.168.50.1/24', 'x']",
            "  10. replicas: 1 is not allowed: 2-50: one pod is a single point of failure and blocks node drains",
            "  11. haproxy_source_cidrs: None is not allowed: required with authorization_policy: the HAProxy "
            "pod CIDRs (in-cluster) the policy allows",
        ]
    )


def test_bad_external_args() -> None:
    bad = {
        "istio_version": "latest",
        "placement": "external",
        "ports": [
            {"name": "http", "port": 80, "target_port": 8080, "node_port": 30080},
            {"name": "https", "port": 443, "target_port": 8443, "node_port": 30080},
            {"name": "tls", "port": "443", "target_port": 8443},
        ],
        "metallb": {"addresses": ["192.0.2.0/28"]},
        "node_addresses": ["node-1"],
        "haproxy_source_cidrs": ["0.0.0.0/0"],
    }
    assert messages(bad) == [
        "istio_version: 'latest' is not allowed: an Istio version like '1.22' or '1.22.3'",
        "ports[2].port: '443' is not allowed: a TCP port 1-65535",
        "ports[2].node_port: None is not allowed: a NodePort 30000-32767 (external placement)",
        "ports[0].node_port: 30080 is not allowed: a NodePort no other port uses",
        "ports[1].node_port: 30080 is not allowed: a NodePort no other port uses",
        "metallb: {'addresses': ['192.0.2.0/28']} is not allowed: only with placement 'in-cluster'; remove it",
        "node_addresses[0]: 'node-1' is not allowed: a node IP address",
        "haproxy_source_cidrs[0]: '0.0.0.0/0' is not allowed: HAProxy source addresses, not the whole "
        "internet: that trusts every client",
    ]


def test_generator_rules_reported_with_arg_keys() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args["ports"].append({"name": "https", "port": 80, "target_port": 9443})
    args["health_check"] = {"fall": 0}
    args["maxconn"] = 0
    assert messages(args) == [
        "ports[2].name: 'https' is not allowed: a name no other route uses",
        "ports[2].port: 80 is not allowed: a port no other route binds (route 'http' already does)",
        "health_check.fall: 0 is not allowed: 1-20 consecutive checks",
        "maxconn: 0 is not allowed: 1-1000000 connections",
    ]


def test_missing_required_args() -> None:
    assert messages({}) == [
        "istio_version: None is not allowed: an Istio version like '1.22' or '1.22.3'",
        "ports: None is not allowed: a non-empty list of {name, port, target_port}",
        "metallb: None is not allowed: required with placement 'in-cluster': a mapping with addresses",
    ]
    assert messages(
        {
            "istio_version": "1.24",
            "placement": "outside",
            "ports": [{"name": "x", "port": 1, "target_port": 1}],
        }
    ) == ["placement: 'outside' is not allowed: 'in-cluster' or 'external'"]
    assert messages(
        {
            "istio_version": "1.24",
            "placement": "external",
            "ports": [{"name": "x", "port": 1, "target_port": 1, "node_port": 30001}],
        }
    ) == [
        "node_addresses: None is not allowed: required with placement 'external': the node IPs",
        "haproxy_source_cidrs: None is not allowed: required with placement 'external': the external "
        "HAProxy addresses the gateway admits",
    ]
