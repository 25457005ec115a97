#!/usr/bin/env bash
# End-to-end Kubernetes (issue 24): the lab of examples/kubernetes.json (or $1) on the two-node
# test cluster of scripts/setup/kube-cluster.sh (built once, from the Go module proxy and
# Debian packages; the build is cached):
#   provider and cluster binaries (built or reused); cluster up; msm-kit up (Tomcat image built,
#   images imported into both nodes, Deployments and Services through the hashicorp/kubernetes
#   provider); verify (both Tomcats serve, each on its node); verify --failover (a Tomcat scaled
#   to 0); drills, gating: memcached-down and tomcat-down (the pod killed; its Deployment starts
#   another), restart (tomcat-node2's cluster node lost, with memcached-node2 on it, then back),
#   memcached-restart (idle sessions across a memcached pod replaced empty), rolling (a Manager
#   and an nginx change under load: each Tomcat's Deployment rolls in turn, nginx rolls onto its
#   new ConfigMap); msm-kit down; nothing of the lab left; cluster down; nothing of the cluster left.
# Env: TF_CLI_CONFIG_FILE as for msm-kit up; MSM_KIT_E2E_OUT (default out/e2e/kubernetes).
set -uo pipefail
cd "$(dirname "$0")/.."
KIT="node $(pwd)/bin/msm-kit.js"
CLUSTER="bash scripts/setup/kube-cluster.sh"
CFG=${1:-examples/kubernetes.json}
OUT=${MSM_KIT_E2E_OUT:-out/e2e/kubernetes}
TAG=e2e-kube
# shellcheck source=lib/e2e-cluster.sh
source scripts/lib/e2e-cluster.sh

[[ $(fact 'f.kubernetes.testCluster') == true ]] || fail "$CFG is not a Kubernetes lab on the test cluster (engine.kind \"kubernetes\", the default kubeconfig)"
NS=$(fact 'f.kubernetes.namespace')
step "Terraform provider hashicorp/kubernetes (built from the module proxy, or reused)" bash scripts/setup/provider-kubernetes.sh >/dev/null || fail "provider-kubernetes.sh"
step "cluster binaries (built from the module proxy and Debian packages, or reused)" $CLUSTER build || fail "kube-cluster.sh build"
# The cluster is this test's own: one already up was left by an interrupted run. It goes first, loudly.
if $CLUSTER status >/dev/null 2>&1; then
  echo "[e2e-kube] !!! a test cluster is already up (left by an interrupted run): taking it down first" >&2
  step "leftover cluster down" $CLUSTER down || fail "leftover cluster down"
fi
trap cleanup EXIT
step "cluster up (2 nodes)" $CLUSTER up || fail "cluster up"
step "images on this machine (stand-ins)" $KIT images --config "$CFG" || fail "images"
step "deploy (msm-kit up: Tomcat image built, images imported, Deployments and Services applied)" $KIT up --config "$CFG" --out "$OUT" --stand-ins || fail "msm-kit up"

verify() {
  local v
  v=$($KIT verify --config "$CFG" --out "$OUT" "$@") || { echo "$v"; return 1; }
  echo "$v"
  grep -q 'tomcat-node1' <<<"$v" && grep -q 'tomcat-node2' <<<"$v" || { echo "verify did not show both Tomcats"; return 1; }
  [[ $(tail -n 1 <<<"$v") == PASS:* ]]
}
step "verify (20 requests through nginx's NodePort)" verify -n 20 || fail "verify"
step "verify --failover (the Tomcat that answered request 6 scaled to 0, back after the last)" verify -n 12 --failover || fail "verify --failover"

drill() {
  local out rc
  out=$($KIT drill "$@" --config "$CFG" --out "$OUT" --no-plot); rc=$?
  echo "$out"
  grep -q '^drill .* requests from .* sessions' <<<"$out" || return 1
  return $rc
}
step "drill memcached-down (memcached-node1's pod killed; its Deployment starts another, empty)" drill memcached-down || fail "drill memcached-down"
step "drill tomcat-down (tomcat-node1's pod killed; its Deployment starts another)" drill tomcat-down || fail "drill tomcat-down"
step "drill restart (tomcat-node2's cluster node lost, memcached-node2 with it, then back)" drill restart --node tomcat-node2 || fail "drill restart"
idle() {
  local out rc
  out=$($KIT drill memcached-restart --config "$CFG" --out "$OUT"); rc=$?
  echo "$out"
  [[ $rc == 0 && $(tail -n 1 <<<"$out") == PASS:* ]]
}
step "drill memcached-restart (20 idle sessions; memcached-node1's pod killed, replaced empty; 15 s quiet; every session carries on)" idle || fail "drill memcached-restart"

rolling() {
  local next=$OUT/rolled.json rc
  node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1]));c.manager={...c.manager,operationTimeout:2500};c.loadBalancer={...c.loadBalancer,failTimeout:6};require("fs").writeFileSync(process.argv[2],JSON.stringify(c,null,2))' "$CFG" "$next" || return 2
  $KIT drill rolling --to "$next" --stand-ins --config "$CFG" --out "$OUT" --no-plot | grep -v '^ *[0-9]'
  return "${PIPESTATUS[0]}"
}
step "drill rolling (manager.operationTimeout and loadBalancer.failTimeout changed: each Tomcat's Deployment rolls in turn, nginx rolls onto its new ConfigMap; no failed request, nothing lost)" rolling || fail "drill rolling"
step "verify again (both Tomcats serve)" verify -n 20 || fail "verify after the drills"
step "destroy (msm-kit down)" $KIT down --config "$CFG" --out "$OUT" --stand-ins || fail "msm-kit down"
left() {
  local k
  k=$(node -e 'const {kubectlPath}=require(process.argv[1]);console.log(kubectlPath())' "$(pwd)/dist/src/lab/kube.js")
  ! "$k" --kubeconfig "$(fact 'f.kubernetes.kubeconfig')" get namespace "$NS" >/dev/null 2>&1 || { echo "namespace $NS is still there"; return 1; }
}
step "nothing of the lab left (its namespace is gone)" left || fail "namespace left"
trap - EXIT
step "cluster down" $CLUSTER down || fail "cluster down"
step "nothing of the cluster left (processes, mounts, links, iptables)" $CLUSTER leftovers || fail "cluster leftovers"
echo "e2e-kube: passed in $((SECONDS - T0)) s"
