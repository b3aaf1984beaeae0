"""The checks every validator shares, each returning problems in the one grammar.

A check takes the value and the `Path` it sits at and returns the problems it finds (an
empty list when the value is fine), so a validator reads as a list of rules. "What is
allowed" is always a noun phrase: "an integer port from 1 to 65535".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, TypeGuard

from traffic_edge._shared.names import (
    CPU,
    DNS1035_LABEL,
    DNS1123_LABEL,
    DNS1123_SUBDOMAIN,
    IMAGE,
    LABEL_KEY,
    LABEL_VALUE,
    MEMORY,
    is_int,
)
from traffic_edge._shared.problems import MapKey, Path, Problem, invalid, missing, unknown

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Where = Path | str

PORT_RULE = "an integer port from 1 to 65535"
LABEL_RULE = "a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters"
SERVICE_NAME_RULE = (
    "a DNS-1035 label: a lower-case letter, then lower-case letters, digits and '-', at most 63 characters"
)
SUBDOMAIN_RULE = "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters"
CIDR_RULE = "a network in CIDR form with no host bits set, like '10.0.0.0/16'"
IMAGE_RULE = "a container image pinned by tag or digest (not 'latest'), like 'docker.io/library/haproxy:2.6'"


def is_list(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    """A YAML/JSON list (a str is a Sequence too, and never what a list arg means)."""
    return isinstance(value, list | tuple)


def unknown_keys(given: object, known: Iterable[str], at: Where = "") -> list[Problem]:
    """One problem per key of `given` not in `known`; each suggests the nearest known key."""
    if not isinstance(given, Mapping):
        return []
    allowed = tuple(sorted(known))
    taken = [k for k in allowed if k in given]
    base = Path.of(at)
    return [unknown(base / str(k), given[k], allowed, taken) for k in given if k not in allowed]


def required(args: Mapping[str, Any], key: str, what_for: str, at: Where = "") -> list[Problem]:
    """`key` must be present (and not null) in `args`."""
    return [] if args.get(key) is not None else [missing(Path.of(at) / key, what_for)]


def boolean(value: object, at: Where) -> list[Problem]:
    return [] if isinstance(value, bool) else [invalid(at, value, "true or false")]


INT32_MAX = 2**31 - 1
"""Every count the components take ends up in an int32 Kubernetes field (replicas, ports, seconds)."""


def integer(value: object, at: Where, lo: int | None = None, hi: int | None = None) -> list[Problem]:
    """An int (never a bool: YAML's `yes`) within [lo, hi], and never beyond Kubernetes' int32."""
    if is_int(value) and (hi is None or hi > INT32_MAX) and value > INT32_MAX:
        return [invalid(at, value, f"an integer of at most {INT32_MAX}: the Kubernetes field is an int32")]
    if is_int(value) and (lo is None or value >= lo) and (hi is None or value <= hi):
        return []
    if lo is not None and hi is not None:
        rule = f"an integer from {lo} to {hi}"
    elif lo is not None:
        rule = f"an integer of at least {lo}"
    elif hi is not None:
        rule = f"an integer of at most {hi}"
    else:
        rule = "an integer"
    return [invalid(at, value, rule)]


def port(value: object, at: Where) -> list[Problem]:
    return [] if is_int(value) and 1 <= value <= 65535 else [invalid(at, value, PORT_RULE)]


def one_of(value: object, choices: type[Enum] | Sequence[object], at: Where) -> list[Problem]:
    """`value` is one of an enum's values (or of a list of literals)."""
    values = [m.value for m in choices] if isinstance(choices, type) else list(choices)
    if value in values:
        return []
    return [invalid(at, value, "one of " + ", ".join(repr(v) for v in values))]


def _named(value: object, pattern: Any, max_len: int) -> bool:
    return isinstance(value, str) and len(value) <= max_len and pattern.match(value) is not None


def dns_label(value: object, at: Where, rule: str = LABEL_RULE) -> list[Problem]:
    """A DNS-1123 label (namespaces, most object names)."""
    return [] if _named(value, DNS1123_LABEL, 63) else [invalid(at, value, rule)]


def service_name(value: object, at: Where, rule: str = SERVICE_NAME_RULE) -> list[Problem]:
    """A DNS-1035 label (Service names must start with a letter)."""
    return [] if _named(value, DNS1035_LABEL, 63) else [invalid(at, value, rule)]


HELM_RELEASE_MAX = 53
"""Longest Helm release name (helm/helm pkg/chartutil/validate_name.go, maxReleaseNameLen, v3)."""
AUTONAME_SUFFIX = 9
"""'-' and 8 hex characters that the Kubernetes provider appends to a Helm release's resource
name when it has no `name` (pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go,
assignNameIfAutonameable: `resource.NewUniqueHex(urn.Name()+"-", 0, 0)`, 8 by default)."""


@dataclass(frozen=True)
class Derived:
    """A name made from a component's name, and how long it may be."""

    template: str
    """``"{}-gateway-pp"``: the component's name in place of ``{}``."""
    what: str
    """What it names: ``"the gateway Service"``."""
    limit: int = 63
    extra: int = 0
    """Characters added after the template (a generated suffix)."""

    def length(self, name: str) -> int:
        return len(self.template.format(name)) + self.extra


def component_name(value: object, at: Where, derived: Sequence[Derived], *, service: bool) -> list[Problem]:
    """A component's name, judged by the names made from it (`service`: one of them is a
    Service, so it must start with a letter) as well as by its own syntax."""
    longest = min([63, *(d.limit - d.length("") for d in derived)])
    rule = f"{'a DNS-1035' if service else 'a DNS-1123'} label of at most {longest} characters"
    pattern = DNS1035_LABEL if service else DNS1123_LABEL
    if not isinstance(value, str) or pattern.match(value) is None:
        start = "a lower-case letter" if service else "a lower-case letter or digit"
        names = f": it names {derived[0].what}" if derived else ""
        return [invalid(at, value, f"{rule}: {start}, then lower-case letters, digits and '-'{names}")]
    over = [d for d in derived if d.length(value) > d.limit]
    if len(value) > 63 and not over:
        return [invalid(at, value, rule)]
    if not over:
        return []
    worst = max(over, key=lambda d: d.length(value) - d.limit)
    made = worst.template.format(value) + ("-" + "x" * (worst.extra - 1) if worst.extra else "")
    return [
        invalid(
            at,
            value,
            f"{rule}: it makes {worst.what} {made!r}, {worst.length(value)} characters of at most {worst.limit}",
        )
    ]


def subdomain(value: object, at: Where) -> list[Problem]:
    """A DNS-1123 subdomain (Secret and ConfigMap names)."""
    return [] if _named(value, DNS1123_SUBDOMAIN, 253) else [invalid(at, value, SUBDOMAIN_RULE)]


def label_list(values: object, at: Where, what: str, *, at_least: int = 0) -> list[Problem]:
    """A list of distinct DNS-1123 labels (namespace names, say) with at least `at_least`."""
    base = Path.of(at)
    if not is_list(values) or len(values) < at_least:
        more = f", at least {at_least}" if at_least else ""
        return [invalid(base, values, f"a list of {what}{more}")]
    problems = [p for i, v in enumerate(values) for p in dns_label(v, base / i)]
    return problems or distinct(values, base)


def used_once(uses: Iterable[tuple[Path, object]], what: str) -> list[Problem]:
    """Each value used once across `uses` (path, value); a repeat names where it was first.

    `what` names the value (``a port``, ``a subnet``); the repeats may sit anywhere
    (``ports[2].port`` repeating ``ports[0].port``, a subnet in two zones' lists).
    """
    first: dict[object, Path] = {}
    problems = []
    for at, value in uses:
        key = value if isinstance(value, str | int) else repr(value)
        if key in first:
            problems.append(invalid(at, value, f"{what} listed once; it repeats {first[key]}"))
        else:
            first[key] = at
    return problems


def distinct(values: Sequence[object], at: Where) -> list[Problem]:
    """Each item of one list listed once; a repeat names the first place it was listed."""
    base = Path.of(at)
    return used_once([(base / i, v) for i, v in enumerate(values)], "an item")


def because(problems: Iterable[Problem], reason: str) -> list[Problem]:
    """A shared check's problems with the reason after what is allowed:
    ``an integer of at least 2: one pod must stay ready through a rolling update``."""
    return [replace(p, allowed=f"{p.allowed}: {reason}") for p in problems]


def labels(value: object, at: Where, *, at_least: int = 0) -> list[Problem]:
    """A map of Kubernetes label keys to label values."""
    base = Path.of(at)
    if not isinstance(value, Mapping) or len(value) < at_least:
        more = f" with at least {at_least} label" + ("s" if at_least > 1 else "") if at_least else ""
        return [invalid(base, value, f"a map of label keys to label values{more}")]
    problems: list[Problem] = []
    for k, v in value.items():
        if not (isinstance(k, str) and LABEL_KEY.match(k)):
            problems.append(invalid(base, k, "label keys: an optional DNS prefix and '/', then a name"))
        elif not (isinstance(v, str) and LABEL_VALUE.match(v)):
            rule = (
                "a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric"
            )
            problems.append(invalid(base / MapKey(k), v, rule))
    return problems


def image(value: object, at: Where) -> list[Problem]:
    """An image reference pinned by tag or digest: 'latest' or no tag would drift."""
    ok = isinstance(value, str) and IMAGE.match(value) is not None
    if ok and "@sha256:" not in str(value):
        tail = str(value).rsplit("/", 1)[-1]
        ok = ":" in tail and tail.rsplit(":", 1)[1] not in ("", "latest")
    return [] if ok else [invalid(at, value, IMAGE_RULE)]


def cpu(value: object, at: Where) -> list[Problem]:
    ok = isinstance(value, str) and CPU.match(value) is not None
    return [] if ok else [invalid(at, value, "a CPU quantity like '250m' or '1'")]


def memory(value: object, at: Where) -> list[Problem]:
    ok = isinstance(value, str) and MEMORY.match(value) is not None
    return [] if ok else [invalid(at, value, "a memory quantity like '256Mi' or '1Gi'")]


def network(value: object, *, strict: bool = True) -> Network | None:
    """A network in CIDR form, or None (with `strict`, host bits must be zero)."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value, strict=strict)
    except ValueError:
        return None


def covers_every_address(nets: Iterable[Network]) -> bool:
    """Whether the union of `nets` is all of IPv4 or all of IPv6, however it is spelt.

    ``0.0.0.0/1`` + ``128.0.0.0/1`` is every address as surely as ``0.0.0.0/0`` is.
    """
    nets = list(nets)
    v4 = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in nets if isinstance(n, ipaddress.IPv6Network)]
    total_v4 = sum(n.num_addresses for n in ipaddress.collapse_addresses(v4))
    total_v6 = sum(n.num_addresses for n in ipaddress.collapse_addresses(v6))
    return total_v4 == 2**32 or total_v6 == 2**128


def cidr_list(
    values: object,
    at: Where,
    *,
    what: str = "networks",
    at_least: int = 0,
    every_address: str | None = None,
) -> list[Problem]:
    """A list of distinct networks in CIDR form.

    Unless `every_address` is None, the union of the list must not be every address: the
    message is `every_address` (why that is refused here, e.g. "an open proxy").
    """
    base = Path.of(at)
    if not is_list(values) or len(values) < at_least:
        more = f", at least {at_least}" if at_least else ""
        return [invalid(base, values, f"a list of {what} in CIDR form{more}, like ['10.0.0.0/16']")]
    problems: list[Problem] = []
    nets: list[Network] = []
    for i, raw in enumerate(values):
        net = network(raw)
        if net is None:
            problems.append(invalid(base / i, raw, CIDR_RULE))
        else:
            nets.append(net)
    if problems:
        return problems
    problems = distinct([str(n) for n in nets], base)
    if every_address is not None and covers_every_address(nets):
        problems.append(invalid(base, list(values), f"{what} that leave some addresses out: {every_address}"))
    return problems
