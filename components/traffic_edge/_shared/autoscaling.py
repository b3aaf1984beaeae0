"""A HorizontalPodAutoscaler (autoscaling/v2) on CPU for a component's Deployment: one shape for
every component; each brings its own `behavior` (how fast it may scale up and down)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def cpu_autoscaler(
    metadata: Mapping[str, Any],
    deployment: str,
    replicas: tuple[int, int],
    target_cpu_percent: int,
    behavior: Mapping[str, Any],
) -> dict[str, Any]:
    """Scale `deployment` between `replicas` (min, max) at `target_cpu_percent` of the CPU request."""
    target = {"type": "Utilization", "averageUtilization": target_cpu_percent}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": dict(metadata),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
            "minReplicas": replicas[0],
            "maxReplicas": replicas[1],
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}],
            "behavior": dict(behavior),
        },
    }
