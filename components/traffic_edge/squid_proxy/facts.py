"""What SquidProxy relies on from outside: pinned images, ports, ids, addresses and version boundaries.

Each constant names where it comes from. Change one only together with its source (a new image
tag, a new Kubernetes minor), and run the real-Squid tests after changing a Squid fact.
"""

from __future__ import annotations

from traffic_edge._shared.versions import KubeVersion

# ---------------------------------------------------------------- images

SQUID_IMAGE = "ubuntu/squid:6.13-25.04_beta"
"""Pinned: the tag the seed's chart ships (Squid 6.13; checked against the 6.13 source notes in the
research, not executed: the real-binary tests run Debian 12's Squid 5.7)."""

EXPORTER_IMAGE = "boynux/squid-exporter:v1.13.0"
"""boynux/squid-exporter v1.13.0: reads `/squid-internal-mgr/` (the `cache_object://` scheme is gone in
Squid 7); its metric names (collector/counters.go, service_times.go, metrics.go) are what the
dashboard queries."""

# ---------------------------------------------------------------- Squid and its exporter

PROXY_PORT = 3128
"""Squid's default `http_port` and the conventional `HTTP_PROXY` port; also the exporter's default
`-squid-port` (boynux/squid-exporter config/config.go, defaultSquidPort)."""

EXPORTER_PORT = 9301
"""The exporter's default listen port (boynux/squid-exporter config/config.go, defaultListenPort)."""

SQUID_UID = 13
"""Squid's `proxy` user in Debian and in ubuntu/squid: running as it from the start lets Squid open
/dev/stdout for the access log (research: started as root and dropped to `proxy`, it cannot)."""

ALWAYS_DENIED_DESTINATIONS: tuple[str, ...] = (
    "169.254.0.0/16",  # IPv4 link-local: AWS/GCP/Azure/OpenStack metadata at 169.254.169.254, ECS at .170.2
    "fe80::/10",  # IPv6 link-local
    "fd00:ec2::254/128",  # AWS IMDS over IPv6 (Nitro)
    "168.63.129.16/32",  # Azure WireServer: VM agent config and extension settings
    "100.100.100.200/32",  # Alibaba Cloud metadata
)
"""Denied by resolved address in every generated config, on top of Squid's predefined `to_localhost`.
An ACL of our own: `to_linklocal` is predefined only from Squid 5.8 (5.7: `FATAL: Bungled ... ACL not
found`, research)."""

# ---------------------------------------------------------------- Kubernetes

ZONE_LABEL = "topology.kubernetes.io/zone"
"""The well-known node label of a node's availability zone."""

HOSTNAME_LABEL = "kubernetes.io/hostname"
"""The well-known node label of a node's name."""

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the API server on every namespace (1.22+), so selecting a namespace needs no labelling."""

TOPOLOGY_MODE_ANNOTATION = "service.kubernetes.io/topology-mode"
"""Topology Aware Routing's Service annotation, from 1.27 (`topology-aware-hints` before): KEP-2433,
kubernetes/enhancements keps/sig-network/2433-topology-aware-hints."""

TOPOLOGY_MODE_FROM = KubeVersion(1, 27)
"""The first version with the topology-mode annotation; also the first with minDomains on by default
(KEP-3022, kubernetes/enhancements keps/sig-scheduling/3022-min-domains-in-pod-topology-spread)."""

TRAFFIC_DISTRIBUTION_FROM = KubeVersion(1, 31)
"""`spec.trafficDistribution` is beta and on by default from 1.31 (alpha and off on 1.30), GA in 1.33:
KEP-4444, kubernetes/enhancements keps/sig-network/4444-service-traffic-distribution."""

PREFER_SAME_ZONE_FROM = KubeVersion(1, 34)
"""From 1.34 `PreferClose` is a deprecated alias of `PreferSameZone`: KEP-3015,
kubernetes/enhancements keps/sig-network/3015-prefer-same-node."""

DASHBOARD_LABEL = {"grafana_dashboard": "1"}
"""What the Grafana chart's dashboard sidecar watches for: grafana/helm-charts charts/grafana/values.yaml,
`sidecar.dashboards.label` (its default `labelValue` "" accepts any value)."""
