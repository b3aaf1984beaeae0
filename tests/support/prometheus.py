"""Debian's Prometheus for the real monitoring tests: started inside a test network namespace on
127.0.0.1:9090 with a scrape config the test writes, and queried there through its HTTP API."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

from tests.support.netns import TestNet

PROMETHEUS = shutil.which("prometheus")
LISTEN = "127.0.0.1:9090"


def start(net: TestNet, config: Path, workdir: Path) -> subprocess.Popen[bytes]:
    """Prometheus with `config`, its data in `workdir`, in the proxy namespace."""
    argv = [
        PROMETHEUS or "prometheus",
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir}/data",
        f"--web.listen-address={LISTEN}",
    ]
    return net.run(net.proxy, argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def query(net: TestNet, expr: str) -> list[dict[str, Any]]:
    """The result vector of an instant query; empty while Prometheus is not listening yet."""
    url = f"http://{LISTEN}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    out = net.run(net.proxy, ["curl", "-sf", url], stdout=subprocess.PIPE)
    body, _ = out.communicate(timeout=15)
    if out.returncode != 0:
        return []
    data = json.loads(body)
    assert data["status"] == "success", data
    return list(data["data"]["result"])
