"""The stack layer hands EgressNatGateways' egress IPs to the Squid canary: each zone expects its
own NAT gateway's addresses, known only after deploy, so wired as Outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from edge_stack.config import decode, load
from edge_stack.program import _zone_ips
from edge_stack.program import main as program_main
from tests.support.stacks import read_config
from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.engine import UNKNOWN, run
from traffic_edge.squid_proxy.args import Wired

CANARY = {"echoUrl": "https://checkip.example.net/"}


def _dev(**squid: Any) -> dict[str, Any]:
    config = read_config("dev")
    section = json.loads(config["traffic-edge:squid"])
    section.update(squid)
    config["traffic-edge:squid"] = json.dumps(section)
    return config


def test_the_canary_takes_its_egress_ips_from_egress_nat_when_it_writes_none() -> None:
    settings = load("dev", decode(_dev(canary=CANARY)))
    assert settings.components["squid"].args["canary"]["expected_egress_ips"] == Wired("egressNat")


def test_written_egress_ips_are_kept_and_checked_against_the_zones() -> None:
    ips = {"ap-northeast-2a": ["203.0.113.10"], "ap-northeast-2b": ["203.0.113.11"]}
    with pytest.raises(ArgsError) as err:
        load("dev", decode(_dev(canary={**CANARY, "expectedEgressIps": ips})))
    # A misspelt zone is one problem (the zone it misses is its knock-on).
    assert str(err.value).splitlines()[1:] == [
        "  1. traffic-edge:squid.canary.expectedEgressIps.ap-northeast-2b is not a known key: did you mean "
        "ap-northeast-2c?"
    ]


def test_a_stack_without_egress_nat_must_write_them() -> None:
    raw = _dev(canary=CANARY)
    raw.pop("traffic-edge:egressNat")
    with pytest.raises(ArgsError) as err:
        load("dev", decode(raw))
    assert str(err.value).splitlines()[1:] == [
        "  1. traffic-edge:squid.canary.expectedEgressIps is required: each zone's egress IPs: this stack has "
        "no traffic-edge:egressNat to take them from"
    ]


def test_the_canary_configmap_is_computed_at_preview_and_per_zone_after_deploy() -> None:
    raw = _dev(canary=CANARY)
    preview = run(program_main, stack="dev", config=raw)
    config = preview.get("kubernetes:core/v1:ConfigMap", "squid-canary").inputs
    assert config["data"] == UNKNOWN  # the Elastic IPs do not exist yet
    deployed = run(program_main, stack="dev", config=raw, preview=False)
    data = deployed.get("kubernetes:core/v1:ConfigMap", "squid-canary").inputs["data"]
    gateways = deployed.outputs["natGateways"]
    assert data == {z: " ".join(gateways[z]["egress_ips"]) for z in ("ap-northeast-2a", "ap-northeast-2c")}
    assert data["ap-northeast-2a"] != data["ap-northeast-2c"]


def test_a_zone_without_its_own_nat_gateway_expects_every_egress_ip() -> None:
    gateways = {"a": {"egress_ips": ["203.0.113.1"]}}
    assert _zone_ips(gateways, ["203.0.113.1", "203.0.113.2"], ["a", "b"]) == {
        "a": ["203.0.113.1"],
        "b": ["203.0.113.1", "203.0.113.2"],
    }
