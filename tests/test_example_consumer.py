"""The example consumer stack (examples/python-consumer) plans offline with its own config."""

from __future__ import annotations

import runpy

from planner.engine import UNKNOWN, run
from planner.stackfile import REPO, read_config
from policies.evaluate import evaluate_recording

EXAMPLE = REPO / "examples" / "python-consumer"


def plan() -> object:
    config = read_config("dev", EXAMPLE)
    return run(
        lambda: runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__"),
        project="edge-consumer",
        stack="dev",
        config=config,
    )


def test_the_example_registers_the_components_under_its_own_providers() -> None:
    rec = plan()
    assert {r.type for r in rec.resources if not r.custom} >= {  # type: ignore[attr-defined]
        "traffic-edge:index:EgressNatGateways",
        "traffic-edge:index:TraefikGateway",
    }
    aws_provider = rec.get("pulumi:providers:aws", "aws")  # type: ignore[attr-defined]
    cluster = rec.get("pulumi:providers:kubernetes", "cluster")  # type: ignore[attr-defined]
    assert aws_provider.inputs["region"] == "ap-northeast-2"
    assert cluster.inputs["context"] == "eks-seoul-dev"
    for r in rec.resources:  # type: ignore[attr-defined]
        if r.custom and r.type.startswith("aws:"):
            assert r.provider == aws_provider.urn, r.urn
        if r.custom and r.type.startswith("kubernetes:"):
            assert r.provider == cluster.urn, r.urn
    assert rec.outputs == {"egressIps": UNKNOWN, "gatewayService": "payments-traefik"}  # type: ignore[attr-defined]


def test_the_example_passes_the_mandatory_policies() -> None:
    report = evaluate_recording(plan())  # type: ignore[arg-type]
    assert report.mandatory_violations == []


def test_the_example_pins_the_components_to_a_release_tag() -> None:
    pyproject = (EXAMPLE / "pyproject.toml").read_text()
    assert "traffic-edge @ git+https://" in pyproject
    assert "@v0.1.0" in pyproject
