#!/usr/bin/env bash
# End-to-end msm on the jakarta.* Tomcats (issue 15): Tomcat 11 (examples/tomcat11.json)
# and Tomcat 10.1 (examples/tomcat10.json), each in non-sticky and sticky mode: four
# labs, one after the other. Each lab is a copy of the example with its own name,
# container names, port and subnet (so it never meets another lab), and the mode set:
#   msm-kit up --stand-ins (the converted msm jars and the kit's Manager subclass in the
#   image; Tomcat and Java versions read inside every Tomcat), verify (20 requests, one
#   session across both Tomcats), verify --failover, drills memcached-down and
#   tomcat-down (non-sticky: fail on any loss after the failover instant), down.
# At the end no container or network of these labs is left (checked; trap cleans up).
# Env: TF_CLI_CONFIG_FILE (scripts/setup/provider.sh); MSM_KIT_E2E_OUT (out/e2e/jakarta);
#      MSM_KIT_E2E_JAKARTA_PREFIX (lab name prefix, "jk"), MSM_KIT_E2E_JAKARTA_PORT (18100),
#      MSM_KIT_E2E_JAKARTA_NET (the /24 the labs use in turn, 172.28.63); MSM_KIT_E2E_DRILLS=0 skips drills (loudly);
#      MSM_KIT_E2E_JAKARTA_ONLY="t11-sticky t10-non" runs only those labs (say so loudly).
set -uo pipefail
cd "$(dirname "$0")/.."
KIT="node $(pwd)/bin/msm-kit.js"
OUT=${MSM_KIT_E2E_OUT:-out/e2e/jakarta}
PREFIX=${MSM_KIT_E2E_JAKARTA_PREFIX:-jk}
PORT0=${MSM_KIT_E2E_JAKARTA_PORT:-18100}
NET=${MSM_KIT_E2E_JAKARTA_NET:-172.28.63}
mkdir -p "$OUT"
fail() { echo "e2e-jakarta: FAILED: $*" >&2; exit 1; }
t0=$EPOCHREALTIME
step() { # step NAME CMD...: runs it, prints its time
  local name=$1 s=$EPOCHREALTIME rc; shift
  echo "--- $name"
  "$@"; rc=$?
  printf -- '--- %s: %s in %.1fs\n' "$name" "$([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)")" "$(awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
  return $rc
}

# variant EXAMPLE MODE NAME PORT SUBNET: writes $OUT/NAME.json and prints its path.
variant() {
  node - "$@" "$OUT" <<'EOF'
const fs = require('fs');
const [example, mode, name, port, subnet, out] = process.argv.slice(2);
const c = JSON.parse(fs.readFileSync(example, 'utf8'));
delete c.$schema;
c.name = name;
c.tomcat.nodes = c.tomcat.nodes.map((n, i) => ({ name: `${name}-tomcat${i + 1}`, ...(mode === 'sticky' ? { jvmRoute: `t${i + 1}` } : {}) }));
c.memcached.nodes = c.memcached.nodes.map((n, i) => ({ ...n, name: `${name}-memcached${i + 1}` }));
const m = c.manager;
for (const k of ['sticky', 'failoverNodes', 'lockingMode', 'sessionBackupAsync', 'sessionBackupTimeout', 'operationTimeout']) delete m[k];
if (mode === 'sticky') Object.assign(m, { sticky: true, failoverNodes: [c.memcached.nodes[c.memcached.nodes.length - 1].id] });
else Object.assign(m, { sticky: false, sessionBackupAsync: false, sessionBackupTimeout: 2000, operationTimeout: 2000, lockingMode: 'auto' });
c.manager = m;
c.loadBalancer = { ...c.loadBalancer, name: `${name}-nginx`, port: Number(port) };
c.network = { subnet };
const file = `${out}/${name}.json`;
fs.writeFileSync(file, JSON.stringify(c, null, 2) + '\n');
console.log(file);
EOF
}

LABS=()
i=0
for spec in "examples/tomcat11.json:t11" "examples/tomcat10.json:t10"; do
  for mode in non-sticky sticky; do
    name="$PREFIX-${spec##*:}-${mode%%-*}"
    if [[ -n ${MSM_KIT_E2E_JAKARTA_ONLY:-} && " $MSM_KIT_E2E_JAKARTA_ONLY " != *" ${spec##*:}-${mode%%-*} "* ]]; then
      echo "!!! SKIPPED: $name (MSM_KIT_E2E_JAKARTA_ONLY); not counted as passed" >&2
      i=$((i + 1)); continue
    fi
    LABS+=("$(variant "${spec%%:*}" "$mode" "$name" $((PORT0 + i)) "$NET.0/24" | tail -n 1)") || fail "write the $name config"
    i=$((i + 1))
  done
done

down() { $KIT down --config "$1" --out "$OUT/$(basename "$1" .json)" >/dev/null 2>&1 || $KIT down --config "$1" --out "$OUT/$(basename "$1" .json)"; }
cleanup() { for c in "${LABS[@]}"; do down "$c"; done; }
trap cleanup EXIT
left() { # left: containers and networks of these labs still there
  local c n
  for c in "${LABS[@]}"; do
    n=$(basename "$c" .json)
    docker ps -aq --filter "label=msm-kit.lab=$n"
    docker network ls -q --filter "label=msm-kit.lab=$n"
  done
}

failed=0
for cfg in "${LABS[@]}"; do
  name=$(basename "$cfg" .json)
  step "stand-in images for $name" $KIT images --config "$cfg" >/dev/null || { failed=1; continue; }
  if step "up $name ($($KIT validate --config "$cfg" | sed 's/^[^:]*: valid — //'))" $KIT up --config "$cfg" --out "$OUT/$name" --stand-ins; then
    step "verify $name (20 requests)" $KIT verify --config "$cfg" --requests 20 || failed=1
    step "verify $name with the serving Tomcat stopped" $KIT verify --config "$cfg" --requests 12 --failover || failed=1
    if [[ ${MSM_KIT_E2E_DRILLS:-1} == 0 ]]; then
      echo "!!! SKIPPED: drills (MSM_KIT_E2E_DRILLS=0); not counted as passed" >&2
    else
      for s in memcached-down tomcat-down; do
        step "drill $s ($name)" $KIT drill "$s" --config "$cfg" --sessions 20 --duration 12 || failed=1
      done
    fi
  else
    failed=1
  fi
  step "down $name" down "$cfg" || failed=1
done
trap - EXIT
[[ -z $(left) ]] || { cleanup; fail "containers or networks of these labs were left behind"; }
printf 'e2e-jakarta: %s in %.0fs\n' "$([[ $failed == 0 ]] && echo passed || echo FAILED)" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
exit $failed
