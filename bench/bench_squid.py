"""The generated squid.conf against its floors, in one run: Squid with a minimal config, no proxy, workers.

Everything runs inside a tests.support.netns.TestNet, so nothing can leave the machine:

    proxy ns:     Squid on :3128 as uid 13, started as the pod starts it (`squid --foreground -d 1`, so
                  the master forks its kids), one config at a time; tinyproxy on :8888; the load
                  generators
    upstream ns:  HAProxy answering HTTP 200 itself on 198.18.0.2:80 and :443 (plain HTTP: the CONNECT target)

Targets, in alternating rounds (the order rotates every round) so drift hits each equally:

- squid, generated config (workers 1): dev's planned squid.conf (bench/planned.py) with only its
  paths and shutdown_lifetime rewritten; the load comes from an address of its allowed_src ACL
  (put on the proxy namespace's loopback), so the allowlist is the planned one, unchanged;
- squid, minimal allow-all config (workers 1): same binary, port and user, `http_access allow all`,
  no access log, no cache; the difference is the cost of the allowlist, the denies and the logs;
- squid, generated config with `workers 2` (Squid SMP: two workers and a coordinator; aws-prod plans 2);
- tinyproxy, as the EC2 boxes ran it (the legacy row), and no proxy (the physical limit).

Each Squid config is started for its round and stopped after it, so every config gets the same
fresh process, port and warm-up. Two workloads per round: plain HTTP with keep-alive (wrk, with
absolute-form targets as `HTTP_PROXY` clients send) and CONNECT tunnels (curl --parallel, one new
tunnel per request). Then a diagnosis of tinyproxy's per-request stall (bench/tinyproxy_stall.py).

Per target: req/s, p50/p99 latency, errors and CPU seconds per 10k requests of all the proxy's
processes (utime+stime from /proc). Ratios are per round (bench/stats.py). Targets (issue 15):
generated >= 0.9x the minimal config's req/s on both workloads; the legacy target of issue 3,
generated >= 1.5x tinyproxy's req/s, is kept.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from bench import squid_report, tinyproxy_stall
from bench.nsfiles import etc_files, pod_nofile
from bench.output import Result
from bench.planned import planned_configs, rewrite, the_file
from bench.proxyload import (
    HOST,
    PROXY_UID,
    WARMUP_SECONDS,
    Sample,
    Target,
    group_stats,
    started,
    tunnel_round,
    wrk_round,
)
from bench.settings import pick
from bench.stats import rotated
from tests.support import netns
from tests.support.netns import UPSTREAM_ADDR, TestNet
from tests.support.squid_runtime import DEPLOYED, Runtime, Workdir
from tests.support.squid_runtime import HOST as THIS_MACHINE

ROUNDS = 5
"""Rounds in a full run (3 in a quick one)."""
SQUID_PORT = 3128
TINYPROXY_PORT = 8888

UPSTREAM_CFG = f"""global
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind {UPSTREAM_ADDR}:80
    bind {UPSTREAM_ADDR}:443
    http-request return status 200 content-type text/plain string "hello from upstream"
"""

MINIMAL_SQUID = """http_port {port}
workers 1
http_access allow all
cache deny all
access_log none
cache_log {workdir}/cache.log
pid_filename {workdir}/squid.pid
coredump_dir {workdir}
pinger_enable off
shutdown_lifetime 1 seconds
hosts_file {workdir}/hosts
dns_nameservers 127.0.0.1
"""
"""Squid's defaults but for what it cannot run without here (paths, names, the pinger) and no cache."""

TINYPROXY_CFG = """Port {port}
Listen 127.0.0.1
Timeout 600
MaxClients 256
Allow 127.0.0.0/8
ConnectPort 443
DisableViaHeader Yes
Filter "{workdir}/filter"
FilterType ere
FilterDefaultDeny Yes
LogFile "{workdir}/tinyproxy{port}.log"
LogLevel {loglevel}
PidFile "{workdir}/tinyproxy{port}.pid"
"""


# ---------------------------------------------------------------- configs


def client_address(planned: str) -> str:
    """The first host of the planned allowed_src ACL's first CIDR: the load generator's address."""
    m = re.search(r"^acl allowed_src src (\S+)", planned, re.M)
    if m is None:
        raise RuntimeError("the planned squid.conf has no `acl allowed_src src` line")
    return str(next(ipaddress.ip_network(m.group(1)).hosts()))


MOUNTED = {"cachemgr.conf": "cachemgr_passwd bench-only-not-a-secret all\n"}
"""What the pod mounts where the planned squid.conf includes it (by file name): the bench's stand-ins."""


def _included(text: str, workdir: str | Path) -> str:
    """`include /etc/squid/...` lines (a pod's mounted Secrets) pointed at the stand-ins in `workdir`."""

    def local(m: re.Match[str]) -> str:
        name = Path(m.group(1)).name
        if name not in MOUNTED:
            raise RuntimeError(f"the planned squid.conf includes {m.group(1)}: the bench has no stand-in")
        return f"include {workdir}/{name}"

    return re.sub(r"^include (/\S+)$", local, text, flags=re.M)


def squid_conf_for_bench(planned: str, workdir: str | Path, workers: int = 1) -> str:
    """The planned file with its paths rewritten (a pod's /dev/stdout, /run/squid and mounted
    Secrets), a 1 s shutdown_lifetime (each round stops its Squid), `workers` set, and names from a
    hosts file."""
    text = rewrite(
        planned,
        {
            "access_log stdio:/dev/stdout": f"access_log stdio:{workdir}/access.log",
            "cache_log /dev/stderr": f"cache_log {workdir}/cache.log",
            "pid_filename /run/squid/squid.pid": f"pid_filename {workdir}/squid.pid",
            "coredump_dir /var/spool/squid": f"coredump_dir {workdir}",
        },
    )
    text = re.sub(
        r"^shutdown_lifetime \d+ seconds$", "shutdown_lifetime 1 seconds", text, count=1, flags=re.M
    )
    text, n = re.subn(r"^workers \d+$", f"workers {workers}", text, count=1, flags=re.M)
    if n != 1:
        raise RuntimeError("the planned squid.conf has no `workers` line")
    return _included(text, workdir) + f"hosts_file {workdir}/hosts\ndns_nameservers 127.0.0.1\n"


def targets(workdir: str | Path, planned: str) -> list[Target]:
    """Every target; `workdir` is the directory as Squid sees it (inside the Squid root tree)."""
    squid = f"{client_address(planned)}:{SQUID_PORT}"
    return [
        Target("direct", "no proxy", None),
        Target("generated", "squid, generated config", squid, squid_conf_for_bench(planned, workdir)),
        Target(
            "minimal",
            "squid, minimal allow-all config",
            squid,
            MINIMAL_SQUID.format(port=SQUID_PORT, workdir=workdir),
        ),
        Target(
            "workers2",
            "squid, generated config, workers 2",
            squid,
            squid_conf_for_bench(planned, workdir, 2),
        ),
        Target("tinyproxy", "tinyproxy (legacy)", f"127.0.0.1:{TINYPROXY_PORT}"),
    ]


def squid_files(workdir: Path) -> None:
    """The files a Squid of the bench reads besides its config: its hosts file and the mounted ones."""
    (workdir / "hosts").write_text(f"{UPSTREAM_ADDR} {HOST}\n")
    for name, text in MOUNTED.items():
        (workdir / name).write_text(text)


def prepare(workdir: Path) -> Path:
    """The files every process reads, owned by the proxy user; returns wrk's request script."""
    os.chmod(workdir, 0o755)
    squid_files(workdir)
    for port, level in ((TINYPROXY_PORT, "Info"), (tinyproxy_stall.QUIET_PORT, "Critical")):
        text = TINYPROXY_CFG.format(port=port, workdir=workdir, loglevel=level)
        (workdir / f"tinyproxy{port}.conf").write_text(text)
    (workdir / "filter").write_text(r"(^|\.)slack\.com$" + "\n")
    (workdir / "upstream.cfg").write_text(UPSTREAM_CFG)
    script = workdir / "proxy.lua"
    script.write_text(f'wrk.path = "http://{HOST}/"\nwrk.headers["Host"] = "{HOST}"\n')
    for path in [workdir, *workdir.iterdir()]:
        os.chown(path, PROXY_UID, PROXY_UID)
    return script


SERVICE = f"bench{os.getpid()}"
"""Squid's service name (-n): its SMP shared memory and IPC sockets get names no other Squid uses."""


@contextmanager
def squid_running(net: TestNet, target: Target, workdir: Workdir, runtime: Runtime) -> Iterator[None]:
    """`target`'s Squid config running in `runtime` (the pod's Squid from the root tree, or this
    machine's) as uid 13, from the round's start to its end."""
    assert target.squid_conf is not None
    name = f"squid-{target.key}.conf"
    conf = workdir.host / name
    conf.write_text(target.squid_conf)
    os.chown(conf, PROXY_UID, PROXY_UID)
    squid = [runtime.squid, "-n", SERVICE, "--foreground", "-d", "1", "-f", workdir.inside(name)]
    argv = runtime.command(squid, user=PROXY_UID)
    ipc = [Path("/dev/shm"), Path("/run/squid")]
    if runtime.root is not None:
        ipc.append(runtime.root / "run" / "squid")  # its /dev/shm is a tmpfs of its own, gone at exit
    try:
        with _said_why(workdir), started(net, net.proxy, argv, SQUID_PORT, target.name) as proc:
            target.pgid = proc.pid
            try:
                yield
            finally:
                target.pgid = None
    finally:
        for leftover in [p for d in ipc for p in d.glob(f"{SERVICE}-*")]:
            leftover.unlink(missing_ok=True)  # what a killed SMP Squid leaves behind


@contextmanager
def _said_why(workdir: Workdir) -> Iterator[None]:
    """A Squid that would not start says why: the end of its cache.log goes with the error."""
    try:
        yield
    except RuntimeError as err:
        log = workdir.host / "cache.log"
        tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
        raise RuntimeError("\n".join([str(err), *tail])) from err


def _status(net: TestNet, proxy: str, url: str) -> str:
    argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", f"http://{proxy}", url]
    return net.check_output(net.proxy, argv, timeout=30)


def sanity(net: TestNet, target: Target) -> None:
    """The proxy forwards the allowlisted host (and refuses another, unless allow-all), or nothing counts."""
    if target.proxy is None:
        return
    ok = _status(net, target.proxy, f"http://{HOST}/")
    denied = "403" if target.key == "minimal" else _status(net, target.proxy, "http://example.org/")
    if ok != "200" or denied not in ("403", "407"):
        raise RuntimeError(f"{target.name}: allowlisted -> {ok}, other host -> {denied}")


# ---------------------------------------------------------------- the run


def hosts_file(own_name: bool = True) -> str:
    """The proxy namespace's /etc/hosts: like a pod's, it names this host, unless `own_name` is off."""
    name = f" {socket.gethostname()}" if own_name else ""
    return f"127.0.0.1 localhost{name}\n{UPSTREAM_ADDR} {HOST}\n"


def resolver_files(net: TestNet) -> AbstractContextManager[Path]:
    """tinyproxy resolves with the C library: `ip netns exec` gives every process of the proxy
    namespace these files. The hosts file names this host, as a pod's names the pod: Squid looks
    its own name up, on every request when it does not resolve (see `unresolvable_hostname`)."""
    return etc_files(net.proxy, {"hosts": hosts_file(), "resolv.conf": "nameserver 127.0.0.1\n"})


def one_round(
    net: TestNet, ts: list[Target], i: int, workdir: Workdir, runtime: Runtime, script: Path
) -> None:
    """Every target once, in an order rotated by the round; each Squid config freshly started."""
    for target in rotated(ts, i):
        with squid_running(net, target, workdir, runtime) if target.squid_conf else nullcontext():
            sanity(net, target)
            if target.proxy:
                wrk_round(net, target, script, WARMUP_SECONDS)  # warm-up, not counted
            if target.pgid is not None:
                target.processes = max(target.processes, len(group_stats(target.pgid)))
            target.samples["http"].append(wrk_round(net, target, script))
            target.samples["connect"].append(tunnel_round(net, target))


VISIBLE_HOSTNAME = re.compile(r"^visible_hostname .*\n", re.M)
"""The generated config's own `visible_hostname` line: removed for the before-row."""


def unresolvable_hostname(net: TestNet, planned: str, script: Path) -> dict[str, Sample]:
    """Plain-HTTP rounds of the generated config without its `visible_hostname` line, and as
    generated, while the host's own name does not resolve (a hosts file without it): the
    before/after of that setting.
    On this machine's Squid (`THIS_MACHINE`): the root tree's start writes an /etc/hosts naming the host,
    as the kubelet does in a pod, so there the name always resolves."""
    hosts = Path("/etc/netns") / net.proxy / "hosts"
    hosts.write_text(hosts_file(own_name=False))  # bind-mounted: every process sees the change
    workdir = THIS_MACHINE.workdir("bench-squid-host-", owner=PROXY_UID)
    squid_files(workdir.host)
    found = {}
    try:
        generated = squid_conf_for_bench(planned, workdir.inner)
        without = VISIBLE_HOSTNAME.sub("", generated)
        assert without != generated, "the generated squid.conf no longer sets visible_hostname"
        proxy = f"{client_address(planned)}:{SQUID_PORT}"
        for key, text in (("without", without), ("generated", generated)):
            target = Target(key, key, proxy, text)
            with squid_running(net, target, workdir, THIS_MACHINE):
                wrk_round(net, target, script, WARMUP_SECONDS)
                found[key] = wrk_round(net, target, script)
    finally:
        hosts.write_text(hosts_file())
        shutil.rmtree(workdir.host, ignore_errors=True)
    return found


def runtime() -> Runtime:
    """The pod's Squid (the root tree `make test` builds) when it is there, else this machine's."""
    return DEPLOYED if DEPLOYED.missing() is None else THIS_MACHINE


def versions(squid: Runtime) -> str:
    tiny = subprocess.run(["tinyproxy", "-v"], capture_output=True, text=True).stdout.splitlines()[0].strip()
    where = "the pod's series, from the root tree" if squid.root is not None else "this machine's"
    return f"{squid.version()} ({where}) / {tiny}"


def measure(
    planned: str, squid: Runtime
) -> tuple[list[Target], tinyproxy_stall.Diagnosis, dict[str, Sample]]:
    pod_nofile()
    workdir = squid.workdir("bench-squid-", owner=PROXY_UID)
    try:
        script = prepare(workdir.host)
        ts = targets(workdir.inner, planned)
        with TestNet("bsq") as net, resolver_files(net):
            net.add_loopback_address(net.proxy, f"{client_address(planned)}/32")
            haproxy = ["haproxy", "-f", str(workdir.host / "upstream.cfg")]
            with (
                started(net, net.upstream, haproxy, 80, "haproxy"),
                started(
                    net,
                    net.proxy,
                    tinyproxy_stall.tinyproxy_argv(workdir.host, TINYPROXY_PORT),
                    TINYPROXY_PORT,
                    "tinyproxy",
                ) as tiny,
            ):
                by = {t.key: t for t in ts}
                by["tinyproxy"].pgid = tiny.pid
                for i in range(pick(ROUNDS, 3)):
                    one_round(net, ts, i, workdir, squid, script)
                diagnosis = tinyproxy_stall.diagnose(net, by["tinyproxy"], workdir.host, script)
                hostname = unresolvable_hostname(net, planned, script)
    finally:
        shutil.rmtree(workdir.host, ignore_errors=True)
    return ts, diagnosis, hostname


def run() -> Result:
    problem = netns.available()
    if problem is not None:
        sys.exit(f"bench_squid: {problem}")
    needed = ("squid", "tinyproxy", "haproxy", "wrk", "curl", "setpriv")
    missing = [b for b in needed if shutil.which(b) is None]
    if missing:
        sys.exit(f"bench_squid: not installed: {', '.join(missing)}")
    squid = runtime()
    ts, diagnosis, hostname = measure(the_file(planned_configs(), "squid.conf"), squid)
    section = squid_report.report(ts, diagnosis, hostname, pick(ROUNDS, 3), versions(squid))
    return Result("squid", "Squid", section, squid_report.raw(ts, diagnosis, hostname))


def main() -> None:
    from bench import run as runner

    sys.exit(runner.main(["--only", "squid"]))


if __name__ == "__main__":
    main()
