"""Moving the library to the `traffic_edge` package replaced nothing that is deployed.

`tests/data/previous_layout/<stack>.json` is each stack's `resources.json` as planned by the
last release before the move (the flat `components` package). A URN that changes is a
delete and a create for the engine (for an Elastic IP: a new address every allowlist must
learn); an input that changes is an update. Both must stay exactly as they were, so this
test fails on any difference and names the first few. A commit that changes an input on
purpose updates the recording in the same commit (so far: the MetalLB release's values,
`frrk8s.enabled: false`, Squid's `-d 1`, dashboard and ServiceMonitor labels, Squid 7's image,
`squid-gnutls` command, preStop sleep action and squid.conf header, HAProxy's explicit command;
added: Squid's PrometheusRule, the HAProxy pods' NetworkPolicy; issues #13 and #14: the stacks
use the new features, dev moved to a regional NAT gateway keeping both Elastic IPs' URNs and
inputs, and the `dr` stack is new), and the JSON diff shows the reviewer exactly that change; an existing URN
never changes without an alias.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.stacks import run_stack, stacks

DATA = Path(__file__).resolve().parents[2] / "data" / "previous_layout"


def _by_urn(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in resources}


def test_every_stack_has_a_recorded_previous_plan() -> None:
    assert sorted(p.stem for p in DATA.glob("*.json")) == stacks()


@pytest.mark.parametrize("stack", stacks())
def test_urns_and_inputs_are_those_of_the_previous_layout(stack: str) -> None:
    before = _by_urn(json.loads((DATA / f"{stack}.json").read_text()))
    now = _by_urn([r.to_json() for r in run_stack(stack).resources])
    assert sorted(now) == sorted(before), (
        f"added: {sorted(set(now) - set(before))[:5]}, removed: {sorted(set(before) - set(now))[:5]}"
    )
    changed = [urn for urn in sorted(now) if now[urn] != before[urn]]
    details = [
        f"{urn}: {key}"
        for urn in changed[:5]
        for key in sorted(set(now[urn]) | set(before[urn]))
        if now[urn].get(key) != before[urn].get(key)
    ]
    assert changed == [], "changed: " + "; ".join(details)
