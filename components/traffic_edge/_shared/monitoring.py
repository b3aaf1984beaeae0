"""The prometheus-operator objects every component's monitoring is made of (ServiceMonitor,
PrometheusRule and its alert rules), one shape for all: monitoring.coreos.com/v1, as the
pinned prometheus-operator v0.93.0 CRDs define it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

API_VERSION = "monitoring.coreos.com/v1"


def alert_rule(alert: str, expr: str, for_: str, severity: str, summary: str, action: str) -> dict[str, Any]:
    """One alerting rule; its description says what to do when it fires."""
    return {
        "alert": alert,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": action},
    }


def prometheus_rule(
    name: str, namespace: str, labels: Mapping[str, str], group: str, rules: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A PrometheusRule with one group (its labels: what the Prometheus `ruleSelector` matches)."""
    return {
        "apiVersion": API_VERSION,
        "kind": "PrometheusRule",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {"groups": [{"name": group, "rules": list(rules)}]},
    }


def service_monitor(
    metadata: Mapping[str, Any], selector: Mapping[str, str], port: str, path: str, interval: str
) -> dict[str, Any]:
    """A ServiceMonitor scraping `port`/`path` of the Services `selector` matches (job = a
    Service's name, the operator's default jobLabel, which the alerts select on)."""
    return {
        "apiVersion": API_VERSION,
        "kind": "ServiceMonitor",
        "metadata": dict(metadata),
        "spec": {
            "selector": {"matchLabels": dict(selector)},
            "endpoints": [{"port": port, "path": path, "interval": interval}],
        },
    }
