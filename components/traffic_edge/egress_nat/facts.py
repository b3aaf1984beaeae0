"""The AWS facts `EgressNatGateways` relies on, each with where it comes from.

The resources are pulumi-aws v7 types (pyproject's ``aws`` extra: ``pulumi-aws>=7.51.1,<8``).
Prices are not here: they live, dated, in `traffic_edge.egress_nat.cost.PRICES`.
"""

from __future__ import annotations

# NAT gateway limits (research notes on the AWS NAT gateway docs): a public NAT gateway has
# 1 primary and up to 7 secondary IPs.
MAX_SECONDARY_EIPS = 7
MAX_IPS_PER_NAT = 1 + MAX_SECONDARY_EIPS
# The default AWS quota "EIPs per public NAT gateway" is only 2 (same research notes).
DEFAULT_EIP_QUOTA_PER_NAT = 2
# Each IP of a NAT gateway allows 55,000 simultaneous connections to one destination (IP,
# port, protocol) (same research notes); past that, ErrorPortAllocation counts failures.
CONNECTIONS_PER_IP_PER_DESTINATION = 55_000
# Drops above 0.01 % of the packets a NAT gateway receives: AWS's suggested alarm level, as
# the component has cited it since its first release (no document is named).
PACKET_DROP_PERCENT = 0.01

# AWS tag limits as the validator has stated them since its first release (no source is cited
# in the code or docs): 50 tags per resource, keys of 1 to 128 characters, values of at most
# 256, and the 'aws:' prefix reserved. The component keeps 10 tags of headroom and sets Name.
MAX_TAGS_PER_RESOURCE = 50
MAX_USER_TAGS = 40
MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256
RESERVED_TAG_PREFIX = "aws:"
