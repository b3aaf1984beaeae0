"""Debian's real squid runs the generated squid.conf inside a private test network and gets real traffic.

Layout (tests.support.netns.TestNet, no route out of 198.18.0.0/24):

    proxy ns:     squid on :3128, clients on 127.0.0.1 (localhost), 127.0.0.2 (allowed), 127.0.0.3 (not),
                  and a decoy HTTP server on 127.0.0.1:80 that must never be reached through the proxy
    upstream ns:  198.18.0.2: HTTP on :80, the same server on :443 (CONNECT target) and :8443

Allowlisted and look-alike names resolve to 198.18.0.2 through a squid `hosts_file`, so every
"403" below would have been a 200 had the rule been wrong: the refusal is Squid's ACL, not a
missing route. Only paths (logs, pid, hosts file) and, for the tests that run their own Squid next
to the shared one, the port are rewritten; the ACL and http_access lines are checked to be
byte-identical to the generated file.

The Squid is the default image's major.minor from a Debian root tree (tests.support.squid_runtime),
started with the Deployment's own command line (`squid --foreground -d 1 -f <conf>`) as uid 13.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import netns
from tests.support.netns import UPSTREAM_ADDR, TestNet
from tests.support.squid_runtime import DEPLOYED, HOST, POD_HOSTNAME, Runtime, Workdir, sandbox_only
from traffic_edge.squid_proxy.args import SquidConfArgs
from traffic_edge.squid_proxy.facts import SQUID_IMAGE, SQUID_VERSION
from traffic_edge.squid_proxy.manifests import manager_secret_data, manifests
from traffic_edge.squid_proxy.plan import MANAGER_PASSWORD_FILE, plan_squid_proxy
from traffic_edge.squid_proxy.squid_conf import render_squid_conf, validate_squid_conf_args

pytestmark = pytest.mark.real

PROXY_UID = 13  # Squid's `proxy` user in Debian and in ubuntu/squid: the pod runs as this uid

ALLOWED_CLIENT = "127.0.0.2"
OUTSIDE_CLIENT = "127.0.0.3"

TEST_ARGS: SquidConfArgs = {
    "allowed_source_cidrs": [f"{ALLOWED_CLIENT}/32", "10.0.0.0/16"],
    "allowed_domains": [".slack.com", "hooks.example.com"],
    "shutdown_lifetime_seconds": 4,
}

HOSTS = {
    "api.slack.com": UPSTREAM_ADDR,
    "hooks.example.com": UPSTREAM_ADDR,
    "evilslack.com": UPSTREAM_ADDR,
    "other.example.com": UPSTREAM_ADDR,
    "metadata.slack.com": "169.254.169.254",  # an allowlisted name pointing at cloud metadata
    "loop.slack.com": "127.0.0.1",  # ... or at the proxy pod's own loopback
    # tenants and the canary (test_issue13_real.py)
    "api.stripe.com": UPSTREAM_ADDR,
    "hooks.partner.example": UPSTREAM_ADDR,
    "checkip.example.net": UPSTREAM_ADDR,
}


def _skip_reason() -> str | None:
    return DEPLOYED.missing() or netns.available()


@pytest.fixture(scope="module", autouse=True)
def _requirements() -> None:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)


# ---------------------------------------------------------------- upstream test servers


class _Upstream(BaseHTTPRequestHandler):
    """Echoes what it received as JSON; /slow streams its body in 0.25 s chunks (8, or ?chunks=N)."""

    protocol_version = "HTTP/1.1"
    server_version = "upstream"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if "/slow" in self.path:
            count = int(self.path.rsplit("chunks=", 1)[1]) if "chunks=" in self.path else 8
            chunks = [f"chunk-{i}\n".encode() for i in range(count)]
            self.send_response(200)
            self.send_header("Content-Length", str(sum(map(len, chunks))))
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(0.25)
            return
        body = json.dumps(
            {"server": self.server.name, "path": self.path, "headers": dict(self.headers.items())}  # type: ignore[attr-defined]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(net: TestNet, ns: str, addr: str, port: int, name: str) -> ThreadingHTTPServer:
    with net.entered(ns):  # the listening socket is created (and stays) inside `ns`
        server = ThreadingHTTPServer((addr, port), _Upstream)
    server.daemon_threads = True
    server.name = name  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---------------------------------------------------------------- squid under test


def deployed() -> tuple[list[str], int]:
    """The planned Deployment's Squid container command and the pod's user."""
    proxy_args = {
        **TEST_ARGS,
        "namespace": "egress",
        "kubernetes_version": "1.33",
        "zones": ["a", "b"],
        "client_namespaces": ["apps"],
    }
    deployment = next(
        m
        for m in manifests(plan_squid_proxy("squid", proxy_args))
        if m["kind"] == "Deployment"  # type: ignore[arg-type]
    )
    pod = deployment["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "squid")
    return list(container["command"]), int(pod["securityContext"]["runAsUser"])


MANAGER_PASSWORD = "0123456789abcdef0123456789abcdef0123456789abcdef"
"""The tests' cache-manager password (the pod's comes from its Secret, drawn at first deploy)."""


def manager_include(workdir: Workdir, password: str = MANAGER_PASSWORD) -> str:
    """The Secret's `cachemgr.conf`, written where Squid can read it; its path as Squid sees it."""
    path = workdir.host / "cachemgr.conf"
    path.write_text(manager_secret_data(password)["cachemgr.conf"])
    os.chmod(path, 0o444)
    return workdir.inside("cachemgr.conf")


def for_test(conf: str, workdir: Workdir, port: int) -> str:
    """The generated file with its port and the paths a test must own rewritten, and a hosts file.

    The logs stay as generated (stdout and stderr): the test reads them where `kubectl logs` would.
    SquidProxy's include of the cache manager's password file points at the test's copy of it."""
    replace = {
        "http_port 3128": f"http_port {port}",
        "pid_filename /run/squid/squid.pid": f"pid_filename {workdir.inside('squid.pid')}",
        "coredump_dir /var/spool/squid": f"coredump_dir {workdir.inner}",
    }
    include = f"include {MANAGER_PASSWORD_FILE}"
    if include in conf.splitlines():
        replace[include] = f"include {manager_include(workdir)}"
    lines = [replace.get(line, line) for line in conf.splitlines()]
    assert all(conf.splitlines().count(line) == 1 for line in replace), "the generated paths moved"
    assert "access_log stdio:/dev/stdout" in lines and "cache_log /dev/stderr" in lines
    # Nothing answers DNS inside the namespace: names resolve only through the hosts file.
    lines += [f"hosts_file {workdir.inside('hosts')}", "dns_nameservers 127.0.0.1", ""]
    return "\n".join(lines)


def acl_lines(conf: str) -> list[str]:
    return [line for line in conf.splitlines() if line.startswith(("acl ", "http_access "))]


@dataclass
class Squid:
    net: TestNet
    conf: str  # its path as Squid sees it
    workdir: Workdir
    proc: subprocess.Popen[bytes]
    runtime: Runtime

    def access_log(self) -> str:
        """What the container's stdout carries: the access log."""
        return (self.workdir.host / "stdout").read_text(errors="replace")

    def cache_log(self) -> str:
        """What the container's stderr carries: cache.log (and `-d 1`'s copy of its important lines)."""
        return (self.workdir.host / "stderr").read_text(errors="replace")

    def signal(self, action: str) -> None:
        argv = self.runtime.command([self.runtime.squid, "-f", self.conf, "-k", action])
        done = subprocess.run(argv, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def _kids(squid: Squid) -> list[str]:
    """SMP kid roles (`--kid <role>`) of processes started with this squid's config."""
    roles = []
    for proc in Path("/proc").iterdir():
        try:
            # Kids rewrite their argv in place, so it is not reliably NUL-separated.
            argv = (proc / "cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue
        if b"--kid" in argv and squid.conf.encode() in argv:
            roles.append(argv[argv.index(b"--kid") + 1].decode())
    return roles


def _wait_listening(net: TestNet, port: int, proc: subprocess.Popen[bytes], workdir: Workdir) -> None:
    def logs() -> str:
        return "\n".join(
            p.read_text() for p in (workdir.host / "stderr", workdir.host / "stdout") if p.exists()
        )

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"squid exited with {proc.returncode}:\n{logs()}")
        with net.entered(net.proxy), socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0 and (workdir.host / "squid.pid").exists():
                return
        time.sleep(0.1)
    raise AssertionError(f"squid did not listen within 20 s:\n{logs()}")


def start(
    net: TestNet, runtime: Runtime, conf_text: str, workdir: Workdir, port: int
) -> tuple[str, subprocess.Popen[bytes]]:
    """Squid started as the pod starts it: the Deployment's command (its config path swapped for
    the test's), as the pod's uid, stdout and stderr owned by that uid as runc leaves them."""
    command, user = deployed()
    conf_in_pod = command[command.index("-f") + 1]
    conf = workdir.inside("squid.conf")
    (workdir.host / "squid.conf").write_text(conf_text)
    (workdir.host / "hosts").write_text("".join(f"{ip} {name}\n" for name, ip in HOSTS.items()))
    argv = [runtime.squid if command[0] == "squid" else command[0], *command[1:]]
    argv = runtime.command([conf if a == conf_in_pod else a for a in argv], user=user)
    with open(workdir.host / "stdout", "wb") as out, open(workdir.host / "stderr", "wb") as err:
        # runc gives PID 1's stdio to the container's user, so it can reopen /dev/stdout
        # (opencontainers/runc libcontainer/init_linux.go, fixStdioPermissions).
        for stream in (out, err):
            os.fchown(stream.fileno(), user, user)
        # start_new_session: its own process group, so teardown reaches the SMP kids too.
        proc = net.run(net.proxy, argv, stdout=out, stderr=err, start_new_session=True)
    _wait_listening(net, port, proc, workdir)
    return conf, proc


@contextlib.contextmanager
def running_squid(net: TestNet, args: SquidConfArgs, port: int = 3128) -> Iterator[Squid]:
    assert validate_squid_conf_args(args) == []
    with running_conf(net, render_squid_conf(args), port) as squid:
        yield squid


@contextlib.contextmanager
def running_conf(net: TestNet, generated: str, port: int = 3128) -> Iterator[Squid]:
    """Squid on a generated file (the generator's or SquidProxy's), as the pod starts it."""
    workdir = DEPLOYED.workdir("squid-test-", owner=PROXY_UID)
    proc: subprocess.Popen[bytes] | None = None
    try:
        text = for_test(generated, workdir, port)
        assert acl_lines(text) == acl_lines(generated)
        conf, proc = start(net, DEPLOYED, text, workdir, port)
        yield Squid(net, conf, workdir, proc, DEPLOYED)
    finally:
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        shutil.rmtree(workdir.host, ignore_errors=True)


@pytest.fixture(scope="module")
def net() -> Iterator[TestNet]:
    with TestNet("sq") as test_net:
        for addr in (ALLOWED_CLIENT, OUTSIDE_CLIENT):
            test_net.add_loopback_address(test_net.proxy, f"{addr}/8")
        servers = [
            _serve(test_net, test_net.upstream, UPSTREAM_ADDR, port, f"upstream:{port}")
            for port in (80, 443, 8443)
        ]
        servers.append(_serve(test_net, test_net.proxy, "127.0.0.1", 80, "decoy-loopback"))
        try:
            yield test_net
        finally:
            for server in servers:
                server.shutdown()
                server.server_close()


@pytest.fixture(scope="module")
def squid(net: TestNet) -> Iterator[Squid]:
    with running_squid(net, TEST_ARGS) as running:
        yield running


# ---------------------------------------------------------------- clients


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def squid_error(self) -> str:
        return self.headers.get("X-Squid-Error", "")


def get(
    net: TestNet, url: str, *, source: str = ALLOWED_CLIENT, host: str | None = None, port: int = 3128
) -> Reply:
    """A proxied GET (absolute-form target), sent from `source` inside the proxy namespace."""
    with net.entered(net.proxy):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
        conn.connect()  # lazily it would connect from the caller's namespace
    try:
        headers = {"Host": host} if host else {}
        conn.request("GET", url, headers=headers)
        resp = conn.getresponse()
        return Reply(resp.status, dict(resp.getheaders()), resp.read())
    finally:
        conn.close()


def connect(net: TestNet, authority: str, *, source: str = ALLOWED_CLIENT) -> tuple[int, bytes]:
    """CONNECT `authority`; when the tunnel opens, a plain HTTP GET goes through it. (status, tunnel reply)"""
    with net.entered(net.proxy):
        sock = socket.create_connection(("127.0.0.1", 3128), timeout=15, source_address=(source, 0))
    with sock:
        sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
        head = _read_head(sock)
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            return status, b""
        sock.sendall(b"GET /through-tunnel HTTP/1.1\r\nHost: api.slack.com\r\nConnection: close\r\n\r\n")
        return status, _read_all(sock)


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _json(reply: Reply) -> dict[str, object]:
    payload = json.loads(reply.body)
    assert isinstance(payload, dict)
    return payload


# ---------------------------------------------------------------- the cases from the issue


def test_allowlisted_domain_is_forwarded(net: TestNet, squid: Squid) -> None:
    reply = get(net, "http://api.slack.com/api/chat.postMessage")
    assert reply.status == 200
    assert _json(reply)["server"] == "upstream:80"
    assert _json(reply)["path"] == "/api/chat.postMessage"


def test_exact_host_entry_is_forwarded(net: TestNet, squid: Squid) -> None:
    assert get(net, "http://hooks.example.com/x").status == 200


def test_client_identity_and_proxy_version_do_not_leak_upstream(net: TestNet, squid: Squid) -> None:
    reply = get(net, "http://api.slack.com/echo")
    headers = {k.lower(): v for k, v in _json(reply)["headers"].items()}  # type: ignore[attr-defined]
    assert "x-forwarded-for" not in headers
    assert "via" not in headers
    assert ALLOWED_CLIENT not in json.dumps(headers)


@pytest.mark.parametrize(
    "url",
    [
        "http://other.example.com/",  # not allowlisted
        "http://evilslack.com/",  # only *ends* like .slack.com
        "http://slack.com.evil.example/",
        "http://198.18.0.2/",  # an IP literal is not a name on the allowlist
    ],
)
def test_other_destinations_are_refused(net: TestNet, squid: Squid, url: str) -> None:
    reply = get(net, url)
    assert (reply.status, reply.squid_error) == (403, "ERR_ACCESS_DENIED 0")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.slack.com/latest/meta-data/",  # allowlisted name resolving to metadata
        "http://loop.slack.com/",  # allowlisted name resolving to loopback (the decoy would answer 200)
    ],
)
def test_metadata_and_loopback_destinations_are_refused(net: TestNet, squid: Squid, url: str) -> None:
    reply = get(net, url)
    assert (reply.status, reply.squid_error) == (403, "ERR_ACCESS_DENIED 0")


def test_client_outside_allowed_sources_is_refused(net: TestNet, squid: Squid) -> None:
    assert get(net, "http://api.slack.com/", source=ALLOWED_CLIENT).status == 200
    reply = get(net, "http://api.slack.com/", source=OUTSIDE_CLIENT)
    assert (reply.status, reply.squid_error) == (403, "ERR_ACCESS_DENIED 0")


def test_localhost_is_not_a_general_client(net: TestNet, squid: Squid) -> None:
    # Loopback may read the cache manager, nothing else: a compromised sidecar is no way out.
    assert get(net, "http://api.slack.com/", source="127.0.0.1").status == 403


def test_connect_to_tls_port_opens_a_tunnel(net: TestNet, squid: Squid) -> None:
    status, tunneled = connect(net, "api.slack.com:443")
    assert status == 200
    assert b'"server": "upstream:443"' in tunneled
    assert b"/through-tunnel" in tunneled


@pytest.mark.parametrize(
    "authority", ["api.slack.com:8443", "api.slack.com:80", "evilslack.com:443", "169.254.169.254:443"]
)
def test_connect_elsewhere_is_refused(net: TestNet, squid: Squid, authority: str) -> None:
    assert connect(net, authority) == (403, b"")


def test_connect_from_outside_sources_is_refused(net: TestNet, squid: Squid) -> None:
    assert connect(net, "api.slack.com:443", source=OUTSIDE_CLIENT) == (403, b"")


def test_plain_http_to_a_non_http_port_is_refused(net: TestNet, squid: Squid) -> None:
    assert get(net, "http://api.slack.com:8443/").status == 403


def _manager(net: TestNet, source: str, page: str) -> Reply:
    # What squid-exporter v1.13 sends: an origin-form GET to Squid's own port, no proxying.
    return get(net, f"/squid-internal-mgr/{page}", source=source, host="127.0.0.1:3128")


def test_cache_manager_answers_localhost(net: TestNet, squid: Squid) -> None:
    counters = _manager(net, "127.0.0.1", "counters")
    assert counters.status == 200
    assert b"client_http.requests" in counters.body
    assert _manager(net, "127.0.0.1", "info").status == 200
    assert _manager(net, "127.0.0.1", "service_times").status == 200


def test_cache_manager_refuses_every_other_client(net: TestNet, squid: Squid) -> None:
    assert _manager(net, ALLOWED_CLIENT, "counters").status == 403
    assert _manager(net, OUTSIDE_CLIENT, "counters").status == 403


def test_error_pages_carry_no_version(net: TestNet, squid: Squid) -> None:
    version = re.search(r"Version (\S+)", squid.runtime.version())
    assert version is not None
    reply = get(net, "http://other.example.com/")
    assert reply.status == 403
    assert version.group(1).encode() not in reply.body
    assert version.group(1) not in json.dumps(reply.headers)
    # Nor the pod's name: Squid calls itself by visible_hostname.
    assert POD_HOSTNAME.encode() not in reply.body and POD_HOSTNAME not in json.dumps(reply.headers)
    assert b"egress-proxy" in reply.body


def test_access_log_keeps_traffic_but_not_scrapes_or_probes(net: TestNet, squid: Squid) -> None:
    marker = f"/marker-{time.monotonic_ns()}"
    _manager(net, "127.0.0.1", "counters")
    with net.entered(net.proxy), socket.create_connection(("127.0.0.1", 3128), timeout=5):
        pass  # what a TCP readiness/liveness probe does
    assert get(net, f"http://api.slack.com{marker}").status == 200
    deadline = time.monotonic() + 10
    while marker not in squid.access_log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = squid.access_log()
    assert marker in log
    # Localhost scrapes are silent; a refused manager request from elsewhere is worth a line.
    assert not [line for line in log.splitlines() if " 127.0.0.1 " in line and "squid-internal-mgr" in line]
    assert "transaction-end-before-headers" not in log


def test_in_flight_response_completes_across_shutdown(net: TestNet) -> None:
    # Its own squid: this one is shut down. A rollout runs preStop `squid -k shutdown`.
    with running_squid(net, TEST_ARGS, port=3129) as own:
        with net.entered(net.proxy):
            conn = http.client.HTTPConnection(
                "127.0.0.1", 3129, timeout=20, source_address=(ALLOWED_CLIENT, 0)
            )
            conn.connect()
        try:
            conn.request("GET", "http://api.slack.com/slow")
            resp = conn.getresponse()
            first = resp.read(8)  # the response is streaming: the upstream is mid-body
            own.signal("shutdown")
            # New connections are refused at once, so the Service stops sending traffic here ...
            deadline = time.monotonic() + 10
            refused = False
            while not refused and time.monotonic() < deadline:
                with net.entered(net.proxy), socket.socket() as s:
                    refused = s.connect_ex(("127.0.0.1", 3129)) != 0
                time.sleep(0.05)
            assert refused
            # ... while the request already in flight gets its whole body.
            body = first + resp.read()
            assert resp.status == 200
            assert body == b"".join(f"chunk-{i}\n".encode() for i in range(8))
        finally:
            conn.close()
        assert own.proc.wait(timeout=30) == 0


def test_squid_runs_as_uid_13_without_errors(squid: Squid) -> None:
    status = Path(f"/proc/{squid.proc.pid}/status").read_text()
    assert re.search(r"^Uid:\s+13\s+13\s+13\s+13$", status, re.M), status
    log = sandbox_only(squid.cache_log())
    assert "FATAL" not in log
    assert "ERROR" not in log
    assert "Bungled" not in log
    assert "pinger" not in log  # it would need CAP_NET_RAW, which the pod drops


# ---------------------------------------------------------------- every generated file parses

PARSE_CASES: dict[str, SquidConfArgs] = {
    "dev stack shape (Slack API hosts)": {
        "allowed_source_cidrs": ["10.0.0.0/16"],
        "allowed_domains": ["api.slack.com", "hooks.slack.com", "files.slack.com"],
    },
    "suffixes and destination networks": {
        "allowed_source_cidrs": ["10.0.0.0/16", "10.1.0.0/16", "fd00:10::/64"],
        "allowed_domains": [".slack.com", ".github.com", "hooks.example.com"],
        "allowed_destination_cidrs": ["203.0.113.0/24", "2001:db8::/32"],
    },
    "networks only": {
        "allowed_source_cidrs": ["10.0.0.0/8"],
        "allowed_destination_cidrs": ["203.0.113.7/32"],
    },
    "TLS only, extra TLS port": {
        "allowed_source_cidrs": ["10.0.0.0/16"],
        "allowed_domains": [".slack.com"],
        "http_ports": [],
        "tls_ports": [443, 8443],
    },
    "no CONNECT": {
        "allowed_source_cidrs": ["10.0.0.0/16"],
        "allowed_domains": [".slack.com"],
        "tls_ports": [],
    },
    "SMP and a long drain": {
        "allowed_source_cidrs": ["10.0.0.0/16"],
        "allowed_domains": [".slack.com"],
        "workers": 4,
        "shutdown_lifetime_seconds": 120,
    },
    "the real-traffic tests' args": TEST_ARGS,
}


def squid_parse(conf_text: str, runtime: Runtime = DEPLOYED) -> list[str]:
    """`squid -k parse` on the file as generated; returns its warnings, fails on any error."""
    workdir = runtime.workdir("squid-parse-")
    try:
        include = f"include {MANAGER_PASSWORD_FILE}"
        if include in conf_text.splitlines():  # SquidProxy's file: the Secret's copy is the test's
            conf_text = conf_text.replace(include, f"include {manager_include(workdir)}")
        (workdir.host / "squid.conf").write_text(conf_text)
        argv = runtime.command([runtime.squid, "-k", "parse", "-f", workdir.inside("squid.conf")])
        done = subprocess.run(argv, capture_output=True, text=True)
    finally:
        shutil.rmtree(workdir.host, ignore_errors=True)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert not [
        line
        for line in sandbox_only(output).splitlines()
        if "FATAL" in line or "ERROR" in line or "Bungled" in line
    ]
    return [line.split("| ", 1)[1] for line in output.splitlines() if "WARNING" in line]


# `via off` is deliberate (the Via header names the proxy host and Squid version to third parties);
# it is the one warning Squid prints about the generated files.
EXPECTED_WARNINGS = {"WARNING: HTTP requires the use of Via"}


RUNTIMES = {"image's squid": DEPLOYED, "debian 12's squid 5.7": HOST}


@pytest.mark.parametrize("runtime", RUNTIMES.values(), ids=RUNTIMES.keys())
@pytest.mark.parametrize("args", PARSE_CASES.values(), ids=PARSE_CASES.keys())
def test_generated_config_passes_squid_parse(args: SquidConfArgs, runtime: Runtime) -> None:
    # The image's Squid, and Debian 12's 5.7 as a compatibility row (the file avoids what 5.7 lacks).
    if runtime.missing():
        pytest.skip(str(runtime.missing()))
    assert validate_squid_conf_args(args) == []
    assert set(squid_parse(render_squid_conf(args), runtime)) <= EXPECTED_WARNINGS


def test_every_stacks_planned_squid_conf_passes_squid_parse() -> None:
    # Each stack planned offline by the real program; the file parsed is exactly what goes into
    # the ConfigMap (no `make plan` output needed).
    from tests.support.stacks import run_stack, stacks
    from traffic_edge.plan.writer import collect_configs

    checked = []
    for stack in stacks():
        for path, text in collect_configs(run_stack(stack)).items():
            if path.endswith("/squid.conf"):
                assert set(squid_parse(text)) <= EXPECTED_WARNINGS, f"{stack}: {path}"
                checked.append(f"{stack}/{path}")
    assert {c.split("/")[0] for c in checked} >= {"dev", "aws-prod"}, checked


def test_parse_catches_what_squid_5_7_lacks() -> None:
    # Guards the guard: a config using to_linklocal (predefined only from 5.8) must fail here.
    broken = render_squid_conf(TEST_ARGS).replace(
        "http_access deny denied_dst", "http_access deny to_linklocal"
    )
    if HOST.missing():
        pytest.skip(str(HOST.missing()))
    with pytest.raises(AssertionError):
        squid_parse(broken, HOST)


def test_smp_workers_serve_traffic_and_the_manager(net: TestNet) -> None:
    # The pod starts `squid-gnutls --foreground` (kids are forked), not the images' `-N` (which ignores workers).
    args: SquidConfArgs = {**TEST_ARGS, "workers": 2}
    with running_squid(net, args, port=3130) as smp:
        reply = get(net, "http://api.slack.com/smp", port=3130)
        assert reply.status == 200
        info = get(net, "/squid-internal-mgr/info", source="127.0.0.1", host="127.0.0.1:3130", port=3130)
        assert info.status == 200
        assert sorted(_kids(smp)) == ["squid-1", "squid-2", "squid-coord-3"]


def _counter(net: TestNet, name: str) -> float:
    page = _manager(net, "127.0.0.1", "counters").body.decode()
    return float(next(line.split("=")[1] for line in page.splitlines() if line.startswith(f"{name} =")))


def test_denied_requests_show_in_the_counter_the_dashboard_charts(net: TestNet, squid: Squid) -> None:
    # The dashboard's "errors and denied" panel relies on Squid counting a 403 as a client error.
    before = _counter(net, "client_http.errors")
    assert get(net, "http://evilslack.com/").status == 403
    assert _counter(net, "client_http.errors") == before + 1


def test_the_kubelets_pre_stop_sleep_then_sigterm_drains_in_flight_work(net: TestNet) -> None:
    """What the kubelet does with the planned pod on 1.30+: the preStop sleep action, then SIGTERM to
    PID 1 (Squid). New connections are refused at once; the response in flight completes; Squid
    exits 0 within the pod's terminationGracePeriodSeconds."""
    proxy_args = {**TEST_ARGS, "namespace": "egress", "kubernetes_version": "1.33", "zones": ["a", "b"]}
    deployment = next(
        m
        for m in manifests(plan_squid_proxy("squid", {**proxy_args, "client_namespaces": ["apps"]}))  # type: ignore[arg-type]
        if m["kind"] == "Deployment"
    )
    pod = deployment["spec"]["template"]["spec"]
    pre_stop = next(c for c in pod["containers"] if c["name"] == "squid")["lifecycle"]["preStop"]
    assert set(pre_stop) == {"sleep"}
    with running_squid(net, TEST_ARGS, port=3131) as own:
        with net.entered(net.proxy):
            conn = http.client.HTTPConnection(
                "127.0.0.1", 3131, timeout=30, source_address=(ALLOWED_CLIENT, 0)
            )
            conn.connect()
        try:
            # 40 chunks: ~10 s, so the response is still streaming after the sleep and the SIGTERM.
            conn.request("GET", "http://api.slack.com/slow?chunks=40")
            resp = conn.getresponse()
            time.sleep(pre_stop["sleep"]["seconds"])
            terminated = time.monotonic()
            os.kill(own.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            refused = False
            while not refused and time.monotonic() < deadline:
                with net.entered(net.proxy), socket.socket() as s:
                    refused = s.connect_ex(("127.0.0.1", 3131)) != 0
                time.sleep(0.05)
            assert refused, "Squid kept accepting after SIGTERM"
            body = resp.read()
            assert resp.status == 200
            assert body == b"".join(f"chunk-{i}\n".encode() for i in range(40))
        finally:
            conn.close()
        assert own.proc.wait(timeout=pod["terminationGracePeriodSeconds"]) == 0
        assert (
            time.monotonic() - terminated
            < pod["terminationGracePeriodSeconds"] - pre_stop["sleep"]["seconds"]
        )


def test_the_deployed_command_line_sends_both_logs_to_the_container_output(net: TestNet) -> None:
    """`kubectl logs` shows what the pod's Squid writes to its stdout and stderr. The dev stack's
    planned Deployment command, as its uid, with the planned squid.conf; only the port and the pid and
    core paths are rewritten (the test's port, and directories a test may write)."""
    from tests.support.stacks import run_stack

    rec = run_stack("dev")
    deployment = rec.get("kubernetes:apps/v1:Deployment", "squid-deployment").inputs
    pod = deployment["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "squid")
    assert container["command"] == deployed()[0]
    conf = rec.get("kubernetes:core/v1:ConfigMap", "squid-config").inputs["data"]["squid.conf"]
    workdir = DEPLOYED.workdir("squid-deployed-", owner=pod["securityContext"]["runAsUser"])
    port = 3132
    proc = None
    try:
        _, proc = start(net, DEPLOYED, for_test(conf, workdir, port), workdir, port)
        assert get(net, "http://198.18.0.99/not-allowed", port=port).status == 403
        deadline = time.monotonic() + 10
        while b"TCP_DENIED/403" not in (workdir.host / "stdout").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert b"TCP_DENIED/403" in (workdir.host / "stdout").read_bytes(), "no access log line on stdout"
        stderr = (workdir.host / "stderr").read_bytes()
        assert b"Accepting HTTP Socket connections" in stderr, "no cache.log on stderr"
    finally:
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        shutil.rmtree(workdir.host, ignore_errors=True)


def test_the_real_squid_is_the_default_images_release() -> None:
    """The tests prove the Squid the pod runs: the same series as the default image's release.

    Squid numbers its releases <series>.<release> (7.1, 7.2, ... are releases of Squid 7, with no
    patch level); Debian ships 7.7, the default image 7.2 (no Debian suite carries 7.2)."""
    major, _ = DEPLOYED.major_minor()
    assert str(major) == SQUID_VERSION.split(".")[0], (DEPLOYED.version(), SQUID_VERSION)
    assert re.search(rf":{re.escape(SQUID_VERSION)}-", SQUID_IMAGE), (SQUID_IMAGE, SQUID_VERSION)
