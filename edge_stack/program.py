"""The stack program: validated settings -> providers -> components -> stack outputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_azure_native as azure_native
import pulumi_kubernetes as k8s

from edge_stack.config import decode, load
from edge_stack.sections import load_ref
from edge_stack.settings import StackSettings
from traffic_edge._shared.problems import Secret
from traffic_edge.squid_proxy.args import Wired, expected_egress_ips


def _providers(settings: StackSettings) -> dict[str, pulumi.ProviderResource]:
    """Explicit providers only: a component never falls back to an ambient default provider."""
    providers: dict[str, pulumi.ProviderResource] = {}
    for name, cluster in sorted(settings.clusters.items()):
        kubeconfig = cluster.kubeconfig
        providers[f"k8s:{name}"] = k8s.Provider(
            f"k8s-{name}",
            context=cluster.context,
            # Contents arrive only as a secret (the config check refuses them in clear text).
            kubeconfig=pulumi.Output.secret(str(kubeconfig))
            if isinstance(kubeconfig, Secret)
            else kubeconfig,
            namespace=cluster.namespace,
        )
    if settings.aws is not None:
        providers["aws"] = aws.Provider(
            "aws",
            region=settings.aws["region"],
            allowed_account_ids=settings.aws.get("allowed_account_ids"),
        )
    if settings.azure is not None:
        providers["azure"] = azure_native.Provider(
            "azure",
            location=settings.azure["location"],
            subscription_id=settings.azure.get("subscription_id"),
        )
    return providers


def _zone_ips(gateways: Mapping[str, Any], every_ip: list[str], zones: list[str]) -> dict[str, list[str]]:
    """Each zone's egress IPs: its own NAT gateway's, or (a zone without one: with the Single
    strategy, every zone but the gateway's) every egress IP of the section."""
    return {z: list(gateways[z]["egress_ips"]) if z in gateways else list(every_ip) for z in zones}


def _canary_ips(args: dict[str, Any], nat: Any) -> dict[str, Any]:
    """Swap the `Wired` egress IPs of a canary for EgressNatGateways' outputs."""
    if not isinstance(expected_egress_ips(args), Wired):
        return args
    canary = args["canary"]
    zones = [str(z) for z in args["zones"]]
    ips = pulumi.Output.all(nat.nat_gateways, nat.egress_ips).apply(lambda v: _zone_ips(v[0], v[1], zones))
    return {**args, "canary": {**canary, "expected_egress_ips": ips}}


OUTPUT_WIRING: dict[str, tuple[str, Callable[[dict[str, Any], Any], dict[str, Any]]]] = {
    "squid": ("egressNat", _canary_ips),
}
"""Section key -> (the section whose component's outputs it takes, how): built after that one."""


def _order(settings: StackSettings) -> list[str]:
    """Every section, those that take another's outputs after it (the sort is stable)."""
    keys = list(settings.components)
    return sorted(keys, key=lambda k: OUTPUT_WIRING.get(k, ("",))[0] in keys)


def build(settings: StackSettings) -> dict[str, Any]:
    """Register everything; return the components by config key."""
    providers = _providers(settings)
    built: dict[str, Any] = {}
    config_files: dict[str, Any] = {}
    for key in _order(settings):
        comp = settings.components[key]
        chosen = [providers[p] for p in comp.section.needs if p in providers]
        if comp.cluster is not None:
            chosen.append(providers[f"k8s:{comp.cluster.name}"])
        cls = load_ref(comp.section.component)
        args = comp.args
        if key in OUTPUT_WIRING and OUTPUT_WIRING[key][0] in built:
            args = OUTPUT_WIRING[key][1](args, built[OUTPUT_WIRING[key][0]])
        instance = cls(comp.name, args, opts=pulumi.ResourceOptions(providers=chosen))
        built[key] = instance
        for output_name, attr in comp.section.exports.items():
            pulumi.export(output_name, getattr(instance, attr))
        for file_name, text in (getattr(instance, "config_files", None) or {}).items():
            config_files[f"{comp.name}/{file_name}"] = text
    pulumi.export("stack", settings.stack)
    if config_files:
        pulumi.export("configFiles", config_files)
    return built


def main(raw_config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Entry point of __main__.py: read the stack's config, validate all of it, then build."""
    from pulumi.runtime.config import CONFIG, get_config_env, get_config_secret_keys_env, is_config_secret

    raw = raw_config if raw_config is not None else {**get_config_env(), **CONFIG.get()}
    # The CLI names the keys it decrypted (PULUMI_CONFIG_SECRET_KEYS, or set with the config).
    secret_keys = {k for k in raw if is_config_secret(k)} | set(get_config_secret_keys_env())
    settings = load(pulumi.get_stack(), decode(raw, secret_keys))
    return build(settings)
