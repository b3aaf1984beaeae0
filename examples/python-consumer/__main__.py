"""A consumer stack: per-zone NAT egress and a Traefik gateway from traffic-edge, with its own providers."""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import TEAM_TAGS  # the stack's own package of that name
from traffic_edge import EgressNatGateways, TraefikGateway

config = pulumi.Config()
aws_provider = aws.Provider("aws", region=pulumi.Config("aws").require("region"))
cluster = k8s.Provider("cluster", context=config.require("kubeContext"))

egress = EgressNatGateways(
    "egress",
    {
        "vpc_id": "vpc-0123456789abcdef0",
        "zones": ["ap-northeast-2a", "ap-northeast-2c"],
        "public_subnet_ids": {
            "ap-northeast-2a": "subnet-0a00000000000000a",
            "ap-northeast-2c": "subnet-0c00000000000000c",
        },
        "private_route_table_ids": {
            "ap-northeast-2a": ["rtb-0a00000000000000a"],
            "ap-northeast-2c": ["rtb-0c00000000000000c"],
        },
        "tags": TEAM_TAGS,
    },
    opts=pulumi.ResourceOptions(providers=[aws_provider]),
)

gateway = TraefikGateway(
    "payments",
    {
        "namespace": "payments-edge",
        "routes": [{"name": "api", "host": "api.payments.example.com", "service": "api", "port": 8080}],
        "rate_limits": [{"name": "per-client", "average": 50}],
    },
    opts=pulumi.ResourceOptions(providers=[cluster]),
)

pulumi.export("egressIps", egress.egress_ips)
pulumi.export("gatewayService", gateway.service_name)
