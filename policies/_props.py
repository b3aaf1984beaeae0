"""Safe reads of policy props.

CrossGuard hands policies read-only proxies (`Mapping` / `Sequence`, not dict / list) that
raise `UnknownValueError` when a value is only known after apply. A policy that trips over
one is reported as "can't run during preview" instead of judging what *is* known, so every
read goes through these helpers: an unknown value comes back as `UNKNOWN`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown until apply>"


UNKNOWN: Any = _Unknown()


def get(m: Any, key: str, default: Any = None) -> Any:
    """`m[key]`, `default` when `m` is not a mapping or has no such key, `UNKNOWN` when unknown."""
    if not isinstance(m, Mapping):
        return default
    try:
        return m[key]
    except KeyError:
        return default
    except UnknownValueError:
        return UNKNOWN


def path(m: Any, *keys: str, default: Any = None) -> Any:
    for key in keys:
        m = get(m, key, default=None)
        if m is None:
            return default
        if m is UNKNOWN:
            return UNKNOWN
    return m


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> Iterator[Any]:
    """Elements of a list prop; unknown elements come back as `UNKNOWN`."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        return
    for i in range(len(value)):
        try:
            yield value[i]
        except UnknownValueError:
            yield UNKNOWN


def plain(value: Any) -> Any:
    """A known value as plain dict/list/scalars, with unknown parts as `UNKNOWN`."""
    if isinstance(value, Mapping):
        return {k: plain(get(value, k)) for k in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(v) for v in items(value)]
    return value


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def to_int(value: Any) -> int | None:
    """An integer, or an annotation string holding one."""
    if is_int(value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


def k8s_name(props: Any) -> str:
    """``namespace/name`` (or ``name``) of a Kubernetes object, for messages."""
    ns = path(props, "metadata", "namespace")
    name = path(props, "metadata", "name")
    name = name if isinstance(name, str) else "?"
    return f"{ns}/{name}" if isinstance(ns, str) and ns else name


POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Where each workload kind keeps its pod spec (patch kinds are partial objects: not judged)."""


def pod_spec(resource_type: str, props: Any) -> Mapping[str, Any] | None:
    where = POD_SPEC_PATHS.get(resource_type)
    if where is None:
        return None
    spec = path(props, *where)
    return spec if isinstance(spec, Mapping) else None


def containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(``kind name``, container) for every container, init and ephemeral container."""
    for field, what in (
        ("initContainers", "init container"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeral container"),
    ):
        for c in items(get(spec, field)):
            if isinstance(c, Mapping):
                name = get(c, "name")
                yield f"{what} {name if isinstance(name, str) else '?'!s}", c


def selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    """Whether a matchLabels selector (a plain label map) selects pods with `labels`."""
    sel = mapping(selector)
    return all(get(labels, k) == get(sel, k) for k in sel)


ReportViolation = Callable[..., None]
"""`report_violation(message, urn=None)`: pulumi-policy's alias requires the urn argument."""


def whole_space(cidrs: Sequence[Any]) -> bool:
    """The networks together hold every IPv4 or every IPv6 address, judged on their union:
    ``0.0.0.0/1`` + ``128.0.0.0/1`` is everyone as surely as ``0.0.0.0/0``. Entries that are
    not networks are not counted."""
    nets = []
    for cidr in cidrs:
        try:
            nets.append(ipaddress.ip_network(str(cidr), strict=False))
        except ValueError:
            continue
    v4 = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in nets if isinstance(n, ipaddress.IPv6Network)]
    held_v4 = sum(n.num_addresses for n in ipaddress.collapse_addresses(v4))
    held_v6 = sum(n.num_addresses for n in ipaddress.collapse_addresses(v6))
    return held_v4 == 2**32 or held_v6 == 2**128
