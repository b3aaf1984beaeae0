"""`validate_squid_proxy_args`: every problem in a SquidProxy's args at once, in the one grammar.

One small function per rule group. A group whose input already has a problem reports nothing
derived from it (a bad `zones` is not also "fewer replicas than zones"), and a default the user
did not write is never judged as if they had: where a rule compares with a default, the message
says so.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from traffic_edge._shared.checks import (
    Derived,
    Network,
    boolean,
    cidr_list,
    component_name,
    cpu,
    distinct,
    dns_label,
    image,
    integer,
    is_list,
    label_list,
    labels,
    memory,
    network,
    one_of,
    required,
    unknown_keys,
)
from traffic_edge._shared.names import LABEL_VALUE, cpu_millis, is_int, memory_bytes
from traffic_edge._shared.problems import Path, Problem, conflict, invalid, without_knock_on
from traffic_edge._shared.versions import KubeVersion
from traffic_edge.squid_proxy.args import (
    AUTOSCALING_KEYS,
    CONF_KEYS,
    KNOWN_KEYS,
    RESOURCE_KEYS,
    Profile,
    ZoneSpread,
)
from traffic_edge.squid_proxy.facts import TOPOLOGY_MODE_FROM
from traffic_edge.squid_proxy.plan import (
    DEFAULT_RESOURCES,
    DEFAULT_SHUTDOWN_LIFETIME_SECONDS,
    PRESTOP_DELAY_SECONDS,
    REPLICAS_PER_ZONE,
)
from traffic_edge.squid_proxy.squid_conf import lifetime_problems, source_problems, validate_squid_conf_args
from traffic_edge.squid_proxy.validate_canary import canary_problems
from traffic_edge.squid_proxy.validate_placement import behavior_problems, placement_problems
from traffic_edge.squid_proxy.validate_tenants import tenant_problems

Zones = Sequence[str] | None
"""The zones as written when they are valid; None when `zones` has a problem of its own."""

_ZONE_RULE = "a zone name as in the node label topology.kubernetes.io/zone, like 'ap-northeast-2a'"


NAMES = (
    Derived("{}", "the Service (and so the proxy URL)"),
    Derived("{}-config", "the config's app.kubernetes.io/instance label"),
)
"""The names made from the resource name (`manifests`), each at most 63 characters."""


def _name(name: str | None) -> list[Problem]:
    """The resource name, which names the Service (and so the proxy URL)."""
    if name is None:
        return []
    return component_name(name, "name", NAMES, service=True)


def _namespace(args: Mapping[str, Any]) -> list[Problem]:
    problems = required(args, "namespace", "the namespace of the proxy's objects") or dns_label(
        args["namespace"], "namespace"
    )
    if "create_namespace" in args:
        problems += boolean(args["create_namespace"], "create_namespace")
    return problems


def _kubernetes_version(args: Mapping[str, Any]) -> list[Problem]:
    key = "kubernetes_version"
    what_for = "the cluster's Kubernetes version, like '1.33': it picks local-zone routing"
    if found := required(args, key, what_for):
        return found
    version = KubeVersion.try_parse(args[key])
    if version is None:
        return [invalid(key, args[key], "a Kubernetes version like '1.33' or '1.33.2'")]
    if version < TOPOLOGY_MODE_FROM:
        why = (
            "local-zone routing needs the topology-mode annotation (1.27-1.30) or spec.trafficDistribution "
            "(1.31+), and minDomains is on by default only from 1.27"
        )
        return [invalid(key, args[key], f"a Kubernetes version of {TOPOLOGY_MODE_FROM} or newer: {why}")]
    return []


def _conf(args: Mapping[str, Any]) -> list[Problem]:
    """The squid.conf part, checked by the generator's own validator."""
    return validate_squid_conf_args({k: v for k, v in args.items() if k in CONF_KEYS})


def _zones(args: Mapping[str, Any]) -> list[Problem]:
    if found := required(args, "zones", "the availability zones the pods run in"):
        return found
    zones = args["zones"]
    if not is_list(zones) or not zones:
        return [
            invalid(
                "zones",
                zones,
                "a list of zone names, at least 1, like ['ap-northeast-2a', 'ap-northeast-2c']",
            )
        ]
    problems = [
        invalid(Path.of("zones") / i, z, _ZONE_RULE)
        for i, z in enumerate(zones)
        if not (isinstance(z, str) and z and LABEL_VALUE.match(z))
    ]
    return problems or distinct(zones, "zones")


def _is_production(args: Mapping[str, Any]) -> bool:
    """The production profile applies: written, or not written (it is the default)."""
    return "profile" not in args or args["profile"] == Profile.PRODUCTION


def _profile(args: Mapping[str, Any], zones: Zones) -> list[Problem]:
    """`profile` and `zone_spread`, and what the production profile asks of the zones and the spread."""
    bad_profile = one_of(args["profile"], Profile, "profile") if "profile" in args else []
    problems = bad_profile + (
        one_of(args["zone_spread"], ZoneSpread, "zone_spread") if "zone_spread" in args else []
    )
    if bad_profile or not _is_production(args):
        return problems
    if zones is not None and len(zones) < 2:
        rule = "at least 2 zones for the production profile: one zone's outage must leave egress up"
        problems.append(invalid("zones", list(zones), rule))
    if "zone_spread" in args and args["zone_spread"] == ZoneSpread.SCHEDULE_ANYWAY:
        why = "the production profile needs DoNotSchedule: ScheduleAnyway lets every pod land in one zone"
        problems.append(conflict("zone_spread", args["zone_spread"], "profile", why))
    return problems


def _min_domains(args: Mapping[str, Any], zones: Zones) -> list[Problem]:
    key = "min_domains"
    if key not in args:
        return []
    value = args[key]
    if "zone_spread" in args and args["zone_spread"] == ZoneSpread.SCHEDULE_ANYWAY:
        return [conflict(key, value, "zone_spread", "the API rejects minDomains with ScheduleAnyway")]
    if zones is None:
        return integer(value, key, lo=2)
    if not integer(value, key, 2, len(zones)):
        return []
    why = "more domains than zones would cap every zone at one pod"
    return [invalid(key, value, f"an integer from 2 to the number of zones ({len(zones)}): {why}")]


def _replicas(args: Mapping[str, Any], zones: Zones) -> list[Problem]:
    if "replicas" not in args:
        return []
    value = args["replicas"]
    found = integer(value, "replicas", lo=1 if zones is None else len(zones))
    if zones is None or not found or (is_int(value) and value > len(zones)):  # beyond int32
        return found
    return [invalid("replicas", value, f"an integer of at least {len(zones)}: at least one pod per zone")]


def _inside(net: Network, sources: list[Network]) -> bool:
    """Whether `net` lies within the union of `sources`."""
    if isinstance(net, ipaddress.IPv4Network):
        v4 = [s for s in sources if isinstance(s, ipaddress.IPv4Network)]
        return any(net.subnet_of(s) for s in ipaddress.collapse_addresses(v4))
    v6 = [s for s in sources if isinstance(s, ipaddress.IPv6Network)]
    return any(net.subnet_of(s) for s in ipaddress.collapse_addresses(v6))


def _clients(args: Mapping[str, Any]) -> list[Problem]:
    """Who may reach the proxy port: client namespaces, and outside clients inside the sources."""
    key, external = "client_namespaces", "external_client_cidrs"
    problems = required(args, key, "the namespaces whose pods use the proxy") or label_list(
        args[key], key, "namespace names", at_least=1
    )
    if external not in args:
        return problems
    values = args[external]
    if found := cidr_list(values, external, what="client networks"):
        return problems + found
    if source_problems(args):
        return problems  # the sources have their own problem: nothing to compare with
    sources = [n for v in args["allowed_source_cidrs"] if (n := network(v)) is not None]
    rule = "a network inside allowed_source_cidrs: Squid refuses clients outside them"
    for i, raw in enumerate(values):
        net = network(raw)
        if net is not None and not _inside(net, sources):
            problems.append(invalid(Path.of(external) / i, raw, rule))
    return problems


def _service_monitor_labels(args: Mapping[str, Any]) -> list[Problem]:
    key, value = "service_monitor_labels", args["service_monitor_labels"]
    if "service_monitor" in args and not isinstance(args["service_monitor"], bool):
        return []  # service_monitor has its own problem
    if "service_monitor" not in args or args["service_monitor"] is False:
        why = "the labels are for the ServiceMonitor, which only service_monitor: true creates"
        return [conflict(key, value, "service_monitor", why)]
    return labels(value, key)


def _monitoring(args: Mapping[str, Any]) -> list[Problem]:
    keys = ("monitoring_namespace", "dashboard_namespace")
    problems = [p for key in keys if key in args for p in dns_label(args[key], key)]
    if "service_monitor" in args:
        problems += boolean(args["service_monitor"], "service_monitor")
    if "service_monitor_labels" in args:
        problems += _service_monitor_labels(args)
    return problems


def _request_within_limit(given: Mapping[str, Any], what: str) -> list[Problem]:
    """`<what>_request` at most `<what>_limit`, judging a default only as a default."""
    request, limit = f"{what}_request", f"{what}_limit"
    if request not in given and limit not in given:
        return []
    values = {**asdict(DEFAULT_RESOURCES), **given}
    amount = cpu_millis if what == "cpu" else memory_bytes
    if amount(values[request]) <= amount(values[limit]):
        return []
    at = Path.of("resources")
    if limit in given:
        said = f"{values[request]!r}" + ("" if request in given else ", the default")
        return [invalid(at / limit, values[limit], f"a quantity of at least {request} ({said})")]
    said = f"{values[limit]!r}, the default"
    return [invalid(at / request, values[request], f"a quantity of at most {limit} ({said})")]


def _resources(args: Mapping[str, Any]) -> list[Problem]:
    if "resources" not in args:
        return []
    given, at = args["resources"], Path.of("resources")
    if not isinstance(given, Mapping):
        return [invalid(at, given, "a map of cpu_request, memory_request, cpu_limit, memory_limit")]
    problems = unknown_keys(given, RESOURCE_KEYS, at)
    for key in (k for k in given if k in RESOURCE_KEYS):
        problems += (cpu if key.startswith("cpu") else memory)(given[key], at / key)
    return problems or _request_within_limit(given, "cpu") + _request_within_limit(given, "memory")


def _max_replicas(value: object, args: Mapping[str, Any], zones: Zones, replicas_ok: bool) -> list[Problem]:
    """At least the replicas (the HPA's minimum): as written, or their default of 2 per zone."""
    key = Path.of("autoscaling") / "max_replicas"
    if "replicas" in args and replicas_ok:
        floor, said = int(args["replicas"]), f"replicas ({args['replicas']})"
    elif "replicas" not in args and zones is not None:
        floor = REPLICAS_PER_ZONE * len(zones)
        said = f"replicas ({floor}, the default: {REPLICAS_PER_ZONE} per zone)"
    else:
        return integer(value, key, lo=1)
    found = integer(value, key, lo=floor)
    below = found and not (is_int(value) and value > floor)  # not beyond int32
    return [invalid(key, value, f"an integer of at least {said}")] if below else found


def _autoscaling(args: Mapping[str, Any], zones: Zones, replicas_ok: bool) -> list[Problem]:
    if "autoscaling" not in args:
        return []
    auto, at = args["autoscaling"], Path.of("autoscaling")
    if not isinstance(auto, Mapping):
        return [
            invalid(
                at,
                auto,
                "a map with max_replicas and, optionally, target_cpu_percent, "
                "scale_down_stabilization_seconds and scale_up_stabilization_seconds",
            )
        ]
    problems = unknown_keys(auto, AUTOSCALING_KEYS, at)
    problems += required(auto, "max_replicas", "the most pods the HorizontalPodAutoscaler may run", at)
    if "max_replicas" in auto:
        problems += _max_replicas(auto["max_replicas"], args, zones, replicas_ok)
    if "target_cpu_percent" in auto:
        problems += integer(auto["target_cpu_percent"], at / "target_cpu_percent", 10, 100)
    return problems + behavior_problems(auto, at)


def _images(args: Mapping[str, Any]) -> list[Problem]:
    return [p for key in ("image", "exporter_image") if key in args for p in image(args[key], key)]


def _grace_period(args: Mapping[str, Any]) -> list[Problem]:
    """The grace period outlasts the preStop delay and the drain, or the kubelet cuts the drain short."""
    key, lifetime_key = "termination_grace_period_seconds", "shutdown_lifetime_seconds"
    if key not in args:
        return []
    if lifetime_key not in args:
        lifetime, said = (
            DEFAULT_SHUTDOWN_LIFETIME_SECONDS,
            f"{lifetime_key} ({DEFAULT_SHUTDOWN_LIFETIME_SECONDS}s, the default)",
        )
    elif lifetime_problems(args[lifetime_key]):
        return integer(args[key], key, lo=1)  # the drain has its own problem
    else:
        lifetime, said = int(args[lifetime_key]), f"{lifetime_key} ({args[lifetime_key]}s)"
    need = PRESTOP_DELAY_SECONDS + lifetime + 1
    found = integer(args[key], key, lo=need)
    if not found or (is_int(args[key]) and args[key] > need):  # beyond int32
        return found
    why = f"more than the preStop delay ({PRESTOP_DELAY_SECONDS}s) plus {said}, or the kubelet kills requests Squid is still draining"
    return [invalid(key, args[key], f"an integer of at least {need}: {why}")]


def validate_squid_proxy_args(args: Mapping[str, Any], name: str | None = None) -> list[Problem]:
    """Every problem in `args` (and the resource `name`, which names the Service) at once."""
    zone_problems = _zones(args)
    zones: Zones = None if zone_problems else list(args["zones"])
    replica_problems = _replicas(args, zones)
    name_problems = _name(name)
    problems = [
        *name_problems,
        *unknown_keys(args, KNOWN_KEYS),
        *_namespace(args),
        *_kubernetes_version(args),
        *_conf(args),
        *zone_problems,
        *_profile(args, zones),
        *_min_domains(args, zones),
        *replica_problems,
        *_clients(args),
        *_monitoring(args),
        *_resources(args),
        *_autoscaling(args, zones, replicas_ok=not replica_problems),
        *_images(args),
        *_grace_period(args),
        *placement_problems(args),
        *tenant_problems(args),
        *canary_problems(args, zones, name if not name_problems else None),
    ]
    return without_knock_on(problems)
