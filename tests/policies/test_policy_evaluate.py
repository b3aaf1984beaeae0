"""`make plan`'s policy report: the pack's policies on recordings of the real components.

The real components must pass every mandatory policy; a recording with a guardrail removed
(what a regression in a component would register) must fail the one policy that guards it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from policies.pack import POLICIES
from tests.support.stacks import evaluate
from tests.support.stacks import evaluate as evaluate_recording
from traffic_edge.aks_tcp_load_balancer.component import AksTcpLoadBalancer
from traffic_edge.egress_nat.component import EgressNatGateways
from traffic_edge.plan.engine import Recording, Resource, run
from traffic_edge.plan.policy import Report
from traffic_edge.proxy_protocol_ingress.component import ProxyProtocolIngress
from traffic_edge.traefik_gateway.component import TraefikGateway

A, C = "ap-northeast-2a", "ap-northeast-2c"

NAT: dict[str, Any] = {
    "vpc_id": "vpc-0123456789abcdef0",
    "zones": [A, C],
    "public_subnet_ids": {A: "subnet-00000000000000001", C: "subnet-00000000000000003"},
    "private_subnet_ids": {A: ["subnet-00000000000000011"], C: ["subnet-00000000000000013"]},
}
AKS: dict[str, Any] = {
    "service_name": "kimmap-backend-tcp",
    "namespace": "kimmap",
    "selector": {"app": "kimmap-backend"},
    "ports": [{"name": "tcp-client", "port": 9999, "target_port": 8888}],
    "network_resource_group": "rg-network",
    "public_ip_name": "kimmap-tcp-pip",
    "location": "koreacentral",
    "probe_interval_seconds": 59,
    "kubernetes_version": "1.30",
    "cluster_principal_id": "00000000-0000-0000-0000-000000000001",
    "subscription_id": "00000000-0000-0000-0000-000000000002",
}
INGRESS: dict[str, Any] = {
    "istio_version": "1.24",
    "ports": [{"name": "https", "port": 443, "target_port": 8443}],
    "metallb": {"addresses": ["192.168.50.240/29"]},
    "load_balancer_ip": "192.168.50.241",
}
INGRESS_OLD_ISTIO: dict[str, Any] = {
    "istio_version": "1.18",
    "placement": "external",
    "ports": [{"name": "https", "port": 443, "target_port": 8443, "node_port": 30443}],
    "node_addresses": ["10.20.0.11", "10.20.0.12"],
    "haproxy_source_cidrs": ["10.20.1.5/32"],
}
TRAEFIK: dict[str, Any] = {
    "namespace": "edge",
    "proxy_protocol": True,
    "trusted_cidrs": ["10.244.0.0/16"],
    "trusted_pods": {"namespace": "haproxy-edge", "match_labels": {"app.kubernetes.io/name": "haproxy"}},
}


def everything() -> None:
    EgressNatGateways("egress", NAT)  # type: ignore[arg-type]
    AksTcpLoadBalancer("kimmap", AKS)  # type: ignore[arg-type]
    ProxyProtocolIngress("onprem", INGRESS)  # type: ignore[arg-type]
    ProxyProtocolIngress("legacy", INGRESS_OLD_ISTIO)  # type: ignore[arg-type]
    TraefikGateway("edge", TRAEFIK)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rec() -> Recording:
    return run(everything)


def without(rec: Recording, keep: Callable[[Resource], bool]) -> Recording:
    return dataclasses.replace(rec, resources=[r for r in rec.resources if keep(r)])


def replaced(rec: Recording, type_: str, name: str, **changes: Any) -> Recording:
    return dataclasses.replace(
        rec,
        resources=[
            dataclasses.replace(r, **changes) if (r.type, r.name) == (type_, name) else r
            for r in rec.resources
        ],
    )


def violations(report: Report, policy: str) -> list[str]:
    return [v.message for v in report.violations if v.policy == policy]


def test_the_real_components_pass_every_policy(rec: Recording) -> None:
    report = evaluate_recording(rec)
    assert report.policies == [p.name for p in POLICIES]
    assert [(v.policy, v.message) for v in report.violations] == []


def test_the_plan_uses_this_evaluator(rec: Recording) -> None:
    bad = replaced(rec, "aws:ec2/eip:Eip", f"egress-eip-{A}", protect=False)
    report = evaluate(bad)
    assert [(v.policy, v.enforcement) for v in report.mandatory_violations] == [
        ("public-ips-protected", "mandatory")
    ]
    assert report.mandatory_violations[0].urn == rec.get("aws:ec2/eip:Eip", f"egress-eip-{A}").urn


def test_an_unprotected_azure_public_ip_is_a_mandatory_violation(rec: Recording) -> None:
    report = evaluate_recording(
        replaced(rec, "azure-native:network:PublicIPAddress", "kimmap-pip", protect=False)
    )
    assert violations(report, "public-ips-protected") == [
        "Azure public IP 'kimmap-pip' is not protected: a destroy or a replacement would release an address "
        "third parties allowlist. Create it with ResourceOptions(protect=True, retain_on_delete=True)."
    ]


@pytest.mark.parametrize("args", [INGRESS, INGRESS_OLD_ISTIO], ids=["deployment-patch", "envoy-filter"])
def test_istio_gateway_without_its_network_policy_fails(args: dict[str, Any]) -> None:
    rec = run(lambda: ProxyProtocolIngress("onprem", args))  # type: ignore[arg-type]
    assert evaluate_recording(rec).violations == []
    report = evaluate_recording(without(rec, lambda r: r.name != "onprem-gateway-networkpolicy"))
    [v] = report.violations
    assert (v.policy, v.enforcement) == ("proxy-protocol-gateway-isolated", "mandatory")
    assert "no NetworkPolicy in namespace 'istio-system' selects its pods, so anyone can connect" in v.message


def test_traefik_without_its_edge_only_policy_fails(rec: Recording) -> None:
    report = evaluate_recording(without(rec, lambda r: r.name != "edge-edge-only"))
    [v] = [v for v in report.violations if v.policy == "proxy-protocol-gateway-isolated"]
    assert v.urn == rec.get("kubernetes:helm.sh/v3:Release", "edge-release").urn
    assert "no NetworkPolicy in namespace 'edge' selects its pods" in v.message


def test_aks_service_with_a_too_long_probe_window_fails(rec: Recording) -> None:
    svc = rec.get("kubernetes:core/v1:Service", "kimmap-svc")
    inputs = dict(svc.inputs)
    # The seed's 59 s interval with the provider's default count of 2 is 118 s: one second more breaks it.
    annotations = {
        k: ("60" if k.endswith("health-probe-interval") else v)
        for k, v in inputs["metadata"]["annotations"].items()
    }
    inputs["metadata"] = {**inputs["metadata"], "annotations": annotations}
    report = evaluate_recording(replaced(rec, svc.type, svc.name, inputs=inputs))
    assert violations(report, "aks-lb-probes") == [
        "AKS LoadBalancer Service kimmap/kimmap-backend-tcp port 9999: probe interval 60 s x num-of-probe 2 = "
        "120 s, not below 120 s: cloud-provider-azure rejects the Service and no load balancer rule is created. "
        "Lower the interval or the count."
    ]


def test_single_nat_strategy_is_an_advisory_violation_per_foreign_zone() -> None:
    single = {**NAT, "strategy": "Single", "public_subnet_ids": {A: "subnet-00000000000000001"}}
    report = evaluate_recording(run(lambda: EgressNatGateways("egress", single)))  # type: ignore[arg-type]
    assert [(v.policy, v.enforcement, v.urn.rsplit("::", 1)[-1]) for v in report.violations] == [  # type: ignore[union-attr]
        ("nat-routes-own-zone", "advisory", f"egress-default-route-{C}")
    ]
    assert report.mandatory_violations == []


def test_config_changes_levels_and_policy_settings_like_the_cli(rec: Recording) -> None:
    single = {**NAT, "strategy": "Single", "public_subnet_ids": {A: "subnet-00000000000000001"}}
    nat = run(lambda: EgressNatGateways("egress", single))  # type: ignore[arg-type]
    raised = evaluate_recording(nat, {"nat-routes-own-zone": "mandatory"})
    assert [v.enforcement for v in raised.violations] == ["mandatory"]
    off = evaluate_recording(nat, {"nat-routes-own-zone": {"enforcementLevel": "disabled"}})
    assert off.violations == [] and "nat-routes-own-zone" not in off.policies
    digests = evaluate_recording(rec, {"images-pinned": {"requireDigest": True}})
    assert {v.policy for v in digests.violations} == {"images-pinned"}
    assert all("is not pinned by digest" in v.message for v in digests.violations)
    everything_off = evaluate_recording(rec, {"all": "disabled"})
    assert everything_off.policies == [] and everything_off.violations == []


def test_values_known_only_after_apply_reach_policies_as_crossguard_unknowns() -> None:
    import pulumi_aws as aws
    import pulumi_kubernetes as k8s

    def program() -> None:
        eip = aws.ec2.Eip("ip", domain="vpc", opts=pulumi.ResourceOptions(protect=True))
        k8s.apps.v1.Deployment(
            "tagged-by-ip",
            metadata={"name": "app", "namespace": "apps"},
            spec={
                "selector": {"matchLabels": {"app": "x"}},
                "template": {
                    "metadata": {"labels": {"app": "x"}},
                    # Unknown in preview: the policy cannot judge it and must not pretend to.
                    "spec": {
                        "containers": [{"name": "c", "image": eip.public_ip.apply(lambda ip: f"x:{ip}")}]
                    },
                },
            },
        )

    rec = run(program)
    [dep] = rec.by_type("kubernetes:apps/v1:Deployment")
    assert dep.inputs["spec"]["template"]["spec"]["containers"][0]["image"] == "(known after apply)"
    report = evaluate_recording(rec)
    assert violations(report, "images-pinned") == []
    # The pod itself is still judged: only the image was unknown.
    assert violations(report, "pod-security-restricted")[0].startswith(
        "Deployment apps/app does not meet the restricted Pod Security profile: container c does not set "
        "allowPrivilegeEscalation: false"
    )


SQUID: dict[str, Any] = {
    "namespace": "egress",
    "kubernetes_version": "1.33",
    "zones": [A, C],
    "client_namespaces": ["apps"],
    "allowed_source_cidrs": ["10.0.0.0/16"],
    "allowed_domains": [".slack.com"],
}


@pytest.mark.parametrize("version", ["1.29", "1.33", "1.34"])
def test_squid_proxy_passes_on_every_local_zone_mechanism(version: str) -> None:
    from traffic_edge.squid_proxy.component import SquidProxy

    rec = run(lambda: SquidProxy("egress", {**SQUID, "kubernetes_version": version}))  # type: ignore[typeddict-item]
    assert [
        c for c in rec.by_type("kubernetes:core/v1:ConfigMap") if "squid.conf" in c.inputs.get("data", {})
    ]
    assert evaluate_recording(rec).violations == []


def test_squid_development_profile_without_hard_zone_spread_is_refused() -> None:
    from traffic_edge.squid_proxy.component import SquidProxy

    args = {**SQUID, "profile": "development", "zone_spread": "ScheduleAnyway"}
    report = evaluate_recording(run(lambda: SquidProxy("egress", args)))  # type: ignore[arg-type]
    assert [(v.policy, v.enforcement) for v in report.violations] == [("squid-zone-spread", "mandatory")]


def test_adopted_elastic_ips_read_with_get_are_not_judged_as_unprotected() -> None:
    adopted = {
        **NAT,
        "secondary_eips_per_nat": 1,
        "adopted_eip_allocation_ids": {
            A: ["eipalloc-0000000000000000a", "eipalloc-0000000000000000b"],
            C: ["eipalloc-0000000000000000c"],
        },
    }
    rec = run(lambda: EgressNatGateways("egress", adopted))  # type: ignore[arg-type]
    reads = [r for r in rec.resources if r.read]
    assert [r.inputs["id"] for r in reads] == ["eipalloc-0000000000000000b"]
    assert [v for v in evaluate_recording(rec).violations if v.policy == "public-ips-protected"] == []
    # ...while the same Elastic IP registered (created) without protect is still a violation.
    created = dataclasses.replace(reads[0], read=False)
    rec.resources[rec.resources.index(reads[0])] = created
    assert [v.urn for v in evaluate_recording(rec).violations if v.policy == "public-ips-protected"] == [
        created.urn
    ]
