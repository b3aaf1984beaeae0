"""`validate_squid_proxy_args`: every problem at once, word for word, and none that another one caused."""

from __future__ import annotations

from typing import Any

from tests.traffic_edge.squid_proxy.test_manifests import DEV, ZONES
from traffic_edge.squid_proxy.validate import validate_squid_proxy_args


def messages(args: Any, name: str | None = "squid") -> list[str]:
    return [p.render() for p in validate_squid_proxy_args(args, name)]


def test_valid_dev_args() -> None:
    assert messages(dict(DEV)) == []
    assert messages(dict(DEV), name=None) == []


def test_required_keys() -> None:
    assert messages({}) == [
        "namespace is required: the namespace of the proxy's objects",
        "kubernetes_version is required: the cluster's Kubernetes version, like '1.33': it picks local-zone "
        "routing",
        "allowed_source_cidrs is required: the client networks that may use the proxy",
        "allowed_domains is required: the hosts the proxy may reach (unless allowed_destination_cidrs lists "
        "networks)",
        "zones is required: the availability zones the pods run in",
        "client_namespaces is required: the namespaces whose pods use the proxy",
    ]


def test_a_misspelled_key_suggests_the_right_one_and_nothing_else() -> None:
    # Not also "allowed_domains is required": that is the same mistake, reported twice.
    args = {k: v for k, v in DEV.items() if k != "allowed_domains"}
    assert messages({**args, "alowed_domains": [".slack.com"]}) == [
        "alowed_domains is not a known key: did you mean allowed_domains?"
    ]
    assert messages({**DEV, "replicsa": 6}) == ["replicsa is not a known key: did you mean replicas?"]
    assert messages({**DEV, "resources": {"memory_limt": "1Gi", "memory_request": "512Mi"}}) == [
        "resources.memory_limt is not a known key: did you mean memory_limit?"
    ]
    assert messages({**DEV, "autoscaling": {"max_replicas": 8, "target_cpu_percnt": 60}}) == [
        "autoscaling.target_cpu_percnt is not a known key: did you mean target_cpu_percent?"
    ]
    assert messages({**DEV, "resources": {"gpu": "1"}}) == [
        "resources.gpu is not a known key: the known keys are cpu_limit, cpu_request, memory_limit, "
        "memory_request"
    ]


def test_placement_rules() -> None:
    assert messages({**DEV, "zones": ["ap-northeast-2a"], "replicas": 2}) == [
        "zones: ['ap-northeast-2a'] is not allowed: at least 2 zones for the production profile: one zone's "
        "outage must leave egress up"
    ]
    assert messages({**DEV, "zone_spread": "ScheduleAnyway", "min_domains": 2}) == [
        "zone_spread: 'ScheduleAnyway' conflicts with profile: the production profile needs DoNotSchedule: "
        "ScheduleAnyway lets every pod land in one zone",
        "min_domains: 2 conflicts with zone_spread: the API rejects minDomains with ScheduleAnyway",
    ]
    assert messages({**DEV, "min_domains": 3}) == [
        "min_domains: 3 is not allowed: an integer from 2 to the number of zones (2): more domains than zones "
        "would cap every zone at one pod"
    ]
    assert messages(
        {**DEV, "profile": "development", "zones": ["kind-zone"], "replicas": 1, "min_domains": 2}
    ) == [
        "min_domains: 2 is not allowed: an integer from 2 to the number of zones (1): more domains than zones "
        "would cap every zone at one pod"
    ]
    assert messages({**DEV, "profile": "staging", "zone_spread": "Sometimes", "zones": ["a", "a"]}) == [
        "zones[1]: 'a' is not allowed: an item listed once; it repeats zones[0]",
        "profile: 'staging' is not allowed: one of 'production', 'development'",
        "zone_spread: 'Sometimes' is not allowed: one of 'DoNotSchedule', 'ScheduleAnyway'",
    ]


def test_replicas_are_judged_against_the_zones_only_when_the_zones_are_valid() -> None:
    assert messages({**DEV, "replicas": 1}) == [
        "replicas: 1 is not allowed: an integer of at least 2: at least one pod per zone"
    ]
    assert messages({**DEV, "zones": ["ap-northeast-2a", "Not A Zone!"], "replicas": 1}) == [
        "zones[1]: 'Not A Zone!' is not allowed: a zone name as in the node label topology.kubernetes.io/zone, "
        "like 'ap-northeast-2a'"
    ]
    assert messages({**DEV, "zones": "ap-northeast-2a", "replicas": 0}) == [
        "zones: 'ap-northeast-2a' is not allowed: a list of zone names, at least 1, like ['ap-northeast-2a', "
        "'ap-northeast-2c']",
        "replicas: 0 is not allowed: an integer of at least 1",
    ]


def test_grace_period_must_exceed_the_drain() -> None:
    assert messages({**DEV, "shutdown_lifetime_seconds": 30, "termination_grace_period_seconds": 35}) == [
        "termination_grace_period_seconds: 35 is not allowed: an integer of at least 36: more than the preStop "
        "delay (5s) plus shutdown_lifetime_seconds (30s), or the kubelet kills requests Squid is still draining"
    ]
    assert messages({**DEV, "shutdown_lifetime_seconds": 30, "termination_grace_period_seconds": 36}) == []
    # The drain the user did not write is named as the default it is.
    assert messages({**DEV, "termination_grace_period_seconds": 25}) == [
        "termination_grace_period_seconds: 25 is not allowed: an integer of at least 26: more than the preStop "
        "delay (5s) plus shutdown_lifetime_seconds (20s, the default), or the kubelet kills requests Squid is "
        "still draining"
    ]
    # A bad drain is its own problem; the grace period is not also judged against it.
    assert messages({**DEV, "shutdown_lifetime_seconds": 0, "termination_grace_period_seconds": 3}) == [
        "shutdown_lifetime_seconds: 0 is not allowed: an integer from 1 to 600: 0 would cut in-flight requests "
        "on every rollout"
    ]


def test_requests_within_limits_judge_a_default_only_as_a_default() -> None:
    assert messages({**DEV, "resources": {"memory_request": "512Mi", "memory_limit": "256Mi"}}) == [
        "resources.memory_limit: '256Mi' is not allowed: a quantity of at least memory_request ('512Mi')"
    ]
    # Only the request is written: it is the request that is too big for the default limit.
    assert messages({**DEV, "resources": {"memory_request": "512Mi"}}) == [
        "resources.memory_request: '512Mi' is not allowed: a quantity of at most memory_limit ('256Mi', the "
        "default)"
    ]
    assert messages({**DEV, "resources": {"cpu_limit": "50m"}}) == [
        "resources.cpu_limit: '50m' is not allowed: a quantity of at least cpu_request ('100m', the default)"
    ]
    assert messages({**DEV, "resources": {"cpu_request": "1.5", "cpu_limit": "2"}}) == []


def test_autoscaling_bounds() -> None:
    assert messages({**DEV, "autoscaling": {"max_replicas": 5}}) == [
        "autoscaling.max_replicas: 5 is not allowed: an integer of at least replicas (6)"
    ]
    no_replicas = {k: v for k, v in DEV.items() if k != "replicas"}
    assert messages({**no_replicas, "autoscaling": {"max_replicas": 3, "target_cpu_percent": 5}}) == [
        "autoscaling.max_replicas: 3 is not allowed: an integer of at least replicas (4, the default: 2 per "
        "zone)",
        "autoscaling.target_cpu_percent: 5 is not allowed: an integer from 10 to 100",
    ]
    # Bad replicas are their own problem; max_replicas is only checked to be a count.
    assert messages({**DEV, "replicas": "six", "autoscaling": {"max_replicas": 3}}) == [
        "replicas: 'six' is not allowed: an integer of at least 2: at least one pod per zone"
    ]
    assert messages({**DEV, "autoscaling": {"target_cpu_percent": 60}}) == [
        "autoscaling.max_replicas is required: the most pods the HorizontalPodAutoscaler may run"
    ]
    assert messages({**DEV, "autoscaling": 12}) == [
        "autoscaling: 12 is not allowed: a map with max_replicas and, optionally, target_cpu_percent, "
        "scale_down_stabilization_seconds and scale_up_stabilization_seconds"
    ]


def test_external_clients_lie_inside_the_union_of_the_sources() -> None:
    halves = {**DEV, "allowed_source_cidrs": ["10.0.0.0/17", "10.0.128.0/17"]}
    assert messages({**halves, "external_client_cidrs": ["10.0.0.0/16", "10.0.200.0/24"]}) == []
    assert messages({**halves, "external_client_cidrs": ["10.0.0.0/15"]}) == [
        "external_client_cidrs[0]: '10.0.0.0/15' is not allowed: a network inside allowed_source_cidrs: Squid "
        "refuses clients outside them"
    ]
    # Bad sources are their own problem: the external clients are not also "outside" them.
    assert messages(
        {**DEV, "allowed_source_cidrs": ["10.0.0.1/16"], "external_client_cidrs": ["10.9.0.0/24"]}
    ) == [
        "allowed_source_cidrs[0]: '10.0.0.1/16' is not allowed: a network in CIDR form with no host bits set, "
        "like '10.0.0.0/16'"
    ]


def test_sources_that_add_up_to_every_address_are_an_open_proxy() -> None:
    for sources in (["0.0.0.0/0"], ["0.0.0.0/1", "128.0.0.0/1"], ["10.0.0.0/8", "::/1", "8000::/1"]):
        assert messages({**DEV, "allowed_source_cidrs": sources}) == [
            f"allowed_source_cidrs: {sources!r} is not allowed: client networks that leave some addresses out: "
            "every address would make an open proxy"
        ]


def test_service_monitor_labels() -> None:
    assert messages({**DEV, "service_monitor": False, "service_monitor_labels": {"release": "kps"}}) == [
        "service_monitor_labels: {'release': 'kps'} conflicts with service_monitor: the labels are for the "
        "ServiceMonitor, which only service_monitor: true creates"
    ]
    assert messages({**DEV, "service_monitor": "yes", "service_monitor_labels": {"release": "kps"}}) == [
        "service_monitor: 'yes' is not allowed: true or false"
    ]
    assert messages({**DEV, "service_monitor": True, "service_monitor_labels": {"release": "not ok!"}}) == [
        "service_monitor_labels.release: 'not ok!' is not allowed: a label value: at most 63 letters, digits, "
        "'-', '_' or '.', starting and ending alphanumeric"
    ]


def test_everything_else_at_once() -> None:
    bad: dict[str, Any] = {
        "namespace": "Egress",
        "create_namespace": "yes",
        "kubernetes_version": "one-thirty-three",
        "zones": ZONES,
        "allowed_source_cidrs": ["0.0.0.0/0"],
        "allowed_domains": ["*.slack.com"],
        "client_namespaces": [],
        "external_client_cidrs": ["192.168.0.0/24"],
        "monitoring_namespace": "Monitoring",
        "service_monitor_labels": {"release": "kps"},
        "resources": {"cpu_request": "lots", "memory_request": "1Gi"},
        "autoscaling": {"max_replicas": 2},
        "image": "ubuntu/squid:latest",
        "exporter_image": "boynux/squid-exporter",
    }
    assert messages(bad, name="Squid") == [
        "name: 'Squid' is not allowed: a DNS-1035 label of at most 56 characters: a lower-case letter, then "
        "lower-case letters, digits and '-': it names the Service (and so the proxy URL)",
        "namespace: 'Egress' is not allowed: a DNS-1123 label: lower-case letters, digits and '-', at most 63 "
        "characters",
        "create_namespace: 'yes' is not allowed: true or false",
        "kubernetes_version: 'one-thirty-three' is not allowed: a Kubernetes version like '1.33' or '1.33.2'",
        "allowed_source_cidrs: ['0.0.0.0/0'] is not allowed: client networks that leave some addresses out: "
        "every address would make an open proxy",
        "allowed_domains[0]: '*.slack.com' is not allowed: a leading-dot suffix like '.slack.com' for the domain "
        "and its subdomains: Squid has no wildcards",
        "client_namespaces: [] is not allowed: a list of namespace names, at least 1",
        "monitoring_namespace: 'Monitoring' is not allowed: a DNS-1123 label: lower-case letters, digits and "
        "'-', at most 63 characters",
        "service_monitor_labels: {'release': 'kps'} conflicts with service_monitor: the labels are for the "
        "ServiceMonitor, which only service_monitor: true creates",
        "resources.cpu_request: 'lots' is not allowed: a CPU quantity like '250m' or '1'",
        "autoscaling.max_replicas: 2 is not allowed: an integer of at least replicas (4, the default: 2 per zone)",
        "image: 'ubuntu/squid:latest' is not allowed: a container image pinned by tag or digest (not 'latest'), "
        "like 'docker.io/library/haproxy:2.6'",
        "exporter_image: 'boynux/squid-exporter' is not allowed: a container image pinned by tag or digest (not "
        "'latest'), like 'docker.io/library/haproxy:2.6'",
    ]


def test_kubernetes_version_below_1_27() -> None:
    assert messages({**DEV, "kubernetes_version": "1.26"}) == [
        "kubernetes_version: '1.26' is not allowed: a Kubernetes version of 1.27 or newer: local-zone routing "
        "needs the topology-mode annotation (1.27-1.30) or spec.trafficDistribution (1.31+), and minDomains is "
        "on by default only from 1.27"
    ]
