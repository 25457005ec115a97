#!/usr/bin/env bash
# End-to-end test of `msm-kit bundle` without Docker: two memcached processes and
# two Tomcats (9.0.117, unpacked from Maven Central's tarball) on 127.0.0.1, each
# Tomcat overlaid with its node's bundle exactly as INSTALL.md says; then one
# cookie jar alternates requests between the two Tomcats and the session (id and
# counter) must move between them: counter 1..N, one session id, both nodes.
#
#   bash scripts/e2e-bundle.sh
#
# Needs: Java 17 (`java` on PATH), node + a built kit (npm ci), curl; memcached is
# installed with apt-get when missing. Ports: memcached 21211/21212, Tomcat HTTP
# 18081/18082, shutdown 18005/18006. Everything it starts is stopped on exit.
# Env: MSM_KIT_CACHE (default ~/.cache/msm-kit; Tomcat tarball in downloads/),
#      E2E_TOMCAT_VERSION (default 9.0.117), E2E_REQUESTS (default 10),
#      E2E_SERIALIZER (default kryo), E2E_KEEP=1 keeps the work directory.
set -euo pipefail

TAG=e2e-bundle
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}"
DL="$CACHE/downloads"
CENTRAL="${MSM_KIT_MAVEN_REPO:-https://repo1.maven.org/maven2}"
TOMCAT_VERSION="${E2E_TOMCAT_VERSION:-9.0.117}"
REQUESTS="${E2E_REQUESTS:-10}"
SERIALIZER="${E2E_SERIALIZER:-kryo}"
MEMCACHED_PORTS=(21211 21212)
HTTP_PORTS=(18081 18082)
SHUTDOWN_PORTS=(18005 18006)
NODES=(tomcat-node1 tomcat-node2)
START=$EPOCHREALTIME

# shellcheck source=setup/common.sh
source "$ROOT/scripts/setup/common.sh"
# shellcheck source=setup/fetch-tomcat.sh
source "$ROOT/scripts/setup/fetch-tomcat.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/msm-e2e-bundle.XXXXXX")
MEMCACHED_PIDS=()
STARTED_TOMCATS=()
FAILED=1

cleanup() {
  local rc=$?
  for home in "${STARTED_TOMCATS[@]}"; do
    if [[ -s $home/tomcat.pid ]]; then
      local pid; pid=$(cat "$home/tomcat.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${MEMCACHED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ $FAILED == 1 ]]; then
    for home in "${STARTED_TOMCATS[@]}"; do
      printf '\n[%s] --- last lines of %s/logs/catalina.out ---\n' "$TAG" "$home" >&2
      tail -n 40 "$home/logs/catalina.out" >&2 2>/dev/null || true
    done
    printf '[%s] FAILED (work directory kept: %s)\n' "$TAG" "$WORK" >&2
  elif [[ -z ${E2E_KEEP:-} ]]; then
    rm -rf "$WORK"
  else
    say "work directory kept: $WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- prerequisites -------------------------------------------------------------
say "prerequisites"
command -v java >/dev/null || die "java" "no java on PATH (install openjdk-17-jre-headless)"
JAVA_MAJOR=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')
[[ $JAVA_MAJOR == 17 ]] || die "java" "Java $JAVA_MAJOR on PATH; this test's bundle is for Java 17"
command -v curl >/dev/null || apt_install curl ca-certificates
command -v memcached >/dev/null || apt_install memcached
[[ -f $ROOT/dist/src/cli/main.js ]] || run "build the kit" npm --prefix "$ROOT" run build
for p in "${MEMCACHED_PORTS[@]}" "${HTTP_PORTS[@]}" "${SHUTDOWN_PORTS[@]}"; do
  port_free "$p" || die "ports" "127.0.0.1:$p is in use (another run still up?)"
done
say "  java $JAVA_MAJOR, $(memcached -V), node $(node --version); work directory $WORK"

# --- memcached -----------------------------------------------------------------
say "start memcached on 127.0.0.1:${MEMCACHED_PORTS[0]} and :${MEMCACHED_PORTS[1]}"
MEMCACHED_USER=()
[[ $(id -u) == 0 ]] && MEMCACHED_USER=(-u nobody)
for p in "${MEMCACHED_PORTS[@]}"; do
  memcached -l 127.0.0.1 -p "$p" -U 0 -m 32 "${MEMCACHED_USER[@]}" >"$WORK/memcached-$p.log" 2>&1 &
  MEMCACHED_PIDS+=($!)
done
for p in "${MEMCACHED_PORTS[@]}"; do
  for _ in $(seq 1 50); do port_free "$p" || break; sleep 0.1; done
  port_free "$p" && die "memcached :$p" "did not start ($(tail -n 3 "$WORK/memcached-$p.log"))"
done

# --- the bundle ------------------------------------------------------------------
say "msm-kit bundle (Tomcat 9, Java 17, non-sticky, serializer $SERIALIZER)"
cat >"$WORK/lab.config.json" <<JSON
{
  "name": "msm-bundle-e2e",
  "tomcat": { "version": "9", "javaVersion": 17, "nodes": [{ "name": "${NODES[0]}" }, { "name": "${NODES[1]}" }] },
  "memcached": { "nodes": [
    { "id": "n1", "name": "memcached-node1", "host": "127.0.0.1", "port": ${MEMCACHED_PORTS[0]} },
    { "id": "n2", "name": "memcached-node2", "host": "127.0.0.1", "port": ${MEMCACHED_PORTS[1]} } ] },
  "manager": { "sticky": false, "sessionBackupAsync": false, "sessionBackupTimeout": 2000, "operationTimeout": 2000,
    "lockingMode": "auto", "requestUriIgnorePattern": ".*\\\\.(ico|png|gif|jpg|css|js)(\\\\?.*)?$", "serializer": "$SERIALIZER" }
}
JSON
run "msm-kit bundle" node "$ROOT/bin/msm-kit.js" bundle -c "$WORK/lab.config.json" -o "$WORK/bundle" --sample-app \
  --tomcat-address "${NODES[0]}=127.0.0.1:${HTTP_PORTS[0]}" --tomcat-address "${NODES[1]}=127.0.0.1:${HTTP_PORTS[1]}"
say "  $(find "$WORK/bundle" -type f | wc -l) files in $WORK/bundle"

# --- two Tomcats, overlaid -------------------------------------------------------
say "Tomcat $TOMCAT_VERSION from Maven Central"
fetch_tomcat "$TOMCAT_VERSION"
for i in 0 1; do
  node=${NODES[$i]}
  home="$WORK/$node"
  mkdir -p "$home"
  run "unpack $TOMCAT_TARBALL" tar -xzf "$TOMCAT_TARBALL" -C "$home" --strip-components=1
  # The operator's own server.xml: two Tomcats on one host need their own ports.
  sed -i -e "s/port=\"8080\"/port=\"${HTTP_PORTS[$i]}\"/" -e "s/port=\"8005\"/port=\"${SHUTDOWN_PORTS[$i]}\"/" "$home/conf/server.xml"
  grep -q "port=\"${HTTP_PORTS[$i]}\"" "$home/conf/server.xml" || die "configure $node" "HTTP port not set in server.xml"
  say "overlay $node's bundle onto $home (as its INSTALL.md says)"
  (cd "$WORK/bundle/$node/overlay" && sha256sum --quiet -c ../SHA256SUMS) >"$WORK/sha-$node.log" 2>&1 \
    || die "sha256sum -c $node" "$(tail -n 3 "$WORK/sha-$node.log")"
  cp -R "$WORK/bundle/$node/overlay/." "$home/"
  run "msm-kit lint $node's context file" node "$ROOT/bin/msm-kit.js" lint "$home/conf/Catalina/localhost/ROOT.xml" --tomcat "$TOMCAT_VERSION" --java 17
done

for i in 0 1; do
  node=${NODES[$i]}
  home="$WORK/$node"
  say "start $node on 127.0.0.1:${HTTP_PORTS[$i]}"
  STARTED_TOMCATS+=("$home")
  CATALINA_HOME="$home" CATALINA_BASE="$home" CATALINA_PID="$home/tomcat.pid" \
    run "start $node" "$home/bin/catalina.sh" start
done
for i in 0 1; do
  node=${NODES[$i]}
  ok=
  for _ in $(seq 1 120); do
    if curl -fs -o /dev/null "http://127.0.0.1:${HTTP_PORTS[$i]}/health.txt"; then ok=1; break; fi
    sleep 0.5
  done
  [[ -n $ok ]] || die "start $node" "no answer on 127.0.0.1:${HTTP_PORTS[$i]}/health.txt after 60 s"
  grep -q "MemcachedSessionService" "$WORK/$node/logs/catalina.out" || die "start $node" "msm did not start (no MemcachedSessionService in catalina.out)"
done
say "  both Tomcats answer; msm started on both"

# --- sessions move between the Tomcats -----------------------------------------
say "$REQUESTS requests, one cookie jar, alternating between the two Tomcats"
JAR="$WORK/cookies.txt"
first_hex=
seen_nodes=()
printf '%4s  %-6s %-14s %-48s %s\n' '#' port node 'session id' counter
for i in $(seq 1 "$REQUESTS"); do
  port=${HTTP_PORTS[$(( (i - 1) % 2 ))]}
  page=$(curl -fsS -b "$JAR" -c "$JAR" "http://127.0.0.1:$port/") || die "request $i" "curl to :$port failed"
  node=$(grep -o 'data-key="node">[^<]*' <<<"$page" | cut -d'>' -f2)
  session=$(grep -o 'data-key="session">[^<]*' <<<"$page" | cut -d'>' -f2)
  counter=$(grep -o 'data-key="counter">[^<]*' <<<"$page" | cut -d'>' -f2)
  printf '%4s  %-6s %-14s %-48s %s\n' "$i" "$port" "$node" "$session" "$counter"
  hex=${session%%[-.]*}
  [[ -n $hex ]] || die "request $i" "no session id on the page"
  [[ -z $first_hex ]] && first_hex=$hex
  [[ $hex == "$first_hex" ]] || die "request $i" "the session id changed ($first_hex -> $hex): the session did not move"
  [[ $counter == "$i" ]] || die "request $i" "counter is $counter, expected $i: the session's data did not move"
  [[ " ${seen_nodes[*]} " == *" $node "* ]] || seen_nodes+=("$node")
done
(( ${#seen_nodes[@]} == 2 )) || die "verify" "only ${seen_nodes[*]} served the requests"

FAILED=0
say "PASS: one session ($first_hex) moved between ${seen_nodes[*]} with counter 1..$REQUESTS, in $(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
