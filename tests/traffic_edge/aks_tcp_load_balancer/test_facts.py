"""The cloud-provider-azure version boundaries and how a configured version is read."""

from __future__ import annotations

import re

import pytest

from tests.support.stacks import REPO
from traffic_edge._shared import facts as shared_facts
from traffic_edge.aks_tcp_load_balancer import facts
from traffic_edge.aks_tcp_load_balancer.facts import (
    ALLOWED_IP_RANGES,
    DISABLE_TCP_RESET,
    LOCAL_PROBE_SETTINGS,
    NUM_OF_PROBE,
    SHARED_PROBE_MODE,
    Fix,
    ProviderVersion,
    Support,
    port_annotation,
)


@pytest.mark.parametrize(
    ("text", "exact", "expected"),
    [
        ("1.26.8", True, Support.YES),
        ("1.26.7", True, Support.NO),
        ("1.25.12", True, Support.YES),
        ("1.25.11", True, Support.NO),
        ("1.24.18", True, Support.YES),
        ("1.24.17", True, Support.NO),
        ("1.23.99", True, Support.NO),
        ("1.27.0", True, Support.YES),
        ("1.26", False, Support.UNKNOWN),
        ("1.27", False, Support.YES),
        ("1.23", False, Support.NO),
    ],
)
def test_num_of_probe_fix_boundaries(text: str, exact: bool, expected: Support) -> None:
    version = ProviderVersion.parse(text, exact=exact)
    assert version is not None
    assert NUM_OF_PROBE.support(version) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.28.0", Support.YES),
        ("1.27.6", Support.YES),
        ("1.27.5", Support.NO),
        ("1.26.12", Support.YES),
        ("1.26.11", Support.NO),
        ("1.25.16", Support.YES),
        ("1.25.15", Support.NO),
        ("1.24.30", Support.NO),
    ],
)
def test_local_probe_settings_fix_boundaries(text: str, expected: Support) -> None:
    version = ProviderVersion.parse(text, exact=True)
    assert version is not None
    assert LOCAL_PROBE_SETTINGS.support(version) is expected


def _support(fix: Fix, text: str) -> Support:
    version = ProviderVersion.parse(text, exact=text.count(".") == 2)
    assert version is not None
    return fix.support(version)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PR #4762 in 1.29.0; the first patch of each release branch with its cherry-pick
        ("1.29.0", Support.YES),
        ("1.28.4", Support.NO),
        ("1.28.5", Support.YES),
        ("1.27.12", Support.NO),
        ("1.27.13", Support.YES),
        ("1.26.18", Support.NO),
        ("1.26.19", Support.YES),
        ("1.25.23", Support.NO),
        ("1.25.24", Support.YES),
        ("1.24.22", Support.NO),
        ("1.28", Support.UNKNOWN),
        ("1.25", Support.UNKNOWN),
        ("1.24", Support.NO),
    ],
)
def test_allowed_ip_ranges_boundary_and_backports(text: str, expected: Support) -> None:
    assert _support(ALLOWED_IP_RANGES, text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PR #4519 in 1.29.0; cherry-picks #4552-#4555
        ("1.29.0", Support.YES),
        ("1.28.0", Support.NO),
        ("1.28.1", Support.YES),
        ("1.27.8", Support.NO),
        ("1.27.9", Support.YES),
        ("1.26.14", Support.NO),
        ("1.26.15", Support.YES),
        ("1.25.18", Support.NO),
        ("1.25.19", Support.YES),
        ("1.24.22", Support.NO),
        ("1.27", Support.UNKNOWN),
    ],
)
def test_disable_tcp_reset_boundary_and_backports(text: str, expected: Support) -> None:
    assert _support(DISABLE_TCP_RESET, text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PR #4891 in 1.29.0; cherry-pick #5157 to 1.28 only
        ("1.29.0", Support.YES),
        ("1.28.4", Support.NO),
        ("1.28.5", Support.YES),
        ("1.27.21", Support.NO),
        ("1.28", Support.UNKNOWN),
        ("1.27", Support.NO),
    ],
)
def test_shared_probe_mode_boundary_and_backport(text: str, expected: Support) -> None:
    assert _support(SHARED_PROBE_MODE, text) is expected


def test_fixes_describe_their_backports_as_the_docs_show_them() -> None:
    assert ALLOWED_IP_RANGES.describe() == (
        "cloud-provider-azure 1.29.0 (backports 1.28.5, 1.27.13, 1.26.19, 1.25.24)"
    )
    assert DISABLE_TCP_RESET.describe() == (
        "cloud-provider-azure 1.29.0 (backports 1.28.1, 1.27.9, 1.26.15, 1.25.19)"
    )
    assert SHARED_PROBE_MODE.describe() == "cloud-provider-azure 1.29.0 (backports 1.28.5)"


def test_the_per_port_annotation_follows_the_providers_pattern() -> None:
    assert port_annotation(9999, "num-of-probe") == (
        "service.beta.kubernetes.io/port_9999_health-probe_num-of-probe"
    )


def test_every_fact_cites_a_tag_or_commit() -> None:
    for fact in facts.FACTS:
        for source in fact.sources:
            assert source.at and source.where and "/" in source.repo, fact.name


def test_kubernetes_patch_is_not_taken_for_the_cloud_provider_patch() -> None:
    assert ProviderVersion.parse("1.26.15", exact=False) == ProviderVersion(26, None, True)
    assert ProviderVersion.parse("v1.26.15", exact=True) == ProviderVersion(26, 15, False)


@pytest.mark.parametrize(
    ("text", "exact"), [("1.27", True), ("2.0", False), ("1", False), ("latest", False), (1.3, False)]
)
def test_what_is_no_version(text: object, exact: bool) -> None:
    assert ProviderVersion.parse(text, exact=exact) is None


def test_versions_describe_themselves_as_the_warnings_show_them() -> None:
    assert ProviderVersion(26, None, True).describe() == "cloud-provider-azure 1.26.x (AKS 1.26)"
    assert ProviderVersion(26, 7, False).describe() == "cloud-provider-azure 1.26.7"
    assert NUM_OF_PROBE.describe() == "cloud-provider-azure 1.27.0 (backports 1.26.8, 1.25.12, 1.24.18)"


def test_the_docs_version_matrix_names_every_boundary_and_leaves_the_numbers_to_the_facts_table() -> None:
    doc = (REPO / "docs" / "aks-tcp-load-balancer.md").read_text()
    matrix = doc[doc.index("## Version awareness") : doc.index("## Version facts and sources")]
    boundaries = [name for name in shared_facts.constants(facts) if isinstance(getattr(facts, name), Fix)]
    assert boundaries == [
        "NUM_OF_PROBE",
        "LOCAL_PROBE_SETTINGS",
        "ALLOWED_IP_RANGES",
        "DISABLE_TCP_RESET",
        "SHARED_PROBE_MODE",
        "USER_PIP_TAGS_KEPT",
        "DUAL_STACK",
        "ALLOWED_SERVICE_TAGS",
        "DENY_ALL_WITH_ALLOWED_IP_RANGES",
    ]
    assert all(f"| `{name}` |" in matrix for name in boundaries)
    # The versions live only in the rendered facts table, so the two cannot disagree.
    assert re.search(r"\b1\.\d+\.\d+\b", matrix) is None
