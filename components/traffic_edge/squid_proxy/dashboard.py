"""The Grafana dashboard for a SquidProxy: panels over the boynux/squid-exporter (v1.13) metrics.

Shipped as a ConfigMap labelled `grafana_dashboard: "1"`, which the Grafana Helm chart's
dashboard sidecar loads. Every query is scoped to one proxy by `namespace` and `job` (the
ServiceMonitor makes `job` the Service name), so two proxies in one cluster never mix.

Metric names are the exporter's: counters from Squid's `counters` page
(`squid_client_http_requests_total`, `squid_server_all_kbytes_in_kbytes_total`, ...), the
5-minute service-time percentiles from `service_times` (`squid_HTTP_Requests_All_50`, in
seconds) and `squid_up`.
"""

from __future__ import annotations

import hashlib
import json
from functools import partial
from typing import Any

from traffic_edge.squid_proxy.alerts import canary_selector
from traffic_edge.squid_proxy.facts import CRONJOB_LAST_SUCCESS_METRIC, DASHBOARD_LABEL

_RATE = "$__rate_interval"


def _target(expr: str, legend: str, ref: str) -> dict[str, Any]:
    return {
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "expr": expr,
        "legendFormat": legend,
        "refId": ref,
    }


def _panel(
    panel_id: int,
    title: str,
    kind: str,
    unit: str,
    grid: tuple[int, int, int, int],
    targets: list[dict[str, Any]],
    description: str,
) -> dict[str, Any]:
    x, y, w, h = grid
    return {
        "id": panel_id,
        "type": kind,
        "title": title,
        "description": description,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": targets,
    }


def _rate(sel: str, metric: str, by: str = "") -> str:
    """The per-second rate of a counter of this proxy, summed (by `by`, if given)."""
    group = f" by ({by})" if by else ""
    return f"sum{group} (rate({metric}{{{sel}}}[{_RATE}]))"


def _traffic_panels(sel: str) -> list[dict[str, Any]]:
    """Is Squid up, and how many requests and errors do clients send."""
    rate = partial(_rate, sel)
    return [
        _panel(
            1,
            "Squid up",
            "stat",
            "none",
            (0, 0, 6, 6),
            [
                _target(f"sum(squid_up{{{sel}}})", "pods answering", "A"),
                _target(f"count(squid_up{{{sel}}})", "pods scraped", "B"),
            ],
            "Pods whose exporter could read Squid's cache manager over loopback, out of the pods scraped.",
        ),
        _panel(
            2,
            "Client requests per second",
            "timeseries",
            "reqps",
            (6, 0, 9, 6),
            [
                _target(rate("squid_client_http_requests_total", "pod"), "{{pod}}", "A"),
                _target(rate("squid_client_http_requests_total"), "total", "B"),
            ],
            "Requests clients sent to the proxy, per pod: an uneven split means zone spreading or local-zone routing is off.",
        ),
        _panel(
            3,
            "Errors and denied requests",
            "timeseries",
            "percentunit",
            (15, 0, 9, 6),
            [
                _target(
                    f"{rate('squid_client_http_errors_total')} / clamp_min({rate('squid_client_http_requests_total')}, 1e-9)",
                    "error replies (403 denied and 5xx upstream failures) / requests",
                    "A",
                ),
            ],
            # Squid counts server.all.errors / server.http.errors but never increments them (no code
            # adds to them in 5.7 or 6.13; a refused connection leaves both at 0 on real Squid 5.7),
            # so a series of them could never move: upstream failures are client-side 5xx replies.
            "Every error reply Squid sends: a request to a host off the allowlist (403), and a destination that "
            "refuses, resets or times out (the client gets a 5xx). Squid has no working upstream-error counter.",
        ),
    ]


def _latency_and_bytes_panels(sel: str) -> list[dict[str, Any]]:
    """How long requests take, and the bytes on either side of the proxy."""
    rate = partial(_rate, sel)
    return [
        _panel(
            4,
            "Service time (Squid's 5-minute percentiles)",
            "timeseries",
            "s",
            (0, 6, 12, 8),
            [
                _target(f"max(squid_HTTP_Requests_All_50{{{sel}}})", "HTTP p50 (worst pod)", "A"),
                _target(f"max(squid_HTTP_Requests_All_95{{{sel}}})", "HTTP p95 (worst pod)", "B"),
                _target(f"max(squid_DNS_Lookups_95{{{sel}}})", "DNS lookup p95 (worst pod)", "C"),
            ],
            "Time from request to last byte as Squid measures it; DNS lookups are part of every uncached request.",
        ),
        _panel(
            5,
            "Client traffic",
            "timeseries",
            "Bps",
            (12, 6, 12, 8),
            [
                _target(f"{rate('squid_client_http_kbytes_in_kbytes_total')} * 1024", "from clients", "A"),
                _target(f"{rate('squid_client_http_kbytes_out_kbytes_total')} * 1024", "to clients", "B"),
            ],
            "Bytes between the cluster's pods and the proxy.",
        ),
        _panel(
            6,
            "Server traffic (egress through the NAT gateways)",
            "timeseries",
            "Bps",
            (0, 14, 12, 8),
            [
                _target(f"{rate('squid_server_all_kbytes_out_kbytes_total')} * 1024", "to destinations", "A"),
                _target(
                    f"{rate('squid_server_all_kbytes_in_kbytes_total')} * 1024", "from destinations", "B"
                ),
            ],
            "Bytes between the proxy and the allowlisted destinations: what the NAT gateways carry and bill.",
        ),
        _panel(
            7,
            "Upstream requests per second",
            "timeseries",
            "reqps",
            (12, 14, 12, 8),
            [
                _target(rate("squid_server_all_requests_total"), "requests", "A"),
            ],
            "Requests Squid made to destinations; fewer than client requests when requests are denied.",
        ),
    ]


def _canary_panels(namespace: str, job: str) -> list[dict[str, Any]]:
    """kube-state-metrics' CronJob series: a canary Job succeeds only when the address the echo saw
    is one of its zone's egress IPs."""
    sel = canary_selector(namespace, job)
    return [
        _panel(
            9,
            "Egress canary: minutes since each zone last left through its egress IPs",
            "timeseries",
            "m",
            (0, 22, 24, 8),
            [_target(f"(time() - {CRONJOB_LAST_SUCCESS_METRIC}{{{sel}}}) / 60", "{{cronjob}}", "A")],
            "Each zone's canary (CronJob <name>-canary-<zone>) asks an IP-echo URL through the proxy; "
            "a run succeeds only when the address seen is one of that zone's egress IPs. A line that "
            "keeps climbing past a few intervals is the SquidEgressCanaryFailing alert; the Job's log "
            "says which address was seen.",
        )
    ]


def dashboard(title: str, namespace: str, job: str, *, canary: bool = False) -> dict[str, Any]:
    """The dashboard model (Grafana JSON) for the proxy whose metrics carry `namespace` and `job`;
    with `canary`, the egress canary's panel too."""
    sel = f'namespace="{namespace}", job="{job}"'
    return {
        "title": title,
        "uid": _uid(namespace, job),
        "tags": ["squid", "egress", "traffic-edge"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                }
            ]
        },
        "panels": _traffic_panels(sel)
        + _latency_and_bytes_panels(sel)
        + (_canary_panels(namespace, job) if canary else []),
    }


def _uid(namespace: str, job: str) -> str:
    # Grafana uids are at most 40 characters; a stable one keeps links and stars across updates.
    return "squid-" + hashlib.sha256(f"{namespace}/{job}".encode()).hexdigest()[:20]


def dashboard_configmap(
    name: str, namespace: str, proxy_namespace: str, job: str, *, canary: bool = False
) -> dict[str, Any]:
    """The ConfigMap manifest that the Grafana sidecar turns into the dashboard."""
    model = dashboard(f"Squid egress proxy {proxy_namespace}/{job}", proxy_namespace, job, canary=canary)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {
                **DASHBOARD_LABEL,
                "app.kubernetes.io/name": "squid",
                "app.kubernetes.io/instance": job,
            },
        },
        "data": {f"{proxy_namespace}-{job}.json": json.dumps(model, indent=2, sort_keys=True)},
    }
