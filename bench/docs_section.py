"""docs/benchmarks.md: each benchmark owns one `## <Title>` section and rewrites only that."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(title: str, section: str, docs: Path = DOCS) -> None:
    """Replace the `## <title>` section of `docs` with `section` (which starts with that heading)."""
    text = docs.read_text() if docs.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(text.rstrip("\n") + "\n")
