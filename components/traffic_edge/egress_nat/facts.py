"""The AWS facts `EgressNatGateways` relies on, each with where it comes from.

Plain constants (what the code reads), then `FACTS`: each constant with what it means and the
AWS document (title, section) or SDK file it was checked in, and when. AWS documents carry no
tag, so a source's `at` is the date the statement was read. docs/egress-nat-gateways.md carries
the rendered table (scripts/facts-docs.py). Prices are not here: they live, dated, in
`traffic_edge.egress_nat.cost.PRICES`.
"""

from __future__ import annotations

from traffic_edge._shared.facts import Fact, Source

# A public NAT gateway has 1 primary and up to 7 secondary IPv4 addresses.
MAX_SECONDARY_EIPS = 7
MAX_IPS_PER_NAT = 1 + MAX_SECONDARY_EIPS
# The default quota "Elastic IP addresses per public NAT gateway" is only 2.
DEFAULT_EIP_QUOTA_PER_NAT = 2
# Each IP of a NAT gateway allows 55,000 simultaneous connections to one destination (IP,
# port, protocol); past that, ErrorPortAllocation counts failures.
CONNECTIONS_PER_IP_PER_DESTINATION = 55_000
# Drops above 0.01 % of the packets a NAT gateway receives: AWS's suggested alarm level.
PACKET_DROP_PERCENT = 0.01

# AWS tag limits: 50 user tags per resource, keys of 1 to 128 characters, values of at most
# 256, and the 'aws:' prefix reserved. The component keeps 10 tags of headroom and sets Name.
MAX_TAGS_PER_RESOURCE = 50
MAX_USER_TAGS = MAX_TAGS_PER_RESOURCE - 10
MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256
RESERVED_TAG_PREFIX = "aws:"

# The SDK range the resource arguments below were checked in (pyproject's `aws` extra), and the
# Eip argument v7 takes: `domain="vpc"`; v7's Eip has no `vpc` flag.
PULUMI_AWS_REQUIREMENT = "pulumi-aws>=7.51.1,<8"
EIP_DOMAIN = "vpc"

# A regional NAT gateway: `availability_mode="regional"`, `vpc_id` instead of `subnet_id`, no
# `allocation_id`, public connectivity only; manual mode is `availability_zone_addresses`.
REGIONAL_AVAILABILITY_MODE = "regional"
PUBLIC_CONNECTIVITY_TYPE = "public"
# AWS bills a regional NAT gateway one NAT gateway-hour per zone it is configured in, per hour.
REGIONAL_NAT_HOURS_PER_ZONE = 1
# Elastic IPs from the customer's own ranges: an EC2 BYOIP pool or an IPAM pool, by id prefix.
PUBLIC_IPV4_POOL_PREFIX = "ipv4pool-ec2-"
IPAM_POOL_PREFIX = "ipam-pool-"
# Both pool arguments force a new Elastic IP (a new address) when they change: the component
# ignores changes to them, so a pool set later applies only to EIPs created from then on.
EIP_POOL_INPUTS = ("publicIpv4Pool", "ipamPoolId")

_READ = "2026-12-07"
_QUOTAS = Source("AWS", "Amazon VPC User Guide, 'Amazon VPC quotas', Elastic IP addresses", _READ)
_BASICS = Source("AWS", "Amazon VPC User Guide, 'NAT gateway basics'", _READ)
_TAG_QUOTAS = Source("AWS", "Tagging AWS Resources and Tag Editor User Guide, 'Service quotas'", _READ)
_EC2_TAG = Source("AWS", "Amazon EC2 API Reference, data type 'Tag'", _READ)
_SDK = "pulumi/pulumi-aws"
_SDK_AT = "v7.51.1"
_NAT_PY = "sdk/python/pulumi_aws/ec2/nat_gateway.py (NatGatewayArgs docstrings)"
_EIP_PY = "sdk/python/pulumi_aws/ec2/eip.py"
_TF_EIP = Source("hashicorp/terraform-provider-aws", "internal/service/ec2/ec2_eip.go (schema)", "0160692")

FACTS: tuple[Fact, ...] = (
    Fact(
        "MAX_SECONDARY_EIPS",
        "secondary IPv4 addresses a public NAT gateway takes besides its primary: up to 8 in all "
        "('You can request a quota increase up to 8'); re:Post: 'one primary and seven secondary'",
        (
            _QUOTAS,
            _BASICS,
            Source("AWS", "re:Post Knowledge Center, 'troubleshoot NAT gateway connection'", _READ),
        ),
    ),
    Fact(
        "MAX_IPS_PER_NAT",
        "1 primary + `MAX_SECONDARY_EIPS`: the highest the quota can be raised to",
        (_QUOTAS,),
    ),
    Fact(
        "DEFAULT_EIP_QUOTA_PER_NAT",
        "default of the adjustable quota 'Elastic IP addresses per public NAT gateway'; more IPs per "
        "gateway need a quota increase first (the plan warns)",
        (_QUOTAS, Source("AWS", "Amazon EC2 API Reference, 'AssociateNatGatewayAddress'", _READ)),
    ),
    Fact(
        "CONNECTIONS_PER_IP_PER_DESTINATION",
        "simultaneous connections each IPv4 address of a NAT gateway supports to one unique "
        "destination (destination IP, port and protocol); beyond it ErrorPortAllocation counts",
        (_BASICS, Source("AWS", "re:Post Knowledge Center, 'resolve ErrorPortAllocation errors'", _READ)),
    ),
    Fact(
        "PACKET_DROP_PERCENT",
        "alarm level for PacketsDropCount in % of the traffic: AWS's NAT gateway alarm 'PacketsDropCount "
        "> 0.01%' (over 1 minute there; the component uses 5-minute periods, 2 of 3). The CloudWatch "
        "'Recommended alarms' page was found but its NAT gateway section could not be read: not "
        "re-checked there",
        (
            Source(
                "AWS",
                "Guidance for Deploying a Prebid Server on AWS, 'NAT gateway: Packets dropped count'",
                _READ,
            ),
        ),
    ),
    Fact(
        "MAX_TAGS_PER_RESOURCE",
        "user-defined tags per resource (aws: tags do not count)",
        (_TAG_QUOTAS,),
    ),
    Fact(
        "MAX_USER_TAGS",
        "the component's choice, not an AWS limit: `MAX_TAGS_PER_RESOURCE` less 10 of headroom for "
        "Name and tags added outside the stack",
        (_TAG_QUOTAS,),
    ),
    Fact(
        "MAX_TAG_KEY_LENGTH",
        "tag key length, 1 to 128 Unicode characters. The EC2 API Reference's Tag type says keys "
        "'accept a maximum of 127': the two AWS documents disagree, and 128 is kept",
        (_TAG_QUOTAS, _EC2_TAG),
    ),
    Fact("MAX_TAG_VALUE_LENGTH", "tag value length, 0 to 256 Unicode characters", (_TAG_QUOTAS, _EC2_TAG)),
    Fact(
        "RESERVED_TAG_PREFIX",
        "reserved for AWS: tag keys can't begin with it; the validator compares case-insensitively",
        (_TAG_QUOTAS, _EC2_TAG),
    ),
    Fact(
        "PULUMI_AWS_REQUIREMENT",
        "the SDK range (pyproject extra `aws`) in which the arguments the component uses were checked: "
        "ec2.Eip(domain, public_ipv4_pool, ipam_pool_id), ec2.NatGateway(connectivity_type, allocation_id, "
        "secondary_allocation_ids, availability_mode, vpc_id, availability_zone_addresses), "
        "cloudwatch.MetricAlarm(metric_queries, datapoints_to_alarm); only the lower bound was read",
        (
            Source(
                _SDK,
                "sdk/python/pulumi_aws/ec2/eip.py, ec2/nat_gateway.py, cloudwatch/metric_alarm.py",
                _SDK_AT,
            ),
        ),
    ),
    Fact(
        "EIP_DOMAIN",
        "value of ec2.Eip's `domain` for a VPC address; v7's Eip has no `vpc` argument",
        (Source(_SDK, _EIP_PY, _SDK_AT),),
    ),
    Fact(
        "REGIONAL_AVAILABILITY_MODE",
        "ec2.NatGateway `availability_mode` of a regional NAT gateway ('zonal' is the default). With it "
        "`vpc_id` is required, `subnet_id` and `allocation_id` must not be set, and "
        "`availability_zone_addresses` ({availability_zone, allocation_ids}) turns auto-expansion off "
        "(manual mode); the provider's own table of these rules was not read, only the SDK's docs",
        (
            Source(_SDK, _NAT_PY, _SDK_AT),
            Source("AWS", "Amazon EC2 API Reference, data type 'AvailabilityZoneAddress'", _READ),
        ),
    ),
    Fact(
        "PUBLIC_CONNECTIVITY_TYPE",
        "the `connectivity_type` of every NAT gateway the component creates, and the only one a regional "
        "NAT gateway takes ('When availability_mode is set to regional, this must be set to public')",
        (Source(_SDK, _NAT_PY, _SDK_AT),),
    ),
    Fact(
        "REGIONAL_NAT_HOURS_PER_ZONE",
        "NAT gateway-hours a regional NAT gateway is billed per hour for each zone it is configured in "
        "('running across three AZs for one hour ... billed for three NAT Gateway-hours'); the per-GB "
        "processing charge is the zonal one. Read as quoted from the AWS VPC pricing page: the page "
        "itself could not be reached",
        (
            Source(
                "cloudposse/terraform-aws-dynamic-subnets",
                "examples/regional-nat-gateway/README.md, 'Cost Considerations' (quoting aws.amazon.com/vpc/pricing)",
                "57f1318",
            ),
        ),
    ),
    Fact(
        "PUBLIC_IPV4_POOL_PREFIX",
        "id prefix of an EC2 public IPv4 (BYOIP) pool, as ec2.Eip's `public_ipv4_pool` takes it "
        "(SDK example 'ipv4pool-ec2-012345'; AWS CLI example 'ipv4pool-ec2-1234567890abcdef0')",
        (
            Source(_SDK, _EIP_PY, _SDK_AT),
            Source("AWS", "AWS CLI Command Reference, 'allocate-address'", _READ),
        ),
    ),
    Fact(
        "IPAM_POOL_PREFIX",
        "id prefix of an IPAM pool, as ec2.Eip's `ipam_pool_id` takes it (a pool with an Amazon-provided "
        "or BYOIP public IPv4 CIDR); the provider reads an EIP's pool back as `ipam_pool_id` by this prefix",
        (Source(_SDK, _EIP_PY, _SDK_AT), _TF_EIP),
    ),
    Fact(
        "EIP_POOL_INPUTS",
        "ec2.Eip inputs that force a new Elastic IP when they change (`public_ipv4_pool` and `ipam_pool_id` "
        "are ForceNew in the provider's schema): the component lists them in ignore_changes",
        (_TF_EIP,),
    ),
)
