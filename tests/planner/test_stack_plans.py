"""Every Pulumi.<env>.yaml in the repo is planned offline, validated and deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from planner.engine import UNKNOWN
from planner.plan import cluster_versions, collect_configs, run_stack, schema_problems, write_plan
from planner.policy_report import evaluate
from planner.stackfile import REPO, stacks

STACKS = stacks()


def test_the_repo_has_dev_and_realistic_environments() -> None:
    assert "dev" in STACKS
    assert len(STACKS) >= 2


@pytest.mark.parametrize("stack", STACKS)
def test_stack_plans_with_valid_objects_and_no_mandatory_violation(stack: str) -> None:
    rec = run_stack(stack)
    assert schema_problems(rec, cluster_versions(stack)) == []
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
        write_plan("dev", run_stack("dev"), out)
        trees.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]
    assert Path("resources.json") in trees[0]


def test_make_plan_cli_writes_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    proc = subprocess.run(
        [sys.executable, "-m", "planner.plan", "--stack", "dev", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "resources per component" in proc.stdout
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

    from planner.engine import run

    def program() -> None:
        provider = k8s.Provider("k8s-eks", context="c")
        k8s.core.v1.Service(
            "bad",
            metadata={"name": "proxy", "namespace": "egress"},
            spec={"ports": [{"port": 3128}], "trafficDistribution": "PreferClose"},
            opts=pulumi.ResourceOptions(provider=provider),
        )

    problems = schema_problems(run(program), {"eks": "1.29"})
    assert problems == [
        "v1/Service egress/proxy [cluster eks, Kubernetes 1.29]: spec: Additional properties are not allowed "
        "('trafficDistribution' was unexpected)"
    ]
    assert schema_problems(run(program), {"eks": "1.33"}) == []


def test_make_plan_fails_on_a_mandatory_policy_violation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import planner.plan as plan
    import planner.policy_report as policy_report

    def failing(rec: object) -> policy_report.Report:
        return policy_report.Report(
            [policy_report.Violation("public-ips-protected", "mandatory", "urn:x", "not protected")], ["p"]
        )

    monkeypatch.setattr(policy_report, "evaluate", failing)
    assert plan.main(["--stack", "dev", "--out", str(tmp_path / "o")]) == 1
    monkeypatch.setattr(
        policy_report,
        "evaluate",
        lambda rec: policy_report.Report(
            [policy_report.Violation("images-pinned", "advisory", "urn:x", "latest")], ["p"]
        ),
    )
    assert plan.main(["--stack", "dev", "--out", str(tmp_path / "o")]) == 0


def test_a_policy_pack_that_cannot_be_imported_fails_the_plan(tmp_path: Path) -> None:
    # Before, an ImportError there printed "0 evaluated" and the plan passed unchecked.
    code = (
        "import sys, runpy; sys.modules['pulumi_policy'] = None; "
        "sys.argv = ['plan', '--stack', 'dev', '--out', sys.argv[1]]; "
        "runpy.run_module('planner.plan', run_name='__main__')"
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
