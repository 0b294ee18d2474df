#!/usr/bin/env bash
# Apply an overlay in the order a rollout needs (see README.md):
#
#   deploy/k8s/apply.sh <dev|prod>
#
#   1. the namespace
#   2. a check that the Secrets the manifests reference exist (nothing secret lives in git)
#   3. infrastructure: NATS, PostgreSQL (CloudNativePG), Ingress, NetworkPolicies; wait until ready
#   4. the migrations Jobs (deleted and re-created: a Job's template is immutable); wait for success
#   5. everything else (gateway, subgraphs); wait for the rollouts
#
# Argo CD / Flux users: the Jobs carry PreSync hook annotations; the same order follows from them.
set -euo pipefail

overlay="${1:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/overlays/$overlay"
if [[ -z "$overlay" || ! -f "$dir/kustomization.yaml" ]]; then
  echo "usage: $0 <$(ls "$here/overlays" | paste -sd '|')>" >&2
  exit 64
fi
ns="$(sed -n 's/^namespace: *//p' "$dir/kustomization.yaml")"
timeout="${ROLLOUT_TIMEOUT:-15m}"
rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$dir" >"$rendered"

step() { echo; echo "=== $*"; }
apply_phase() { kubectl apply -f "$rendered" --selector "$1"; }

step "namespace $ns"
apply_phase 'app.kubernetes.io/component=namespace'

step "secrets"
missing=()
for secret in switchboard-signing gateway-auth payments-db commerce-db billing-db helpdesk-db; do
  kubectl -n "$ns" get secret "$secret" >/dev/null 2>&1 || missing+=("$secret")
done
if (( ${#missing[@]} > 0 )); then
  echo "missing Secrets in namespace $ns: ${missing[*]}" >&2
  echo "create them as described in deploy/k8s/README.md (First install), then run this again." >&2
  exit 1
fi

step "infrastructure: NATS, PostgreSQL, Ingress, NetworkPolicies"
apply_phase 'app.kubernetes.io/component notin (namespace,migrations,gateway,subgraph)'
kubectl -n "$ns" rollout status statefulset/nats --timeout="$timeout"
kubectl -n "$ns" wait cluster.postgresql.cnpg.io/switchboard-pg --for=condition=Ready --timeout="$timeout"

step "migrations"
kubectl -n "$ns" delete job --selector app.kubernetes.io/component=migrations --ignore-not-found --wait=true
apply_phase 'app.kubernetes.io/component=migrations'
deadline=$(( $(date +%s) + ${MIGRATION_TIMEOUT_SECONDS:-900} ))
for job in $(kubectl -n "$ns" get job --selector app.kubernetes.io/component=migrations -o name); do
  while :; do
    state="$(kubectl -n "$ns" get "$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')"
    if [[ "$state" == *Complete* ]]; then echo "$job: complete"; break; fi
    if [[ "$state" == *Failed* || $(date +%s) -gt $deadline ]]; then
      echo "$job did not complete (${state:-timed out}); its logs:" >&2
      kubectl -n "$ns" logs "$job" --all-containers --tail=100 >&2 || true
      echo "nothing was rolled out; fix the cause and run this again." >&2
      exit 1
    fi
    sleep 5
  done
done

step "services"
kubectl apply -f "$rendered"
for deployment in $(kubectl -n "$ns" get deployment --selector app.kubernetes.io/part-of=switchboard -o name); do
  kubectl -n "$ns" rollout status "$deployment" --timeout="$timeout"
done
echo
echo "=== $overlay rolled out to namespace $ns"
