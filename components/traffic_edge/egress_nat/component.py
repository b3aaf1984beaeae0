"""`EgressNatGateways`: per-zone NAT gateways with stable egress IPs in an existing VPC.

The plan (which NATs, EIPs, routes and names) comes from `traffic_edge.egress_nat.plan`; this module
only turns it into pulumi_aws resources.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Required, TypedDict

import pulumi
import pulumi_aws as aws

from traffic_edge._shared.problems import raise_if
from traffic_edge.egress_nat.plan import (
    CONNECTIONS_PER_IP_PER_DESTINATION,
    EipPlan,
    NatGatewayPlan,
    NatStrategy,
    plan_cost,
    plan_egress_nat,
    unpriced_output,
    validate_egress_nat_args,
)

__all__ = ["EgressNatGateways", "EgressNatGatewaysArgs", "NatStrategy"]

# Drops above 0.01 % of the packets a NAT gateway receives is AWS's suggested alarm level.
PACKET_DROP_PERCENT = 0.01


class EgressNatGatewaysArgs(TypedDict, total=False):
    vpc_id: Required[str]
    """The existing VPC (``vpc-...``). Used for the private route tables this component creates."""
    zones: Required[list[str]]
    """The Availability Zones to serve, e.g. ``["ap-northeast-2a", "ap-northeast-2c"]``; all of one
    region. Given explicitly (no lookup), and every per-zone map must cover exactly these zones."""
    public_subnet_ids: Required[dict[str, str]]
    """Zone -> the public subnet (``subnet-...``, with a route to the internet gateway) that hosts
    the zone's NAT gateway. OnePerZone: one per zone. Single: exactly one entry, whose zone gets the
    only NAT gateway."""
    private_route_table_ids: dict[str, list[str]]
    """Zone -> existing private route tables (``rtb-...``) that get a ``0.0.0.0/0`` route to the
    NAT gateway. They must not already have a default route. Per zone, give either this or
    `private_subnet_ids`."""
    private_subnet_ids: dict[str, list[str]]
    """Zone -> private subnets for which the component creates one route table per zone (default
    route to the NAT gateway) and associates them. The subnets must not be explicitly associated
    with another route table yet. Per zone, give either this or `private_route_table_ids`."""
    strategy: NatStrategy
    """``OnePerZone`` (default): a NAT gateway per zone, each zone routes to its own. ``Single``:
    one NAT gateway for all zones (warns: cross-zone transfer cost, single point of failure)."""
    adopted_eip_allocation_ids: dict[str, list[str]]
    """Zone -> existing Elastic IP allocation ids (``eipalloc-...``) to put on that zone's NAT
    gateway instead of creating new ones: the first becomes the primary IP, the rest secondary.
    Keeps IPs third parties already allowlist. Never created or deleted by this stack; each EIP
    must be disassociated from its instance first. Only zones that host a NAT gateway."""
    secondary_eips_per_nat: int
    """Secondary public IPs per NAT gateway, 0 (default) to 7. Each IP adds 55,000 simultaneous
    connections per destination (IP, port, protocol). Adopted ids beyond the first count towards
    it; the rest are created. More than 1 exceeds the default AWS quota (a warning says so)."""
    alarms: bool
    """CloudWatch alarms per NAT gateway on ``ErrorPortAllocation > 0`` and on packet drops above
    0.01 % of the packets received (default true)."""
    alarm_topic_arn: str
    """SNS topic (same region) the alarms notify on ALARM and OK. Only with `alarms`."""
    expected_gb_per_month: float
    """GB all NAT gateways process per month together (default 0), for `monthly_cost_estimate`."""
    tags: dict[str, str]
    """Tags on every taggable resource, next to the per-zone ``Name`` the component sets."""


class EgressNatGateways(pulumi.ComponentResource):
    """Per-zone NAT gateways with stable egress IPs, and the private default routes to them.

    Outputs: `nat_gateways` (zone -> {nat_gateway_id, egress_ips}), `egress_ips` (the flat list
    to hand to third parties), `nat_zones`, `private_route_table_ids` (zone -> route tables
    routed to a NAT gateway) and `monthly_cost_estimate` (USD, see `traffic_edge.egress_nat.plan.PRICES`).
    """

    nat_gateways: pulumi.Output[dict[str, dict[str, Any]]]
    egress_ips: pulumi.Output[list[str]]
    nat_zones: pulumi.Output[list[str]]
    private_route_table_ids: pulumi.Output[dict[str, list[str]]]
    monthly_cost_estimate: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: EgressNatGatewaysArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if(f"EgressNatGateways {name!r}", validate_egress_nat_args(args))
        super().__init__("traffic-edge:index:EgressNatGateways", name, None, opts)
        self._base_name = name
        plan = plan_egress_nat(name, args)
        user_tags = dict(args.get("tags") or {})
        topic = args.get("alarm_topic_arn")

        def tags(name_tag: str) -> dict[str, str]:
            return {**user_tags, "Name": name_tag}

        def child(**kwargs: Any) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, **kwargs)

        for warning in plan.warnings:
            pulumi.log.warn(warning, resource=self)

        nats: dict[str, aws.ec2.NatGateway] = {}
        zone_outputs: dict[str, pulumi.Output[dict[str, Any]]] = {}
        for nat_plan in plan.nat_gateways:
            eips = {e.slot: self._eip(e, tags, child) for e in nat_plan.eips if not e.adopted}

            def allocation(e: EipPlan, eips: dict[int, aws.ec2.Eip] = eips) -> pulumi.Input[str]:
                return e.allocation_id if e.allocation_id is not None else eips[e.slot].allocation_id

            nat = aws.ec2.NatGateway(
                nat_plan.resource_name,
                connectivity_type="public",
                subnet_id=nat_plan.subnet_id,
                allocation_id=allocation(nat_plan.eips[0]),
                secondary_allocation_ids=[allocation(e) for e in nat_plan.eips[1:]] or None,
                tags=tags(nat_plan.name_tag),
                # A replacement NAT would claim the same EIPs while the old one still holds them:
                # AWS refuses, so the old one has to go first.
                opts=child(delete_before_replace=True),
            )
            nats[nat_plan.zone] = nat
            ips = [self._egress_ip(e, nat, eips) for e in nat_plan.eips]
            zone_outputs[nat_plan.zone] = pulumi.Output.all(nat.id, pulumi.Output.all(*ips)).apply(
                lambda v: {"nat_gateway_id": v[0], "egress_ips": list(v[1])}
            )
            if plan.alarms:
                self._alarms(nat_plan, nat, topic, tags)

        route_tables: dict[str, list[pulumi.Output[str]]] = {z: [] for z in plan.zones}
        for rt in plan.route_tables:
            table_id: pulumi.Input[str]
            if rt.existing_id is not None:
                table_id = rt.existing_id
                route_tables[rt.zone].append(pulumi.Output.from_input(rt.existing_id))
            else:
                assert rt.table_name is not None and rt.name_tag is not None
                table = aws.ec2.RouteTable(
                    rt.table_name, vpc_id=args["vpc_id"], tags=tags(rt.name_tag), opts=child()
                )
                table_id = table.id
                route_tables[rt.zone].append(table.id)
            route = aws.ec2.Route(
                rt.route_name,
                route_table_id=table_id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[rt.nat_zone].id,
                opts=child(),
            )
            for assoc_name, subnet_id in rt.associations:
                aws.ec2.RouteTableAssociation(
                    assoc_name,
                    subnet_id=subnet_id,
                    route_table_id=table_id,
                    # Associating moves the subnet off its current table; until the default route
                    # exists the subnet's pods would have no way out.
                    opts=child(depends_on=[route]),
                )

        cost = plan_cost(plan)
        self.nat_gateways = (
            pulumi.Output.all(**zone_outputs) if zone_outputs else pulumi.Output.from_input({})
        )
        self.egress_ips = pulumi.Output.all(*zone_outputs.values()).apply(
            lambda zs: [ip for z in zs for ip in z["egress_ips"]]
        )
        self.nat_zones = pulumi.Output.from_input(plan.nat_zones)
        self.private_route_table_ids = pulumi.Output.all(
            **{z: pulumi.Output.all(*ids) for z, ids in route_tables.items()}
        ).apply(lambda d: {z: list(ids) for z, ids in d.items()})
        self.monthly_cost_estimate = pulumi.Output.from_input(
            cost.as_output() if cost is not None else unpriced_output(plan.region)
        )
        self.register_outputs(
            {
                "nat_gateways": self.nat_gateways,
                "egress_ips": self.egress_ips,
                "nat_zones": self.nat_zones,
                "private_route_table_ids": self.private_route_table_ids,
                "monthly_cost_estimate": self.monthly_cost_estimate,
            }
        )

    def _eip(
        self, e: EipPlan, tags: Callable[[str], dict[str, str]], child: Callable[..., pulumi.ResourceOptions]
    ) -> aws.ec2.Eip:
        assert e.resource_name is not None
        return aws.ec2.Eip(
            e.resource_name,
            domain="vpc",
            tags=tags(e.resource_name),
            # Third parties allowlist these IPs: a destroy, rename or replace must never release one.
            opts=child(protect=True, retain_on_delete=True),
        )

    def _egress_ip(
        self, e: EipPlan, nat: aws.ec2.NatGateway, eips: dict[int, aws.ec2.Eip]
    ) -> pulumi.Output[str]:
        if not e.adopted:
            return eips[e.slot].public_ip
        if e.slot == 0:
            return nat.public_ip
        # The NAT gateway reports only its primary public IP. A read (never managed, never
        # deleted) gives an adopted secondary's; terraform-aws-vpc#392 is what happens without it.
        assert e.allocation_id is not None
        return aws.ec2.Eip.get(
            f"{self._base_name}-adopted-{e.allocation_id}",
            e.allocation_id,
            opts=pulumi.ResourceOptions(parent=self),
        ).public_ip

    def _alarms(
        self,
        nat_plan: NatGatewayPlan,
        nat: aws.ec2.NatGateway,
        topic: str | None,
        tags: Callable[[str], dict[str, str]],
    ) -> None:
        actions = [topic] if topic else None
        port_name, drops_name = nat_plan.alarm_names
        aws.cloudwatch.MetricAlarm(
            port_name,
            alarm_description=(
                f"NAT gateway {nat_plan.name_tag} could not allocate a source port: connections are "
                f"failing. Each IP allows {CONNECTIONS_PER_IP_PER_DESTINATION:,} connections per "
                "destination; raise secondary_eips_per_nat or spread the destinations."
            ),
            namespace="AWS/NATGateway",
            metric_name="ErrorPortAllocation",
            dimensions={"NatGatewayId": nat.id},
            statistic="Sum",
            period=60,
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            # No datapoint means no allocation error was counted.
            treat_missing_data="notBreaching",
            alarm_actions=actions,
            ok_actions=actions,
            tags=tags(port_name),
            opts=pulumi.ResourceOptions(parent=self),
        )

        def metric(metric_id: str, metric_name: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgsDict:
            return {
                "id": metric_id,
                "return_data": False,
                "metric": {
                    "namespace": "AWS/NATGateway",
                    "metric_name": metric_name,
                    "dimensions": {"NatGatewayId": nat.id},
                    "stat": "Sum",
                    "period": 300,
                },
            }

        aws.cloudwatch.MetricAlarm(
            drops_name,
            alarm_description=(
                f"NAT gateway {nat_plan.name_tag} dropped more than {PACKET_DROP_PERCENT} % of the packets "
                "it received: it is at its packet-rate limit or unhealthy."
            ),
            metric_queries=[
                {
                    "id": "drop_percent",
                    "expression": "100 * drops / (from_source + from_destination)",
                    "label": "PacketsDropCount in % of packets received",
                    "return_data": True,
                },
                metric("drops", "PacketsDropCount"),
                metric("from_source", "PacketsInFromSource"),
                metric("from_destination", "PacketsInFromDestination"),
            ],
            threshold=PACKET_DROP_PERCENT,
            comparison_operator="GreaterThanThreshold",
            # One bursty 5-minute interval is noise; two out of three is a NAT at its limit.
            evaluation_periods=3,
            datapoints_to_alarm=2,
            treat_missing_data="notBreaching",
            alarm_actions=actions,
            ok_actions=actions,
            tags=tags(drops_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
