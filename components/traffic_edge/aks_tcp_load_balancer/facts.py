"""The cloud-provider-azure and Azure facts `AksTcpLoadBalancer` relies on, each with its source.

The annotation names and the provider's defaults are cloud-provider-azure's (the out-of-tree
Azure cloud provider AKS runs, kubernetes-sigs/cloud-provider-azure, ``pkg/consts/consts.go``);
the version boundaries are the pull requests that changed the provider's behaviour, with the
first patch release of each release branch its cherry-pick reached (checked with
``git tag --contains`` on the merge commit). ``FACTS`` at the end cites every constant; the
table is rendered into docs/aks-tcp-load-balancer.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from traffic_edge._shared.facts import Fact, Source
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
ANN_DISABLE_TCP_RESET = PREFIX + "azure-load-balancer-disable-tcp-reset"
ANN_PIP_NAME_IPV6 = PREFIX + "azure-pip-name-ipv6"
ANN_ALLOWED_SERVICE_TAGS = PREFIX + "azure-allowed-service-tags"
ANN_DENY_ALL_EXCEPT = PREFIX + "azure-deny-all-except-load-balancer-source-ranges"
# Read only when the provider creates a public IP itself (ensurePublicIPExists, creation branch):
# this component always names an existing PIP, so it sets the prefix and IP tags on that PIP
# instead and never writes these.
CREATION_ONLY_ANNOTATIONS = (
    PREFIX + "azure-pip-prefix-id",
    PREFIX + "azure-pip-prefix-id-ipv6",
    PREFIX + "azure-pip-ip-tags",
    PREFIX + "azure-pip-tags",
)
# consts.go PortAnnotationPrefixPattern "service.beta.kubernetes.io/port_%d_%s" filled with
# HealthProbeAnnotationPrefixPattern "health-probe_%s".
PORT_PROBE_ANNOTATION = PREFIX + "port_{port}_health-probe_{what}"


def port_annotation(port: int, what: str) -> str:
    """A per-port health-probe annotation (`PORT_PROBE_ANNOTATION`)."""
    return PORT_PROBE_ANNOTATION.format(port=port, what=what)


# --- limits and defaults of the provider -------------------------------------------------------

# cloud-provider-azure's own defaults when an annotation is absent (consts.go
# HealthProbeDefaultProbeInterval, HealthProbeDefaultNumOfProbe).
PROVIDER_DEFAULT_INTERVAL = 5
PROVIDER_DEFAULT_THRESHOLD = 2
# The provider rejects interval x num-of-probe >= 120 s (azure_loadbalancer_healthprobe.go).
PROBE_WINDOW_LIMIT = 120
# The smallest interval and num-of-probe the provider accepts (its validators in
# azure_loadbalancer_healthprobe.go: MinimumProbeIntervalInSecond 5, MinimumNumOfProbe 2).
MIN_INTERVAL = 5
MIN_THRESHOLD = 2
# The provider accepts 4-100 minutes; the AKS doc still documents 30 as the maximum.
IDLE_TIMEOUT_RANGE = (4, 100)
IDLE_TIMEOUT_DOCUMENTED_MAX = 30
# A Standard public IP's availability zones: zone-redundant across all three by default.
AZURE_ZONES = ("1", "2", "3")
# The prefix lengths a Microsoft-owned public IP prefix may have (2 to 16 addresses).
PREFIX_LENGTHS = {"IPv4": (28, 31), "IPv6": (124, 127)}
# The cluster-wide clusterServiceLoadBalancerHealthProbeMode values (consts.go; the provider
# compares them case-insensitively). The default builds one probe per Service port.
PROBE_MODE_SERVICE_NODE_PORT = "servicenodeport"
PROBE_MODE_SHARED = "shared"

# --- Azure RBAC ---------------------------------------------------------------------------------

# The Azure built-in role "Network Contributor" (its fixed id): what the control-plane identity
# needs on a public IP outside the node resource group.
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


# PR #3623: num-of-probe written to probeThreshold instead of numberOfProbes, which Azure LB ignored.
NUM_OF_PROBE = Fix(27, {26: 8, 25: 12, 24: 18})
# PR #4207: the global interval / num-of-probe also apply to the Local policy's healthCheckNodePort probe.
LOCAL_PROBE_SETTINGS = Fix(28, {27: 6, 26: 12, 25: 16})
# PR #4762: azure-allowed-ip-ranges, an NSG-only allow-list.
ALLOWED_IP_RANGES = Fix(29, {28: 5, 27: 13, 26: 19, 25: 24})
# PR #4519: azure-load-balancer-disable-tcp-reset is read again (EnableTCPReset = !IsTCPResetDisabled
# on Standard-LB TCP rules). PR #625 (2021, v1.0.1) had removed it: TCP reset was then always on.
DISABLE_TCP_RESET = Fix(29, {28: 1, 27: 9, 26: 15, 25: 19})
# PR #4891: clusterServiceLoadBalancerHealthProbeMode 'shared'; for a Service with
# externalTrafficPolicy Cluster no per-port probe is built (useSharedProbe) and the shared probe has
# fixed 5 s / 2 probes, so every probe annotation of that Service is ignored.
SHARED_PROBE_MODE = Fix(29, {28: 5})
# PR #3527: a user-assigned public IP (one named by azure-pip-name) is no longer re-tagged by the
# provider (ensurePIPTagged skipped); before, it reconciled the PIP's tags to the cluster's and the
# azure-pip-tags annotation's on every sync, against the tags Pulumi sets.
USER_PIP_TAGS_KEPT = Fix(27, {26: 7, 25: 11, 24: 17, 23: 30})
# PRs #3415 and #3404: dual-stack Services; azure-pip-name-ipv6 names the IPv6 frontend's public IP
# (getServicePIPName(service, isIPv6)). Not backported: 1.26.22, the last 1.26, has no IPv6 PIP.
DUAL_STACK = Fix(27, {})
# azure-allowed-service-tags: read by every 1.x release (getServiceTags, copied from the in-tree
# provider); PR #4762 (ALLOWED_IP_RANGES) lets it be combined with azure-allowed-ip-ranges.
ALLOWED_SERVICE_TAGS = Fix(0, {})
# azure-deny-all-except-load-balancer-source-ranges: PR #487 (v0.7.1, so every 1.x) adds the deny
# rule for spec.loadBalancerSourceRanges; PR #5164 also counts azure-allowed-ip-ranges
# (DenyAllExceptSourceRanges). Not backported: release-1.28 up to 1.28.14 still checks only the spec.
DENY_ALL_WITH_ALLOWED_IP_RANGES = Fix(29, {})


# --- sources ------------------------------------------------------------------------------------

_CPA = "kubernetes-sigs/cloud-provider-azure"
_CONSTS_29 = Source(_CPA, "pkg/consts/consts.go", "v1.29.0")
_CONSTS_33 = Source(_CPA, "pkg/consts/consts.go", "v1.33.2")
_PROBE_GO = Source(_CPA, "pkg/provider/azure_loadbalancer_healthprobe.go", "v1.29.0")
_AKS_LB_DOC = Source(
    "MicrosoftDocs/azure-aks-docs",
    "articles/aks/configure-load-balancer-standard.md, annotations table",
    "0102fb69188b",
)


def _annotation(name: str, says: str) -> Fact:
    return Fact(name, says, (_CONSTS_29, _CONSTS_33))


FACTS: tuple[Fact, ...] = (
    _annotation("PREFIX", "the prefix of every cloud-provider-azure Service annotation"),
    _annotation("ANN_RESOURCE_GROUP", "resource group of the public IP (only used to find it)"),
    _annotation(
        "ANN_PIP_NAME",
        "name of the existing public IP the frontend uses (ServiceAnnotationPIPNameDualStack, IPv4 entry)",
    ),
    _annotation("ANN_INTERNAL", "make the load balancer internal"),
    _annotation("ANN_INTERNAL_SUBNET", "subnet of the internal load balancer"),
    _annotation(
        "ANN_IPV4", "fixed IPv4 frontend address (ServiceAnnotationLoadBalancerIPDualStack, IPv4 entry)"
    ),
    _annotation("ANN_PROBE_INTERVAL", "global health-probe interval, seconds"),
    _annotation("ANN_PROBE_NUM", "global health-probe num-of-probe"),
    _annotation("ANN_IDLE_TIMEOUT", "TCP idle timeout of the load-balancing rules, minutes"),
    _annotation(
        "ANN_ALLOWED_IP_RANGES", "client CIDRs allowed in by the NSG only (ServiceAnnotationAllowedIPRanges)"
    ),
    _annotation("ANN_DISABLE_TCP_RESET", "'true' turns TCP reset off on the Service's Standard-LB TCP rules"),
    _annotation(
        "ANN_PIP_NAME_IPV6", "name of the existing public IP of the IPv6 frontend (dual-stack Services)"
    ),
    _annotation(
        "ANN_ALLOWED_SERVICE_TAGS",
        "Azure service tags allowed in by the NSG (ServiceAnnotationAllowedServiceTags)",
    ),
    _annotation(
        "ANN_DENY_ALL_EXCEPT",
        "'true' adds an NSG rule denying every source not allowed, the virtual network's included",
    ),
    Fact(
        "CREATION_ONLY_ANNOTATIONS",
        "read only when the provider creates the public IP itself, so never written: the component sets the "
        "prefix, IP tags and tags on the PIP it creates and names",
        (_CONSTS_29, Source(_CPA, "pkg/provider/azure_loadbalancer.go ensurePublicIPExists", "v1.29.0")),
    ),
    _annotation(
        "PORT_PROBE_ANNOTATION",
        "per-port probe keys: PortAnnotationPrefixPattern + HealthProbeAnnotationPrefixPattern",
    ),
    _annotation(
        "PROVIDER_DEFAULT_INTERVAL",
        "probe interval when no annotation sets one (HealthProbeDefaultProbeInterval)",
    ),
    _annotation(
        "PROVIDER_DEFAULT_THRESHOLD",
        "num-of-probe when no annotation sets one (HealthProbeDefaultNumOfProbe)",
    ),
    Fact(
        "PROBE_WINDOW_LIMIT",
        "the provider rejects interval x num-of-probe of this many seconds or more",
        (_PROBE_GO,),
    ),
    Fact("MIN_INTERVAL", "the shortest probe interval the provider accepts, seconds", (_PROBE_GO,)),
    Fact("MIN_THRESHOLD", "the fewest probes the provider accepts", (_PROBE_GO,)),
    Fact(
        "IDLE_TIMEOUT_RANGE",
        "the idle-timeout minutes the provider accepts",
        (
            Source(
                _CPA,
                "pkg/provider/azure_loadbalancer.go getExpectedLoadBalancingRulePropertiesForPort",
                "v1.29.0",
            ),
        ),
    ),
    Fact(
        "IDLE_TIMEOUT_DOCUMENTED_MAX",
        "the maximum the AKS documentation still gives, minutes",
        (_AKS_LB_DOC,),
    ),
    Fact(
        "AZURE_ZONES",
        "the zones of a zone-redundant Standard public IP (regions with three zones)",
        (
            Source(
                "MicrosoftDocs/azure-docs",
                "articles/virtual-network/ip-services/public-ip-addresses.md, SKU table: availability zones",
                "014bcff1b6be",
            ),
        ),
    ),
    Fact(
        "PREFIX_LENGTHS",
        "the lengths a public IP prefix may have, per IP version (16 to 2 addresses)",
        (
            Source(
                "MicrosoftDocs/azure-docs",
                "articles/virtual-network/ip-services/public-ip-address-prefix.md, Prefix sizes",
                "a904abc0eddc",
            ),
        ),
    ),
    Fact(
        "PROBE_MODE_SERVICE_NODE_PORT",
        "clusterServiceLoadBalancerHealthProbeMode default: one probe per Service port",
        (_CONSTS_29, Source(_CPA, "pkg/provider/azure.go", "v1.29.0")),
    ),
    Fact(
        "PROBE_MODE_SHARED",
        "clusterServiceLoadBalancerHealthProbeMode 'shared': one probe of kube-proxy for every Cluster-policy Service",
        (
            _CONSTS_29,
            Source(_CPA, "pkg/provider/azure.go", "v1.29.0"),
            Source("MicrosoftDocs/azure-aks-docs", "articles/aks/shared-health-probes.md", "91d29394155f"),
        ),
    ),
    Fact(
        "NETWORK_CONTRIBUTOR_ROLE",
        "id of the built-in role Network Contributor",
        (
            Source(
                "MicrosoftDocs/azure-docs",
                "articles/role-based-access-control/built-in-roles/networking.md, Network Contributor",
                "03adcc30b28e",
            ),
        ),
    ),
    Fact(
        "NUM_OF_PROBE",
        "num-of-probe reaches probeThreshold (before: numberOfProbes, which Azure LB ignores)",
        (
            Source(
                _CPA,
                "PR #3623; cherry-picks #3656 (1.26), #3657 (1.25), #3658 (1.24)",
                "v1.27.0, v1.26.8, v1.25.12, v1.24.18",
            ),
        ),
    ),
    Fact(
        "LOCAL_PROBE_SETTINGS",
        "global interval / num-of-probe apply to the Local policy's healthCheckNodePort probe",
        (
            Source(
                _CPA,
                "PR #4207; cherry-picks #4290 (1.27), #4291 (1.26), #4295 (1.25)",
                "v1.28.0, v1.27.6, v1.26.12, v1.25.16",
            ),
        ),
    ),
    Fact(
        "ALLOWED_IP_RANGES",
        "azure-allowed-ip-ranges is read (NSG rules)",
        (
            Source(
                _CPA,
                "PR #4762; cherry-picks #4975 (1.28), #4974 (1.27), #5123 (1.26), #5124 (1.25)",
                "v1.29.0, v1.28.5, v1.27.13, v1.26.19, v1.25.24",
            ),
        ),
    ),
    Fact(
        "DISABLE_TCP_RESET",
        "azure-load-balancer-disable-tcp-reset is read again (removed by PR #625, v1.0.1)",
        (
            Source(
                _CPA,
                "PR #4519; cherry-picks #4552 (1.28), #4553 (1.27), #4554 (1.26), #4555 (1.25)",
                "v1.29.0, v1.28.1, v1.27.9, v1.26.15, v1.25.19",
            ),
        ),
    ),
    Fact(
        "SHARED_PROBE_MODE",
        "the shared probe mode exists; with it a Cluster-policy Service gets no probe of its own (useSharedProbe)",
        (
            Source(
                _CPA,
                "PR #4891; cherry-pick #5157 (1.28); pkg/provider/azure_loadbalancer.go",
                "v1.29.0, v1.28.5",
            ),
        ),
    ),
    Fact(
        "USER_PIP_TAGS_KEPT",
        "the provider leaves the tags of a public IP named by azure-pip-name alone (before: ensurePIPTagged "
        "rewrote them)",
        (
            Source(
                _CPA,
                "PR #3527; cherry-picks #3531 (1.26), #3530 (1.25), #3529 (1.24), #3528 (1.23)",
                "v1.27.0, v1.26.7, v1.25.11, v1.24.17, v1.23.30",
            ),
        ),
    ),
    Fact(
        "DUAL_STACK",
        "dual-stack Services: azure-pip-name-ipv6 names the IPv6 frontend's public IP",
        (
            Source(_CPA, "PRs #3415, #3404; pkg/provider/azure_utils.go getServicePIPName", "v1.27.0"),
            Source(_CPA, "pkg/provider/azure_utils.go getServicePIPName (no IPv6)", "v1.26.22"),
        ),
    ),
    Fact(
        "ALLOWED_SERVICE_TAGS",
        "azure-allowed-service-tags is read by every 1.x release, and then replaces the allow-from-Internet rule",
        (
            Source(
                _CPA, "pkg/provider/azure_loadbalancer.go getServiceTags, reconcileSecurityGroup", "v1.0.0"
            ),
        ),
    ),
    Fact(
        "DENY_ALL_WITH_ALLOWED_IP_RANGES",
        "the deny-all rule also counts azure-allowed-ip-ranges (before: only spec.loadBalancerSourceRanges, "
        "since PR #487 in v0.7.1)",
        (
            Source(
                _CPA,
                "PR #5164; pkg/provider/loadbalancer/accesscontrol.go DenyAllExceptSourceRanges",
                "v1.29.0",
            ),
            Source(_CPA, "pkg/provider/azure_loadbalancer.go getExpectedSecurityRules", "v1.28.14"),
        ),
    ),
)
