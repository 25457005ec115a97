#!/usr/bin/env bash
# End-to-end: FORM login in non-sticky mode (issue 15), and the opt-in workaround
# manager.formLoginWorkaround. The FORM-login test app (test/fixtures/formlogin, built
# here) at /secure beside the sample app at /msm-kit; Tomcat 9 / Java 17, two Tomcats,
# two memcached, the offline stand-ins. From outside, with curl only:
#   1. default (workaround off): GET the protected page (login form; node from nginx's
#      X-Msm-Kit-Node header), POST good credentials to j_security_check, GET the
#      protected page again. Repeated with a fresh client until the POST has reached
#      the other Tomcat than the GET (bounded): there the login must fail (408, or the
#      login form again). Same-node attempts met on the way are reported as seen.
#   2. `up` again with "formLoginWorkaround": true: up must warn that session-fixation
#      protection is off; the deployed context.xml has the valve; the login must work in
#      every attempt, the cross-node case included (bounded retries until seen); a wrong
#      password still gets the error page; and the trade-off shown: the session id is
#      the same before and after login, so a second client holding only the pre-login
#      id (a planted one) is logged in too; verify on the sample app passes.
#   3. msm-kit down; nothing of the lab left (always, trap).
# One step of scripts/e2e.sh. Env: TF_CLI_CONFIG_FILE as for msm-kit up;
# MSM_KIT_E2E_OUT; FL_PORT (18135); FL_SUBNET (172.28.74.0/24); FL_TRIES (12).
set -uo pipefail
cd "$(dirname "$0")/.."
KIT="node $(pwd)/bin/msm-kit.js"
OUT=$(realpath -m "${MSM_KIT_E2E_OUT:-out/e2e/formlogin}")
LAB=fl-form
PORT=${FL_PORT:-18135}
SUBNET=${FL_SUBNET:-172.28.74.0/24}
TRIES=${FL_TRIES:-12}
BASE="http://127.0.0.1:$PORT/secure"
USER_=tester
PASS_=form-login-test # the fixture's test user (test/fixtures/formlogin/web/WEB-INF/users.xml)
WORK=$(mktemp -d)
T0=$SECONDS
fail() { echo "e2e-formlogin: FAILED: $*" >&2; exit 1; }
t() { echo "e2e-formlogin: [$((SECONDS - T0)) s] $*"; }

# $1 = true/false: manager.formLoginWorkaround
config() {
  cat > "$WORK/lab.json" <<JSON
{
  "name": "$LAB",
  "tomcat": { "version": "9", "javaVersion": 17, "nodes": [{ "name": "fl-tomcat1" }, { "name": "fl-tomcat2" }] },
  "memcached": { "nodes": [{ "id": "n1", "name": "fl-memcached1" }, { "id": "n2", "name": "fl-memcached2" }] },
  "manager": { "sticky": false, "sessionBackupAsync": false, "sessionBackupTimeout": 2000, "operationTimeout": 2000, "lockingMode": "auto", "formLoginWorkaround": $1 },
  "loadBalancer": { "name": "fl-nginx", "port": $PORT },
  "network": { "subnet": "$SUBNET" },
  "webapps": [{ "contextPath": "/secure", "source": "formlogin.war" }, { "contextPath": "/msm-kit", "source": "msm-kit:sample" }]
}
JSON
}
left() { echo "$(docker ps -aq --filter label=msm-kit.lab=$LAB)$(docker network ls -q --filter label=msm-kit.lab=$LAB)"; }
cleanup() {
  config false
  $KIT down --config "$WORK/lab.json" --out "$OUT" --stand-ins >/dev/null 2>&1 || $KIT down --config "$WORK/lab.json" --out "$OUT" --stand-ins
  rm -rf "$WORK"
}
trap cleanup EXIT

node_of() { tr -d '\r' < "$1" | sed -n 's/^[Xx]-[Mm]sm-[Kk]it-[Nn]ode: //p' | tail -n 1; }
sid_of() { awk '$6 == "JSESSIONID" { v = $7 } END { print v }' "$1"; }

# One login by a fresh client: GET protected page, POST credentials ($1: password), GET
# protected page; $2 = 1: one request to a static page between GET and POST, which moves
# nginx's round-robin by one (steers the POST to the other Tomcat than without it). Sets GET_NODE POST_NODE POST_STATUS LOGGED_IN (yes/no) SID_BEFORE SID_AFTER.
login() {
  local jar="$WORK/jar" s
  rm -f "$jar"
  s=$(curl -sS -m 60 -o "$WORK/b1" -D "$WORK/h1" -b "$jar" -c "$jar" -w '%{http_code}' "$BASE/protected/page.jsp") || fail "GET $BASE/protected/page.jsp"
  [[ $s == 200 ]] && grep -q 'data-form="login"' "$WORK/b1" || fail "GET protected page: expected the login form (200), got $s: $(head -c 300 "$WORK/b1")"
  GET_NODE=$(node_of "$WORK/h1"); SID_BEFORE=$(sid_of "$jar")
  [[ -n $SID_BEFORE ]] || fail "the login page set no JSESSIONID cookie"
  [[ ${2:-0} == 1 ]] && { curl -sS -m 60 -o /dev/null "$BASE/index.html" || fail "GET $BASE/index.html"; }
  POST_STATUS=$(curl -sS -m 60 -o "$WORK/b2" -D "$WORK/h2" -b "$jar" -c "$jar" -w '%{http_code}' \
    --data-urlencode "j_username=$USER_" --data-urlencode "j_password=$1" "$BASE/j_security_check") || fail "POST j_security_check"
  POST_NODE=$(node_of "$WORK/h2")
  [[ $GET_NODE == fl-tomcat[12] && $POST_NODE == fl-tomcat[12] ]] || fail "X-Msm-Kit-Node names no Tomcat of the lab: '$GET_NODE' '$POST_NODE'"
  s=$(curl -sS -m 60 -o "$WORK/b3" -b "$jar" -c "$jar" -w '%{http_code}' "$BASE/protected/page.jsp") || fail "GET protected page after login"
  SID_AFTER=$(sid_of "$jar")
  if [[ $s == 200 ]] && grep -q "data-form=\"user\">$USER_<" "$WORK/b3"; then LOGGED_IN=yes; else LOGGED_IN=no; fi
  if grep -q 'data-form="error"' "$WORK/b2"; then POST_PAGE=error-page; elif [[ $POST_STATUS == 30[23] ]]; then POST_PAGE="redirect to $(tr -d '\r' < "$WORK/h2" | sed -n 's/^[Ll]ocation: //p' | sed 's|^https\?://[^/]*||')"; else POST_PAGE=$(grep -o '<title>[^<]*' "$WORK/b2" | head -n 1 | sed 's/<title>//'); fi
}

# Logs in with fresh clients until the POST has reached the other Tomcat (and, if met
# on the way, the same one); $1 = what the cross-node login must be (yes/no), $2 = what
# a same-node one must be (yes/no/any). Sets CROSS_N SAME_N CROSS_DESC SAME_DESC.
attempts() {
  local want_cross=$1 want_same=$2 n=0 case_
  CROSS_N=0; SAME_N=0; CROSS_DESC=; SAME_DESC=
  while (( n < TRIES )) && (( CROSS_N == 0 || (SAME_N == 0 && n < 6) )); do
    n=$((n + 1))
    login "$PASS_" $((n % 2))
    if [[ $GET_NODE != "$POST_NODE" ]]; then case_=cross; CROSS_N=$((CROSS_N + 1)); else case_=same; SAME_N=$((SAME_N + 1)); fi
    local desc="login page from $GET_NODE, POST on $POST_NODE -> $POST_STATUS ($POST_PAGE), then protected page: logged in=$LOGGED_IN; session id before/after login: ${SID_BEFORE:0:8}…/${SID_AFTER:0:8}…"
    echo "  #$n $case_-node: $desc"
    if [[ $case_ == cross ]]; then
      [[ $LOGGED_IN == "$want_cross" ]] || fail "cross-node login: expected logged in=$want_cross: $desc"
      CROSS_DESC=$desc; CROSS_POST=$POST_STATUS
    else
      [[ $want_same == any || $LOGGED_IN == "$want_same" ]] || fail "same-node login: expected logged in=$want_same: $desc"
      SAME_DESC=$desc; SAME_IN=$LOGGED_IN; SAME_POST=$POST_STATUS
    fi
  done
  (( CROSS_N > 0 )) || fail "in $TRIES logins the POST never reached the other Tomcat than the login page (nginx round-robin?)"
}

bash test/fixtures/formlogin/build.sh "$WORK/formlogin.war" || fail "build the FORM-login test app"
t "built formlogin.war from source"

# 1. default: the workaround is off
config false
LOG="$WORK/up1.log"
$KIT up --config "$WORK/lab.json" --out "$OUT" --stand-ins 2>&1 | tee "$LOG"
[[ ${PIPESTATUS[0]} -eq 0 ]] || fail "msm-kit up (workaround off)"
grep -q 'session-fixation' "$LOG" && fail "up warned about session-fixation protection although the workaround is off"
docker exec fl-tomcat1 cat /usr/local/tomcat/webapps/secure/META-INF/context.xml | grep -q "<Valve className=\"org.apache.catalina.authenticator.FormAuthenticator\"" && fail "the deployed context.xml has a FormAuthenticator valve although the workaround is off"
t "up (workaround off) done"
attempts no any
R1_CROSS="$CROSS_DESC"; R1_CROSS_POST=$CROSS_POST; R1_SAME=${SAME_DESC:-not met}; R1_SAME_IN=${SAME_IN:-}
t "workaround off: $CROSS_N cross-node login(s) failed, $SAME_N same-node seen"

# 2. opt in: the workaround is on
config true
LOG="$WORK/up2.log"
$KIT up --config "$WORK/lab.json" --out "$OUT" --stand-ins 2>&1 | tee "$LOG"
[[ ${PIPESTATUS[0]} -eq 0 ]] || fail "msm-kit up (workaround on)"
grep -q "manager.formLoginWorkaround: .*session-fixation protection is off" "$LOG" || fail "up did not warn that session-fixation protection is off"
for tc in fl-tomcat1 fl-tomcat2; do
  docker exec "$tc" cat /usr/local/tomcat/webapps/secure/META-INF/context.xml | grep -q '<Valve className="org.apache.catalina.authenticator.FormAuthenticator" changeSessionIdOnAuthentication="false"/>' \
    || fail "$tc: the deployed /secure context.xml has no FormAuthenticator valve with changeSessionIdOnAuthentication=false"
done
t "up (workaround on) done; up warned; both Tomcats' /secure context.xml carry the valve"
attempts yes yes
R2_CROSS="$CROSS_DESC"; R2_SAME=${SAME_DESC:-not met}
# the trade-off: the id is not changed at login, so whoever held it before holds a logged-in session
[[ ${SID_BEFORE%%-*} == "${SID_AFTER%%-*}" ]] || fail "with the workaround the session id changed at login ($SID_BEFORE -> $SID_AFTER)"
s=$(curl -sS -m 60 -o "$WORK/b4" -w '%{http_code}' -H "Cookie: JSESSIONID=$SID_BEFORE" "$BASE/protected/page.jsp") || fail "GET with the pre-login id"
[[ $s == 200 ]] && grep -q "data-form=\"user\">$USER_<" "$WORK/b4" || fail "a client holding only the pre-login session id was not logged in ($s) — expected it to be, that is the trade-off"
t "workaround on: $CROSS_N cross-node and $SAME_N same-node login(s) worked; the pre-login session id is logged in too (fixation protection off)"
login wrong-password
[[ $LOGGED_IN == no ]] && grep -q 'data-form="error"' "$WORK/b2" || fail "a wrong password did not get the error page (POST $POST_STATUS on $POST_NODE)"
t "workaround on: a wrong password gets the error page"
V=$($KIT verify --config "$WORK/lab.json" -n 6 | tail -n 1); echo "  $V"
[[ $V == PASS:* ]] || fail "verify on the sample app with the workaround on"
t "verify on the sample app passed with the valve in its context"

# 3. down, nothing left
cleanup; trap - EXIT
[[ -z $(left) ]] || fail "containers or networks of $LAB are left"
t "down; nothing of $LAB left"

echo "e2e-formlogin: PROVEN on Tomcat 9 / Java 17, non-sticky, two Tomcats behind nginx:"
echo "  - workaround off (the default): FORM login whose POST reaches the other Tomcat fails: $R1_CROSS"
if [[ $R1_SAME == "not met" ]]; then echo "    (no same-node login met in $TRIES tries)"; else echo "    same-node login (reported, not asserted): $R1_SAME"; fi
echo "  - manager.formLoginWorkaround true: the cross-node login works: $R2_CROSS"
echo "    same-node: $R2_SAME"
echo "  - and its price: the session id is not changed at login; a client holding only the pre-login id is logged in"
echo "e2e-formlogin: passed in $((SECONDS - T0)) s"
