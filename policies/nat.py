"""Every private default route goes to a NAT gateway in its own zone (seed 000).

A route to another zone's NAT gateway pays cross-zone transfer both ways on every byte and
loses its egress whenever that other zone fails. Zones are read from what the stack shows:
the NAT gateway's and the route table's ``Name`` tags (``<name>-nat-<zone>``,
``<name>-private-<zone>``) or the route's own name (``<name>-default-route-<zone>``). A route
into a table the stack does not create names no zone; it is not judged.
"""

from __future__ import annotations

import re

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies._props import ReportViolation, get, path

ROUTE_TYPE = "aws:ec2/route:Route"
NAT_TYPE = "aws:ec2/natGateway:NatGateway"
ROUTE_TABLE_TYPE = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTES = ("0.0.0.0/0",)
# AWS zone names: ap-northeast-2a, us-gov-west-1b, us-east-1-bos-1a (Local Zones).
_ZONE = re.compile(r"([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+(?:-[a-z]+-\d+)?[a-z])$")


def zone_in(text: object) -> str | None:
    match = _ZONE.search(text) if isinstance(text, str) else None
    return match.group(1) if match else None


def _zone_of(r: PolicyResource) -> str | None:
    return zone_in(path(r.props, "tags", "Name")) or zone_in(r.name)


def _deps(r: PolicyResource, type_: str) -> list[PolicyResource]:
    found = [d for d in r.dependencies if d.resource_type == type_]
    for deps in r.property_dependencies.values():
        found += [d for d in deps if d.resource_type == type_ and d not in found]
    return found


def check_nat_routes_own_zone(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for route in args.resources:
        if (
            route.resource_type != ROUTE_TYPE
            or get(route.props, "destinationCidrBlock") not in DEFAULT_ROUTES
        ):
            continue
        nats = _deps(route, NAT_TYPE)
        if len(nats) != 1:
            continue
        tables = _deps(route, ROUTE_TABLE_TYPE)
        route_zone = (_zone_of(tables[0]) if tables else None) or zone_in(route.name)
        nat_zone = _zone_of(nats[0])
        if route_zone is None or nat_zone is None or route_zone == nat_zone:
            continue
        report_violation(
            f"default route {route.name!r} serves zone {route_zone} but goes to NAT gateway {nats[0].name!r} "
            f"in {nat_zone}: every byte crosses zones both ways and {route_zone} loses egress when "
            f"{nat_zone} fails. Give {route_zone} its own NAT gateway (strategy OnePerZone).",
            route.urn,
        )


nat_routes_own_zone = StackValidationPolicy(
    name="nat-routes-own-zone",
    description="Every private default route targets a NAT gateway in its own zone.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=check_nat_routes_own_zone,
)
