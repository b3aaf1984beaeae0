"""The alerts a platform team is paged by when the egress proxy fails, as a PrometheusRule.

Written against what boynux/squid-exporter 1.13.0 exposes (`squid_up`, the `client_http` and
`server_all` counters, the cache manager's `info` page as `squid_info_*` gauges) and Prometheus'
own `up` for the scrape; scoped by the labels the
ServiceMonitor gives (job = the Service's name, namespace). Each rule says in its annotations
what happened and what to do; docs/squid-proxy.md has the same runbook. The rules are checked
with `promtool check rules` and tested with `promtool test rules` on series shaped like the
exporter's (tests/traffic_edge/squid_proxy/test_alerts.py).
"""

from __future__ import annotations

from typing import Any

from traffic_edge._shared import monitoring
from traffic_edge._shared.monitoring import alert_rule
from traffic_edge.squid_proxy.facts import CRONJOB_CREATED_METRIC, CRONJOB_LAST_SUCCESS_METRIC


def alert_rules(namespace: str, job: str) -> list[dict[str, Any]]:
    """The rule group's rules for the proxy whose metrics carry `namespace` and `job`."""
    sel = f'namespace="{namespace}", job="{job}"'
    clients = f"sum(rate(squid_client_http_requests_total{{{sel}}}[5m]))"
    upstream = f"sum(rate(squid_server_all_requests_total{{{sel}}}[5m]))"
    errors = f"sum(rate(squid_client_http_errors_total{{{sel}}}[5m]))"
    where = f"Squid {namespace}/{job}"
    fds_used = f"squid_info_Number_of_file_desc_currently_in_use{{{sel}}}"
    fds_max = f"squid_info_Maximum_number_of_file_descriptors{{{sel}}}"
    return [
        alert_rule(
            "SquidProxyDown",
            f"squid_up{{{sel}}} == 0",
            "2m",
            "critical",
            f"{where}: the cache manager of pod {{{{ $labels.pod }}}} does not answer",
            "The exporter runs but Squid does not answer on loopback: Squid crashed or is restarting. "
            "Check `kubectl logs <pod> -c squid` (access and cache log) and the pod's restarts.",
        ),
        alert_rule(
            "SquidProxyNotScraped",
            f"absent(up{{{sel}}} == 1)",
            "10m",
            "critical",
            f"{where}: no exporter answers a scrape",
            "Every pod is gone, or the squid-exporter sidecar is down, or Prometheus does not select the "
            "ServiceMonitor (its labels: service_monitor_labels). Nothing else here can fire without it.",
        ),
        alert_rule(
            "SquidProxyNotForwarding",
            f"{clients} > 0 and {upstream} == 0",
            "10m",
            "critical",
            f"{where}: clients send requests but none goes upstream",
            "Every request is denied or fails before it reaches a destination: check the allowlist "
            "change that shipped last, DNS from the pods, and the NAT gateways' routes.",
        ),
        alert_rule(
            "SquidProxyErrorRatioHigh",
            f"{errors} / clamp_min({clients}, 1e-9) > 0.5 and {clients} > 0.1",
            "15m",
            "warning",
            f"{where}: more than half of the replies are errors",
            "403s are requests to hosts off the allowlist (a team's new dependency?), 5xx are "
            "destinations failing: the access log (`kubectl logs <pod> -c squid`) says which.",
        ),
        alert_rule(
            "SquidProxyFileDescriptorsNearLimit",
            f"{fds_used} / clamp_min({fds_max}, 1) > 0.8",
            "10m",
            "warning",
            f"{where}: pod {{{{ $labels.pod }}}} uses more than 80% of its file descriptors",
            "Every client connection and every upstream connection holds a descriptor; at the limit Squid "
            "refuses new connections. Add replicas (or let the HPA), look for clients holding idle "
            "connections open, and check the container's nofile limit against max_filedescriptors.",
        ),
    ]


CANARY_MISSED_RUNS = 3
"""The canary alert fires when no run has matched for this many intervals (and a minute's slack)."""


def canary_selector(namespace: str, name: str) -> str:
    """kube-state-metrics' labels of the proxy's canary CronJobs (`<name>-canary-<zone>`)."""
    return f'namespace="{namespace}", cronjob=~"{name}-canary-.+"'


def canary_rules(namespace: str, name: str, interval_minutes: int) -> list[dict[str, Any]]:
    """The canary's rule, over kube-state-metrics' CronJob series: no matching run for three
    intervals, or none at all since the CronJob was created that long ago."""
    sel = canary_selector(namespace, name)
    limit = (CANARY_MISSED_RUNS * interval_minutes + 1) * 60
    last = f"max by (namespace, cronjob) ({CRONJOB_LAST_SUCCESS_METRIC}{{{sel}}})"
    created = f"max by (namespace, cronjob) ({CRONJOB_CREATED_METRIC}{{{sel}}})"
    expr = (
        f"(time() - {last} > {limit}) or (time() - {created} > {limit} unless on (namespace, cronjob) {last})"
    )
    return [
        alert_rule(
            "SquidEgressCanaryFailing",
            expr,
            "1m",
            "critical",
            f"Squid {namespace}/{name}: {{{{ $labels.cronjob }}}} has not seen an allowlisted egress IP "
            f"for {CANARY_MISSED_RUNS} runs",
            "Traffic of that zone may be leaving through an address the third parties do not allowlist, or "
            "the canary cannot reach the echo URL. `kubectl logs job/<latest job>` says which address was "
            "seen (a NAT gateway or EIP replaced? routes of the zone's private subnets?) or that nothing "
            "answered (the proxy, the echo service, DNS).",
        )
    ]


def prometheus_rule(
    name: str, namespace: str, job: str, labels: dict[str, str], canary_interval: int | None = None
) -> dict[str, Any]:
    """The PrometheusRule object (its labels: what the Prometheus `ruleSelector` matches); with the
    canary on (`canary_interval` minutes), its rule too."""
    rules = alert_rules(namespace, job)
    if canary_interval is not None:
        rules += canary_rules(namespace, job, canary_interval)
    return monitoring.prometheus_rule(name, namespace, labels, f"squid-{namespace}-{job}", rules)
