"""Run a CrossGuard policy pack on an offline recording, as `pulumi preview --policy-pack DIR` would.

The pack is loaded from its directory the way the CLI runs it (its ``__main__.py``), with
`PolicyPack` stood in for so that no gRPC server starts: the *same* policy objects then get
the arguments CrossGuard would give them. Props are the registration inputs (camelCase)
behind CrossGuard's unknown-checking proxy, values known only after apply are CrossGuard's
unknown sentinels, and `--policy-pack-config` is accepted in the CLI's shape
(``{"all": "mandatory", "<policy>": "advisory" | {...}}``). A pack that cannot be loaded
fails the plan instead of reporting "0 evaluated" and passing.
"""

from __future__ import annotations

import inspect
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi_policy
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

from traffic_edge.plan.engine import UNKNOWN, Recording, Resource
from traffic_edge.plan.policy import PackError, Report, Violation


@dataclass(frozen=True)
class Pack:
    name: str
    policies: tuple[Policy, ...]
    enforcement: EnforcementLevel


def load_pack(directory: Path) -> Pack:
    """The pack in `directory`, built by its own ``__main__.py`` as under the CLI."""
    main = directory / "__main__.py"
    if not main.is_file():
        raise PackError(f"{directory}: not a Python policy pack (no __main__.py)")
    built: list[Pack] = []

    def capture(
        name: str, policies: list[Policy], enforcement_level: EnforcementLevel | None = None, **_: Any
    ) -> None:
        built.append(Pack(name, tuple(policies), enforcement_level or EnforcementLevel.ADVISORY))

    real = pulumi_policy.PolicyPack
    pulumi_policy.PolicyPack = capture  # type: ignore[assignment,misc]
    try:
        runpy.run_path(str(main), run_name="__main__")
    finally:
        pulumi_policy.PolicyPack = real  # type: ignore[misc]
    if len(built) != 1:
        raise PackError(f"{main}: built {len(built)} PolicyPack objects, not one")
    return built[0]


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


def _level(policy: Policy, config: Mapping[str, Any], default: EnforcementLevel) -> EnforcementLevel:
    """The CLI's order: the policy's own entry, then ``all``, then the policy, then the pack."""
    for key in (policy.name, "all"):
        entry = config.get(key)
        if isinstance(entry, Mapping):
            entry = entry.get("enforcementLevel")
        if entry is not None:
            return entry if isinstance(entry, EnforcementLevel) else EnforcementLevel(str(entry))
    return policy.enforcement_level or default


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


def evaluate_recording(rec: Recording, pack: Pack, config: Mapping[str, Any] | None = None) -> Report:
    """Every policy of `pack` on `rec`: violations with their effective enforcement level."""
    config = dict(config or {})
    report = Report(pack=pack.name)
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

    for policy in pack.policies:
        level = _level(policy, config, pack.enforcement)
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
                    report.violations.append(_cannot_run(policy.name, pack.name, unknown, r.urn))
        elif isinstance(policy, StackValidationPolicy):
            stack_args = StackValidationArgs(list(stack_view.values()), policy_config)
            unknown = _run(policy.validate, stack_args, reporter(None))
            if unknown:
                report.violations.append(_cannot_run(policy.name, pack.name, unknown, None))
    return report


def _cannot_run(name: str, pack: str, detail: str, urn: str | None) -> Violation:
    # What the CLI prints when a policy reads a value known only after apply: advisory, as there.
    return Violation(
        name,
        "advisory",
        urn,
        f"can't run policy '{name}' from policy pack '{pack}' during preview: {detail}",
    )
