"""The alerts a platform team is paged by when the PROXY-protocol edge fails, as a PrometheusRule.

Written against what HAProxy's own Prometheus exporter exposes (the `prometheus-exporter`
service of haproxy.cfg's stats frontend; metric names as HAProxy 2.6 prints them, e.g.
`haproxy_backend_active_servers{proxy="be_https"}`, `haproxy_server_status{state="DOWN"}`)
and Prometheus' own `up` for the scrape; scoped by the labels the ServiceMonitor gives (job =
the metrics Service's name, namespace). Backends are ``be_<port name>``, frontends
``fe_<port name>`` (haproxy_cfg.py), so the stats frontend never counts as traffic.

Each rule says in its annotations what happened and what to do; docs/proxy-protocol-ingress.md
has the same runbook. The rules are checked with `promtool check rules`, tested with `promtool
test rules` on series shaped like the exporter's (tests/.../test_alerts.py), and every metric
they read is scraped from a real HAProxy by a real Prometheus (tests/.../test_monitoring_real.py).
"""

from __future__ import annotations

from typing import Any

from traffic_edge._shared import monitoring
from traffic_edge._shared.monitoring import alert_rule

ERROR_RATIO = 0.05
"""Share of a backend's connections that failed after every retry: above it, clients see errors."""
RETRY_RATIO = 0.1
"""Share of a backend's connections that needed a retry: above it, a gateway refuses connections."""
MAXCONN_RATIO = 0.9
"""Share of a frontend's `maxconn` in use: above it, new connections soon wait in the backlog."""
MIN_RATE = 0.1
"""Connections per second below which a ratio says nothing (a handful of connections)."""


def _ratio(counter: str, sel: str, limit: float) -> str:
    """`counter` per connection of each backend, where the backend has traffic at all."""
    by = "sum by (namespace, job, proxy)"
    sessions = f'{by} (rate(haproxy_backend_sessions_total{{{sel}, proxy=~"be_.+"}}[5m]))'
    part = f'{by} (rate({counter}{{{sel}, proxy=~"be_.+"}}[5m]))'
    return f"{part} / clamp_min({sessions}, 1e-9) > {limit} and {sessions} > {MIN_RATE}"


def _backend_rules(sel: str, where: str, gateway: str) -> list[dict[str, Any]]:
    return [
        alert_rule(
            "HAProxyNoHealthyGateway",
            f'haproxy_backend_active_servers{{{sel}, proxy=~"be_.+"}} == 0',
            "1m",
            "critical",
            f"{where}: pod {{{{ $labels.pod }}}} has no healthy gateway server for {{{{ $labels.proxy }}}}",
            f"Every client connection to this port through this HAProxy pod fails. The gateway pods are "
            f"gone or not ready (the headless Service {gateway} has no endpoints), or every health "
            "check fails: a NetworkPolicy or CNI change between HAProxy and the gateway ports. "
            "`kubectl logs <haproxy pod>` says 'Server be_<port>/gwN is DOWN, reason: ...'.",
        ),
        alert_rule(
            "HAProxyGatewayServerDown",
            f'haproxy_server_status{{{sel}, proxy=~"be_.+", state="DOWN"}} == 1',
            "10m",
            "warning",
            f"{where}: gateway server {{{{ $labels.proxy }}}}/{{{{ $labels.server }}}} fails its health checks",
            f"A gateway pod that {gateway} still lists has failed HAProxy's checks for 10 minutes: it gets "
            "no traffic and the others carry its share. Find the pod (`kubectl logs <haproxy pod>` names the "
            "address and the reason) and check that it listens on the port and that the gateway's "
            "NetworkPolicy admits the HAProxy pods.",
        ),
        alert_rule(
            "HAProxyGatewayConnectionErrors",
            _ratio("haproxy_backend_connection_errors_total", sel, ERROR_RATIO),
            "5m",
            "critical",
            f"{where}: over {ERROR_RATIO:.0%} of connections to {{{{ $labels.proxy }}}} fail after every retry",
            "Clients get their connection closed: no gateway server was up, or every retry was refused "
            "or timed out. See HAProxyNoHealthyGateway, then the gateway pods' readiness and logs.",
        ),
        alert_rule(
            "HAProxyGatewayRetriesHigh",
            _ratio("haproxy_backend_retry_warnings_total", sel, RETRY_RATIO),
            "15m",
            "warning",
            f"{where}: over {RETRY_RATIO:.0%} of connections to {{{{ $labels.proxy }}}} need a retry",
            "Gateway pods refuse or time out connections while HAProxy still counts them UP (a gateway "
            "restarting in a loop, a listener missing on one pod). Retries on other servers hide it "
            "from clients for now: find the pod with the most `haproxy_server_retry_warnings_total`.",
        ),
    ]


def _edge_rules(sel: str, where: str) -> list[dict[str, Any]]:
    fe = f'{sel}, proxy=~"fe_.+"'
    return [
        alert_rule(
            "HAProxyConnectionsNearLimit",
            f"haproxy_frontend_current_sessions{{{fe}}} / haproxy_frontend_limit_sessions{{{fe}}} "
            f"> {MAXCONN_RATIO}",
            "5m",
            "warning",
            f"{where}: pod {{{{ $labels.pod }}}} uses over {MAXCONN_RATIO:.0%} of maxconn on {{{{ $labels.proxy }}}}",
            "Connections beyond maxconn wait in the kernel backlog and then time out. Raise `maxconn` "
            "(and the memory limit with it) or `replicas`, or look for clients that hold connections open.",
        ),
        alert_rule(
            "HAProxyTargetDown",
            f"up{{{sel}}} == 0",
            "5m",
            "warning",
            f"{where}: Prometheus cannot scrape pod {{{{ $labels.pod }}}}",
            "The pod is not ready or restarting (`kubectl describe pod`), or the HAProxy NetworkPolicy does "
            "not admit Prometheus: it runs outside `monitoring_namespace`. Its alerts are blind meanwhile.",
        ),
        alert_rule(
            "HAProxyNotScraped",
            f"absent(up{{{sel}}} == 1)",
            "10m",
            "critical",
            f"{where}: no HAProxy pod answers a scrape",
            "Every HAProxy pod is gone (the edge is down), or Prometheus does not select the ServiceMonitor "
            "(its labels: service_monitor_labels) or cannot reach port 8404. No other HAProxy alert can fire.",
        ),
    ]


def alert_rules(namespace: str, job: str, gateway: str) -> list[dict[str, Any]]:
    """The rules for the HAProxy whose metrics carry `namespace` and `job`; `gateway` names the
    Service HAProxy finds the gateway pods through (``istio-system/edge-gateway-pp``)."""
    sel = f'namespace="{namespace}", job="{job}"'
    where = f"HAProxy edge {namespace}/{job}"
    return _backend_rules(sel, where, gateway) + _edge_rules(sel, where)


def prometheus_rule(
    name: str, namespace: str, job: str, gateway: str, labels: dict[str, str]
) -> dict[str, Any]:
    """The PrometheusRule object (its labels: what the Prometheus `ruleSelector` matches)."""
    rules = alert_rules(namespace, job, gateway)
    return monitoring.prometheus_rule(name, namespace, labels, f"haproxy-{namespace}-{job}", rules)
