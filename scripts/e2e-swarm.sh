#!/usr/bin/env bash
# End-to-end Swarm (issue 11): the lab of examples/swarm.json (or $1) on a Docker
# Swarm of 3 hosts built on this machine (scripts/setup/swarm-cluster.sh):
#   cluster up; images into its registry; msm-kit up (the kit builds and pushes the
#   Tomcat image); verify (which host served each request; Tomcats on two hosts);
#   drills with drill.ts's loss accounting: memcached task killed (the Swarm
#   restarts it), the engine of a Tomcat's host stopped, that host lost and back;
#   verify again; msm-kit down; cluster down; nothing left behind.
# Drill verdicts are printed, not gated (see docs/swarm.md: what msm does when a
# memcached task moves); the e2e fails when a step fails to run or verify fails.
# Env: TF_CLI_CONFIG_FILE as for msm-kit up; MSM_KIT_E2E_OUT (default out/e2e/swarm).
set -uo pipefail
cd "$(dirname "$0")/.."
KIT="node $(pwd)/bin/msm-kit.js"
CLUSTER="bash scripts/setup/swarm-cluster.sh"
CFG=${1:-examples/swarm.json}
OUT=${MSM_KIT_E2E_OUT:-out/e2e/swarm}
TAG=e2e-swarm
# shellcheck source=lib/e2e-cluster.sh
source scripts/lib/e2e-cluster.sh
trap cleanup EXIT

MANAGER=$(fact 'f.swarm.manager') || fail "$CFG is not a Swarm lab"
[[ $(fact 'f.swarm.testCluster') == true ]] || fail "$CFG does not use the test cluster's manager"

# The cluster is this test's own: one already up was left by an interrupted run (its labs' state
# gone with it), and reusing it would meet that run's networks and configs. It goes first, loudly.
if $CLUSTER status >/dev/null 2>&1; then
  echo "[e2e-swarm] !!! a test cluster is already up (left by an interrupted run): taking it down first" >&2
  step "leftover cluster down" $CLUSTER down || fail "leftover cluster down"
fi
step "cluster up (3 hosts)" $CLUSTER up 3 || fail "cluster up"
step "images on this machine (stand-ins)" $KIT images --config "$CFG" || fail "images"
# shellcheck disable=SC2046
step "images into the cluster's registry" $CLUSTER push $(fact 'Object.values(f.images).join(" ")') || fail "push"
step "deploy (msm-kit up: Tomcat image built and pushed, services placed)" $KIT up --config "$CFG" --out "$OUT" --stand-ins || fail "msm-kit up"

verify() {
  local v
  v=$($KIT verify --config "$CFG" -n "$1") || { echo "$v"; return 1; }
  echo "$v"
  grep -q '^served by: .*tomcat-node1 on host[0-9].*' <<<"$v" && grep -q 'tomcat-node2 on host[0-9]' <<<"$v" || { echo "verify did not show both Tomcats with their hosts"; return 1; }
  [[ $(tail -n 1 <<<"$v") == PASS:* ]]
}
step "verify (20 requests; the host of each)" verify 20 || fail "verify"

drill() {
  local out rc
  out=$($KIT drill "$@" --config "$CFG" -k 10); rc=$?
  echo "$out"
  # A FAIL verdict (exit 1) is a figure; no report at all is a failure of the step.
  grep -q '^drill .* requests from 10 sessions' <<<"$out" || return 1
  # Not gating, but never silent: a FAIL verdict is said loudly, so the step's "ok" cannot hide it.
  [[ $rc == 1 ]] && echo "!!! drill $1 on the Swarm: FAIL verdict (losses after the failover instant, figures above); REPORTED, NOT GATING (docs/swarm.md)" >&2
  [[ $rc == 0 || $rc == 1 ]]
}
step "drill memcached-down (task killed on its host; the Swarm restarts it)" drill memcached-down -d 15 || fail "drill memcached-down"
# msm resolved memcached-node1 at start-up: its new task has a new address msm never learns.
# A Tomcat restart (one at a time) makes msm resolve it again.
step "Tomcats restarted one at a time (msm resolves memcached hosts at start-up)" \
  bash -c "docker -H $MANAGER service update -q --force tomcat-node1 >/dev/null && docker -H $MANAGER service update -q --force tomcat-node2 >/dev/null" || fail "Tomcat restart"
step "drill tomcat-down (the engine of tomcat-node2's host stopped)" drill tomcat-down --node tomcat-node2 -d 20 || fail "drill tomcat-down"
step "drill restart (tomcat-node2's host lost, then back)" drill restart --node tomcat-node2 -d 36 || fail "drill restart"
step "verify again (both hosts serve)" verify 20 || fail "verify after the drills"
step "destroy (msm-kit down)" $KIT down --config "$CFG" --out "$OUT" --stand-ins || fail "msm-kit down"
# The manager removes an overlay network asynchronously: allow it a few seconds.
left() {
  local i
  for i in $(seq 30); do
    [[ -z $(docker -H "$MANAGER" service ls -q) && -z $(docker -H "$MANAGER" network ls -q --filter label=msm-kit.lab) ]] && return 0
    sleep 1
  done
  docker -H "$MANAGER" service ls; docker -H "$MANAGER" network ls --filter label=msm-kit.lab
  return 1
}
step "nothing of the lab left on the Swarm" left || fail "services or networks left"
trap - EXIT
step "cluster down; nothing left (namespaces, bridge, iptables, daemons, mounts)" $CLUSTER down || fail "cluster down"
echo "e2e-swarm: passed in $((SECONDS - T0)) s"
