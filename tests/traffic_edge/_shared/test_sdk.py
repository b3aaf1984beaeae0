"""A component whose platform SDK is missing names the extra that installs it."""

from __future__ import annotations

import pytest

from traffic_edge._shared.exports import lazy_getattr
from traffic_edge._shared.sdk import EXTRAS, MissingSdkError, require


def test_every_extra_named_is_declared_in_pyproject() -> None:
    import tomllib

    from tests.support.stacks import REPO

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS.values()) <= set(extras)
    for module, extra in EXTRAS.items():
        assert any(dep.startswith(module.replace("_", "-")) for dep in extras[extra])


def test_a_missing_sdk_names_the_extras_of_every_sdk_the_component_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda m: None if m == "pulumi_azure_native" else real(m)
    )
    with pytest.raises(MissingSdkError) as err:
        require("AksTcpLoadBalancer", "pulumi_azure_native", "pulumi_kubernetes")
    assert str(err.value) == (
        "AksTcpLoadBalancer needs pulumi_azure_native, which is not installed: "
        "install traffic-edge[azure,kubernetes] (pip install 'traffic-edge[azure,kubernetes]')"
    )
    assert isinstance(err.value, ImportError)
    require("SquidProxy", "pulumi_kubernetes")


def test_lazy_exports_resolve_on_use_and_refuse_unknown_names() -> None:
    getattr_ = lazy_getattr("pkg", {"dumps": ("json", ())})
    import json

    assert getattr_("dumps") is json.dumps
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'loads'"):
        getattr_("loads")
