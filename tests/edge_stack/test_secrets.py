"""Secrets stay secret: encrypted values plan, clear text is refused, and no error or plan file shows one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from edge_stack.config import decode, load
from edge_stack.program import main as program_main
from tests.support.stacks import REPO, read_config, run_stack
from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.engine import run
from traffic_edge.plan.writer import write_plan

TOKEN = "eyJhbGciOiJSUzI1NiJ9.clear-text-token"
KUBECONFIG = f"apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: {TOKEN}\n"


def _dev_with(tmp_path: Path, kubeconfig: Any) -> Path:
    doc = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    doc["config"]["traffic-edge:clusters"]["eks-seoul"]["kubeconfig"] = kubeconfig
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "Pulumi.t.yaml").write_text(yaml.safe_dump(doc))
    return tmp_path


def _plan_text(out: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(out.rglob("*")) if p.is_file())


def _provider(rec: Any, name: str) -> dict[str, Any]:
    return next(r.inputs for r in rec.resources if r.type == "pulumi:providers:kubernetes" and r.name == name)


def test_an_encrypted_kubeconfig_plans_as_a_secret(tmp_path: Path) -> None:
    root = _dev_with(tmp_path, {"secure": "v1:c2VjcmV0LWNpcGhlcnRleHQ="})
    rec = run_stack("t", root=root)
    assert _provider(rec, "k8s-eks-seoul")["kubeconfig"] == "[secret]"
    write_plan(rec, tmp_path / "out")
    assert "c2VjcmV0LWNpcGhlcnRleHQ" not in _plan_text(tmp_path / "out")


def test_a_kubeconfig_decrypted_by_the_cli_never_reaches_a_plan_file(tmp_path: Path) -> None:
    # What `pulumi preview` hands the program: the clear text, and the key named secret.
    config = read_config("dev")
    clusters = json.loads(config["traffic-edge:clusters"])
    clusters["eks-seoul"]["kubeconfig"] = KUBECONFIG
    config["traffic-edge:clusters"] = json.dumps(clusters)
    rec = run(program_main, stack="dev", config=config, secret_keys=["traffic-edge:clusters"])
    assert _provider(rec, "k8s-eks-seoul")["kubeconfig"] == "[secret]"
    write_plan(rec, tmp_path / "out")
    assert TOKEN not in _plan_text(tmp_path / "out")


def test_a_kubeconfig_in_clear_text_is_refused_without_echoing_it(tmp_path: Path) -> None:
    root = _dev_with(tmp_path, KUBECONFIG)
    with pytest.raises(ArgsError) as err:
        run_stack("t", root=root)
    assert str(err.value) == (
        "stack 't': the config in Pulumi.t.yaml: 1 problem:\n"
        "  1. traffic-edge:clusters.eks-seoul.kubeconfig: [secret] is not allowed: a kubeconfig file's path; "
        "its contents only encrypted: pulumi config set --secret --path "
        "'traffic-edge:clusters.eks-seoul.kubeconfig' \"$(cat FILE)\""
    )


def test_a_path_to_a_kubeconfig_is_not_a_secret(tmp_path: Path) -> None:
    rec = run_stack("t", root=_dev_with(tmp_path, "~/.kube/eks-seoul"))
    assert _provider(rec, "k8s-eks-seoul")["kubeconfig"] == "~/.kube/eks-seoul"


@pytest.mark.parametrize(
    ("config", "secret_keys", "expected"),
    [
        # A misspelt or unknown key that names a secret: its value is never printed.
        (
            {"aws": {"region": "bad region", "secretAccessKey": "AKIAEXAMPLEKEY"}},
            [],
            "traffic-edge:aws.region: 'bad region' is not allowed: an AWS region code like 'ap-northeast-2' or "
            "'us-east-1'",
        ),
        # A key the engine marks secret, rejected as a whole: shown as [secret].
        (
            {"aws": "region=ap-northeast-2,secretAccessKey=AKIAEXAMPLEKEY"},
            ["traffic-edge:aws"],
            "traffic-edge:aws: [secret] is not allowed: an object with keys region, allowedAccountIds",
        ),
    ],
)
def test_no_error_shows_a_secret(config: dict[str, Any], secret_keys: list[str], expected: str) -> None:
    raw = {f"traffic-edge:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    with pytest.raises(ArgsError) as err:
        load("t", decode(raw, secret_keys))
    assert "AKIAEXAMPLEKEY" not in str(err.value)
    assert expected in [p.render("config") for p in err.value.problems]


def test_a_key_encrypted_whole_is_refused_offline_with_how_to_split_it() -> None:
    raw = {"traffic-edge:clusters": "[secret]"}
    with pytest.raises(ArgsError) as err:
        load("t", decode(raw, ["traffic-edge:clusters"]))
    assert [p.render("config") for p in err.value.problems] == [
        "traffic-edge:clusters: [secret] is not allowed: an object in clear text: encrypt only its secret values, "
        "with pulumi config set --secret --path '<key>.<field>'"
    ]
