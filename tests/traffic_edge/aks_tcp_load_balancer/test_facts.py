"""The cloud-provider-azure version boundaries and how a configured version is read."""

from __future__ import annotations

import pytest

from traffic_edge.aks_tcp_load_balancer.facts import (
    ALLOWED_IP_RANGES,
    LOCAL_PROBE_SETTINGS,
    NUM_OF_PROBE,
    ProviderVersion,
    Support,
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


def test_allowed_ip_ranges_start_at_1_29_without_backports() -> None:
    assert ALLOWED_IP_RANGES.support(ProviderVersion(28, 99, False)) is Support.NO
    assert ALLOWED_IP_RANGES.support(ProviderVersion(28, None, True)) is Support.NO
    assert ALLOWED_IP_RANGES.support(ProviderVersion(29, None, True)) is Support.YES
    assert ALLOWED_IP_RANGES.describe() == "cloud-provider-azure 1.29.0"


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
