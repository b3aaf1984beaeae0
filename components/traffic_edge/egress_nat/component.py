"""`EgressNatGateways`: per-zone NAT gateways with stable egress IPs in an existing VPC.

Validate, resolve the plan once (`traffic_edge.egress_nat.plan`), then register pulumi_aws
resources from the plan only.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from traffic_edge._shared.problems import raise_if
from traffic_edge.egress_nat.args import EgressNatGatewaysArgs
from traffic_edge.egress_nat.facts import (
    CONNECTIONS_PER_IP_PER_DESTINATION,
    EIP_DOMAIN,
    EIP_POOL_INPUTS,
    PACKET_DROP_PERCENT,
    PUBLIC_CONNECTIVITY_TYPE,
    REGIONAL_AVAILABILITY_MODE,
)
from traffic_edge.egress_nat.plan import EipPlan, NatGatewayPlan, NatPlan, RouteTablePlan, plan_egress_nat
from traffic_edge.egress_nat.validate import validate_egress_nat_args

__all__ = ["EgressNatGateways"]

ZoneOutput = pulumi.Output[dict[str, Any]]


class EgressNatGateways(pulumi.ComponentResource):
    """Per-zone NAT gateways with stable egress IPs, and the private default routes to them.

    Outputs: `nat_gateways` (zone -> {nat_gateway_id, egress_ips}), `egress_ips` (the flat list
    to hand to third parties), `nat_zones`, `private_route_table_ids` (zone -> route tables
    routed to a NAT gateway) and `monthly_cost_estimate` (USD, see `traffic_edge.egress_nat.cost.PRICES`).
    """

    nat_gateways: pulumi.Output[dict[str, dict[str, Any]]]
    egress_ips: pulumi.Output[list[str]]
    nat_zones: pulumi.Output[list[str]]
    private_route_table_ids: pulumi.Output[dict[str, list[str]]]
    monthly_cost_estimate: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: EgressNatGatewaysArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if(f"EgressNatGateways {name!r}", validate_egress_nat_args(args, name))
        plan = plan_egress_nat(name, args)
        super().__init__("traffic-edge:index:EgressNatGateways", name, None, opts)
        for warning in plan.warnings:
            pulumi.log.warn(warning, resource=self)
        nats: dict[str, aws.ec2.NatGateway] = {}
        zone_outputs: dict[str, ZoneOutput] = {}
        for nat_plan in plan.nat_gateways:
            nat, outputs = self._nat_gateway(plan, nat_plan)
            nats.update(dict.fromkeys(nat_plan.zones, nat))
            zone_outputs.update(outputs)
        route_tables: dict[str, list[pulumi.Output[str]]] = {z: [] for z in plan.zones}
        for rt in plan.route_tables:
            route_tables[rt.zone].append(self._default_route(plan, rt, nats[rt.nat_zone]))
        self._outputs(plan, zone_outputs, route_tables)

    def _child(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def _nat_gateway(
        self, plan: NatPlan, nat_plan: NatGatewayPlan
    ) -> tuple[aws.ec2.NatGateway, dict[str, ZoneOutput]]:
        """The gateway's created EIPs, the gateway and its alarms; the output of each of its zones."""
        eips = {(e.zone, e.slot): self._eip(plan, e) for e in nat_plan.eips if not e.adopted}

        def allocation(e: EipPlan) -> pulumi.Input[str]:
            return e.allocation_id if e.allocation_id is not None else eips[e.zone, e.slot].allocation_id

        placement: dict[str, Any]
        if nat_plan.regional:
            placement = {
                "availability_mode": REGIONAL_AVAILABILITY_MODE,
                "vpc_id": plan.vpc_id,
                # Manual mode: AWS neither adds zones nor picks IPs; each zone has exactly these.
                "availability_zone_addresses": [
                    {"availability_zone": z, "allocation_ids": [allocation(e) for e in nat_plan.eips_in(z)]}
                    for z in nat_plan.zones
                ],
            }
        else:
            placement = {
                "subnet_id": nat_plan.subnet_id,
                "allocation_id": allocation(nat_plan.eips[0]),
                "secondary_allocation_ids": [allocation(e) for e in nat_plan.eips[1:]] or None,
            }
        nat = aws.ec2.NatGateway(
            nat_plan.resource_name,
            connectivity_type=PUBLIC_CONNECTIVITY_TYPE,
            **placement,
            tags=plan.tags_named(nat_plan.name_tag),
            # A replacement NAT would claim the same EIPs while the old one still holds them:
            # AWS refuses, so the old one has to go first.
            opts=self._child(delete_before_replace=True),
        )
        outputs = {z: self._zone_output(plan, nat_plan, z, nat, eips) for z in nat_plan.zones}
        if plan.alarms:
            self._alarms(plan, nat_plan, nat)
        return nat, outputs

    def _zone_output(
        self,
        plan: NatPlan,
        nat_plan: NatGatewayPlan,
        zone: str,
        nat: aws.ec2.NatGateway,
        eips: dict[tuple[str, int], aws.ec2.Eip],
    ) -> ZoneOutput:
        ips = [self._egress_ip(plan, e, nat_plan, nat, eips) for e in nat_plan.eips_in(zone)]
        return pulumi.Output.all(nat.id, pulumi.Output.all(*ips)).apply(
            lambda v: {"nat_gateway_id": v[0], "egress_ips": list(v[1])}
        )

    def _eip(self, plan: NatPlan, e: EipPlan) -> aws.ec2.Eip:
        assert e.resource_name is not None
        return aws.ec2.Eip(
            e.resource_name,
            domain=EIP_DOMAIN,
            public_ipv4_pool=plan.public_ipv4_pool,
            ipam_pool_id=plan.ipam_pool_id,
            tags=plan.tags_named(e.resource_name),
            opts=self._child(**eip_options()),
        )

    def _egress_ip(
        self,
        plan: NatPlan,
        e: EipPlan,
        nat_plan: NatGatewayPlan,
        nat: aws.ec2.NatGateway,
        eips: dict[tuple[str, int], aws.ec2.Eip],
    ) -> pulumi.Output[str]:
        if not e.adopted:
            return eips[e.zone, e.slot].public_ip
        if e.slot == 0 and not nat_plan.regional:
            return nat.public_ip
        # A zonal NAT gateway reports only its primary public IP, a regional one none of its own.
        # A read (never managed, never deleted) gives an adopted IP's; terraform-aws-vpc#392 is
        # what happens without it.
        assert e.allocation_id is not None
        return aws.ec2.Eip.get(
            f"{plan.name}-adopted-{e.allocation_id}", e.allocation_id, opts=self._child()
        ).public_ip

    def _default_route(
        self, plan: NatPlan, rt: RouteTablePlan, nat: aws.ec2.NatGateway
    ) -> pulumi.Output[str]:
        """The default route of one route table (created here or existing); the table's id."""
        table_id: pulumi.Output[str]
        if rt.existing_id is not None:
            table_id = pulumi.Output.from_input(rt.existing_id)
        else:
            assert rt.table_name is not None and rt.name_tag is not None
            table = aws.ec2.RouteTable(
                rt.table_name, vpc_id=plan.vpc_id, tags=plan.tags_named(rt.name_tag), opts=self._child()
            )
            table_id = table.id
        route = aws.ec2.Route(
            rt.route_name,
            route_table_id=rt.existing_id if rt.existing_id is not None else table_id,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=nat.id,
            opts=self._child(),
        )
        for assoc_name, subnet_id in rt.associations:
            aws.ec2.RouteTableAssociation(
                assoc_name,
                subnet_id=subnet_id,
                route_table_id=table_id,
                # Associating moves the subnet off its current table; until the default route
                # exists the subnet's pods would have no way out.
                opts=self._child(depends_on=[route]),
            )
        return table_id

    def _alarms(self, plan: NatPlan, nat_plan: NatGatewayPlan, nat: aws.ec2.NatGateway) -> None:
        actions = [plan.alarm_topic_arn] if plan.alarm_topic_arn else None
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
            tags=plan.tags_named(port_name),
            opts=self._child(),
        )
        aws.cloudwatch.MetricAlarm(
            drops_name,
            alarm_description=(
                f"NAT gateway {nat_plan.name_tag} dropped more than {PACKET_DROP_PERCENT} % of the packets "
                "it received: it is at its packet-rate limit or unhealthy."
            ),
            metric_queries=_drop_percent_queries(nat),
            threshold=PACKET_DROP_PERCENT,
            comparison_operator="GreaterThanThreshold",
            # One bursty 5-minute interval is noise; two out of three is a NAT at its limit.
            evaluation_periods=3,
            datapoints_to_alarm=2,
            treat_missing_data="notBreaching",
            alarm_actions=actions,
            ok_actions=actions,
            tags=plan.tags_named(drops_name),
            opts=self._child(),
        )

    def _outputs(
        self,
        plan: NatPlan,
        zone_outputs: dict[str, ZoneOutput],
        route_tables: dict[str, list[pulumi.Output[str]]],
    ) -> None:
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
        self.monthly_cost_estimate = pulumi.Output.from_input(plan.monthly_cost_estimate)
        self.register_outputs(
            {
                "nat_gateways": self.nat_gateways,
                "egress_ips": self.egress_ips,
                "nat_zones": self.nat_zones,
                "private_route_table_ids": self.private_route_table_ids,
                "monthly_cost_estimate": self.monthly_cost_estimate,
            }
        )


def eip_options() -> dict[str, Any]:
    """The options of every Elastic IP the component creates."""
    return {
        # Third parties allowlist these IPs: a destroy, rename or replace must never release one.
        "protect": True,
        "retain_on_delete": True,
        # A pool change would allocate a new address: a pool set later is for new EIPs only.
        "ignore_changes": list(EIP_POOL_INPUTS),
    }


def _drop_percent_queries(nat: aws.ec2.NatGateway) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict]:
    """Packets dropped in % of the packets received, over 5 minutes."""

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

    return [
        {
            "id": "drop_percent",
            "expression": "100 * drops / (from_source + from_destination)",
            "label": "PacketsDropCount in % of packets received",
            "return_data": True,
        },
        metric("drops", "PacketsDropCount"),
        metric("from_source", "PacketsInFromSource"),
        metric("from_destination", "PacketsInFromDestination"),
    ]
