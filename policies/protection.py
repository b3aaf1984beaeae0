"""Public IPs outlive every change: third parties allowlist them (seeds 000 and 001)."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policies._props import ReportViolation

PUBLIC_IP_TYPES = {
    "aws:ec2/eip:Eip": "Elastic IP",
    "azure-native:network:PublicIPAddress": "Azure public IP",
    # The contiguous range a third party allowlists once: losing it loses every address in it.
    "azure-native:network:PublicIPPrefix": "Azure public IP prefix",
}


def check_public_ip_protected(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    what = PUBLIC_IP_TYPES.get(args.resource_type)
    if what is None or args.opts.protect:
        return
    # The analyzer protocol carries `protect` but not `retainOnDelete` (pulumi-policy 1.21),
    # so protect is what the pack can see; the components set both.
    report_violation(
        f"{what} {args.name!r} is not protected: a destroy or a replacement would release an address "
        "third parties allowlist. Create it with ResourceOptions(protect=True, retain_on_delete=True)."
    )


public_ips_protected = ResourceValidationPolicy(
    name="public-ips-protected",
    description="Elastic IPs and Azure public IPs are created with protect (and retainOnDelete).",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=check_public_ip_protected,
)
