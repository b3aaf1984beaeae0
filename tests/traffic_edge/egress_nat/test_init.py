"""The lazy public API of `traffic_edge.egress_nat`: only the component itself needs pulumi_aws."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import traffic_edge.egress_nat as egress_nat

NO_SDK = [
    "EgressNatGatewaysArgs",
    "NatStrategy",
    "check_zone_coverage",
    "plan_egress_nat",
    "validate_egress_nat_args",
]


@pytest.mark.parametrize("name", egress_nat.__all__)
def test_every_export_resolves_to_the_object_of_that_name(name: str) -> None:
    assert getattr(egress_nat, name).__name__ == name


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(egress_nat.__all__) == sorted(egress_nat._EXPORTS)


def test_args_validator_and_planner_work_without_pulumi_aws() -> None:
    # A fresh interpreter in which pulumi_aws cannot be imported at all.
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["pulumi_aws"] = None
        from traffic_edge.egress_nat import {", ".join(NO_SDK)}
        from traffic_edge._shared.sdk import MissingSdkError
        assert NatStrategy("Single") is NatStrategy.SINGLE
        assert "zones" in EgressNatGatewaysArgs.__annotations__
        assert validate_egress_nat_args({{}})
        assert "pulumi_aws" not in {{m for m in sys.modules if sys.modules[m] is not None}}
        try:
            from traffic_edge.egress_nat import EgressNatGateways
        except MissingSdkError as err:
            print(err)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (
        "EgressNatGateways needs pulumi_aws, which is not installed: install traffic-edge[aws]" in proc.stdout
    )
