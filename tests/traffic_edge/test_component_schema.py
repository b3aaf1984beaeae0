"""The package schema other languages get: the Pulumi SDK's own component analyzer, no CLI.

`pulumi package add <repo>@<tag>` runs `components/traffic_edge/provider_host.py`, whose schema comes from
this same analyzer; a component it rejects cannot be used from TypeScript, Go or YAML at all.
"""

from __future__ import annotations

import importlib
import json
import re
import typing
from typing import Any

import pulumi
import pytest
import yaml

from tests.support.stacks import REPO
from traffic_edge import provider_host

# What the analyzer rejects today, word for word, and why; the lead fixes these in the
# components. Strict xfail: once fixed, the test fails until the entry is removed.
KNOWN_REJECTIONS: dict[str, str] = {}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _component(module: str, cls_name: str) -> type[pulumi.ComponentResource]:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name == module:
            pytest.skip(f"{module} is not written yet")
        raise
    return provider_host.resolve_annotations(getattr(mod, cls_name))


def _schema_of(cls: type[pulumi.ComponentResource]) -> dict[str, Any]:
    from pulumi.provider.experimental.component import ComponentProvider

    provider = ComponentProvider([cls], provider_host.PACKAGE, version=provider_host.VERSION)
    assert provider.schema is not None
    loaded: dict[str, Any] = json.loads(provider.schema)
    return loaded


def _required(td: Any) -> list[str]:
    """Required keys from the (resolved) annotations: with postponed annotations Python 3.11's
    TypedDict cannot see ``Required[...]``, so ``__required_keys__`` is wrong for total=False."""
    out = []
    for key, tp in td.__annotations__.items():
        origin = typing.get_origin(tp)
        if origin is typing.Required or (td.__total__ and origin is not typing.NotRequired):
            out.append(key)
    return out


def _typed(prop: dict[str, Any]) -> bool:
    if "$ref" in prop:
        return True
    if prop.get("type") == "array":
        return _typed(prop["items"])
    if prop.get("type") == "object" and "additionalProperties" in prop:
        return _typed(prop["additionalProperties"])
    return prop.get("type") in ("string", "integer", "number", "boolean", "object")


@pytest.mark.parametrize(
    ("module", "cls_name"), provider_host.COMPONENTS, ids=[c for _, c in provider_host.COMPONENTS]
)
def test_every_component_is_in_the_schema_with_typed_documented_inputs_and_outputs(
    module: str, cls_name: str
) -> None:
    cls = _component(module, cls_name)
    if cls_name in KNOWN_REJECTIONS:
        with pytest.raises(Exception) as err:
            _schema_of(cls)
        assert str(err.value) == KNOWN_REJECTIONS[cls_name]
        pytest.xfail(f"analyzer rejects {cls_name}: {KNOWN_REJECTIONS[cls_name]}")
    schema = _schema_of(cls)
    token = f"traffic-edge:index:{cls_name}"
    assert list(schema["resources"]) == [token]
    res = schema["resources"][token]
    assert res["isComponent"] is True
    assert res.get("description"), "the class docstring becomes the resource description"

    args_type = typing.get_type_hints(cls.__init__)["args"]
    assert sorted(res["inputProperties"]) == sorted(_camel(k) for k in args_type.__annotations__)
    assert sorted(res.get("requiredInputs", [])) == sorted(_camel(k) for k in _required(args_type))
    for name, prop in res["inputProperties"].items():
        assert _typed(prop), f"{cls_name}.{name} has no type: {prop}"
        assert prop.get("description"), f"{cls_name} arg {name} has no docstring"

    outputs = [k for k, v in cls.__annotations__.items() if typing.get_origin(v) is pulumi.Output]
    assert outputs, f"{cls_name} declares no typed outputs"
    assert sorted(res["properties"]) == sorted(_camel(k) for k in outputs)
    for name, prop in res["properties"].items():
        assert _typed(prop), f"{cls_name} output {name} has no type: {prop}"

    # Every nested args type is an object type with typed (and documented) properties.
    for type_token, t in schema.get("types", {}).items():
        assert type_token.startswith("traffic-edge:index:")
        for name, prop in t.get("properties", {}).items():
            assert _typed(prop), f"{type_token}.{name} has no type: {prop}"


def test_the_host_serves_exactly_the_components_of_the_package() -> None:
    found = {cls for _, cls in provider_host.COMPONENTS}
    exported = set()
    for path in sorted((REPO / "components" / "traffic_edge").rglob("*.py")):
        text = path.read_text()
        exported |= set(re.findall(r"^class (\w+)\(pulumi\.ComponentResource\)", text, re.M))
    assert exported <= found, f"components not in provider_host.COMPONENTS: {sorted(exported - found)}"


def test_plugin_manifest_runs_the_host_with_the_projects_toolchain() -> None:
    manifest = yaml.safe_load((REPO / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"] == {"name": "python", "options": {"toolchain": "uv"}}
    assert (REPO / manifest["main"]).resolve() == REPO / "components" / "traffic_edge" / "provider_host.py"
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'name = "{provider_host.PACKAGE}"' in pyproject
    assert f'version = "{provider_host.VERSION}"' in pyproject
