"""The AWS facts table: pinned values, the SDK range it was checked in, and the doc's prose."""

from __future__ import annotations

import inspect
import tomllib

import pytest

from tests.support.stacks import REPO
from traffic_edge.egress_nat import facts

DOC = REPO / "docs" / "egress-nat-gateways.md"


def test_the_aws_limits_are_pinned() -> None:
    # A change here is a change of an AWS fact: re-check its source (facts.FACTS) first.
    assert (facts.MAX_SECONDARY_EIPS, facts.MAX_IPS_PER_NAT, facts.DEFAULT_EIP_QUOTA_PER_NAT) == (7, 8, 2)
    assert facts.CONNECTIONS_PER_IP_PER_DESTINATION == 55_000
    assert facts.PACKET_DROP_PERCENT == 0.01
    assert (facts.MAX_TAGS_PER_RESOURCE, facts.MAX_TAG_KEY_LENGTH, facts.MAX_TAG_VALUE_LENGTH) == (
        50,
        128,
        256,
    )
    assert facts.MAX_USER_TAGS < facts.MAX_TAGS_PER_RESOURCE
    assert facts.RESERVED_TAG_PREFIX == "aws:"
    assert facts.EIP_DOMAIN == "vpc"
    assert (facts.REGIONAL_AVAILABILITY_MODE, facts.PUBLIC_CONNECTIVITY_TYPE) == ("regional", "public")
    assert facts.REGIONAL_NAT_HOURS_PER_ZONE == 1
    assert (facts.PUBLIC_IPV4_POOL_PREFIX, facts.IPAM_POOL_PREFIX) == ("ipv4pool-ec2-", "ipam-pool-")
    assert facts.EIP_POOL_INPUTS == ("publicIpv4Pool", "ipamPoolId")


def test_the_sdk_range_is_the_one_pyproject_installs() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert facts.PULUMI_AWS_REQUIREMENT in extras["aws"]


def _params(cls: type) -> set[str]:
    return set(inspect.signature(cls.__init__).parameters)


def test_the_installed_sdk_takes_the_arguments_the_component_uses() -> None:
    aws = pytest.importorskip("pulumi_aws")
    eip = _params(aws.ec2.EipArgs)
    assert {"domain", "public_ipv4_pool", "ipam_pool_id"} <= eip and "vpc" not in eip
    nat = _params(aws.ec2.NatGatewayArgs)
    assert {"connectivity_type", "allocation_id", "subnet_id", "secondary_allocation_ids"} <= nat
    assert {"availability_mode", "vpc_id", "availability_zone_addresses"} <= nat
    assert {"availability_zone", "allocation_ids"} <= _params(aws.ec2.NatGatewayAvailabilityZoneAddressArgs)
    # The regional rules the validator and the component follow, as the SDK states them.
    doc = aws.ec2.NatGatewayArgs.__init__.__doc__ or ""
    assert "When `availability_mode` is set to `regional`, this must be set to `public`" in doc
    assert "Must not be set when `availability_mode` is set to `regional`" in doc
    assert "Required when `availability_mode` is set to `regional`" in doc
    assert {"metric_queries", "datapoints_to_alarm", "treat_missing_data"} <= _params(
        aws.cloudwatch.MetricAlarmArgs
    )


def test_the_docs_prose_agrees_with_the_table() -> None:
    doc = DOC.read_text()
    assert f"0 (the default) to {facts.MAX_SECONDARY_EIPS}." in doc
    assert f"the AWS maximum ({facts.MAX_SECONDARY_EIPS})" in doc
    assert f"{facts.CONNECTIONS_PER_IP_PER_DESTINATION:,} simultaneous connections" in doc
    assert f"More than {facts.DEFAULT_EIP_QUOTA_PER_NAT} IPs per gateway" in doc
    assert f"> {facts.PACKET_DROP_PERCENT} % in 2 of 3" in doc
    assert f"at most {facts.MAX_USER_TAGS} (AWS allows {facts.MAX_TAGS_PER_RESOURCE} per resource" in doc
    assert (
        f"keys of 1 to {facts.MAX_TAG_KEY_LENGTH} characters not starting with `{facts.RESERVED_TAG_PREFIX}`"
        in doc
    )
    assert f"values of at most {facts.MAX_TAG_VALUE_LENGTH}" in doc
    assert f'`aws.ec2.Eip` `<name>-eip-<zone>` (`domain="{facts.EIP_DOMAIN}"`)' in doc
    assert f'`availability_mode="{facts.REGIONAL_AVAILABILITY_MODE}"`' in doc
    assert f'`connectivity_type="{facts.PUBLIC_CONNECTIVITY_TYPE}"`' in doc
    assert f"(`{facts.PUBLIC_IPV4_POOL_PREFIX}` or `{facts.IPAM_POOL_PREFIX}` followed by hex digits)" in doc
    assert "`ignore_changes` on\n  `publicIpv4Pool` and `ipamPoolId`" in doc
