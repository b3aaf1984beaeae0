"""The upstream facts `ProxyProtocolIngress` relies on: pinned versions, images, version boundaries.

The values are plain constants (what the code reads); `FACTS` at the end says, for each one,
what it means and where it was read: the repository, the file or pull request, and the tag
or commit it was checked at. docs/proxy-protocol-ingress.md carries the same table.
"""

from __future__ import annotations

from traffic_edge._shared.facts import Fact, Source
from traffic_edge._shared.versions import KubeVersion

# --- MetalLB -----------------------------------------------------------------------------

METALLB_CHART = "metallb"
METALLB_CHART_VERSION = "0.16.1"
METALLB_REPO = "https://metallb.github.io/metallb"
METALLB_VALUES = {"frrk8s": {"enabled": False}}
"""`mode: l2`: no BGP backend at all."""
METALLB_BGP_VALUES = {"frrk8s": {"enabled": True}}
"""`mode: bgp`: FRR-K8s, said explicitly rather than left to the chart's default."""
METALLB_BGP_PEER_API = "metallb.io/v1beta2"
METALLB_ASN_MAX = 4294967295
METALLB_BGP_PORT_MAX = 16384
METALLB_PASSWORD_SECRET_TYPE = "kubernetes.io/basic-auth"
METALLB_RELEASE_TIMEOUT_SECONDS = 600
"""The pool waits for the release because, sent in the same pass as the chart, it fails with
*failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io" … no endpoints available*
(metallb/metallb#1597) or *no matches for kind IPAddressPool* (metallb/metallb#2622)."""

# --- HAProxy -----------------------------------------------------------------------------

HAPROXY_IMAGE = "docker.io/library/haproxy:2.6"
"""Its major.minor is the branch the real tests run (Debian 12's 2.6); a test fails when they
differ. Pin a digest in production stacks."""
HAPROXY_BRANCH_END_OF_FIXES = "Q2 2027"
HAPROXY_UID = 99
HAPROXY_CONFIG_DIR = "/usr/local/etc/haproxy"

# --- Kubernetes --------------------------------------------------------------------------

DAEMONSET_SURGE = KubeVersion(1, 25)
"""The oldest Kubernetes the library supports already has it (versions.SUPPORTED_MIN)."""
DAEMONSET_PDB_MIN_AVAILABLE = 1

# --- Istio -------------------------------------------------------------------------------

ISTIO_LISTENER_FILTER = KubeVersion(1, 17)
ISTIO_GATEWAY_TOPOLOGY_PROXY_PROTOCOL = KubeVersion(1, 19)
ISTIO_SECURITY_V1 = KubeVersion(1, 17)
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"
PROXY_PROTOCOL_FILTER = "envoy.filters.listener.proxy_protocol"
PROXY_PROTOCOL_TYPE = "type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol"

_METALLB = "metallb/metallb"
_HAPROXY_IMAGES = "docker-library/haproxy"
_HAPROXY_IMAGES_AT = "ec437dd2a365"
_ISTIO_API = "istio/api"

FACTS: tuple[Fact, ...] = (
    Fact(
        "METALLB_CHART",
        "The MetalLB Helm chart's name.",
        (Source(_METALLB, "charts/metallb/Chart.yaml (name)", "v0.16.1"),),
    ),
    Fact(
        "METALLB_CHART_VERSION",
        "The pinned chart version (appVersion v0.16.1).",
        (Source(_METALLB, "charts/metallb/Chart.yaml (version, appVersion)", "v0.16.1"),),
    ),
    Fact(
        "METALLB_REPO",
        "The chart's Helm repository.",
        (Source(_METALLB, "website/content/installation/_index.md (helm repo add)", "v0.16.1"),),
    ),
    Fact(
        "METALLB_VALUES",
        "`mode: l2`, so no FRR-K8s: the 0.16 chart enables the frr-k8s subchart (a DaemonSet with FRR "
        "on every node) by default, and an L2 edge advertises with ARP from the speaker itself.",
        (
            Source(_METALLB, "charts/metallb/values.yaml (frrk8s.enabled: true)", "v0.16.1"),
            Source(_METALLB, "charts/metallb/Chart.yaml (frr-k8s condition: frrk8s.enabled)", "v0.16.1"),
        ),
    ),
    Fact(
        "METALLB_BGP_VALUES",
        "`mode: bgp`: FRR-K8s is the 0.16 chart's BGP backend (its values call it the default BGP "
        "backend; the speaker gets METALLB_BGP_TYPE=frr-k8s). The older FRR sidecar mode "
        "(speaker.frr.enabled, default false) is deprecated and the chart refuses both at once.",
        (
            Source(
                _METALLB, "charts/metallb/values.yaml (frrk8s.enabled, speaker.frr: DEPRECATED)", "v0.16.1"
            ),
            Source(
                _METALLB,
                "charts/metallb/templates/speaker.yaml (METALLB_BGP_TYPE, mutually exclusive)",
                "v0.16.1",
            ),
        ),
    ),
    Fact(
        "METALLB_BGP_PEER_API",
        "BGPPeer's served and stored version (v1beta1 is served but deprecated); BGPAdvertisement, "
        "L2Advertisement and IPAddressPool stay metallb.io/v1beta1.",
        (
            Source(
                _METALLB,
                "charts/metallb/charts/crds/templates/crds.yaml (bgppeers: v1beta2 storage)",
                "v0.16.1",
            ),
            Source(_METALLB, "api/v1beta2/bgppeer_types.go", "v0.16.1"),
        ),
    ),
    Fact(
        "METALLB_ASN_MAX",
        "The largest AS number a BGPPeer takes (myASN, peerASN: 4-byte ASNs); MetalLB refuses myASN 0 "
        '("missing local ASN") and a peer without peerASN or dynamicASN.',
        (
            Source(_METALLB, "api/v1beta2/bgppeer_types.go (kubebuilder Maximum=4294967295)", "v0.16.1"),
            Source(_METALLB, "internal/config/config.go (peerFromCR)", "v0.16.1"),
        ),
    ),
    Fact(
        "METALLB_BGP_PORT_MAX",
        "The largest peerPort the BGPPeer CRD accepts (Minimum=1, Maximum=16384, default 179).",
        (Source(_METALLB, "api/v1beta2/bgppeer_types.go (Port, kubebuilder Maximum=16384)", "v0.16.1"),),
    ),
    Fact(
        "METALLB_PASSWORD_SECRET_TYPE",
        "passwordSecret names a Secret of this type, key `password`, in MetalLB's own namespace (the "
        "controller lists Secrets there and looks the name up); MetalLB also refuses an eBGP-multihop "
        "iBGP peer and a password given both inline and by Secret.",
        (
            Source(_METALLB, "api/v1beta2/bgppeer_types.go (PasswordSecret)", "v0.16.1"),
            Source(_METALLB, "internal/config/config.go (passwordFromSecretForPeer, peerFromCR)", "v0.16.1"),
        ),
    ),
    Fact(
        "DAEMONSET_SURGE",
        "From this Kubernetes on, a DaemonSet's rollingUpdate.maxSurge is GA (DaemonSetUpdateSurge): "
        "the new HAProxy pod on a node is ready before the old one stops (maxUnavailable 0).",
        (
            Source(
                "kubernetes/kubernetes",
                "pkg/features/kube_features.go (DaemonSetUpdateSurge GA: v1.25)",
                "v1.25",
            ),
            Source("kubernetes/enhancements", "keps/sig-apps/1591-daemonset-surge", "1c3cd92cac65"),
        ),
    ),
    Fact(
        "DAEMONSET_PDB_MIN_AVAILABLE",
        "A DaemonSet's PDB takes an integer minAvailable: the disruption controller counts the "
        "selected pods for it, while maxUnavailable or a percentage needs the controller's scale, "
        "which a DaemonSet lacks, so its sync fails and the PDB allows no eviction at all.",
        (
            Source(
                "kubernetes/kubernetes",
                "pkg/controller/disruption/disruption.go (getExpectedPodCount, finders, failSafe)",
                "003e86297d18",
            ),
        ),
    ),
    Fact(
        "METALLB_RELEASE_TIMEOUT_SECONDS",
        "How long the release may take to become ready before the pool is sent (a choice, 10 min); "
        "the pool sent with the chart hits the webhook with no endpoints or the missing CRD.",
        (
            Source(_METALLB, "issue #1597 (webhook: no endpoints available)", "opened 2022-09-07"),
            Source(_METALLB, "issue #2622 (no matches for kind IPAddressPool)", "opened 2024-12-02"),
        ),
    ),
    Fact(
        "HAPROXY_IMAGE",
        "The official image's 2.6 tag (2.6.31 on Debian trixie-slim when checked); 2.6 is the branch "
        "the real tests run (Debian 12's haproxy 2.6.12).",
        (
            Source(
                _HAPROXY_IMAGES, "versions.json, 2.6/Dockerfile (HAPROXY_VERSION 2.6.31)", _HAPROXY_IMAGES_AT
            ),
            Source("debian", "bookworm package haproxy 2.6.12-1+deb12u4", "Debian 12"),
        ),
    ),
    Fact(
        "HAPROXY_BRANCH_END_OF_FIXES",
        "When the 2.6 LTS branch stops receiving fixes; move the image (and the tests' HAProxy) to a "
        "newer LTS branch before then.",
        (Source("haproxy/haproxy", "include/haproxy/version.h (PRODUCT_STATUS), INSTALL", "v2.6.0"),),
    ),
    Fact(
        "HAPROXY_UID",
        "The image's `haproxy` user and group (useradd --uid 99, groupadd --gid 99; USER haproxy): "
        "the pod runs as it.",
        (Source(_HAPROXY_IMAGES, "2.6/Dockerfile", _HAPROXY_IMAGES_AT),),
    ),
    Fact(
        "HAPROXY_CONFIG_DIR",
        "Where the image reads haproxy.cfg (CMD haproxy -f /usr/local/etc/haproxy/haproxy.cfg): the "
        "path the Deployment mounts the ConfigMap at.",
        (Source(_HAPROXY_IMAGES, "2.6/Dockerfile (mkdir, CMD)", _HAPROXY_IMAGES_AT),),
    ),
    Fact(
        "ISTIO_LISTENER_FILTER",
        "The oldest Istio whose EnvoyFilter has applyTo LISTENER_FILTER, needed to insert the "
        "proxy_protocol listener filter first (INSERT_FIRST) before Istio 1.19.",
        (
            Source(_ISTIO_API, "PR #2514 (added listener filter patching)", "1.17.0"),
            Source(_ISTIO_API, "networking/v1alpha3/envoy_filter.proto (LISTENER_FILTER = 11)", "1.17.0"),
        ),
    ),
    Fact(
        "ISTIO_GATEWAY_TOPOLOGY_PROXY_PROTOCOL",
        "From this Istio on, gatewayTopology.proxyProtocol in the gateway's proxy config makes it "
        "read PROXY headers on every listener (absent at 1.18.0).",
        (
            Source(_ISTIO_API, "PR #2860 (PROXY protocol for gateways)", "1.19.0"),
            Source(_ISTIO_API, "mesh/v1alpha1/proxy.proto (Topology.proxy_protocol = 3)", "1.19.0"),
        ),
    ),
    Fact(
        "ISTIO_SECURITY_V1",
        "From this Istio on the AuthorizationPolicy CRD serves security.istio.io/v1 (v1beta1 stays "
        "served and stored); 1.16.0 served only v1beta1. Istio 1.22's v1 promotion did not include it.",
        (
            Source(_ISTIO_API, "PR #2553 (security policy graduation to v1)", "1.17.0"),
            Source(_ISTIO_API, "kubernetes/customresourcedefinitions.gen.yaml", "1.17.0"),
        ),
    ),
    Fact(
        "PROXY_CONFIG_ANNOTATION",
        "The pod annotation that overrides a proxy's ProxyConfig (gatewayTopology included).",
        (Source(_ISTIO_API, "annotation/annotations.yaml (proxy.istio.io/config)", "1.19.0"),),
    ),
    Fact(
        "PROXY_PROTOCOL_FILTER",
        "Envoy's PROXY protocol listener filter (extension name).",
        (
            Source(
                "envoyproxy/envoy",
                "api/envoy/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.proto (#extension)",
                "03b353e19d9c",
            ),
            Source(_ISTIO_API, "networking/v1alpha3/envoy_filter.proto (LISTENER_FILTER example)", "1.17.0"),
        ),
    ),
    Fact(
        "PROXY_PROTOCOL_TYPE",
        "The filter's typed config (Envoy API v3 message ProxyProtocol).",
        (
            Source(
                "envoyproxy/envoy",
                "api/envoy/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.proto (package)",
                "03b353e19d9c",
            ),
            Source(_ISTIO_API, "networking/v1alpha3/envoy_filter.proto (LISTENER_FILTER example)", "1.17.0"),
        ),
    ),
)
