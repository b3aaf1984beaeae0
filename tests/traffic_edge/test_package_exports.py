"""`from traffic_edge import X` works for every component and its args, as the README shows."""

from __future__ import annotations

import importlib

import pulumi
import pytest

import traffic_edge


@pytest.mark.parametrize("name", traffic_edge.__all__)
def test_every_export_resolves(name: str) -> None:
    obj = getattr(traffic_edge, name)
    assert obj.__name__ == name


def test_components_are_component_resources_with_their_token() -> None:
    for name in (
        "SquidProxy",
        "EgressNatGateways",
        "AksTcpLoadBalancer",
        "ProxyProtocolIngress",
        "TraefikGateway",
    ):
        cls = getattr(traffic_edge, name)
        assert issubclass(cls, pulumi.ComponentResource)
        module = importlib.import_module(cls.__module__)
        assert f"traffic-edge:index:{name}" in importlib.util.find_spec(module.__name__).loader.get_source(  # type: ignore[union-attr]
            module.__name__
        )


def test_unknown_names_fail_like_a_normal_module() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Squid'"):
        _ = traffic_edge.Squid  # type: ignore[attr-defined]


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(traffic_edge.__all__) == sorted(traffic_edge._EXPORTS)
