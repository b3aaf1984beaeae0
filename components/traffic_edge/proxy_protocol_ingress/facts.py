"""The upstream facts `ProxyProtocolIngress` relies on: pinned versions, images, version boundaries.

Each constant says where it comes from. Where the project recorded an upstream reference it
is cited; "docs" is docs/proxy-protocol-ingress.md, which states the fact without one (those
are the ones to back with an upstream reference when they are next reviewed).
"""

from __future__ import annotations

from traffic_edge._shared.versions import KubeVersion

# --- MetalLB -----------------------------------------------------------------------------

METALLB_CHART = "metallb"
"""The MetalLB Helm chart. Source: docs ("What the component creates")."""
METALLB_CHART_VERSION = "0.16.1"
"""The pinned chart version. Source: docs ("What the component creates"); no upstream reference recorded."""
METALLB_REPO = "https://metallb.github.io/metallb"
"""The chart repository. Source: none recorded."""
METALLB_VALUES = {"frrk8s": {"enabled": False}}
"""The chart values: L2 only, so no FRR-K8s. The 0.16 chart installs the frr-k8s subchart (a
DaemonSet with FRR on every node) by default: metallb/metallb charts/metallb/values.yaml at
v0.16.1 (``frrk8s.enabled: true``, "now the default BGP backend") and Chart.yaml's dependency
``frr-k8s`` with ``condition: frrk8s.enabled``. An L2 edge advertises with ARP from the speaker
itself; BGP is not offered by this component, so FRR-K8s would only run unused."""
METALLB_RELEASE_TIMEOUT_SECONDS = 600
"""How long the release may take to become ready. Source: docs ("MetalLB and the first-install race": 10 min).

The pool waits for the release because, sent in the same pass as the chart, it fails with
*failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io" … no endpoints available*
(metallb/metallb#1597) or *no matches for kind IPAddressPool* (metallb/metallb#2622)."""

# --- HAProxy -----------------------------------------------------------------------------

HAPROXY_IMAGE = "docker.io/library/haproxy:2.6"
"""The HAProxy branch the real tests run (Debian's 2.6, tests/traffic_edge/proxy_protocol_ingress/
test_haproxy_real.py); pin a digest in production stacks."""
HAPROXY_UID = 99
"""The `haproxy` user of the official image. Source: none recorded."""
HAPROXY_CONFIG_DIR = "/usr/local/etc/haproxy"
"""Where the container reads haproxy.cfg from (the path the Deployment mounts). Source: none recorded."""

# --- Istio -------------------------------------------------------------------------------

ISTIO_LISTENER_FILTER = KubeVersion(1, 17)
"""The oldest Istio whose gateway can insert the proxy_protocol listener filter first
(EnvoyFilter LISTENER_FILTER, INSERT_FIRST). Source: docs ("Receiver on the gateway, by Istio version")."""
ISTIO_GATEWAY_TOPOLOGY_PROXY_PROTOCOL = KubeVersion(1, 19)
"""From this Istio on, ``gatewayTopology.proxyProtocol`` in the `PROXY_CONFIG_ANNOTATION` pod
annotation makes the gateway read PROXY headers on every listener. Source: docs (same table)."""
ISTIO_SECURITY_V1 = KubeVersion(1, 22)
"""From this Istio on AuthorizationPolicy is ``security.istio.io/v1``, before it ``v1beta1``.
Source: docs ("Spoofing protection")."""
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"
"""The gateway pod annotation that carries its proxy config. Source: docs (same table)."""
PROXY_PROTOCOL_FILTER = "envoy.filters.listener.proxy_protocol"
"""Envoy's PROXY protocol listener filter. Source: none recorded."""
PROXY_PROTOCOL_TYPE = "type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol"
"""The filter's typed config (Envoy API v3). Source: none recorded."""
