"""Run the pack's policies on an offline recording, as `pulumi preview --policy-pack policies` would.

`make plan` calls `evaluate_recording` through `planner.policy_report`. It hands the *same*
policy objects the pack is built from the arguments CrossGuard would: props are the
registration inputs (camelCase) behind CrossGuard's unknown-checking proxy, values known
only after apply are CrossGuard's unknown sentinels, and `--policy-pack-config` is accepted
in the CLI's shape (``{"all": "mandatory", "<policy>": "advisory" | {...}}``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from planner.engine import UNKNOWN, Recording, Resource
from policies.pack import DEFAULT_ENFORCEMENT, PACK_NAME, POLICIES
from policies.report import Report, Violation


def _wire(value: Any) -> Any:
    """The recording's visible unknown marker -> CrossGuard's unknown sentinel."""
    if value == UNKNOWN:
        return UNKNOWN_STRING_VALUE
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


def _options(res: Resource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=res.protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[a["urn"] for a in res.aliases if "urn" in a],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=res.parent,
    )


def _level(policy: Policy, config: Mapping[str, Any]) -> EnforcementLevel:
    """The CLI's order: the policy's own entry, then ``all``, then the policy, then the pack."""
    for key in (policy.name, "all"):
        entry = config.get(key)
        if isinstance(entry, Mapping):
            entry = entry.get("enforcementLevel")
        if entry is not None:
            return entry if isinstance(entry, EnforcementLevel) else EnforcementLevel(str(entry))
    return policy.enforcement_level or DEFAULT_ENFORCEMENT


def _policy_config(policy: Policy, config: Mapping[str, Any]) -> dict[str, Any]:
    """Schema defaults, overridden by the policy's config entry (as the CLI fills them in)."""
    out: dict[str, Any] = {}
    schema = policy.config_schema
    for key, prop in ((schema.properties if schema else None) or {}).items():
        if "default" in prop:
            out[key] = prop["default"]
    entry = config.get(policy.name)
    if isinstance(entry, Mapping):
        out.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
    return out


def _run(validate: Callable[[Any, Any], Any], args: Any, report_violation: Any) -> str | None:
    """None, or why the policy could not run (it read a value known only after apply)."""
    try:
        result = validate(args, report_violation)
    except UnknownValueError as err:
        return err.message
    if inspect.isawaitable(result):  # no policy here is async; never leave one silently unawaited
        raise TypeError("async policies are not supported by the offline evaluator")
    return None


def evaluate_recording(rec: Recording, config: Mapping[str, Any] | None = None) -> Report:
    """Every policy of the pack on `rec`: violations with their effective enforcement level."""
    config = dict(config or {})
    report = Report()
    resources = [r for r in rec.resources if r.type != "pulumi:pulumi:Stack"]
    props = {r.urn: unknown_checking_proxy(_wire(r.inputs)) for r in resources}
    by_urn = {r.urn: r for r in rec.resources}

    def provider(res: Resource) -> PolicyProviderResource | None:
        p = by_urn.get(res.provider or "")
        if p is None:
            return None
        return PolicyProviderResource(p.type, unknown_checking_proxy(_wire(p.inputs)), p.urn, p.name)

    stack_view: dict[str, PolicyResource] = {}
    for r in resources:
        stack_view[r.urn] = PolicyResource(
            r.type, props[r.urn], r.urn, r.name, _options(r), provider(r), None, [], {}
        )
    for r in resources:
        view = stack_view[r.urn]
        view.parent = stack_view.get(r.parent or "")
        view.dependencies = [stack_view[d] for d in r.depends_on if d in stack_view]

    for policy in POLICIES:
        level = _level(policy, config)
        if level is EnforcementLevel.DISABLED:
            continue
        report.policies.append(policy.name)
        if level is EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        policy_config = _policy_config(policy, config)

        def reporter(default_urn: str | None, name: str = policy.name, lvl: str = level.value) -> Any:
            def report_violation(message: str, urn: str | None = None) -> None:
                report.violations.append(Violation(name, lvl, urn or default_urn, message))

            return report_violation

        if isinstance(policy, ResourceValidationPolicy):
            # A resource read with `.get()` (an adopted Elastic IP) is not the stack's to create,
            # protect or delete: resource policies judge what the stack registers.
            for r in (r for r in resources if not r.read):
                args = ResourceValidationArgs(
                    r.type, props[r.urn], r.urn, r.name, _options(r), provider(r), policy_config
                )
                unknown = _run(policy.validate, args, reporter(r.urn))
                if unknown:
                    report.violations.append(_cannot_run(policy.name, unknown, r.urn))
        elif isinstance(policy, StackValidationPolicy):
            stack_args = StackValidationArgs(list(stack_view.values()), policy_config)
            unknown = _run(policy.validate, stack_args, reporter(None))
            if unknown:
                report.violations.append(_cannot_run(policy.name, unknown, None))
    return report


def _cannot_run(name: str, detail: str, urn: str | None) -> Violation:
    # What the CLI prints when a policy reads a value known only after apply: advisory, as there.
    return Violation(
        name,
        "advisory",
        urn,
        f"can't run policy '{name}' from policy pack '{PACK_NAME}' during preview: {detail}",
    )
