"""Renaming a component keeps every child's identity: `aliases` and the `{name}-<what>` child names.

Children are named from their component (``egress-eip-<zone>``), so a rename changes every
child URN too; without aliases `pulumi up` would delete and re-create all of them, and a
re-created Elastic IP is a new address third parties have never allowlisted. With
``aliases=[pulumi.Alias(name=<old>)]`` on the component, the engine derives each child's old
URN from the parent's alias by swapping the name prefix. These tests check both halves: what
the alias on the request says, and that the URNs derived from it are exactly the old ones —
computed with Pulumi's own SDK function for that rule (`inherited_child_alias`), which the
engine applies the same way to alias specs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime.resource import inherited_child_alias
from pulumi.runtime.sync_await import _sync_await

from tests.policies.test_policy_evaluate import NAT, TRAEFIK
from traffic_edge.egress_nat.component import EgressNatGateways
from traffic_edge.plan.engine import Recording, run
from traffic_edge.traefik_gateway.component import TraefikGateway

COMPONENTS: dict[str, tuple[type[pulumi.ComponentResource], dict[str, Any]]] = {
    "EgressNatGateways": (EgressNatGateways, NAT),
    "TraefikGateway": (TraefikGateway, TRAEFIK),
}


def record(
    cls: type[Any], args: dict[str, Any], name: str, opts: pulumi.ResourceOptions | None = None
) -> Recording:
    return run(lambda: cls(name, args, opts))


def urns_under(rec: Recording, component: str) -> set[str]:
    root = next(r for r in rec.resources if r.name == component and not r.custom)
    return {root.urn, *(r.urn for r in rec.descendants_of(root.urn))}


def derived_alias_urns(rec: Recording, component: str) -> dict[str, str]:
    """New URN -> the old URN the engine derives from the component's alias spec.

    The root's alias is its own URN with the spec's name; every descendant's comes from its
    parent's with Pulumi's own rule (`inherited_child_alias`: swap the parent-name prefix).
    """
    root = next(r for r in rec.resources if r.name == component and not r.custom)
    [alias] = root.aliases
    derived = {root.urn: root.urn.rsplit("::", 1)[0] + "::" + alias["spec"]["name"]}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for child in rec.children_of(parent.urn):
            urn = inherited_child_alias(child.name, parent.name, derived[parent.urn], child.type)
            derived[child.urn] = _sync_await(urn.future())
            frontier.append(child)
    return derived


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_the_rename_sends_the_old_name_as_an_alias_spec(component: str) -> None:
    cls, args = COMPONENTS[component]
    rec = record(cls, args, "renamed", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old")]))
    root = next(r for r in rec.resources if r.name == "renamed" and not r.custom)
    assert root.aliases == [{"spec": {"name": "old", "parentUrn": ""}}]
    # No child names the old component itself: the engine derives that from the parent's alias.
    assert not [a for r in rec.descendants_of(root.urn) for a in r.aliases if "old" in str(a)]


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_every_child_of_the_renamed_component_aliases_its_old_urn(component: str) -> None:
    cls, args = COMPONENTS[component]
    old = urns_under(record(cls, args, "edge"), "edge")
    rec = record(cls, args, "edge-v2", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="edge")]))
    derived = derived_alias_urns(rec, "edge-v2")
    assert set(derived) == urns_under(rec, "edge-v2")
    assert len(derived) > 1
    # Each renamed resource claims exactly its old self: nothing is deleted, nothing re-created.
    assert sorted(derived.values()) == sorted(old)
    eip_like = [u for u in derived if "$aws:ec2/eip:Eip::" in u]
    for urn in eip_like:
        assert derived[urn] == urn.replace("::edge-v2-", "::edge-", 1)


def test_without_the_alias_nothing_of_the_old_component_is_kept() -> None:
    old = urns_under(record(EgressNatGateways, NAT, "edge"), "edge")
    rec = record(EgressNatGateways, NAT, "edge-v2")
    assert not old & urns_under(rec, "edge-v2")
    assert all(r.aliases == [] for r in rec.resources)
