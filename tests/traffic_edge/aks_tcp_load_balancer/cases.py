"""Args builders the AKS test modules share, on top of seed 001 (`tests.support.aks_seed`)."""

from __future__ import annotations

from typing import Any

from tests.support.aks_seed import seed

S = "service.beta.kubernetes.io/"
"""The cloud-provider-azure annotation prefix."""


def without(*keys: str, **overrides: Any) -> dict[str, Any]:
    """Seed 001 without `keys`, then with `overrides`."""
    args = seed()
    for key in keys:
        del args[key]
    args.update(overrides)
    return args


def internal(**overrides: Any) -> dict[str, Any]:
    """Seed 001 as an internal load balancer on a fixed private IP."""
    return without(
        "public_ip_name",
        "location",
        frontend="Internal",
        internal_subnet="snet-aks-ilb",
        internal_ip="10.240.0.50",
        **overrides,
    )
