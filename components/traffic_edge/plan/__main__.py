"""`python -m traffic_edge.plan plan ...`, the same as the `traffic-edge` console script."""

from traffic_edge.plan.cli import entry

entry()
