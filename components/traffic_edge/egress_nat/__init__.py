"""EgressNatGateways: one NAT gateway per zone with stable, protected Elastic IPs (seed 000).

Only `EgressNatGateways` needs pulumi_aws; its args, the validator and the planner do not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from traffic_edge._shared.exports import Export, lazy_getattr

_EXPORTS: dict[str, Export] = {
    "EgressNatGateways": ("traffic_edge.egress_nat.component", ("pulumi_aws",)),
    "EgressNatGatewaysArgs": ("traffic_edge.egress_nat.args", ()),
    "NatStrategy": ("traffic_edge.egress_nat.args", ()),
    "validate_egress_nat_args": ("traffic_edge.egress_nat.validate", ()),
    "plan_egress_nat": ("traffic_edge.egress_nat.plan", ()),
    "check_zone_coverage": ("traffic_edge.egress_nat.plan", ()),
}

__all__ = [
    "EgressNatGateways",
    "EgressNatGatewaysArgs",
    "NatStrategy",
    "check_zone_coverage",
    "plan_egress_nat",
    "validate_egress_nat_args",
]

if TYPE_CHECKING:
    from traffic_edge.egress_nat.args import EgressNatGatewaysArgs, NatStrategy
    from traffic_edge.egress_nat.component import EgressNatGateways
    from traffic_edge.egress_nat.plan import check_zone_coverage, plan_egress_nat
    from traffic_edge.egress_nat.validate import validate_egress_nat_args

__getattr__ = lazy_getattr(__name__, _EXPORTS)
