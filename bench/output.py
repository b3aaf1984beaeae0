"""Where benchmark results go: out/bench/ on every run, docs/benchmarks.md only with `make bench-docs`.

`make bench` (``python -m bench.run``) prints each benchmark's section and writes

    out/bench/benchmarks.md   every section of the run, as docs/benchmarks.md would get them
    out/bench/<name>.json     the raw rounds behind a section, with the run's date and load

so a user's run never dirties the work tree. `make bench-docs` (``python -m bench.run --docs``)
runs the same and also replaces those sections of docs/benchmarks.md in place. Either way each
section is stamped with the command that produced it, the date and the machine's load.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.docs_section import DOCS, write_section

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "out" / "bench"


@dataclass
class Result:
    """One benchmark's outcome: its docs section (starting with ``## <title>``) and its raw rounds."""

    slug: str
    title: str
    section: str
    raw: dict[str, Any]
    run: dict[str, Any] = field(default_factory=dict)
    """How it ran: date, seconds, CPUs, 1-min load average before and after (filled in by `measured`)."""


def load_average() -> float:
    return os.getloadavg()[0]


def measured(result: Result, started: float, load_before: float) -> Result:
    """`result` with its run's facts recorded."""
    result.run = {
        "date": time.strftime("%Y-%m-%d"),
        "seconds": round(time.monotonic() - started, 1),
        "cpus": os.cpu_count(),
        "load_before": round(load_before, 2),
        "load_after": round(load_average(), 2),
    }
    return result


def stamped(result: Result, command: str) -> str:
    """The section with a last line saying what produced it, when, and how busy the machine was."""
    run = result.run
    if not run:
        return result.section.rstrip("\n") + "\n"
    line = (
        f"Recorded by `{command}` on {run['date']}: {run['seconds']:.0f} s on {run['cpus']} CPUs, "
        f"1-min load average {run['load_before']:.2f} before and {run['load_after']:.2f} after."
    )
    return result.section.rstrip("\n") + "\n\n" + line + "\n"


def write_json(result: Result, out: Path | None = None) -> Path:
    out = out or OUT
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{result.slug}.json"
    doc = {"benchmark": result.slug, "title": result.title, "run": result.run, "raw": result.raw}
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    return path


def record(results: list[Result], markdown: Path, command: str) -> None:
    """Replace each result's section of `markdown` in place (other sections are kept)."""
    for result in results:
        write_section(result.title, stamped(result, command), markdown)


def write_out(results: list[Result], out: Path | None = None, command: str = "make bench") -> list[Path]:
    """out/bench/: one JSON per result and their sections in benchmarks.md; never docs/."""
    out = out or OUT
    paths = [write_json(r, out) for r in results]
    record(results, out / "benchmarks.md", command)
    return [*paths, out / "benchmarks.md"]


def write_docs(results: list[Result], docs: Path | None = None, command: str = "make bench-docs") -> Path:
    docs = docs or DOCS
    record(results, docs, command)
    return docs
