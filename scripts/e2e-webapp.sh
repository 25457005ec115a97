#!/usr/bin/env bash
# End-to-end: the user's own webapp (issue 9). The test shop (test/fixtures/shop, built
# from source: javac --release 8 + jar) at /shop beside the sample app at /msm-kit, on a
# two-Tomcat non-sticky lab with the offline stand-ins.
#   1. bad webapps (missing file, not a zip, too-new class, bundled msm jar, duplicate
#      context path) are refused by `up`, naming the field, and nothing is deployed;
#   2. msm-kit up with the shop; the user's WAR is unchanged (SHA-256 before/after);
#   3. the cart (a Serializable graph: list + map) grows by one item per request while
#      nginx's X-Msm-Kit-Node header shows both Tomcats answering: its data moves;
#   4. msm-kit verify --path /shop/ (session identity only) and verify (sample app) pass;
#   5. msm-kit down; no container or network of the lab is left (always, trap).
# Env: TF_CLI_CONFIG_FILE as for msm-kit up; MSM_KIT_E2E_OUT; WA_PORT (18090), WA_SUBNET.
set -uo pipefail
cd "$(dirname "$0")/.."
KIT="node $(pwd)/bin/msm-kit.js"
OUT=$(realpath -m "${MSM_KIT_E2E_OUT:-out/e2e/webapp}")
LAB=wa-shop
PORT=${WA_PORT:-18090}
SUBNET=${WA_SUBNET:-172.28.61.0/24}
WORK=$(mktemp -d)
T0=$SECONDS
fail() { echo "e2e-webapp: FAILED: $*" >&2; exit 1; }
t() { echo "e2e-webapp: [$((SECONDS - T0)) s] $*"; }

# A lab config in $WORK, sources relative to it; $1 = the webapps array.
config() {
  cat > "$WORK/lab.json" <<JSON
{
  "name": "$LAB",
  "tomcat": { "version": "9", "javaVersion": 17, "nodes": [{ "name": "wa-tomcat1" }, { "name": "wa-tomcat2" }] },
  "memcached": { "nodes": [{ "id": "n1", "name": "wa-memcached1" }, { "id": "n2", "name": "wa-memcached2" }] },
  "manager": { "sticky": false, "sessionBackupAsync": false, "sessionBackupTimeout": 2000, "operationTimeout": 2000, "lockingMode": "auto" },
  "loadBalancer": { "name": "wa-nginx", "port": $PORT },
  "network": { "subnet": "$SUBNET" },
  "webapps": $1
}
JSON
}
left() { echo "$(docker ps -aq --filter label=msm-kit.lab=$LAB)$(docker network ls -q --filter label=msm-kit.lab=$LAB)"; }
cleanup() {
  config '[{ "contextPath": "/msm-kit", "source": "msm-kit:sample" }]'
  $KIT down --config "$WORK/lab.json" --out "$OUT" --stand-ins >/dev/null 2>&1 || $KIT down --config "$WORK/lab.json" --out "$OUT" --stand-ins
  rm -rf "$WORK"
}
trap cleanup EXIT

SAMPLE='{ "contextPath": "/msm-kit", "source": "msm-kit:sample" }'
bash test/fixtures/shop/build.sh "$WORK/shop.war" || fail "build the test shop (javac + jar)"
t "built shop.war from source"

# 1. bad webapps: refused before anything is built, nothing deployed
mkdir -p "$WORK/bad/new/WEB-INF/classes/x" "$WORK/bad/msm/WEB-INF/lib"
printf '\xca\xfe\xba\xbe\x00\x00\x00\x41' > "$WORK/bad/new/WEB-INF/classes/x/New.class"   # class file version 65: Java 21
echo x > "$WORK/bad/msm/WEB-INF/lib/memcached-session-manager-2.3.2.jar"
echo 'not a zip' > "$WORK/notzip.war"
check_bad() { # $1 = webapp entry, $2 = field path, $3 = words the message must hold, $4 = the entries before it (default: the sample app)
  config "[${4-$SAMPLE, }$1]"
  local log
  log=$($KIT up --config "$WORK/lab.json" --out "$OUT/bad" --stand-ins 2>&1) && fail "up accepted $1"
  grep -qF -- "$2: " <<<"$log" || fail "no problem at $2 for $1: $log"
  grep -qF -- "$3" <<<"$log" || fail "the message for $1 does not say '$3': $log"
  grep -q 'Fix: ' <<<"$log" || fail "no Fix for $1"
  [[ -z $(left) ]] || fail "something was deployed for $1"
  [[ ! -e $OUT/bad/tomcat-image ]] || fail "the image context was written for $1"
  echo "  refused: $(grep -F -- "$2: " <<<"$log" | head -c 200)"
}
check_bad '{ "contextPath": "/shop", "source": "missing.war" }' 'webapps[1].source' 'no such file'
check_bad '{ "contextPath": "/shop", "source": "notzip.war" }' 'webapps[1].source' 'not a WAR'
check_bad '{ "contextPath": "/shop", "source": "bad/new" }' 'webapps[1].source' 'WEB-INF/classes/x/New.class is compiled for Java 21'
check_bad '{ "contextPath": "/shop", "source": "bad/msm" }' 'webapps[1].source' 'memcached-session-manager-2.3.2.jar'
check_bad '{ "contextPath": "/msm-kit", "source": "shop.war" }' 'webapps[1].contextPath' 'already uses this context path'
check_bad '{ "contextPath": "/msm-kit", "source": "shop.war" }' 'webapps[0].contextPath' 'where the kit puts its sample app' ''
t "6 bad webapps refused, nothing deployed"

# 2. deploy the shop alone: the kit adds its sample app (health check, probe) at /msm-kit by itself
config '[{ "contextPath": "/shop", "source": "shop.war" }]'
BEFORE=$(sha256sum < "$WORK/shop.war")
UP=$($KIT up --config "$WORK/lab.json" --out "$OUT" --stand-ins) || fail "msm-kit up"
echo "  $UP"
[[ $(sha256sum < "$WORK/shop.war") == "$BEFORE" ]] || fail "the user's WAR was modified"
[[ $UP == *"http://127.0.0.1:$PORT/shop/"* ]] || fail "up printed no URL of the shop: $UP"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/shop/") || fail "GET /shop/"
[[ $code == 200 ]] || fail "the URL up printed answers HTTP $code"
t "up done with the shop alone; it printed the shop's URL, which answers; the WAR is unchanged"

# 3. the cart's data moves between nodes
JAR="$WORK/cookies"; : > "$JAR"
declare -A NODES=()
for i in $(seq 1 8); do
  page=$(curl -sS -D "$WORK/h" -b "$JAR" -c "$JAR" "http://127.0.0.1:$PORT/shop/?add=item-$((i % 3))") || fail "GET /shop/ #$i"
  node=$(tr -d '\r' < "$WORK/h" | sed -n 's/^[Xx]-[Mm]sm-[Kk]it-[Nn]ode: //p')
  items=$(sed -n 's/.*data-shop="items">\([0-9]*\)<.*/\1/p' <<<"$page")
  sid=$(sed -n 's/.*data-shop="session">\([^<]*\)<.*/\1/p' <<<"$page")
  echo "  #$i node=$node items=$items session=$sid quantities=$(sed -n 's/.*data-shop="quantities">\([^<]*\)<.*/\1/p' <<<"$page")"
  [[ $items == "$i" ]] || fail "request $i saw $items item(s) in the cart on $node: the cart did not move"
  [[ $node == wa-tomcat1 || $node == wa-tomcat2 ]] || fail "X-Msm-Kit-Node names no Tomcat of the lab: '$node'"
  [[ $i == 1 ]] && first=$sid
  [[ ${sid%%-*} == "${first%%-*}" ]] || fail "the session id changed: $first -> $sid"
  NODES[$node]=1
done
(( ${#NODES[@]} >= 2 )) || fail "only ${!NODES[*]} answered; the cart did not cross nodes"
grep -q 'msm-kit test shop' <<<"$page" || fail "the shop's own context.xml parameter was lost"
t "cart grew 1..8 across ${!NODES[*]}; the app's own context.xml setting kept"

# 4. verify on the user's app (session identity) and on the sample app (counter)
V=$($KIT verify --config "$WORK/lab.json" --path /shop/ -n 10 | tail -n 1); echo "  $V"
[[ $V == PASS:*"session identity only"* ]] || fail "verify --path /shop/"
V=$($KIT verify --config "$WORK/lab.json" -n 10 | tail -n 1); echo "  $V"
[[ $V == PASS:*counter* ]] || fail "verify on the sample app at /msm-kit"
t "verify --path /shop/ and verify passed"

# 5. down, nothing left
cleanup; trap - EXIT
[[ -z $(left) ]] || fail "containers or networks of $LAB are left"
t "down; nothing of $LAB left"
echo "e2e-webapp: passed in $((SECONDS - T0)) s"
