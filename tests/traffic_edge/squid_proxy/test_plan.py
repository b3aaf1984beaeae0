"""The resolved plan: every default applied once, every decision taken from the args as written."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.traffic_edge.squid_proxy.test_manifests import DEV, ZONES
from traffic_edge.squid_proxy.args import ZoneSpread
from traffic_edge.squid_proxy.plan import (
    Autoscaling,
    ConfPlan,
    LocalZoneRouting,
    Resources,
    local_zone_routing,
    plan_squid_conf,
    plan_squid_proxy,
)


def plan(**changes: Any) -> Any:
    return plan_squid_proxy("squid", {**DEV, **changes})


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.27", LocalZoneRouting("Auto", None)),
        ("1.30", LocalZoneRouting("Auto", None)),
        ("1.30.9", LocalZoneRouting("Auto", None)),
        ("1.31", LocalZoneRouting(None, "PreferClose")),
        ("1.33", LocalZoneRouting(None, "PreferClose")),
        ("v1.33.4", LocalZoneRouting(None, "PreferClose")),
        ("1.34", LocalZoneRouting(None, "PreferSameZone")),
        ("1.36", LocalZoneRouting(None, "PreferSameZone")),
    ],
)
def test_local_zone_routing_by_kubernetes_version(version: str, expected: LocalZoneRouting) -> None:
    assert local_zone_routing(version) == expected
    assert plan(kubernetes_version=version).routing == expected


def test_routing_below_1_27_is_refused() -> None:
    with pytest.raises(ValueError, match="predates"):
        local_zone_routing("1.26")


def test_defaults() -> None:
    args = {k: v for k, v in DEV.items() if k != "replicas"}
    p = plan_squid_proxy("egress-proxy", args)
    assert p.zones == tuple(ZONES)
    assert p.replicas == 4  # two per zone
    assert p.zone_spread is ZoneSpread.DO_NOT_SCHEDULE
    assert p.min_domains == 2  # every zone
    assert p.create_namespace is False
    assert (p.monitoring_namespace, p.dashboard_namespace) == ("monitoring", "monitoring")
    assert (p.service_monitor, p.service_monitor_labels) == (False, ())
    assert p.autoscaling is None
    assert p.external_client_cidrs == ()
    assert p.resources == Resources("100m", "128Mi", "1", "256Mi")
    assert (p.image, p.exporter_image) == ("ubuntu/squid:7.2-26.04_edge", "boynux/squid-exporter:v1.13.0")
    assert p.termination_grace_period_seconds == 5 + 20 + 10  # preStop delay + drain + margin
    assert p.proxy_url == "http://egress-proxy.egress.svc.cluster.local:3128"


def test_what_is_written_wins() -> None:
    p = plan(
        zones=[*ZONES, "ap-northeast-2b"],
        min_domains=2,
        monitoring_namespace="observability",
        resources={"cpu_request": "250m", "memory_limit": "1Gi"},
        shutdown_lifetime_seconds=45,
        autoscaling={"max_replicas": 12},
        service_monitor=True,
        service_monitor_labels={"release": "kps"},
        external_client_cidrs=["10.0.9.7"],
    )
    assert p.min_domains == 2
    assert p.dashboard_namespace == "observability"  # follows the monitoring namespace
    assert p.resources == Resources("250m", "128Mi", "1", "1Gi")
    assert p.termination_grace_period_seconds == 5 + 45 + 10
    assert p.autoscaling == Autoscaling(min_replicas=6, max_replicas=12, target_cpu_percent=70)
    assert p.service_monitor_labels == (("release", "kps"),)
    assert p.external_client_cidrs == ("10.0.9.7/32",)


def test_min_domains_is_unset_for_one_zone_and_for_a_soft_spread() -> None:
    assert plan(profile="development", zones=["kind-zone"], replicas=1).min_domains is None
    soft = plan(profile="development", zone_spread="ScheduleAnyway")
    assert (soft.zone_spread, soft.min_domains) == (ZoneSpread.SCHEDULE_ANYWAY, None)


def test_the_conf_plan_applies_the_defaults_and_canonical_networks() -> None:
    assert plan_squid_conf({"allowed_source_cidrs": ["10.0.0.7", "fd00:10::/64"]}) == ConfPlan(
        allowed_source_cidrs=("10.0.0.7/32", "fd00:10::/64"),
        allowed_domains=(),
        allowed_destination_cidrs=(),
        http_ports=(80,),
        tls_ports=(443,),
        shutdown_lifetime_seconds=20,
        workers=1,
    )
    assert plan(http_ports=[], workers=3).conf.http_ports == ()
    assert plan(http_ports=[], workers=3).conf.workers == 3


def test_the_plan_is_frozen() -> None:
    p = plan()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.replicas = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.conf.workers = 2  # type: ignore[misc]


def test_a_service_monitor_without_selector_labels_is_a_warning_unless_empty_on_purpose() -> None:
    assert plan(service_monitor=False).warnings == []
    [warning] = plan(service_monitor=True).warnings
    assert warning.startswith("service_monitor is on but service_monitor_labels is not set: a Prometheus")
    assert "release: <its release name>" in warning
    assert plan(service_monitor=True, service_monitor_labels={}).warnings == []
    assert (
        plan(service_monitor=True, service_monitor_labels={"release": "kube-prometheus-stack"}).warnings == []
    )
