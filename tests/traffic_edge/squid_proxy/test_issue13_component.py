"""SquidProxy on the offline engine with issue 13's args: the cache manager's password only ever a
secret, the canary's egress IPs taken as an Output, and an unwired placeholder refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.traffic_edge.squid_proxy.cases import CANARY
from tests.traffic_edge.squid_proxy.test_manifests import DEV
from traffic_edge._shared import k8s_objects
from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.engine import UNKNOWN, run
from traffic_edge.plan.writer import write_plan
from traffic_edge.squid_proxy import component
from traffic_edge.squid_proxy.args import Wired
from traffic_edge.squid_proxy.component import SquidProxy


def test_the_password_is_a_secret_in_the_plan_and_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "feedc0de" * 6
    monkeypatch.setattr(component.secrets, "token_hex", lambda n: password[: 2 * n])
    logs: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: logs.append(str(msg)))
    rec = run(lambda: SquidProxy("squid", DEV), stack="test", preview=False)
    secret = rec.get("kubernetes:core/v1:Secret", "squid-cachemgr")
    assert secret.inputs["stringData"] == "[secret]"
    write_plan(rec, tmp_path / "out")
    text = "\n".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert password not in text
    assert password not in repr(rec.resources) + repr(rec.outputs) + "".join(logs) + "".join(rec.warnings)


def test_only_the_first_password_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, pulumi.ResourceOptions] = {}
    create = k8s_objects.create

    def spy(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
        seen[name] = opts
        return create(name, manifest, opts)

    monkeypatch.setattr(k8s_objects, "create", spy)
    run(lambda: SquidProxy("squid", DEV), stack="test")
    assert seen["squid-cachemgr"].ignore_changes == ["stringData", "data"]
    assert seen["squid-config"].ignore_changes is None


def test_egress_ips_from_an_output_fill_the_canary_configmap() -> None:
    def program() -> None:
        ips = pulumi.Output.from_input(
            {"ap-northeast-2a": ["203.0.113.10"], "ap-northeast-2c": ["203.0.113.20"]}
        )
        SquidProxy("squid", {**DEV, "canary": {**CANARY, "expected_egress_ips": ips}})  # type: ignore[typeddict-item]

    data = (
        run(program, stack="test", preview=False).get("kubernetes:core/v1:ConfigMap", "squid-canary").inputs
    )
    assert data["data"] == {"ap-northeast-2a": "203.0.113.10", "ap-northeast-2c": "203.0.113.20"}


def test_egress_ips_unknown_at_preview_leave_the_configmap_computed() -> None:
    def program() -> None:
        ips = pulumi.Output.from_input("x").apply(lambda _: {"ap-northeast-2a": ["203.0.113.10"]})
        unknown = pulumi.Output(set(), ips.future(), pulumi.Output.from_input(False).future())
        SquidProxy("squid", {**DEV, "canary": {**CANARY, "expected_egress_ips": unknown}})  # type: ignore[typeddict-item]

    rec = run(program, stack="test")
    assert rec.get("kubernetes:core/v1:ConfigMap", "squid-canary").inputs["data"] == UNKNOWN


def test_an_unwired_placeholder_is_refused_before_anything_is_registered() -> None:
    errors: list[ArgsError] = []

    def program() -> None:
        try:
            SquidProxy("squid", {**DEV, "canary": {**CANARY, "expected_egress_ips": Wired("egressNat")}})  # type: ignore[typeddict-item]
        except ArgsError as err:
            errors.append(err)

    rec = run(program, stack="test")
    assert [r.type for r in rec.resources] == ["pulumi:pulumi:Stack"]
    assert str(errors[0]) == (
        "SquidProxy 'squid': 1 problem:\n  1. canary.expected_egress_ips: 'egressNat' is not allowed: a map of zone -> egress "
        "IPs, or an Output of one (the egressNat section's, in a stack)"
    )
