"""Moving aws-prod from OnePerZone to Regional keeps every Elastic IP (the doc's runbook).

Both layouts are planned with the project's own program on Pulumi's mock engine, from aws-prod's
``aws`` and ``egressNat`` sections (the other sections are other components'): as they are, and
with ``strategy: Regional`` and no ``publicSubnetIds``. An Elastic IP
whose URN changed would be a delete and a create (a new address every allowlist must learn); one
whose inputs changed would be an update. Neither happens; only the NAT gateways and their alarms
are replaced, and the default routes are updated in place to the regional NAT gateway.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.support.stacks import REPO, evaluate, run_stack
from traffic_edge.plan.engine import Recording

STACK = "aws-prod"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _project(root: Path, strategy: str) -> Path:
    """aws-prod's AWS provider and egressNat section, as they are or moved to Regional (the
    only edit the runbook makes: the strategy, and no public subnets)."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    config = yaml.safe_load((REPO / f"Pulumi.{STACK}.yaml").read_text())["config"]
    nat = config["traffic-edge:egressNat"]
    assert nat["strategy"] == "OnePerZone", "aws-prod is the OnePerZone stack this test moves"
    if strategy == "Regional":
        nat["strategy"] = strategy
        del nat["publicSubnetIds"]
    doc = {"config": {k: config[k] for k in ("traffic-edge:aws", "traffic-edge:egressNat")}}
    (root / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return root


def _plans(tmp_path: Path) -> tuple[Recording, Recording]:
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    return (
        run_stack(STACK, root=_project(tmp_path / "before", "OnePerZone")),
        run_stack(STACK, root=_project(tmp_path / "after", "Regional")),
    )


def _of(rec: Recording, type_: str) -> dict[str, tuple[bool, bool, dict[str, object]]]:
    return {r.urn: (r.protect, r.retain_on_delete, r.inputs) for r in rec.by_type(type_) if not r.read}


def test_the_move_keeps_every_elastic_ip_urn_input_and_protection(tmp_path: Path) -> None:
    before, after = _plans(tmp_path)
    eips = _of(before, EIP)
    # aws-prod adopts zones a and c and creates zone b's: one EIP of its own, protected.
    assert [urn.rsplit("::", 1)[1] for urn in eips] == ["egress-eip-ap-northeast-2b"]
    assert _of(after, EIP) == eips
    assert all(protect and retain for protect, retain, _ in eips.values())
    # The adopted IPs stay outside the stack: the regional NAT gateway takes the same allocation ids.
    (nat,) = after.by_type(NAT)
    assert (nat.name, nat.inputs["availabilityMode"], nat.inputs["connectivityType"]) == (
        "egress-nat",
        "regional",
        "public",
    )
    addresses = {a["availabilityZone"]: a["allocationIds"] for a in nat.inputs["availabilityZoneAddresses"]}
    assert addresses["ap-northeast-2a"] == ["eipalloc-0a1b2c3d4e5f60001"]
    assert addresses["ap-northeast-2c"] == ["eipalloc-0a1b2c3d4e5f60003"]
    assert list(addresses) == ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]
    assert "subnetId" not in nat.inputs and "allocationId" not in nat.inputs
    # The policy pack (EIPs protected, routes to their own zone's NAT) has nothing to say about it.
    report = evaluate(after)
    assert report.policies and report.violations == []


def test_the_move_replaces_only_the_nat_gateways_and_their_alarms(tmp_path: Path) -> None:
    before, after = _plans(tmp_path)
    old, new = {r.urn for r in before.resources}, {r.urn for r in after.resources}
    gone = sorted(r.type for r in before.resources if r.urn in old - new)
    added = sorted(r.type for r in after.resources if r.urn in new - old and not r.read)
    assert gone == [ALARM] * 6 + [NAT] * 3
    assert added == [ALARM] * 2 + [NAT]
    # The adopted IPs are only read (never managed): the regional NAT gateway reports no IP of its own.
    assert sorted(r.name for r in after.resources if r.read) == [
        "egress-adopted-eipalloc-0a1b2c3d4e5f60001",
        "egress-adopted-eipalloc-0a1b2c3d4e5f60003",
    ]
    # The default routes keep their URNs: each is updated in place to the regional NAT gateway.
    routes = {r.urn for r in before.by_type(ROUTE)}
    assert routes == {r.urn for r in after.by_type(ROUTE)} and len(routes) == 3
