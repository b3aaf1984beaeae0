"""`traffic-edge plan`: any project's plan, a summary a reviewer can read, a diff against a base."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.stacks import REPO
from traffic_edge.plan import cli, summary


def _project(tmp_path: Path, edit: Any = None) -> Path:
    """A copy of this repository's project (program, stack layer, dev stack) to change."""
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "edge_stack", root / "edge_stack", dirs_exist_ok=True)
    doc = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    if edit is not None:
        edit(doc["config"])
    (root / "Pulumi.dev.yaml").write_text(yaml.safe_dump(doc))
    return root


def _plan(root: Path, out: Path, *extra: str) -> int:
    return cli.main(["plan", "--project", str(root), "--stack", "dev", "--out", str(out), *extra])


def test_two_identical_plans_say_no_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    assert _plan(root, tmp_path / "base") == 0
    assert _plan(root, tmp_path / "head", "--base", str(tmp_path / "base")) == 0
    text = (tmp_path / "head" / "summary.md").read_text()
    assert "**no changes** against the base plan." in text
    assert "= 10 unchanged" in text  # the Squid component's children, folded
    assert text in capsys.readouterr().out


def test_one_changed_squid_arg_is_one_update_naming_the_changed_path(tmp_path: Path) -> None:
    assert _plan(_project(tmp_path), tmp_path / "base") == 0

    def more_cpu(config: dict[str, Any]) -> None:
        config["traffic-edge:squid"].setdefault("resources", {})["cpuLimit"] = "2"

    assert _plan(_project(tmp_path, more_cpu), tmp_path / "head", "--base", str(tmp_path / "base")) == 0
    text = (tmp_path / "head" / "summary.md").read_text()
    assert "0 to create, 1 to update, 0 to delete, 65 unchanged (against the base plan)" in text
    tree = text.split("```")[1]
    assert [line.strip() for line in tree.splitlines() if line.strip().startswith("~")] == [
        "~ kubernetes:apps/v1:Deployment  squid-deployment"
    ]
    assert 'spec.template.spec.containers[0].resources.limits.cpu: "1" -> "2"' in tree


def test_a_changed_squid_conf_is_shown_as_a_unified_diff(tmp_path: Path) -> None:
    assert _plan(_project(tmp_path), tmp_path / "base") == 0

    def one_more_domain(config: dict[str, Any]) -> None:
        config["traffic-edge:squid"]["allowedDomains"].append(".example.org")

    assert (
        _plan(_project(tmp_path, one_more_domain), tmp_path / "head", "--base", str(tmp_path / "base")) == 0
    )
    tree = (tmp_path / "head" / "summary.md").read_text().split("```")[1]
    assert "data.squid.conf:\n" in tree
    assert any(line.strip().startswith("+") and ".example.org" in line for line in tree.splitlines())


def test_a_protected_elastic_ip_that_would_be_deleted_is_flagged_loudly(tmp_path: Path) -> None:
    assert _plan(_project(tmp_path), tmp_path / "base") == 0
    base = json.loads((tmp_path / "base" / "resources.json").read_text())
    eip = next(r for r in base if r["type"] == "aws:ec2/eip:Eip")
    head = [r for r in base if r["urn"] != eip["urn"]]
    changes = summary.diff(head, base)
    assert [c.resource["name"] for c in changes if c.mark == "-"] == [eip["name"]]
    assert summary.warnings_for_protected(changes) == [
        f"**PROTECTED RESOURCE DELETED: aws:ec2/eip:Eip {eip['name']!r}** (`pulumi up` refuses until it is "
        "unprotected)"
    ]


def test_usage_errors_exit_2_and_invalid_stacks_exit_1(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert cli.main(["plan", "--project", str(tmp_path / "nowhere")]) == 2
    assert cli.main(["plan", "--project", str(root), "--stack", "nope"]) == 2
    assert cli.main(["plan", "--project", str(root), "--base", str(tmp_path)]) == 2  # not a plan directory
    assert cli.main(["plan", "--bogus"]) == 2

    def bad(config: dict[str, Any]) -> None:
        config["traffic-edge:squid"]["replicas"] = 1

    assert _plan(_project(tmp_path, bad), tmp_path / "o") == 1
    assert not (tmp_path / "o").exists()


def test_manifests_are_grouped_by_the_kubernetes_provider_name(tmp_path: Path) -> None:
    assert _plan(_project(tmp_path), tmp_path / "o") == 0
    assert sorted(p.name for p in (tmp_path / "o" / "manifests").iterdir()) == [
        "k8s-aks-korea",
        "k8s-eks-seoul",
        "k8s-onprem",
    ]


def test_the_console_script_collects_cycles_less_often_and_importers_keep_their_own_thresholds() -> None:
    """`entry` (the console script) raises the collector's thresholds before the program runs; a
    program that only imports the plan library keeps Python's defaults. Checked in a fresh process,
    because `entry` ends it with os._exit."""
    import subprocess
    import sys

    probe = (
        "import gc, sys\n"
        "print(gc.get_threshold())\n"
        "from traffic_edge.plan import cli\n"
        "print(gc.get_threshold())\n"
        "cli.main = lambda argv=None: print(gc.get_threshold()) or 0\n"
        "cli.entry()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    default, imported, in_entry = done.stdout.splitlines()
    assert imported == default
    assert in_entry == str(cli.GC_THRESHOLDS) != default
