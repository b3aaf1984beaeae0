"""The stack program: validated settings -> providers -> components -> stack outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_azure_native as azure_native
import pulumi_kubernetes as k8s

from edge_stack.config import decode, load
from edge_stack.sections import load_ref
from edge_stack.settings import StackSettings
from traffic_edge._shared.problems import Secret


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


def build(settings: StackSettings) -> dict[str, Any]:
    """Register everything; return the components by config key."""
    providers = _providers(settings)
    built: dict[str, Any] = {}
    config_files: dict[str, Any] = {}
    for key, comp in settings.components.items():
        chosen = [providers[p] for p in comp.section.needs if p in providers]
        if comp.cluster is not None:
            chosen.append(providers[f"k8s:{comp.cluster.name}"])
        cls = load_ref(comp.section.component)
        instance = cls(comp.name, comp.args, opts=pulumi.ResourceOptions(providers=chosen))
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
