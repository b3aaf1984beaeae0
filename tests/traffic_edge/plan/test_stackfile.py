"""Reading Pulumi.<stack>.yaml: any file gives the config or one numbered error, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.stacks import REPO, plan_process
from traffic_edge.plan.project import StackFileError, read_project, read_stack


def _root(tmp_path: Path, stack_text: str | bytes) -> Path:
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    target = tmp_path / "Pulumi.t.yaml"
    if isinstance(stack_text, bytes):
        target.write_bytes(stack_text)
    else:
        target.write_text(stack_text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "config:\n\ttraffic-edge:squid: {}\n",
            "line 2, column 1: not valid YAML: while scanning for the next token: found character '\\t' that "
            "cannot start any token (YAML indents with spaces, never tabs)",
        ),
        (
            "config: [\n",
            "line 2, column 1: not valid YAML: while parsing a flow node: expected the node content, but found "
            "'<stream end>'",
        ),
        ("config: *nope\n", "line 1, column 9: not valid YAML: found undefined alias 'nope'"),
        (
            "config: {}\n---\nconfig: {}\n",
            "line 2, column 1: not valid YAML: more than one YAML document ('---'): a stack file is one mapping",
        ),
        (b"config:\n  traffic-edge:squid: \xff\n", "byte 30: not UTF-8 text (invalid start byte)"),
        ("- config\n", "the top level: a list is not allowed: a mapping of keys to values"),
        ("just text\n", "the top level: text is not allowed: a mapping of keys to values"),
        ("config: [1, 2]\n", "config: a list is not allowed: a mapping of keys to values"),
        (
            "confg:\n  traffic-edge:squid: {}\n",
            "confg is not a known key of a stack file: did you mean config?",
        ),
    ],
)
def test_a_file_that_is_not_a_stack_file_is_one_numbered_problem(
    tmp_path: Path, text: str | bytes, reason: str
) -> None:
    with pytest.raises(StackFileError) as err:
        read_stack(read_project(_root(tmp_path, text)), "t")
    assert str(err.value) == f"Pulumi.t.yaml: 1 problem:\n  1. {reason}"


def test_a_yaml_error_never_prints_the_line_it_is_on(tmp_path: Path) -> None:
    # PyYAML's own message quotes the line; a stack file's line can hold a token.
    text = "config:\n  traffic-edge:clusters: {eks: {kubeconfig: 'token-abc123', context: [}\n"
    with pytest.raises(StackFileError) as err:
        read_stack(read_project(_root(tmp_path, text)), "t")
    assert "token-abc123" not in str(err.value)
    assert str(err.value).startswith("Pulumi.t.yaml: 1 problem:\n  1. line 2, column ")


def test_encrypted_values_stand_in_as_secret_and_mark_their_key(tmp_path: Path) -> None:
    text = (
        "config:\n"
        "  traffic-edge:clusters:\n"
        "    eks: {context: eks, kubernetesVersion: '1.33', kubeconfig: {secure: v1:AAAAciphertext}}\n"
        "  traffic-edge:aws: {region: ap-northeast-2}\n"
    )
    stack = read_stack(read_project(_root(tmp_path, text)), "t")
    assert stack.secret_keys == ["traffic-edge:clusters"]
    assert '"kubeconfig": "[secret]"' in stack.config["traffic-edge:clusters"]
    assert "ciphertext" not in "".join(stack.config.values())


def test_make_plan_on_a_broken_file_exits_1_and_leaves_no_stale_plan(tmp_path: Path) -> None:
    # A copy of the project, not a stack file in the repository: parallel workers list its stacks.
    (tmp_path / "project").mkdir()
    root = _root(tmp_path / "project", "config:\n\ttraffic-edge:squid: {}\n")
    out = tmp_path / "plan"
    out.mkdir()
    (out / "resources.json").write_text("[] # the previous plan\n")
    proc = plan_process("--project", str(root), "--stack", "t", "--out", str(out))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "plan: Pulumi.t.yaml: 1 problem:\n  1. line 2, column 1: not valid YAML" in proc.stderr
    assert not out.exists()
