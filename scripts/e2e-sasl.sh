#!/usr/bin/env bash
# End-to-end SASL (issue 12): a lab with memcachedProtocol binary + username/password
# (examples/sasl.json, or $1) on the SASL memcached stand-in.
#   1. msm-kit up; no file under --out and no line of up's output holds the password;
#   2. msm-kit verify passes (msm authenticated to memcached: sessions shared);
#   3. wrong password: the memcached users get another password, the Tomcats restart
#      (spymemcached logs in at connect): verify must FAIL and say
#      "sessions are not stored: check the memcached username/password (SASL)";
#   4. msm-kit down (always, trap).
# Env: TF_CLI_CONFIG_FILE as for msm-kit up (scripts/setup/provider.sh); MSM_KIT_E2E_OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
KIT="node $(pwd)/bin/msm-kit.js"
CFG=${1:-examples/sasl.json}
OUT=${MSM_KIT_E2E_OUT:-out/e2e/sasl}
fail() { echo "e2e-sasl: FAILED: $*" >&2; exit 1; }
fact() { $KIT validate --json --config "$CFG" --out "$OUT" | node -p "JSON.parse(require('fs').readFileSync(0)).$1"; }

# The password is read through the kit's own loader, never echoed.
PW=$(node -e 'const {loadConfig}=require("./dist/src/config/load");process.stdout.write(loadConfig(process.argv[1]).manager.password ?? "")' "$CFG") \
  || fail "read the config"
[[ -n $PW ]] || fail "$CFG sets no manager.password"
USER_=$(node -e 'const {loadConfig}=require("./dist/src/config/load");process.stdout.write(loadConfig(process.argv[1]).manager.username ?? "")' "$CFG")

down() { $KIT down --config "$CFG" --out "$OUT" --stand-ins >/dev/null 2>&1 || $KIT down --config "$CFG" --out "$OUT" --stand-ins; }
trap down EXIT

$KIT images --config "$CFG" >/dev/null || fail "stand-in images"
LOG=$(mktemp)
$KIT up --config "$CFG" --out "$OUT" --stand-ins 2>&1 | tee "$LOG"
[[ ${PIPESTATUS[0]} -eq 0 ]] || fail "msm-kit up"
# Options before "--": after it grep takes them for file names, errs (exit 2) and the check could never fail.
# The Terraform state (state/) and the provider's cache (.terraform/) are excluded: the state holds the
# sensitive variable by design (README, Secrets); the synthesized files must not.
[[ -d $OUT ]] || fail "no synth output in $OUT"
hits=$(grep -rlF --exclude-dir=state --exclude-dir=.terraform -- "$PW" "$OUT"; echo "rc=$?")
[[ $hits == *rc=2 ]] && fail "grep could not search $OUT: $hits"
[[ $hits == rc=1 ]] || fail "the password is in clear in: ${hits%rc=*}"
grep -qF -- "$PW" "$LOG" && fail "the password is in msm-kit up's output"
rm -f "$LOG"
echo "ok: no synth file and no log line holds the password"

# (no `tee /dev/stderr`: reopening stderr truncates the caller's log file when stderr is one)
V=$($KIT verify --config "$CFG" -n 10 | tail -n 1)
echo "$V"
[[ $V == PASS:* ]] || fail "verify with the right password"

for m in $(fact 'containers.memcached.join(" ")'); do
  docker exec "$m" sh -c 'printf %s "msm-kit-e2e-wrong-$$" | saslpasswd2 -p -a memcached -f /tmp/sasl2/sasldb2 "$1"' sh "$USER_" \
    || fail "change the SASL password in $m"
done
TOMCATS=$(fact 'containers.tomcat.join(" ")')
docker restart $TOMCATS >/dev/null || fail "restart the Tomcats"
for _ in $(seq 60); do
  healthy=1
  for t in $TOMCATS; do [[ $(docker inspect -f '{{.State.Health.Status}}' "$t") == healthy ]] || healthy=0; done
  ((healthy)) && break
  sleep 2
done
((healthy)) || fail "the Tomcats did not turn healthy after the restart"
V=$($KIT verify --config "$CFG" -n 6 | tail -n 1)
echo "$V"
[[ $V == FAIL:\ sessions\ are\ not\ stored:\ check\ the\ memcached\ username/password\ \(SASL\)* ]] \
  || fail "verify with a wrong password should FAIL with the SASL hint"
echo "e2e-sasl: passed"
