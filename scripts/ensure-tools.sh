#!/usr/bin/env bash
# Installs the real binaries the tests and benchmarks run (Debian packages), when missing.
set -euo pipefail
need=()
for pair in squid:squid haproxy:haproxy tinyproxy:tinyproxy ip:iproute2 curl:curl wrk:wrk \
    prometheus:prometheus prometheus-squid-exporter:prometheus-squid-exporter strace:strace; do
  bin=${pair%%:*} pkg=${pair##*:}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: missing ${need[*]} and no apt-get; the tests that need them will be skipped" >&2
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    echo "ensure-tools: missing ${need[*]}; not root and no sudo, the tests that need them will be skipped" >&2
    exit 0
  fi
fi
echo "ensure-tools: installing ${need[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian packages start their daemons; the tests run their own instances.
for svc in squid haproxy tinyproxy prometheus prometheus-squid-exporter; do
  "${sudo[@]}" systemctl stop "$svc" >/dev/null 2>&1 || "${sudo[@]}" service "$svc" stop >/dev/null 2>&1 || true
done
