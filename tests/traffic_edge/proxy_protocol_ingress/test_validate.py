"""validate_proxy_protocol_ingress_args: every problem at once, word for word, at the args' keys."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS, IN_CLUSTER_ARGS
from traffic_edge._shared.problems import ArgsError
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg
from traffic_edge.proxy_protocol_ingress.plan import plan_proxy_protocol_ingress
from traffic_edge.proxy_protocol_ingress.validate import validate_proxy_protocol_ingress_args

POOL_BLOCK = (
    "a network in CIDR form with no host bits set, like '192.0.2.16/28', "
    "or a range 'first-last', like '192.0.2.20-192.0.2.29'"
)


def messages(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_proxy_protocol_ingress_args(args)]


def reported(args: dict[str, Any]) -> str:
    """What the component raises: the same problems, less what a misspelled key caused."""
    return str(ArgsError("ProxyProtocolIngress 'edge'", validate_proxy_protocol_ingress_args(args)))


def test_the_seed_args_are_valid() -> None:
    assert messages(IN_CLUSTER_ARGS) == []
    assert messages(EXTERNAL_ARGS) == []


def test_bad_in_cluster_args_all_reported() -> None:
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
    assert messages(bad) == [
        "color is not a known key: the known keys are authorization_policy, autoscaling, gateway, "
        "haproxy_source_cidrs, health_check, image, istio_version, load_balancer_ip, maxconn, metallb, "
        "monitoring_namespace, namespace, node_addresses, node_selector, placement, ports, replicas, "
        "service_monitor, service_monitor_labels, tolerations, workload",
        "istio_version: '1.16' is not allowed: Istio 1.17 or later: older gateways cannot insert the "
        "proxy_protocol listener filter first (LISTENER_FILTER patches need 1.17)",
        "ports[0].node_port: 30443 conflicts with placement: a NodePort is for an external HAProxy, and "
        "placement 'in-cluster' (the default) connects to the gateway pods directly",
        "node_addresses: ['10.0.0.1'] conflicts with placement: it lists the nodes an external HAProxy "
        "forwards to, and placement 'in-cluster' (the default) forwards to the gateway pods",
        "metallb.speed is not a known key: the known keys are addresses, bgp, install, interfaces, mode, "
        "namespace, node_selectors",
        f"metallb.addresses[2]: '192.168.50.1/24' is not allowed: {POOL_BLOCK}",
        f"metallb.addresses[3]: 'x' is not allowed: {POOL_BLOCK}",
        "metallb.addresses[1]: '192.168.50.8-192.168.50.20' is not allowed: a block that does not overlap "
        "metallb.addresses[0]",
        # load_balancer_ip is outside the pool too, but the pool is wrong: not judged against it.
        "replicas: 1 is not allowed: an integer from 2 to 50: one pod is a single point of failure and "
        "blocks node drains",
        "haproxy_source_cidrs is required: the HAProxy pod CIDRs, the only peers the authorization policy "
        "lets reach the gateway ports",
    ]


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
        "ports[2].node_port is required: the NodePort the external HAProxy connects to",
        "ports[2].port: '443' is not allowed: an integer port from 1 to 65535",
        "ports[1].node_port: 30080 is not allowed: a NodePort listed once; it repeats ports[0].node_port",
        "metallb: {'addresses': ['192.0.2.0/28']} conflicts with placement: it configures the in-cluster "
        "HAProxy, and placement 'external' runs HAProxy outside the cluster",
        "node_addresses[0]: 'node-1' is not allowed: a node IP address",
        "haproxy_source_cidrs: ['0.0.0.0/0'] is not allowed: HAProxy source networks that leave some "
        "addresses out: the gateway would believe the PROXY header of any client",
    ]


def test_generator_rules_reported_at_arg_keys() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args["ports"] += [
        {"name": "https", "port": 80, "target_port": 9443},
        {"name": "Metrics", "port": 8404, "target_port": 9090},
    ]
    args["health_check"] = {"fall": 0, "inter_ms": 50}
    args["maxconn"] = 0
    assert messages(args) == [
        "ports[3].name: 'Metrics' is not allowed: a port name: 1-15 characters of a-z, 0-9 and '-', "
        "starting with a letter and not ending with '-'",
        "ports[2].name: 'https' is not allowed: a port name listed once; it repeats ports[1].name",
        "ports[3].port: 8404 is not allowed: a port other than 8404: the stats port stays off the public side",
        "ports[2].port: 80 is not allowed: a port listed once; it repeats ports[0].port",
        "health_check.inter_ms: 50 is not allowed: an integer from 100 to 60000",
        "health_check.fall: 0 is not allowed: an integer from 1 to 20",
        "maxconn: 0 is not allowed: an integer from 1 to 1000000",
    ]


def test_missing_required_args() -> None:
    assert messages({}) == [
        "istio_version is required: the Istio version of the gateway, which decides how it is told to read "
        "the PROXY header",
        "ports is required: the public ports and the gateway ports each one forwards to",
        "metallb is required: the MetalLB pool the HAProxy Service's fixed IP comes from",
        "load_balancer_ip is required: the fixed IP of the HAProxy Service, from the MetalLB pool",
    ]
    assert messages(
        {
            "istio_version": "1.24",
            "placement": "outside",
            "ports": [{"name": "x", "port": 1, "target_port": 1}],
        }
    ) == ["placement: 'outside' is not allowed: one of 'in-cluster', 'external'"]
    assert messages(
        {
            "istio_version": "1.24",
            "placement": "external",
            "ports": [{"name": "x", "port": 1, "target_port": 1, "node_port": 30001}],
            "authorization_policy": True,
        }
    ) == [
        "node_addresses is required: the node IPs the external HAProxy forwards to",
        "haproxy_source_cidrs is required: the addresses the external HAProxy connects from, the only ones "
        "the gateway admits",
    ]
    assert messages({**IN_CLUSTER_ARGS, "ports": [{"port": 443}], "metallb": {}}) == [
        "ports[0].name is required: the port's name, which names HAProxy's frontend and the Service port",
        "ports[0].target_port is required: the gateway pods' port HAProxy forwards to",
        "metallb.addresses is required: the pool: the addresses MetalLB may give the HAProxy Service",
    ]


def test_a_misspelled_key_suggests_the_right_one_and_nothing_it_caused() -> None:
    args = copy.deepcopy(IN_CLUSTER_ARGS)
    args["load_balancer_ipp"] = args.pop("load_balancer_ip")
    args["metallb"]["adresses"] = args["metallb"].pop("addresses")
    args["ports"][0]["targetPort"] = args["ports"][0].pop("target_port")
    args["health_check"] = {"fal": 2}
    assert reported(args) == "\n".join(
        [
            "ProxyProtocolIngress 'edge': 4 problems:",
            "  1. load_balancer_ipp is not a known key: did you mean load_balancer_ip?",
            "  2. ports[0].targetPort is not a known key: did you mean target_port?",
            "  3. metallb.adresses is not a known key: did you mean addresses?",
            "  4. health_check.fal is not a known key: did you mean fall?",
        ]
    )


def test_a_misspelled_placement_is_not_replaced_by_the_default() -> None:
    args = copy.deepcopy(EXTERNAL_ARGS)
    args["placment"] = args.pop("placement")
    # With the default (in-cluster) the external keys would conflict and metallb be missing.
    assert reported(args) == "\n".join(
        [
            "ProxyProtocolIngress 'edge': 1 problem:",
            "  1. placment is not a known key: did you mean placement?",
        ]
    )


@pytest.mark.parametrize(
    "pool",
    [
        ["0.0.0.0/0"],
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["0.0.0.0-127.255.255.255", "128.0.0.0/1"],
        ["0.0.0.0-255.255.255.255"],
        ["::/1", "8000::/1"],
    ],
)
def test_a_pool_of_every_address_is_refused_however_it_is_spelt(pool: list[str]) -> None:
    args = {**IN_CLUSTER_ARGS, "metallb": {"addresses": pool}, "load_balancer_ip": "192.0.2.1"}
    assert messages(args) == [
        f"metallb.addresses: {pool!r} is not allowed: blocks that leave some addresses out: MetalLB would "
        "answer ARP for every address and take over the network segment"
    ]


def test_a_large_pool_that_leaves_addresses_out_is_fine() -> None:
    args = {
        **IN_CLUSTER_ARGS,
        "metallb": {"addresses": ["0.0.0.0/1", "128.0.0.0/2"]},
        "load_balancer_ip": "1.2.3.4",
    }
    assert messages(args) == []


def test_the_load_balancer_ip_must_be_in_the_pool() -> None:
    assert messages({**IN_CLUSTER_ARGS, "load_balancer_ip": "192.168.50.249"}) == [
        "load_balancer_ip: '192.168.50.249' is not allowed: an address of the MetalLB pool "
        "(192.168.50.240/29, 192.168.50.250-192.168.50.252)"
    ]
    assert messages({**IN_CLUSTER_ARGS, "load_balancer_ip": "192.168.50.251"}) == []
    assert messages({**IN_CLUSTER_ARGS, "load_balancer_ip": "vip"}) == [
        "load_balancer_ip: 'vip' is not allowed: an IP address from metallb.addresses"
    ]


def test_source_cidrs_are_judged_by_their_union() -> None:
    args = {**EXTERNAL_ARGS, "haproxy_source_cidrs": ["0.0.0.0/1", "128.0.0.0/1"]}
    assert messages(args) == [
        "haproxy_source_cidrs: ['0.0.0.0/1', '128.0.0.0/1'] is not allowed: HAProxy source networks that "
        "leave some addresses out: the gateway would believe the PROXY header of any client"
    ]
    assert messages({**EXTERNAL_ARGS, "haproxy_source_cidrs": ["10.20.1.5", "10.20.1.0/24"]}) == []
    assert messages({**EXTERNAL_ARGS, "haproxy_source_cidrs": ["10.20.1.5/24"]}) == [
        "haproxy_source_cidrs[0]: '10.20.1.5/24' is not allowed: a network in CIDR form with no host bits "
        "set, like '10.0.0.0/16'"
    ]


def test_node_addresses_are_distinct_ips() -> None:
    args = {**EXTERNAL_ARGS, "node_addresses": ["10.20.0.11", "10.20.0.11"]}
    assert messages(args) == [
        "node_addresses[1]: '10.20.0.11' is not allowed: an item listed once; it repeats node_addresses[0]"
    ]
    assert messages({**EXTERNAL_ARGS, "node_addresses": []}) == [
        "node_addresses: [] is not allowed: a list of at least one node IP address"
    ]


def test_in_cluster_haproxy_and_gateway_keys() -> None:
    args = {
        **IN_CLUSTER_ARGS,
        "namespace": "Edge",
        "image": "haproxy",
        "authorization_policy": "yes",
        "gateway": {"namespace": "istio_system", "selector": {}, "name": "gw"},
        "health_check": [],
    }
    assert messages(args) == [
        "namespace: 'Edge' is not allowed: a DNS-1123 label: lower-case letters, digits and '-', at most 63 "
        "characters",
        "image: 'haproxy' is not allowed: a container image pinned by tag or digest (not 'latest'), like "
        "'docker.io/library/haproxy:2.6'",
        "authorization_policy: 'yes' is not allowed: true or false",
        "gateway.name is not a known key: the known keys are deployment, namespace, selector",
        "gateway.namespace: 'istio_system' is not allowed: a DNS-1123 label: lower-case letters, digits and "
        "'-', at most 63 characters",
        "gateway.selector: {} is not allowed: a map of label keys to label values with at least 1 label",
        "health_check: [] is not allowed: a mapping with inter_ms, fall and rise",
    ]


def test_an_invalid_top_level_value_reports_nothing_derived_from_it() -> None:
    assert messages({**IN_CLUSTER_ARGS, "ports": "443"}) == [
        "ports: '443' is not allowed: a list of at least one port: a mapping with name, port and target_port"
    ]
    assert messages({**IN_CLUSTER_ARGS, "metallb": ["192.0.2.0/28"]}) == [
        "metallb: ['192.0.2.0/28'] is not allowed: a mapping with addresses, install and namespace"
    ]
    assert messages({**IN_CLUSTER_ARGS, "ports": [{"name": "http", "port": 0, "target_port": 8080}] * 2}) == [
        "ports[1].name: 'http' is not allowed: a port name listed once; it repeats ports[0].name",
        "ports[0].port: 0 is not allowed: an integer port from 1 to 65535",
        "ports[1].port: 0 is not allowed: an integer port from 1 to 65535",
    ]


# Anything a stack file can hold, at any key: the validator reports, it never raises.
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.text("ab-1.:/", max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "port", "x"]), inner)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(
        sorted(
            IN_CLUSTER_ARGS.keys()
            | EXTERNAL_ARGS.keys()
            | {"gateway", "maxconn", "image", "service_monitor", "service_monitor_labels"}
        )
    ),
    value=_VALUES,
    external=st.booleans(),
)
def test_any_value_at_any_key_is_reported_never_raised(key: str, value: object, external: bool) -> None:
    args = {**(EXTERNAL_ARGS if external else IN_CLUSTER_ARGS), key: value}
    assert all(isinstance(m, str) for m in messages(args))


def _mostly(valid: list[Any], invalid: list[Any]) -> st.SearchStrategy[Any]:
    """Valid values three times as likely (and first: hypothesis shrinks towards them)."""
    return st.sampled_from(valid * 3 + invalid)


@settings(max_examples=300, deadline=None)
@given(
    ports=st.lists(
        st.fixed_dictionaries(
            {
                "name": _mostly(["http", "https", "a", "tls-1"], ["Web", "x-", "sixteen-chars-xx"]),
                "port": _mostly([80, 443, 1, 65535], [8404, 0, 65536]),
                "target_port": _mostly([8080, 8443, 1, 65535], [0, 65536]),
                "node_port": _mostly([30080, 30443, 30000, 32767], [29999, 32768]),
            }
        ),
        min_size=1,
        max_size=3,
    ),
    health=st.fixed_dictionaries(
        {},
        optional={
            "inter_ms": _mostly([2000, 100, 60000], [99, 60001]),
            "fall": _mostly([3, 1, 20], [0, 21]),
            "rise": _mostly([2, 1, 20], [0, 21]),
        },
    ),
    maxconn=_mostly([20000, 1, 1_000_000], [0, 1_000_001]),
    external=st.booleans(),
)
def test_args_the_validator_accepts_always_render(
    ports: list[dict[str, Any]], health: dict[str, int], maxconn: int, external: bool
) -> None:
    """The haproxy.cfg generator's rules are all applied to the args: nothing they accept fails to render."""
    base = EXTERNAL_ARGS if external else IN_CLUSTER_ARGS
    if not external:
        ports = [{k: v for k, v in p.items() if k != "node_port"} for p in ports]
    args = {**base, "ports": ports, "health_check": health, "maxconn": maxconn}
    if validate_proxy_protocol_ingress_args(args) == []:
        assert render_haproxy_cfg(plan_proxy_protocol_ingress("edge", args).haproxy)
