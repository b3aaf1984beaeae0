"""traffic_edge.proxy_protocol_ingress.haproxy_cfg on its own: structure of the rendered text and exact validation errors.

Whether HAProxy accepts and runs these configs is test_haproxy_real.py; here the
properties that keep the client IP safe are pinned on the text, so a refactor that drops
one fails before anything runs.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from traffic_edge._shared.problems import ArgsError, Path
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import (
    DnsServers,
    HaproxyConfig,
    HealthCheck,
    Placement,
    Route,
    bind_port_problems,
    health_problems,
    render_haproxy_cfg,
    route_name_problems,
    validate_haproxy_config,
)

ROUTES = (Route("http", 80, 8080), Route("https", 443, 8443))
IN_CLUSTER = HaproxyConfig(ROUTES, DnsServers("pp-gateway.istio-system.svc.cluster.local"))
EXTERNAL = HaproxyConfig(
    (Route("http", 80, 30080), Route("https", 443, 30443)),
    ("10.20.0.11", "10.20.0.12", "fd00:20::13", "node4.dc1.internal"),
    placement=Placement.EXTERNAL,
    health=HealthCheck(inter_ms=1000, fall=2, rise=3),
    maxconn=5000,
)


def sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            current = line
            assert current not in out, f"section {current!r} twice"
            out[current] = []
        else:
            out[current].append(line.strip())
    return out


def test_in_cluster_routes_become_frontend_backend_pairs_with_proxy_v2_to_every_pod() -> None:
    s = sections(render_haproxy_cfg(IN_CLUSTER))
    assert s["frontend fe_http"] == ["bind :80", "default_backend be_http"]
    assert s["frontend fe_https"] == ["bind :443", "default_backend be_https"]
    for name, port in (("http", 8080), ("https", 8443)):
        assert s[f"backend be_{name}"] == [
            "balance leastconn",
            "default-server check inter 2000ms fall 3 rise 2 send-proxy-v2",
            f"server-template gw 1-10 pp-gateway.istio-system.svc.cluster.local:{port} "
            "resolvers cluster init-addr none",
        ]
    assert "resolvers cluster" in s
    assert s["global"][0] == "log stdout format raw local0"


def test_external_servers_static_with_dns_only_where_a_name_is_given() -> None:
    s = sections(render_haproxy_cfg(EXTERNAL))
    assert s["backend be_https"] == [
        "balance leastconn",
        "default-server check inter 1000ms fall 2 rise 3 send-proxy-v2",
        "server gw1 10.20.0.11:30443",
        "server gw2 10.20.0.12:30443",
        "server gw3 [fd00:20::13]:30443",
        "server gw4 node4.dc1.internal:30443 resolvers cluster init-addr libc,none",
    ]
    assert s["global"][:2] == ["log /dev/log local0", "maxconn 5000"]
    assert "maxconn 5000" in s["defaults"]


def test_no_resolvers_section_when_every_server_is_an_ip() -> None:
    text = render_haproxy_cfg(dataclasses.replace(EXTERNAL, servers=("10.20.0.11",)))
    assert "resolvers" not in text


def test_stats_is_its_own_http_frontend_public_only_in_the_pod() -> None:
    inside = sections(render_haproxy_cfg(IN_CLUSTER))["frontend stats"]
    outside = sections(render_haproxy_cfg(EXTERNAL))["frontend stats"]
    assert "bind :8404" in inside
    assert "bind 127.0.0.1:8404" in outside
    for lines in (inside, outside):
        assert "mode http" in lines
        assert "http-request use-service prometheus-exporter if { path /metrics }" in lines
        assert "stats uri /stats" in lines
    # The stats port is never a public frontend's port.
    binds = [
        ln
        for k, v in sections(render_haproxy_cfg(IN_CLUSTER)).items()
        if k.startswith("frontend fe_")
        for ln in v
        if ln.startswith("bind")
    ]
    assert all(not b.endswith(":8404") for b in binds)


def test_client_sent_proxy_headers_are_never_accepted_and_checks_carry_the_header() -> None:
    for cfg in (IN_CLUSTER, EXTERNAL):
        text = render_haproxy_cfg(cfg)
        assert "accept-proxy" not in text and "expect-proxy" not in text
        # `port`/`addr` on a server would send checks elsewhere without the PROXY header.
        server_lines = [
            ln for ln in text.splitlines() if ln.strip().startswith(("server ", "server-template "))
        ]
        assert server_lines
        assert not any(" port " in ln or " addr " in ln for ln in server_lines)
        # numTrustedProxies-style trust must not creep in through HTTP features either.
        assert "forwardfor" not in text


def test_failover_and_timeouts_in_defaults() -> None:
    d = sections(render_haproxy_cfg(IN_CLUSTER))["defaults"]
    assert d[:2] == ["mode tcp", "log global"]
    for line in (
        "retries 3",
        "option redispatch 1",
        "timeout connect 5s",
        "timeout client 60s",
        "timeout server 60s",
        "timeout check 3s",
    ):
        assert line in d


def test_every_problem_at_once_with_exact_messages() -> None:
    bad = HaproxyConfig(
        routes=(
            Route("HTTP", 80, 8080),
            Route("https", 0, 70000),
            Route("https", 80, 8443),
            Route("metrics", 8404, 9000),
            Route("this-name-is-too-long", 81, 1),
        ),
        servers=("10.0.0.1", "10.0.0.1", "not_a_host!"),
        health=HealthCheck(inter_ms=50, fall=0, rise=21),
        maxconn=0,
    )
    with pytest.raises(ArgsError) as err:
        render_haproxy_cfg(bad)
    name_rule = (
        "a port name: 1-15 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'"
    )
    assert str(err.value) == "\n".join(
        [
            "haproxy.cfg: 12 problems:",
            f"  1. routes[0].name: 'HTTP' is not allowed: {name_rule}",
            f"  2. routes[4].name: 'this-name-is-too-long' is not allowed: {name_rule}",
            "  3. routes[2].name: 'https' is not allowed: a port name listed once; it repeats routes[1].name",
            "  4. routes[1].bind_port: 0 is not allowed: an integer port from 1 to 65535",
            "  5. routes[3].bind_port: 8404 is not allowed: a port other than 8404: the stats port stays off "
            "the public side",
            "  6. routes[2].bind_port: 80 is not allowed: a port listed once; it repeats routes[0].bind_port",
            "  7. routes[1].server_port: 70000 is not allowed: an integer port from 1 to 65535",
            "  8. servers[2]: 'not_a_host!' is not allowed: an IP address or a lower-case DNS name",
            "  9. health.inter_ms: 50 is not allowed: an integer from 100 to 60000",
            "  10. health.fall: 0 is not allowed: an integer from 1 to 20",
            "  11. health.rise: 21 is not allowed: an integer from 1 to 20",
            "  12. maxconn: 0 is not allowed: an integer from 1 to 1000000",
        ]
    )


def test_repeated_servers_are_reported_once_the_addresses_are_valid() -> None:
    cfg = HaproxyConfig(ROUTES, ("10.0.0.1", "node1.dc1.internal", "10.0.0.1"))
    assert [p.render() for p in validate_haproxy_config(cfg)] == [
        "servers[2]: '10.0.0.1' is not allowed: an item listed once; it repeats servers[0]"
    ]


def test_empty_routes_and_servers_and_bad_dns_discovery() -> None:
    assert [p.render() for p in validate_haproxy_config(HaproxyConfig((), ()))] == [
        "routes: [] is not allowed: at least one route (public port)",
        "servers: [] is not allowed: at least one server address",
    ]
    bad = HaproxyConfig(ROUTES, DnsServers("Gateway.istio-system"))
    assert [p.render() for p in validate_haproxy_config(bad)] == [
        "servers.fqdn: 'Gateway.istio-system' is not allowed: a lower-case DNS name",
    ]


def test_rules_report_at_the_keys_their_caller_gives() -> None:
    # validate.py applies these to the args; the keys are the caller's, not the config's.
    ports = Path.of("ports")
    assert [
        p.render() for p in bind_port_problems([(443, ports / 0 / "port"), (443, ports / 1 / "port")])
    ] == ["ports[1].port: 443 is not allowed: a port listed once; it repeats ports[0].port"]
    assert [p.key for p in route_name_problems([("Web", ports / 0 / "name")])] == ["ports[0].name"]
    # Only the settings given are checked: a default is never reported as if it were written.
    assert [p.render() for p in health_problems({"rise": 0}, "health_check")] == [
        "health_check.rise: 0 is not allowed: an integer from 1 to 20"
    ]


@given(
    ports=st.lists(st.integers(1, 65535).filter(lambda p: p != 8404), min_size=1, max_size=6, unique=True),
    fall=st.integers(1, 20),
    rise=st.integers(1, 20),
)
def test_any_valid_port_set_renders_one_frontend_per_port(ports: list[int], fall: int, rise: int) -> None:
    routes = tuple(Route(f"p{p}", p, p) for p in ports)
    cfg = HaproxyConfig(routes, ("10.0.0.1",), health=HealthCheck(fall=fall, rise=rise))
    s = sections(render_haproxy_cfg(cfg))
    frontends = sorted(k for k in s if k.startswith("frontend fe_"))
    assert frontends == sorted(f"frontend fe_p{p}" for p in ports)
    for p in ports:
        assert s[f"frontend fe_p{p}"][0] == f"bind :{p}"
        assert (
            s[f"backend be_p{p}"][1]
            == f"default-server check inter 2000ms fall {fall} rise {rise} send-proxy-v2"
        )
        assert s[f"backend be_p{p}"][2] == f"server gw1 10.0.0.1:{p}"
