"""The args every EgressNatGateways test starts from: Seoul, zones a and c, ids by number."""

from __future__ import annotations

from typing import Any

A, B, C = "ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"
VPC = "vpc-0123456789abcdef0"


def sub(n: int) -> str:
    return f"subnet-{n:017x}"


def rtb(n: int) -> str:
    return f"rtb-{n:017x}"


def alloc(n: int) -> str:
    return f"eipalloc-{n:017x}"


def seed_args(**over: Any) -> dict[str, Any]:
    """The seed's shape: Seoul, zones a and c, the EKS private subnets of each zone."""
    args: dict[str, Any] = {
        "vpc_id": VPC,
        "zones": [A, C],
        "public_subnet_ids": {A: sub(1), C: sub(3)},
        "private_subnet_ids": {A: [sub(11), sub(12)], C: [sub(13)]},
    }
    args.update(over)
    return args
