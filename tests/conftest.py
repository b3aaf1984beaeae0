"""Shared fixtures: the offline engine (the same one `make plan` uses)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

# Imported up front: hypothesis's pytest plugin importing it lazily at summary time, after a
# test whose invoke failed inside the engine, has crashed CPython 3.11.7's AST constructor.
import hypothesis  # noqa: F401
import pytest

from tests.support import netns
from traffic_edge.plan import engine


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Which Squid the real tests run: `make test` prints it with the real-binary run."""
    if "real" not in str(config.option.markexpr) or "not real" in str(config.option.markexpr):
        return []
    from tests.support.squid_runtime import DEPLOYED

    reason = DEPLOYED.missing()
    return [f"real squid: {reason}" if reason else f"real squid: {DEPLOYED.version()}"]


@pytest.fixture
def record() -> Callable[..., engine.Recording]:
    """Run a program offline: ``record(lambda: Comp(...), preview=True)`` -> Recording."""

    def _record(program: Callable[[], None], **kwargs: Any) -> engine.Recording:
        return engine.run(program, **kwargs)

    return _record


def require_binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if path is None:
        pytest.skip(f"{name} is not installed (make test installs it with apt-get)")
    return path


@pytest.fixture
def test_net() -> Any:
    reason = netns.available()
    if reason:
        pytest.skip(reason)
    with netns.TestNet() as net:
        yield net
