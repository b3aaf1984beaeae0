"""The Squid egress proxy: spread over zones, served zone-locally, never an open proxy (seed 000)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policies._props import (
    UNKNOWN,
    ReportViolation,
    get,
    items,
    k8s_name,
    mapping,
    path,
    plain,
    selects,
    to_int,
    whole_space,
)

ZONE_KEY = "topology.kubernetes.io/zone"
SQUID_COMPONENT = "traffic-edge:index:SquidProxy"
NAME_LABEL = "app.kubernetes.io/name"
LOCAL_ZONE_DISTRIBUTIONS = ("PreferSameZone", "PreferClose")
TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"


def _is_squid(urn: str, props: Any, kind: str) -> bool:
    """A SquidProxy child, or anything labelled as Squid (a hand-written or imported one)."""
    if f"{SQUID_COMPONENT}$kubernetes:" in urn:
        return True
    labels = [path(props, "metadata", "labels", NAME_LABEL)]
    if kind == "Deployment":
        labels.append(path(props, "spec", "template", "metadata", "labels", NAME_LABEL))
    else:
        labels.append(path(props, "spec", "selector", NAME_LABEL))
    return "squid" in labels


def check_squid_zone_spread(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "kubernetes:apps/v1:Deployment" or not _is_squid(
        args.urn, args.props, "Deployment"
    ):
        return
    pod_labels = mapping(path(args.props, "spec", "template", "metadata", "labels"))
    found = []
    for c in items(path(args.props, "spec", "template", "spec", "topologySpreadConstraints")):
        if get(c, "topologyKey") != ZONE_KEY:
            continue
        problems = []
        if get(c, "whenUnsatisfiable") != "DoNotSchedule":
            problems.append(
                f"whenUnsatisfiable is {get(c, 'whenUnsatisfiable')!r}, not 'DoNotSchedule' "
                "(ScheduleAnyway piles every pod into one zone when the others are full)"
            )
        min_domains = get(c, "minDomains")
        if to_int(min_domains) is None or to_int(min_domains) < 2:  # type: ignore[operator]
            problems.append(
                f"minDomains is {min_domains!r}, not 2 or more (with fewer zones visible the scheduler "
                "treats one zone as a full spread)"
            )
        selector = plain(path(c, "labelSelector", "matchLabels"))
        if not isinstance(selector, Mapping) or not selector or not selects(selector, pod_labels):
            problems.append(
                f"its labelSelector {selector!r} does not select the pod labels {plain(pod_labels)!r} "
                "(the constraint would count no pods)"
            )
        found.append(problems)
    name = k8s_name(args.props)
    if not found:
        report_violation(
            f"Squid Deployment {name} has no topologySpreadConstraint on {ZONE_KEY}: a zone outage can "
            "take every proxy pod. Spread with whenUnsatisfiable: DoNotSchedule and minDomains: 2 or more."
        )
    elif all(found):
        report_violation(
            f"Squid Deployment {name}: the zone spread constraint is too weak: {'; '.join(found[0])}."
        )


def check_squid_local_zone(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "kubernetes:core/v1:Service" or not _is_squid(args.urn, args.props, "Service"):
        return
    distribution = path(args.props, "spec", "trafficDistribution")
    mode = path(args.props, "metadata", "annotations", TOPOLOGY_MODE)
    if distribution in LOCAL_ZONE_DISTRIBUTIONS or (isinstance(mode, str) and mode.lower() == "auto"):
        return
    report_violation(
        f"Squid Service {k8s_name(args.props)} does not prefer the client's zone (trafficDistribution "
        f"{distribution!r}, {TOPOLOGY_MODE} {mode!r}): requests cross zones to a proxy whose NAT is in "
        "another zone. Set spec.trafficDistribution: PreferSameZone (Kubernetes 1.34+; PreferClose from "
        f"1.31) or the annotation {TOPOLOGY_MODE}: Auto on older clusters."
    )


# --- squid.conf ----------------------------------------------------------------------------

_OPEN = {"all"}
_SRC_TYPES = {"src"}
_DST_TYPES = {"dst", "dstdomain", "dstdom_regex", "dst_as"}
_PREDEFINED = {"all": ("src", ["0.0.0.0/0", "::/0"]), "localhost": ("src", ["127.0.0.1/32", "::1/128"])}
# Requests for the proxy's own cache manager: they never leave the pod.
_SELF_ACLS = {"manager"}


def _everything(acl_type: str, values: list[str]) -> bool:
    if acl_type in ("src", "dst"):
        # Judged on the union: `src 0.0.0.0/1 128.0.0.0/1` is every client.
        return "all" in values or whole_space(values)
    if acl_type == "dstdomain":
        return "." in values
    if acl_type == "dstdom_regex":
        return any(v.lstrip("-i ").strip() in (".", ".*", "^.*$", "^.*") for v in values)
    return False


def _parse(text: str) -> tuple[dict[str, tuple[str, list[str]]], list[tuple[str, list[str]]], list[str]]:
    """The ACLs, the http_access rules, and the files included before the last rule."""
    acls: dict[str, tuple[str, list[str]]] = dict(_PREDEFINED)
    rules: list[tuple[str, list[str]]] = []
    # An included file is not in the ConfigMap: rules it adds before `deny all` cannot be judged.
    # SquidProxy includes only its cache-manager password, after every http_access rule.
    includes: list[str] = []
    unjudged: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        words = line.split()
        if len(words) >= 2 and words[0] == "include":
            includes.append(words[1])
        elif len(words) >= 3 and words[0] == "acl":
            flags = [w for w in words[3:] if not w.startswith("-")]
            prev = acls.get(words[1], (words[2], []))
            acls[words[1]] = (words[2], prev[1] + flags)
        elif len(words) >= 2 and words[0] == "http_access":
            rules.append((words[1], words[2:]))
            unjudged = list(includes)
    return acls, rules, unjudged


def squid_conf_problems(text: str) -> list[str]:
    """Why a squid.conf could act as an open proxy (empty: it cannot)."""
    acls, rules, unjudged = _parse(text)
    problems: list[str] = [
        f"include {path} comes before the last http_access rule: rules in it cannot be judged here"
        for path in unjudged
    ]
    if not rules or rules[-1] != ("deny", ["all"]):
        last = " ".join([rules[-1][0], *rules[-1][1]]) if rules else "none"
        problems.append(f"the last http_access rule is {last!r}, not 'deny all'")

    def kind(name: str) -> str:
        return acls.get(name.lstrip("!"), ("unknown", []))[0]

    def positive_of(acl_names: list[str], types: set[str]) -> list[str]:
        return [a for a in acl_names if not a.startswith("!") and kind(a) in types]

    src_fenced = False  # an earlier `deny !<src acl>` already refused every other client
    dst_fenced = False  # an earlier `deny !<dst acl> [!<dst acl>...]` refused every other destination
    for n, (action, names) in enumerate(rules, 1):
        if action == "deny":
            negated = [a for a in names if a.startswith("!")]
            if names and len(negated) == len(names):
                if all(kind(a) in _SRC_TYPES and not _everything(*acls[a[1:]]) for a in negated):
                    src_fenced = True
                if all(kind(a) in _DST_TYPES and not _everything(*acls[a[1:]]) for a in negated):
                    dst_fenced = True
            continue
        if action != "allow":
            continue
        rule = " ".join(["http_access allow", *names])
        for a in names:
            if not a.startswith("!") and a in acls and _everything(*acls[a]):
                problems.append(
                    f"rule {n} {rule!r}: ACL {a!r} matches every {'client' if kind(a) == 'src' else 'destination'}"
                )
        srcs = [a for a in positive_of(names, _SRC_TYPES) if not _everything(*acls[a])]
        dsts = [a for a in positive_of(names, _DST_TYPES) if not _everything(*acls[a])]
        to_self = any(a in _SELF_ACLS for a in names)
        if not srcs and not src_fenced:
            problems.append(f"rule {n} {rule!r} allows every client: no source ACL limits it")
        if not dsts and not dst_fenced and not to_self:
            problems.append(f"rule {n} {rule!r} allows every destination: no destination ACL limits it")
    return problems


def check_squid_no_open_proxy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "kubernetes:core/v1:ConfigMap":
        return
    data = path(args.props, "data")
    for key in sorted(mapping(data)):
        if not key.endswith("squid.conf"):
            continue
        text = get(data, key)
        if text is UNKNOWN or not isinstance(text, str):
            continue
        problems = squid_conf_problems(text)
        if problems:
            report_violation(
                f"{key} in ConfigMap {k8s_name(args.props)} could make an open proxy: "
                + "; ".join(problems)
                + ". Generate it with traffic_edge.squid_proxy.squid_conf (allowlisted sources and destinations, deny all last)."
            )


squid_zone_spread = ResourceValidationPolicy(
    name="squid-zone-spread",
    description="Every Squid Deployment spreads over zones with DoNotSchedule and minDomains >= 2.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_squid_zone_spread,
)

squid_local_zone = ResourceValidationPolicy(
    name="squid-service-local-zone",
    description="Every Squid Service prefers endpoints in the client's zone.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_squid_local_zone,
)

squid_no_open_proxy = ResourceValidationPolicy(
    name="squid-no-open-proxy",
    description="Every squid.conf ends in 'http_access deny all' and never allows all sources or destinations.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_squid_no_open_proxy,
)
