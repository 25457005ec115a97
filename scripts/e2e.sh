#!/usr/bin/env bash
# End-to-end: real labs on the real Docker engine.
#
#   1. set up the engine, the offline stand-in images, the jars and the provider;
#   2. non-sticky lab: `cdktf deploy` (the cdktf CLI on cdktf.json), verify, drills, soak, `cdktf destroy`;
#   3. the TypeScript scenarios (test/e2e/*.e2e.ts, two files at a time, typed results through the
#      library): the sticky lab, the walkthrough's lab (Tomcat 7 / Java 8 / Kryo) and its sticky
#      variant (up, verify, verify --failover, drills, down), rolling changes under load, your own
#      webapp, SASL, TLS, FORM login, Redis, Tomcat 10.1/11;
#   4. Swarm (scripts/e2e-swarm.sh: it builds a cluster of hosts in network namespaces);
#   5. the version matrix (scripts/matrix.js): every accepted Tomcat × Java × serializer;
#   and, without Docker, `msm-kit bundle` on two real Tomcats (scripts/e2e-bundle.sh).
#
# Cleanup runs whatever happens (trap): no container, network or state is left.
# Every failing step names the piece that failed. Prints "N passed, N failed".
# Env: MSM_KIT_E2E_DRILLS=0 skips the drills, MSM_KIT_E2E_MATRIX=0 the matrix (both print SKIPPED loudly);
#      MSM_KIT_E2E_QUICK=1 runs one lab per engine and two scenarios only (lab.sh test quick; says what it leaves out);
#      MSM_KIT_E2E_WORKERS (2) / MSM_KIT_E2E_DRILL_WORKERS (1): TypeScript scenarios at a time, without / with drills.
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
# Disk: on vfs every image and container is a full copy. After each step the free room is
# noted (the lowest is printed with the timings); below DISK_LOW GB the kit's unused lab
# images are reclaimed, loudly (scripts/setup/disk.sh).
DISK_LOW=12
disk_start=$(bash scripts/setup/disk.sh free)
disk_min=$disk_start
disk_note() {
  local f
  f=$(bash scripts/setup/disk.sh free) || return 0
  ((f < disk_min)) && disk_min=$f
  if ((f < DISK_LOW)); then
    echo "!!! disk: $f GB free (below $DISK_LOW GB): reclaiming unused lab images" >&2
    bash scripts/setup/disk.sh reclaim >&2 || true
  fi
  return 0
}

# step NAME COMMAND... : runs a step, records pass/fail and its time.
step() {
  local name=$1 t=$EPOCHREALTIME; shift
  echo
  echo "=== $name"
  if "$@"; then
    disk_note
    passed=$((passed + 1))
    timings+=("$name: $(since "$t") s")
    echo "--- ok: $name ($(since "$t") s)"
    return 0
  fi
  disk_note
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
  for lab in msm-matrix msm-matrix-1 msm-matrix-2 msm-matrix-3; do # scripts/matrix.js's labs (--jobs)
    docker ps -aq --filter "label=msm-kit.lab=$lab" | xargs -r docker rm -f >/dev/null 2>&1
    docker network ls -q --filter "label=msm-kit.lab=$lab" | xargs -r docker network rm >/dev/null 2>&1
  done
  left=$(docker ps -aq --filter label=msm-kit.lab 2>/dev/null | wc -l)
  echo "containers left with an msm-kit.lab label: $left"
  echo
  echo "=== timings (total $(since "$T0") s)"
  printf '  %s\n' "${timings[@]}"
  echo "  disk: $disk_start GB free at the start, $disk_min GB at the lowest (after a step), $(bash scripts/setup/disk.sh free) GB now"
  [[ ${#failures[@]} -gt 0 ]] && printf 'failed step: %s\n' "${failures[@]}" >&2
  echo "e2e: $passed passed, $failed failed"
  [[ $failed -eq 0 && $rc -eq 0 ]] || exit 1
}
trap on_exit EXIT

# --- setup: each piece says what failed ---------------------------------------
NS=$ROOT/lab.config.json                 # default: Tomcat 9 / Java 17, non-sticky (the cdktf CLI route)
ST=$ROOT/examples/sticky.json            # sticky
SEED=$ROOT/examples/seed.json            # the walkthrough's lab: Tomcat 7 / Java 8 / Kryo, non-sticky
SEEDST=$ROOT/examples/seed-sticky.json   # ... and its sticky variant
step "engine" bash scripts/setup/engine.sh || exit 1
SI=()
for c in "$NS" "$ST" "$SEED" "$SEEDST"; do
  step "images for $(basename "$c") (official, or offline stand-ins)" $KIT images --config "$c" || exit 1
done
[[ $($KIT images --config "$NS" --json | node -p 'JSON.parse(require("fs").readFileSync(0)).standIns') == true ]] && SI=(--stand-ins)
step "jars" $KIT jars --all || exit 1
TF_RC=$(bash scripts/setup/provider.sh | tail -n 1) || true
step "provider" test -f "$TF_RC" || exit 1
export TF_CLI_CONFIG_FILE=$TF_RC
[[ -d "$HOME/.cache/msm-kit/bin" ]] && export PATH="$PATH:$HOME/.cache/msm-kit/bin"

CONFIGS=("$NS:$OUT/non-sticky")
for c in "${CONFIGS[@]}"; do cleanup_lab "$c"; done

drills() { # drills CONFIG SCENARIO...
  local cfg=$1 s; shift
  if [[ ${MSM_KIT_E2E_DRILLS:-1} == 0 ]]; then
    echo "!!! SKIPPED: drills (MSM_KIT_E2E_DRILLS=0); not counted as passed" >&2
    return 0
  fi
  for s in "$@"; do
    case $s in
      cold-start) step "drill cold-start ($(basename "$cfg" .json))" $KIT drill cold-start --config "$cfg" --sessions 40 --duration 30 ;;
      memcached-down-x3) local k; for k in 1 2 3; do step "node death $k/3: drill memcached-down, 0 sessions lost ($(basename "$cfg" .json))" node_death "$cfg"; done ;;
      *) step "drill $s ($(basename "$cfg" .json))" $KIT drill "$s" --config "$cfg" --sessions 20 --duration 12 ;;
    esac
  done
}

# node_death CONFIG: drill memcached-down (each session's next request right after the stop);
# passes on the drill's own PASS and no session lost at all, in flight or not (issue 22).
node_death() {
  local json
  json=$($KIT drill memcached-down --config "$1" --sessions 20 --duration 12 --json) || { echo "$json"; return 1; }
  node -e 'const r = JSON.parse(process.argv[1]);
    console.log(`  ${r.requests} requests, sessions lost ${r.sessionsLost}, updates lost ${r.updatesLost} (${r.updatesLostAtStop} in flight at the measured instant), requests failed ${r.requestsFailed}`);
    for (const n of r.notes) console.log(`  note: ${n}`);
    process.exit(r.ok && r.sessionsLost === 0 ? 0 : 1);' "$json"
}

# checks CONFIG: verify (versions on the page), failover verify, attribute coverage.
checks() {
  local cfg=$1 name
  name=$(basename "$cfg" .json)
  step "verify $name (20 requests)" $KIT verify --config "$cfg" --requests 20
  step "verify $name with the serving Tomcat stopped" $KIT verify --config "$cfg" --requests 12 --failover
}

# soak CONFIG: scripts/soak.js with a load the lab sustains (100 sessions, 1 s think time, 60 s;
# one memcached and one Tomcat killed and started). Gating: exit 0 passes, exit 1 (a loss after
# the failover instant that msm's logs do not explain) fails. Exit 3 is INCONCLUSIVE: the losses
# sit where msm's memcached operations timed out (the machine was overloaded); it is said loudly
# and counted as neither passed nor failed.
soak() {
  local cfg=$1 rc t=$EPOCHREALTIME
  if [[ ${MSM_KIT_E2E_DRILLS:-1} == 0 ]]; then
    echo "!!! SKIPPED: soak (MSM_KIT_E2E_DRILLS=0); not counted as passed" >&2
    return 0
  fi
  echo; echo "=== soak $(basename "$cfg" .json) (100 sessions, 1 s think time, 60 s)"
  node scripts/soak.js --config "$cfg" --sessions 100 --duration 60 --think 1000
  rc=$?
  case $rc in
    0) passed=$((passed + 1)); timings+=("soak: $(since "$t") s"); echo "--- ok: soak ($(since "$t") s)" ;;
    3) timings+=("soak: $(since "$t") s (INCONCLUSIVE)")
       echo "!!! soak INCONCLUSIVE: losses only where msm's memcached operations timed out (overloaded machine); figures above; counted as neither passed nor failed" >&2 ;;
    *) failed=$((failed + 1)); failures+=("soak"); timings+=("soak: $(since "$t") s (FAILED)"); echo "--- FAILED: soak ($(since "$t") s)" >&2 ;;
  esac
}

# --- a bundle for Tomcats without Docker: two real Tomcats on 127.0.0.1 (scripts/e2e-bundle.sh)
# MSM_KIT_E2E_QUICK=1 (lab.sh test quick): one lab per engine and the headline scenarios, a few minutes
# warm; what it leaves out is said loudly, and the full suite (lab.sh test, CI) runs it all.
QUICK=${MSM_KIT_E2E_QUICK:-0}
quick_skip() { echo "!!! QUICK: $* not run (bash scripts/lab.sh test runs it); not counted as passed" >&2; }
if [[ $QUICK == 1 ]]; then quick_skip "the bundle on two Tomcats"; else
  step "bundle without Docker (two Tomcats on 127.0.0.1, sessions shared)" bash scripts/e2e-bundle.sh
fi

# --- default non-sticky lab: the cdktf CLI itself ------------------------------------
STAND_INS_ENV=$([[ ${#SI[@]} -gt 0 ]] && echo 1 || echo 0)
if step "apply non-sticky (cdktf deploy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" MSM_KIT_STAND_INS="$STAND_INS_ENV" \
    npx --no-install cdktf deploy --auto-approve --skip-provider-lock --outputs-file "$OUT/non-sticky-outputs.json"; then
  checks "$NS"
  if [[ $QUICK == 1 ]]; then
    drills "$NS" memcached-down tomcat-down
    quick_skip "node death x3, restart, cold-start and the soak on the cdktf lab"
  else
    drills "$NS" memcached-down-x3 tomcat-down restart cold-start
    soak "$NS"
  fi
fi
step "destroy non-sticky (cdktf destroy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" MSM_KIT_STAND_INS="$STAND_INS_ENV" \
  npx --no-install cdktf destroy --auto-approve --skip-provider-lock

# The TypeScript scenarios (test/e2e/*.e2e.ts: the library-driven harness; typed results, two files at a time):
# the kit's labs (sticky, seed, seed-sticky: up, verify, drills, down), rolling changes under load, your own
# webapp, SASL, TLS, FORM login, Redis, Tomcat 10.1/11.
step "TypeScript e2e harness type-checks (tsconfig.e2e.json)" npx tsc -p tsconfig.e2e.json
TS_FILES=(test/e2e/*.e2e.ts)
if [[ $QUICK == 1 ]]; then
  TS_FILES=(test/e2e/seed.e2e.ts test/e2e/rolling.e2e.ts)
  quick_skip "the TypeScript scenarios but seed and rolling"
fi
# Scenarios with drills run one at a time: a drill judges losses around the instant a node dies,
# and a second lab starting its JVMs on the same two cores stretches msm's backup writes past it
# (seen: 3 updates lost 4-6 ms after the death with two labs side by side); so do those marked
# "e2e: one at a time" (FORM login: its POST follows the login page at once, and with another lab
# starting beside it the page's session was once not yet stored). The others run two at a time.
DRILL_FILES=() PLAIN_FILES=()
for f in "${TS_FILES[@]}"; do
  if grep -qE '\.drill\(|drillOrRetry|rollTo|kitLabSuite|jakartaSuite|e2e: one at a time' "$f"; then DRILL_FILES+=("$f"); else PLAIN_FILES+=("$f"); fi
done
names() { for f in "$@"; do basename "$f" .e2e.ts; done | paste -sd, -; }
((${#PLAIN_FILES[@]})) && step "TypeScript e2e scenarios without drills, two at a time (npm run test:e2e:ts; each test named in vitest's output): $(names "${PLAIN_FILES[@]}")" \
  env MSM_KIT_E2E_WORKERS="${MSM_KIT_E2E_WORKERS:-2}" npx vitest run -c vitest.e2e.config.ts "${PLAIN_FILES[@]}"
((${#DRILL_FILES[@]})) && step "TypeScript e2e scenarios with drills (and timing-sensitive ones), one at a time: $(names "${DRILL_FILES[@]}")" \
  env MSM_KIT_E2E_WORKERS="${MSM_KIT_E2E_DRILL_WORKERS:-1}" npx vitest run -c vitest.e2e.config.ts "${DRILL_FILES[@]}"
step "Swarm lab over 3 hosts (issue 11): cluster up, msm-kit up, verify, drills, down, cluster down, nothing left" env MSM_KIT_E2E_OUT="$OUT/swarm" bash scripts/e2e-swarm.sh

step "nothing left behind" bash -c '[[ -z $(docker ps -aq --filter label=msm-kit.lab) && -z $(docker network ls -q --filter label=msm-kit.lab) ]]'

# --- the version matrix: every accepted Tomcat × Java × serializer, deployed and verified
if [[ $QUICK == 1 ]]; then
  quick_skip "the version matrix"
elif [[ ${MSM_KIT_E2E_MATRIX:-1} == 0 ]]; then
  echo "!!! SKIPPED: version matrix (MSM_KIT_E2E_MATRIX=0); not counted as passed" >&2
else
  step "version matrix (scripts/matrix.js: every accepted combination)" node scripts/matrix.js
  step "nothing left behind after the matrix" bash -c '[[ -z $(docker ps -aq --filter label=msm-kit.lab) && -z $(docker network ls -q --filter label=msm-kit.lab) ]]'
fi
