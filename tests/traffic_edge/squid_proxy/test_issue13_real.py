"""Issue 13 on real Squid: tenant ports, the cache manager's password, and the egress canary.

Squid runs SquidProxy's own squid.conf (tenants, the canary's destination, the include of the
password file), started as the pod starts it (tests.support.squid_runtime, test_squid_real's
`running_conf`) inside a TestNet:

    proxy ns     198.18.0.1: Squid on :3128 (shared) and the tenants' ports; clients on 127.0.0.2
                 (and 198.18.0.1 for the canary, as a pod's address would be)
    upstream ns  198.18.0.2: the JSON echo on :80 and :443 (CONNECT target), an IP echo on :8081
                 that answers the address it was reached from

The canary's script is the planned CronJob's command, run with the planned environment (the
proxy URL pointed at Squid here), with dash and curl: a zone whose expected IPs hold Squid's
egress address (198.18.0.1, what the echo sees) succeeds, one whose do not fails.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support import netns
from tests.support.netns import PROXY_ADDR, UPSTREAM_ADDR, TestNet
from tests.support.squid_runtime import DEPLOYED, Runtime
from tests.traffic_edge.squid_proxy.test_squid_real import (
    ALLOWED_CLIENT,
    EXPECTED_WARNINGS,
    HOSTS,
    MANAGER_PASSWORD,
    RUNTIMES,
    Reply,
    Squid,
    _read_head,
    _serve,
    get,
    running_conf,
    squid_parse,
)
from traffic_edge.squid_proxy.manifests import manager_secret_data, manifests
from traffic_edge.squid_proxy.plan import SquidPlan, plan_squid_proxy
from traffic_edge.squid_proxy.squid_conf import render
from traffic_edge.squid_proxy.validate import validate_squid_proxy_args

pytestmark = pytest.mark.real

ECHO_PORT = 8081
ARGS: dict[str, Any] = {
    "namespace": "egress",
    "kubernetes_version": "1.33",
    "zones": ["a", "b"],
    "client_namespaces": ["apps"],
    "allowed_source_cidrs": [f"{ALLOWED_CLIENT}/32", f"{PROXY_ADDR}/32"],
    "allowed_domains": ["hooks.example.com"],
    "tenants": [
        {
            "name": "payments",
            "port": 3201,
            "client_namespaces": ["payments"],
            "allowed_domains": [".stripe.com"],
        },
        {
            "name": "partner",
            "port": 3202,
            "client_namespaces": ["partner"],
            "allowed_domains": ["hooks.partner.example"],
        },
    ],
    "canary": {
        "echo_url": f"http://checkip.example.net:{ECHO_PORT}/",
        # Zone a expects the address Squid leaves from here; zone b an address it never has.
        "expected_egress_ips": {"a": [PROXY_ADDR, "203.0.113.7"], "b": ["203.0.113.20"]},
    },
}


@pytest.fixture(scope="module", autouse=True)
def _requirements() -> None:
    reason = DEPLOYED.missing() or netns.available()
    if reason:
        pytest.skip(reason)
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")


class _IpEcho(BaseHTTPRequestHandler):
    """What an IP-echo service answers: the caller's address, as text."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = f"{self.client_address[0]}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def plan() -> SquidPlan:
    assert [p.render() for p in validate_squid_proxy_args(ARGS, "squid")] == []
    return plan_squid_proxy("squid", ARGS)


@pytest.fixture(scope="module")
def proxy(plan: SquidPlan) -> Iterator[tuple[TestNet, Squid]]:
    with TestNet("sq13") as net:
        net.add_loopback_address(net.proxy, f"{ALLOWED_CLIENT}/8")
        servers = [_serve(net, net.upstream, UPSTREAM_ADDR, port, f"upstream:{port}") for port in (80, 443)]
        with net.entered(net.upstream):
            echo = ThreadingHTTPServer((UPSTREAM_ADDR, ECHO_PORT), _IpEcho)
        echo.daemon_threads = True
        threading.Thread(target=echo.serve_forever, daemon=True).start()
        try:
            with running_conf(net, render(plan.conf)) as squid:
                yield net, squid
        finally:
            for server in [*servers, echo]:
                server.shutdown()
                server.server_close()


# ---------------------------------------------------------------- tenants


def _connect(net: TestNet, authority: str, port: int) -> int:
    with net.entered(net.proxy):
        sock = socket.create_connection(("127.0.0.1", port), timeout=15, source_address=(ALLOWED_CLIENT, 0))
    with sock:
        sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
        return int(_read_head(sock).split(b" ", 2)[1])


def test_the_tenant_ports_listen_as_planned(plan: SquidPlan) -> None:
    conf = render(plan.conf)
    assert "http_port 3201 name=tenant-payments" in conf.splitlines()
    assert "http_port 3202 name=tenant-partner" in conf.splitlines()


@pytest.mark.parametrize(
    ("port", "url", "status"),
    [
        (3201, "http://api.stripe.com/charge", 200),  # payments' own domain
        (3201, "http://hooks.partner.example/", 403),  # tenant B's domain, from tenant A's port
        (3201, "http://hooks.example.com/", 403),  # the shared allowlist is not the tenant's
        (3202, "http://hooks.partner.example/", 200),
        (3202, "http://api.stripe.com/", 403),
        (3128, "http://hooks.example.com/", 200),  # the shared port keeps the shared allowlist
        (3128, "http://api.stripe.com/", 403),  # ... and nothing of a tenant's
        (3201, "http://169.254.169.254/latest/meta-data/", 403),
    ],
)
def test_each_port_allows_only_its_own_allowlist(
    proxy: tuple[TestNet, Squid], port: int, url: str, status: int
) -> None:
    net, _ = proxy
    reply = get(net, url, port=port)
    assert reply.status == status, (port, url, reply.squid_error)
    host = url.split("/")[2]
    assert host in HOSTS or host.startswith("169.254."), "a 403 of a host that would have answered"


def test_connect_on_a_tenant_port_follows_its_tls_ports_and_domains(proxy: tuple[TestNet, Squid]) -> None:
    net, _ = proxy
    assert _connect(net, "api.stripe.com:443", 3201) == 200
    assert _connect(net, "api.stripe.com:8443", 3201) == 403
    assert _connect(net, "hooks.partner.example:443", 3201) == 403


# ---------------------------------------------------------------- the cache manager's password


def _manager(net: TestNet, page: str, password: str | None, source: str = "127.0.0.1") -> Reply:
    with net.entered(net.proxy):
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", 3128, timeout=15, source_address=(source, 0))
        conn.connect()
    try:
        headers = {"Host": "127.0.0.1:3128"}
        if password is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"exporter:{password}".encode()).decode()
        conn.request("GET", f"/squid-internal-mgr/{page}", headers=headers)
        resp = conn.getresponse()
        return Reply(resp.status, dict(resp.getheaders()), resp.read())
    finally:
        conn.close()


def test_the_cache_manager_needs_the_password(proxy: tuple[TestNet, Squid]) -> None:
    net, _ = proxy
    for page in ("counters", "info", "menu"):
        assert _manager(net, page, None).status == 401, page
        assert _manager(net, page, "wrong-password").status == 401, page
    reply = _manager(net, "counters", MANAGER_PASSWORD)
    assert reply.status == 200
    assert b"client_http.requests" in reply.body


def test_the_password_does_not_open_the_manager_to_other_clients(proxy: tuple[TestNet, Squid]) -> None:
    net, _ = proxy
    assert _manager(net, "counters", MANAGER_PASSWORD, source=ALLOWED_CLIENT).status == 403


def _exporter(plan: SquidPlan, password: str) -> tuple[list[str], dict[str, str], int]:
    """The planned sidecar's args and environment (the Secret's key resolved to `password`)."""
    deployment = next(m for m in manifests(plan) if m["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    exporter = next(c for c in pod["containers"] if c["name"] == "exporter")
    secret = manager_secret_data(password)
    env = {}
    for var in exporter["env"]:
        if "value" in var:
            env[var["name"]] = var["value"]
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            assert ref["name"] == "squid-cachemgr"
            env[var["name"]] = secret[ref["key"]]
    return list(exporter["args"]), env, int(pod["securityContext"]["runAsUser"])


def _scrape(net: TestNet, port: int) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                net.proxy,
                "curl",
                "-sf",
                "--max-time",
                "5",
                f"http://127.0.0.1:{port}/metrics",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0 and "squid_up" in done.stdout:
            return done.stdout
        time.sleep(0.3)
    raise AssertionError("the exporter never answered")


@pytest.mark.parametrize(("password", "up"), [(MANAGER_PASSWORD, "1"), ("not-the-secret", "0")])
def test_the_exporter_reads_the_manager_with_the_secrets_password(
    proxy: tuple[TestNet, Squid], plan: SquidPlan, password: str, up: str
) -> None:
    net, _ = proxy
    args, env, user = _exporter(plan, password)
    port = int(next(a for a in args if a.startswith("-listen=")).rsplit(":", 1)[1])
    proc = net.run(
        net.proxy,
        DEPLOYED.command([DEPLOYED.exporter, *args], user=user),
        env={"PATH": os.environ["PATH"], **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        metrics = _scrape(net, port)
        assert f'squid_up{{host="127.0.0.1"}} {up}' in metrics.splitlines()
    finally:
        proc.kill()
        proc.wait(timeout=10)


# ---------------------------------------------------------------- the egress canary


def _canary_run(
    net: TestNet, plan: SquidPlan, zone: str, **override: str
) -> subprocess.CompletedProcess[str]:
    """The planned CronJob's command and environment for `zone`, the proxy URL pointed at Squid here."""
    objs = manifests(plan)
    job = next(m for m in objs if m["kind"] == "CronJob" and m["metadata"]["name"] == f"squid-canary-{zone}")
    config = next(m for m in objs if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "squid-canary")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"topology.kubernetes.io/zone": zone}
    [container] = pod["containers"]
    env = {"PATH": os.environ["PATH"]}
    for var in container["env"]:
        if "value" in var:
            env[var["name"]] = var["value"]
        else:
            env[var["name"]] = config["data"][var["valueFrom"]["configMapKeyRef"]["key"]]
    assert env["PROXY_URL"] == "http://squid.egress.svc.cluster.local:3128"
    env["PROXY_URL"] = f"http://{PROXY_ADDR}:3128"  # the Service's address, here
    env.update(override)
    assert container["command"][:2] == ["sh", "-c"]
    argv = ["ip", "netns", "exec", net.proxy, "sh", "-c", container["command"][2]]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)


def test_the_canary_passes_when_the_zone_leaves_through_its_egress_ip(
    proxy: tuple[TestNet, Squid], plan: SquidPlan
) -> None:
    net, _ = proxy
    done = _canary_run(net, plan, "a")
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip()
        == f"canary zone=a: OK: egress address {PROXY_ADDR} is one of this zone's egress IPs"
    )


def test_the_canary_fails_when_the_zone_leaves_through_another_address(
    proxy: tuple[TestNet, Squid], plan: SquidPlan
) -> None:
    net, _ = proxy
    done = _canary_run(net, plan, "b")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"canary zone=b: FAIL: egress address '{PROXY_ADDR}' is not one of this zone's egress IPs (203.0.113.20)"
    )


def test_the_canary_fails_when_nothing_answers(proxy: tuple[TestNet, Squid], plan: SquidPlan) -> None:
    net, _ = proxy
    # A port the proxy does not open for the canary: Squid answers 403, so no address is seen.
    done = _canary_run(net, plan, "a", ECHO_URL=f"http://checkip.example.net:{ECHO_PORT + 1}/")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "curl: (22) The requested URL returned error: 403",  # curl's own line says why
        f"canary zone=a: FAIL: no answer from http://checkip.example.net:{ECHO_PORT + 1}/ through http://{PROXY_ADDR}:3128",
    ]


def test_only_the_canarys_echo_host_and_port_are_opened(proxy: tuple[TestNet, Squid]) -> None:
    net, _ = proxy
    assert get(net, f"http://checkip.example.net:{ECHO_PORT}/").status == 200
    assert get(net, "http://checkip.example.net/").status == 403  # port 80 is not the canary's
    assert get(net, f"http://checkip.example.net:{ECHO_PORT}/", port=3201).status == 403  # nor a tenant's


@pytest.mark.parametrize("runtime", RUNTIMES.values(), ids=RUNTIMES.keys())
def test_the_file_with_tenants_canary_and_password_passes_squid_parse(
    plan: SquidPlan, runtime: Runtime
) -> None:
    # The image's series and Debian 12's 5.7 (myportname, include and cachemgr_passwd are old).
    if runtime.missing():
        pytest.skip(str(runtime.missing()))
    assert set(squid_parse(render(plan.conf), runtime)) <= EXPECTED_WARNINGS
