"""The cloud-provider-azure annotations of a plan, the notes on what is left out, and the
warnings about settings the configured provider version ignores."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.aks_seed import seed
from tests.traffic_edge.aks_tcp_load_balancer.cases import S, internal, without
from traffic_edge.aks_tcp_load_balancer.annotations import build_annotations, version_warnings
from traffic_edge.aks_tcp_load_balancer.plan import plan_aks_tcp_load_balancer
from traffic_edge.aks_tcp_load_balancer.validate import validate_aks_tcp_load_balancer_args

LOCAL_TAIL = (
    "not applied: with external_traffic_policy Local the load balancer probes kube-proxy with HTTP GET "
    "/healthz on the healthCheckNodePort for every port, and cloud-provider-azure ignores per-port probe "
    "annotations for it; the global probe_interval_seconds / probe_threshold apply instead."
)


def annotate(args: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    assert validate_aks_tcp_load_balancer_args(args) == []
    return build_annotations(plan_aks_tcp_load_balancer("kimmap", args))


def warnings(args: dict[str, Any]) -> list[str]:
    assert validate_aks_tcp_load_balancer_args(args) == []
    return version_warnings(plan_aks_tcp_load_balancer("kimmap", args))


def test_seed_has_exactly_the_group_pip_interval_and_tcp_probe() -> None:
    assert annotate(seed()) == (
        {
            S + "azure-load-balancer-resource-group": "rg-network",
            S + "azure-pip-name": "kimmap-tcp-pip",
            S + "azure-load-balancer-health-probe-interval": "59",
            S + "port_9999_health-probe_protocol": "Tcp",
        },
        [],
    )


def test_every_port_gets_its_own_probe_annotations_with_cluster_policy() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888},
        {
            "name": "admin",
            "port": 8443,
            "target_port_name": "admin",
            "probe_protocol": "Https",
            "probe_request_path": "/ready",
            "probe_interval_seconds": 10,
            "probe_threshold": 3,
        },
        {"name": "game", "port": 7000, "target_port": 7000, "probe_protocol": "TCP", "probe_threshold": 2},
    ]
    annotations, notes = annotate(seed(ports=ports, probe_threshold=2, tcp_idle_timeout_minutes=30))
    assert annotations == {
        S + "azure-load-balancer-resource-group": "rg-network",
        S + "azure-pip-name": "kimmap-tcp-pip",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "azure-load-balancer-health-probe-num-of-probe": "2",
        S + "port_9999_health-probe_protocol": "Tcp",
        S + "port_8443_health-probe_protocol": "Https",
        S + "port_8443_health-probe_request-path": "/ready",
        S + "port_8443_health-probe_interval": "10",
        S + "port_8443_health-probe_num-of-probe": "3",
        S + "port_7000_health-probe_protocol": "Tcp",
        S + "port_7000_health-probe_num-of-probe": "2",
        S + "azure-load-balancer-tcp-idle-timeout": "30",
    }
    assert notes == []


def test_local_policy_drops_per_port_probe_annotations_keeps_global_and_says_so() -> None:
    ports = [
        {"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "Tcp"},
        {"name": "other", "port": 9998, "target_port": 8887},
        {
            "name": "third",
            "port": 9997,
            "target_port": 8886,
            "probe_interval_seconds": 7,
            "probe_threshold": 4,
        },
    ]
    annotations, notes = annotate(seed(ports=ports, external_traffic_policy="Local", probe_threshold=2))
    assert annotations == {
        S + "azure-load-balancer-resource-group": "rg-network",
        S + "azure-pip-name": "kimmap-tcp-pip",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "azure-load-balancer-health-probe-num-of-probe": "2",
    }
    assert notes == [
        f"ports[0]: probe_protocol {LOCAL_TAIL}",
        f"ports[2]: probe_interval_seconds, probe_threshold {LOCAL_TAIL}",
    ]


def test_probe_protocol_in_any_case_is_written_as_the_provider_spells_it() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_protocol": "TCP"}]
    assert annotate(seed(ports=ports))[0][S + "port_9999_health-probe_protocol"] == "Tcp"


def test_a_port_targeted_by_name_is_probed_by_its_service_port() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port_name": "tcp-server"}]
    assert annotate(seed(ports=ports))[0][S + "port_9999_health-probe_protocol"] == "Tcp"


def test_allowed_ip_ranges_become_one_comma_separated_annotation() -> None:
    annotations, _ = annotate(
        seed(allowed_ip_ranges=["203.0.113.0/24", "198.51.100.7/32"], kubernetes_version="1.29")
    )
    assert annotations[S + "azure-allowed-ip-ranges"] == "203.0.113.0/24,198.51.100.7/32"


def test_source_ranges_are_not_an_annotation() -> None:
    annotations, _ = annotate(seed(load_balancer_source_ranges=["203.0.113.0/24"]))
    assert S + "azure-allowed-ip-ranges" not in annotations


def test_internal_frontend_has_no_public_ip_annotations() -> None:
    assert annotate(internal())[0] == {
        S + "azure-load-balancer-internal": "true",
        S + "azure-load-balancer-internal-subnet": "snet-aks-ilb",
        S + "azure-load-balancer-ipv4": "10.240.0.50",
        S + "azure-load-balancer-health-probe-interval": "59",
        S + "port_9999_health-probe_protocol": "Tcp",
    }
    bare = without("public_ip_name", "location", frontend="Internal")
    assert S + "azure-load-balancer-ipv4" not in annotate(bare)[0]


def test_existing_public_ip_is_named_the_same_way() -> None:
    annotations, _ = annotate(without("location", frontend="ExistingPublicIp"))
    assert annotations[S + "azure-pip-name"] == "kimmap-tcp-pip"
    assert annotations[S + "azure-load-balancer-resource-group"] == "rg-network"


@pytest.mark.parametrize(("minutes", "warns"), [(4, False), (30, False), (31, True), (100, True)])
def test_idle_timeout_above_the_documented_30_minutes_warns(minutes: int, warns: bool) -> None:
    annotations, notes = annotate(seed(tcp_idle_timeout_minutes=minutes))
    assert annotations[S + "azure-load-balancer-tcp-idle-timeout"] == str(minutes)
    expected = [
        f"tcp_idle_timeout_minutes {minutes}: cloud-provider-azure accepts up to 100, but the AKS documentation "
        "still gives 30 minutes as the maximum for load-balancing rules; check the applied rule after deploying."
    ]
    assert notes == (expected if warns else [])


# --- version awareness -------------------------------------------------------------------------


def test_num_of_probe_warning_on_an_unfixed_provider() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_threshold": 2}]
    args = without("kubernetes_version", cloud_provider_version="1.26.7", probe_threshold=2, ports=ports)
    assert warnings(args) == [
        "probe_threshold, ports[0].probe_threshold has no effect on cloud-provider-azure 1.26.7: the provider "
        "writes num-of-probe to numberOfProbes, which Azure Load Balancer ignores, so a backend is marked down "
        "after one failed probe. Fixed in cloud-provider-azure 1.27.0 (backports 1.26.8, 1.25.12, 1.24.18)."
    ]
    assert warnings(dict(args, cloud_provider_version="1.26.8")) == []


def test_num_of_probe_warning_is_hedged_when_only_the_aks_minor_is_known() -> None:
    assert warnings(seed(kubernetes_version="1.26", probe_threshold=2)) == [
        "probe_threshold may have no effect on cloud-provider-azure 1.26.x (AKS 1.26): the provider writes "
        "num-of-probe to numberOfProbes, which Azure Load Balancer ignores, so a backend is marked down after "
        "one failed probe. Fixed in cloud-provider-azure 1.27.0 (backports 1.26.8, 1.25.12, 1.24.18). The AKS "
        "patch that carries the backport is not known here: set cloud_provider_version to be sure."
    ]


def test_no_version_warning_without_a_threshold() -> None:
    assert warnings(seed(kubernetes_version="1.22")) == []


def test_local_policy_warns_that_old_providers_keep_5s_and_2_probes() -> None:
    args = without("kubernetes_version", cloud_provider_version="1.27.5", external_traffic_policy="Local")
    assert warnings(args) == [
        "probe_interval_seconds has no effect with external_traffic_policy Local on cloud-provider-azure 1.27.5: "
        "the healthCheckNodePort probe stays at 5 s / 2 probes before cloud-provider-azure 1.28.0 "
        "(backports 1.27.6, 1.26.12, 1.25.16)."
    ]
    assert warnings(dict(args, cloud_provider_version="1.27.6")) == []
    assert (
        warnings(
            without("probe_interval_seconds", external_traffic_policy="Local", kubernetes_version="1.24")
        )
        == []
    )


def test_local_policy_warning_is_hedged_and_names_both_global_settings() -> None:
    args = seed(external_traffic_policy="Local", kubernetes_version="1.27", probe_threshold=2)
    assert warnings(args) == [
        "probe_interval_seconds and probe_threshold may have no effect with external_traffic_policy Local on "
        "cloud-provider-azure 1.27.x (AKS 1.27): the healthCheckNodePort probe stays at 5 s / 2 probes before "
        "cloud-provider-azure 1.28.0 (backports 1.27.6, 1.26.12, 1.25.16). The AKS patch that carries the "
        "backport is not known here: set cloud_provider_version to be sure."
    ]


def test_cloud_provider_version_wins_over_the_kubernetes_version() -> None:
    assert warnings(seed(kubernetes_version="1.26", cloud_provider_version="1.26.8", probe_threshold=2)) == []


# --- TCP reset and the cluster's shared probe ----------------------------------------------------

UNKNOWN_PATCH = (
    " The AKS patch that carries the backport is not known here: set cloud_provider_version to be sure."
)


def test_disable_tcp_reset_writes_the_annotation_only_when_true() -> None:
    on = annotate(without("kubernetes_version", cloud_provider_version="1.28.1", disable_tcp_reset=True))[0]
    assert on[S + "azure-load-balancer-disable-tcp-reset"] == "true"
    off = annotate(seed(disable_tcp_reset=False))[0]
    assert S + "azure-load-balancer-disable-tcp-reset" not in off


def test_disable_tcp_reset_is_hedged_when_only_the_aks_minor_is_known() -> None:
    assert warnings(seed(kubernetes_version="1.26", disable_tcp_reset=True)) == [
        "disable_tcp_reset may have no effect on cloud-provider-azure 1.26.x (AKS 1.26): TCP reset stays on "
        "unless the provider reads azure-load-balancer-disable-tcp-reset, which it does from "
        "cloud-provider-azure 1.29.0 (backports 1.28.1, 1.27.9, 1.26.15, 1.25.19)." + UNKNOWN_PATCH
    ]
    assert warnings(seed(kubernetes_version="1.29", disable_tcp_reset=True)) == []


def test_shared_probe_mode_writes_no_probe_annotation_not_even_the_default_tcp() -> None:
    args = without("probe_interval_seconds", health_probe_mode="shared", kubernetes_version="1.29")
    assert annotate(args) == (
        {S + "azure-load-balancer-resource-group": "rg-network", S + "azure-pip-name": "kimmap-tcp-pip"},
        [],
    )
    assert warnings(args) == []
    backport = without("probe_interval_seconds", "kubernetes_version", health_probe_mode="shared")
    assert (
        S + "port_9999_health-probe_protocol"
        not in annotate(dict(backport, cloud_provider_version="1.28.5"))[0]
    )


def test_shared_probe_mode_with_the_local_policy_keeps_the_global_probe_settings() -> None:
    args = seed(health_probe_mode="shared", kubernetes_version="1.29", external_traffic_policy="Local")
    assert annotate(args)[0][S + "azure-load-balancer-health-probe-interval"] == "59"


def test_shared_probe_mode_on_a_minor_only_version_writes_the_probes_and_warns() -> None:
    ports = [{"name": "tcp-client", "port": 9999, "target_port": 8888, "probe_threshold": 2}]
    args = seed(health_probe_mode="shared", kubernetes_version="1.28", ports=ports)
    annotations, _ = annotate(args)
    # Written: without the mode (a patch before 1.28.5) the seed's Tcp probe is what makes traffic arrive.
    assert annotations[S + "port_9999_health-probe_protocol"] == "Tcp"
    assert annotations[S + "azure-load-balancer-health-probe-interval"] == "59"
    assert warnings(args) == [
        "probe_interval_seconds, ports[0].probe_threshold may be ignored on cloud-provider-azure 1.28.x (AKS 1.28): "
        "with health_probe_mode 'shared' and external_traffic_policy Cluster, cloud-provider-azure 1.29.0 "
        "(backports 1.28.5) and later build no health probe for this Service: the load balancer uses the "
        "cluster's shared probe of kube-proxy instead." + UNKNOWN_PATCH
    ]
