"""`from components import X` works for every component and its args, as the README shows."""

from __future__ import annotations

import importlib

import pulumi
import pytest

import components


@pytest.mark.parametrize("name", components.__all__)
def test_every_export_resolves(name: str) -> None:
    obj = getattr(components, name)
    assert obj.__name__ == name


def test_components_are_component_resources_with_their_token() -> None:
    for name in (
        "SquidProxy",
        "EgressNatGateways",
        "AksTcpLoadBalancer",
        "ProxyProtocolIngress",
        "TraefikGateway",
    ):
        cls = getattr(components, name)
        assert issubclass(cls, pulumi.ComponentResource)
        module = importlib.import_module(cls.__module__)
        assert f"traffic-edge:index:{name}" in importlib.util.find_spec(module.__name__).loader.get_source(  # type: ignore[union-attr]
            module.__name__
        )


def test_unknown_names_fail_like_a_normal_module() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Squid'"):
        _ = components.Squid  # type: ignore[attr-defined]


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(components.__all__) == sorted(components._EXPORTS)
