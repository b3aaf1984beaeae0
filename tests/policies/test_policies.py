"""Each CrossGuard policy on hand-made props, called exactly as the CLI's analyzer calls it.

Props go through pulumi-policy's own unknown-checking proxy (what CrossGuard hands a policy),
so a policy that treats props as dicts, or trips over a value known only after apply, fails here.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.aks import aks_lb_probes
from policies.nat import nat_routes_own_zone, zone_in
from policies.pack import POLICIES
from policies.protection import public_ips_protected
from policies.proxy_trust import proxy_protocol_gateway_isolated
from policies.squid import squid_conf_problems, squid_local_zone, squid_no_open_proxy, squid_zone_spread
from policies.workloads import image_problem, images_pinned, pod_security_restricted
from traffic_edge.squid_proxy.squid_conf import render_squid_conf

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _opts(protect: bool = False, parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def check(
    policy: ResourceValidationPolicy,
    type_: str,
    props: dict[str, Any],
    *,
    name: str = "res",
    urn: str | None = None,
    protect: bool = False,
    config: dict[str, Any] | None = None,
) -> list[str]:
    msgs: list[str] = []
    args = ResourceValidationArgs(
        type_,
        unknown_checking_proxy(copy.deepcopy(props)),
        urn or f"urn:pulumi:test::traffic-edge::{type_}::{name}",
        name,
        _opts(protect),
        None,
        config or {},
    )
    policy.validate(args, lambda m, urn=None: msgs.append(m))
    return msgs


class Stack:
    """Resources for a stack policy, linked like CrossGuard links them (parent, dependencies)."""

    def __init__(self) -> None:
        self.resources: list[PolicyResource] = []

    def add(
        self,
        type_: str,
        name: str,
        props: dict[str, Any],
        *,
        parent: PolicyResource | None = None,
        deps: list[PolicyResource] | None = None,
    ) -> PolicyResource:
        urn = f"urn:pulumi:test::traffic-edge::{type_}::{name}"
        r = PolicyResource(
            type_,
            unknown_checking_proxy(copy.deepcopy(props)),
            urn,
            name,
            _opts(parent=parent.urn if parent else None),
            None,
            parent,
            deps or [],
            {},
        )
        self.resources.append(r)
        return r

    def check(self, policy: StackValidationPolicy) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        policy.validate(StackValidationArgs(self.resources, {}), lambda m, urn=None: found.append((m, urn)))
        return found


def test_the_pack_has_every_policy_of_the_issue_once_with_its_enforcement() -> None:
    levels = {p.name: p.enforcement_level for p in POLICIES}
    assert len(levels) == len(POLICIES)
    assert levels == {
        "public-ips-protected": EnforcementLevel.MANDATORY,
        "squid-zone-spread": EnforcementLevel.MANDATORY,
        "squid-service-local-zone": EnforcementLevel.MANDATORY,
        "squid-no-open-proxy": EnforcementLevel.MANDATORY,
        "aks-lb-probes": EnforcementLevel.MANDATORY,
        "proxy-protocol-gateway-isolated": EnforcementLevel.MANDATORY,
        "pod-security-restricted": EnforcementLevel.ADVISORY,
        "images-pinned": EnforcementLevel.ADVISORY,
        "nat-routes-own-zone": EnforcementLevel.ADVISORY,
    }
    assert isinstance(proxy_protocol_gateway_isolated, StackValidationPolicy)
    assert isinstance(nat_routes_own_zone, StackValidationPolicy)


# --- public IPs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "what"),
    [
        ("aws:ec2/eip:Eip", "Elastic IP"),
        ("azure-native:network:PublicIPAddress", "Azure public IP"),
        ("azure-native:network:PublicIPPrefix", "Azure public IP prefix"),
    ],
)
def test_public_ips_must_be_protected(type_: str, what: str) -> None:
    assert check(public_ips_protected, type_, {"domain": "vpc"}, name="ip", protect=True) == []
    assert check(public_ips_protected, type_, {"domain": "vpc"}, name="ip") == [
        f"{what} 'ip' is not protected: a destroy or a replacement would release an address third parties "
        "allowlist. Create it with ResourceOptions(protect=True, retain_on_delete=True)."
    ]


def test_other_resources_need_no_protection() -> None:
    assert check(public_ips_protected, "aws:ec2/natGateway:NatGateway", {}) == []


# --- Squid zone spread and local zone ---------------------------------------------------------

SQUID_LABELS = {"app.kubernetes.io/name": "squid", "app.kubernetes.io/instance": "egress"}


def squid_deployment(**constraint: Any) -> dict[str, Any]:
    spread = {
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule",
        "minDomains": 2,
        "labelSelector": {"matchLabels": dict(SQUID_LABELS)},
    }
    spread.update(constraint)
    spread = {k: v for k, v in spread.items() if v is not None}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "egress-squid", "namespace": "egress", "labels": dict(SQUID_LABELS)},
        "spec": {
            "selector": {"matchLabels": dict(SQUID_LABELS)},
            "template": {
                "metadata": {"labels": dict(SQUID_LABELS)},
                "spec": {
                    "topologySpreadConstraints": [spread],
                    "containers": [{"name": "squid", "image": "x:1"}],
                },
            },
        },
    }


def test_squid_deployment_spread_over_zones_passes() -> None:
    assert check(squid_zone_spread, DEPLOYMENT, squid_deployment()) == []


def test_squid_deployment_with_scheduleanyway_and_one_domain_fails_naming_both() -> None:
    msgs = check(
        squid_zone_spread, DEPLOYMENT, squid_deployment(whenUnsatisfiable="ScheduleAnyway", minDomains=1)
    )
    assert msgs == [
        "Squid Deployment egress/egress-squid: the zone spread constraint is too weak: whenUnsatisfiable is "
        "'ScheduleAnyway', not 'DoNotSchedule' (ScheduleAnyway piles every pod into one zone when the others "
        "are full); minDomains is 1, not 2 or more (with fewer zones visible the scheduler treats one zone as "
        "a full spread)."
    ]


def test_squid_spread_whose_selector_misses_the_pod_labels_fails() -> None:
    # The seed chart's example selected `app: squid`, which its pods never carried.
    msgs = check(
        squid_zone_spread, DEPLOYMENT, squid_deployment(labelSelector={"matchLabels": {"app": "squid"}})
    )
    assert msgs == [
        "Squid Deployment egress/egress-squid: the zone spread constraint is too weak: its labelSelector "
        "{'app': 'squid'} does not select the pod labels {'app.kubernetes.io/name': 'squid', "
        "'app.kubernetes.io/instance': 'egress'} (the constraint would count no pods)."
    ]


def test_squid_deployment_without_zone_spread_fails() -> None:
    props = squid_deployment()
    props["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["topologyKey"] = (
        "kubernetes.io/hostname"
    )
    assert check(squid_zone_spread, DEPLOYMENT, props) == [
        "Squid Deployment egress/egress-squid has no topologySpreadConstraint on topology.kubernetes.io/zone: "
        "a zone outage can take every proxy pod. Spread with whenUnsatisfiable: DoNotSchedule and "
        "minDomains: 2 or more."
    ]


def test_squid_is_found_by_component_urn_without_labels_and_others_are_ignored() -> None:
    props = squid_deployment(minDomains=None)
    del props["metadata"]["labels"]
    props["spec"]["template"]["metadata"]["labels"] = {"app": "proxy"}
    other = check(squid_zone_spread, DEPLOYMENT, props)
    assert other == []
    urn = "urn:pulumi:test::traffic-edge::traffic-edge:index:SquidProxy$kubernetes:apps/v1:Deployment::egress"
    assert len(check(squid_zone_spread, DEPLOYMENT, props, urn=urn)) == 1


def squid_service(
    spec: dict[str, Any] | None = None, annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "egress-squid", "namespace": "egress", "labels": dict(SQUID_LABELS)}
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {"selector": dict(SQUID_LABELS), "ports": [{"port": 3128}], **(spec or {})},
    }


@pytest.mark.parametrize(
    ("spec", "annotations"),
    [
        ({"trafficDistribution": "PreferSameZone"}, None),
        ({"trafficDistribution": "PreferClose"}, None),
        ({}, {"service.kubernetes.io/topology-mode": "Auto"}),
    ],
)
def test_squid_service_preferring_the_local_zone_passes(spec: dict[str, Any], annotations: Any) -> None:
    assert check(squid_local_zone, SERVICE, squid_service(spec, annotations)) == []


def test_squid_service_without_zone_preference_fails() -> None:
    assert check(squid_local_zone, SERVICE, squid_service()) == [
        "Squid Service egress/egress-squid does not prefer the client's zone (trafficDistribution None, "
        "service.kubernetes.io/topology-mode None): requests cross zones to a proxy whose NAT is in another "
        "zone. Set spec.trafficDistribution: PreferSameZone (Kubernetes 1.34+; PreferClose from 1.31) or the "
        "annotation service.kubernetes.io/topology-mode: Auto on older clusters."
    ]
    assert (
        check(squid_local_zone, SERVICE, {**squid_service(), "metadata": {"name": "web"}, "spec": {}}) == []
    )


# --- no open proxy ----------------------------------------------------------------------------


def squid_conf_map(text: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "egress-squid", "namespace": "egress"},
        "data": {"squid.conf": text},
    }


@pytest.mark.parametrize(
    "args",
    [
        {"allowed_source_cidrs": ["10.0.0.0/16"], "allowed_domains": [".slack.com", "api.github.com"]},
        {
            "allowed_source_cidrs": ["10.0.0.0/16", "fd00::/8"],
            "allowed_destination_cidrs": ["198.51.100.0/24"],
        },
        {
            "allowed_source_cidrs": ["10.0.0.0/16"],
            "allowed_domains": [".x.com"],
            "tls_ports": [],
            "http_ports": [],
        },
    ],
)
def test_every_generated_squid_conf_passes(args: dict[str, Any]) -> None:
    assert check(squid_no_open_proxy, CONFIG_MAP, squid_conf_map(render_squid_conf(args))) == []  # type: ignore[arg-type]


def test_squid_conf_without_deny_all_last_fails() -> None:
    text = render_squid_conf({"allowed_source_cidrs": ["10.0.0.0/16"], "allowed_domains": [".x.com"]})
    text = text.replace("http_access deny all\n", "")
    assert check(squid_no_open_proxy, CONFIG_MAP, squid_conf_map(text)) == [
        "squid.conf in ConfigMap egress/egress-squid could make an open proxy: the last http_access rule is "
        "'allow allowed_src', not 'deny all'. Generate it with traffic_edge.squid_proxy.squid_conf (allowlisted sources and "
        "destinations, deny all last)."
    ]


@pytest.mark.parametrize(
    ("conf", "problems"),
    [
        (
            "http_access allow all\nhttp_access deny all\n",
            [
                "rule 1 'http_access allow all': ACL 'all' matches every client",
                "rule 1 'http_access allow all' allows every client: no source ACL limits it",
                "rule 1 'http_access allow all' allows every destination: no destination ACL limits it",
            ],
        ),
        (
            "acl net src 10.0.0.0/8\nhttp_access allow net\nhttp_access deny all\n",
            [
                "rule 1 'http_access allow net' allows every destination: no destination ACL limits it",
            ],
        ),
        (
            "acl any src 0.0.0.0/0\nacl d dstdomain .x.com\nhttp_access allow any d\nhttp_access deny all\n",
            [
                "rule 1 'http_access allow any d': ACL 'any' matches every client",
                "rule 1 'http_access allow any d' allows every client: no source ACL limits it",
            ],
        ),
        (
            "acl net src 10.0.0.0/8\nacl d dstdomain .\nhttp_access allow net d\nhttp_access deny all\n",
            [
                "rule 1 'http_access allow net d': ACL 'd' matches every destination",
                "rule 1 'http_access allow net d' allows every destination: no destination ACL limits it",
            ],
        ),
        # Judged on the union: two halves are every client.
        (
            "acl net src 0.0.0.0/1 128.0.0.0/1\nacl d dstdomain .x.com\nhttp_access allow net d\n"
            "http_access deny all\n",
            [
                "rule 1 'http_access allow net d': ACL 'net' matches every client",
                "rule 1 'http_access allow net d' allows every client: no source ACL limits it",
            ],
        ),
        # A fence only counts before the allow it protects.
        (
            "acl net src 10.0.0.0/8\nacl d dst 192.0.2.0/24\nhttp_access allow d\nhttp_access deny !net\n"
            "http_access deny all\n",
            [
                "rule 1 'http_access allow d' allows every client: no source ACL limits it",
            ],
        ),
    ],
)
def test_open_proxy_rules_are_named(conf: str, problems: list[str]) -> None:
    assert squid_conf_problems("http_port 3128\n" + conf) == problems


def test_fences_before_the_allow_close_sources_and_destinations() -> None:
    conf = (
        "acl net src 10.0.0.0/8\nacl d dstdomain .x.com\nacl n dst 192.0.2.0/24\n"
        "http_access deny !net\nhttp_access deny !d !n\nhttp_access allow net\nhttp_access deny all\n"
    )
    assert squid_conf_problems(conf) == []


def test_other_config_maps_are_not_judged_as_squid_conf() -> None:
    assert (
        check(squid_no_open_proxy, CONFIG_MAP, {"metadata": {"name": "x"}, "data": {"haproxy.cfg": "x"}})
        == []
    )


# --- AKS load balancer probes -----------------------------------------------------------------

P = "service.beta.kubernetes.io/"


def aks_service(annotations: dict[str, str], ports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kimmap-backend-tcp", "namespace": "kimmap", "annotations": annotations},
        "spec": {
            "type": "LoadBalancer",
            "ports": ports or [{"name": "tcp", "port": 9999, "protocol": "TCP"}],
        },
    }


def test_aks_service_with_tcp_probe_and_short_window_passes() -> None:
    ann = {
        P + "azure-load-balancer-resource-group": "rg-network",
        P + "port_9999_health-probe_protocol": "Tcp",
        P + "port_9999_health-probe_interval": "59",
        P + "port_9999_health-probe_num-of-probe": "2",
    }
    assert check(aks_lb_probes, SERVICE, aks_service(ann)) == []


def test_aks_service_without_probe_protocol_and_a_too_long_window_fails() -> None:
    ann = {
        P + "azure-load-balancer-resource-group": "rg",
        P + "azure-load-balancer-health-probe-interval": "60",
    }
    assert check(aks_lb_probes, SERVICE, aks_service(ann)) == [
        "AKS LoadBalancer Service kimmap/kimmap-backend-tcp port 9999/TCP has no health probe protocol (got "
        "None): a TCP server behind a default HTTP probe never gets traffic. Annotate "
        "service.beta.kubernetes.io/port_9999_health-probe_protocol or "
        "service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol with Tcp, Http or Https.",
        "AKS LoadBalancer Service kimmap/kimmap-backend-tcp port 9999: probe interval 60 s x num-of-probe 2 = "
        "120 s, not below 120 s: cloud-provider-azure rejects the Service and no load balancer rule is "
        "created. Lower the interval or the count.",
    ]


def test_aks_probe_protocol_from_app_protocol_or_global_and_skipped_ports() -> None:
    ann = {P + "azure-load-balancer-health-probe-protocol": "tcp"}
    ports = [
        {"port": 80, "appProtocol": "Http"},
        {"port": 53, "protocol": "UDP"},
        {"port": 9000},
    ]
    assert check(aks_lb_probes, SERVICE, aks_service(ann, ports)) == []
    no_global = {P + "azure-load-balancer-internal": "true", P + "port_9000_no_probe_rule": "true"}
    assert check(aks_lb_probes, SERVICE, aks_service(no_global, [{"port": 9000}])) == []


def test_non_azure_load_balancers_are_not_judged() -> None:
    assert check(aks_lb_probes, SERVICE, aks_service({"metallb.io/loadBalancerIPs": "192.0.2.1"})) == []


def test_aks_probe_counts_must_be_numbers() -> None:
    ann = {
        P + "azure-load-balancer-health-probe-protocol": "Tcp",
        P + "azure-load-balancer-health-probe-num-of-probe": "two",
    }
    assert check(aks_lb_probes, SERVICE, aks_service(ann)) == [
        "AKS LoadBalancer Service kimmap/kimmap-backend-tcp port 9999: probe interval None and num-of-probe "
        "'two' must be whole numbers of seconds and probes."
    ]


# --- pods: restricted profile and pinned images -----------------------------------------------

RESTRICTED_CONTAINER = {
    "name": "app",
    "image": "docker.io/library/haproxy:2.6",
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
        "runAsNonRoot": True,
    },
}


def workload(container: dict[str, Any] | None = None, **pod: Any) -> dict[str, Any]:
    spec = {
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}, "runAsUser": 99},
        "containers": [container or copy.deepcopy(RESTRICTED_CONTAINER)],
        "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}],
        **pod,
    }
    return {"metadata": {"name": "edge", "namespace": "edge"}, "spec": {"template": {"spec": spec}}}


def test_restricted_pod_passes() -> None:
    assert check(pod_security_restricted, DEPLOYMENT, workload()) == []


def test_every_restricted_profile_breach_is_listed() -> None:
    bad = {
        "name": "app",
        "image": "x:1",
        "securityContext": {"privileged": True, "capabilities": {"add": ["NET_ADMIN"]}},
        "ports": [{"containerPort": 80, "hostPort": 80}],
    }
    props = workload(bad, hostNetwork=True, volumes=[{"name": "h", "hostPath": {"path": "/"}}])
    assert check(pod_security_restricted, DEPLOYMENT, props) == [
        "Deployment edge/edge does not meet the restricted Pod Security profile: hostNetwork is true; volume 'h' "
        "is of type hostPath (allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, "
        "projected, secret); container app is privileged; container app does not set "
        "allowPrivilegeEscalation: false; container app does not drop ALL capabilities; container app adds "
        "capabilities ['NET_ADMIN'] (only NET_BIND_SERVICE is allowed); container app does not set "
        "runAsNonRoot: true (pod or container); container app uses hostPort 80. Fix the pod spec, or list the "
        "workload under exemptWorkloads in the policy config."
    ]


def test_seccomp_and_root_user_are_checked_at_pod_and_container_level() -> None:
    c = copy.deepcopy(RESTRICTED_CONTAINER)
    c["securityContext"]["runAsUser"] = 0
    props = workload(c, securityContext={"seccompProfile": {"type": "Unconfined"}})
    msgs = check(
        pod_security_restricted,
        "kubernetes:batch/v1:CronJob",
        {"metadata": {"name": "j"}, "spec": {"jobTemplate": props}},
    )
    assert msgs == [
        "CronJob j does not meet the restricted Pod Security profile: pod seccompProfile.type is 'Unconfined'; "
        "container app runs as uid 0; container app has seccompProfile 'Unconfined' (RuntimeDefault or "
        "Localhost, pod or container). Fix the pod spec, or list the workload under exemptWorkloads in the "
        "policy config."
    ]


def test_exempt_workloads_are_skipped_by_config() -> None:
    props = workload(hostNetwork=True)
    assert len(check(pod_security_restricted, DEPLOYMENT, props)) == 1
    assert check(pod_security_restricted, DEPLOYMENT, props, config={"exemptWorkloads": ["edge/edge"]}) == []


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("haproxy:2.6", None),
        ("registry.example.com:5000/team/haproxy:2.6.12", None),
        ("haproxy@sha256:" + "a" * 64, None),
        ("haproxy", "image 'haproxy' has no tag: it means latest"),
        (
            "registry.example.com:5000/haproxy",
            "image 'registry.example.com:5000/haproxy' has no tag: it means latest",
        ),
        ("haproxy:latest", "image 'haproxy:latest' uses the latest tag"),
        ("haproxy@sha256:abc", "image 'haproxy@sha256:abc' has a malformed digest"),
        (UNKNOWN_STRING_VALUE, None),
    ],
)
def test_image_pinning(image: str, problem: str | None) -> None:
    from policies._props import UNKNOWN

    assert image_problem(UNKNOWN if image == UNKNOWN_STRING_VALUE else image, require_digest=False) == problem


def test_unpinned_images_fail_and_digests_can_be_required() -> None:
    c = copy.deepcopy(RESTRICTED_CONTAINER)
    c["image"] = "haproxy:latest"
    assert check(images_pinned, DEPLOYMENT, workload(c)) == [
        "Deployment edge/edge: container app image 'haproxy:latest' uses the latest tag. Pin a version tag or a "
        "digest, so a rollout or node restart never pulls something else."
    ]
    assert check(images_pinned, DEPLOYMENT, workload()) == []
    assert check(images_pinned, DEPLOYMENT, workload(), config={"requireDigest": True}) == [
        "Deployment edge/edge: container app image 'docker.io/library/haproxy:2.6' is not pinned by digest "
        "(@sha256:...). Pin a version tag or a digest, so a rollout or node restart never pulls something else."
    ]


def test_unknown_images_do_not_stop_the_policy() -> None:
    c = copy.deepcopy(RESTRICTED_CONTAINER)
    c["image"] = UNKNOWN_STRING_VALUE
    assert check(images_pinned, DEPLOYMENT, workload(c)) == []


# --- PROXY-protocol gateways ------------------------------------------------------------------

GW_LABELS = {"istio": "ingressgateway"}
HAPROXY_PEER = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "haproxy-edge"}},
    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "haproxy"}},
}


def envoy_filter() -> dict[str, Any]:
    return {
        "metadata": {"name": "edge-proxy-protocol", "namespace": "istio-system"},
        "spec": {
            "workloadSelector": {"labels": dict(GW_LABELS)},
            "configPatches": [
                {
                    "applyTo": "LISTENER_FILTER",
                    "patch": {"value": {"name": "envoy.filters.listener.proxy_protocol"}},
                }
            ],
        },
    }


def netpol(
    name: str, ingress: list[dict[str, Any]], selector: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "istio-system"},
        "spec": {
            "podSelector": {"matchLabels": selector or dict(GW_LABELS)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def pods_service() -> dict[str, Any]:
    return {
        "metadata": {"name": "edge-gateway-pods", "namespace": "istio-system"},
        "spec": {"selector": dict(GW_LABELS), "ports": [{"port": 8443, "targetPort": 8443}]},
    }


def isolated_istio() -> Stack:
    s = Stack()
    s.add("kubernetes:networking.istio.io/v1alpha3:EnvoyFilter", "edge-gateway-envoyfilter", envoy_filter())
    s.add(SERVICE, "edge-gateway-service", pods_service())
    s.add(
        NETPOL,
        "edge-gateway-networkpolicy",
        netpol(
            "edge-gw",
            [
                {"from": [HAPROXY_PEER], "ports": [{"protocol": "TCP", "port": 8443}]},
                {
                    "ports": [
                        {"protocol": "TCP", "port": 1, "endPort": 8442},
                        {"protocol": "TCP", "port": 8444, "endPort": 65535},
                    ]
                },
            ],
        ),
    )
    return s


def test_gateway_admitting_only_haproxy_on_its_proxy_ports_passes() -> None:
    assert isolated_istio().check(proxy_protocol_gateway_isolated) == []


def test_gateway_without_network_policy_fails_on_the_gateway() -> None:
    s = Stack()
    gw = s.add("kubernetes:networking.istio.io/v1alpha3:EnvoyFilter", "f", envoy_filter())
    assert s.check(proxy_protocol_gateway_isolated) == [
        (
            "Istio EnvoyFilter 'edge-proxy-protocol' in namespace 'istio-system' trusts PROXY headers but is not "
            "reachable only from the proxy in front of it: no NetworkPolicy in namespace 'istio-system' selects "
            "its pods, so anyone can connect. Anyone who can connect can forge client addresses: admit only the "
            "proxy's pods or addresses on its PROXY ports.",
            gw.urn,
        )
    ]


def test_a_second_policy_opening_the_proxy_port_to_everyone_fails() -> None:
    s = isolated_istio()
    s.add(NETPOL, "open", netpol("allow-all", [{"ports": [{"port": 8443}]}], selector={}))
    [(msg, _)] = s.check(proxy_protocol_gateway_isolated)
    assert (
        "NetworkPolicy 'allow-all' ingress[0] admits every source (no 'from') to PROXY port(s) [8443]" in msg
    )


def test_address_blocks_that_together_are_everyone_fail() -> None:
    s = isolated_istio()
    halves = [{"ipBlock": {"cidr": "0.0.0.0/1"}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}]
    s.add(NETPOL, "halves", netpol("halves", [{"from": halves, "ports": [{"port": 8443}]}]))
    [(msg, _)] = s.check(proxy_protocol_gateway_isolated)
    assert (
        "NetworkPolicy 'halves' ingress[0] admits ipBlocks 0.0.0.0/1, 128.0.0.0/1 (together every address) "
        "to PROXY port(s) [8443]" in msg
    )


def test_traefik_trusting_halves_of_every_address_trusts_everyone() -> None:
    s = Stack()
    s.add(
        "kubernetes:helm.sh/v3:Release",
        "edge-release",
        traefik_release(trustedIPs=["0.0.0.0/1", "128.0.0.0/1"]),
    )
    s.add(
        NETPOL,
        "edge-edge-only",
        traefik_policy([{"from": [{"ipBlock": {"cidr": "10.244.0.0/16"}}], "ports": [{"port": 8000}]}]),
    )
    [(msg, _)] = s.check(proxy_protocol_gateway_isolated)
    assert "entrypoint web trusts PROXY headers from 0.0.0.0/1, 128.0.0.0/1" in msg


@pytest.mark.parametrize(
    ("peer", "why"),
    [
        ({"ipBlock": {"cidr": "0.0.0.0/0"}}, "ipBlock 0.0.0.0/0"),
        ({"ipBlock": {"cidr": "::/0"}}, "ipBlock ::/0"),
        ({"namespaceSelector": {}}, "every pod of the selected namespaces"),
        ({"podSelector": {}}, "every pod of the namespace"),
    ],
)
def test_peers_that_are_not_the_proxy_fail(peer: dict[str, Any], why: str) -> None:
    s = isolated_istio()
    s.add(NETPOL, "wide", netpol("wide", [{"from": [peer], "ports": [{"port": 8443}]}]))
    [(msg, _)] = s.check(proxy_protocol_gateway_isolated)
    assert f"NetworkPolicy 'wide' ingress[0] admits {why} to PROXY port(s) [8443]" in msg


def test_deployment_patch_gateway_takes_the_pod_labels_from_its_components_service() -> None:
    s = Stack()
    comp = s.add("traffic-edge:index:ProxyProtocolIngress", "edge", {})
    config = json.dumps({"gatewayTopology": {"numTrustedProxies": 0, "proxyProtocol": {}}})
    patch = {
        "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
        "spec": {"template": {"metadata": {"annotations": {"proxy.istio.io/config": config}}}},
    }
    s.add("kubernetes:apps/v1:DeploymentPatch", "edge-gateway-proxy-config", patch, parent=comp)
    s.add(SERVICE, "edge-gateway-service", pods_service(), parent=comp)
    s.add(
        NETPOL,
        "np",
        netpol(
            "edge-gw", [{"from": [HAPROXY_PEER], "ports": [{"port": 8443}]}, {"ports": [{"port": 15021}]}]
        ),
    )
    assert s.check(proxy_protocol_gateway_isolated) == []
    s.add(NETPOL, "np2", netpol("other", [{"ports": [{"port": 8000, "endPort": 9000}]}]))
    [(msg, _)] = s.check(proxy_protocol_gateway_isolated)
    assert "NetworkPolicy 'other' ingress[0] admits every source (no 'from') to PROXY port(s) [8443]" in msg


def traefik_release(**proxy: Any) -> dict[str, Any]:
    pp = {"trustedIPs": ["10.244.0.0/16"], "insecure": False, **proxy}
    return {
        "name": "edge-traefik",
        "namespace": "edge",
        "chart": "traefik",
        "values": {"ports": {"web": {"port": 8000, "proxyProtocol": pp}, "websecure": None}},
    }


def traefik_policy(ingress: list[dict[str, Any]]) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "edge-traefik-edge"}
    return {
        "metadata": {"name": "edge-edge-only", "namespace": "edge"},
        "spec": {"podSelector": {"matchLabels": labels}, "policyTypes": ["Ingress"], "ingress": ingress},
    }


def test_traefik_trusting_proxy_headers_needs_its_edge_only_policy() -> None:
    s = Stack()
    rel = s.add("kubernetes:helm.sh/v3:Release", "edge-release", traefik_release())
    s.add(
        NETPOL,
        "edge-edge-only",
        traefik_policy([{"from": [{"ipBlock": {"cidr": "10.244.0.0/16"}}], "ports": [{"port": 8000}]}]),
    )
    assert s.check(proxy_protocol_gateway_isolated) == []
    bad = Stack()
    rel = bad.add(
        "kubernetes:helm.sh/v3:Release",
        "edge-release",
        traefik_release(insecure=True, trustedIPs=["0.0.0.0/0"]),
    )
    bad.add(NETPOL, "edge-edge-only", traefik_policy([{"ports": [{"port": 8000}]}]))
    assert bad.check(proxy_protocol_gateway_isolated) == [
        (
            "Traefik release 'edge-traefik' in namespace 'edge' trusts PROXY headers but is not reachable only "
            "from the proxy in front of it: entrypoint web trusts PROXY headers from everyone "
            "(proxyProtocol.insecure); entrypoint web trusts PROXY headers from 0.0.0.0/0; no NetworkPolicy rule "
            "admits the proxy in front of it (narrowed pods or addresses); NetworkPolicy 'edge-edge-only' "
            "ingress[0] admits every source (no 'from') to PROXY port(s) [8000]. Anyone who can connect can "
            "forge client addresses: admit only the proxy's pods or addresses on its PROXY ports.",
            rel.urn,
        )
    ]


def test_traefik_without_proxy_protocol_is_not_a_proxy_gateway() -> None:
    s = Stack()
    release = traefik_release()
    del release["values"]["ports"]["web"]["proxyProtocol"]
    s.add("kubernetes:helm.sh/v3:Release", "r", release)
    assert s.check(proxy_protocol_gateway_isolated) == []


# --- NAT routes -------------------------------------------------------------------------------


def nat_stack(route_zone: str, nat_zone: str, *, table_tag: bool = True) -> tuple[Stack, PolicyResource]:
    s = Stack()
    nat = s.add(
        "aws:ec2/natGateway:NatGateway",
        f"egress-nat-{nat_zone}",
        {"tags": {"Name": f"egress-nat-{nat_zone}"}},
    )
    deps = [nat]
    if table_tag:
        deps.append(
            s.add(
                "aws:ec2/routeTable:RouteTable",
                f"egress-rtb-{route_zone}",
                {"tags": {"Name": f"egress-private-{route_zone}"}},
            )
        )
    route = s.add(
        "aws:ec2/route:Route",
        f"egress-default-route-{route_zone}" if table_tag else "egress-default-route-rtb-0abc",
        {
            "destinationCidrBlock": "0.0.0.0/0",
            "natGatewayId": UNKNOWN_STRING_VALUE,
            "routeTableId": UNKNOWN_STRING_VALUE,
        },
        deps=deps,
    )
    return s, route


def test_route_to_the_nat_in_its_own_zone_passes() -> None:
    s, _ = nat_stack("ap-northeast-2a", "ap-northeast-2a")
    assert s.check(nat_routes_own_zone) == []


def test_route_to_another_zones_nat_fails_on_the_route() -> None:
    s, route = nat_stack("ap-northeast-2c", "ap-northeast-2a")
    assert s.check(nat_routes_own_zone) == [
        (
            "default route 'egress-default-route-ap-northeast-2c' serves zone ap-northeast-2c but goes to NAT "
            "gateway 'egress-nat-ap-northeast-2a' in ap-northeast-2a: every byte crosses zones both ways and "
            "ap-northeast-2c loses egress when ap-northeast-2a fails. Give ap-northeast-2c its own NAT gateway "
            "(strategy OnePerZone).",
            route.urn,
        )
    ]


def test_route_whose_zone_the_stack_does_not_show_is_not_judged() -> None:
    s, _ = nat_stack("ap-northeast-2c", "ap-northeast-2a", table_tag=False)
    assert s.check(nat_routes_own_zone) == []


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("egress-nat-ap-northeast-2a", "ap-northeast-2a"),
        ("x-private-us-gov-west-1b", "us-gov-west-1b"),
        ("x-default-route-us-east-1-bos-1a", "us-east-1-bos-1a"),
        ("egress-default-route-rtb-0abc", None),
        (None, None),
    ],
)
def test_zone_names(text: Any, zone: str | None) -> None:
    assert zone_in(text) == zone


def _squid_proxy_conf(**extra: Any) -> str:
    from tests.traffic_edge.squid_proxy.cases import CANARY, TENANT
    from traffic_edge.squid_proxy.plan import plan_squid_proxy
    from traffic_edge.squid_proxy.squid_conf import render
    from traffic_edge.squid_proxy.validate import validate_squid_proxy_args

    args = {
        "namespace": "egress",
        "kubernetes_version": "1.33",
        "zones": ["ap-northeast-2a", "ap-northeast-2c"],
        "client_namespaces": ["apps"],
        "allowed_source_cidrs": ["10.0.0.0/16"],
        "allowed_domains": ["api.slack.com"],
        "tenants": [
            TENANT,
            {
                **TENANT,
                "name": "cidrs",
                "port": 3201,
                "client_namespaces": ["ops"],
                "allowed_domains": [],
                "allowed_destination_cidrs": ["198.51.100.0/24"],
            },
        ],
        "canary": CANARY,
        **extra,
    }
    assert validate_squid_proxy_args(args, "squid") == []
    return render(plan_squid_proxy("squid", args).conf)


def test_squid_proxys_file_with_tenants_canary_and_password_include_passes() -> None:
    text = _squid_proxy_conf()
    assert "include /etc/squid/traffic-edge-manager/cachemgr.conf" in text
    assert check(squid_no_open_proxy, CONFIG_MAP, squid_conf_map(text)) == []  # type: ignore[arg-type]


def test_a_tenant_allow_without_its_destination_acl_is_an_open_proxy() -> None:
    text = _squid_proxy_conf().replace(
        "http_access allow tenant-payments allowed_src tenant-payments-domains",
        "http_access allow tenant-payments allowed_src",
    )
    [rule] = [p for p in squid_conf_problems(text)]
    assert rule.endswith(
        "'http_access allow tenant-payments allowed_src' allows every destination: no destination ACL limits it"
    )


def test_an_include_before_the_last_rule_cannot_be_judged() -> None:
    text = _squid_proxy_conf().replace(
        "http_access deny all", "include /etc/squid/extra.conf\nhttp_access deny all"
    )
    assert squid_conf_problems(text) == [
        "include /etc/squid/extra.conf comes before the last http_access rule: rules in it cannot be judged here"
    ]
