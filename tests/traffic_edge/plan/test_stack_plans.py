"""Every Pulumi.<env>.yaml in the repo is planned offline, validated and deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.stacks import REPO, evaluate, plan_process, read_config, run_stack, stacks
from traffic_edge.plan import cli
from traffic_edge.plan.cli import kubernetes_versions, schema_problems
from traffic_edge.plan.engine import UNKNOWN
from traffic_edge.plan.writer import collect_configs, write_plan

STACKS = stacks()


def test_the_repo_has_dev_and_realistic_environments() -> None:
    assert "dev" in STACKS
    assert len(STACKS) >= 2


@pytest.mark.parametrize("stack", STACKS)
def test_stack_plans_with_valid_objects_and_no_mandatory_violation(stack: str) -> None:
    rec = run_stack(stack)
    versions = kubernetes_versions(rec, read_config(stack), None)
    assert schema_problems(rec, versions) == ([], [])
    report = evaluate(rec)
    assert report.mandatory_violations == []
    # Every resource but the stack names an explicit provider or sits under a component/stack.
    for res in rec.resources:
        if res.custom and not res.type.startswith("pulumi:providers:"):
            assert res.provider, f"{res.urn} uses a default provider"


@pytest.mark.parametrize("stack", STACKS)
def test_generated_configs_are_exactly_what_goes_into_the_configmaps(stack: str) -> None:
    rec = run_stack(stack)
    exported = rec.outputs.get("configFiles") or {}
    for path, text in collect_configs(rec).items():
        if path in exported:
            assert exported[path] == text


def test_plan_twice_is_byte_identical(tmp_path: Path) -> None:
    trees = []
    for i in range(2):
        out = tmp_path / f"run{i}"
        write_plan(run_stack("dev"), out)
        trees.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]
    assert Path("resources.json") in trees[0]


def test_make_plan_cli_writes_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    proc = plan_process("--stack", "dev", "--out", str(out), "--policy-pack", "policies")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "resources per type" in proc.stdout
    assert (out / "summary.md").read_text().startswith("# Plan for stack `dev`")
    import json

    resources = json.loads((out / "resources.json").read_text())
    keys = {
        "urn",
        "type",
        "name",
        "parent",
        "custom",
        "protect",
        "retainOnDelete",
        "dependsOn",
        "provider",
        "inputs",
    }
    assert resources and all(set(r) == keys for r in resources)
    assert (out / "policy-report.json").exists()


def test_unknown_values_are_marked_not_invented() -> None:
    rec = run_stack("dev")
    text = repr([r.inputs for r in rec.resources]) + repr(rec.outputs)
    assert "04da6b54-80e4-46f7-96ec-b56ff0331ba9" not in text  # the raw wire sentinel never leaks
    if any(r.type == "aws:ec2/natGateway:NatGateway" for r in rec.resources):
        assert UNKNOWN in text


def test_an_invalid_object_is_reported_with_object_field_and_reason() -> None:
    import pulumi
    import pulumi_kubernetes as k8s

    from traffic_edge.plan.engine import run

    def program() -> None:
        provider = k8s.Provider("k8s-eks", context="c")
        k8s.core.v1.Service(
            "bad",
            metadata={"name": "proxy", "namespace": "egress"},
            spec={"ports": [{"port": 3128}], "trafficDistribution": "PreferClose"},
            opts=pulumi.ResourceOptions(provider=provider),
        )

    problems = schema_problems(run(program), {"k8s-eks": "1.29"})
    assert problems == (
        [
            "v1/Service egress/proxy [provider k8s-eks, Kubernetes 1.29]: spec: Additional properties are not "
            "allowed ('trafficDistribution' was unexpected)"
        ],
        [],
    )
    assert schema_problems(run(program), {"k8s-eks": "1.33"}) == ([], [])
    # A provider whose version is unknown: checked against the newest schema, with a warning.
    assert schema_problems(run(program), {}) == (
        [],
        [
            "provider 'k8s-eks': Kubernetes version unknown (no cluster entry; give --kubernetes-version); "
            "its objects were checked against the newest schema, 1.37"
        ],
    )


def test_make_plan_fails_on_a_mandatory_policy_violation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from traffic_edge.plan.policy import Report, Violation

    args = ["plan", "--project", str(REPO), "--stack", "dev", "--out", str(tmp_path / "o")]

    def failing(*_: object) -> Report:
        return Report(
            [Violation("public-ips-protected", "mandatory", "urn:x", "not protected")], ["p"], "pack"
        )

    monkeypatch.setattr(cli, "_policies", failing)
    assert cli.main(args) == 1
    advisory = Report([Violation("images-pinned", "advisory", "urn:x", "latest")], ["p"], "pack")
    monkeypatch.setattr(cli, "_policies", lambda *_: advisory)
    assert cli.main(args) == 0


def test_a_policy_pack_that_cannot_be_imported_fails_the_plan(tmp_path: Path) -> None:
    # Before, an ImportError there printed "0 evaluated" and the plan passed unchecked.
    code = (
        "import sys, runpy; sys.modules['pulumi_policy'] = None; "
        "sys.argv = ['traffic-edge', 'plan', '--stack', 'dev', '--out', sys.argv[1], '--policy-pack', 'policies']; "
        "runpy.run_module('traffic_edge.plan', run_name='__main__')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "o")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0
    assert "pulumi_policy" in proc.stderr
    assert not (tmp_path / "o").exists()
