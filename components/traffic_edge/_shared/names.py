"""Kubernetes name and label syntax, and the int check every validator needs, in one place."""

from __future__ import annotations

import re
from typing import TypeGuard

# RFC 1123 label (namespaces, most object names); callers add the 63-character bound where
# their message names it.
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# RFC 1123 subdomain (object names such as Secrets); at most 253 characters.
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# RFC 1035 label (Service names: must start with a letter).
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
# Label value: empty, or at most 63 alphanumerics with '-', '_', '.' inside.
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def is_int(value: object) -> TypeGuard[int]:
    """An int that is not a bool (YAML and JSON give `true` where a number was meant)."""
    return isinstance(value, int) and not isinstance(value, bool)


# Label key: an optional DNS-subdomain prefix (at most 253) and '/', then a name part of at
# most 63 characters (k8s.io/apimachinery validation.IsQualifiedName).
LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
# Container image reference: repository path, optional tag, optional sha256 digest.
IMAGE = re.compile(r"^[a-z0-9][a-z0-9./_:-]*?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$")
# Kubernetes quantities as these components take them (CPU cores or millicores; bytes).
CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
MEMORY = re.compile(r"^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEMORY_FACTOR = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_MEMORY_FACTOR.update({"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40})


def memory_bytes(text: str) -> int:
    """``'256Mi'`` -> 268435456; the text must match MEMORY."""
    match = re.match(r"^(\d+)([A-Za-z]*)$", text)
    if match is None or match.group(2) not in _MEMORY_FACTOR:
        raise ValueError(f"{text!r} is not a memory quantity")
    return int(match.group(1)) * _MEMORY_FACTOR[match.group(2)]


def cpu_millis(text: str) -> int:
    """``'250m'`` -> 250, ``'1.5'`` -> 1500; the text must match CPU."""
    return int(text[:-1]) if text.endswith("m") else round(float(text) * 1000)
