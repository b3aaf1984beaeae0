"""The args, the validator and the pure planner load without any cloud SDK."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_args_validate_and_plan_import_no_cloud_sdk() -> None:
    script = textwrap.dedent(
        """
        import sys
        from traffic_edge.aks_tcp_load_balancer import AksTcpLoadBalancerArgs, validate_aks_tcp_load_balancer_args
        from traffic_edge.aks_tcp_load_balancer.annotations import build_annotations
        from traffic_edge.aks_tcp_load_balancer.manifests import service_manifest
        from traffic_edge.aks_tcp_load_balancer.plan import plan_aks_tcp_load_balancer
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pulumi_azure_native", "pulumi_kubernetes"))
        print(AksTcpLoadBalancerArgs.__name__, validate_aks_tcp_load_balancer_args.__name__, loaded)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "AksTcpLoadBalancerArgs validate_aks_tcp_load_balancer_args []"
