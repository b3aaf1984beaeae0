"""`SquidProxy`: Squid egress allowlist proxy pods spread over availability zones, behind one stable Service.

Seed 000 replaced two EC2 tinyproxy boxes (hangs, no GitOps, no visibility) with Squid pods that
other pods use as `HTTP_PROXY`, each pod egressing through the NAT gateway of its own zone. This
component is that deployment: it validates the args, resolves them into a `SquidPlan`, and
registers the plan's plain Kubernetes objects (`manifests.py`) as its children.
"""

from __future__ import annotations

import pulumi

from traffic_edge._shared import k8s_objects
from traffic_edge._shared.problems import raise_if
from traffic_edge.squid_proxy.args import SquidProxyArgs
from traffic_edge.squid_proxy.manifests import child_name, manifests
from traffic_edge.squid_proxy.plan import SquidPlan, plan_squid_proxy
from traffic_edge.squid_proxy.squid_conf import render
from traffic_edge.squid_proxy.validate import validate_squid_proxy_args


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
        raise_if(f"SquidProxy {name!r}", validate_squid_proxy_args(args, name))
        super().__init__("traffic-edge:index:SquidProxy", name, None, opts)
        plan = plan_squid_proxy(name, args)
        for warning in plan.warnings:
            pulumi.log.warn(f"SquidProxy {name!r}: {warning}", resource=self)
        self.squid_conf = render(plan.conf)
        self._register(plan)
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

    def _register(self, plan: SquidPlan) -> None:
        namespace_resource: list[pulumi.Resource] = []
        for manifest in manifests(plan):
            # Everything namespaced waits for the namespace when this component creates it.
            child = pulumi.ResourceOptions(parent=self, depends_on=namespace_resource)
            created = k8s_objects.create(child_name(plan.name, manifest), manifest, child)
            if manifest["kind"] == "Namespace":
                namespace_resource = [created]
