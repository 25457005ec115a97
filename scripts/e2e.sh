#!/usr/bin/env bash
# End-to-end: the real lab on the real Docker engine, twice.
#
#   1. set up the engine, the offline stand-in images, the jars and the provider;
#   2. non-sticky lab: `cdktf deploy` (the cdktf CLI on cdktf.json), verify, drills, `cdktf destroy`;
#   3. sticky lab: `msm-kit up`, verify, verify --failover, drills, `msm-kit down`.
#
# Cleanup runs whatever happens (trap): no container, network or state is left.
# Every failing step names the piece that failed. Prints "N passed, N failed".
# Env: MSM_KIT_E2E_DRILLS=0 skips the drills (they still print SKIPPED loudly).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CHECKPOINT_DISABLE=1
OUT=$ROOT/out/e2e
mkdir -p "$OUT"
KIT="node $ROOT/bin/msm-kit.js"

passed=0
failed=0
declare -a failures=()
T0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
declare -a timings=()

# step NAME COMMAND... : runs a step, records pass/fail and its time.
step() {
  local name=$1 t=$EPOCHREALTIME; shift
  echo
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
    timings+=("$name: $(since "$t") s")
    echo "--- ok: $name ($(since "$t") s)"
    return 0
  fi
  failed=$((failed + 1))
  failures+=("$name")
  timings+=("$name: $(since "$t") s (FAILED)")
  echo "--- FAILED: $name ($(since "$t") s)" >&2
  return 1
}

# fact CONFIG OUT EXPR: a lab fact from the kit's typed door (msm-kit validate --json).
fact() { $KIT validate --json --config "$1" --out "$2" | node -p "JSON.parse(require('fs').readFileSync(0)).$3"; }

# Removes everything a lab created, even when terraform state is gone. Entries: CONFIG:OUT.
cleanup_lab() {
  local cfg=${1%%:*} out=${1#*:} lab state ids
  lab=$(fact "$cfg" "$out" name) || return 0
  state=$(fact "$cfg" "$out" statePath)
  ids=$(docker ps -aq --filter "label=msm-kit.lab=$lab" 2>/dev/null)
  [[ -n $ids ]] && docker rm -f $ids >/dev/null 2>&1
  docker network ls -q --filter "label=msm-kit.lab=$lab" | xargs -r docker network rm >/dev/null 2>&1
  rm -f "$state" "$state.backup"
  return 0
}

CONFIGS=()
on_exit() {
  local rc=$?
  echo
  echo "=== cleanup"
  for c in "${CONFIGS[@]}"; do cleanup_lab "$c"; done
  left=$(docker ps -aq --filter label=msm-kit.lab 2>/dev/null | wc -l)
  echo "containers left with an msm-kit.lab label: $left"
  echo
  echo "=== timings (total $(since "$T0") s)"
  printf '  %s\n' "${timings[@]}"
  [[ ${#failures[@]} -gt 0 ]] && printf 'failed step: %s\n' "${failures[@]}" >&2
  echo "e2e: $passed passed, $failed failed"
  [[ $failed -eq 0 && $rc -eq 0 ]] || exit 1
}
trap on_exit EXIT

# --- setup: each piece says what failed ---------------------------------------
step "engine" bash scripts/setup/engine.sh || exit 1
step "images (official, or offline stand-ins)" $KIT images --config lab.config.json || exit 1
SI=()
[[ $($KIT images --config lab.config.json --json | node -p 'JSON.parse(require("fs").readFileSync(0)).standIns') == true ]] && SI=(--stand-ins)
step "images (sticky lab)" $KIT images --config examples/sticky.json || exit 1
step "jars" $KIT jars --all || exit 1
TF_RC=$(bash scripts/setup/provider.sh | tail -n 1) || true
step "provider" test -f "$TF_RC" || exit 1
export TF_CLI_CONFIG_FILE=$TF_RC
[[ -d "$HOME/.cache/msm-kit/bin" ]] && export PATH="$PATH:$HOME/.cache/msm-kit/bin"

# Lab configs: the shipped ones (on the offline stand-ins when there is no registry).
NS=$ROOT/lab.config.json
ST=$ROOT/examples/sticky.json
CONFIGS=("$NS:$OUT/non-sticky" "$ST:$OUT/sticky")
for c in "${CONFIGS[@]}"; do cleanup_lab "$c"; done

drills() { # drills CONFIG
  if [[ ${MSM_KIT_E2E_DRILLS:-1} == 0 ]]; then
    echo "!!! SKIPPED: drills (MSM_KIT_E2E_DRILLS=0); not counted as passed" >&2
    return 0
  fi
  local s
  for s in memcached-down tomcat-down restart; do
    step "drill $s ($(basename "$1" .json))" $KIT drill "$s" --config "$1" "${SI[@]}" --sessions 20 --duration 12
  done
}

# --- non-sticky: the cdktf CLI itself --------------------------------------------
STAND_INS_ENV=$([[ ${#SI[@]} -gt 0 ]] && echo 1 || echo 0)
if step "apply non-sticky (cdktf deploy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" MSM_KIT_STAND_INS="$STAND_INS_ENV" \
    npx --no-install cdktf deploy --auto-approve --skip-provider-lock --outputs-file "$OUT/non-sticky-outputs.json"; then
  step "verify non-sticky (20 requests)" $KIT verify --config "$NS" --requests 20
  step "verify non-sticky with a Tomcat stopped" $KIT verify --config "$NS" --requests 12 --failover
  drills "$NS"
fi
step "destroy non-sticky (cdktf destroy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" MSM_KIT_STAND_INS="$STAND_INS_ENV" \
  npx --no-install cdktf destroy --auto-approve --skip-provider-lock

# --- sticky: the kit's own up/down ----------------------------------------------
if step "apply sticky (msm-kit up)" $KIT up --config "$ST" --out "$OUT/sticky" "${SI[@]}"; then
  step "verify sticky (20 requests, one node, stable route)" $KIT verify --config "$ST" --requests 20
  step "verify sticky failover (node stopped, session goes on with its data)" $KIT verify --config "$ST" --requests 12 --failover
  drills "$ST"
fi
step "destroy sticky (msm-kit down)" $KIT down --config "$ST" --out "$OUT/sticky"

step "nothing left behind" bash -c '[[ -z $(docker ps -aq --filter label=msm-kit.lab) && -z $(docker network ls -q --filter label=msm-kit.lab) ]]'
