"""ProxyProtocolIngress through the offline engine: what gets registered, in which order, under
which names, whether every object passes the strict schema, its outputs, and its errors."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest

from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS, IN_CLUSTER_ARGS
from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.engine import Recording, run
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.proxy_protocol_ingress.component import ProxyProtocolIngress
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg
from traffic_edge.proxy_protocol_ingress.plan import haproxy_config

KUBE = "1.33"


def plan(args: dict[str, Any], name: str = "edge") -> Recording:
    return run(lambda: ProxyProtocolIngress(name, args), stack="test")  # type: ignore[arg-type]


def objects(rec: Recording) -> list[dict[str, Any]]:
    """Whole objects; a `*Patch` resource is a partial object for server-side apply, checked
    on its own (its `kind` is the patched kind, but it lacks the required fields)."""
    return [r.inputs for r in rec.resources if r.is_kubernetes_object and not r.type.endswith("Patch")]


def by_kind(rec: Recording, kind: str) -> list[dict[str, Any]]:
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
            "NetworkPolicy",  # the gateway's: only HAProxy on the PROXY ports
            "NetworkPolicy",  # the HAProxy pods'
        ]
    )
    for m in objects(rec):
        assert validate_manifest(m, KUBE) == [], m["kind"]
    (component,) = rec.by_type("traffic-edge:index:ProxyProtocolIngress")
    for r in rec.descendants_of(component.urn):
        assert r.parent == component.urn
    assert rec.by_type("kubernetes:apps/v1:DeploymentPatch")  # Istio 1.24 -> annotation patch
    assert not by_kind(rec, "EnvoyFilter")


def test_child_names_follow_the_component_name() -> None:
    names = sorted(r.name for r in plan(IN_CLUSTER_ARGS, "onprem").resources if r.custom)
    assert names == [
        "onprem-gateway-networkpolicy",
        "onprem-gateway-proxy-config",
        "onprem-gateway-service",
        "onprem-haproxy-configmap",
        "onprem-haproxy-deployment",
        "onprem-haproxy-namespace",
        "onprem-haproxy-networkpolicy",
        "onprem-haproxy-poddisruptionbudget",
        "onprem-haproxy-service",
        "onprem-ipaddresspool",
        "onprem-l2advertisement",
        "onprem-metallb",
        "onprem-metallb-ns",
    ]


def test_metallb_release_pinned_and_pool_waits_for_it() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    (release,) = rec.by_type("kubernetes:helm.sh/v3:Release")
    assert release.inputs["chart"] == "metallb"
    assert release.inputs["version"] == "0.16.1"
    assert release.inputs["repositoryOpts"]["repo"] == "https://metallb.github.io/metallb"
    assert release.inputs["skipAwait"] is False
    assert release.inputs["namespace"] == "metallb-system"
    # The 0.16 chart installs FRR-K8s (a DaemonSet on every node) unless told not to; L2 needs none.
    assert release.inputs["values"] == {"frrk8s": {"enabled": False}}
    ns = rec.get("kubernetes:core/v1:Namespace", "edge-metallb-ns")
    assert ns.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    assert ns.urn in release.depends_on
    pools = [r for r in rec.resources if r.inputs.get("kind") in ("IPAddressPool", "L2Advertisement")]
    assert len(pools) == 2
    for r in pools:
        assert release.urn in r.depends_on
        assert r.inputs["metadata"]["namespace"] == "metallb-system"


def test_existing_metallb_gets_only_pool_and_advertisement() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args["metallb"].update(install=False, namespace="metallb")
    rec = plan(args)
    assert rec.by_type("kubernetes:helm.sh/v3:Release") == []
    assert [m["metadata"]["name"] for m in by_kind(rec, "Namespace")] == ["haproxy-edge"]
    for kind in ("IPAddressPool", "L2Advertisement"):
        (m,) = by_kind(rec, kind)
        assert m["metadata"]["namespace"] == "metallb"


def test_the_config_map_holds_the_rendered_config() -> None:
    (cm,) = by_kind(plan(IN_CLUSTER_ARGS), "ConfigMap")
    assert cm["data"]["haproxy.cfg"] == render_haproxy_cfg(haproxy_config(IN_CLUSTER_ARGS, "edge"))


def test_istio_119_plus_patches_the_gateway_deployment() -> None:
    rec = plan(IN_CLUSTER_ARGS)
    (patch,) = rec.by_type("kubernetes:apps/v1:DeploymentPatch")
    assert patch.name == "edge-gateway-proxy-config"
    assert patch.inputs["metadata"]["name"] == "istio-ingressgateway"
    assert patch.inputs["metadata"]["namespace"] == "istio-system"
    assert "proxy.istio.io/config" in patch.inputs["spec"]["template"]["metadata"]["annotations"]


@pytest.mark.parametrize("version", ["1.17", "1.18.3"])
def test_istio_117_118_registers_an_envoy_filter_instead(version: str) -> None:
    rec = plan({**IN_CLUSTER_ARGS, "istio_version": version})
    assert rec.by_type("kubernetes:apps/v1:DeploymentPatch") == []
    (ef,) = by_kind(rec, "EnvoyFilter")
    assert validate_manifest(ef, KUBE) == []


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
    cfg = rec.outputs["cfg"]
    assert "server gw3 10.20.0.13:30443" in cfg
    assert "default-server check inter 1000ms fall 2 rise 2 send-proxy-v2" in cfg
    assert "bind 127.0.0.1:8404" in cfg


def test_outputs_lb_ip_cfg_and_what_traefik_must_trust() -> None:
    def program(args: dict[str, Any]) -> None:
        c = ProxyProtocolIngress("edge", args)  # type: ignore[arg-type]
        pulumi.export("ip", c.load_balancer_ip)
        pulumi.export("cfg", c.haproxy_cfg)
        pulumi.export("trust", c.traefik_trust)

    inside = run(lambda: program(IN_CLUSTER_ARGS), stack="test", preview=False).outputs
    assert inside["ip"] == "192.168.50.241"
    assert inside["cfg"] == render_haproxy_cfg(haproxy_config(IN_CLUSTER_ARGS, "edge"))
    assert inside["trust"] == {
        "trusted_pods": {
            "namespace": "haproxy-edge",
            "match_labels": {
                "app.kubernetes.io/name": "haproxy",
                "app.kubernetes.io/instance": "edge",
                "app.kubernetes.io/component": "proxy-protocol-edge",
            },
        }
    }
    outside = run(lambda: program(EXTERNAL_ARGS), stack="test", preview=False).outputs
    assert outside.get("ip") is None
    assert outside["trust"] == {"trusted_cidrs": ["10.20.1.5/32", "10.20.1.6/32"]}


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


def test_bad_args_raise_every_problem_before_anything_is_registered() -> None:
    bad = {
        **IN_CLUSTER_ARGS,
        "istio_version": "1.16",
        "replicas": 1,
        "metallb": {"adresses": ["10.0.0.0/24"]},
    }
    errors: list[ArgsError] = []

    def program() -> None:
        try:
            ProxyProtocolIngress("edge", bad)  # type: ignore[arg-type]
        except ArgsError as err:
            errors.append(err)

    rec = run(program, stack="test")
    assert [r.type for r in rec.resources] == ["pulumi:pulumi:Stack"]
    # A misspelled key suggests the one it meant; the pool it left missing is not reported too.
    assert [str(e) for e in errors] == [
        "\n".join(
            [
                "ProxyProtocolIngress 'edge': 3 problems:",
                "  1. istio_version: '1.16' is not allowed: Istio 1.17 or later: older gateways cannot insert "
                "the proxy_protocol listener filter first (LISTENER_FILTER patches need 1.17)",
                "  2. metallb.adresses is not a known key: did you mean addresses?",
                "  3. replicas: 1 is not allowed: an integer from 2 to 50: one pod is a single point of failure "
                "and blocks node drains",
            ]
        )
    ]
