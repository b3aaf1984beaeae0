"""The args, their validator and the plan need no cloud SDK: the stack layer reads them first."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from traffic_edge.traefik_gateway import TraefikGatewayArgs, ServiceType, validate_traefik_args
from traffic_edge.traefik_gateway import helm_values, manifests, plan
assert validate_traefik_args({"namespace": "edge"}) == []
print(sorted(m for m in sys.modules if m.split(".")[0].startswith("pulumi_")))
"""


def test_args_validator_and_plan_import_without_any_cloud_sdk() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
