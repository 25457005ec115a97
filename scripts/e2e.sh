#!/usr/bin/env bash
# End-to-end: real labs on the real Docker engine.
#
#   1. set up the engine, the offline stand-in images, the jars and the provider;
#   2. non-sticky lab: `cdktf deploy` (the cdktf CLI on cdktf.json), verify, drills, `cdktf destroy`;
#   3. sticky lab, the walkthrough's lab (Tomcat 7 / Java 8 / Kryo) and its sticky variant:
#      `msm-kit up` (versions checked inside), verify, verify --failover, drills, `msm-kit down`;
#   4. Swarm; the TypeScript scenarios (test/e2e/*.e2e.ts: your own webapp, SASL, TLS, FORM login,
#      Redis, Tomcat 10.1/11), two at a time;
#   5. the version matrix (scripts/matrix.js): every accepted Tomcat × Java × serializer;
#   and, without Docker, `msm-kit bundle` on two real Tomcats (scripts/e2e-bundle.sh).
#
# Cleanup runs whatever happens (trap): no container, network or state is left.
# Every failing step names the piece that failed. Prints "N passed, N failed".
# Env: MSM_KIT_E2E_DRILLS=0 skips the drills, MSM_KIT_E2E_MATRIX=0 the matrix (both print SKIPPED loudly).
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

CONFIGS=("$NS:$OUT/non-sticky" "$NS:$OUT/rolling" "$ST:$OUT/sticky" "$SEED:$OUT/seed" "$SEEDST:$OUT/seed-sticky")
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
step "bundle without Docker (two Tomcats on 127.0.0.1, sessions shared)" bash scripts/e2e-bundle.sh

# --- default non-sticky lab: the cdktf CLI itself ------------------------------------
STAND_INS_ENV=$([[ ${#SI[@]} -gt 0 ]] && echo 1 || echo 0)
if step "apply non-sticky (cdktf deploy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" MSM_KIT_STAND_INS="$STAND_INS_ENV" \
    npx --no-install cdktf deploy --auto-approve --skip-provider-lock --outputs-file "$OUT/non-sticky-outputs.json"; then
  checks "$NS"
  drills "$NS" memcached-down-x3 tomcat-down restart cold-start
  soak "$NS"
fi
step "destroy non-sticky (cdktf destroy)" env MSM_KIT_CONFIG="$NS" MSM_KIT_OUT="$OUT/non-sticky" MSM_KIT_STAND_INS="$STAND_INS_ENV" \
  npx --no-install cdktf destroy --auto-approve --skip-provider-lock

# --- rolling changes (issue 23): a change applied by `up` to a lab under load ---------
# rolling_change CONFIG OUT WHAT PATCH: writes CONFIG with the JSON PATCH deep-merged into
# $OUT/<lab>-<what>.json, then `drill rolling --to` it (20 sessions): PASS means 0 failed
# requests, 0 sessions and 0 updates lost; the figures (longest time without an answer) print.
rolling_change() {
  local cfg=$1 out=$2 what=$3 patch=$4 updates=${5:-gate} to json
  to=$out/rolling-$what.json
  node -e 'const fs = require("fs"); const merge = (a, b) => { for (const [k, v] of Object.entries(b)) a[k] = v && typeof v === "object" && !Array.isArray(v) ? merge(a[k] ?? {}, v) : v; return a; };
    fs.writeFileSync(process.argv[3], JSON.stringify(merge(JSON.parse(fs.readFileSync(process.argv[1], "utf8")), JSON.parse(process.argv[2])), null, 2));' "$cfg" "$patch" "$to"
  json=$($KIT drill rolling --config "$cfg" --to "$to" --out "$out" "${SI[@]}" --sessions 20 --duration 6 --json)
  [[ -n $json ]] || return 1
  node -e 'const r = JSON.parse(process.argv[1]);
    console.log(`  ${r.change}: ${r.requests} requests, failed ${r.requestsFailed}, longest time without an answer ${r.longestGapS.toFixed(2)} s, sessions lost ${r.sessionsLost}, updates lost ${r.updatesLost} (in flight when a replaced store node died: ${r.sessionsLostAtStop} / ${r.updatesLostAtStop})`);
    for (const n of r.notes) console.log(`  note: ${n}`);
    for (const p of r.problems) console.log(`  FAIL: ${p}`);
    const rolled = (r.change ?? "").startsWith("rolling apply");
    if (process.argv[2] === "report" && rolled && r.requestsFailed === 0 && r.sessionsLost === 0) {
      if (r.updatesLost > 0) console.error(`!!! ${r.updatesLost} update(s) lost, REPORTED, NOT GATING: a store node replaced is a node death to msm, and its copy of a write made as the node died can be missing (figures above)`);
      process.exit(0);
    }
    process.exit(r.ok && rolled ? 0 : 1);' "$json" "$updates"
}
# nginx_reloaded CONFIG OUT: a change to nginx's configuration only rolls as a reload: the
# container nginx runs in is the one it ran in before (its id), and the drill PASSes.
nginx_reloaded() {
  local cfg=$1 out=$2 lb before after
  lb=$(fact "$cfg" "$out" containers.loadBalancer)
  before=$(docker inspect --format '{{.Id}}' "$lb") || return 1
  rolling_change "$cfg" "$out" nginx '{"loadBalancer":{"keepalive":8}}' || return 1
  after=$(docker inspect --format '{{.Id}}' "$lb") || return 1
  echo "  nginx container before ${before:0:12}, after ${after:0:12}"
  [[ $before == "$after" ]] || { echo "  FAIL: nginx was replaced (a new container), not reloaded"; return 1; }
}
rolling_lab() {
  local cfg=$NS out=$OUT/rolling
  if [[ ${MSM_KIT_E2E_DRILLS:-1} == 0 ]]; then
    echo "!!! SKIPPED: rolling changes (MSM_KIT_E2E_DRILLS=0); not counted as passed" >&2
    return 0
  fi
  cleanup_lab "$cfg:$out"
  if step "apply lab.config for the rolling changes (msm-kit up)" $KIT up --config "$cfg" --out "$out" "${SI[@]}"; then
    step "rolling Manager-only change (manager.operationTimeout) under load: 0 failed, 0 lost" rolling_change "$cfg" "$out" manager '{"manager":{"operationTimeout":2500}}'
    step "rolling JVM change (tomcat.heapMb) under load: 0 failed, 0 lost" rolling_change "$out/rolling-manager.json" "$out" jvm '{"tomcat":{"heapMb":320}}'
    step "rolling nginx-configuration change (loadBalancer.keepalive) under load: a reload, the same nginx container, 0 failed, 0 lost" nginx_reloaded "$out/rolling-jvm.json" "$out"
    step "rolling store change (memcached.threads: each memcached node replaced in turn) under load: 0 failed, 0 sessions lost (lost updates reported)" rolling_change "$out/rolling-nginx.json" "$out" store '{"memcached":{"threads":8}}' report
    step "after the rolling changes terraform plans nothing (exit 0 of plan -detailed-exitcode)" \
      bash -c "cd '$(fact "$out/rolling-store.json" "$out" stackDir)' && terraform plan -detailed-exitcode -input=false -no-color >/dev/null"
  fi
  step "destroy the rolling lab (msm-kit down)" $KIT down --config "$cfg" --out "$out"
}
rolling_lab

# redeploys CONFIG OUT: `up` again with nothing changed skips terraform; with a Tomcat stopped
# by hand it applies again and the lab answers through both Tomcats (after nginx's 5 s
# fail_timeout: up's own first request marked the stopped Tomcat failed).
redeploys() {
  local cfg=$1 out=$2 t1
  t1=$(fact "$cfg" "$out" 'containers.tomcat[1]')
  step "up again, nothing changed: terraform skipped" bash -c "$KIT up --config '$cfg' --out '$out' ${SI[*]} 2>&1 | tee '$out/up-again.log' | grep -q 'terraform and the version check skipped'" \
    || tail -20 "$out/up-again.log"
  docker stop "$t1" >/dev/null
  step "up again with $t1 stopped by hand: terraform applies and the lab answers" bash -c "$KIT up --config '$cfg' --out '$out' ${SI[*]} 2>&1 | tee '$out/up-stopped.log' | grep -q 'is exited' && sleep 6 && $KIT verify --config '$cfg' --requests 6" \
    || tail -20 "$out/up-stopped.log"
}

# --- the other labs: the kit's own up/down ------------------------------------------
kit_lab() { # kit_lab CONFIG OUTNAME DRILL...
  local cfg=$1 out=$OUT/$2 name
  shift 2
  name=$(basename "$cfg" .json)
  if step "apply $name (msm-kit up; versions checked inside)" $KIT up --config "$cfg" --out "$out" "${SI[@]}"; then
    checks "$cfg"
    [[ $name == sticky ]] && redeploys "$cfg" "$out"
    drills "$cfg" "$@"
  fi
  step "destroy $name (msm-kit down)" $KIT down --config "$cfg" --out "$out"
}
kit_lab "$ST" sticky memcached-down-x3 tomcat-down restart cold-start
kit_lab "$SEED" seed memcached-down tomcat-down restart cold-start
kit_lab "$SEEDST" seed-sticky memcached-down tomcat-down restart


# The TypeScript scenarios (test/e2e/*.e2e.ts, the library-driven harness that replaces these shell steps one by one).
step "TypeScript e2e harness type-checks (tsconfig.e2e.json)" npx tsc -p tsconfig.e2e.json
TS_SCENARIOS=$(for f in test/e2e/*.e2e.ts; do basename "$f" .e2e.ts; done | paste -sd, -)
step "TypeScript e2e scenarios (npm run test:e2e:ts, two files at a time; each test named in vitest's output): $TS_SCENARIOS" npx vitest run -c vitest.e2e.config.ts
step "Swarm lab over 3 hosts (issue 11): cluster up, msm-kit up, verify, drills, down, cluster down, nothing left" env MSM_KIT_E2E_OUT="$OUT/swarm" bash scripts/e2e-swarm.sh

step "nothing left behind" bash -c '[[ -z $(docker ps -aq --filter label=msm-kit.lab) && -z $(docker network ls -q --filter label=msm-kit.lab) ]]'

# --- the version matrix: every accepted Tomcat × Java × serializer, deployed and verified
if [[ ${MSM_KIT_E2E_MATRIX:-1} == 0 ]]; then
  echo "!!! SKIPPED: version matrix (MSM_KIT_E2E_MATRIX=0); not counted as passed" >&2
else
  step "version matrix (scripts/matrix.js: every accepted combination)" node scripts/matrix.js
  step "nothing left behind after the matrix" bash -c '[[ -z $(docker ps -aq --filter label=msm-kit.lab) && -z $(docker network ls -q --filter label=msm-kit.lab) ]]'
fi
