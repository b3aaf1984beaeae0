"""Rewrites each component doc's facts table from its ``facts.py`` (``--check`` only compares).

    uv run python scripts/facts-docs.py [--check]

The table sits between ``<!-- facts:begin -->`` and ``<!-- facts:end -->`` in the doc;
tests/traffic_edge/_shared/test_facts.py fails while a doc and its table disagree.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from traffic_edge._shared import facts

REPO = Path(__file__).resolve().parent.parent
DOCS = {
    "aks_tcp_load_balancer": "docs/aks-tcp-load-balancer.md",
    "egress_nat": "docs/egress-nat-gateways.md",
    "proxy_protocol_ingress": "docs/proxy-protocol-ingress.md",
    "squid_proxy": "docs/squid-proxy.md",
    "traefik_gateway": "docs/traefik-gateway.md",
}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for component, doc in DOCS.items():
        module = importlib.import_module(f"traffic_edge.{component}.facts")
        path = REPO / doc
        text = path.read_text()
        new = facts.replaced(text, facts.render(module, module.FACTS))
        if new != text:
            stale.append(doc)
            if not check:
                path.write_text(new)
    verb = "stale" if check else "rewrote"
    print(f"{verb}: {', '.join(stale)}" if stale else "facts tables up to date")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
