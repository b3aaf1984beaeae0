"""The Grafana dashboard: real exporter metrics only, scoped to one proxy, every topic the issue names."""

from __future__ import annotations

import json
import re
from itertools import combinations

from traffic_edge.squid_proxy.dashboard import dashboard, dashboard_configmap

# What boynux/squid-exporter v1.13.0 exposes (collector/counters.go, service_times.go, metrics.go).
_COUNTER_SECTIONS = ("client_http", "server_http", "server_all", "server_ftp", "server_other")
EXPORTER_METRICS = (
    {"squid_up"}
    | {f"squid_{s}_{c}_total" for s in _COUNTER_SECTIONS for c in ("requests", "errors")}
    | {f"squid_{s}_{c}_kbytes_total" for s in _COUNTER_SECTIONS for c in ("kbytes_in", "kbytes_out")}
    | {"squid_client_http_hits_total", "squid_client_http_hit_kbytes_out_bytes_total"}
    | {f"squid_HTTP_Requests_All_{p}" for p in range(5, 101, 5)}
    | {
        f"squid_{s}_{p}"
        for s in ("Cache_Misses", "Cache_Hits", "Near_Hits", "DNS_Lookups")
        for p in range(5, 96, 5)
    }
)

MODEL = dashboard("Squid egress", "egress", "squid")
EXPRS = [(panel["title"], t["expr"]) for panel in MODEL["panels"] for t in panel["targets"]]
METRIC = re.compile(r"\b(squid_[A-Za-z0-9_]+)\{([^}]*)\}")


def metrics_of(expr: str) -> list[tuple[str, str]]:
    return METRIC.findall(expr)


def test_every_query_uses_real_exporter_metrics() -> None:
    used = {m for _, expr in EXPRS for m, _ in metrics_of(expr)}
    assert used, "no metric found"
    assert used <= EXPORTER_METRICS, used - EXPORTER_METRICS


# Exposed by the exporter but never incremented by Squid (no code adds to server.*.errors in 5.7
# or 6.13; a refused upstream connection leaves them at 0 on real Squid 5.7): a series of them
# would be a flat line that reads as "no upstream errors" while clients get 502s.
NEVER_MOVE = {f"squid_{s}_errors_total" for s in ("server_http", "server_all", "server_ftp", "server_other")}


def test_no_query_reads_a_counter_squid_never_increments() -> None:
    used = {m for _, expr in EXPRS for m, _ in metrics_of(expr)}
    assert not used & NEVER_MOVE, used & NEVER_MOVE


def test_every_metric_is_scoped_to_this_proxy() -> None:
    for title, expr in EXPRS:
        found = metrics_of(expr)
        assert found, (title, expr)
        assert {sel for _, sel in found} == {'namespace="egress", job="squid"'}, (title, expr)
        # Every squid_ name in the expression carries the selector (none slipped through bare).
        assert len(re.findall(r"\bsquid_[A-Za-z0-9_]+", expr)) == len(found), expr


def test_panels_cover_what_an_operator_needs() -> None:
    def panel_using(*metrics: str) -> str:
        for panel in MODEL["panels"]:
            names = {m for t in panel["targets"] for m, _ in metrics_of(t["expr"])}
            if set(metrics) <= names:
                return str(panel["title"])
        raise AssertionError(f"no panel uses {metrics}")

    assert panel_using("squid_up")
    assert panel_using("squid_client_http_requests_total")
    assert panel_using("squid_client_http_errors_total", "squid_client_http_requests_total")
    assert panel_using("squid_HTTP_Requests_All_50", "squid_HTTP_Requests_All_95")
    assert panel_using(
        "squid_client_http_kbytes_in_kbytes_total", "squid_client_http_kbytes_out_kbytes_total"
    )
    assert panel_using("squid_server_all_kbytes_in_kbytes_total", "squid_server_all_kbytes_out_kbytes_total")


def test_counters_are_rated_and_kilobytes_become_bytes() -> None:
    for title, expr in EXPRS:
        for metric, _ in metrics_of(expr):
            if metric.endswith("_total"):
                assert f"rate({metric}{{" in expr, (title, expr)
            if "kbytes" in metric:
                assert expr.endswith("* 1024"), (title, expr)


def test_queries_are_balanced() -> None:
    for title, expr in EXPRS:
        for open_, close in ("()", "{}", "[]"):
            depth = 0
            for ch in expr:
                depth += (ch == open_) - (ch == close)
                assert depth >= 0, (title, expr)
            assert depth == 0, (title, expr)


def test_layout_has_unique_ids_and_no_overlapping_panels() -> None:
    panels = MODEL["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        refs = [t["refId"] for t in panel["targets"]]
        assert len(set(refs)) == len(refs)
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24

    def cells(p: dict[str, dict[str, int]]) -> set[tuple[int, int]]:
        g = p["gridPos"]
        return {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}

    for a, b in combinations(panels, 2):
        assert not cells(a) & cells(b), (a["title"], b["title"])


def test_uid_is_stable_per_proxy_and_distinct_between_proxies() -> None:
    assert MODEL["uid"] == dashboard("renamed title", "egress", "squid")["uid"]
    assert MODEL["uid"] != dashboard("Squid egress", "egress", "squid-b")["uid"]
    assert len(MODEL["uid"]) <= 40


def test_configmap_is_picked_up_by_the_grafana_sidecar() -> None:
    cm = dashboard_configmap("squid-dashboard", "monitoring", "egress", "squid")
    assert cm["metadata"]["namespace"] == "monitoring"
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    (key, text), *rest = cm["data"].items()
    assert rest == []
    assert key.endswith(".json")
    assert json.loads(text) == dashboard("Squid egress proxy egress/squid", "egress", "squid")
