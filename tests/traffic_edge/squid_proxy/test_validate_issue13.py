"""Issue 13 items 3-5: the exact message of every rule of tenants, the canary, the placement args
and the HPA's behaviour, each naming the key as written, the value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.traffic_edge.squid_proxy.cases import CANARY, PLACEMENT, TENANT
from tests.traffic_edge.squid_proxy.test_manifests import DEV
from traffic_edge.squid_proxy.validate import validate_squid_proxy_args


def m(**kw: Any) -> list[str]:
    return [p.render() for p in validate_squid_proxy_args({**DEV, **kw}, "squid")]


CASES: dict[str, dict[str, Any]] = {
    "tenant_bad": dict(
        tenants=[
            {"name": "Proxy", "port": 3128, "client_namespaces": ["apps"], "colour": 1},
            {"name": "b", "port": 80, "client_namespaces": ["x"], "allowed_domains": ["*.x.com"]},
        ]
    ),
    "tenant_dups": dict(tenants=[TENANT, {**TENANT, "client_namespaces": ["payments", "ops"]}]),
    "tenant_not_list": dict(tenants={"a": 1}),
    "tenant_missing": dict(tenants=[{}]),
    "tenant_all": dict(
        tenants=[{**TENANT, "allowed_domains": [], "allowed_destination_cidrs": ["0.0.0.0/1", "128.0.0.0/1"]}]
    ),
    "canary_bad": dict(
        canary={
            "echo_url": "ftp://x.example.com/",
            "expected_egress_ips": {"ap-northeast-2a": ["nope"], "ap-northeast-2c": []},
            "interval_minutes": 7,
            "image": "curl",
        }
    ),
    "canary_ip_url": dict(canary={**CANARY, "echo_url": "http://203.0.113.5/"}),
    "canary_missing": dict(canary={}),
    "canary_zone": dict(canary=CANARY, zones=["ap-northeast-2a", "AP_2C"]),
    "canary_long": dict(
        canary={
            **CANARY,
            "expected_egress_ips": {"z" * 45: ["203.0.113.1"], "ap-northeast-2c": ["203.0.113.2"]},
        },
        zones=["z" * 45, "ap-northeast-2c"],
    ),
    "placement_bad": dict(
        node_selector={"topology.kubernetes.io/zone": "ap-northeast-2a"},
        tolerations=[
            {"operator": "Exists", "value": "x"},
            {"key": "a", "toleration_seconds": 30},
            {"effect": "Sometimes", "key": "k"},
            {"operator": "Equal"},
        ],
        affinity={
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["x"]}
                            ]
                        }
                    ]
                }
            },
            "zoneAffinity": {},
        },
        priority_class_name="Not_A_Name",
        image_pull_secrets=["ok", "ok"],
    ),
    "affinity_empty_terms": dict(
        affinity={
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}
        }
    ),
    "toleration_seconds_with_another_effect": dict(
        tolerations=[{"key": "a", "effect": "NoSchedule", "toleration_seconds": 30}]
    ),
    "hpa": dict(
        autoscaling={
            "max_replicas": 8,
            "scale_down_stabilization_seconds": 3601,
            "scale_up_stabilization_seconds": -1,
        }
    ),
}


EXPECTED: dict[str, list[str]] = {
    "tenant_bad": [
        "tenants[0].colour is not a known key: the known keys are allowed_destination_cidrs, allowed_domains, client_namespaces, http_ports, name, port, tls_ports",
        "tenants[0].name: 'Proxy' is not allowed: a tenant name of 1-15 lowercase letters, digits and single '-', with at least one letter (it names the Service port), and not 'proxy' or 'metrics'",
        "tenants[0].port: 3128 is not allowed: an integer port from 1024 to 65535 other than 3128 and 9301: Squid runs without privileges, and those two are the shared proxy's and the exporter's",
        "tenants[0].allowed_domains is required: the hosts the proxy may reach (unless allowed_destination_cidrs lists networks)",
        "tenants[1].port: 80 is not allowed: an integer port from 1024 to 65535 other than 3128 and 9301: Squid runs without privileges, and those two are the shared proxy's and the exporter's",
        "tenants[1].allowed_domains[0]: '*.x.com' is not allowed: a leading-dot suffix like '.x.com' for the domain and its subdomains: Squid has no wildcards",
        "tenants[0].client_namespaces[0]: 'apps' conflicts with client_namespaces: NetworkPolicies only add: it would reach the shared port with the shared allowlist too",
    ],
    "tenant_dups": [
        "tenants[1].name: 'payments' is not allowed: a tenant name listed once; it repeats tenants[0].name",
        "tenants[1].port: 3200 is not allowed: a port listed once; it repeats tenants[0].port",
        "tenants[1].client_namespaces[0]: 'payments' is not allowed: a namespace in one tenant listed once; it repeats tenants[0].client_namespaces[0]",
    ],
    "tenant_not_list": [
        "tenants: {'a': 1} is not allowed: a list of tenants, each a map with name, port, client_namespaces and its destinations"
    ],
    "tenant_missing": [
        "tenants[0].name is required: the tenant's name, which names its port",
        "tenants[0].port is required: the tenant's proxy port",
        "tenants[0].client_namespaces is required: the namespaces whose pods use this tenant's port",
        "tenants[0].allowed_domains is required: the hosts the proxy may reach (unless allowed_destination_cidrs lists networks)",
    ],
    "tenant_all": [
        "tenants[0].allowed_destination_cidrs: ['0.0.0.0/1', '128.0.0.0/1'] is not allowed: destination networks that leave some addresses out: every address would let the clients reach anything"
    ],
    "canary_bad": [
        "canary.echo_url: 'ftp://x.example.com/' is not allowed: an http:// or https:// URL with a host name (no address, user or fragment), like 'https://checkip.example.com/': its host is allowlisted for the canary",
        "canary.expected_egress_ips.ap-northeast-2a[0]: 'nope' is not allowed: an IP address, like '203.0.113.10'",
        "canary.expected_egress_ips.ap-northeast-2c: [] is not allowed: a list of the IP addresses zone ap-northeast-2c's traffic leaves through, at least 1",
        "canary.interval_minutes: 7 is not allowed: one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60",
        "canary.image: 'curl' is not allowed: a container image pinned by tag or digest (not 'latest'), like 'docker.io/library/haproxy:2.6'",
    ],
    "canary_ip_url": [
        "canary.echo_url: 'http://203.0.113.5/' is not allowed: an http:// or https:// URL with a host name (no address, user or fragment), like 'https://checkip.example.com/': its host is allowlisted for the canary"
    ],
    "canary_missing": [
        "canary.echo_url is required: the IP-echo URL the canary asks",
        "canary.expected_egress_ips is required: each zone's egress IPs (in a stack with traffic-edge:egressNat they are filled in)",
    ],
    "canary_zone": [
        "canary.expected_egress_ips.ap-northeast-2c is not a known key: did you mean ap-northeast-2a?",
        "canary.expected_egress_ips.AP_2C is required: zone AP_2C's egress IPs",
        "zones[1]: 'AP_2C' is not allowed: a zone name that makes <name>-canary-<zone> a DNS-1123 label of at most 52 characters (lowercase letters, digits, '-'): it names the zone's canary CronJob",
    ],
    "canary_long": [
        "zones[0]: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' is not allowed: a zone name that makes <name>-canary-<zone> a DNS-1123 label of at most 52 characters (lowercase letters, digits, '-'): it names the zone's canary CronJob"
    ],
    "placement_bad": [
        "node_selector.topology.kubernetes.io/zone: 'ap-northeast-2a' conflicts with zones: zones pins the pods to their zones; a second rule on the zone label would fight it",
        "tolerations[0].value: 'x' conflicts with tolerations[0].operator: Exists matches any value",
        "tolerations[1].toleration_seconds: 30 is not allowed: no value unless effect is NoExecute: only a NoExecute taint evicts, so only it has a time to tolerate",
        "tolerations[2].effect: 'Sometimes' is not allowed: one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute'",
        "tolerations[3].key is required: the taint's key: only operator Exists (every taint) may leave it out",
        "affinity.zoneAffinity is not a known key: did you mean nodeAffinity?",
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: 'topology.kubernetes.io/zone' conflicts with zones: zones pins the pods to their zones; a second rule on the zone label would fight it",
        "priority_class_name: 'Not_A_Name' is not allowed: a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters",
        "image_pull_secrets[1]: 'ok' is not allowed: an item listed once; it repeats image_pull_secrets[0]",
    ],
    "affinity_empty_terms": [
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution: {'nodeSelectorTerms': []} is not allowed: a map with nodeSelectorTerms, a list of at least 1 term"
    ],
    "toleration_seconds_with_another_effect": [
        "tolerations[0].toleration_seconds: 30 conflicts with tolerations[0].effect: only a NoExecute taint evicts, so only it has a time to tolerate"
    ],
    "hpa": [
        "autoscaling.scale_down_stabilization_seconds: 3601 is not allowed: an integer from 0 to 3600",
        "autoscaling.scale_up_stabilization_seconds: -1 is not allowed: an integer from 0 to 3600",
    ],
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_exact_messages(case: str) -> None:
    assert m(**CASES[case]) == EXPECTED[case]


def test_the_features_together_are_valid() -> None:
    assert m(**PLACEMENT, tenants=[TENANT], canary=CANARY, autoscaling={"max_replicas": 8}) == []
