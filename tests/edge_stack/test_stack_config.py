"""Stack config: every bad value is reported at once, with its key, the value and what is allowed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from edge_stack.config import decode, load
from planner.engine import run
from planner.plan import run_stack
from planner.stackfile import REPO
from traffic_edge._shared.problems import ArgsError

CLUSTERS = {"eks": {"context": "eks-ctx", "kubernetesVersion": "1.33"}}


def problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ArgsError) as err:
        load("t", config)
    return [p.render() for p in err.value.problems]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"clusterz": {}},
            "traffic-edge:clusterz: {} is not allowed: unknown config key; known: traffic-edge:",
        ),
        (
            {"clusters": ["eks"]},
            "traffic-edge:clusters: ['eks'] is not allowed: must be a map of cluster name -> {context, kubernetesVersion}",
        ),
        (
            {"clusters": {"EKS_1": {"context": "c", "kubernetesVersion": "1.33"}}},
            "traffic-edge:clusters.EKS_1: 'EKS_1' is not allowed: a cluster name is lower case letters, digits and '-'",
        ),
        (
            {"clusters": {"eks": {"kubernetesVersion": "1.33"}}},
            "traffic-edge:clusters.eks.context: None is not allowed: required: a string",
        ),
        (
            {"clusters": {"eks": {"context": "c"}}},
            "traffic-edge:clusters.eks.kubernetesVersion: None is not allowed: required: a string",
        ),
        (
            {"clusters": {"eks": {"context": "c", "kubernetesVersion": 1.3}}},
            "traffic-edge:clusters.eks.kubernetesVersion: 1.3 is not allowed: must be a string; quote it in YAML: '1.3'",
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
            "traffic-edge:clusters.eks.kubeContext: 'x' is not allowed: unknown key; allowed keys: context, kubeconfig, kubernetesVersion, namespace",
        ),
        (
            {"clusters": {"eks": {"context": ["a"], "kubernetesVersion": "1.33"}}},
            "traffic-edge:clusters.eks.context: ['a'] is not allowed: must be a string",
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
            "traffic-edge:aws.allowedAccountIds: '123456789012' is not allowed: must be a list of a string",
        ),
        (
            {"aws": {"regoin": "us-east-1"}},
            "traffic-edge:aws.regoin: 'us-east-1' is not allowed: unknown key; allowed keys: allowedAccountIds, region",
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
            "traffic-edge:azure.location: None is not allowed: required: a string",
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
    assert any(p.startswith(expected) for p in found), found


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
    stack_file = REPO / "Pulumi.citest-bad.yaml"
    stack_file.write_text(yaml.safe_dump({"config": {"traffic-edge:aws": {"region": "seoul"}}}))
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "planner.plan", "--stack", "citest-bad", "--out", str(tmp_path / "o")],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        stack_file.unlink()
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "traffic-edge:aws.region: 'seoul' is not allowed" in proc.stderr


def _dev() -> dict[str, Any]:
    from planner.stackfile import read_config

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
            lambda c: c["squid"].update(replica=3),
            "traffic-edge:squid.replica: 3 is not allowed: unknown key; allowed keys: ",
        ),
        (
            lambda c: c["squid"].update(replicas="six"),
            "traffic-edge:squid.replicas: 'six' is not allowed: must be an integer",
        ),
        (
            lambda c: c["squid"].update(zones=["ap-northeast-2a", "ap-northeast-2b"]),
            "traffic-edge:squid.zones: ['ap-northeast-2b'] is not allowed: the Squid proxy spreads over these zones but they have no NAT gateway",
        ),
        (
            lambda c: c["egressNat"].update(
                alarmTopicArn="arn:aws:sns:us-east-1:123456789012:edge-alerts",
                zones=["us-east-1a", "us-east-1c"],
                publicSubnetIds={
                    "us-east-1a": "subnet-0a1b2c3d4e5f60001",
                    "us-east-1c": "subnet-0a1b2c3d4e5f60003",
                },
                privateSubnetIds={
                    "us-east-1a": ["subnet-0a1b2c3d4e5f60011"],
                    "us-east-1c": ["subnet-0a1b2c3d4e5f60013"],
                },
            ),
            "traffic-edge:egressNat.zones[0]: 'us-east-1a' is not allowed: a zone of the stack's AWS region ap-northeast-2",
        ),
        (
            lambda c: c["traefik"]["trustedPods"]["matchLabels"].pop("app.kubernetes.io/component"),
            "traffic-edge:traefik.trustedPods: ",
        ),
        (
            lambda c: c["traefik"].update(trustedCidrs=["10.0.0.0/8"]),
            "traffic-edge:traefik.trustedCidrs[0]: '10.0.0.0/8' is not allowed: inside the HAProxy source CIDRs of traffic-edge:onpremIngress (10.244.0.0/16)",
        ),
        (
            lambda c: c.pop("aws"),
            "traffic-edge:aws: None is not allowed: required by traffic-edge:egressNat",
        ),
        (
            lambda c: c["aksIngress"]["ports"][0].update(probeProtocol="Udp"),
            "traffic-edge:aksIngress.ports[0].probeProtocol: 'Udp' is not allowed: must be one of 'Tcp', 'Http', 'Https'",
        ),
        (
            lambda c: c["egressNat"].update(vpcId="vpc-1"),
            "traffic-edge:egressNat.vpcId: 'vpc-1' is not allowed: a VPC id: 'vpc-' followed by 8 or 17 lowercase hex digits",
        ),
    ],
)
def test_component_sections_report_config_keys(
    change: Callable[[dict[str, Any]], Any], expected: str
) -> None:
    config = _dev()
    change(config)
    found = problems(config)
    assert any(p.startswith(expected) for p in found), found
