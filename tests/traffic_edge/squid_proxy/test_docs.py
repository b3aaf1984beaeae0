"""docs/squid-proxy.md documents every arg: each key of SquidProxyArgs has a row in the args table,
and every key of the nested args (tenants, canary, autoscaling, tolerations) is named in its row."""

from __future__ import annotations

from tests.support.stacks import REPO
from traffic_edge._shared.tolerations import TOLERATION_KEYS
from traffic_edge.squid_proxy.args import (
    AUTOSCALING_KEYS,
    CANARY_KEYS,
    KNOWN_KEYS,
    TENANT_KEYS,
)

DOC = (REPO / "docs" / "squid-proxy.md").read_text()
ROWS = {
    line.split("|")[1].strip().strip("`"): line
    for line in DOC[DOC.index("## Args") : DOC.index("## The generated squid.conf")].splitlines()
    if line.startswith("| `")
}


def test_every_arg_has_a_row() -> None:
    assert sorted(KNOWN_KEYS - ROWS.keys()) == []


def test_every_nested_key_is_named_in_its_row() -> None:
    nested = {
        "tenants": TENANT_KEYS,
        "canary": CANARY_KEYS,
        "autoscaling": AUTOSCALING_KEYS,
        "tolerations": TOLERATION_KEYS,
    }
    missing = [f"{arg}.{key}" for arg, keys in nested.items() for key in sorted(keys) if key not in ROWS[arg]]
    assert missing == []
