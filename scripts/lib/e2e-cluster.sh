# Shared by scripts/e2e-swarm.sh and scripts/e2e-kube.sh (sourced after they set TAG, KIT, CFG,
# OUT and CLUSTER): a timed step, a failure that stops the test, a lab fact, the cleanup trap.
T0=$SECONDS
# step NAME CMD...: runs CMD, prints its verdict and seconds.
step() {
  local name=$1 t=$SECONDS rc; shift
  echo "[$TAG] ---- $name"
  "$@"; rc=$?
  echo "[$TAG] ---- $name: $([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)") in $((SECONDS - t)) s"
  return $rc
}
fail() { echo "$TAG: FAILED: $*" >&2; exit 1; }
# fact JS: a JavaScript expression over the lab's facts `f` (msm-kit validate --json).
fact() { $KIT validate --json --config "$CFG" --out "$OUT" --stand-ins | node -p "const f=JSON.parse(require('fs').readFileSync(0)); $1"; }
# The trap's cleanup: the lab (if any), then the cluster.
cleanup() {
  $KIT down --config "$CFG" --out "$OUT" --stand-ins >/dev/null 2>&1 || true
  $CLUSTER down >/dev/null 2>&1 || $CLUSTER down
}
