"""Which Squid the real tests run, and how: the default image's Squid, from a Debian root tree.

The pod runs the default image's Squid (`traffic_edge.squid_proxy.facts.SQUID_VERSION`). This
machine's Debian ships an older one, so `make test` builds a Debian root filesystem of the suite
that ships the image's major.minor (scripts/squid-rootfs.sh, into .tools/squid-root) and the
real tests start Squid and prometheus-squid-exporter inside it:

    ip netns exec <ns>  unshare --mount --uts  sh: hostname, mount /proc, /dev/shm  chroot --userspec=<uid>  <argv>

`unshare` gives each started program private mounts (gone when it exits); the chroot is only a
different set of files: the network namespace, the process and the uid are the test's as before,
and every `exec` keeps the pid, so `proc.pid` is Squid's own. `HOST` is this machine's Squid
(Debian 12's 5.7), kept as a compatibility row for `squid -k parse`.

Paths: a test's files live in a directory inside the tree (`Runtime.workdir`), seen by the test at
its host path and by Squid at its path inside the tree; configs name the inside path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.stacks import REPO

ROOT = REPO / ".tools" / "squid-root"
POD_HOSTNAME = "squid-6f7d9c8b5-q2x7z"
"""The host name Squid sees in the tree, as a Deployment's pod has one (`<name>-<hash>-<suffix>`)."""
_VERSION = re.compile(r"Squid Cache: Version (\d+)\.(\d+)")

# Run in private mount and UTS namespaces: a pod's host name (`POD_HOSTNAME`), the tree's /proc (for /dev/stdout -> /proc/self/fd/1),
# a fresh /dev/shm (Squid's SMP workers share memory through it), an /etc/hosts that names
# this host as the kubelet's does in a pod, then the program as `uid` (or root: "-").
_ENTER = r"""
root=$1 uid=$2; shift 2
hostname "$POD_HOSTNAME" || exit 125
mount -t proc proc "$root/proc" || exit 125
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" || exit 125
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$(hostname)" > "$root/etc/hosts"
if [ "$uid" = - ]; then exec chroot "$root" "$@"; fi
exec chroot --userspec="$uid:$uid" --groups="$uid" "$root" "$@"
"""


@dataclass(frozen=True)
class Workdir:
    """A test directory: `host` for the test, `inner` for the program (the same directory)."""

    host: Path
    inner: str

    def inside(self, name: str) -> str:
        return f"{self.inner}/{name}"


@dataclass(frozen=True)
class Runtime:
    """A Squid to run: `root` None is this machine's own, else the Debian tree at `root`."""

    name: str
    root: Path | None

    @property
    def squid(self) -> str:
        if self.root is not None:
            return "/usr/sbin/squid"
        return shutil.which("squid") or shutil.which("squid", path="/usr/sbin:/usr/bin") or "squid"

    @property
    def exporter(self) -> str:
        if self.root is not None:
            return "/usr/bin/prometheus-squid-exporter"
        return shutil.which("prometheus-squid-exporter") or "prometheus-squid-exporter"

    def missing(self) -> str | None:
        """Why this Squid cannot run here, or None."""
        if os.geteuid() != 0:
            return "the real Squid tests need root"
        if self.root is None:
            return None if shutil.which(self.squid) else "squid is not installed (make test installs it)"
        if not (self.root / ".built").is_file():
            return f"no Squid root tree at {self.root.relative_to(REPO)} (make test builds it)"
        return None

    def command(self, argv: Sequence[str], *, user: int | None = None) -> list[str]:
        """`argv` as it runs in this runtime, as `user` (None: root)."""
        if self.root is None:
            if user is None:
                return list(argv)
            return ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv]
        who = "-" if user is None else str(user)
        return [
            "env",
            f"POD_HOSTNAME={POD_HOSTNAME}",
            "unshare",
            "--mount",
            "--uts",
            "--propagation",
            "private",
            "sh",
            "-c",
            _ENTER,
            "enter",
            str(self.root),
            who,
            *argv,
        ]

    def workdir(self, prefix: str, *, owner: int | None = None) -> Workdir:
        """A fresh directory `owner` may write, inside the tree when there is one."""
        base = None if self.root is None else self.root / "tmp"
        host = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        os.chmod(host, 0o755)
        if owner is not None:
            os.chown(host, owner, owner)
        inner = str(host) if self.root is None else "/" + str(host.relative_to(self.root))
        return Workdir(host, inner)

    def version(self) -> str:
        """The first line of `squid -v`, e.g. ``Squid Cache: Version 7.7``."""
        done = subprocess.run(self.command([self.squid, "-v"]), capture_output=True, text=True, check=True)
        return done.stdout.splitlines()[0].strip()

    def major_minor(self) -> tuple[int, int]:
        match = _VERSION.search(self.version())
        assert match, self.version()
        return int(match.group(1)), int(match.group(2))


def sandbox_only(cache_log: str) -> str:
    """cache.log without the one ERROR this machine causes, not the pod: the generated squid.conf
    sets `max_filedescriptors 65536` and Squid raises its limit to that at start; a container gets
    a hard limit above it from its runtime, but this sandbox's hard limit is lower and even root
    may not raise it, so Squid logs `ERROR: setrlimit: RLIMIT_NOFILE` and goes on with the lower
    limit. Kept when the hard limit allows 65536, so the test still catches it there."""
    import resource

    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] >= 65536:
        return cache_log
    return "\n".join(line for line in cache_log.splitlines() if "ERROR: setrlimit: RLIMIT_NOFILE" not in line)


DEPLOYED = Runtime("deployed", ROOT)
"""The image's Squid major.minor, from the Debian tree: what every real Squid test runs."""
HOST = Runtime("debian-12", None)
"""This machine's Squid (Debian 12's 5.7): the compatibility row of the parse tests."""
