"""The args every ProxyProtocolIngress test starts from: the seed's two placements."""

from __future__ import annotations

from typing import Any

IN_CLUSTER_ARGS: dict[str, Any] = {
    "istio_version": "1.24",
    "ports": [
        {"name": "http", "port": 80, "target_port": 8080},
        {"name": "https", "port": 443, "target_port": 8443},
    ],
    "metallb": {"addresses": ["192.168.50.240/29", "192.168.50.250-192.168.50.252"]},
    "load_balancer_ip": "192.168.50.241",
}

EXTERNAL_ARGS: dict[str, Any] = {
    "istio_version": "1.18",
    "placement": "external",
    "ports": [
        {"name": "http", "port": 80, "target_port": 8080, "node_port": 30080},
        {"name": "https", "port": 443, "target_port": 8443, "node_port": 30443},
    ],
    "node_addresses": ["10.20.0.11", "10.20.0.12", "10.20.0.13"],
    "haproxy_source_cidrs": ["10.20.1.5/32", "10.20.1.6/32"],
    "health_check": {"inter_ms": 1000, "fall": 2, "rise": 2},
}
