"""Args of the issue-13 features, shared by the manifest, validation and component tests."""

from __future__ import annotations

from typing import Any

PLACEMENT: dict[str, Any] = {
    "node_selector": {"node-group": "egress"},
    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "egress", "effect": "NoSchedule"}],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}
                        ]
                    },
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}
                        ]
                    },
                ]
            }
        },
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 50,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {"matchLabels": {"app": "batch-heavy"}},
                    },
                }
            ]
        },
    },
    "priority_class_name": "egress-critical",
    "image_pull_secrets": ["mirror-pull"],
}

TENANT: dict[str, Any] = {
    "name": "payments",
    "port": 3200,
    "client_namespaces": ["payments"],
    "allowed_domains": [".stripe.com"],
    "tls_ports": [443],
    "http_ports": [],
}

CANARY: dict[str, Any] = {
    "echo_url": "https://checkip.example.net/",
    "expected_egress_ips": {
        "ap-northeast-2a": ["203.0.113.10"],
        "ap-northeast-2c": ["203.0.113.20", "203.0.113.21"],
    },
}
