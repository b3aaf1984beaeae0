"""What SquidProxy relies on from outside: pinned images, ports, ids, addresses and version boundaries.

Each constant names where it comes from. Change one only together with its source (a new image
tag, a new Kubernetes minor), and run the real-Squid tests after changing a Squid fact.
"""

from __future__ import annotations

from traffic_edge._shared.facts import Fact, Source
from traffic_edge._shared.versions import KubeVersion

# ---------------------------------------------------------------- images

SQUID_IMAGE = "ubuntu/squid:7.2-26.04_edge"
"""Canonical's Squid 7.2 image on Ubuntu 26.04 LTS: the only published track on a Squid series
upstream still maintains (6.x ended 2025-07-10), supported to 2031-05-29. Canonical publishes it at
risk `edge` only, and the tag moves: pin a digest in production stacks (`image` arg). It is a
chiselled image: no `/usr/sbin/squid` link, no `sleep` binary (see `SQUID_BINARY`, `SLEEP_ACTION_FROM`)."""

SQUID_VERSION = "7.2"
"""The Squid release the default image ships; the real tests run the same series from Debian."""

SQUID_BINARY = "/usr/sbin/squid-gnutls"
"""Squid's binary in the default image (its only daemon binary: Chisel runs no maintainer scripts,
so Debian's `/usr/sbin/squid` alternative is absent); Debian's 6.13 and 7.7 packages ship it too."""

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

SLEEP_ACTION_FROM = KubeVersion(1, 30)
"""The preStop `sleep` action is beta and on by default from 1.30 (alpha 1.29, GA 1.34): KEP-3960. The
default image has no `sleep` binary, so from 1.30 the delay before shutdown is the kubelet's own."""

PREFER_SAME_ZONE_FROM = KubeVersion(1, 34)
"""From 1.34 `PreferClose` is a deprecated alias of `PreferSameZone`: KEP-3015,
kubernetes/enhancements keps/sig-network/3015-prefer-same-node."""

DASHBOARD_LABEL = {"grafana_dashboard": "1"}
"""What the Grafana chart's dashboard sidecar watches for: grafana/helm-charts charts/grafana/values.yaml,
`sidecar.dashboards.label` (its default `labelValue` "" accepts any value)."""


# ---------------------------------------------------------------- the table

_OCI_FACTORY = Source(
    "canonical/oci-factory",
    "oci/squid/image.yaml (track 7.2-26.04, risks [edge], end of life 2031-05-29)",
    "0a190233",
)
_ROCK = Source("canonical/squid-rock", "squid/7.2-26.04/rockcraft.yaml", "17343789")
_EXPORTER = "boynux/squid-exporter"
_KEPS = "kubernetes/enhancements"

FACTS: tuple[Fact, ...] = (
    Fact(
        "SQUID_IMAGE",
        "the default Squid image: Squid 7 on Ubuntu 26.04 LTS, published at risk edge",
        (_OCI_FACTORY,),
    ),
    Fact(
        "SQUID_VERSION",
        "the Squid release of the default image; Squid 6 ended upstream on 2025-07-10",
        (_ROCK, Source("squid-cache/squid-cache.github.io", "Versions/v6 (Squid-6.md)", "71de18e4")),
    ),
    Fact(
        "SQUID_BINARY",
        "the daemon binary the slices install; also in Debian's squid 6.13 and 7.7 packages",
        (
            Source("canonical/chisel-releases", "slices/squid.yaml (branch ubuntu-26.04)", "67a2d376"),
            Source("Debian", "squid 7.7-1 package contents", "sid, 2026-12-07"),
        ),
    ),
    Fact(
        "EXPORTER_IMAGE",
        "the exporter sidecar; reads /squid-internal-mgr/, so it works with Squid 7 (no cache_object://)",
        (Source(_EXPORTER, "PRs #102, #103 (CHANGELOG v1.13.0)", "v1.13.0"),),
    ),
    Fact(
        "PROXY_PORT",
        "Squid's http_port and the exporter's default -squid-port",
        (Source(_EXPORTER, "config/config.go defaultSquidPort", "v1.13.0"),),
    ),
    Fact(
        "EXPORTER_PORT",
        "the exporter's default listen port",
        (Source(_EXPORTER, "config/config.go defaultListenPort", "v1.13.0"),),
    ),
    Fact(
        "SQUID_UID",
        "Debian's proxy user, the uid the pod runs Squid as (the image's own _daemon_ owns no path the pod writes)",
        (Source("Debian", "base-passwd /usr/share/base-passwd/passwd.master (proxy:13)", "sid, 2026-12-07"),),
    ),
    Fact(
        "ALWAYS_DENIED_DESTINATIONS",
        "metadata and link-local addresses denied in every config (to_linklocal is predefined only from 5.8)",
        (Source("squid-cache/squid", "src/cf.data.pre (acl to_linklocal)", "SQUID_5_8"),),
    ),
    Fact(
        "ZONE_LABEL",
        "the well-known zone label of a node",
        (
            Source(
                "kubernetes/website",
                "reference/labels-annotations-taints (topology.kubernetes.io/zone)",
                "2026-12-07",
            ),
        ),
    ),
    Fact(
        "HOSTNAME_LABEL",
        "the well-known name label of a node",
        (
            Source(
                "kubernetes/website",
                "reference/labels-annotations-taints (kubernetes.io/hostname)",
                "2026-12-07",
            ),
        ),
    ),
    Fact(
        "NAMESPACE_NAME_LABEL",
        "set by the API server on every namespace, from 1.22",
        (Source(_KEPS, "keps/sig-api-machinery/2161-apiserver-default-labels", "v1.22"),),
    ),
    Fact(
        "TOPOLOGY_MODE_ANNOTATION",
        "Topology Aware Routing's Service annotation",
        (Source(_KEPS, "keps/sig-network/2433-topology-aware-hints", "v1.27"),),
    ),
    Fact(
        "TOPOLOGY_MODE_FROM",
        "the first version with topology-mode, and with minDomains on by default",
        (
            Source(_KEPS, "keps/sig-network/2433-topology-aware-hints", "v1.27"),
            Source(_KEPS, "keps/sig-scheduling/3022-min-domains-in-pod-topology-spread", "v1.27"),
        ),
    ),
    Fact(
        "TRAFFIC_DISTRIBUTION_FROM",
        "spec.trafficDistribution beta and on by default (alpha 1.30, GA 1.33)",
        (Source(_KEPS, "keps/sig-network/4444-service-traffic-distribution", "v1.31"),),
    ),
    Fact(
        "SLEEP_ACTION_FROM",
        "the preStop sleep action beta and on by default (alpha 1.29, GA 1.34)",
        (Source(_KEPS, "issue #3960 / keps/sig-node/3960-pod-lifecycle-sleep-action", "v1.30"),),
    ),
    Fact(
        "PREFER_SAME_ZONE_FROM",
        "PreferSameZone, with PreferClose its deprecated alias",
        (Source(_KEPS, "keps/sig-network/3015-prefer-same-node", "v1.34"),),
    ),
    Fact(
        "DASHBOARD_LABEL",
        "the label the Grafana chart's dashboard sidecar watches",
        (
            Source(
                "grafana/helm-charts", "charts/grafana/values.yaml sidecar.dashboards.label", "grafana-8.x"
            ),
        ),
    ),
)
