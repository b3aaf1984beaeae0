"""The new args in a stack file: camelCase keys, and their problems named as the file spells them."""

from __future__ import annotations

from typing import Any

import pytest

from edge_stack.config import decode, load
from tests.support.stacks import read_config
from traffic_edge._shared.problems import ArgsError


def _prod(**aks: Any) -> dict[str, Any]:
    config = decode(read_config("aks-prod"))
    config["aksIngress"].update(aks)
    return config


def _problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ArgsError) as err:
        load("t", config)
    return [p.render("config") for p in err.value.problems]


def test_the_prod_stack_states_the_clusters_probe_mode() -> None:
    assert _prod()["aksIngress"]["healthProbeMode"] == "servicenodeport"
    load("aks-prod", _prod(disableTcpReset=True))


def test_shared_mode_names_the_probe_keys_in_camel_case() -> None:
    config = _prod(healthProbeMode="shared")
    del config["aksIngress"]["probeThreshold"]
    del config["aksIngress"]["ports"][0]["probeProtocol"]
    found = _problems(config)
    assert len(found) == 1
    assert found[0].startswith(
        "traffic-edge:aksIngress.probeIntervalSeconds: 10 conflicts with traffic-edge:aksIngress.healthProbeMode: "
    )


def test_disable_tcp_reset_on_an_old_provider_names_the_config_keys() -> None:
    found = _problems(_prod(disableTcpReset=True, cloudProviderVersion="1.28.0"))
    assert found == [
        "traffic-edge:aksIngress.disableTcpReset: true conflicts with traffic-edge:aksIngress.cloudProviderVersion: "
        "cloud-provider-azure 1.28.0 ignores it and keeps TCP reset on for every TCP rule of a Standard load "
        "balancer; it needs cloud-provider-azure 1.29.0 (backports 1.28.1, 1.27.9, 1.26.15, 1.25.19) or later"
    ]
