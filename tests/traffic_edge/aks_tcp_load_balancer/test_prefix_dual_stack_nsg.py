"""Issue #14 item 2: public IP prefixes, IP and resource tags, dual-stack, service tags and
deny-all-except: the boundaries, the exact problems, and what the component registers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.aks_seed import seed
from tests.traffic_edge.aks_tcp_load_balancer.cases import S, internal, without
from tests.traffic_edge.aks_tcp_load_balancer.test_component import PIP, SERVICE, plan
from traffic_edge.aks_tcp_load_balancer.facts import (
    ALLOWED_SERVICE_TAGS,
    DENY_ALL_WITH_ALLOWED_IP_RANGES,
    DUAL_STACK,
    USER_PIP_TAGS_KEPT,
    Fix,
    ProviderVersion,
    Support,
)
from traffic_edge.aks_tcp_load_balancer.validate import validate_aks_tcp_load_balancer_args

PREFIX = "azure-native:network:PublicIPPrefix"
PREFIX_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/publicIPPrefixes/kimmap-prefix"


def _support(fix: Fix, text: str) -> Support:
    version = ProviderVersion.parse(text, exact=text.count(".") == 2)
    assert version is not None
    return fix.support(version)


def rendered(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_aks_tcp_load_balancer_args(args)]


def on(version: str, **overrides: Any) -> dict[str, Any]:
    return without("kubernetes_version", cloud_provider_version=version, **overrides)


# --- the boundaries: before, at, each backport's first patch, minor only --------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.26.22", Support.NO),  # the last 1.26: no IPv6 public IP
        ("1.27.0", Support.YES),
        ("1.33.2", Support.YES),
        ("1.26", Support.NO),  # never backported, so the minor decides
        ("1.27", Support.YES),
    ],
)
def test_dual_stack_boundary(text: str, expected: Support) -> None:
    assert _support(DUAL_STACK, text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PR #3527 in 1.27.0; cherry-picks #3528-#3531
        ("1.27.0", Support.YES),
        ("1.26.6", Support.NO),
        ("1.26.7", Support.YES),
        ("1.25.10", Support.NO),
        ("1.25.11", Support.YES),
        ("1.24.16", Support.NO),
        ("1.24.17", Support.YES),
        ("1.23.29", Support.NO),
        ("1.23.30", Support.YES),
        ("1.22", Support.NO),
        ("1.26", Support.UNKNOWN),
    ],
)
def test_user_pip_tags_kept_boundary_and_backports(text: str, expected: Support) -> None:
    assert _support(USER_PIP_TAGS_KEPT, text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.28.14", Support.NO),  # the last 1.28 still checks only spec.loadBalancerSourceRanges
        ("1.29.0", Support.YES),
        ("1.28", Support.NO),
        ("1.29", Support.YES),
    ],
)
def test_deny_all_with_allowed_ip_ranges_boundary(text: str, expected: Support) -> None:
    assert _support(DENY_ALL_WITH_ALLOWED_IP_RANGES, text) is expected


@pytest.mark.parametrize("text", ["1.0.0", "1.20", "1.23.1", "1.33"])
def test_allowed_service_tags_are_read_by_every_1x_release(text: str) -> None:
    assert _support(ALLOWED_SERVICE_TAGS, text) is Support.YES


def test_the_new_boundaries_describe_themselves_as_the_docs_show_them() -> None:
    assert USER_PIP_TAGS_KEPT.describe() == (
        "cloud-provider-azure 1.27.0 (backports 1.26.7, 1.25.11, 1.24.17, 1.23.30)"
    )
    assert DUAL_STACK.describe() == "cloud-provider-azure 1.27.0"
    assert DENY_ALL_WITH_ALLOWED_IP_RANGES.describe() == "cloud-provider-azure 1.29.0"


# --- validation --------------------------------------------------------------------------------


def test_a_prefix_is_adopted_by_id_or_created_from_name_and_length() -> None:
    assert rendered(seed(public_ip_prefix={"id": PREFIX_ID})) == []
    assert rendered(seed(public_ip_prefix={"name": "kimmap-prefix", "length": 30})) == []
    assert rendered(seed(public_ip_prefix={"id": PREFIX_ID, "length": 30})) == [
        "public_ip_prefix.length: 30 conflicts with public_ip_prefix.id: a prefix is either adopted by id or "
        "created from name and length"
    ]
    assert rendered(seed(public_ip_prefix={})) == [
        "public_ip_prefix.id is required: the prefix to adopt (or name and length to create one)"
    ]
    assert rendered(seed(public_ip_prefix={"name": "kimmap-prefix", "length": 27})) == [
        "public_ip_prefix.length: 27 is not allowed: an integer from 28 to 31: the IPv4 prefix lengths Azure "
        "offers, 16 to 2 addresses"
    ]
    assert rendered(seed(public_ip_prefix={"name": "kimmap-prefix"})) == [
        "public_ip_prefix.length is required: the IPv4 prefix length, 28-31"
    ]
    assert rendered(seed(public_ip_prefix={"id": "kimmap-prefix"})) == [
        "public_ip_prefix.id: 'kimmap-prefix' is not allowed: the ARM ID of a public IP prefix, like "
        "'/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/publicIPPrefixes/<name>'"
    ]


def test_new_public_ip_keys_are_rejected_for_an_adopted_public_ip() -> None:
    args = without("location", frontend="ExistingPublicIp", public_ip_prefix={"id": PREFIX_ID})
    assert rendered(args) == [
        f"public_ip_prefix: {{'id': '{PREFIX_ID}'}} conflicts with frontend: it configures the public IP that only "
        "frontend 'NewPublicIp' creates, and frontend is 'ExistingPublicIp'"
    ]


def test_ip_tags_and_public_ip_tags_are_checked() -> None:
    good = [{"ip_tag_type": "RoutingPreference", "tag": "Internet"}]
    assert rendered(seed(ip_tags=good)) == []
    assert rendered(
        seed(ip_tags=[{"ip_tag_type": "Routing Preference", "tag": "Internet"}, *good, *good])
    ) == [
        "ip_tags[0].ip_tag_type: 'Routing Preference' is not allowed: an IP tag type: letters only, like "
        "'FirstPartyUsage'"
    ]
    assert rendered(seed(ip_tags=[*good, *good])) == [
        "ip_tags[1]: ('RoutingPreference', 'Internet') is not allowed: an item listed once; it repeats ip_tags[0]"
    ]
    assert rendered(seed(public_ip_tags={"cost/center": "edge"})) == [
        "public_ip_tags.cost/center: 'cost/center' is not allowed: an Azure tag name: 1-512 characters, none "
        "of '<', '>', '%', '&', '\\', '?', '/'"
    ]


@pytest.mark.parametrize(
    ("version", "ok"), [("1.26.6", False), ("1.26.7", True), ("1.27.0", True), ("1.23.30", True)]
)
def test_public_ip_tags_need_a_provider_that_leaves_them_alone(version: str, ok: bool) -> None:
    found = rendered(on(version, public_ip_tags={"team": "edge"}))
    assert found == (
        []
        if ok
        else [
            f"public_ip_tags: {{'team': 'edge'}} conflicts with cloud_provider_version: cloud-provider-azure "
            f"{version} re-tags a public IP named by azure-pip-name with the cluster's tags on every sync, so the "
            "tags set here would not stay as set; it needs cloud-provider-azure 1.27.0 (backports 1.26.7, 1.25.11, "
            "1.24.17, 1.23.30) or later"
        ]
    )


@pytest.mark.parametrize(("version", "ok"), [("1.26.22", False), ("1.27.0", True)])
def test_dual_stack_needs_a_provider_with_ipv6_public_ips(version: str, ok: bool) -> None:
    found = rendered(on(version, dual_stack=True, public_ip_name_ipv6="kimmap-tcp-pip-v6"))
    assert found == (
        []
        if ok
        else [
            f"dual_stack: True conflicts with cloud_provider_version: cloud-provider-azure {version} has no "
            "dual-stack load balancer (no azure-pip-name-ipv6); it needs cloud-provider-azure 1.27.0 or later"
        ]
    )
    minor_only = rendered(seed(kubernetes_version="1.26", dual_stack=True, public_ip_name_ipv6="kimmap-v6"))
    assert minor_only == [
        "dual_stack: True conflicts with kubernetes_version: cloud-provider-azure 1.26.x (AKS 1.26) has no "
        "dual-stack load balancer (no azure-pip-name-ipv6); it needs cloud-provider-azure 1.27.0 or later"
    ]


def test_the_ipv6_public_ip_is_named_exactly_when_used() -> None:
    assert rendered(seed(dual_stack=True)) == [
        "public_ip_name_ipv6 is required: the name of the IPv6 public IP to create"
    ]
    assert rendered(seed(public_ip_name_ipv6="kimmap-v6")) == [
        "public_ip_name_ipv6: 'kimmap-v6' conflicts with dual_stack: only a dual-stack Service has an IPv6 "
        "frontend, and dual_stack is false (the default)"
    ]
    assert rendered(seed(dual_stack=True, public_ip_name_ipv6="kimmap-tcp-pip")) == [
        "public_ip_name_ipv6: 'kimmap-tcp-pip' conflicts with public_ip_name: the IPv4 and the IPv6 frontend each "
        "need their own public IP"
    ]
    assert rendered(internal(dual_stack=True)) == []
    assert rendered(seed(dual_stack="yes", public_ip_name_ipv6="kimmap-v6")) == [
        "dual_stack: 'yes' is not allowed: true or false"
    ]


def test_ipv6_client_networks_only_with_dual_stack() -> None:
    ranges = ["203.0.113.0/24", "2001:db8::/32"]
    assert (
        rendered(seed(dual_stack=True, public_ip_name_ipv6="kimmap-v6", load_balancer_source_ranges=ranges))
        == []
    )
    assert rendered(seed(load_balancer_source_ranges=ranges)) == [
        "load_balancer_source_ranges[1]: '2001:db8::/32' is not allowed: an IPv4 network: the load balancer's "
        "frontend is IPv4 unless dual_stack is true"
    ]


def test_service_tags_are_names_listed_once_and_never_with_source_ranges() -> None:
    assert rendered(seed(allowed_service_tags=["AzureFrontDoor.Backend", "AzureCloud.koreacentral"])) == []
    assert rendered(seed(allowed_service_tags=["Azure Cloud"])) == [
        "allowed_service_tags[0]: 'Azure Cloud' is not allowed: an Azure service tag: letters and digits, "
        "optionally '.'-separated parts, like 'AzureCloud.koreacentral'"
    ]
    assert rendered(seed(allowed_service_tags=["AzureCloud", "AzureCloud"])) == [
        "allowed_service_tags[1]: 'AzureCloud' is not allowed: an item listed once; it repeats allowed_service_tags[0]"
    ]
    assert rendered(
        seed(allowed_service_tags=["AzureCloud"], load_balancer_source_ranges=["203.0.113.0/24"])
    ) == [
        "allowed_service_tags: ['AzureCloud'] conflicts with load_balancer_source_ranges: kube-proxy also enforces "
        "load_balancer_source_ranges and would drop the tags' sources the NSG lets in; give the networks as "
        "allowed_ip_ranges instead"
    ]
    assert rendered(seed(allowed_service_tags=["AzureCloud"], allowed_ip_ranges=["203.0.113.0/24"])) == []


def test_deny_all_except_needs_networks_to_except() -> None:
    assert rendered(seed(deny_all_except_source_ranges=True, allowed_service_tags=["AzureCloud"])) == [
        "deny_all_except_source_ranges: True is not allowed: false unless load_balancer_source_ranges or "
        "allowed_ip_ranges is set: cloud-provider-azure adds the deny rule only for one of them "
        "(allowed_service_tags do not count)"
    ]
    assert rendered(seed(deny_all_except_source_ranges=False)) == []
    assert rendered(seed(deny_all_except_source_ranges="true")) == [
        "deny_all_except_source_ranges: 'true' is not allowed: true or false"
    ]


@pytest.mark.parametrize(
    ("version", "ok"), [("1.28.5", False), ("1.28.14", False), ("1.29.0", True), ("1.33.2", True)]
)
def test_deny_all_except_with_allowed_ip_ranges_needs_1_29(version: str, ok: bool) -> None:
    args = on(version, deny_all_except_source_ranges=True, allowed_ip_ranges=["203.0.113.0/24"])
    assert rendered(args) == (
        []
        if ok
        else [
            f"deny_all_except_source_ranges: True conflicts with cloud_provider_version: cloud-provider-azure "
            f"{version} adds the deny rule only for load_balancer_source_ranges, not for allowed_ip_ranges, so "
            "every other source in the virtual network would stay allowed; it needs cloud-provider-azure 1.29.0 "
            "or later"
        ]
    )
    # With spec.loadBalancerSourceRanges every 1.x adds the rule.
    spec = on(version, deny_all_except_source_ranges=True, load_balancer_source_ranges=["203.0.113.0/24"])
    assert rendered(spec) == []


def test_an_allow_list_already_reported_is_not_judged_again_for_deny_all() -> None:
    args = on("1.28.4", deny_all_except_source_ranges=True, allowed_ip_ranges=["203.0.113.0/24"])
    assert [p.path.parts[0] for p in validate_aks_tcp_load_balancer_args(args)] == ["allowed_ip_ranges"]


# --- what the component registers ------------------------------------------------------------------


def test_a_created_prefix_is_protected_and_the_pip_is_taken_from_it() -> None:
    args = seed(public_ip_prefix={"name": "kimmap-prefix", "length": 31}, public_ip_tags={"team": "edge"})
    rec = plan(args, preview=False)
    prefix = rec.get(PREFIX, "kimmap-pip-prefix")
    assert prefix.protect is True and prefix.retain_on_delete is True
    assert prefix.inputs == {
        "resourceGroupName": "rg-network",
        "publicIpPrefixName": "kimmap-prefix",
        "location": "koreacentral",
        "sku": {"name": "Standard", "tier": "Regional"},
        "prefixLength": 31,
        "publicIPAddressVersion": "IPv4",
        "zones": ["1", "2", "3"],
        "tags": {"team": "edge"},
    }
    pip = rec.get(PIP, "kimmap-pip")
    assert sorted(pip.inputs["publicIPPrefix"]) == ["id"]
    assert prefix.urn in pip.depends_on or pip.inputs["publicIPPrefix"]["id"]
    assert pip.inputs["tags"] == {"team": "edge"}


def test_an_adopted_prefix_is_only_referenced_and_ip_tags_reach_the_pip() -> None:
    tags = [{"ip_tag_type": "RoutingPreference", "tag": "Internet"}]
    rec = plan(seed(public_ip_prefix={"id": PREFIX_ID}, ip_tags=tags))
    assert rec.by_type(PREFIX) == []
    pip = rec.get(PIP, "kimmap-pip")
    assert pip.inputs["publicIPPrefix"] == {"id": PREFIX_ID}
    assert pip.inputs["ipTags"] == [{"ipTagType": "RoutingPreference", "tag": "Internet"}]
    annotations = rec.get(SERVICE, "kimmap-svc").inputs["metadata"]["annotations"]
    assert not any("prefix" in key or "ip-tags" in key or "pip-tags" in key for key in annotations)


def test_dual_stack_creates_a_protected_ipv6_pip_and_names_it_on_the_service() -> None:
    args = seed(
        dual_stack=True,
        public_ip_name_ipv6="kimmap-tcp-pip-v6",
        public_ip_prefix_ipv6={"name": "kimmap-prefix-v6", "length": 127},
        dns_label="kimmap-tcp",
    )
    rec = plan(args, preview=False)
    pip6 = rec.get(PIP, "kimmap-pip-ipv6")
    assert pip6.protect is True and pip6.retain_on_delete is True
    assert pip6.inputs["publicIPAddressVersion"] == "IPv6"
    assert pip6.inputs["publicIpAddressName"] == "kimmap-tcp-pip-v6"
    assert "dnsSettings" not in pip6.inputs
    assert rec.get(PREFIX, "kimmap-pip-prefix-ipv6").inputs["publicIPAddressVersion"] == "IPv6"
    service = rec.get(SERVICE, "kimmap-svc")
    assert service.inputs["metadata"]["annotations"][S + "azure-pip-name-ipv6"] == "kimmap-tcp-pip-v6"
    assert service.inputs["spec"]["ipFamilies"] == ["IPv4", "IPv6"]
    assert service.inputs["spec"]["ipFamilyPolicy"] == "RequireDualStack"
    assert pip6.urn in service.depends_on


def test_service_tags_and_deny_all_reach_the_annotations() -> None:
    args = seed(
        allowed_service_tags=["AzureFrontDoor.Backend", "AzureCloud"],
        allowed_ip_ranges=["203.0.113.0/24"],
        deny_all_except_source_ranges=True,
    )
    annotations = plan(args).get(SERVICE, "kimmap-svc").inputs["metadata"]["annotations"]
    assert annotations[S + "azure-allowed-service-tags"] == "AzureFrontDoor.Backend,AzureCloud"
    assert annotations[S + "azure-deny-all-except-load-balancer-source-ranges"] == "true"
    assert (
        S + "azure-deny-all-except-load-balancer-source-ranges"
        not in (plan(seed()).get(SERVICE, "kimmap-svc").inputs["metadata"]["annotations"])
    )


def test_public_ip_tags_on_a_minor_only_provider_warn() -> None:
    rec = plan(seed(kubernetes_version="1.26", public_ip_tags={"team": "edge"}))
    assert rec.warnings == [
        "AksTcpLoadBalancer 'kimmap': public_ip_tags may not stay as set on cloud-provider-azure 1.26.x (AKS 1.26): "
        "before cloud-provider-azure 1.27.0 (backports 1.26.7, 1.25.11, 1.24.17, 1.23.30) the provider re-tags a "
        "public IP named by azure-pip-name with the cluster's tags on every sync, and the next pulumi up sets them "
        "back. The AKS patch that carries the backport is not known here: set cloud_provider_version to be sure."
    ]
