"""The example consumer stack (examples/python-consumer) plans offline with its own config."""

from __future__ import annotations

import runpy
import sys
import tomllib

from tests.support.stacks import REPO, read_config
from tests.support.stacks import evaluate as evaluate_recording
from traffic_edge.plan.engine import UNKNOWN, run

EXAMPLE = REPO / "examples" / "python-consumer"


def plan() -> object:
    """Run the example as the CLI would: its own folder first on sys.path (its `components`)."""
    config = read_config("dev", EXAMPLE)
    saved_path, saved = list(sys.path), sys.modules.pop("components", None)
    sys.path.insert(0, str(EXAMPLE))
    try:
        return run(
            lambda: runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__"),
            project="edge-consumer",
            stack="dev",
            config=config,
        )
    finally:
        sys.path[:] = saved_path
        sys.modules.pop("components", None)
        if saved is not None:
            sys.modules["components"] = saved


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


def test_the_example_uses_its_own_components_package_beside_traffic_edge() -> None:
    rec = plan()
    nat = [r for r in rec.resources if r.type == "aws:ec2/natGateway:NatGateway"]  # type: ignore[attr-defined]
    assert nat and all(r.inputs["tags"]["team"] == "payments" for r in nat)


def test_the_example_depends_on_this_checkout_by_path_with_only_its_platforms_extras() -> None:
    pyproject = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    assert pyproject["project"]["dependencies"] == ["traffic-edge[aws,kubernetes]"]
    source = pyproject["tool"]["uv"]["sources"]["traffic-edge"]
    assert (EXAMPLE / source["path"]).resolve() == REPO
