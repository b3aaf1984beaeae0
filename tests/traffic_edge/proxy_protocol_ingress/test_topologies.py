"""Issue #14 item 3: where MetalLB announces the IP (L2 nodes and interfaces, or BGP peers with
FRR-K8s) and how HAProxy runs (a Deployment with an HPA, or a DaemonSet on the edge nodes); every
object, its schema, the chart values, the messages word for word, and that the metrics Service,
the PDB, the NetworkPolicy and Traefik's trust select the pods of every topology."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.traffic_edge.proxy_protocol_ingress.seeds import IN_CLUSTER_ARGS
from tests.traffic_edge.proxy_protocol_ingress.test_component import KUBE, by_kind, objects, plan
from traffic_edge._shared.problems import ArgsError
from traffic_edge._shared.versions import SUPPORTED_MIN
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.proxy_protocol_ingress import facts, manifests
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import render_haproxy_cfg
from traffic_edge.proxy_protocol_ingress.plan import IngressPlan, plan_proxy_protocol_ingress
from traffic_edge.proxy_protocol_ingress.validate import validate_proxy_protocol_ingress_args

EDGE = {"node-role.kubernetes.io/edge": "true"}
EDGE_TAINT = {"key": "node-role.kubernetes.io/edge", "operator": "Exists", "effect": "NoSchedule"}
MLB = IN_CLUSTER_ARGS["metallb"]
PEERS = [
    {"name": "tor-a", "address": "192.168.50.1", "asn": 64512, "password_secret": "bgp-tor-a"},
    {"name": "tor-b", "address": "192.168.50.2", "asn": 64513, "port": 1179, "ebgp_multihop": True},
]
BGP: dict[str, Any] = {
    **IN_CLUSTER_ARGS,
    "metallb": {**MLB, "mode": "bgp", "node_selectors": [EDGE], "bgp": {"my_asn": 64600, "peers": PEERS}},
    "workload": "daemonset",
    "node_selector": {**EDGE, "kubernetes.io/os": "linux"},
    "tolerations": [EDGE_TAINT],
    "service_monitor": True,
    "service_monitor_labels": {"release": "kube-prometheus-stack"},
}
L2_EDGE: dict[str, Any] = {
    **IN_CLUSTER_ARGS,
    "metallb": {**MLB, "node_selectors": [EDGE], "interfaces": ["eth1"]},
    "node_selector": EDGE,
    "tolerations": [EDGE_TAINT],
}
HPA: dict[str, Any] = {**IN_CLUSTER_ARGS, "replicas": 3, "autoscaling": {"max_replicas": 8}}
TOPOLOGIES = {"bgp-daemonset": BGP, "l2-edge-deployment": L2_EDGE, "l2-hpa": HPA}


def ingress(args: dict[str, Any]) -> IngressPlan:
    return plan_proxy_protocol_ingress("edge", args)


def built(args: dict[str, Any]) -> list[dict[str, Any]]:
    p = ingress(args)
    return [*manifests.metallb_manifests(p), *manifests.haproxy_manifests(p, render_haproxy_cfg(p.haproxy))]


def kinds(args: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["kind"]: m for m in built(args)}


def messages(args: dict[str, Any]) -> list[str]:
    return [p.render() for p in validate_proxy_protocol_ingress_args(args)]


@pytest.mark.parametrize("args", TOPOLOGIES.values(), ids=TOPOLOGIES.keys())
def test_every_topology_is_valid_and_its_built_in_objects_pass_the_strict_schema(
    args: dict[str, Any],
) -> None:
    assert messages(args) == []
    for m in built(args):
        if m["apiVersion"].startswith("metallb.io/"):
            continue  # custom kinds: their CRD fields are pinned below
        assert validate_manifest(m, KUBE) == [], m["kind"]


# --- MetalLB ------------------------------------------------------------------------------


def test_l2_is_announced_only_from_the_edge_nodes_and_their_interface() -> None:
    pool, adv = manifests.metallb_manifests(ingress(L2_EDGE))
    assert pool["kind"] == "IPAddressPool"
    assert adv == {
        "apiVersion": "metallb.io/v1beta1",
        "kind": "L2Advertisement",
        "metadata": {
            "name": "edge-l2",
            "namespace": "metallb-system",
            "labels": {"app.kubernetes.io/managed-by": "traffic-edge"},
        },
        "spec": {
            "ipAddressPools": ["edge-pool"],
            "nodeSelectors": [{"matchLabels": EDGE}],
            "interfaces": ["eth1"],
        },
    }
    # Unchanged without them: every node, every interface.
    assert manifests.metallb_manifests(ingress(IN_CLUSTER_ARGS))[1]["spec"] == {
        "ipAddressPools": ["edge-pool"]
    }


def test_bgp_peers_by_secret_reference_and_an_advertisement_to_exactly_them() -> None:
    pool, tor_a, tor_b, adv = manifests.metallb_manifests(ingress(BGP))
    assert pool["spec"]["autoAssign"] is False
    assert (tor_a["apiVersion"], tor_a["kind"], tor_a["metadata"]["name"]) == (
        "metallb.io/v1beta2",
        "BGPPeer",
        "edge-tor-a",
    )
    assert tor_a["spec"] == {
        "myASN": 64600,
        "peerASN": 64512,
        "peerAddress": "192.168.50.1",
        "peerPort": 179,
        "passwordSecret": {"name": "bgp-tor-a", "namespace": "metallb-system"},
    }
    assert tor_b["spec"] == {
        "myASN": 64600,
        "peerASN": 64513,
        "peerAddress": "192.168.50.2",
        "peerPort": 1179,
        "ebgpMultiHop": True,
    }
    assert adv["kind"] == "BGPAdvertisement"
    assert adv["spec"] == {
        "ipAddressPools": ["edge-pool"],
        "peers": ["edge-tor-a", "edge-tor-b"],
        "nodeSelectors": [{"matchLabels": EDGE}],
    }


def test_frr_k8s_only_for_bgp_and_the_speaker_tolerates_the_edge_taint() -> None:
    assert manifests.metallb_chart_values(ingress(IN_CLUSTER_ARGS)) == {"frrk8s": {"enabled": False}}
    assert manifests.metallb_chart_values(ingress(L2_EDGE)) == {
        "frrk8s": {"enabled": False},
        "speaker": {"tolerations": [EDGE_TAINT]},
    }
    assert manifests.metallb_chart_values(ingress(BGP)) == {
        "frrk8s": {"enabled": True},
        "speaker": {"tolerations": [EDGE_TAINT]},
        "frr-k8s": {"frrk8s": {"tolerations": [EDGE_TAINT]}},
    }
    # The facts are never mutated by a plan's values.
    assert facts.METALLB_VALUES == {"frrk8s": {"enabled": False}}
    assert facts.METALLB_BGP_VALUES == {"frrk8s": {"enabled": True}}


def test_the_component_registers_peers_under_stable_names_after_the_release_with_bgp_values() -> None:
    rec = plan(BGP)
    release = rec.get("kubernetes:helm.sh/v3:Release", "edge-metallb")
    assert release.inputs["values"]["frrk8s"] == {"enabled": True}
    names = sorted(r.name for r in rec.resources if r.type.startswith("kubernetes:metallb.io/"))
    assert names == [
        "edge-bgpadvertisement",
        "edge-bgppeer-tor-a",
        "edge-bgppeer-tor-b",
        "edge-ipaddresspool",
    ]
    for r in rec.resources:
        if r.type.startswith("kubernetes:metallb.io/"):
            assert release.urn in r.depends_on, r.name
    assert not by_kind(rec, "L2Advertisement")


def test_no_password_reaches_the_plan_and_a_password_value_is_refused_unshown() -> None:
    rec = plan(BGP)
    text = json.dumps([r.inputs for r in rec.resources], default=str)
    assert '"password"' not in text and "passwordSecret" in text
    bad = json.loads(json.dumps(BGP))
    bad["metallb"]["bgp"]["peers"][0]["password"] = "hunter2"
    assert messages(bad) == [
        "metallb.bgp.peers[0].password: [secret] is not allowed: no password value here: a Secret of type "
        "kubernetes.io/basic-auth with the key password in MetalLB's namespace, named in password_secret: "
        "a password never sits in the args"
    ]
    with pytest.raises(ArgsError) as err:
        plan(bad)
    assert "hunter2" not in str(err.value)


def test_bad_metallb_announcement_args_all_reported() -> None:
    bad = {
        **IN_CLUSTER_ARGS,
        "metallb": {
            **MLB,
            "mode": "bgp",
            "interfaces": ["eth0"],
            "node_selectors": [{"edge": "true"}, {}],
            "bgp": {
                "my_asn": 0,
                "peers": [
                    {"name": "Tor1", "address": "10.0.0.1", "asn": 64512, "port": 20000},
                    {"name": "tor2", "address": "10.0.0.1", "asn": 65000, "ebgp_multihop": "yes"},
                    {"name": "tor3", "address": "nope", "asn": 4294967296, "hold": 3},
                    {"address": "10.0.0.3"},
                ],
            },
        },
        "node_selector": {"edge": "true"},
    }
    assert messages(bad) == [
        "metallb.node_selectors[1]: {} is not allowed: a map of label keys to label values with at least 1 label",
        "metallb.interfaces: ['eth0'] conflicts with metallb.mode: interfaces pick where L2 answers ARP/NDP, "
        "and BGP announces routes to its peers",
        "metallb.bgp.my_asn: 0 is not allowed: an AS number from 1 to 4294967295",
        "metallb.bgp.peers[0].name: 'Tor1' is not allowed: a DNS-1123 label: lower-case letters, digits and "
        "'-', at most 63 characters",
        "metallb.bgp.peers[0].port: 20000 is not allowed: an integer from 1 to 16384",
        "metallb.bgp.peers[1].ebgp_multihop: 'yes' is not allowed: true or false",
        "metallb.bgp.peers[2].hold is not a known key: the known keys are address, asn, ebgp_multihop, name, "
        "password_secret, port",
        "metallb.bgp.peers[2].address: 'nope' is not allowed: an IP address of the router",
        "metallb.bgp.peers[2].asn: 4294967296 is not allowed: an AS number from 1 to 4294967295",
        "metallb.bgp.peers[3].name is required: the peer's name, which names its BGPPeer object",
        "metallb.bgp.peers[3].asn is required: the router's AS number",
        "metallb.bgp.peers[1].address: '10.0.0.1' is not allowed: a peer address listed once; it repeats "
        "metallb.bgp.peers[0].address",
    ]


def test_the_mode_decides_which_keys_belong() -> None:
    assert messages({**IN_CLUSTER_ARGS, "metallb": {**MLB, "mode": "bgp"}}) == [
        "metallb.bgp is required: the local AS number and the BGP routers MetalLB announces the IP to"
    ]
    assert messages({**IN_CLUSTER_ARGS, "metallb": {**MLB, "bgp": {"my_asn": 1, "peers": []}}}) == [
        "metallb.bgp: {'my_asn': 1, 'peers': []} conflicts with metallb.mode: the BGP peers are for mode "
        "'bgp', and mode 'l2' (the default) announces with ARP/NDP"
    ]
    assert messages({**IN_CLUSTER_ARGS, "metallb": {**MLB, "mode": "ospf"}}) == [
        "metallb.mode: 'ospf' is not allowed: one of 'l2', 'bgp'"
    ]
    assert messages({**IN_CLUSTER_ARGS, "metallb": {**MLB, "interfaces": ["a/b", "eth0", "x" * 16]}}) == [
        "metallb.interfaces[0]: 'a/b' is not allowed: a network interface name: 1 to 15 characters, no '/', "
        "':' or whitespace",
        "metallb.interfaces[2]: 'xxxxxxxxxxxxxxxx' is not allowed: a network interface name: 1 to 15 "
        "characters, no '/', ':' or whitespace",
    ]
    assert messages({**IN_CLUSTER_ARGS, "metallb": {**MLB, "interfaces": ["eth1", "eth1"]}}) == [
        "metallb.interfaces[1]: 'eth1' is not allowed: an item listed once; it repeats metallb.interfaces[0]"
    ]


def test_an_ibgp_peer_cannot_be_multihop() -> None:
    ibgp = {
        "my_asn": 64512,
        "peers": [{"name": "a", "address": "10.0.0.1", "asn": 64512, "ebgp_multihop": True}],
    }
    assert messages({**IN_CLUSTER_ARGS, "metallb": {**MLB, "mode": "bgp", "bgp": ibgp}}) == [
        "metallb.bgp.peers[0].ebgp_multihop: True conflicts with metallb.bgp.peers[0].asn: asn 64512 equals "
        "metallb.bgp.my_asn, so the peer is iBGP, which MetalLB refuses multihop for"
    ]


def test_haproxy_must_run_where_the_ip_may_be_announced() -> None:
    announcing = {**MLB, "node_selectors": [{"edge": "true"}, {"rack": "r1", "edge": "true"}]}
    assert messages({**IN_CLUSTER_ARGS, "metallb": announcing}) == [
        "node_selector is required: the HAProxy nodes, inside one of metallb.node_selectors: with "
        "externalTrafficPolicy Local only a node with a ready HAProxy pod announces the IP"
    ]
    assert messages({**IN_CLUSTER_ARGS, "metallb": announcing, "node_selector": {"rack": "r1"}}) == [
        "node_selector: {'rack': 'r1'} conflicts with metallb.node_selectors: HAProxy may then run on nodes "
        "that never announce the IP, and with externalTrafficPolicy Local only a node with a ready HAProxy "
        "pod announces the IP; include one selector's labels"
    ]
    # A narrower HAProxy selector (more labels) is inside an announcing one.
    narrower = {"rack": "r2", "edge": "true"}
    assert messages({**IN_CLUSTER_ARGS, "metallb": announcing, "node_selector": narrower}) == []


# --- HAProxy workload ---------------------------------------------------------------------


def test_the_daemonset_runs_on_the_edge_nodes_and_surges_per_node() -> None:
    objs = kinds(BGP)
    assert "Deployment" not in objs and "HorizontalPodAutoscaler" not in objs
    ds = objs["DaemonSet"]
    assert ds["metadata"]["name"] == "edge-haproxy"
    assert "replicas" not in ds["spec"]
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    pod = ds["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"node-role.kubernetes.io/edge": "true", "kubernetes.io/os": "linux"}
    assert pod["tolerations"] == [EDGE_TAINT]
    assert "affinity" not in pod  # one pod per node by construction
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert objs["PodDisruptionBudget"]["spec"] == {
        "minAvailable": 1,
        "selector": {"matchLabels": ds["spec"]["selector"]["matchLabels"]},
    }
    # Surge on a DaemonSet is GA on every Kubernetes the library supports.
    assert SUPPORTED_MIN >= facts.DAEMONSET_SURGE


def test_the_hpa_owns_the_count_from_replicas_up_and_scales_down_one_pod_at_a_time() -> None:
    objs = kinds(HPA)
    dep, hpa = objs["Deployment"], objs["HorizontalPodAutoscaler"]
    assert "replicas" not in dep["spec"]
    assert objs["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    assert hpa["apiVersion"] == "autoscaling/v2"
    spec = hpa["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "edge-haproxy"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 8)
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
        }
    ]
    assert spec["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 300,
        "selectPolicy": "Min",
        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 120}],
    }
    assert spec["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 0
    # The container has a CPU request for the utilization to be measured against.
    (c,) = dep["spec"]["template"]["spec"]["containers"]
    assert c["resources"]["requests"]["cpu"] == "100m"
    # Without autoscaling the Deployment keeps its count.
    assert kinds(IN_CLUSTER_ARGS)["Deployment"]["spec"]["replicas"] == 2


def test_autoscaling_in_l2_warns_that_only_the_announcing_node_gets_traffic() -> None:
    assert ingress(HPA).warnings == [
        "autoscaling with metallb mode 'l2': every connection enters through the one node that announces "
        "the IP, and externalTrafficPolicy Local hands it only to the HAProxy pods on that node, so added "
        "pods carry traffic only if they land there; mode 'bgp' spreads connections over every node with a "
        "ready HAProxy pod"
    ]
    bgp_hpa = {**BGP, "workload": "deployment", "autoscaling": {"max_replicas": 6}}
    assert ingress(bgp_hpa).warnings == []


def test_bad_workload_args_all_reported() -> None:
    assert messages(
        {**IN_CLUSTER_ARGS, "workload": "daemonset", "replicas": 3, "autoscaling": {"max_replicas": 4}}
    ) == [
        "replicas: 3 conflicts with workload: a DaemonSet runs one HAProxy pod on every node node_selector selects",
        "autoscaling: {'max_replicas': 4} conflicts with workload: a DaemonSet runs one HAProxy pod on every "
        "node node_selector selects",
        "node_selector is required: the labels of the edge nodes the HAProxy DaemonSet runs on; without them "
        "it runs on every node",
    ]
    assert messages({**IN_CLUSTER_ARGS, "workload": "statefulset"}) == [
        "workload: 'statefulset' is not allowed: one of 'deployment', 'daemonset'"
    ]
    hpa = {"max_replicas": 2, "target_cpu_percent": 5, "min": 1}
    assert messages({**IN_CLUSTER_ARGS, "replicas": 3, "autoscaling": hpa}) == [
        "autoscaling.min is not a known key: the known keys are max_replicas, target_cpu_percent",
        "autoscaling.max_replicas: 2 is not allowed: an integer from replicas (3) to 50: the "
        "HorizontalPodAutoscaler scales between replicas and max_replicas",
        "autoscaling.target_cpu_percent: 5 is not allowed: an integer from 10 to 100",
    ]
    assert messages({**IN_CLUSTER_ARGS, "autoscaling": {"max_replicas": 1}}) == [
        "autoscaling.max_replicas: 1 is not allowed: an integer from replicas (2, the default) to 50: the "
        "HorizontalPodAutoscaler scales between replicas and max_replicas"
    ]
    assert messages({**IN_CLUSTER_ARGS, "autoscaling": {}}) == [
        "autoscaling.max_replicas is required: the most HAProxy pods the HorizontalPodAutoscaler may run"
    ]


def test_bad_tolerations_all_reported() -> None:
    tolerations = [
        {"operator": "Exists", "value": "x"},
        {"effect": "NoSchedul", "value": "a b"},
        {"key": "edge", "operator": "In"},
        "x",
    ]
    assert messages({**IN_CLUSTER_ARGS, "tolerations": tolerations}) == [
        "tolerations[0].value: 'x' conflicts with tolerations[0].operator: Exists matches any value",
        "tolerations[1].effect: 'NoSchedul' is not allowed: one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute'",
        "tolerations[1].value: 'a b' is not allowed: a taint value: at most 63 letters, digits, '-', '_' or "
        "'.', starting and ending alphanumeric",
        "tolerations[1].key is required: the taint's key: only operator Exists (every taint) may leave it out",
        "tolerations[2].operator: 'In' is not allowed: one of 'Equal', 'Exists'",
        "tolerations[3]: 'x' is not allowed: a toleration: a map of key, operator, value, effect and toleration_seconds",
    ]


def test_an_external_haproxy_refuses_the_in_cluster_topology_keys() -> None:
    from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS

    ext = {**EXTERNAL_ARGS, "workload": "daemonset", "node_selector": EDGE}
    why = "it configures the in-cluster HAProxy, and placement 'external' runs HAProxy outside the cluster"
    assert messages(ext) == [
        f"workload: 'daemonset' conflicts with placement: {why}",
        f"node_selector: {{'node-role.kubernetes.io/edge': 'true'}} conflicts with placement: {why}",
    ]


# --- every topology's pods are selected by what must select them ----------------------------


@pytest.mark.parametrize("args", TOPOLOGIES.values(), ids=TOPOLOGIES.keys())
def test_metrics_service_pdb_policy_and_traefik_trust_select_every_topologys_pods(
    args: dict[str, Any],
) -> None:
    monitored = {**args, "service_monitor": True, "service_monitor_labels": {}}
    objs = built(monitored)
    (workload,) = [m for m in objs if m["kind"] in ("Deployment", "DaemonSet")]
    pod_labels = workload["spec"]["template"]["metadata"]["labels"]
    (metrics,) = [m for m in objs if m["metadata"]["name"] == "edge-haproxy-metrics"]
    (monitor,) = [m for m in objs if m["kind"] == "ServiceMonitor"]
    (lb,) = [m for m in objs if m["kind"] == "Service" and m["spec"].get("type") == "LoadBalancer"]

    def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
        return selector.items() <= labels.items()

    assert selects(metrics["spec"]["selector"], pod_labels)
    assert selects(monitor["spec"]["selector"]["matchLabels"], metrics["metadata"]["labels"])
    assert monitor["spec"]["endpoints"][0]["port"] == metrics["spec"]["ports"][0]["name"]
    assert selects(lb["spec"]["selector"], pod_labels)
    for kind in ("PodDisruptionBudget", "NetworkPolicy"):
        (m,) = [o for o in objs if o["kind"] == kind and o["metadata"]["namespace"] == "haproxy-edge"]
        key = "podSelector" if kind == "NetworkPolicy" else "selector"
        assert selects(m["spec"][key]["matchLabels"], pod_labels), kind
    trust = ingress(args).traefik_trust["trusted_pods"]
    assert selects(trust["match_labels"], pod_labels)
    # the stats port the ServiceMonitor scrapes is a container port of these pods
    (c,) = workload["spec"]["template"]["spec"]["containers"]
    assert {"name": "stats", "containerPort": 8404, "protocol": "TCP"} in c["ports"]


def test_the_component_registers_a_daemonset_or_an_hpa_as_children_with_fixed_names() -> None:
    rec = plan(BGP)
    assert rec.get("kubernetes:apps/v1:DaemonSet", "edge-haproxy-daemonset") is not None
    assert not rec.by_type("kubernetes:apps/v1:Deployment")
    rec = plan(HPA)
    hpa = rec.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "edge-haproxy-horizontalpodautoscaler")
    assert hpa.inputs["spec"]["minReplicas"] == 3
    assert rec.warnings and "autoscaling with metallb mode 'l2'" in rec.warnings[0]
    for m in objects(rec):
        if not m["apiVersion"].startswith("metallb.io/"):
            assert validate_manifest(m, KUBE) == [], m["kind"]


# --- anything a stack file can hold at the new keys: reported, never raised; accepted, builds ---

_KEYS = [
    "name",
    "address",
    "asn",
    "port",
    "my_asn",
    "peers",
    "key",
    "operator",
    "value",
    "effect",
    "edge",
    "x",
]
_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 2**33)
    | st.sampled_from(["bgp", "l2", "daemonset", "Exists", "NoSchedule", "10.0.0.1", "eth1", "tor"])
    | st.text("ab-1.:/", max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=8,
)
_TOP = ["workload", "autoscaling", "node_selector", "tolerations", "replicas"]
_METALLB = ["mode", "node_selectors", "interfaces", "bgp"]


@settings(max_examples=400, deadline=None)
@given(
    top=st.dictionaries(st.sampled_from(_TOP), _VALUES, max_size=3),
    mlb=st.dictionaries(st.sampled_from(_METALLB), _VALUES, max_size=3),
    peer=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=4),
    base=st.sampled_from([IN_CLUSTER_ARGS, BGP, L2_EDGE, HPA]),
)
def test_any_topology_value_is_reported_never_raised_and_accepted_args_build(
    top: dict[str, Any], mlb: dict[str, Any], peer: dict[str, Any], base: dict[str, Any]
) -> None:
    metallb = {**base["metallb"], **mlb}
    if isinstance(metallb.get("bgp"), dict) and isinstance(metallb["bgp"].get("peers"), list):
        metallb["bgp"] = {**metallb["bgp"], "peers": [*metallb["bgp"]["peers"], peer]}
    args = {**base, **top, "metallb": metallb}
    found = messages(args)
    assert all(isinstance(m, str) for m in found)
    if not found:
        for m in built(args):
            assert m["metadata"]["name"]
        manifests.metallb_chart_values(ingress(args))
