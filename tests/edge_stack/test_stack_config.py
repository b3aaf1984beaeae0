"""Stack config: every bad value is reported at once, with its key, the value and what is allowed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from edge_stack.config import decode, load
from tests.support.stacks import REPO, plan_process, run_stack
from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.engine import run

CLUSTERS = {"eks": {"context": "eks-ctx", "kubernetesVersion": "1.33"}}


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ArgsError) as err:
        load("t", config)
    return [p.render("config") for p in err.value.problems]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"clusterz": {}},
            "traffic-edge:clusterz is not a known key: did you mean traffic-edge:clusters?",
        ),
        (
            {"clusters": ["eks"]},
            "traffic-edge:clusters: ['eks'] is not allowed: a map of cluster names to {context, kubernetesVersion}",
        ),
        (
            {"clusters": {"EKS_1": {"context": "c", "kubernetesVersion": "1.33"}}},
            "traffic-edge:clusters.EKS_1: 'EKS_1' is not allowed: a cluster name: lower-case letters, digits and '-', at most 63 characters",
        ),
        (
            {"clusters": {"eks": {"kubernetesVersion": "1.33"}}},
            "traffic-edge:clusters.eks.context is required: a string",
        ),
        (
            {"clusters": {"eks": {"context": "c"}}},
            "traffic-edge:clusters.eks.kubernetesVersion is required: a string",
        ),
        (
            {"clusters": {"eks": {"context": "c", "kubernetesVersion": 1.3}}},
            "traffic-edge:clusters.eks.kubernetesVersion: 1.3 is not allowed: a string: quote it in YAML, '1.3' (or '1.30' if you wrote 1.30)",
        ),
        (
            {"clusters": {"eks": {"context": "c", "kubernetesVersion": "1.21"}}},
            "traffic-edge:clusters.eks.kubernetesVersion: '1.21' is not allowed: a Kubernetes version from 1.25 to 1.37, like '1.33'",
        ),
        (
            {"clusters": {"eks": {"context": "c", "kubernetesVersion": "latest"}}},
            "traffic-edge:clusters.eks.kubernetesVersion: 'latest' is not allowed: a Kubernetes version from 1.25 to 1.37, like '1.33'",
        ),
        (
            {"clusters": {"eks": {"context": "c", "kubernetesVersion": "1.33", "kubeContext": "x"}}},
            "traffic-edge:clusters.eks.kubeContext is not a known key: the known keys are context, kubeconfig, "
            "kubernetesVersion, namespace",
        ),
        (
            {"clusters": {"eks": {"context": ["a"], "kubernetesVersion": "1.33"}}},
            "traffic-edge:clusters.eks.context: ['a'] is not allowed: a string",
        ),
        (
            {"aws": {"region": "seoul"}},
            "traffic-edge:aws.region: 'seoul' is not allowed: an AWS region code like 'ap-northeast-2' or 'us-east-1'",
        ),
        ({"aws": {}, "azure": {"location": "koreacentral"}, "clusters": CLUSTERS}, None),
        (
            {"aws": {"region": "us-east-1", "allowedAccountIds": ["12345"]}},
            "traffic-edge:aws.allowedAccountIds[0]: '12345' is not allowed: a 12-digit AWS account id",
        ),
        (
            {"aws": {"region": "us-east-1", "allowedAccountIds": "123456789012"}},
            "traffic-edge:aws.allowedAccountIds: '123456789012' is not allowed: a list of strings",
        ),
        (
            {"aws": {"regoin": "us-east-1"}},
            "traffic-edge:aws.regoin is not a known key: did you mean region?",
        ),
        (
            {"azure": {"location": "Korea Central"}},
            "traffic-edge:azure.location: 'Korea Central' is not allowed: an Azure region name like 'koreacentral'",
        ),
        (
            {"azure": {"location": "koreacentral", "subscriptionId": "my-sub"}},
            "traffic-edge:azure.subscriptionId: 'my-sub' is not allowed: a subscription id (a GUID)",
        ),
        (
            {"azure": {"subscriptionId": "00000000-0000-0000-0000-000000000000"}},
            "traffic-edge:azure.location is required: a string",
        ),
    ],
)
def test_bad_core_config_names_key_value_and_what_is_allowed(
    config: dict[str, Any], expected: str | None
) -> None:
    if expected is None:
        load("t", config)  # empty sections count as absent
        return
    found = problems(config)
    assert found == [expected]


def test_several_bad_values_are_all_listed_at_once() -> None:
    found = problems(
        {
            "clusters": {"eks": {"context": 3, "kubernetesVersion": "1.99"}},
            "aws": {"region": "seoul"},
            "azure": {"location": "Korea Central"},
            "bogus": 1,
        }
    )
    assert len(found) == 5, found


def test_decode_reads_values_as_the_cli_passes_them() -> None:
    raw = {"traffic-edge:clusters": json.dumps(CLUSTERS), "traffic-edge:note": "plain", "aws:region": "x"}
    assert decode(raw) == {"clusters": CLUSTERS, "note": "plain"}


def test_nothing_is_registered_when_the_config_is_bad() -> None:
    from edge_stack.program import main

    registered: list[str] = []

    def program() -> None:
        try:
            main({"traffic-edge:aws": json.dumps({"region": "seoul"})})
        finally:
            registered.extend(r.type for r in rec_holder)

    rec_holder: list[Any] = []
    with pytest.raises(ArgsError):
        rec = run(program)
        rec_holder.extend(rec.resources)
    assert registered == []


def _bad_stack(tmp_path: Path, config: dict[str, Any]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_a_bad_stack_file_fails_the_real_program_before_any_registration(tmp_path: Path) -> None:
    root = _bad_stack(tmp_path, {"traffic-edge:aws": {"region": "seoul"}, "traffic-edge:x": 1})
    with pytest.raises(ArgsError) as err:
        run_stack("bad", root=root)
    assert str(err.value).startswith("stack 'bad': the config in Pulumi.bad.yaml: 2 problems:")


def test_make_plan_reports_bad_config_without_a_traceback(tmp_path: Path) -> None:
    # A copy of the project, not a stack file in the repository: parallel workers list its stacks.
    root = _bad_stack(tmp_path / "project", {"traffic-edge:aws": {"region": "seoul"}})
    proc = plan_process("--project", str(root), "--stack", "bad", "--out", str(tmp_path / "o"))
    assert proc.returncode == 1  # invalid config; 2 is for usage errors
    assert "Traceback" not in proc.stderr
    assert "traffic-edge:aws.region: 'seoul' is not allowed" in proc.stderr


def _dev() -> dict[str, Any]:
    from tests.support.stacks import read_config

    return decode(read_config("dev"))


def test_dev_config_loads_every_component() -> None:
    settings = load("dev", _dev())
    assert sorted(settings.components) == ["aksIngress", "egressNat", "onpremIngress", "squid", "traefik"]
    # kubernetesVersion comes from the component's cluster unless the section sets it.
    assert settings.components["squid"].args["kubernetes_version"] == "1.33"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda c: c["squid"].update(cluster="eks-tokyo"),
            "traffic-edge:squid.cluster: 'eks-tokyo' is not allowed: the name of a cluster in traffic-edge:clusters (aks-korea, eks-seoul, onprem)",
        ),
        (
            lambda c: c["squid"].update(replica=c["squid"].pop("replicas")),
            "traffic-edge:squid.replica is not a known key: did you mean replicas?",
        ),
        (
            lambda c: c["squid"].update(replicas="six"),
            "traffic-edge:squid.replicas: 'six' is not allowed: an integer",
        ),
        (
            lambda c: c["squid"].update(zones=["ap-northeast-2a", "ap-northeast-2b"]),
            "traffic-edge:squid.zones[1]: 'ap-northeast-2b' is not allowed: a zone with a NAT gateway of its own "
            "('ap-northeast-2a', 'ap-northeast-2c'): egress from any other zone crosses zones at $0.01/GB each "
            "way and breaks the local-AZ design",
        ),
        (
            lambda c: c["egressNat"].update(
                alarmTopicArn="arn:aws:sns:us-east-1:123456789012:edge-alerts",
                zones=["us-east-1a", "us-east-1c"],
                privateSubnetIds={
                    "us-east-1a": ["subnet-0a1b2c3d4e5f60011"],
                    "us-east-1c": ["subnet-0a1b2c3d4e5f60013"],
                },
            ),
            [
                "traffic-edge:egressNat.zones[0]: 'us-east-1a' is not allowed: a zone of the stack's AWS region "
                "ap-northeast-2 (traffic-edge:aws.region), like ap-northeast-2a",
                "traffic-edge:egressNat.zones[1]: 'us-east-1c' is not allowed: a zone of the stack's AWS region "
                "ap-northeast-2 (traffic-edge:aws.region), like ap-northeast-2a",
                # the Squid proxy's zones then have no NAT gateway at all: a true consequence, not a knock-on
                "traffic-edge:squid.zones[0]: 'ap-northeast-2a' is not allowed: a zone with a NAT gateway of its "
                "own ('us-east-1a', 'us-east-1c'): egress from any other zone crosses zones at $0.01/GB each way "
                "and breaks the local-AZ design",
                "traffic-edge:squid.zones[1]: 'ap-northeast-2c' is not allowed: a zone with a NAT gateway of its "
                "own ('us-east-1a', 'us-east-1c'): egress from any other zone crosses zones at $0.01/GB each way "
                "and breaks the local-AZ design",
            ],
        ),
        (
            lambda c: c["traefik"].update(
                trustedPods={
                    "namespace": "haproxy-edge",
                    "matchLabels": {
                        "app.kubernetes.io/name": "haproxy",
                        "app.kubernetes.io/instance": "edge",
                    },
                }
            ),
            "traffic-edge:traefik.trustedPods: {namespace: 'haproxy-edge', matchLabels: {app.kubernetes.io/name: "
            "'haproxy', app.kubernetes.io/instance: 'edge'}} is not allowed: the HAProxy pods of "
            "traffic-edge:onpremIngress on the same cluster: namespace 'haproxy-edge', matchLabels "
            "{app.kubernetes.io/name: 'haproxy', app.kubernetes.io/instance: 'edge', app.kubernetes.io/component: "
            "'proxy-protocol-edge'}",
        ),
        (
            lambda c: c["traefik"].update(trustedCidrs=["10.0.0.0/8"]),
            "traffic-edge:traefik.trustedCidrs[0]: '10.0.0.0/8' is not allowed: a network inside the HAProxy source CIDRs of traffic-edge:onpremIngress (10.244.0.0/16)",
        ),
        (
            lambda c: c.pop("aws"),
            "traffic-edge:aws is required: the AWS provider settings, which traffic-edge:egressNat needs",
        ),
        (
            lambda c: c["aksIngress"]["ports"][0].update(probeProtocol="Udp"),
            "traffic-edge:aksIngress.ports[0].probeProtocol: 'Udp' is not allowed: one of 'Tcp', 'Http', 'Https'",
        ),
        (
            lambda c: c["egressNat"].update(vpcId="vpc-1"),
            "traffic-edge:egressNat.vpcId: 'vpc-1' is not allowed: a VPC id: 'vpc-' followed by 8 or 17 lowercase hex digits",
        ),
    ],
)
def test_component_sections_report_config_keys(
    change: Callable[[dict[str, Any]], Any], expected: str | list[str]
) -> None:
    config = _dev()
    change(config)
    assert problems(config) == (expected if isinstance(expected, list) else [expected])


def test_a_misspelled_key_suggests_the_key_it_meant_and_causes_nothing_else() -> None:
    config = _dev()
    config["squid"]["alowedDomains"] = config["squid"].pop("allowedDomains")
    assert problems(config) == [
        "traffic-edge:squid.alowedDomains is not a known key: did you mean allowedDomains?"
    ]


def test_a_key_far_from_every_known_one_lists_the_known_keys_in_the_files_spelling() -> None:
    assert problems({"aws": {"region": "us-east-1", "zzz": 1}}) == [
        "traffic-edge:aws.zzz is not a known key: the known keys are allowedAccountIds, region"
    ]


def test_a_misspelled_project_namespace_is_reported_not_dropped() -> None:
    raw = {"trafic-edge:squid": json.dumps({"cluster": "eks"}), "aws:region": "x"}
    assert problems(decode(raw)) == ["trafic-edge:squid is not a known key: did you mean traffic-edge:squid?"]


def test_a_cluster_reference_that_is_not_a_name_is_one_problem() -> None:
    config = _dev()
    config["squid"]["cluster"] = ["eks-seoul"]
    assert problems(config) == [
        "traffic-edge:squid.cluster: ['eks-seoul'] is not allowed: the name of a cluster in "
        "traffic-edge:clusters (aks-korea, eks-seoul, onprem)"
    ]


def test_a_bad_cluster_is_reported_once_not_again_by_the_sections_on_it() -> None:
    config = _dev()
    config["clusters"]["eks-seoul"]["kubernetesVersion"] = 1.3
    assert problems(config) == [
        "traffic-edge:clusters.eks-seoul.kubernetesVersion: 1.3 is not allowed: a string: quote it in YAML, '1.3' (or '1.30' if you wrote 1.30)"
    ]


def test_an_empty_context_would_fall_back_to_the_current_one_and_is_refused() -> None:
    config = _dev()
    config["clusters"]["onprem"]["context"] = ""
    assert problems(config) == [
        "traffic-edge:clusters.onprem.context: '' is not allowed: the name of a kubeconfig context, not empty"
    ]


def test_traefik_behind_the_edge_trusts_the_edge_without_copying_its_labels() -> None:
    settings = load("dev", _dev())
    args = settings.components["traefik"].args
    assert args["trusted_cidrs"] == ["10.244.0.0/16"]
    assert args["trusted_pods"] == {
        "namespace": "haproxy-edge",
        "match_labels": {
            "app.kubernetes.io/name": "haproxy",
            "app.kubernetes.io/instance": "edge",
            "app.kubernetes.io/component": "proxy-protocol-edge",
        },
    }


def test_traefik_that_trusts_only_some_haproxy_hosts_is_refused() -> None:
    from tests.support.stacks import read_config

    config = decode(read_config("onprem-prod"))
    config["traefik"]["trustedCidrs"] = ["10.20.1.10/32"]
    assert problems(config) == [
        "traffic-edge:traefik.trustedCidrs: ['10.20.1.10/32'] is not allowed: networks that cover all of the "
        "HAProxy source CIDRs of traffic-edge:onpremIngress (10.20.1.10/32, 10.20.1.11/32); 10.20.1.11/32 is "
        "left out, so the connections of those HAProxy hosts would be refused"
    ]


def test_a_bad_edge_section_is_not_reported_again_as_traefiks_missing_trust() -> None:
    config = _dev()
    config["onpremIngress"]["namespce"] = config["onpremIngress"].pop("namespace", "haproxy-edge")
    assert problems(config) == [
        "traffic-edge:onpremIngress.namespce is not a known key: did you mean namespace?"
    ]


def test_traefik_trusting_the_haproxy_hosts_as_one_network_is_the_same_set() -> None:
    from tests.support.stacks import read_config

    config = decode(read_config("onprem-prod"))
    config["traefik"]["trustedCidrs"] = ["10.20.1.10/31"]  # exactly 10.20.1.10 and 10.20.1.11
    load("t", config)


@pytest.mark.parametrize(
    ("section", "name", "expected"),
    [
        (
            "traefik",
            "a" * 46,
            f"traffic-edge:traefik.name: '{'a' * 46}' is not allowed: a DNS-1035 label of at most 45 characters: "
            f"it makes the Helm release and Service '{'a' * 46}-traefik', 54 characters of at most 53",
        ),
        (
            "onpremIngress",
            "e" * 37,
            f"traffic-edge:onpremIngress.name: '{'e' * 37}' is not allowed: a DNS-1035 label of at most 36 "
            f"characters: it makes the MetalLB Helm release '{'e' * 37}-metallb-xxxxxxxx', 54 characters of at "
            "most 53",
        ),
        (
            "onpremIngress",
            "1edge",
            "traffic-edge:onpremIngress.name: '1edge' is not allowed: a DNS-1035 label of at most 36 characters: "
            "a lower-case letter, then lower-case letters, digits and '-': it names the gateway pods' Service",
        ),
    ],
)
def test_a_component_name_is_judged_by_the_names_made_from_it(section: str, name: str, expected: str) -> None:
    config = _dev()
    config[section]["name"] = name
    assert problems(config) == [expected]


def test_a_traefik_name_holding_the_chart_name_is_the_release_itself() -> None:
    config = _dev()
    config["traefik"]["name"] = "edge-traefik-" + "a" * 40  # 53: the release is the name as is
    load("t", config)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda c: c["squid"].__setitem__("replicas", 2**31),
            "traffic-edge:squid.replicas: 2147483648 is not allowed: an integer of at most 2147483647: the "
            "Kubernetes field is an int32",
        ),
        (
            lambda c: c["traefik"].__setitem__(
                "resources", {"memoryRequest": "512Mi", "memoryLimit": "256Mi"}
            ),
            "traffic-edge:traefik.resources.memoryLimit: '256Mi' is not allowed: a quantity of at least "
            "memoryRequest ('512Mi')",
        ),
        (
            lambda c: c["traefik"].__setitem__("resources", {"memoryRequest": "1Gi"}),
            "traffic-edge:traefik.resources.memoryRequest: '1Gi' is not allowed: a quantity of at most "
            "memoryLimit ('256Mi', the default)",
        ),
    ],
)
def test_kubernetes_limits_are_checked_before_anything_is_registered(
    edit: Callable[[dict[str, Any]], None], expected: str
) -> None:
    config = _dev()
    edit(config)
    with pytest.raises(ArgsError) as err:
        load("t", config)
    assert str(err.value).splitlines()[1:] == [f"  1. {expected}"]


def test_a_version_too_old_for_a_component_is_reported_under_its_cluster() -> None:
    config = _dev()
    config["clusters"]["eks-seoul"]["kubernetesVersion"] = "1.26"
    assert problems(config) == [
        "traffic-edge:clusters.eks-seoul.kubernetesVersion: '1.26' is not allowed: a Kubernetes version of 1.27 "
        "or newer: local-zone routing needs the topology-mode annotation (1.27-1.30) or "
        "spec.trafficDistribution (1.31+), and minDomains is on by default only from 1.27 (for "
        "traffic-edge:squid on this cluster)"
    ]
