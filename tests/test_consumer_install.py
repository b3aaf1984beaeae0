"""Installed as a consumer installs it: the wheel, only the extras a stack needs, its own layout.

The wheel is built from this checkout and installed into a fresh virtual environment with
`traffic-edge[aws,kubernetes]` only (versions constrained to uv.lock's, so the run is
reproducible). A program in a project folder that has its own `components/` package then
imports `traffic_edge.SquidProxy` and `traffic_edge.EgressNatGateways` and registers them on
Pulumi's own mock engine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.support.stacks import REPO

CONSUMER_PROGRAM = """
import importlib.util, json, sys
import pulumi
from components import TEAM  # the consumer's own package called components

registered = []

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        registered.append([args.typ, args.name])
        return [f"{args.name}-id", {**args.inputs, "publicIp": "198.51.100.7"}]

    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Mocks(), preview=False)

from traffic_edge import EgressNatGateways, SquidProxy

@pulumi.runtime.test
def program():
    squid = SquidProxy("egress", {
        "namespace": "egress", "kubernetes_version": "1.33",
        "zones": ["ap-northeast-2a", "ap-northeast-2c"], "client_namespaces": ["apps"],
        "allowed_source_cidrs": ["10.0.0.0/16"], "allowed_domains": ["hooks.slack.com"],
    })
    nat = EgressNatGateways("egress", {
        "vpc_id": "vpc-0123456789abcdef0", "zones": ["ap-northeast-2a"],
        "public_subnet_ids": {"ap-northeast-2a": "subnet-0a00000000000000a"},
        "private_route_table_ids": {"ap-northeast-2a": ["rtb-0a00000000000000a"]},
        "tags": {"team": TEAM},
    })
    return pulumi.Output.all(squid.proxy_url, nat.egress_ips).apply(report)

def report(values):
    try:
        from traffic_edge import AksTcpLoadBalancer  # noqa: F401
        missing_sdk = None
    except ImportError as err:
        missing_sdk = str(err)
    print(json.dumps({
        "proxy_url": values[0], "egress_ips": values[1], "registered": registered,
        "azure_installed": importlib.util.find_spec("pulumi_azure_native") is not None,
        "traffic_edge_from": __import__("traffic_edge").__file__, "missing_sdk": missing_sdk,
    }))

program()
"""


def _uv() -> str:
    found = shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is needed to build the wheel: run `make test`, which bootstraps the pinned uv")
    return found


def _run(*cmd: str, cwd: Path = REPO) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(cmd)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(_uv(), "build", "--wheel", "--quiet", "--out-dir", str(out), str(REPO))
    (built,) = out.glob("traffic_edge-*.whl")
    return built


def test_the_wheel_holds_the_traffic_edge_package_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packages = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert packages == {"traffic_edge"}
    assert "traffic_edge/squid_proxy/component.py" in names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
    assert [r for r in requires if "extra ==" not in r] == ["Requires-Dist: pulumi<4,>=3.272.0"]
    assert {line.rsplit("extra == ", 1)[1].strip("'\"") for line in requires if "extra ==" in line} == {
        "aws",
        "azure",
        "kubernetes",
        "all",
        "plan",
    }
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "traffic-edge = traffic_edge.plan.cli:entry" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_an_aws_and_kubernetes_stack_with_its_own_components_package_uses_the_wheel(
    wheel: Path, tmp_path: Path
) -> None:
    uv = _uv()
    constraints = tmp_path / "constraints.txt"
    _run(
        uv,
        "export",
        "--frozen",
        "--quiet",
        "--no-hashes",
        "--all-extras",
        "--all-groups",
        "--no-emit-project",
        "-o",
        str(constraints),
    )
    venv = tmp_path / "venv"
    _run(uv, "venv", "--quiet", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    _run(
        uv,
        "pip",
        "install",
        "--quiet",
        "--python",
        str(python),
        "-c",
        str(constraints),
        f"traffic-edge[aws,kubernetes] @ {wheel.as_uri()}",
    )
    project = tmp_path / "team-stack"
    (project / "components").mkdir(parents=True)
    (project / "components" / "__init__.py").write_text('TEAM = "payments"\n')
    (project / "program.py").write_text(textwrap.dedent(CONSUMER_PROGRAM))
    result = json.loads(_run(str(python), "program.py", cwd=project).strip().splitlines()[-1])

    assert result["azure_installed"] is False
    assert str(venv) in result["traffic_edge_from"]  # the installed wheel, not this checkout
    types = {t for t, _ in result["registered"]}
    assert {"traffic-edge:index:SquidProxy", "traffic-edge:index:EgressNatGateways"} <= types
    assert {"kubernetes:apps/v1:Deployment", "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"} <= types
    assert result["proxy_url"] == "http://egress.egress.svc.cluster.local:3128"
    assert result["egress_ips"] == ["198.51.100.7"]
    assert result["missing_sdk"] == (
        "AksTcpLoadBalancer needs pulumi_azure_native, which is not installed: "
        "install traffic-edge[azure,kubernetes] (pip install 'traffic-edge[azure,kubernetes]')"
    )


def test_a_git_tag_installs_the_base_package_which_names_the_extra_a_component_needs(tmp_path: Path) -> None:
    """`traffic-edge @ git+<url>@<tag>` as docs/importing-components.md shows, from a repository of this tree."""
    uv = _uv()
    repo = tmp_path / "traffic-edge"
    files = _run("git", "ls-files", "-co", "--exclude-standard").splitlines()
    for rel in files:
        if (REPO / rel).is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, repo / rel)
    for cmd in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"],
        ["tag", "v0.1.0"],
    ):
        _run("git", *cmd, cwd=repo)
    venv = tmp_path / "venv"
    _run(uv, "venv", "--quiet", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    _run(
        uv, "pip", "install", "--quiet", "--python", str(python), f"traffic-edge @ git+{repo.as_uri()}@v0.1.0"
    )
    probe = (
        "import importlib.util, json, traffic_edge\n"
        "from traffic_edge import SquidProxyArgs, NatStrategy\n"
        "try:\n    from traffic_edge import SquidProxy\n    err = None\n"
        "except ImportError as e:\n    err = str(e)\n"
        "print(json.dumps({'err': err, 'k8s': importlib.util.find_spec('pulumi_kubernetes') is not None,"
        " 'aws': importlib.util.find_spec('pulumi_aws') is not None}))\n"
    )
    result = json.loads(_run(str(python), "-c", probe, cwd=tmp_path).strip().splitlines()[-1])
    assert result == {
        "err": "SquidProxy needs pulumi_kubernetes, which is not installed: install traffic-edge[kubernetes] "
        "(pip install 'traffic-edge[kubernetes]')",
        "k8s": False,
        "aws": False,
    }


def test_the_installed_command_plans_the_example_consumer_in_its_own_directory(
    wheel: Path, tmp_path: Path
) -> None:
    """The acceptance path of `traffic-edge plan`: a fresh venv with the wheel, the example's
    own directory, its own providers and config, no file of this repository's stack layer."""
    uv = _uv()
    constraints = tmp_path / "constraints.txt"
    _run(
        uv,
        "export",
        "--frozen",
        "--quiet",
        "--no-hashes",
        "--all-extras",
        "--all-groups",
        "--no-emit-project",
        "-o",
        str(constraints),
    )
    venv = tmp_path / "venv"
    _run(uv, "venv", "--quiet", "--python", sys.executable, str(venv))
    _run(
        uv,
        "pip",
        "install",
        "--quiet",
        "--python",
        str(venv / "bin" / "python"),
        "-c",
        str(constraints),
        f"traffic-edge[aws,kubernetes,plan] @ {wheel.as_uri()}",
    )
    project = tmp_path / "python-consumer"
    shutil.copytree(REPO / "examples" / "python-consumer", project)
    proc = subprocess.run(
        [str(venv / "bin" / "traffic-edge"), "plan", "--stack", "dev", "--kubernetes-version", "1.33"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    out = project / "out" / "plan" / "dev"
    assert proc.stdout.rstrip().endswith(
        "-> out/plan/dev/ (helm/, manifests/, outputs.json, policy-report.json, resources.json, summary.md)"
    )
    assert sorted(p.name for p in (out / "manifests").iterdir()) == ["cluster"]  # its provider's name
    types = {r["type"] for r in json.loads((out / "resources.json").read_text())}
    assert {"traffic-edge:index:EgressNatGateways", "traffic-edge:index:TraefikGateway"} <= types
    text = (out / "summary.md").read_text()
    assert "+ traffic-edge:index:TraefikGateway  payments" in text
    assert "policies: none evaluated (no --policy-pack given)" in text
