"""The package's lazy public API: every name resolves, and the SDK-free ones load no SDK."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import traffic_edge.proxy_protocol_ingress as package


@pytest.mark.parametrize("name", package.__all__)
def test_every_export_resolves(name: str) -> None:
    assert getattr(package, name).__name__ == name


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(package.__all__) == sorted(package._EXPORTS)


def test_args_validator_plan_and_config_need_no_kubernetes_sdk() -> None:
    # A fresh interpreter: this one has long imported pulumi_kubernetes for other tests.
    script = """
import json, sys
import traffic_edge.proxy_protocol_ingress as p
from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS
assert p.ProxyProtocolIngressArgs and p.Placement
problems = p.validate_proxy_protocol_ingress_args(EXTERNAL_ARGS)
text = p.render_haproxy_cfg(p.plan_proxy_protocol_ingress("edge", EXTERNAL_ARGS).haproxy)
print(json.dumps([problems, p.traefik_trust(EXTERNAL_ARGS, "edge"), "pulumi_kubernetes" in sys.modules, bool(text)]))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == [[], {"trusted_cidrs": ["10.20.1.5/32", "10.20.1.6/32"]}, False, True]
