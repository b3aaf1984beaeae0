"""The upstream facts `TraefikGateway` relies on: the pinned chart and the Traefik defaults.

Each constant names where it comes from. The chart cannot be rendered offline, so these
are what the values are written against; check a new chart version with ``helm template``
before changing `CHART_VERSION`.
"""

from __future__ import annotations

# The official chart (traefik/traefik-helm-chart), from its Helm repository.
CHART = "traefik"
CHART_REPO = "https://traefik.github.io/charts"
# Pinned chart; it ships Traefik v3.7 and the traefik.io/v1alpha1 CRDs. The values use its
# 41.x names, checked against the chart's own upgrade notes:
# * 39.0: the values schema is enforced (an unknown key fails the install) and entrypoint
#   HTTP options moved under ``ports.<ep>.http`` (``ports.websecure.http.tls``).
# * 40.0: Service fields moved under ``service.spec`` (``service.spec.type``).
# * 41.0: ``logs.general`` became ``log`` and ``logs.access`` became ``accessLog``.
CHART_VERSION = "41.3.0"

# The API group and version of the CRDs the pinned chart installs (IngressRoute, Middleware).
API_VERSION = "traefik.io/v1alpha1"

# The chart's entrypoints this component runs; the chart enables both by default, and the
# values remove `websecure` with a null unless it is asked for.
ENTRYPOINTS = ("web", "websecure")
# The chart's default container ports of `web` and `websecure`: unprivileged, so the pod
# runs as non-root with no added capabilities.
WEB_CONTAINER_PORT = 8000
WEBSECURE_CONTAINER_PORT = 8443
# The chart's internal `traefik` entrypoint (its default port): /ping for the probes and the
# dashboard. The Service never exposes it.
INTERNAL_ENTRYPOINT = "traefik"
INTERNAL_CONTAINER_PORT = 8080
# The chart always runs Traefik's ping handler, on this path of the internal entrypoint.
PING_PATH = "/ping"

# Pod selector labels: traefik.labelselector in the chart's templates/_helpers.tpl.
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"
# traefik.instance-name (chart >= 34, templates/_helpers.tpl): "<release>-<namespace>",
# truncated to this many characters with a trailing '-' trimmed.
INSTANCE_NAME_MAX = 63
