"""The container securityContext of the Pod Security Standards' `restricted` profile."""

from __future__ import annotations

from typing import Any


def restricted_container(uid: int) -> dict[str, Any]:
    """A container that runs as `uid` (its group too), not root, with no privilege escalation, no
    capabilities, a read-only root filesystem and the runtime's default seccomp profile."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
