#!/usr/bin/env bash
# End-to-end hardening (issue 17): a TLS lab (examples/tls.json, or $1: self-signed,
# non-sticky) on the stand-ins, checked from outside.
#   1. bad certificate/key pairs (missing file, another certificate's key, expired,
#      key readable by others) are refused by `msm-kit up`, naming the field, with
#      nothing deployed (no container, no network, no state);
#   2. up; HTTPS answers with JSESSIONID Secure + HttpOnly + SameSite and HSTS; plain
#      HTTP answers 301 to https; every Tomcat process runs as a non-root user and has
#      no shutdown port; a 404 names no version, Server names none; no default webapps;
#   3. verify and a tomcat-down drill over HTTPS (the lab's own certificate trusted
#      through --out);
#   4. down (always, trap): nothing of the lab left.
# Env: TF_CLI_CONFIG_FILE as for msm-kit up (scripts/setup/provider.sh); MSM_KIT_E2E_OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
KIT="node $(pwd)/bin/msm-kit.js"
CFG=${1:-examples/tls.json}
OUT=$(realpath -m "${MSM_KIT_E2E_OUT:-out/e2e/tls}")
WORK=$(mktemp -d)
T0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
T=$EPOCHREALTIME
done_() { echo "ok ($(since "$T") s): $*"; T=$EPOCHREALTIME; }
fail() { echo "e2e-tls: FAILED: $*" >&2; exit 1; }
fact() { $KIT validate --json --config "$CFG" --out "$OUT" | node -p "JSON.parse(require('fs').readFileSync(0)).$1"; }

LAB=$(fact name)
NET=$(fact network.name)
leftovers() { echo "$(docker ps -aq --filter "label=msm-kit.lab=$LAB")$(docker network ls -q --filter "name=^$NET\$")"; }
[[ -z $(leftovers) ]] || fail "lab $LAB already has containers or a network; run msm-kit down --config $CFG --out $OUT first"

cleanup() {
  $KIT down --config "$CFG" --out "$OUT" --stand-ins >/dev/null 2>&1 || $KIT down --config "$CFG" --out "$OUT" --stand-ins
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- 1. bad pairs: refused before anything is deployed
ossl() { OPENSSL_CONF=/dev/null openssl "$@" 2>/dev/null; }
pair() { ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=$1" -keyout "$WORK/$1.key" -out "$WORK/$1.crt" && chmod 600 "$WORK/$1.key"; }
pair a && pair b || fail "openssl"
ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=old -keyout "$WORK/old.key" -out "$WORK/old.csr" \
  && ossl x509 -req -in "$WORK/old.csr" -signkey "$WORK/old.key" -days -1 -out "$WORK/old.crt" && chmod 600 "$WORK/old.key" || fail "openssl (expired)"
cp "$WORK/a.key" "$WORK/loose.key" && cp "$WORK/a.crt" "$WORK/loose.crt" && chmod 644 "$WORK/loose.key"
bad() { # NAME CERT KEY EXPECTED-FIELD EXPECTED-TEXT
  node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1]));delete c.$schema;c.loadBalancer.tls={certificate:process.argv[2],key:process.argv[3]};require("fs").writeFileSync(process.argv[4],JSON.stringify(c))' \
    "$CFG" "$2" "$3" "$WORK/$1.json"
  local log rc
  log=$($KIT up --config "$WORK/$1.json" --out "$WORK/out-$1" --stand-ins 2>&1); rc=$?
  [[ $rc -ne 0 ]] || fail "$1: up accepted it"
  grep -q "^$4: .*$5.*Fix:" <<<"$log" || fail "$1: expected '$4: ...$5... Fix:', got: $log"
  grep -q "at .*\.js:" <<<"$log" && fail "$1: a stack trace: $log"
  [[ -z $(leftovers) && ! -e $WORK/out-$1 ]] || fail "$1: something was deployed or written"
  echo "  refused $1: $(grep "^$4" <<<"$log")"
}
bad missing "./none.crt" "./none.key" loadBalancer.tls.certificate "no such file"
bad mismatched "./a.crt" "./b.key" loadBalancer.tls.key "does not belong"
bad expired "./old.crt" "./old.key" loadBalancer.tls.certificate "expired"
bad loose-key "./loose.crt" "./loose.key" loadBalancer.tls.key "every user"
done_ "bad certificate/key pairs refused, nothing deployed"

# --- 2. up and outside checks
$KIT up --config "$CFG" --out "$OUT" --stand-ins || fail "msm-kit up"
done_ "up"
URL=$(fact url)
PLAIN="http://127.0.0.1:$(node -p "JSON.parse(require('fs').readFileSync('$CFG')).loadBalancer.port")/"
[[ $URL == https://* ]] || fail "the lab URL is not https: $URL"
CA=(--cacert "$OUT/tls/lab.crt")
H=$(curl -sS -D - -o /dev/null "${CA[@]}" "$URL") || fail "HTTPS with the lab's certificate"
echo "$H" | grep -i '^set-cookie: JSESSIONID='
echo "$H" | grep -i '^set-cookie: JSESSIONID=' | grep -i '; Secure' | grep -i '; HttpOnly' | grep -qi '; SameSite=Lax' || fail "session cookie without Secure, HttpOnly and SameSite=Lax"
echo "$H" | grep -qi '^strict-transport-security: max-age=' || fail "no HSTS header"
R=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "${PLAIN}x?y=1")
[[ $R == "301 ${URL}x?y=1" ]] || fail "plain HTTP: expected 301 to ${URL}x?y=1, got $R"
echo "  http -> $R"
curl -sS -o /dev/null --tlsv1.1 --tls-max 1.1 "${CA[@]}" "$URL" 2>/dev/null && fail "TLS 1.1 accepted"
NF=$(curl -sS -D - "${CA[@]}" "${URL}no-such-page-e2e") || fail "404 page"
grep -q '^HTTP/1.1 404' <<<"$NF" || fail "expected a 404: $NF"
# X-Msm-Kit-Node names the lab's node (tls-tomcat1) by design (issue 9): not a product or version.
grep -viE '^X-Msm-Kit-Node:' <<<"$NF" | grep -qiE 'tomcat|[0-9]+\.[0-9]+\.[0-9]+|exception' && fail "the 404 names a version or product: $NF"
grep -i '^server:' <<<"$NF" | grep -q '[0-9]' && fail "Server header with a version: $NF"
for t in $(fact 'containers.tomcat.join(" ")'); do
  uid=$(docker exec "$t" sh -c "awk '/^Uid:/ {print \$2}' /proc/1/status") || fail "$t: read its process"
  who=$(docker exec "$t" id -un)
  [[ $uid != 0 && -n $uid ]] || fail "$t: Tomcat runs as root"
  docker exec "$t" sh -c 'grep -q ":1F45 " /proc/net/tcp /proc/net/tcp6' && fail "$t: shutdown port 8005 listens"
  apps=$(docker exec "$t" ls /usr/local/tomcat/webapps | tr '\n' ' ')
  [[ $apps == "ROOT " ]] || fail "$t: webapps holds $apps"
  echo "  $t: Tomcat runs as $who (uid $uid), no shutdown port, webapps: $apps"
done
done_ "outside checks: cookie, HSTS, redirect, TLS 1.1 refused, 404, non-root, no shutdown port"

# --- 3. verify and a drill over HTTPS
V=$($KIT verify --config "$CFG" --out "$OUT" -n 10 | tail -n 1)
echo "$V"
[[ $V == PASS:* ]] || fail "verify over HTTPS"
done_ "verify over HTTPS"
$KIT drill tomcat-down --config "$CFG" --out "$OUT" --sessions 10 --duration 8 | tail -n 8 || fail "drill tomcat-down over HTTPS"
done_ "drill tomcat-down over HTTPS"

# --- 4. down, nothing left
trap 'rm -rf "$WORK"' EXIT
$KIT down --config "$CFG" --out "$OUT" --stand-ins >/dev/null || fail "msm-kit down"
[[ -z $(leftovers) ]] || fail "containers or network of $LAB left after down"
done_ "down, nothing left"
echo "e2e-tls: passed in $(since "$T0") s"
