"""The consumer team's own components package: the most common layout for Pulumi projects.

It sits beside `traffic_edge` without either shadowing the other.
"""

TEAM_TAGS = {"team": "payments"}
