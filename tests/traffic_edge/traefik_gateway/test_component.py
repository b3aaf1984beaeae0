"""TraefikGateway on the offline engine: what the engine would receive for each arg."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pulumi

from traffic_edge._shared.problems import ArgsError
from traffic_edge.plan.engine import Recording, Resource
from traffic_edge.plan.kube_schema import validate_manifest
from traffic_edge.traefik_gateway.component import TraefikGateway

RELEASE = "kubernetes:helm.sh/v3:Release"
INGRESS_ROUTE = "kubernetes:traefik.io/v1alpha1:IngressRoute"
MIDDLEWARE = "kubernetes:traefik.io/v1alpha1:Middleware"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
COMPONENT = "traffic-edge:index:TraefikGateway"

# What the dev stack runs: two example routes and a rate limit, behind the HAProxy edge.
DEV: dict[str, Any] = {
    "namespace": "edge",
    "proxy_protocol": True,
    "trusted_cidrs": ["10.244.0.0/16"],
    "trusted_pods": {"namespace": "edge", "match_labels": {"app.kubernetes.io/name": "haproxy"}},
    "rate_limits": [{"name": "per-client", "average": 20, "period_seconds": 1, "burst": 40}],
    "routes": [
        {
            "name": "whoami",
            "host": "whoami.dev.example.com",
            "service": "whoami",
            "port": 80,
            "middlewares": ["per-client"],
        },
        {
            "name": "api",
            "host": "api.dev.example.com",
            "path_prefix": "/v1",
            "service": "api",
            "port": 8080,
            "namespace": "apps",
            "middlewares": ["per-client"],
        },
    ],
}

Record = Callable[..., Recording]


def gateway(record: Record, args: dict[str, Any], **kwargs: Any) -> Recording:
    def program() -> None:
        g = TraefikGateway("edge", args)  # type: ignore[arg-type]
        pulumi.export("serviceName", g.service_name)
        pulumi.export("namespace", g.namespace)
        pulumi.export("ingressClass", g.ingress_class)
        pulumi.export("entrypoints", g.entrypoints)
        pulumi.export("routes", g.routes)

    return record(program, **kwargs)


def release(rec: Recording) -> Resource:
    (res,) = rec.by_type(RELEASE)
    return res


def values(rec: Recording) -> dict[str, Any]:
    v: dict[str, Any] = release(rec).inputs["values"]
    return v


def test_release_installs_the_pinned_chart(record: Record) -> None:
    rec = gateway(record, DEV)
    inputs = release(rec).inputs
    assert inputs["chart"] == "traefik"
    assert inputs["version"] == "41.3.0"
    assert inputs["repositoryOpts"] == {"repo": "https://traefik.github.io/charts"}
    assert inputs["name"] == "edge-traefik"
    assert inputs["namespace"] == "edge"
    assert inputs["allowNullValues"] is True
    assert inputs["atomic"] is True
    assert inputs["cleanupOnFail"] is True


def test_children_are_parented_and_named_after_the_component(record: Record) -> None:
    rec = gateway(record, DEV)
    (component,) = rec.by_type(COMPONENT)
    children = rec.children_of(component.urn)
    assert sorted((c.type, c.name) for c in children) == [
        (RELEASE, "edge-release"),
        (NETWORK_POLICY, "edge-edge-only"),
        (INGRESS_ROUTE, "edge-api"),
        (INGRESS_ROUTE, "edge-whoami"),
        (MIDDLEWARE, "edge-per-client-apps"),
        (MIDDLEWARE, "edge-per-client-edge"),
    ]
    # Nothing escapes the component: every resource but the stack and the component is its child.
    assert len(rec.resources) == 2 + len(children)


def test_custom_objects_wait_for_the_chart_and_routes_for_their_middlewares(record: Record) -> None:
    rec = gateway(record, DEV)
    rel = release(rec).urn
    middlewares = {m.urn for m in rec.by_type(MIDDLEWARE)}
    for mw in rec.by_type(MIDDLEWARE):
        assert mw.depends_on == [rel]
    for route in rec.by_type(INGRESS_ROUTE):
        assert set(route.depends_on) == {rel, *middlewares}
    # The policy must exist before the pods: it does not wait for the release.
    assert rec.get(NETWORK_POLICY, "edge-edge-only").depends_on == []


def test_recorded_values_carry_the_proxy_trust(record: Record) -> None:
    ports = values(gateway(record, DEV))["ports"]
    assert ports["web"]["proxyProtocol"] == {"trustedIPs": ["10.244.0.0/16"], "insecure": False}
    assert ports["web"]["forwardedHeaders"] == {"trustedIPs": ["10.244.0.0/16"], "insecure": False}
    # null survives to the engine, so Helm drops the chart's default websecure entrypoint.
    assert ports["websecure"] is None


def test_recorded_values_follow_every_arg(record: Record) -> None:
    args = copy.deepcopy(DEV)
    args.update(
        replicas=4,
        web_port=8081,
        websecure=True,
        websecure_port=8443,
        kubernetes_ingress=True,
        dashboard=False,
        service_type="LoadBalancer",
        zone_spread="DoNotSchedule",
        resources={"cpu_request": "200m", "memory_request": "192Mi", "memory_limit": "384Mi"},
    )
    v = values(gateway(record, args))
    assert v["deployment"]["replicas"] == 4
    assert v["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    assert v["podDisruptionBudget"] == {"enabled": True, "maxUnavailable": 1}
    assert v["deployment"]["readinessPath"] == v["deployment"]["livenessPath"] == "/ping"
    assert v["ports"]["web"]["exposedPort"] == 8081
    assert v["ports"]["websecure"]["exposedPort"] == 8443
    assert v["ports"]["websecure"]["http"] == {"tls": {"enabled": True}}
    assert v["ports"]["websecure"]["proxyProtocol"] == {"trustedIPs": ["10.244.0.0/16"], "insecure": False}
    assert v["providers"]["kubernetesIngress"]["enabled"] is True
    assert v["providers"]["kubernetesCRD"]["namespaces"] == ["edge", "apps"]
    assert v["api"]["dashboard"] is False
    assert v["service"]["spec"] == {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}
    assert v["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert v["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"
    assert v["resources"] == {"requests": {"cpu": "200m", "memory": "192Mi"}, "limits": {"memory": "384Mi"}}
    assert v["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert v["accessLog"] == {"enabled": True, "format": "json"}


def test_rate_limit_middleware_reaches_the_engine(record: Record) -> None:
    rec = gateway(record, DEV)
    mw = rec.get(MIDDLEWARE, "edge-per-client-apps").inputs
    assert mw["metadata"]["namespace"] == "apps"
    assert mw["spec"] == {"rateLimit": {"average": 20, "period": "1s", "burst": 40}}
    route = rec.get(INGRESS_ROUTE, "edge-api").inputs
    assert route["metadata"]["namespace"] == "apps"
    assert route["spec"]["routes"][0]["middlewares"] == [{"name": "edge-per-client"}]
    assert route["spec"]["routes"][0]["match"] == "Host(`api.dev.example.com`) && PathPrefix(`/v1`)"


def test_recorded_objects_are_valid_for_the_cluster(record: Record) -> None:
    rec = gateway(record, DEV)
    manifests = rec.manifests()
    assert sorted(m["kind"] for m in manifests) == [
        "IngressRoute",
        "IngressRoute",
        "Middleware",
        "Middleware",
        "NetworkPolicy",
    ]
    for manifest in manifests:
        assert validate_manifest(manifest, "1.33") == [], manifest["metadata"]["name"]


def test_without_a_trusted_edge_there_is_no_policy_and_no_proxy_protocol(record: Record) -> None:
    rec = gateway(record, {"namespace": "edge"})
    assert rec.by_type(NETWORK_POLICY) == []
    assert rec.by_type(INGRESS_ROUTE) == []
    assert "proxyProtocol" not in values(rec)["ports"]["web"]


def test_outputs(record: Record) -> None:
    rec = gateway(record, DEV, preview=False)
    assert rec.outputs["serviceName"] == "edge-traefik"
    assert rec.outputs["namespace"] == "edge"
    assert rec.outputs["ingressClass"] == "edge-traefik"
    assert rec.outputs["entrypoints"] == {"web": 80}
    assert [r["name"] for r in rec.outputs["routes"]] == ["whoami", "api"]
    assert rec.outputs["routes"][0] == {
        "name": "whoami",
        "namespace": "edge",
        "rule": "Host(`whoami.dev.example.com`)",
        "service": "whoami:80",
        "entrypoints": ["web"],
        "middlewares": ["per-client"],
    }


def test_bad_args_fail_before_anything_is_registered(record: Record) -> None:
    errors: list[ArgsError] = []

    def program() -> None:
        try:
            TraefikGateway("edge", {"namespace": "edge", "proxy_protocol": True, "replicas": 1})
        except ArgsError as err:
            errors.append(err)

    rec = record(program)
    assert [r.type for r in rec.resources] == ["pulumi:pulumi:Stack"]
    (err,) = errors
    assert str(err) == (
        "TraefikGateway 'edge': 2 problems:\n"
        "  1. replicas: 1 is not allowed: an integer of at least 2: one pod must stay ready through a rolling "
        "update or a node drain\n"
        "  2. trusted_cidrs is required: the HAProxy edge networks whose PROXY header Traefik believes "
        "(proxy_protocol is on)"
    )


def test_dashboard_objects_are_named_per_namespace_and_wait_for_the_release(record: Record) -> None:
    args = copy.deepcopy(DEV)
    args.update(
        websecure=True,
        dashboard_route={
            "host": "traefik.dev.example.com",
            "basic_auth_secret": "dashboard-users",
            "allow_from": ["198.51.100.7"],
        },
    )
    rec = gateway(record, args)
    assert sorted(m.name for m in rec.by_type(MIDDLEWARE)) == [
        "edge-dashboard-allow-edge",
        "edge-dashboard-auth-edge",
        "edge-per-client-apps",
        "edge-per-client-edge",
    ]
    dash = rec.get(INGRESS_ROUTE, "edge-dashboard")
    assert set(dash.depends_on) == {release(rec).urn, *(m.urn for m in rec.by_type(MIDDLEWARE))}
    assert dash.inputs["spec"]["entryPoints"] == ["websecure"]


def test_a_misspelled_arg_is_one_problem_naming_the_key_meant(record: Record) -> None:
    errors: list[ArgsError] = []

    def program() -> None:
        try:
            TraefikGateway(
                "edge", {"namespace": "edge", "proxy_protocol": True, "trusted_cidr": ["10.0.0.0/8"]}
            )  # type: ignore[typeddict-unknown-key]
        except ArgsError as err:
            errors.append(err)

    rec = record(program)
    assert [r.type for r in rec.resources] == ["pulumi:pulumi:Stack"]
    (err,) = errors
    assert str(err) == (
        "TraefikGateway 'edge': 1 problem:\n  1. trusted_cidr is not a known key: did you mean trusted_cidrs?"
    )


def test_every_new_feature_reaches_the_engine(record: Record) -> None:
    from tests.traffic_edge.traefik_gateway.cases import FULL

    rec = gateway(record, FULL)
    by_type = sorted(
        (r.type, r.name) for r in rec.resources if r.type.startswith("kubernetes:") and r.type != RELEASE
    )
    assert [
        t for t in by_type if "IngressRouteTCP" in t[0] or "Certificate" in t[0] or "ServiceMonitor" in t[0]
    ] == [
        ("kubernetes:cert-manager.io/v1:Certificate", "edge-default-cert"),
        ("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "edge-metrics"),
        ("kubernetes:traefik.io/v1alpha1:IngressRouteTCP", "edge-postgres"),
        ("kubernetes:traefik.io/v1alpha1:IngressRouteTCP", "edge-smtp"),
    ]
    release = rec.get(RELEASE, "edge-release")
    for tcp in ("edge-postgres", "edge-smtp"):
        assert release.urn in rec.get("kubernetes:traefik.io/v1alpha1:IngressRouteTCP", tcp).depends_on
    values = release.inputs["values"]
    assert values["autoscaling"]["maxReplicas"] == 8
    assert values["tlsStore"]["default"]["defaultCertificate"]["secretName"] == "edge-default-tls"
    assert rec.get("kubernetes:core/v1:Service", "edge-traefik-metrics").parent is not None
    assert rec.outputs["entrypoints"] == {"web": 80, "websecure": 443, "postgres": 5432, "smtp": 25}
    assert any("kept in Redis" in w for w in rec.warnings)
