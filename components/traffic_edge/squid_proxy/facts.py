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

CANARY_IMAGE = "curlimages/curl:8.21.0"
"""curl's own minimal image (Alpine 3.24.1 base: busybox `sh` and curl), what the canary's CronJob
runs its script with; its entrypoint is bypassed (the script is the command)."""

# ---------------------------------------------------------------- Squid and its exporter

PROXY_PORT = 3128
"""Squid's default `http_port` and the conventional `HTTP_PROXY` port; also the exporter's default
`-squid-port` (boynux/squid-exporter config/config.go, defaultSquidPort)."""

EXPORTER_PORT = 9301
"""The exporter's default listen port (boynux/squid-exporter config/config.go, defaultListenPort)."""

EXPORTER_LOGIN_ENV = "SQUID_LOGIN"
"""The exporter's environment variable for the cache manager's user (boynux/squid-exporter
config/config.go, squidLoginKey); it sends Basic credentials only when login and password are set."""

EXPORTER_PASSWORD_ENV = "SQUID_PASSWORD"
"""The exporter's environment variable for the cache manager's password (config/config.go,
squidPasswordKey): read from the Secret, so the password is never in the pod spec."""

MANAGER_PASSWORD_DIRECTIVE = "cachemgr_passwd"
"""`cachemgr_passwd <password> all`: every cache-manager action then needs the password (without
it Squid serves the actions that need none, such as `info` and `counters`, to any client the
`manager` rules admit)."""

PORT_NAME_ACL = "myportname"
"""The ACL type matching the `name=` of the `http_port` a request came in on: one port per tenant."""

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

CRONJOB_NAME_MAX = 52
"""The longest CronJob name the API server takes: the controller appends `-<11 characters>` to
name each Job, and a Job's name is a 63-character label."""

HPA_STABILIZATION_MAX_SECONDS = 3600
"""The most `stabilizationWindowSeconds` an HPA scaling rule takes (scale-down default 300, scale-up 0)."""

CRONJOB_LAST_SUCCESS_METRIC = "kube_cronjob_status_last_successful_time"
"""kube-state-metrics' gauge of a CronJob's `status.lastSuccessfulTime` (unix seconds, labels
`namespace`, `cronjob`); absent until a Job of it has succeeded."""

CRONJOB_CREATED_METRIC = "kube_cronjob_created"
"""kube-state-metrics' gauge of a CronJob's creation time (labels `namespace`, `cronjob`)."""

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
_SQUID_CONF_DOC = "squid-cache/squid"
_KSM = Source(
    "kubernetes/kube-state-metrics",
    "docs/metrics/workload/cronjob-metrics.md, internal/store/cronjob.go (STABLE; from v2.5.0)",
    "v2.20.0",
)
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
        "CANARY_IMAGE",
        "curl's image for the canary: busybox sh and curl on Alpine 3.24.1",
        (
            Source(
                "curl/curl-container",
                "Makefile (base alpine:3.24.1), create_appliance_image.sh, README (docker.io curlimages/curl)",
                "8.21.0",
            ),
        ),
    ),
    Fact(
        "EXPORTER_LOGIN_ENV",
        "the exporter's cache-manager user variable; Basic auth is sent only with login and password",
        (Source(_EXPORTER, "config/config.go squidLoginKey; collector/client.go SetBasicAuth", "v1.13.0"),),
    ),
    Fact(
        "EXPORTER_PASSWORD_ENV",
        "the exporter's cache-manager password variable",
        (Source(_EXPORTER, "config/config.go squidPasswordKey", "v1.13.0"),),
    ),
    Fact(
        "MANAGER_PASSWORD_DIRECTIVE",
        "the cache manager's password per action ('all'); no password: only actions needing none are served",
        (
            Source(
                _SQUID_CONF_DOC,
                "src/cf.data.pre (NAME: cachemgr_passwd); src/cache_cf.cc include",
                "SQUID_7_6",
            ),
        ),
    ),
    Fact(
        "PORT_NAME_ACL",
        "matches the name= of the receiving http_port (default: the port specification)",
        (Source(_SQUID_CONF_DOC, "src/cf.data.pre (acl myportname; http_port name=)", "SQUID_7_6"),),
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
        "CRONJOB_NAME_MAX",
        "the longest CronJob name: 63 minus the 11-character suffix of its Jobs",
        (
            Source(
                "kubernetes/kubernetes",
                "pkg/apis/batch/validation/validation.go ValidateCronJobCreate",
                "3989b185",
            ),
        ),
    ),
    Fact(
        "HPA_STABILIZATION_MAX_SECONDS",
        "stabilizationWindowSeconds from 0 to 3600 (defaults: scale-down 300, scale-up 0)",
        (Source("kubernetes/api", "autoscaling/v2/types.go HPAScalingRules", "3fecd54e"),),
    ),
    Fact("CRONJOB_LAST_SUCCESS_METRIC", "a CronJob's last successful Job, unix seconds", (_KSM,)),
    Fact("CRONJOB_CREATED_METRIC", "a CronJob's creation time, unix seconds", (_KSM,)),
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
