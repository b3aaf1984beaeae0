"""The recording engine: what it records is what the plan writes and the policies judge."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

from traffic_edge._shared.k8s_objects import create
from traffic_edge.plan.engine import UNKNOWN, run


class _Comp(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("traffic-edge:index:Probe", name, None, opts)
        provider = k8s.Provider(f"{name}-k8s", context="ctx", opts=pulumi.ResourceOptions(parent=self))
        self.eip = aws.ec2.Eip(
            f"{name}-eip",
            domain="vpc",
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        aws.ec2.NatGateway(
            f"{name}-nat",
            allocation_id=self.eip.allocation_id,
            subnet_id="subnet-0a",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.eip]),
        )
        create(
            f"{name}-sa",
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "sa"},
                "automountServiceAccountToken": False,
            },
            pulumi.ResourceOptions(parent=self, provider=provider),
        )
        create(
            f"{name}-sm",
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": {"name": "sm"},
                "spec": {"endpoints": [{"port": "metrics"}], "selector": {}},
            },
            pulumi.ResourceOptions(parent=self, provider=provider),
        )
        pulumi.log.warn("a warning the plan must show")
        self.register_outputs({})


def _program() -> None:
    comp = _Comp("probe")
    pulumi.export("ip", comp.eip.public_ip)


def test_records_options_the_stock_mocks_do_not_see() -> None:
    rec = run(_program)
    eip = rec.get("aws:ec2/eip:Eip", "probe-eip")
    nat = rec.get("aws:ec2/natGateway:NatGateway", "probe-nat")
    assert (eip.protect, eip.retain_on_delete) == (True, True)
    assert (nat.protect, nat.retain_on_delete) == (False, False)
    assert nat.depends_on == [eip.urn]
    assert eip.parent == rec.get("traffic-edge:index:Probe", "probe").urn


def test_urns_are_qualified_like_the_real_engine() -> None:
    rec = run(_program)
    assert rec.get("aws:ec2/eip:Eip", "probe-eip").urn == (
        "urn:pulumi:test::traffic-edge::traffic-edge:index:Probe$aws:ec2/eip:Eip::probe-eip"
    )
    assert rec.get("traffic-edge:index:Probe", "probe").urn == (
        "urn:pulumi:test::traffic-edge::traffic-edge:index:Probe::probe"
    )


def test_preview_marks_values_known_only_after_apply() -> None:
    rec = run(_program)
    assert rec.get("aws:ec2/natGateway:NatGateway", "probe-nat").inputs == {
        "allocationId": UNKNOWN,
        "subnetId": "subnet-0a",
    }
    assert rec.outputs == {"ip": UNKNOWN}


def test_apply_mode_resolves_deterministic_stand_ins() -> None:
    first, second = run(_program, preview=False), run(_program, preview=False)
    ip = first.outputs["ip"]
    assert ip.startswith("203.0.113.") and ip == second.outputs["ip"]


def test_kubernetes_objects_keep_manifest_names_and_provider() -> None:
    rec = run(_program)
    sa = rec.get("kubernetes:core/v1:ServiceAccount", "probe-sa")
    assert sa.inputs == {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "sa"},
        "automountServiceAccountToken": False,
    }
    assert sa.provider == rec.get("pulumi:providers:kubernetes", "probe-k8s").urn
    kinds = sorted(m["kind"] for m in rec.manifests())
    assert kinds == ["ServiceAccount", "ServiceMonitor"]


def test_warnings_are_recorded() -> None:
    assert run(_program).warnings == ["a warning the plan must show"]


def test_program_errors_propagate() -> None:
    def broken() -> None:
        raise ValueError("bad config")

    with pytest.raises(ValueError, match="bad config"):
        run(broken)
    # and the engine is usable again afterwards
    assert run(_program).get("aws:ec2/eip:Eip", "probe-eip").protect


def test_reads_of_existing_resources_are_recorded_as_reads() -> None:
    def program() -> None:
        pulumi.export("ip", aws.ec2.Eip.get("legacy", "eipalloc-0123456789abcdef0").public_ip)

    rec = run(program)
    legacy = rec.get("aws:ec2/eip:Eip", "legacy")
    assert legacy.read and legacy.custom
    assert legacy.inputs == {"id": "eipalloc-0123456789abcdef0"}
    assert rec.outputs == {"ip": UNKNOWN}


def test_dependencies_are_recorded_in_a_stable_order() -> None:
    def program() -> None:
        a = [aws.ec2.Eip(f"e{i}", domain="vpc") for i in range(5)]
        aws.ec2.Eip("last", domain="vpc", opts=pulumi.ResourceOptions(depends_on=list(reversed(a))))

    deps = run(program).get("aws:ec2/eip:Eip", "last").depends_on
    assert deps == sorted(deps) and len(deps) == 5


def test_a_secret_field_is_left_out_of_the_schema_check_and_a_wrong_one_is_not() -> None:
    from traffic_edge.plan.engine import SECRET
    from traffic_edge.plan.kube_schema import validate_manifest

    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n"}}
    assert validate_manifest({**secret, "stringData": SECRET}, "1.33") == []
    assert validate_manifest({**secret, "stringData": {"password": SECRET}}, "1.33") == []
    assert validate_manifest({**secret, "stringData": "clear"}, "1.33") != []
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}}
    assert validate_manifest({**config, "data": "(known after apply)"}, "1.33") == []
    assert validate_manifest({**config, "metadata": "(known after apply)"}, "1.33") != []
