"""Each component needs only its platform's SDK; a missing one names the extra that brings it."""

from __future__ import annotations

import importlib.util

EXTRAS = {
    "pulumi_aws": "aws",
    "pulumi_azure_native": "azure",
    "pulumi_kubernetes": "kubernetes",
}
"""SDK module -> the `traffic-edge[...]` extra that installs it (pyproject's optional-dependencies)."""


class MissingSdkError(ImportError):
    """A component was imported without the Pulumi SDK of its platform installed."""


def require(component: str, *modules: str) -> None:
    """Raise MissingSdkError naming the extras to install unless every SDK module is importable."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        extras = ",".join(sorted({EXTRAS[m] for m in modules}))
        raise MissingSdkError(
            f"{component} needs {' and '.join(missing)}, which is not installed: "
            f"install traffic-edge[{extras}] (pip install 'traffic-edge[{extras}]')",
            name=missing[0],
        )
