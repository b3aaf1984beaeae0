"""The subpackage's public API: lazy, and only `SquidProxy` needs the Kubernetes SDK."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import traffic_edge.squid_proxy as squid_proxy


@pytest.mark.parametrize("name", squid_proxy.__all__)
def test_every_export_resolves_to_what_it_names(name: str) -> None:
    assert getattr(squid_proxy, name).__name__ == name


def test_manifests_is_the_function_even_after_its_module_is_imported() -> None:
    import traffic_edge.squid_proxy.component  # noqa: F401  (imports the `manifests` submodule)

    assert callable(squid_proxy.manifests)
    assert squid_proxy.manifests.__module__ == "traffic_edge.squid_proxy.manifests"


def test_everything_but_the_component_works_without_the_kubernetes_sdk() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pulumi_kubernetes"] = None  # importing it now fails
        from traffic_edge.squid_proxy import (
            SquidProxyArgs, manifests, plan_squid_proxy, render_squid_conf, validate_squid_proxy_args,
        )
        args = {
            "namespace": "egress", "kubernetes_version": "1.33", "zones": ["a", "b"],
            "allowed_source_cidrs": ["10.0.0.0/16"], "allowed_domains": [".slack.com"],
            "client_namespaces": ["apps"],
        }
        assert validate_squid_proxy_args(args) == []
        assert len(manifests(plan_squid_proxy("squid", args))) == 8
        assert "pulumi_kubernetes" not in [m for m in sys.modules if sys.modules[m] is not None]
        try:
            from traffic_edge.squid_proxy import SquidProxy
        except ImportError as err:
            print(err)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "SquidProxy needs pulumi_kubernetes" in done.stdout
