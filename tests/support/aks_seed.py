"""Seed 001's AKS TCP service as AksTcpLoadBalancer args, shared by the AKS test modules."""

from __future__ import annotations

from typing import Any

PRINCIPAL = "11111111-2222-3333-4444-555555555555"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def seed(**overrides: Any) -> dict[str, Any]:
    """Seed 001: kimmap-backend-tcp, 9999 -> 8888, PIP kimmap-tcp-pip in rg-network, interval 59."""
    args: dict[str, Any] = {
        "service_name": "kimmap-backend-tcp",
        "namespace": "kimmap",
        "selector": {"app": "kimmap-backend"},
        "ports": [{"name": "tcp-client", "port": 9999, "target_port": 8888}],
        "network_resource_group": "rg-network",
        "public_ip_name": "kimmap-tcp-pip",
        "location": "koreacentral",
        "probe_interval_seconds": 59,
        "kubernetes_version": "1.30",
        "cluster_principal_id": PRINCIPAL,
        "subscription_id": SUBSCRIPTION,
    }
    args.update(overrides)
    return args
