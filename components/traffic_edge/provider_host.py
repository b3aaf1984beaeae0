"""The component provider host: how TypeScript, Go, YAML (any Pulumi language) use these components.

`PulumiPlugin.yaml` points the Pulumi CLI here; `pulumi package add <repo>@<tag>` runs this
file, the SDK's analyzer infers the package schema from the components' `args` TypedDicts and
`pulumi.Output[...]` class annotations (docstrings become descriptions), and the CLI generates
an SDK in the consumer's language. Tokens are ``traffic-edge:index:<ClassName>``, the same the
Python classes register, so a stack may switch between the two without replacing anything.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import typing
from collections.abc import Iterable
from types import ModuleType
from typing import Any, ForwardRef

import pulumi

PACKAGE = "traffic-edge"
"""The package name: the first part of every type token (pyproject's project name)."""
VERSION = "0.1.0"
"""Keep equal to pyproject's version and the release tag (CHANGELOG.md)."""

COMPONENTS: tuple[tuple[str, str], ...] = (
    ("traffic_edge.squid_proxy.component", "SquidProxy"),
    ("traffic_edge.egress_nat.component", "EgressNatGateways"),
    ("traffic_edge.aks_tcp_load_balancer.component", "AksTcpLoadBalancer"),
    ("traffic_edge.proxy_protocol_ingress.component", "ProxyProtocolIngress"),
    ("traffic_edge.traefik_gateway.component", "TraefikGateway"),
)
"""Every ComponentResource the package exports, as (module, class)."""


def _evaluate(value: Any, module: ModuleType) -> Any:
    if isinstance(value, ForwardRef):
        value = value.__forward_arg__
    if isinstance(value, str):
        return eval(value, vars(module))
    return value


def _nested(tp: Any) -> Iterable[Any]:
    yield tp
    for arg in typing.get_args(tp):
        yield from _nested(arg)


def _resolve_typeddict(td: Any, done: set[int]) -> None:
    if id(td) in done:
        return
    done.add(id(td))
    module = sys.modules[td.__module__]
    td.__annotations__ = {k: _evaluate(v, module) for k, v in td.__annotations__.items()}
    for tp in td.__annotations__.values():
        for inner in _nested(tp):
            if typing.is_typeddict(inner) and inner.__module__.startswith("traffic_edge."):
                _resolve_typeddict(inner, done)


def resolve_annotations(cls: type[pulumi.ComponentResource]) -> type[pulumi.ComponentResource]:
    """Evaluate the postponed (``from __future__ import annotations``) annotations the analyzer reads.

    The analyzer (pulumi 3.272) reads ``__annotations__`` as they are, and with postponed
    evaluation those are strings and ForwardRefs, which it rejects (``'str' object has no
    attribute '__mro__'``). `typing.get_type_hints` cannot do it either: it also evaluates the
    ForwardRefs inside ``pulumi.Input``'s alias, which do not resolve outside ``pulumi.output``.
    """
    module = sys.modules[cls.__module__]
    init: Any = cls.__init__
    init.__annotations__ = {k: _evaluate(v, module) for k, v in init.__annotations__.items()}
    own = inspect.get_annotations(cls)
    cls.__annotations__ = {k: _evaluate(v, module) for k, v in own.items()}
    args = init.__annotations__.get("args")
    done: set[int] = set()
    for inner in _nested(args):
        if typing.is_typeddict(inner):
            _resolve_typeddict(inner, done)
    return cls


def components() -> list[type[pulumi.ComponentResource]]:
    found = []
    for module_name, class_name in COMPONENTS:
        cls = getattr(importlib.import_module(module_name), class_name)
        found.append(resolve_annotations(cls))
    return found


def schema() -> dict[str, Any]:
    """The package schema the CLI would get, without starting the provider."""
    from pulumi.provider.experimental.component import ComponentProvider

    provider = ComponentProvider(components(), PACKAGE, version=VERSION)
    assert provider.schema is not None
    loaded: dict[str, Any] = json.loads(provider.schema)
    return loaded


def main() -> None:
    from pulumi.provider.experimental import component_provider_host

    component_provider_host(components(), PACKAGE, version=VERSION)


__all__ = ["COMPONENTS", "PACKAGE", "VERSION", "components", "main", "resolve_annotations", "schema"]

if __name__ == "__main__":
    main()
