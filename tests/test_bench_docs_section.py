"""Each benchmark rewrites only its own section of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

from bench.docs_section import write_section


def test_a_section_is_replaced_in_place_and_others_are_kept(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    write_section("HAProxy", "## HAProxy\n\nold haproxy\n", docs)
    write_section("Squid", "## Squid\n\nsquid figures\n", docs)
    write_section("HAProxy", "## HAProxy\n\nnew haproxy\n", docs)
    assert docs.read_text() == "# Benchmarks\n\n## HAProxy\n\nnew haproxy\n\n## Squid\n\nsquid figures\n"


def test_a_heading_that_only_starts_like_another_is_not_touched(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n## Squid proxies elsewhere\n\nkeep\n")
    write_section("Squid", "## Squid\n\nmine\n", docs)
    assert "## Squid proxies elsewhere\n\nkeep" in docs.read_text()
    assert docs.read_text().endswith("## Squid\n\nmine\n")
