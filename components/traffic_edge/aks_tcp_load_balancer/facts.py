"""The cloud-provider-azure and Azure facts `AksTcpLoadBalancer` relies on, each with its source.

The annotation names and the provider's defaults are cloud-provider-azure's (the out-of-tree
Azure cloud provider AKS runs, kubernetes-sigs/cloud-provider-azure, ``pkg/consts/consts.go``);
the version boundaries are the pull requests that changed the provider's behaviour, with the
patch releases they were backported to, as docs/aks-tcp-load-balancer.md lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from traffic_edge._shared.versions import KubeVersion

# --- annotation names (cloud-provider-azure pkg/consts/consts.go) ---------------------------

PREFIX = "service.beta.kubernetes.io/"
ANN_RESOURCE_GROUP = PREFIX + "azure-load-balancer-resource-group"
ANN_PIP_NAME = PREFIX + "azure-pip-name"
ANN_INTERNAL = PREFIX + "azure-load-balancer-internal"
ANN_INTERNAL_SUBNET = PREFIX + "azure-load-balancer-internal-subnet"
ANN_IPV4 = PREFIX + "azure-load-balancer-ipv4"
ANN_PROBE_INTERVAL = PREFIX + "azure-load-balancer-health-probe-interval"
ANN_PROBE_NUM = PREFIX + "azure-load-balancer-health-probe-num-of-probe"
ANN_IDLE_TIMEOUT = PREFIX + "azure-load-balancer-tcp-idle-timeout"
ANN_ALLOWED_IP_RANGES = PREFIX + "azure-allowed-ip-ranges"


def port_annotation(port: int, what: str) -> str:
    """A per-port health-probe annotation (consts.go ``HealthProbeAnnotationPrefixPattern``)."""
    return f"{PREFIX}port_{port}_health-probe_{what}"


# --- limits and defaults of the provider -------------------------------------------------------

# cloud-provider-azure's own defaults when an annotation is absent (consts.go
# HealthProbeDefaultProbeInterval, HealthProbeDefaultNumOfProbe).
PROVIDER_DEFAULT_INTERVAL = 5
PROVIDER_DEFAULT_THRESHOLD = 2
# The provider rejects interval x num-of-probe >= 120 s (azure_loadbalancer_healthprobe.go).
PROBE_WINDOW_LIMIT = 120
# The smallest interval and num-of-probe the provider accepts (consts.go: "The minimum probe
# interval is 5 seconds", "The minimum number of probe is 2").
MIN_INTERVAL = 5
MIN_THRESHOLD = 2
# The provider accepts 4-100 minutes; the AKS doc still documents 30 as the maximum.
IDLE_TIMEOUT_RANGE = (4, 100)
IDLE_TIMEOUT_DOCUMENTED_MAX = 30
# A Standard public IP's availability zones: zone-redundant across all three by default
# (docs/aks-tcp-load-balancer.md).
AZURE_ZONES = ("1", "2", "3")

# --- Azure RBAC ---------------------------------------------------------------------------------

# The Azure built-in role "Network Contributor" (its fixed id, as docs/aks-tcp-load-balancer.md
# gives it): what the control-plane identity needs on a public IP outside the node group.
NETWORK_CONTRIBUTOR_ROLE = "4d97b98b-1d4f-4787-a291-c67834d212e7"


# --- version boundaries -------------------------------------------------------------------------


class Support(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ProviderVersion:
    """The cloud-provider-azure version, or only its minor when derived from AKS's Kubernetes version."""

    minor: int
    patch: int | None
    from_kubernetes: bool

    @staticmethod
    def parse(text: object, *, exact: bool) -> ProviderVersion | None:
        """``'1.29'`` or ``'1.29.4'`` from `kubernetes_version`; ``'1.29.4'`` (exact) from `cloud_provider_version`."""
        version = KubeVersion.try_parse(text) if isinstance(text, str) else None
        has_patch = isinstance(text, str) and text.strip().lstrip("v").count(".") == 2
        if version is None or version.major != 1 or (exact and not has_patch):
            return None
        # AKS ships the cloud-provider minor that matches Kubernetes, but its patch numbers are its own.
        return ProviderVersion(version.minor, version.patch if exact else None, not exact)

    def describe(self) -> str:
        if self.from_kubernetes:
            return f"cloud-provider-azure 1.{self.minor}.x (AKS 1.{self.minor})"
        return f"cloud-provider-azure 1.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class Fix:
    """A cloud-provider-azure change: the first minor that has it and the patches it was backported to."""

    first_minor: int
    backports: Mapping[int, int]

    @property
    def first(self) -> str:
        return f"1.{self.first_minor}.0"

    def describe(self) -> str:
        back = ", ".join(f"1.{m}.{p}" for m, p in sorted(self.backports.items(), reverse=True))
        return f"cloud-provider-azure {self.first}" + (f" (backports {back})" if back else "")

    def support(self, v: ProviderVersion) -> Support:
        if v.minor >= self.first_minor:
            return Support.YES
        need = self.backports.get(v.minor)
        if need is None:
            return Support.NO
        if v.patch is None:
            return Support.UNKNOWN
        return Support.YES if v.patch >= need else Support.NO


# cloud-provider-azure PR #3623: num-of-probe written to probeThreshold instead of
# numberOfProbes, which Azure LB ignored.
NUM_OF_PROBE = Fix(27, {26: 8, 25: 12, 24: 18})
# cloud-provider-azure PR #4207: the global interval / num-of-probe also apply to the Local
# policy's healthCheckNodePort probe.
LOCAL_PROBE_SETTINGS = Fix(28, {27: 6, 26: 12, 25: 16})
# azure-allowed-ip-ranges is read from cloud-provider-azure 1.29.0 (docs/aks-tcp-load-balancer.md;
# no PR is cited).
ALLOWED_IP_RANGES = Fix(29, {})
