"""The offline engine: runs a Pulumi program under Pulumi's own mock monitor and records
every registration exactly as the engine would receive it.

The stock ``Mocks.new_resource`` sees only type, name and inputs. What reviewers and the
policies care about — ``protect``, ``retainOnDelete``, ``dependsOn``, the provider and the
parent — is on the monitor's ``RegisterResourceRequest``, so this module records from
there. Tests and ``make plan`` share it, so a test asserts on exactly what the plan shows.

Preview semantics by default (like ``pulumi preview``): values that only exist after apply
(IDs, allocated IPs) are recorded as ``UNKNOWN``, never invented. ``preview=False`` makes
the mocks return deterministic stand-ins so tests can check how outputs are derived.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import mocks as _mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

UNKNOWN = "(known after apply)"
SECRET = "[secret]"

_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


@dataclass(frozen=True)
class Resource:
    """One registration, as the engine receives it."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    retain_on_delete: bool
    depends_on: list[str]
    provider: str | None
    inputs: dict[str, Any]
    aliases: list[dict[str, Any]] = field(default_factory=list)
    """Alias specs on the request (not part of resources.json, whose keys are fixed)."""
    read: bool = False
    """An existing resource read with `.get()`: in the stack, never created or deleted by it."""

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "dependsOn": self.depends_on,
            "provider": self.provider,
            "inputs": self.inputs,
        }

    @property
    def is_kubernetes_patch(self) -> bool:
        """A server-side-apply patch of an object someone else owns (partial by design)."""
        return self.custom and self.type.startswith("kubernetes:") and self.type.endswith("Patch")

    @property
    def is_kubernetes_object(self) -> bool:
        return (
            self.custom
            and self.type.startswith("kubernetes:")
            and not self.type.startswith("pulumi:providers:")
            and not self.type.startswith("kubernetes:helm.sh/")
            and not self.is_kubernetes_patch
            and "apiVersion" in self.inputs
            and "kind" in self.inputs
        )


@dataclass
class Recording:
    """Everything a program registered (in the order registrations reached the monitor,
    which async scheduling may vary: sort before comparing or writing)."""

    resources: list[Resource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def by_type(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, type_: str, name: str) -> Resource:
        for r in self.resources:
            if r.type == type_ and r.name == name:
                return r
        names = sorted(r.name for r in self.by_type(type_))
        raise KeyError(f"no {type_} named {name!r}; registered: {names}")

    def by_urn(self, urn: str) -> Resource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children_of(self, urn: str) -> list[Resource]:
        return [r for r in self.resources if r.parent == urn]

    def descendants_of(self, urn: str) -> list[Resource]:
        out: list[Resource] = []
        frontier = [urn]
        while frontier:
            kids = [r for r in self.resources if r.parent in frontier]
            out.extend(kids)
            frontier = [k.urn for k in kids]
        return out

    def manifests(self) -> list[dict[str, Any]]:
        """Every Kubernetes object, as the plain manifest `kubectl apply` takes."""
        return [r.inputs for r in self.resources if r.is_kubernetes_object]

    def component_of(self, res: Resource) -> Resource | None:
        """The nearest enclosing component (custom=False, not the stack) of a resource."""
        parent = res.parent
        while parent:
            p = self.by_urn(parent)
            if not p.custom and p.type != "pulumi:pulumi:Stack":
                return p
            parent = p.parent
        return None


def _clean(value: Any) -> Any:
    """Wire values -> plain JSON: unknowns and secrets visibly marked, refs as URNs."""
    if isinstance(value, str):
        return UNKNOWN if value == rpc.UNKNOWN else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            return SECRET
        if sig == _RESOURCE_SIG:
            return value.get("urn", UNKNOWN)
        if sig == _OUTPUT_SIG:
            if value.get("secret"):
                return SECRET
            return _clean(value["value"]) if "value" in value else UNKNOWN
        if sig in (_ASSET_SIG, _ARCHIVE_SIG):
            return {k: _clean(v) for k, v in value.items() if k != _SIG_KEY}
        return {k: _clean(v) for k, v in value.items()}
    return value


def _struct_to_plain(struct: Any) -> dict[str, Any]:
    if struct is None:
        return {}
    plain = json_format.MessageToDict(struct, preserving_proto_field_name=True)
    cleaned = _clean(plain)
    return cleaned if isinstance(cleaned, dict) else {}


def _stand_in(type_: str, name: str, prop: str) -> str:
    """Deterministic values for preview=False runs (documentation ranges for IPs)."""
    digest = hashlib.sha256(f"{type_}/{name}/{prop}".encode()).digest()
    if prop in ("publicIp", "ipAddress"):
        return f"203.0.113.{digest[0] % 254 + 1}"
    if prop == "privateIp":
        return f"10.0.{digest[1]}.{digest[0] % 254 + 1}"
    return f"{name}-{prop}-{digest[:3].hex()}"


# Outputs that only the provider knows; in preview=False runs they get stand-ins.
_COMPUTED: dict[str, tuple[str, ...]] = {
    "aws:ec2/eip:Eip": ("allocationId", "publicIp", "arn"),
    "aws:ec2/natGateway:NatGateway": ("publicIp", "privateIp", "networkInterfaceId"),
    "aws:ec2/routeTable:RouteTable": ("arn",),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("arn",),
    "azure-native:network:PublicIPAddress": ("ipAddress",),
}


class _Mocks(_mocks.Mocks):
    def __init__(self, preview: bool, calls: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]]):
        self.preview = preview
        self.calls = calls

    def new_resource(self, args: _mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        if self.preview:
            # An empty id is what the engine sends during preview for a resource to be created.
            return ("" if args.custom else None), state
        for prop in _COMPUTED.get(args.typ, ()):
            state.setdefault(prop, _stand_in(args.typ, args.name, prop))
        return f"{args.name}-id", state

    def call(self, args: _mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        # The mock monitor iterates the failures list: it must be a list, never None.
        fn = self.calls.get(args.token)
        if fn is None:
            return {}, []
        return fn(dict(args.args)), []


class _RecordingMonitor(_mocks.MockMonitor):
    def __init__(self, mocks: _Mocks, recording: Recording, stack_urn_holder: list[str]):
        super().__init__(mocks)
        self.recording = recording
        self._stack_urn = stack_urn_holder

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The real engine qualifies a type with its parents' chain, but not with the Stack's.
        stack, project = settings.get_stack(), settings.get_project()
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != "pulumi:pulumi:Stack":
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        urn = response.urn
        if request.type == "pulumi:pulumi:Stack":
            self._stack_urn.append(urn)
        self.recording.resources.append(
            Resource(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                custom=bool(request.custom),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                depends_on=sorted(request.dependencies),
                # A provider reference is "<urn>::<id>"; the id is unknown in preview, so keep the URN.
                provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
                inputs=_struct_to_plain(request.object),
                aliases=[json_format.MessageToDict(a) for a in request.aliases]
                + [{"urn": u} for u in request.aliasURNs],
            )
        )
        return response

    def ReadResource(self, request: Any) -> Any:
        # `Resource.get(...)`: an existing resource read into the stack, never created or
        # deleted by it. Recorded like a registration, with the id read in `inputs`.
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self.recording.resources.append(
            Resource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                custom=True,
                protect=False,
                retain_on_delete=False,
                depends_on=sorted(request.dependencies),
                provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
                inputs={"id": request.id, **_struct_to_plain(request.properties)},
                read=True,
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if self._stack_urn and request.urn == self._stack_urn[0]:
            self.recording.outputs = _struct_to_plain(request.outputs)
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


class _WarningCollector(logging.Handler):
    def __init__(self, recording: Recording):
        super().__init__(level=logging.WARNING)
        self.recording = recording

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.recording.warnings.append(record.getMessage())


def run(
    program: Callable[[], object],
    *,
    project: str = "traffic-edge",
    stack: str = "test",
    config: Mapping[str, Any] | None = None,
    preview: bool = True,
    calls: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]] | None = None,
    secret_keys: list[str] | None = None,
) -> Recording:
    """Run `program` offline and return what it registered.

    `config` maps full keys (``traffic-edge:squid``) to values (objects are JSON-encoded as
    the CLI does); `secret_keys` are the keys the CLI would mark secret. `calls` answers
    invokes by token; unanswered invokes return ``{}``.
    Exceptions raised by the program propagate unchanged (validation errors included).
    """
    recording = Recording()
    mocks = _Mocks(preview, calls or {})
    monitor = _RecordingMonitor(mocks, recording, [])
    logger = logging.getLogger(f"traffic-edge.engine.{id(recording)}")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    handler = _WarningCollector(recording)
    logger.addHandler(handler)

    set_all_config(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in (config or {}).items()},
        list(secret_keys or []),
    )
    settings.ROOT.set(None)
    # What set_mocks does, minus its root Stack: run_in_stack makes the root, so that stack
    # outputs (pulumi.export) are registered on it and recorded.
    settings.configure(
        _mocks.MockSettings(  # type: ignore[no-untyped-call]
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),  # type: ignore[no-untyped-call]
            engine=_mocks.MockEngine(logger),
            project=project,
            stack=stack,
            dry_run=preview,
            organization="organization",
            callbacks=None,
        )
    )
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    try:

        def _program() -> None:
            program()

        _sync_await(run_in_stack(_program))
    finally:
        logger.removeHandler(handler)
        settings.ROOT.set(None)
    return recording
