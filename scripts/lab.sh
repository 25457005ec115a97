#!/usr/bin/env bash
# The newcomer's entry point.
#
#   bash scripts/lab.sh up   [CONFIG]   install what is missing, deploy the lab, print its URL
#   bash scripts/lab.sh down [CONFIG]   tear the lab down (containers, network, state)
#   bash scripts/lab.sh test            install what is missing, run npm test, the end-to-end test
#                                       (labs, drills, bundle, version matrix) and the cdktn check: what CI runs
#                                       (needs 30 GB free for Docker: MSM_KIT_DISK_NEED_GB; see scripts/setup/disk.sh)
#   bash scripts/lab.sh test quick      the same machinery, about 11 min warm: npm test, one lab per engine
#                                       (the cdktf-CLI lab with two drills, the Swarm), the seed, rolling and monitoring scenarios;
#                                       no matrix, bundle, soak or cdktn check (said loudly)
#   bash scripts/lab.sh deps            install system packages and npm dependencies only
#
# CONFIG (read from the directory you run this in) defaults to the repository's lab.config.json. A Swarm lab (config `engine`, e.g.
# examples/swarm.json) whose manager is the test cluster's: `up` builds the test
# cluster (scripts/setup/swarm-cluster.sh) when no Swarm answers and pushes the
# images into its registry; `down` also removes the cluster. When the config's images can be neither
# found locally nor pulled (no registry, as on the project's machines), `up`
# builds the kit's offline stand-ins (`msm-kit images`) and deploys with
# --stand-ins. It says so loudly. This script does mechanics only: what it
# needs to know about a lab comes from `msm-kit validate --json` / `images --json`.
set -euo pipefail
CALLER_DIR=$(pwd)
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CHECKPOINT_DISABLE=1 DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/local/go/bin:$HOME/.cache/msm-kit/bin"
say() { printf '[lab] %s\n' "$*" >&2; }
die() { printf 'lab: %s\n' "$*" >&2; exit 1; }

deps() {
  local need=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
  [[ -x /usr/sbin/dockerd ]] || command -v dockerd >/dev/null || need+=(docker.io)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  command -v go >/dev/null || need+=(golang-go)
  # javac (JDK 17): the jars step converts msm to jakarta.* and compiles the kit's Manager for Tomcat 10.1/11
  command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
  # rsvg-convert: the plot test renders a drill's SVG with it (without it the SVG is checked as XML only, loudly)
  command -v rsvg-convert >/dev/null || need+=(librsvg2-bin)
  if ((${#need[@]})); then
    say "installing Debian packages: ${need[*]}"
    [[ $(id -u) == 0 ]] || die "installing ${need[*]} needs root (apt-get). Fix: run as root, or install them yourself"
    apt-get update -qq || say "warning: apt-get update reported errors; trying the install anyway"
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
  fi
  command -v node >/dev/null || die "Node.js 20+ is needed. Fix: install nodejs and npm"
  if [[ ! -d node_modules || ! -f dist/src/cli/main.js || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "npm ci (also builds dist/)"
    npm ci --no-audit --no-fund >/dev/null || die "npm ci failed"
  fi
}

# Prints "--stand-ins" when the lab must run on the kit's offline stand-ins
# (after making sure every image it needs exists: present, pulled or built).
stand_ins_flag() {
  local json
  json=$(node bin/msm-kit.js images --config "$1" --json) || die "images for $1 (see above)"
  [[ $(node -p 'JSON.parse(process.argv[1]).standIns' "$json") == true ]] && echo --stand-ins
  return 0
}

# A Swarm lab's fact (validate --json .swarm.<key>), empty for a one-engine lab.
swarm_fact() {
  node -p "const f=JSON.parse(process.argv[1]); f.swarm ? String(f.swarm.$2) : ''" "$(node bin/msm-kit.js validate --json --config "$1" ${3:-})"
}

# The test cluster answers (built when not), with the lab's images in its registry.
swarm_ready() {
  local cfg=$1 si=$2 imgs
  [[ $(swarm_fact "$cfg" testCluster) == true ]] || { say "Swarm manager $(swarm_fact "$cfg" manager): using it as it is (its registry must hold the images: see docs/swarm.md)"; return 0; }
  bash scripts/setup/swarm-cluster.sh status >/dev/null 2>&1 || bash scripts/setup/swarm-cluster.sh up >&2 || die "the Swarm test cluster did not come up (see above)"
  imgs=$(node -p 'Object.values(JSON.parse(process.argv[1]).images).join(" ")' "$(node bin/msm-kit.js validate --json --config "$cfg" $si)")
  # shellcheck disable=SC2086
  bash scripts/setup/swarm-cluster.sh push $imgs >&2 || die "pushing the images into the test cluster's registry failed"
}

setup_terraform() {
  local rc
  rc=$(bash scripts/setup/provider.sh | tail -n 1) || die "provider setup failed (see above)"
  export TF_CLI_CONFIG_FILE=$rc
}

cmd=${1:-}
# CONFIG is read from the caller's directory (this script works from the repository's root);
# without one, the repository's lab.config.json.
if [[ $cmd == test ]]; then
  [[ -z ${2:-} || $2 == quick ]] || die "test takes no CONFIG, only \"quick\" (got \"$2\"). Fix: bash scripts/lab.sh test, or bash scripts/lab.sh test quick"
  cfg=lab.config.json
elif [[ -n ${2:-} ]]; then
  case $2 in /*) cfg=$2 ;; *) cfg=$CALLER_DIR/$2 ;; esac
  [[ -f $cfg ]] || die "no config file $cfg (CONFIG \"$2\" is read from the directory you ran lab.sh in, $CALLER_DIR). Fix: pass the path from there, or an absolute one"
else
  cfg=lab.config.json
fi
case $cmd in
  deps) deps ;;
  up)
    deps
    node bin/msm-kit.js validate --config "$cfg" >&2 || exit 1
    bash scripts/setup/engine.sh >&2 || die "engine: no Docker engine (see above)"
    # Room first, removing nothing: the images on this engine may be another lab's (only `test` reclaims).
    bash scripts/setup/disk.sh check "${MSM_KIT_UP_DISK_NEED_GB:-5}" >&2 || die "disk: not enough room for the lab (see above)"
    setup_terraform
    node bin/msm-kit.js jars --config "$cfg" >&2 || exit 1
    si=$(stand_ins_flag "$cfg")
    [[ -z $(swarm_fact "$cfg" manager) ]] || swarm_ready "$cfg" "$si"
    node bin/msm-kit.js up --config "$cfg" $si
    node bin/msm-kit.js verify --config "$cfg" --requests 6
    say "tear down with: bash scripts/lab.sh down $cfg"
    ;;
  down)
    deps
    setup_terraform
    if [[ -n $(swarm_fact "$cfg" manager) ]]; then
      if [[ $(swarm_fact "$cfg" testCluster) == true ]]; then
        bash scripts/setup/swarm-cluster.sh status >/dev/null 2>&1 && node bin/msm-kit.js down --config "$cfg"
        bash scripts/setup/swarm-cluster.sh down >&2
        # The cluster's state went with it: the lab's Terraform state is stale now.
        rm -f "$(node -p 'JSON.parse(process.argv[1]).statePath' "$(node bin/msm-kit.js validate --json --config "$cfg")")"
      else
        node bin/msm-kit.js down --config "$cfg"
      fi
    else
      node bin/msm-kit.js down --config "$cfg"
    fi
    ;;
  test)
    deps
    t0=$EPOCHREALTIME
    # What this run builds from now on is all a reclaim may remove (scripts/setup/disk.sh).
    export MSM_KIT_RECLAIM_SINCE=${MSM_KIT_RECLAIM_SINCE:-$(date +%s)}
    bash scripts/setup/engine.sh >&2 || die "engine: no Docker engine (see above)"
    # Room first: a disk that fills mid-run fails late and obscurely (vfs copies every layer).
    bash scripts/setup/disk.sh need "${MSM_KIT_DISK_NEED_GB:-30}" >&2 || die "disk: not enough room for the test run (see above)"
    if [[ ${2:-} == quick ]]; then
      npm test || die "npm test failed"
      say "npm test done in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
      MSM_KIT_E2E_QUICK=1 npm run test:e2e
      say "QUICK: the version matrix, the bundle, the soak and the cdktn check were not run (bash scripts/lab.sh test runs them)"
      say "quick tests passed in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
      exit 0
    fi
    # The version matrix's images (stand-ins without a registry) build while the unit tests run.
    # Build first: npm test's pretest rewrites dist/ while the prebuild loads it, and a module
    # caught half-written fails the prebuild (seen in CI). So build once, then run vitest alone.
    npm run pretest || die "the build (npm run pretest) failed"
    say "building the version matrix's images in the background (log: out/matrix-images.log)"
    mkdir -p out
    node scripts/matrix.js --prebuild >out/matrix-images.log 2>&1 &
    prebuild=$!
    npx vitest run || { kill "$prebuild" 2>/dev/null; die "npm test failed"; }
    say "npm test done in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s; waiting for the matrix images"
    wait "$prebuild" || { tail -20 out/matrix-images.log >&2; die "building the matrix images failed (out/matrix-images.log)"; }
    say "images ready after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
    npm run test:e2e
    say "the cdktn check: the same stack built with cdktn must synthesize the same Terraform JSON"
    npm run check:cdktn
    say "all tests passed in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
    ;;
  *)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" # the header above
    [[ -z $cmd ]] || exit 2
    ;;
esac
