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
