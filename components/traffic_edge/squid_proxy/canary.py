"""The egress canary: proof, after every deploy and every few minutes, that traffic leaves through the
allowlisted egress IPs.

Per zone, a CronJob pinned to that zone sends one request through the proxy Service to an IP-echo
URL and compares the address the echo saw with that zone's egress IPs (a ConfigMap, filled from
EgressNatGateways' outputs by the stack layer). The Service's local-zone routing sends it to a
Squid pod of the same zone, which leaves through that zone's NAT gateway.

How the result reaches Prometheus: as the CronJob's own status. The Job succeeds only on a match,
so `status.lastSuccessfulTime` of `<name>-canary-<zone>` is the last time that zone was proven,
and kube-state-metrics (part of kube-prometheus-stack, which already scrapes the cluster) exports
it as `kube_cronjob_status_last_successful_time`. No Pushgateway to run and secure, no metrics
port on a pod that lives seconds, and `kubectl get cronjobs` shows the same thing. The Job's log
says why a run failed (no answer, or which address was seen).
"""

from __future__ import annotations

from typing import Any

from traffic_edge._shared.security import restricted_container
from traffic_edge.squid_proxy.facts import ZONE_LABEL
from traffic_edge.squid_proxy.plan import CanaryPlan, SquidPlan

CANARY_UID = 65534
"""Any non-root uid: the script writes nothing but its output (numeric, so the kubelet can check
runAsNonRoot; the image's user is a name)."""

RUN_DEADLINE_SECONDS = 60
"""A run that has not finished in a minute has failed (curl gives up after 20 s)."""

SCRIPT = r"""set -u
seen=$(curl --silent --show-error --fail --max-time 20 --noproxy '' --proxy "$PROXY_URL" "$ECHO_URL") || {
  echo "canary zone=$ZONE: FAIL: no answer from $ECHO_URL through $PROXY_URL" >&2
  exit 2
}
seen=$(printf '%.64s' "$seen" | tr -d '[:space:]')
for ip in $EXPECTED_IPS; do
  if [ "$seen" = "$ip" ]; then
    echo "canary zone=$ZONE: OK: egress address $seen is one of this zone's egress IPs"
    exit 0
  fi
done
echo "canary zone=$ZONE: FAIL: egress address '$seen' is not one of this zone's egress IPs ($EXPECTED_IPS)" >&2
exit 1
"""
"""What each run executes with `sh -c` (busybox in the default image; the real test runs this text
with dash and curl): exit 0 on a match, 1 on another address, 2 when nothing answered. The echo's
answer is cut to 64 characters before it is printed."""


def canary_labels(name: str) -> dict[str, str]:
    """The canary pods' labels: the proxy's NetworkPolicy admits them to the proxy port."""
    return {"app.kubernetes.io/name": "squid-canary", "app.kubernetes.io/instance": name}


def canary_config_name(name: str) -> str:
    return f"{name}-canary"


def cronjob_name(name: str, zone: str) -> str:
    return f"{name}-canary-{zone}"


def _meta(name: str, namespace: str, proxy: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        "labels": {**canary_labels(proxy), "app.kubernetes.io/part-of": "traffic-edge"},
    }


def expected_ips_data(expected: Any) -> dict[str, str]:
    """ConfigMap data: zone -> its egress IPs, space-separated (what the script's loop splits)."""
    return {str(zone): " ".join(str(ip) for ip in ips) for zone, ips in dict(expected).items()}


def canary_config(plan: SquidPlan, data: Any) -> dict[str, Any]:
    """The ConfigMap of each zone's egress IPs; `data` may be an Output (from EgressNatGateways)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(canary_config_name(plan.name), plan.namespace, plan.name),
        "data": data,
    }


_CONTAINER_SECURITY = restricted_container(CANARY_UID)


def _container(plan: SquidPlan, canary: CanaryPlan, zone: str) -> dict[str, Any]:
    expected = {"configMapKeyRef": {"name": canary_config_name(plan.name), "key": zone}}
    return {
        "name": "canary",
        "image": canary.image,
        "command": ["sh", "-c", SCRIPT],
        "env": [
            {"name": "PROXY_URL", "value": plan.proxy_url},
            {"name": "ECHO_URL", "value": canary.echo_url},
            {"name": "ZONE", "value": zone},
            {"name": "EXPECTED_IPS", "valueFrom": expected},
        ],
        "resources": {
            "requests": {"cpu": "10m", "memory": "16Mi"},
            "limits": {"cpu": "100m", "memory": "32Mi"},
        },
        "securityContext": _CONTAINER_SECURITY,
    }


def _pod(plan: SquidPlan, canary: CanaryPlan, zone: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        # Pinned to the zone: local-zone routing then hands it a Squid pod of the same zone.
        "nodeSelector": {ZONE_LABEL: zone},
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": CANARY_UID,
            "runAsGroup": CANARY_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [_container(plan, canary, zone)],
    }
    if plan.scheduling.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": n} for n in plan.scheduling.image_pull_secrets]
    return {"metadata": {"labels": canary_labels(plan.name)}, "spec": spec}


def schedule(interval_minutes: int) -> str:
    return "0 * * * *" if interval_minutes == 60 else f"*/{interval_minutes} * * * *"


def canary_cronjob(plan: SquidPlan, canary: CanaryPlan, zone: str) -> dict[str, Any]:
    job = {
        # One try: a retry would hide a failure from lastSuccessfulTime only to repeat it.
        "backoffLimit": 0,
        "activeDeadlineSeconds": RUN_DEADLINE_SECONDS,
        "ttlSecondsAfterFinished": canary.interval_minutes * 60 * 3,
        "template": _pod(plan, canary, zone),
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(cronjob_name(plan.name, zone), plan.namespace, plan.name),
        "spec": {
            "schedule": schedule(canary.interval_minutes),
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": canary.interval_minutes * 60,
            "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": job},
        },
    }


def canary_manifests(plan: SquidPlan, ips: Any = None) -> list[dict[str, Any]]:
    """The ConfigMap and one CronJob per zone; `ips` (zone -> IPs, maybe an Output) when the plan
    has none written."""
    canary = plan.canary
    if canary is None:
        return []
    if canary.expected_egress_ips is not None:
        data: Any = expected_ips_data(dict(canary.expected_egress_ips))
    else:
        data = {} if ips is None else ips
    return [canary_config(plan, data), *(canary_cronjob(plan, canary, zone) for zone in plan.zones)]
