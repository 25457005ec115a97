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

# Removes everything a lab config created, even when terraform state is gone.
cleanup_lab() {
  local cfg=$1 lab
  lab=$(node -e 'const c=require(process.argv[1]); console.log(c.name || "msm-lab")' "$cfg" 2>/dev/null || echo msm-lab)
  local ids
  ids=$(docker ps -aq --filter "label=msm-kit.lab=$lab" 2>/dev/null)
  [[ -n $ids ]] && docker rm -f $ids >/dev/null 2>&1
  docker network ls -q --filter "label=msm-kit.lab=$lab" | xargs -r docker network rm >/dev/null 2>&1
  rm -f "$ROOT/.msm-kit/state/$lab.tfstate" "$ROOT/.msm-kit/state/$lab.tfstate.backup"
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
step "images" bash scripts/setup/images.sh || exit 1
step "jars" $KIT jars --all || exit 1
TF_RC=$(bash scripts/setup/provider.sh | tail -n 1) || true
step "provider" test -f "$TF_RC" || exit 1
export TF_CLI_CONFIG_FILE=$TF_RC
[[ -d "$HOME/.cache/msm-kit/bin" ]] && export PATH="$PATH:$HOME/.cache/msm-kit/bin"

# Lab configs: the shipped ones, pointed at the offline stand-in images.
make_config() { node scripts/setup/local-config.js "$1" "$2"; } # SRC DEST: the config on the offline stand-ins
make_config lab.config.json "$OUT/non-sticky.json"
make_config examples/sticky.json "$OUT/sticky.json"
CONFIGS=("$OUT/non-sticky.json" "$OUT/sticky.json")
for c in "${CONFIGS[@]}"; do cleanup_lab "$c"; done

drills() { # drills CONFIG
  if [[ ${MSM_KIT_E2E_DRILLS:-1} == 0 ]]; then
    echo "!!! SKIPPED: drills (MSM_KIT_E2E_DRILLS=0); not counted as passed" >&2
    return 0
  fi
  local s
  for s in memcached-down tomcat-down restart; do
    step "drill $s ($(basename "$1" .json))" $KIT drill "$s" --config "$1" --sessions 20 --duration 12
  done
}

# --- non-sticky: the cdktf CLI itself --------------------------------------------
NS=$OUT/non-sticky.json
if step "apply non-sticky (cdktf deploy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" \
    npx --no-install cdktf deploy --auto-approve --skip-provider-lock --outputs-file "$OUT/non-sticky-outputs.json"; then
  step "verify non-sticky (20 requests)" $KIT verify --config "$NS" --requests 20
  step "verify non-sticky with a Tomcat stopped" $KIT verify --config "$NS" --requests 12 --failover
  drills "$NS"
fi
step "destroy non-sticky (cdktf destroy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" \
  npx --no-install cdktf destroy --auto-approve --skip-provider-lock

# --- sticky: the kit's own up/down ----------------------------------------------
ST=$OUT/sticky.json
if step "apply sticky (msm-kit up)" $KIT up --config "$ST" --out "$OUT/sticky"; then
  step "verify sticky (20 requests, one node, stable route)" $KIT verify --config "$ST" --requests 20
  step "verify sticky failover (node stopped, session goes on with its data)" $KIT verify --config "$ST" --requests 12 --failover
  drills "$ST"
fi
step "destroy sticky (msm-kit down)" $KIT down --config "$ST" --out "$OUT/sticky"

step "nothing left behind" bash -c '[[ -z $(docker ps -aq --filter label=msm-kit.lab) && -z $(docker network ls -q --filter label=msm-kit.lab) ]]'
