#!/usr/bin/env bash
# make plan-diff BASE=<git ref>: plan every stack at <ref> and here, and write the diff.
#
# The base is a detached worktree of <ref> (out/plan-diff/src), planned with its own program,
# stack layer and library (its components/ first on PYTHONPATH) in this checkout's environment;
# a ref older than `traffic-edge plan` is planned with the planner it had (python -m planner.plan),
# whose resources.json has the same shape. Then each stack here is planned with --base, and
# out/plan-diff/summary.md holds every stack's summary.md.
set -euo pipefail
base_ref=${1:?usage: plan-diff.sh <git ref>}
root=$(pwd)
python="$root/.venv/bin/python"
work="$root/out/plan-diff"
rm -rf "$work"
mkdir -p "$work"
git worktree prune
git worktree add --quiet --detach "$work/src" "$base_ref"
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true' EXIT

plan_base() {  # <stack>: the base's own plan of it, or nothing when the base has no such stack
  local stack=$1 out="$work/base/$1"
  [ -e "$work/src/Pulumi.$stack.yaml" ] || return 0
  if [ -d "$work/src/components/traffic_edge/plan" ]; then
    (cd "$work/src" && PYTHONPATH="$work/src/components:$work/src" "$python" -m traffic_edge.plan plan \
      --stack "$stack" --out "$out" --policy-pack policies >/dev/null)
  else
    (cd "$work/src" && PYTHONPATH="$work/src/components:$work/src" "$python" -m planner.plan \
      --stack "$stack" --out "$out" >/dev/null)
  fi
}

status=0
: > "$work/summary.md"
for file in Pulumi.*.yaml; do
  stack=${file#Pulumi.}; stack=${stack%.yaml}
  plan_base "$stack" || echo "plan-diff: the base ($base_ref) does not plan stack $stack" >&2
  args=(--stack "$stack" --out "$root/out/plan/$stack" --policy-pack policies)
  [ -e "$work/base/$stack/resources.json" ] && args+=(--base "$work/base/$stack")
  "$root/.venv/bin/traffic-edge" plan "${args[@]}" >/dev/null || status=1
  if [ -e "$root/out/plan/$stack/summary.md" ]; then
    cat "$root/out/plan/$stack/summary.md" >> "$work/summary.md"
  else
    printf '# Plan for stack `%s`\n\n**the plan failed**: run `make plan STACK=%s`\n' "$stack" "$stack" >> "$work/summary.md"
  fi
  echo >> "$work/summary.md"
done
echo "plan-diff against $base_ref -> out/plan-diff/summary.md"
exit $status
