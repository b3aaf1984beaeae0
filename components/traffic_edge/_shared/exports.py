"""Lazy exports: a name is imported on first use, after checking its platform's SDK is installed.

So `from traffic_edge import SquidProxy` loads pulumi-kubernetes only, never the Azure SDK
(pulumi-azure-native alone takes seconds to import and 155 MB to install).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from traffic_edge._shared.sdk import require

Export = tuple[str, tuple[str, ...]]
"""(module, the SDK modules it needs)."""


def lazy_getattr(package: str, exports: Mapping[str, Export]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` that resolves `exports` on first access."""

    def __getattr__(name: str) -> Any:
        entry = exports.get(name)
        if entry is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, sdks = entry
        require(name, *sdks)
        return getattr(importlib.import_module(module), name)

    return __getattr__
