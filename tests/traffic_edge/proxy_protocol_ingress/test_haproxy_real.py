"""Debian's real HAProxy running the generated haproxy.cfg in front of PROXY-v2 test receivers.

Topology (tests.support.netns.TestNet, no route out of 198.18.0.0/24):

    proxy ns:    client (binds 127.0.0.5) -> HAProxy fe :80/:443 on loopback
                 HAProxy -> 198.18.0.2 / 198.18.0.3 over the veth, with send-proxy-v2
    upstream ns: ProxyReceiver on 198.18.0.2:8080/8443 (and .3) standing in for the gateway

The config is the one the component generates for its in-cluster placement, with only the
servers rewritten from the gateway's headless-Service DNS name to the receivers' addresses;
the public ports stay as generated because the namespace is private.

Every test starts HAProxy exactly as the planned Deployment does (`as_planned`): its `command` +
`args`, as its `runAsUser`/`runAsGroup`, with its pod sysctl, and only the config path rewritten
(the ConfigMap's mount point is not writable here). The version test prints the binary's version: the default image must run the same
major.minor.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import http.client
import io
import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import netns
from tests.support.netns import TestNet
from tests.support.proxy_protocol import ProxyReceiver, build_v2
from tests.traffic_edge.proxy_protocol_ingress.seeds import EXTERNAL_ARGS, IN_CLUSTER_ARGS
from traffic_edge.proxy_protocol_ingress import facts, manifests
from traffic_edge.proxy_protocol_ingress.haproxy_cfg import HaproxyConfig, render_haproxy_cfg
from traffic_edge.proxy_protocol_ingress.plan import haproxy_config, plan_proxy_protocol_ingress

pytestmark = [
    pytest.mark.real,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed"),
    pytest.mark.skipif(netns.available() is not None, reason=str(netns.available())),
]

RX1, RX2 = "198.18.0.2", "198.18.0.3"
CLIENT = "127.0.0.5"

# Warnings that only say the private namespace has no DNS: expected, because the config
# starts without DNS on purpose (`init-addr none` / `libc,none`).
_ENVIRONMENT_WARNINGS = re.compile(r"can't connect socket for nameserver|could not resolve address")


def generated(args: dict[str, object], servers: tuple[str, ...]) -> HaproxyConfig:
    """The component's config with servers rewritten to the receivers.

    maxconn is lowered only when this machine's descriptor limit is below what HAProxy
    needs for it (two per connection): HAProxy refuses to start otherwise, and a pod or a
    systemd unit gets a far higher limit.
    """
    cfg = haproxy_config(args)  # type: ignore[arg-type]
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    fits = cfg.maxconn if hard == resource.RLIM_INFINITY else min(cfg.maxconn, (hard - 1000) // 2)
    return dataclasses.replace(cfg, servers=servers, maxconn=fits)


def haproxy_check(net: TestNet, text: str, tmp_path: Path) -> tuple[int, list[str]]:
    path = tmp_path / "haproxy.cfg"
    path.write_text(text)
    proc = subprocess.run(
        ["ip", "netns", "exec", net.proxy, "haproxy", "-c", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    warnings = [ln for ln in proc.stderr.splitlines() if "[WARNING]" in ln or "[ALERT]" in ln]
    return proc.returncode, [w for w in warnings if not _ENVIRONMENT_WARNINGS.search(w)]


@pytest.fixture
def net() -> Iterator[TestNet]:
    with TestNet("hap") as n:
        n.add_upstream_address(f"{RX2}/24")
        yield n


@pytest.mark.parametrize(
    "cfg",
    [
        pytest.param(haproxy_config(IN_CLUSTER_ARGS), id="in-cluster-dns"),  # type: ignore[arg-type]
        pytest.param(haproxy_config(EXTERNAL_ARGS), id="external-nodes"),  # type: ignore[arg-type]
        pytest.param(
            dataclasses.replace(
                haproxy_config(EXTERNAL_ARGS),  # type: ignore[arg-type]
                servers=("fd00:20::11", "node2.dc1.internal"),
            ),
            id="ipv6-and-hostname-servers",
        ),
    ],
)
def test_every_generated_config_passes_haproxy_check(
    net: TestNet, tmp_path: Path, cfg: HaproxyConfig
) -> None:
    rc, warnings = haproxy_check(net, render_haproxy_cfg(cfg), tmp_path)
    assert rc == 0
    assert warnings == []


def test_haproxy_check_rejects_a_broken_config(net: TestNet, tmp_path: Path) -> None:
    # Guards the check above against passing vacuously (wrong binary, wrong path).
    text = render_haproxy_cfg(haproxy_config(IN_CLUSTER_ARGS)).replace("send-proxy-v2", "send-proxy-v3")  # type: ignore[arg-type]
    rc, warnings = haproxy_check(net, text, tmp_path)
    assert rc != 0
    assert any("send-proxy-v3" in w for w in warnings)


# --- running HAProxy --------------------------------------------------------------------


@contextlib.contextmanager
def running(net: TestNet, cfg: HaproxyConfig) -> Iterator[subprocess.Popen[bytes]]:
    """HAProxy serving `cfg`, started as the planned in-cluster pod starts it (`as_planned`)."""
    with as_planned(net, _planned_pod(IN_CLUSTER_ARGS)[0], cfg) as (proc, _):
        yield proc


def stats(net: TestNet, cfg: HaproxyConfig) -> dict[tuple[str, str], dict[str, str]]:
    """HAProxy's CSV stats from the private stats frontend, keyed by (proxy, server)."""
    with net.entered(net.proxy):
        conn = http.client.HTTPConnection("127.0.0.1", cfg.stats_port, timeout=5)
        try:
            conn.request("GET", "/stats;csv")
            body = conn.getresponse().read().decode()
        finally:
            conn.close()
    rows = csv.DictReader(io.StringIO(body.lstrip("# ")))
    return {(r["pxname"], r["svname"]): r for r in rows}


def wait_for(predicate: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def connect_as(net: TestNet, port: int, payload: bytes = b"", source: str = CLIENT) -> bytes:
    """Connect from `source` to HAProxy's frontend; return what the receiver answered."""
    with net.entered(net.proxy):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    with sock:
        sock.sendall(payload)
        answer = b""
        want = len(payload)
        while b"\n" not in answer or len(answer.split(b"\n", 1)[1]) < want:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


@contextlib.contextmanager
def receivers(
    net: TestNet, *hosts: str, ports: tuple[int, ...]
) -> Iterator[dict[tuple[str, int], ProxyReceiver]]:
    with net.entered(net.upstream):
        rxs = {(h, p): ProxyReceiver(h, p, name=f"{h}:{p}") for h in hosts for p in ports}
    for rx in rxs.values():
        rx.start()
    try:
        yield rxs
    finally:
        for rx in rxs.values():
            with contextlib.suppress(OSError):
                rx.stop()


def all_up(net: TestNet, cfg: HaproxyConfig, n: int) -> bool:
    rows = stats(net, cfg)
    return (
        sum(
            1
            for (px, sv), r in rows.items()
            if px.startswith("be_") and sv.startswith("gw") and r["status"] == "UP"
        )
        == n
    )


def test_client_address_survives_the_hop(net: TestNet, tmp_path: Path) -> None:
    cfg = generated(IN_CLUSTER_ARGS, (RX1,))
    with receivers(net, RX1, ports=(8080, 8443)) as rxs, running(net, cfg):
        wait_for(lambda: all_up(net, cfg, 2), "both backends UP")
        for public, target in ((80, 8080), (443, 8443)):
            answer = connect_as(net, public, b"hello")
            line, rest = answer.split(b"\n", 1)
            command, client = line.decode().split(" ")
            assert command == "PROXY"
            assert client.rsplit(":", 1)[0] == CLIENT
            assert rest == b"hello"
            proxied = [s for s in rxs[(RX1, target)].seen if s.header and s.header.command == "PROXY"]
            assert len(proxied) == 1
            h = proxied[0].header
            assert h is not None
            assert (h.version, h.family, h.src, h.dst, h.dport) == (2, "INET", CLIENT, "127.0.0.1", public)
            assert h.sport == int(client.rsplit(":", 1)[1])
            # The TCP peer really is HAProxy: without the header the gateway would log this.
            assert proxied[0].peer[0] == netns.PROXY_ADDR


def test_health_checks_arrive_as_v2_local_and_are_accepted(net: TestNet, tmp_path: Path) -> None:
    cfg = generated(IN_CLUSTER_ARGS, (RX1,))
    with receivers(net, RX1, ports=(8080, 8443)) as rxs, running(net, cfg):
        wait_for(lambda: all_up(net, cfg, 2), "both backends UP")
        for rx in rxs.values():
            checks = rx.seen
            assert checks, "no health check reached the receiver"
            assert all(s.error is None for s in checks)  # every check had a complete, valid header
            assert {(s.header.version, s.header.command, s.header.family) for s in checks if s.header} == {
                (2, "LOCAL", "UNSPEC")
            }
            # LOCAL means "use the real peer": the receiver attributes checks to HAProxy itself.
            assert {s.client for s in checks} == {netns.PROXY_ADDR}


def test_forged_proxy_header_from_a_client_is_only_payload(net: TestNet, tmp_path: Path) -> None:
    cfg = generated(IN_CLUSTER_ARGS, (RX1,))
    forged = build_v2("203.0.113.66", "127.0.0.1", 4444, 443)
    with receivers(net, RX1, ports=(8080, 8443)) as rxs, running(net, cfg):
        wait_for(lambda: all_up(net, cfg, 2), "both backends UP")
        answer = connect_as(net, 443, forged + b"GET / HTTP/1.1\r\n\r\n")
        for v1 in (b"PROXY TCP4 203.0.113.67 127.0.0.1 4445 80\r\n",):
            answer_v1 = connect_as(net, 80, v1)
    line, rest = answer.split(b"\n", 1)
    assert line.decode().startswith(f"PROXY {CLIENT}:")
    assert rest == forged + b"GET / HTTP/1.1\r\n\r\n"  # handed on untouched, after HAProxy's header
    assert answer_v1.split(b"\n", 1)[0].decode().startswith(f"PROXY {CLIENT}:")
    sources = {
        s.header.src for rx in rxs.values() for s in rx.seen if s.header and s.header.command == "PROXY"
    }
    assert sources == {CLIENT}


def test_stopping_one_gateway_loses_no_new_connection(net: TestNet, tmp_path: Path) -> None:
    """Receiver 2 dies; count failed connections between its death and HAProxy marking it DOWN.

    The detection window is `fall` failed checks `inter` apart. The bound on connections
    lost inside it follows from the config: a connect refused by the dead server is retried
    (`retries 3`) and with `option redispatch 1` each retry goes to another server, so the
    bound is 0 — provided connections did hit the dead server, which the redispatch counter
    proves (otherwise the test would pass vacuously).
    """
    cfg = generated(IN_CLUSTER_ARGS, (RX1, RX2))

    with receivers(net, RX1, RX2, ports=(8443,)) as rxs, running(net, cfg):
        wait_for(lambda: all_up(net, cfg, 2), "both servers UP")
        results: list[tuple[float, bool]] = []
        stop = threading.Event()

        def client() -> None:
            while not stop.is_set():
                # Keyed by start time: a connection already queued on the receiver when it
                # dies is an open connection lost, not a new one refused.
                started = time.monotonic()
                try:
                    ok = connect_as(net, 443, b"x").startswith(f"PROXY {CLIENT}:".encode())
                except OSError:
                    ok = False
                results.append((started, ok))

        workers = [threading.Thread(target=client) for _ in range(4)]
        for w in workers:
            w.start()
        try:
            wait_for(lambda: len(results) > 200, "traffic before the stop")
            assert int(stats(net, cfg)[("be_https", "gw2")]["stot"]) > 0  # it had its share
            rxs[(RX2, 8443)].stop()
            died = time.monotonic()  # from here on every connect to it is refused
            wait_for(lambda: stats(net, cfg)[("be_https", "gw2")]["status"].startswith("DOWN"), "gw2 DOWN")
            marked_down = time.monotonic()
            dead = stats(net, cfg)[("be_https", "gw2")]
            seen_at_down = len(results)
            wait_for(lambda: len(results) > seen_at_down + 200, "traffic after DOWN")
            dead_later = stats(net, cfg)[("be_https", "gw2")]
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=30)
    in_window = [ok for t, ok in results if died <= t <= marked_down]
    after = [ok for t, ok in results if t > marked_down]
    print(
        f"\ndetection window {marked_down - died:.2f}s (inter {cfg.health.inter_ms}ms x fall "
        f"{cfg.health.fall}): {len(in_window)} new connections, {in_window.count(False)} failed, "
        f"{dead['wredis']} redispatched from the dead server; after DOWN: {len(after)}, "
        f"{after.count(False)} failed"
    )
    assert int(dead["chkfail"]) == cfg.health.fall  # DOWN by `fall` failed checks, not by traffic
    assert int(dead["chkdown"]) == 1
    assert int(dead["wredis"]) > 0
    assert len(in_window) > 0
    assert in_window.count(False) == 0
    assert after and after.count(False) == 0
    # Once DOWN, nothing more is even attempted on it.
    assert dead_later["wredis"] == dead["wredis"]


# --- the planned container, as the pod runs it -----------------------------------------------


def real_version() -> str:
    """`X.Y.Z` of the haproxy binary these tests run (Debian's package suffix dropped)."""
    first = subprocess.run(["haproxy", "-v"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"HAProxy version (\d+\.\d+\.\d+)", first)
    assert found, first
    return found.group(1)


def image_branch(image: str) -> str:
    """The major.minor an image tag names (``haproxy:2.6`` or ``haproxy:2.6.31-bookworm``)."""
    found = re.fullmatch(r".*:(\d+\.\d+)(\.\d+)?(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?", image)
    assert found, image
    return found.group(1)


def test_the_default_image_runs_the_haproxy_branch_these_tests_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    version = real_version()
    with capsys.disabled():
        print(f"\nreal haproxy: HAProxy version {version}")
    assert image_branch(facts.HAPROXY_IMAGE) == version.rsplit(".", 1)[0], (
        f"the default image {facts.HAPROXY_IMAGE} is not the {version} branch the real tests ran"
    )


def _planned_pod(args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The planned HAProxy pod spec and the ConfigMap's haproxy.cfg."""
    plan = plan_proxy_protocol_ingress("edge", args)
    cfg_text = render_haproxy_cfg(plan.haproxy)
    objs = {m["kind"]: m for m in manifests.haproxy_manifests(plan, cfg_text)}
    return objs["Deployment"]["spec"]["template"]["spec"], objs["ConfigMap"]["data"]["haproxy.cfg"]


@contextlib.contextmanager
def as_planned(
    net: TestNet, pod: dict[str, Any], cfg: HaproxyConfig
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """HAProxy started with the container's command + args as the pod's user, stdout and stderr
    captured as the container runtime does; yields the process and the captured output's file."""
    (container,) = pod["containers"]
    security = pod["securityContext"]
    workdir = Path(tempfile.mkdtemp(prefix="haproxy-pod-"))
    workdir.chmod(0o755)  # the pod's user reads the config, as from the ConfigMap volume
    planned_cfg = f"{facts.HAPROXY_CONFIG_DIR}/haproxy.cfg"
    (workdir / "haproxy.cfg").write_text(render_haproxy_cfg(cfg))
    (workdir / "haproxy.cfg").chmod(0o644)
    argv = [*container["command"], *container["args"]]
    assert argv.count(planned_cfg) == 1
    argv[argv.index(planned_cfg)] = str(workdir / "haproxy.cfg")  # the only rewritten path
    for sysctl in security["sysctls"]:  # per network namespace, like the pod's
        net.check_output(net.proxy, ["sysctl", "-w", f"{sysctl['name']}={sysctl['value']}"])
    user, group = security["runAsUser"], security["runAsGroup"]
    log = (workdir / "stdout").open("wb")
    os.fchown(log.fileno(), user, group)
    proc = net.run(
        net.proxy,
        ["setpriv", f"--reuid={user}", f"--regid={group}", "--clear-groups", *argv],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                stats(net, cfg)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((workdir / "stdout").read_text()) from None
                time.sleep(0.1)
        yield proc, workdir / "stdout"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _ids(master: int) -> list[tuple[int, int]]:
    """Real uid and gid of process `master` and of its children, from /proc."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(ln.split(":", 1) for ln in status.read_text().splitlines() if ":" in ln)
        except OSError:
            continue  # gone meanwhile
        if status.parent.name == str(master) or fields["PPid"].strip() == str(master):
            out.append((int(fields["Uid"].split()[0]), int(fields["Gid"].split()[0])))
    return out


def test_the_planned_container_command_runs_as_its_user_and_logs_to_stdout(net: TestNet) -> None:
    pod, cfg_text = _planned_pod(IN_CLUSTER_ARGS)
    cfg = generated(IN_CLUSTER_ARGS, (RX1,))
    # The ConfigMap holds exactly the config the rewritten one comes from.
    assert cfg_text == render_haproxy_cfg(haproxy_config(IN_CLUSTER_ARGS))
    line = re.compile(rf"^{re.escape(CLIENT)}:\d+ \[[^]]+\] fe_https be_https/gw1 ", re.MULTILINE)
    with receivers(net, RX1, ports=(8080, 8443)) as rxs, as_planned(net, pod, cfg) as (proc, out):
        wait_for(lambda: all_up(net, cfg, 2), "both backends UP")
        assert connect_as(net, 443, b"hello").startswith(f"PROXY {CLIENT}:".encode())
        seen = [s.header.src for s in rxs[(RX1, 8443)].seen if s.header and s.header.command == "PROXY"]
        assert seen == [CLIENT]
        # The master and its worker, both as the pod's user.
        ids = _ids(proc.pid)
        # The connection's tcplog line, on the process's stdout (what `kubectl logs` shows).
        wait_for(lambda: line.search(out.read_text()), "the connection's log line on stdout")
    user, group = pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]
    assert len(ids) == 2
    assert set(ids) == {(user, group)}, ids
