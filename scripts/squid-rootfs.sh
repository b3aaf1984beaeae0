#!/usr/bin/env bash
# Builds (once) the Debian root filesystem whose Squid the real-Squid tests run.
#
#   scripts/squid-rootfs.sh SUITE [DEST]     (DEST defaults to .tools/squid-root)
#
# The default image's Squid is newer than the Debian release this machine runs, so the tests
# take Squid (and prometheus-squid-exporter) from the Debian suite that ships the image's
# major.minor: debootstrap's minimal base of SUITE, then the two packages with apt-get, no
# recommends, no service started. The tree is cached: DEST/.built names the suite it was made
# from and is written last, so an interrupted build is redone and a changed SUITE rebuilds.
# Needs root (debootstrap, chroot); without it, or without apt-get, it says so and the tests
# that need it are skipped.
set -euo pipefail
suite=${1:?usage: squid-rootfs.sh SUITE [DEST]}
dest=${2:-.tools/squid-root}
packages=(squid prometheus-squid-exporter)

if [ -f "$dest/.built" ] && [ "$(cat "$dest/.built")" = "$suite ${packages[*]}" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "squid-rootfs: not root, so no Debian $suite root for the real-Squid tests; they will be skipped" >&2
  exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "squid-rootfs: no debootstrap and no apt-get; the real-Squid tests will be skipped" >&2
    exit 0
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

echo "squid-rootfs: building a Debian $suite root with ${packages[*]} in $dest (about a minute)"
tmp="$dest.tmp"
rm -rf "$tmp" "$dest"
mkdir -p "$(dirname "$dest")"
log="$(dirname "$dest")/squid-root.log"
# The archive debootstrap defaults to is Debian's own; no mirror is named here.
if ! debootstrap --variant=minbase "$suite" "$tmp" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  exit 1
fi
# No daemon starts inside the tree (invoke-rc.d asks policy-rc.d; 101 = not allowed).
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod 755 "$tmp/usr/sbin/policy-rc.d"
# squid's postinst needs /proc (update-alternatives, systemd-tmpfiles): mounted in a private
# mount namespace, so nothing stays mounted when the install ends.
if ! unshare --mount --propagation private sh -c '
    root=$1; shift
    mount -t proc proc "$root/proc"
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  ' sh "$tmp" "${packages[@]}" >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  exit 1
fi
chroot "$tmp" apt-get clean
chroot "$tmp" /usr/sbin/squid -v | head -n 1
mv "$tmp" "$dest"
echo "$suite ${packages[*]}" >"$dest/.built"
