"""`SquidProxy`: Squid egress allowlist proxy pods spread over availability zones, behind one stable Service.

Seed 000 replaced two EC2 tinyproxy boxes (hangs, no GitOps, no visibility) with Squid pods that
other pods use as `HTTP_PROXY`, each pod egressing through the NAT gateway of its own zone. This
component is that deployment: it validates the args, resolves them into a `SquidPlan`, and
registers the plan's plain Kubernetes objects (`manifests.py`) as its children.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import pulumi

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.problems import Path, Problem, invalid, raise_if
from traffic_edge.squid_proxy.args import SquidProxyArgs, Wired, expected_egress_ips
from traffic_edge.squid_proxy.canary import expected_ips_data
from traffic_edge.squid_proxy.manifests import child_name, manager_secret_data, manifests
from traffic_edge.squid_proxy.plan import SquidPlan, plan_squid_proxy
from traffic_edge.squid_proxy.squid_conf import render
from traffic_edge.squid_proxy.validate import validate_squid_proxy_args


def _manager_data() -> pulumi.Output[Any]:
    """The cache manager's Secret data for a fresh password, as a secret Output: never in a plan
    file, a log or the ConfigMap.

    Drawn here on every run, and kept only on create: the Secret ignores later changes to its data
    (`pulumi up --target-replace <Secret URN>` draws a new one; restart the pods after). A stored
    generator (pulumi_random's RandomPassword) would keep it in the state instead; it is not a
    dependency of this package."""
    password = secrets.token_hex(24)
    return pulumi.Output.secret(manager_secret_data(password))


def _unwired(args: Mapping[str, Any]) -> list[Problem]:
    """A `Wired` placeholder reaching the component: the stack layer did not swap in the Output."""
    value = expected_egress_ips(args)
    if not isinstance(value, Wired):
        return []
    allowed = f"a map of zone -> egress IPs, or an Output of one (the {value.source} section's, in a stack)"
    return [invalid(Path.of("canary") / "expected_egress_ips", value.source, allowed)]


def _canary_ips(args: Mapping[str, Any]) -> pulumi.Output[Any] | None:
    """The canary ConfigMap's data when the expected IPs arrive as an Output."""
    value = expected_egress_ips(args)
    if isinstance(value, pulumi.Output):
        return value.apply(expected_ips_data)
    return None


class SquidProxy(pulumi.ComponentResource):
    """Squid egress allowlist proxy: zone-spread pods behind a stable Service other pods use as `HTTP_PROXY`.

    Args: `SquidProxyArgs` (every key documented there). Outputs: `proxy_url`
    (`http://<name>.<namespace>.svc.cluster.local:3128`), `service_name`, `namespace`, `zones`;
    `squid_conf` holds the generated file (what `make plan` writes under configs/).
    """

    proxy_url: pulumi.Output[str]
    service_name: pulumi.Output[str]
    namespace: pulumi.Output[str]
    zones: pulumi.Output[list[str]]

    def __init__(self, name: str, args: SquidProxyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raise_if(f"SquidProxy {name!r}", [*validate_squid_proxy_args(args, name), *_unwired(args)])
        super().__init__("traffic-edge:index:SquidProxy", name, None, opts)
        plan = plan_squid_proxy(name, args)
        for warning in plan.warnings:
            pulumi.log.warn(f"SquidProxy {name!r}: {warning}", resource=self)
        self.squid_conf = render(plan.conf)
        self._register(plan, _canary_ips(args))
        self.proxy_url = pulumi.Output.from_input(plan.proxy_url)
        self.service_name = pulumi.Output.from_input(plan.name)
        self.namespace = pulumi.Output.from_input(plan.namespace)
        self.zones = pulumi.Output.from_input(list(plan.zones))
        self.register_outputs(
            {
                "proxy_url": self.proxy_url,
                "service_name": self.service_name,
                "namespace": self.namespace,
                "zones": self.zones,
            }
        )

    def _register(self, plan: SquidPlan, canary_ips: pulumi.Output[Any] | None) -> None:
        namespace_resource: list[pulumi.Resource] = []
        for manifest in manifests(plan, manager_data=_manager_data(), canary_ips=canary_ips):
            # Everything namespaced waits for the namespace when this component creates it.
            child = pulumi.ResourceOptions(
                parent=self,
                depends_on=namespace_resource,
                # The password is drawn on every run; only the first one's is kept (see _manager_data).
                ignore_changes=["stringData", "data"] if manifest["kind"] == "Secret" else None,
            )
            created = k8s_objects.create(child_name(plan.name, manifest), manifest, child)
            if manifest["kind"] == "Namespace":
                namespace_resource = [created]
