"""What a namespace of the test network needs to resolve names as a pod does, without leaving it.

- `etc_files`: /etc/netns/<ns>/ files (hosts, resolv.conf), which `ip netns exec` bind-mounts over
  /etc for every process it starts in that namespace; removed afterwards.
- `dns_stub`: a DNS server on an address of the test network answering A queries for the names
  it is given (AAAA and other types: no answer; other names: NXDOMAIN), served by a thread of this
  process from a socket bound inside the namespace. HAProxy's `resolvers` section reads only DNS,
  never /etc/hosts, so the generated edge's `server-template ... resolvers cluster` needs one.
- `pod_nofile`: the open-files limit a container gets (containerd: 1048576), which the generated
  configs size themselves by (HAProxy: 2 x maxconn 20000; Squid: max_filedescriptors 65536); a
  login shell's hard limit is often lower, and HAProxy refuses to start below what it needs.
  Without CAP_SYS_RESOURCE only the hard limit is reachable (the benchmarks say what they did then).
"""

from __future__ import annotations

import resource
import shutil
import socket
import struct
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.support.netns import TestNet

A, CLASS_IN = 1, 1
TTL = 30
POD_NOFILE = 1_048_576


def pod_nofile() -> int:
    """Raise this process's open-files limit (inherited by what it starts) towards a container's;
    returns the limit reached: the hard limit, when raising that needs a capability we lack."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (POD_NOFILE, max(hard, POD_NOFILE)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@contextmanager
def etc_files(ns: str, files: Mapping[str, str]) -> Iterator[Path]:
    etc = Path("/etc/netns") / ns
    etc.mkdir(parents=True)
    try:
        for name, text in files.items():
            (etc / name).write_text(text)
        yield etc
    finally:
        shutil.rmtree(etc, ignore_errors=True)


def _question(query: bytes) -> tuple[str, int, int]:
    """(name, type, end of the question) of a query's first question."""
    labels, pos = [], 12
    while query[pos]:
        n = query[pos]
        labels.append(query[pos + 1 : pos + 1 + n].decode("ascii").lower())
        pos += 1 + n
    qtype = struct.unpack("!H", query[pos + 1 : pos + 3])[0]
    return ".".join(labels), qtype, pos + 5


def answer(query: bytes, names: Mapping[str, str]) -> bytes | None:
    """The response to `query`, or None for what is not a one-question query."""
    if len(query) < 17:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    try:
        name, qtype, end = _question(query)
    except (IndexError, UnicodeDecodeError, struct.error):
        return None
    address = names.get(name.rstrip("."))
    records = b""
    if address is not None and qtype == A:
        records = b"\xc0\x0c" + struct.pack("!HHIH", A, CLASS_IN, TTL, 4) + socket.inet_aton(address)
    rcode = 3 if address is None else 0  # NXDOMAIN
    header = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode, 1, 1 if records else 0, 0, 0)
    return header + query[12:end] + records


@contextmanager
def dns_stub(net: TestNet, ns: str, address: str, names: Mapping[str, str]) -> Iterator[None]:
    """Answer `names` (name -> IPv4 address) on `address`:53 inside `ns` while the block runs."""
    with net.entered(ns):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((address, 53))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                query, peer = sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            reply = answer(query, names)
            if reply is not None:
                with suppress(OSError):
                    sock.sendto(reply, peer)

    thread = threading.Thread(target=serve, name="dns-stub", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()
