"""The upstream facts `TraefikGateway` relies on: the pinned chart and the Traefik defaults.

Plain constants (what the code reads), then `FACTS`: each constant with what it means and where
it was checked (traefik/traefik-helm-chart at the pinned tag unless a source says otherwise).
The chart cannot be rendered offline, so these are what the values are written against; check a
new chart version with ``helm template`` and re-check every source before changing
`CHART_VERSION`. docs/traefik-gateway.md carries the rendered table (scripts/facts-docs.py).
"""

from __future__ import annotations

from traffic_edge._shared import monitoring
from traffic_edge._shared.facts import Fact, Source

# The official chart, from its Helm repository.
CHART = "traefik"
CHART_REPO = "https://traefik.github.io/charts"
CHART_VERSION = "41.3.0"
# The Traefik release the pinned chart deploys (its appVersion): the Traefik behaviour the
# values and the Middleware specs are written against.
TRAEFIK_VERSION = "v3.7.11"

# The API group and version of the CRDs the pinned chart installs (IngressRoute, Middleware).
API_VERSION = "traefik.io/v1alpha1"

# Value names of chart 41.x that replaced older ones: (chart major, old name, 41.x name). The
# values use only the new names; a stale key fails the install, because the chart enforces its
# values schema since `SCHEMA_ENFORCED_SINCE`.
SCHEMA_ENFORCED_SINCE = 39
VALUE_RENAMES = (
    (39, "ports.<entrypoint>.tls", "ports.<entrypoint>.http.tls"),
    (40, "service.type", "service.spec.type"),
    (41, "logs.general", "log"),
    (41, "logs.access", "accessLog"),
)

# The chart's entrypoints this component runs; the chart enables both by default, and the
# values remove `websecure` with a null unless it is asked for.
WEB_ENTRYPOINT = "web"
WEBSECURE_ENTRYPOINT = "websecure"
ENTRYPOINTS = (WEB_ENTRYPOINT, WEBSECURE_ENTRYPOINT)
# The chart's default container ports of `web` and `websecure`: unprivileged, so the pod
# runs as non-root with no added capabilities.
WEB_CONTAINER_PORT = 8000
WEBSECURE_CONTAINER_PORT = 8443
# The chart's internal `traefik` entrypoint (its default port): /ping for the probes and the
# dashboard. The Service never exposes it.
INTERNAL_ENTRYPOINT = "traefik"
INTERNAL_CONTAINER_PORT = 8080
# The chart's metrics entrypoint and its default port; the values keep it off the Service.
METRICS_ENTRYPOINT = "metrics"
METRICS_CONTAINER_PORT = 9100
# The chart always runs Traefik's ping handler; the probes' default path.
PING_PATH = "/ping"
# The chart's default podSecurityContext user and group (non-root).
RUN_AS_ID = 65532

# Pod selector labels: traefik.labelselector in the chart's templates/_helpers.tpl.
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"
# traefik.instance-name: "<release>-<namespace>", cut to this many characters, then one trailing
# '-' trimmed (sprig trimSuffix).
INSTANCE_NAME_MAX = 63

# The path Traefik serves Prometheus metrics on, on the metrics entrypoint.
METRICS_PATH = "/metrics"
# The chart names a container port after its entrypoint, lower-cased and cut to 15 characters
# (traefik.portname): a TCP route's name is its entrypoint's, so it must fit whole.
PORT_NAME_MAX = 15
# The HorizontalPodAutoscaler the chart renders from `autoscaling` (templates/hpa.yaml).
HPA_API_VERSION = "autoscaling/v2"
# The TLSStore and TLSOption that apply to every router without its own are the ones named
# "default"; the chart names each object after its key in `tlsStore` / `tlsOptions`.
DEFAULT_TLS_NAME = "default"
# Traefik's own default minimum TLS version.
TLS_DEFAULT_MIN_VERSION = "VersionTLS12"
# An entrypoint redirect is a router on the entrypoint with this priority (math.MaxInt - 1):
# it outranks every route there, so a route on `web` alone is never reached once it redirects.
REDIRECT_ROUTER_PRIORITY = 2**63 - 2
# The rate-limit middleware's Redis store (spec.rateLimit.redis) exists since this Traefik release.
REDIS_STORE_SINCE = "v3.4.0"
# The keys Traefik reads from `spec.rateLimit.redis.secret`, in the Middleware's namespace.
REDIS_SECRET_KEYS = ("username", "password")
# The keys Traefik reads from a CA Secret (`redis.tls.caSecret`), the first found.
REDIS_CA_KEYS = ("tls.ca", "ca.crt")
# A limiter's bucket key: the middleware's qualified name, then the client. The CRD provider
# qualifies a Middleware as <namespace>-<name>@kubernetescrd, so copies of one limit in two
# namespaces keep two buckets, even in Redis.
RATE_LIMIT_BUCKET_KEY = "<namespace>-<middleware>@kubernetescrd:<client>"
# The rule of a TCP router that takes every connection on a non-TLS entrypoint.
TCP_CATCH_ALL = "HostSNI(`*`)"
# cert-manager's Certificate API.
CERT_MANAGER_API_VERSION = "cert-manager.io/v1"
# prometheus-operator's ServiceMonitor API.
MONITORING_API_VERSION = monitoring.API_VERSION

_REPO = "traefik/traefik-helm-chart"
_TAG = "v41.3.0"


def _chart(where: str, at: str = _TAG) -> Source:
    return Source(_REPO, where, at)


def _traefik(where: str) -> Source:
    # The pinned chart deploys v3.7.11; the newest v3.7 tag read is v3.7.9, and these files are
    # the same behaviour across the 3.7 line.
    return Source("traefik/traefik", where, "v3.7.9")


_VALUES = _chart("traefik/values.yaml")
_HELPERS = _chart("traefik/templates/_helpers.tpl")
_PODTEMPLATE = _chart("traefik/templates/_podtemplate.tpl")

FACTS: tuple[Fact, ...] = (
    Fact("CHART", "the chart's name (Chart.yaml `name`)", (_chart("traefik/Chart.yaml"),)),
    Fact(
        "CHART_REPO",
        "the chart's Helm repository (README: `helm repo add traefik ...`)",
        (_chart("README.md"),),
    ),
    Fact("CHART_VERSION", "the pinned chart version (Chart.yaml `version`)", (_chart("traefik/Chart.yaml"),)),
    Fact(
        "TRAEFIK_VERSION",
        "the Traefik release the pinned chart deploys (Chart.yaml `appVersion`; the chart accepts "
        "proxy v3.6.0 to v3.7.11 by its `traefik.io/proxy-*-version` annotations)",
        (_chart("traefik/Chart.yaml"),),
    ),
    Fact(
        "API_VERSION",
        "group and served, stored version of the IngressRoute and Middleware CRDs the chart installs",
        (
            _chart("traefik/crds/traefik.io_ingressroutes.yaml"),
            _chart("traefik/crds/traefik.io_middlewares.yaml"),
        ),
    ),
    Fact(
        "SCHEMA_ENFORCED_SINCE",
        "the chart major from which values.schema.json rejects unknown top-level keys "
        "(additionalProperties false; true in 38.0.2): a stale value name fails the install",
        (
            _chart("traefik/Changelog.md, 39.0.0 'feat(chart): enforce schema'", "v39.0.0"),
            _chart("traefik/values.schema.json", "v39.0.0"),
        ),
    ),
    Fact(
        "VALUE_RENAMES",
        "(chart major, old value name, the 41.x name the values use). 39: entrypoint HTTP options "
        "under `http` (PR #1603, 39.0.0 upgrade notes); 40: Service fields under `service.spec` "
        "(PR #1686, first in v40.0.0; the Changelog's 40.0.0 entry does not list it); 41: logging "
        "keys as upstream Traefik names them (PR #1887, 41.0.0 upgrade notes)",
        (
            _chart("traefik/Changelog.md, 39.0.0 Upgrade Notes; PR #1603", "v39.0.0"),
            _chart("traefik/values.yaml (service.spec.type); PR #1686", "v40.0.0"),
            _chart("traefik/Changelog.md, 41.0.0 Upgrade Notes; PR #1887", "v41.0.0"),
        ),
    ),
    Fact("WEB_ENTRYPOINT", "the chart's plain-HTTP entrypoint (`ports.web`)", (_VALUES,)),
    Fact(
        "WEBSECURE_ENTRYPOINT",
        "the chart's TLS entrypoint (`ports.websecure`, `http.tls.enabled: true` by default)",
        (_VALUES,),
    ),
    Fact("ENTRYPOINTS", "the entrypoints a route may name", (_VALUES,)),
    Fact("WEB_CONTAINER_PORT", "default `ports.web.port` (exposedPort 80)", (_VALUES,)),
    Fact("WEBSECURE_CONTAINER_PORT", "default `ports.websecure.port` (exposedPort 443)", (_VALUES,)),
    Fact(
        "INTERNAL_ENTRYPOINT",
        "the chart's internal entrypoint (`ports.traefik`, `expose.default: false`), the probes' port",
        (_VALUES, _PODTEMPLATE),
    ),
    Fact("INTERNAL_CONTAINER_PORT", "default `ports.traefik.port`", (_VALUES,)),
    Fact("METRICS_ENTRYPOINT", "the chart's metrics entrypoint (`ports.metrics`)", (_VALUES,)),
    Fact("METRICS_CONTAINER_PORT", "default `ports.metrics.port`", (_VALUES,)),
    Fact(
        "PING_PATH",
        "the probes' default path; the pod template always passes `--ping=true`",
        (_PODTEMPLATE,),
    ),
    Fact("RUN_AS_ID", "default `podSecurityContext.runAsUser` and `runAsGroup`", (_VALUES,)),
    Fact("NAME_LABEL", "first pod selector label (traefik.labelselector), value traefik.name", (_HELPERS,)),
    Fact(
        "INSTANCE_LABEL",
        "second pod selector label (traefik.labelselector), value traefik.instance-name",
        (_HELPERS,),
    ),
    Fact(
        "INSTANCE_NAME_MAX",
        'traefik.instance-name: `printf "%s-%s" .Release.Name <namespace> | trunc 63 | trimSuffix "-"` '
        "(the same form since chart 21 at least; chart 34 made the namespace honour namespaceOverride)",
        (_HELPERS, _chart("traefik/templates/_helpers.tpl", "v34.0.0")),
    ),
    Fact(
        "METRICS_PATH",
        "the path of Traefik's Prometheus metrics (the chart's `prometheus.io/path` pod annotation)",
        (_PODTEMPLATE,),
    ),
    Fact(
        "PORT_NAME_MAX",
        'traefik.portname: an entrypoint\'s container port name is `lower | trimPrefix "-" | trunc 15 | '
        'trimSuffix "-"` of its key in `ports`',
        (_HELPERS,),
    ),
    Fact(
        "HPA_API_VERSION",
        "the HorizontalPodAutoscaler the chart renders from `autoscaling` (enabled, minReplicas, "
        "maxReplicas, metrics, behavior); deployment.replicas is left out while it is enabled",
        (_chart("traefik/templates/hpa.yaml"), _chart("traefik/templates/deployment.yaml")),
    ),
    Fact(
        "DEFAULT_TLS_NAME",
        "the TLSStore and TLSOption that every router without its own uses (DefaultTLSStoreName, "
        "DefaultTLSConfigName); the chart names each object after its key in `tlsStore` / `tlsOptions`",
        (
            _traefik("pkg/tls/tlsmanager.go"),
            _chart("traefik/templates/tlsstore.yaml"),
            _chart("traefik/templates/tlsoption.yaml"),
        ),
    ),
    Fact(
        "TLS_DEFAULT_MIN_VERSION",
        "Traefik's default TLS minVersion; MinVersion accepts VersionTLS10 to VersionTLS13",
        (_traefik("pkg/tls/tlsmanager.go"), _traefik("pkg/tls/certificate.go")),
    ),
    Fact(
        "REDIRECT_ROUTER_PRIORITY",
        "RedirectEntryPoint.SetDefaults: scheme https, permanent, priority math.MaxInt - 1, so the "
        "redirect router outranks every route on the entrypoint",
        (_traefik("pkg/config/static/entrypoints.go"),),
    ),
    Fact(
        "REDIS_STORE_SINCE",
        "the Traefik release whose rate limiter gained a Redis store (redis_limiter.go; absent at "
        "v3.3.0); the pinned Traefik is newer",
        (Source("traefik/traefik", "pkg/middlewares/ratelimiter/redis_limiter.go", "v3.4.0"),),
    ),
    Fact(
        "REDIS_SECRET_KEYS",
        "loadRedisCredentials: the Secret named by `rateLimit.redis.secret`, in the Middleware's "
        "namespace, must hold both keys",
        (_traefik("pkg/provider/kubernetes/crd/kubernetes.go"),),
    ),
    Fact(
        "REDIS_CA_KEYS",
        "getCABlocks: the CA Secret (`rateLimit.redis.tls.caSecret`) is read from `tls.ca`, else `ca.crt`",
        (_traefik("pkg/provider/kubernetes/crd/kubernetes.go"),),
    ),
    Fact(
        "RATE_LIMIT_BUCKET_KEY",
        "rateLimiter.ServeHTTP keys a bucket on `<middleware name>:<source>`, the name being the "
        "qualified one (provider.GetQualifiedName); in memory each router builds its own limiter "
        "(traefik/traefik#13706), in Redis every router and replica shares the key",
        (
            _traefik("pkg/middlewares/ratelimiter/rate_limiter.go"),
            _traefik("pkg/server/middleware/middlewares.go"),
        ),
    ),
    Fact(
        "TCP_CATCH_ALL",
        "the catch-all rule of a TCP router on a non-TLS entrypoint",
        (_traefik("pkg/muxer/tcp/matcher.go"),),
    ),
    Fact(
        "CERT_MANAGER_API_VERSION",
        "group and version of the Certificate (spec.secretName, issuerRef {name, kind, group}, "
        "dnsNames, privateKey {algorithm, size, rotationPolicy})",
        (
            Source("cert-manager/cert-manager", "deploy/crds/cert-manager.io_certificates.yaml", "v1.21.1"),
            Source("cert-manager/cert-manager", "pkg/apis/certmanager/v1/types_certificate.go", "v1.21.1"),
        ),
    ),
    Fact(
        "MONITORING_API_VERSION",
        "group and version of the ServiceMonitor (spec.selector, spec.endpoints[].port/path/interval)",
        (
            Source(
                "prometheus-operator/prometheus-operator",
                "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
                "v0.93.0",
            ),
        ),
    ),
)
