"""Private test networks: proxies under test never get a route to a real address.

`TestNet` creates two network namespaces joined by a veth pair and nothing else:

    proxy ns     lo 127.0.0.1/8   veth 198.18.0.1/24
    upstream ns  lo 127.0.0.1/8   veth 198.18.0.2/24  (+ any extra 198.18.0.0/24 hosts)

Neither namespace has a default route, so a proxy that is misconfigured (or a test that
expects "metadata address -> 403" and one day gets it wrong) cannot reach 169.254.169.254
or anything else outside 198.18.0.0/24 and loopback: the connect fails with
"Network is unreachable" instead of leaving the machine.

Programs run inside a namespace with `run()` (``ip netns exec``); test code can open its
own sockets inside a namespace with `entered()`, which moves only the calling thread
(threads started inside inherit it) and moves it back afterwards.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

CLONE_NEWNET = 0x40000000
PROXY_ADDR = "198.18.0.1"
UPSTREAM_ADDR = "198.18.0.2"

_libc = ctypes.CDLL(None, use_errno=True)


def available() -> str | None:
    """None when network namespaces can be made here, else the reason they cannot."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "iproute2 (ip) is not installed"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def _setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


class TestNet:
    """Two namespaces (proxy, upstream) on one private /24 with no route out."""

    __test__ = False  # not a pytest test class

    def __init__(self, tag: str = "te") -> None:
        suffix = uuid.uuid4().hex[:6]
        self.proxy = f"{tag}-px-{suffix}"
        self.upstream = f"{tag}-up-{suffix}"
        self._veth = (f"vp{suffix}", f"vu{suffix}")

    def __enter__(self) -> TestNet:
        try:
            for ns in (self.proxy, self.upstream):
                _ip("netns", "add", ns)
                _ip("-n", ns, "link", "set", "lo", "up")
            vp, vu = self._veth
            _ip(
                "link",
                "add",
                vp,
                "netns",
                self.proxy,
                "type",
                "veth",
                "peer",
                "name",
                vu,
                "netns",
                self.upstream,
            )
            _ip("-n", self.proxy, "addr", "add", f"{PROXY_ADDR}/24", "dev", vp)
            _ip("-n", self.upstream, "addr", "add", f"{UPSTREAM_ADDR}/24", "dev", vu)
            _ip("-n", self.proxy, "link", "set", vp, "up")
            _ip("-n", self.upstream, "link", "set", vu, "up")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for ns in (self.proxy, self.upstream):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def add_upstream_address(self, cidr: str) -> None:
        """Another test host address in the upstream namespace (inside 198.18.0.0/24)."""
        _ip("-n", self.upstream, "addr", "add", cidr, "dev", self._veth[1])

    def add_loopback_address(self, ns: str, cidr: str) -> None:
        _ip("-n", ns, "addr", "add", cidr, "dev", "lo")

    def run(self, ns: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start `argv` inside namespace `ns`."""
        return subprocess.Popen(["ip", "netns", "exec", ns, *argv], **kwargs)

    def check_output(self, ns: str, argv: Sequence[str], **kwargs: Any) -> str:
        done = subprocess.run(
            ["ip", "netns", "exec", ns, *argv], check=True, capture_output=True, text=True, **kwargs
        )
        return str(done.stdout)

    @contextlib.contextmanager
    def entered(self, ns: str) -> Iterator[None]:
        """Run the calling thread inside `ns`; sockets it opens there stay there."""
        home = f"/proc/self/task/{_libc.syscall(186)}/ns/net"  # gettid on x86_64
        back = os.open(home, os.O_RDONLY)
        try:
            _setns(f"/var/run/netns/{ns}")
            try:
                yield
            finally:
                if _libc.setns(back, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "could not return to the original network namespace")
        finally:
            os.close(back)
