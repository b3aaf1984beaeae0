"""Pods the components create: the restricted Pod Security profile, and pinned images.

Advisory by default (a stack may run something it cannot change yet) and configurable with
`--policy-pack-config`: raise either to mandatory, exempt named workloads, require digests.
Helm releases are not judged here: their pods exist only after the chart is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policies._props import (
    UNKNOWN,
    ReportViolation,
    containers,
    get,
    items,
    k8s_name,
    mapping,
    path,
    pod_spec,
    to_int,
)

EXEMPT_SCHEMA = {
    "type": "array",
    "items": {"type": "string"},
    "default": [],
    "description": "Workloads (namespace/name, as in the violation message) this policy skips.",
}

# Pod Security Standards, restricted profile (Kubernetes 1.25+; the version the plans validate against).
ALLOWED_VOLUME_TYPES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
SAFE_SYSCTLS = (
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
)
ALLOWED_SELINUX_TYPES = ("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t")
ALLOWED_SECCOMP = ("RuntimeDefault", "Localhost")


def _exempt(args: ResourceValidationArgs) -> bool:
    return k8s_name(args.props) in list(get(args.get_config(), "exemptWorkloads", []) or [])


def restricted_problems(spec: Mapping[str, Any]) -> list[str]:
    """Where a pod spec breaks the restricted Pod Security profile (empty: it meets it)."""
    problems: list[str] = []
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if get(spec, field) is True:
            problems.append(f"{field} is true")
    for v in items(get(spec, "volumes")):
        kinds = [k for k in mapping(v) if k != "name"]
        bad = [k for k in kinds if k not in ALLOWED_VOLUME_TYPES]
        if bad:
            problems.append(
                f"volume {get(v, 'name')!r} is of type {bad[0]} (allowed: {', '.join(ALLOWED_VOLUME_TYPES)})"
            )
    pod_sc = mapping(get(spec, "securityContext"))
    for s in items(get(pod_sc, "sysctls")):
        if get(s, "name") not in SAFE_SYSCTLS:
            problems.append(f"sysctl {get(s, 'name')!r} is not in the safe set")
    if path(pod_sc, "seLinuxOptions", "type", default="") not in ALLOWED_SELINUX_TYPES:
        problems.append(f"pod seLinuxOptions.type {path(pod_sc, 'seLinuxOptions', 'type')!r}")
    if to_int(get(pod_sc, "runAsUser")) == 0:
        problems.append("the pod runs as uid 0")
    pod_seccomp = path(pod_sc, "seccompProfile", "type")
    if pod_seccomp is not None and pod_seccomp not in ALLOWED_SECCOMP:
        problems.append(f"pod seccompProfile.type is {pod_seccomp!r}")
    for what, c in containers(spec):
        sc = mapping(get(c, "securityContext"))
        if get(sc, "privileged") is True:
            problems.append(f"{what} is privileged")
        if get(sc, "allowPrivilegeEscalation") is not False:
            problems.append(f"{what} does not set allowPrivilegeEscalation: false")
        drop = [str(d) for d in items(path(sc, "capabilities", "drop"))]
        if "ALL" not in drop:
            problems.append(f"{what} does not drop ALL capabilities")
        added = [str(a) for a in items(path(sc, "capabilities", "add")) if a != "NET_BIND_SERVICE"]
        if added:
            problems.append(f"{what} adds capabilities {added} (only NET_BIND_SERVICE is allowed)")
        non_root = get(sc, "runAsNonRoot", get(pod_sc, "runAsNonRoot"))
        if non_root is not True:
            problems.append(f"{what} does not set runAsNonRoot: true (pod or container)")
        if to_int(get(sc, "runAsUser")) == 0:
            problems.append(f"{what} runs as uid 0")
        seccomp = path(sc, "seccompProfile", "type", default=pod_seccomp)
        if seccomp not in ALLOWED_SECCOMP:
            problems.append(
                f"{what} has seccompProfile {seccomp!r} (RuntimeDefault or Localhost, pod or container)"
            )
        if path(sc, "seLinuxOptions", "type", default="") not in ALLOWED_SELINUX_TYPES:
            problems.append(f"{what} seLinuxOptions.type {path(sc, 'seLinuxOptions', 'type')!r}")
        if get(sc, "procMount", "Default") != "Default":
            problems.append(f"{what} procMount is {get(sc, 'procMount')!r}")
        for p in items(get(c, "ports")):
            if to_int(get(p, "hostPort")) not in (None, 0):
                problems.append(f"{what} uses hostPort {get(p, 'hostPort')}")
    return problems


def check_pod_security(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    spec = pod_spec(args.resource_type, args.props)
    if spec is None or _exempt(args):
        return
    problems = restricted_problems(spec)
    if problems:
        kind = args.resource_type.rsplit(":", 1)[-1]
        report_violation(
            f"{kind} {k8s_name(args.props)} does not meet the restricted Pod Security profile: "
            + "; ".join(problems)
            + ". Fix the pod spec, or list the workload under exemptWorkloads in the policy config."
        )


_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def image_problem(image: Any, require_digest: bool) -> str | None:
    """Why an image reference is not pinned (None: it is)."""
    if image is UNKNOWN:
        return None
    if not isinstance(image, str) or not image:
        return f"has no image ({image!r})"
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    if digest:
        return None if _DIGEST.match(digest) else f"image {image!r} has a malformed digest"
    if require_digest:
        return f"image {image!r} is not pinned by digest (@sha256:...)"
    if tag is None:
        return f"image {image!r} has no tag: it means latest"
    if tag == "latest":
        return f"image {image!r} uses the latest tag"
    if not _TAG.match(tag):
        return f"image {image!r} has a malformed tag"
    return None


def check_images_pinned(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    spec = pod_spec(args.resource_type, args.props)
    if spec is None or _exempt(args):
        return
    require_digest = get(args.get_config(), "requireDigest", False) is True
    problems = [
        f"{what} {p}" for what, c in containers(spec) if (p := image_problem(get(c, "image"), require_digest))
    ]
    if problems:
        kind = args.resource_type.rsplit(":", 1)[-1]
        report_violation(
            f"{kind} {k8s_name(args.props)}: "
            + "; ".join(problems)
            + ". Pin a version tag or a digest, so a rollout or node restart never pulls something else."
        )


pod_security_restricted = ResourceValidationPolicy(
    name="pod-security-restricted",
    description="Pods meet the restricted Pod Security profile.",
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=PolicyConfigSchema(properties={"exemptWorkloads": EXEMPT_SCHEMA}),
    validate=check_pod_security,
)

images_pinned = ResourceValidationPolicy(
    name="images-pinned",
    description="Container images are pinned by tag or digest, never latest.",
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=PolicyConfigSchema(
        properties={
            "exemptWorkloads": EXEMPT_SCHEMA,
            "requireDigest": {
                "type": "boolean",
                "default": False,
                "description": "Accept only digests (@sha256:...), not tags.",
            },
        }
    ),
    validate=check_images_pinned,
)
