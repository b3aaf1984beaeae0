"""The manifests built from a plan, without Pulumi: HAProxy, MetalLB pool, the gateway side."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS, IN_CLUSTER_ARGS
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.proxy_protocol_ingress import manifests
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg
from traffic_edge.proxy_protocol_ingress.plan import IngressPlan, plan_proxy_protocol_ingress

KUBE = "1.33"


def plan(args: dict[str, Any]) -> IngressPlan:
    return plan_proxy_protocol_ingress("edge", args)


def haproxy(args: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The in-cluster HAProxy's manifests by kind, with the config the component renders."""
    p = plan(args)
    return {m["kind"]: m for m in manifests.haproxy_manifests(p, render_haproxy_cfg(p.haproxy))}


def gateway(args: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["kind"]: m for m in manifests.gateway_manifests(plan(args))}


def test_every_manifest_passes_the_strict_schema() -> None:
    for args in (IN_CLUSTER_ARGS, EXTERNAL_ARGS, {**EXTERNAL_ARGS, "authorization_policy": True}):
        p = plan(args)
        built = manifests.gateway_manifests(p)
        if p.in_cluster is not None:
            built += [*manifests.metallb_manifests(p), manifests.metallb_namespace(p)]
            built += manifests.haproxy_manifests(p, render_haproxy_cfg(p.haproxy))
        for m in built:
            assert validate_manifest(m, KUBE) == [], m["kind"]


def test_the_pool_hands_out_its_addresses_only_on_request() -> None:
    pool, adv = manifests.metallb_manifests(plan(IN_CLUSTER_ARGS))
    assert (pool["metadata"]["name"], pool["metadata"]["namespace"]) == ("edge-pool", "metallb-system")
    assert pool["spec"] == {
        "addresses": ["192.168.50.240/29", "192.168.50.250-192.168.50.252"],
        "autoAssign": False,
    }
    assert adv["spec"]["ipAddressPools"] == ["edge-pool"]
    ns = manifests.metallb_namespace(plan(IN_CLUSTER_ARGS))
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"


def test_an_external_plan_has_no_in_cluster_objects() -> None:
    with pytest.raises(ValueError, match="placement 'external' has no in-cluster HAProxy"):
        manifests.metallb_manifests(plan(EXTERNAL_ARGS))


def test_haproxy_deployment_restricted_and_rolled_by_config_checksum() -> None:
    objs = haproxy(IN_CLUSTER_ARGS)
    text = objs["ConfigMap"]["data"]["haproxy.cfg"]
    assert "server-template gw 1-10 edge-gateway-pp.istio-system.svc.cluster.local:8443" in text
    dep = objs["Deployment"]
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
    assert c["image"] == "docker.io/library/haproxy:2.6"
    # The binary, not the image's entrypoint script (which would add -W -db a second time).
    assert c["command"] == ["haproxy"]
    assert c["args"] == ["-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
    assert pod["automountServiceAccountToken"] is False
    assert [p["containerPort"] for p in c["ports"]] == [80, 443, 8404]
    assert pod["volumes"] == [
        {"name": "config", "configMap": {"name": objs["ConfigMap"]["metadata"]["name"]}}
    ]
    assert objs["Namespace"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert objs["PodDisruptionBudget"]["spec"]["selector"] == dep["spec"]["selector"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= tpl["metadata"]["labels"].items()


def test_config_change_changes_the_checksum() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args["health_check"] = {"fall": 5}

    def checksum(a: dict[str, Any]) -> str:
        annotations = haproxy(a)["Deployment"]["spec"]["template"]["metadata"]["annotations"]
        return str(annotations["checksum/haproxy.cfg"])

    assert checksum(IN_CLUSTER_ARGS) != checksum(args)


def test_load_balancer_service_fixed_ip_local_policy_and_no_stats_port() -> None:
    objs = haproxy(IN_CLUSTER_ARGS)
    lb = objs["Service"]
    assert lb["metadata"]["annotations"] == {
        "metallb.io/loadBalancerIPs": "192.168.50.241",
        "metallb.io/address-pool": "edge-pool",
    }
    assert lb["spec"]["type"] == "LoadBalancer"
    assert lb["spec"]["externalTrafficPolicy"] == "Local"
    assert [(p["port"], p["targetPort"]) for p in lb["spec"]["ports"]] == [(80, "http"), (443, "https")]
    assert lb["spec"]["selector"] == objs["Deployment"]["spec"]["selector"]["matchLabels"]


def test_traefik_trusts_exactly_the_pods_of_the_haproxy_deployment() -> None:
    dep = haproxy(IN_CLUSTER_ARGS)["Deployment"]
    pods = plan(IN_CLUSTER_ARGS).traefik_trust["trusted_pods"]
    assert pods == {
        "namespace": dep["metadata"]["namespace"],
        "match_labels": dep["spec"]["selector"]["matchLabels"],
    }


def test_gateway_side_in_cluster_headless_pods_and_network_policy() -> None:
    objs = gateway(IN_CLUSTER_ARGS)
    assert sorted(objs) == ["NetworkPolicy", "Service"]
    pods = objs["Service"]
    assert pods["metadata"]["name"] == "edge-gateway-pp"
    assert pods["spec"]["clusterIP"] == "None"
    assert pods["spec"]["selector"] == {"istio": "ingressgateway"}
    np = objs["NetworkPolicy"]
    assert np["metadata"]["namespace"] == "istio-system"
    assert np["spec"]["podSelector"] == {"matchLabels": {"istio": "ingressgateway"}}
    proxy_rule, rest_rule = np["spec"]["ingress"]
    assert proxy_rule["ports"] == [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 8443}]
    dep = haproxy(IN_CLUSTER_ARGS)["Deployment"]
    assert proxy_rule["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "haproxy-edge"}},
            "podSelector": {"matchLabels": dep["spec"]["selector"]["matchLabels"]},
        }
    ]
    assert "from" not in rest_rule


def test_gateway_side_external_node_ports_and_only_haproxy_addresses() -> None:
    objs = gateway(EXTERNAL_ARGS)
    assert sorted(objs) == ["EnvoyFilter", "NetworkPolicy", "Service"]
    svc = objs["Service"]
    assert svc["spec"]["type"] == "NodePort"
    assert svc["spec"]["externalTrafficPolicy"] == "Local"
    assert [(p["port"], p["nodePort"]) for p in svc["spec"]["ports"]] == [(8080, 30080), (8443, 30443)]
    assert objs["NetworkPolicy"]["spec"]["ingress"][0]["from"] == [
        {"ipBlock": {"cidr": "10.20.1.5/32"}},
        {"ipBlock": {"cidr": "10.20.1.6/32"}},
    ]


def test_other_port_ranges_cover_everything_but_the_proxy_ports() -> None:
    ranges = manifests.other_port_ranges([8443, 8080])
    for proto in ("TCP", "UDP"):
        covered = set()
        for r in ranges:
            if r["protocol"] == proto:
                covered |= set(range(r["port"], r.get("endPort", r["port"]) + 1))
        assert covered == set(range(1, 65536)) - {8080, 8443}
    assert {"protocol": "TCP", "port": 8081, "endPort": 8442} in ranges
    assert manifests.other_port_ranges([1, 2, 65535]) == [
        {"protocol": "TCP", "port": 3, "endPort": 65534},
        {"protocol": "UDP", "port": 3, "endPort": 65534},
    ]


@pytest.mark.parametrize("version", ["1.17", "1.18.3"])
def test_istio_117_118_gets_an_envoy_filter_inserted_first(version: str) -> None:
    p = plan({**IN_CLUSTER_ARGS, "istio_version": version})
    assert manifests.gateway_proxy_config_patch(p) is None
    ef = {m["kind"]: m for m in manifests.gateway_manifests(p)}["EnvoyFilter"]
    assert ef["apiVersion"] == "networking.istio.io/v1alpha3"
    assert ef["spec"]["workloadSelector"] == {"labels": {"istio": "ingressgateway"}}
    (patch,) = ef["spec"]["configPatches"]
    assert patch["applyTo"] == "LISTENER_FILTER"
    assert patch["match"] == {"context": "GATEWAY"}
    assert patch["patch"]["operation"] == "INSERT_FIRST"
    assert patch["patch"]["value"]["name"] == "envoy.filters.listener.proxy_protocol"
    assert patch["patch"]["value"]["typed_config"]["@type"].endswith("proxy_protocol.v3.ProxyProtocol")


def test_istio_119_plus_patches_the_gateway_deployment_annotation() -> None:
    p = plan({**IN_CLUSTER_ARGS, "gateway": {"namespace": "ingress", "deployment": "gw"}})
    assert "EnvoyFilter" not in {m["kind"] for m in manifests.gateway_manifests(p)}
    patch = manifests.gateway_proxy_config_patch(p)
    assert patch is not None
    assert patch["metadata"] == {
        "name": "gw",
        "namespace": "ingress",
        "annotations": {"pulumi.com/patchForce": "true"},
    }
    ann = patch["spec"]["template"]["metadata"]["annotations"]["proxy.istio.io/config"]
    assert json.loads(ann) == {"gatewayTopology": {"numTrustedProxies": 0, "proxyProtocol": {}}}


@pytest.mark.parametrize(
    ("version", "api"),
    [("1.17", "security.istio.io/v1"), ("1.21", "security.istio.io/v1"), ("1.22", "security.istio.io/v1")],
)
def test_optional_authorization_policy_denies_peers_outside_haproxy(version: str, api: str) -> None:
    args = {
        **IN_CLUSTER_ARGS,
        "istio_version": version,
        "authorization_policy": True,
        "haproxy_source_cidrs": ["10.244.0.0/16"],
    }
    ap = gateway(args)["AuthorizationPolicy"]
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
    assert "AuthorizationPolicy" not in gateway(IN_CLUSTER_ARGS)


def test_haproxy_pods_take_clients_anywhere_metrics_from_monitoring_and_reach_only_gateway_and_dns() -> None:
    from tests.traffic_edge.proxy_protocol_ingress.test_component import IN_CLUSTER_ARGS, by_kind, plan

    rec = plan(IN_CLUSTER_ARGS)
    [policy] = [m for m in by_kind(rec, "NetworkPolicy") if m["metadata"]["namespace"] == "haproxy-edge"]
    spec = policy["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    service_ports, stats = spec["ingress"]
    assert "from" not in service_ports  # clients arrive through the LoadBalancer from anywhere
    assert {p["port"] for p in service_ports["ports"]} == {
        p["containerPort"] for p in _haproxy_container(rec)["ports"] if p["name"] != "stats"
    }
    assert stats == {
        "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
        "ports": [{"protocol": "TCP", "port": 8404}],
    }
    to_gateway, to_dns = spec["egress"]
    assert to_gateway["to"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "istio-system"
    }
    assert {p["port"] for p in to_dns["ports"]} == {53}


def _haproxy_container(rec: object) -> dict:  # type: ignore[type-arg]
    from tests.traffic_edge.proxy_protocol_ingress.test_component import by_kind

    [deployment] = [m for m in by_kind(rec, "Deployment") if m["metadata"]["name"].endswith("-haproxy")]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    # No CPU limit on purpose (throttling adds latency to every connection); memory is bounded.
    assert "cpu" not in container["resources"]["limits"] and "memory" in container["resources"]["limits"]
    return container  # type: ignore[no-any-return]
