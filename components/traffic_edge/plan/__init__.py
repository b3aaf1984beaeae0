"""Offline plans of Pulumi Python projects: `traffic-edge plan` (see `traffic_edge.plan.cli`).

Needs the ``plan`` extra (``pip install 'traffic-edge[plan]'``): PyYAML, kubernetes-validate
and pulumi-policy.
"""
