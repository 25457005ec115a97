#!/usr/bin/env bash
# Benchmark: time from nothing to a verified lab, per step; a second deploy
# with warm caches; redeploys of the running lab (`up` again with no change,
# REPEAT times; `up` after a Manager-only change, lockingMode); and, as the
# baseline, 5 plain `docker run`s of the same images reaching the same health,
# run first and last. Prints figures and ratios (min–max); asserts nothing. The lab is
# lab.config.json renamed (mgr-bench, mgr-bench-* nodes) on port 18150 and 172.28.78.0/24.
#
#   bash scripts/bench-deploy.sh [--cold]
#
# --cold empties every cache the kit owns first, in throw-away locations
# (npm cache, jar cache, provider mirror, Go module and build caches) and
# removes the kit's images, so the stand-ins are rebuilt. The Docker engine is
# started if none answers. Traffic goes to 127.0.0.1 and the lab's containers only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CHECKPOINT_DISABLE=1 PATH="$PATH:/usr/local/go/bin"
COLD=0
[[ ${1:-} == --cold ]] && COLD=1
OUT=$ROOT/out/bench-deploy
mkdir -p "$OUT"
declare -a names=() secs=()
now() { date +%s.%N; }
timed() { # timed NAME COMMAND...
  local name=$1 t; shift
  t=$(now)
  "$@" >"$OUT/${name// /_}.log" 2>&1 || { echo "bench-deploy: step '$name' failed; see $OUT/${name// /_}.log" >&2; tail -5 "$OUT/${name// /_}.log" >&2; exit 1; }
  names+=("$name")
  secs+=("$(awk -v a="$t" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')")
  echo "  $name: ${secs[-1]} s" >&2
}

# Baseline: the same five containers with plain docker run, to the same health. Names, host
# port and subnet can be moved off another run's (BENCH_PLAIN=plain, BENCH_PLAIN_PORT=8089,
# BENCH_PLAIN_SUBNET=172.28.58.0/24).
P=${BENCH_PLAIN:-plain}
plain() {
  local net=msm-$P-net
  docker network create --subnet "${BENCH_PLAIN_SUBNET:-172.28.58.0/24}" "$net" >/dev/null
  docker run -d --name "$P-mc1" --network "$net" "$MEMCACHED_IMAGE" >/dev/null
  docker run -d --name "$P-mc2" --network "$net" "$MEMCACHED_IMAGE" >/dev/null
  docker run -d --name "$P-t1" --network "$net" -e MSM_KIT_NODE="$P-t1" "$TOMCAT_IMAGE" >/dev/null
  docker run -d --name "$P-t2" --network "$net" -e MSM_KIT_NODE="$P-t2" "$TOMCAT_IMAGE" >/dev/null
  docker run -d --name "$P-nginx" --network "$net" -p "127.0.0.1:${BENCH_PLAIN_PORT:-8089}:80" "$NGINX_IMAGE" >/dev/null
  local c
  for c in "$P-t1" "$P-t2"; do
    until docker exec "$c" bash -c "exec 3<>/dev/tcp/127.0.0.1/8080" 2>/dev/null; do sleep 0.2; done
  done
}
plain_clean() {
  docker rm -f "$P-mc1" "$P-mc2" "$P-t1" "$P-t2" "$P-nginx" >/dev/null 2>&1 || true
  docker network rm "msm-$P-net" >/dev/null 2>&1 || true
}
restore() {
  plain_clean
  # A failed step leaves the lab up: take it down (no-op when it is down already).
  [[ -n ${TF_CLI_CONFIG_FILE:-} && -n ${CFG:-} ]] && node bin/msm-kit.js down --config "$CFG" --out "$OUT/lab" >/dev/null 2>&1 || true
  # A cold run pointed .msm-kit/terraformrc at its throw-away mirror: point it back.
  if ((COLD)); then env -u MSM_KIT_CACHE -u GOMODCACHE -u GOCACHE bash scripts/setup/provider.sh >/dev/null 2>&1 || true; fi
}
plain_clean
trap restore EXIT

if ((COLD)); then
  TMP=$(mktemp -d /tmp/msm-cold-XXXX)
  export MSM_KIT_CACHE=$TMP/cache GOMODCACHE=$TMP/gomod GOCACHE=$TMP/gobuild npm_config_cache=$TMP/npm
  echo "[bench] cold: caches in $TMP; removing the kit's images" >&2
  docker ps -aq --filter label=msm-kit.lab | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^msm-kit(-local)?/' | xargs -r docker rmi -f >/dev/null 2>&1 || true
  docker image prune -f >/dev/null 2>&1 || true # a forced rmi of a parent leaves it untagged, not gone
  rm -rf node_modules dist
fi

# The default lab under its own names, port and subnet, so the benchmark collides with no
# other lab on this engine (the default one's 8080 and 172.28.57.0/24 included).
CFG=$OUT/bench.json
node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); delete c.$schema;
  Object.assign(c, { name: "mgr-bench", network: { subnet: "172.28.78.0/24" }, loadBalancer: { ...c.loadBalancer, name: "mgr-bench-nginx", port: 18150 } });
  c.tomcat.nodes = c.tomcat.nodes.map((n, i) => ({ ...n, name: `mgr-bench-tomcat${i + 1}` }));
  c.memcached.nodes = c.memcached.nodes.map((n, i) => ({ ...n, name: `mgr-bench-memcached${i + 1}` }));
  require("fs").writeFileSync(process.argv[2], JSON.stringify(c, null, 2))' lab.config.json "$CFG"
total0=$(now)
timed "npm ci + build" npm ci --no-audit --no-fund
timed "engine" bash scripts/setup/engine.sh
timed "images" node bin/msm-kit.js images --config "$CFG"
SI=()
[[ $(node bin/msm-kit.js images --config "$CFG" --json | node -p 'JSON.parse(require("fs").readFileSync(0)).standIns') == true ]] && SI=(--stand-ins)
facts() { node bin/msm-kit.js validate --config "$CFG" --json "${SI[@]}" | node -p "JSON.parse(require('fs').readFileSync(0)).$1"; }
MEMCACHED_IMAGE=$(facts images.memcached)
NGINX_IMAGE=$(facts images.nginx)
timed "jars" node bin/msm-kit.js jars
timed "provider" bash scripts/setup/provider.sh
export TF_CLI_CONFIG_FILE=$ROOT/.msm-kit/terraformrc
timed "deploy (msm-kit up)" node bin/msm-kit.js up --config "$CFG" --out "$OUT/lab" "${SI[@]}"
timed "verify" node bin/msm-kit.js verify --config "$CFG" --requests 10
total=$(awk -v a="$total0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')

timed "destroy" node bin/msm-kit.js down --config "$CFG" --out "$OUT/lab"
timed "warm deploy (msm-kit up)" node bin/msm-kit.js up --config "$CFG" --out "$OUT/lab" "${SI[@]}"
timed "warm verify" node bin/msm-kit.js verify --config "$CFG" --requests 10
warm=$(awk -v a="${secs[-2]}" -v b="${secs[-1]}" 'BEGIN { printf "%.1f", a + b }')
TOMCAT_IMAGE=$(docker inspect -f '{{.Config.Image}}' "$(facts 'containers.tomcat[0]')")
REPEAT=${REPEAT:-3}
for i in $(seq "$REPEAT"); do
  timed "no-change redeploy $i" node bin/msm-kit.js up --config "$CFG" --out "$OUT/lab" "${SI[@]}"
done
# A Manager-only change: the same config with another lockingMode, written beside the output.
node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); c.manager={...c.manager, lockingMode: c.manager.lockingMode==="all"?"auto":"all"}; require("fs").writeFileSync(process.argv[2], JSON.stringify(c,null,2))' "$CFG" "$OUT/manager-change.json"
timed "manager-change redeploy" node bin/msm-kit.js up --config "$OUT/manager-change.json" --out "$OUT/lab" "${SI[@]}"
timed "manager-change verify" node bin/msm-kit.js verify --config "$OUT/manager-change.json" --requests 10
timed "destroy again" node bin/msm-kit.js down --config "$OUT/manager-change.json" --out "$OUT/lab"


timed "baseline: 5 plain docker runs" plain
base1=${secs[-1]}
plain_clean
timed "baseline again: 5 plain docker runs" plain
base2=${secs[-1]}
base=$(awk -v a="$base1" -v b="$base2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
# min and max of the no-change redeploys
nc=$(for i in "${!names[@]}"; do if [[ ${names[$i]} == no-change* ]]; then echo "${secs[$i]}"; fi; done | sort -n)
ncmin=$(head -1 <<<"$nc"); ncmax=$(tail -1 <<<"$nc")
mc=$(for i in "${!names[@]}"; do if [[ ${names[$i]} == 'manager-change redeploy' ]]; then echo "${secs[$i]}"; fi; done)

echo
echo "deploy benchmark ($([[ $COLD == 1 ]] && echo 'cold: empty caches, images rebuilt' || echo 'caches as found'))"
for i in "${!names[@]}"; do
  case ${names[$i]} in destroy*|warm*|baseline*|no-change*|manager-change*) continue ;; esac
  printf '  %-28s %7s s  %5.1f %%\n' "${names[$i]}" "${secs[$i]}" "$(awk -v a="${secs[$i]}" -v b="$total" 'BEGIN { print 100 * a / b }')"
done
printf '  %-28s %7s s\n' "$([[ $COLD == 1 ]] && echo 'nothing -> verified lab' || echo 'setup + deploy + verify')" "$total"
printf '  %-28s %7s s   (%.1fx the baseline)\n' "warm deploy + verify" "$warm" "$(awk -v a="$warm" -v b="$base" 'BEGIN { print a / b }')"
printf '  %-28s %7s s   (%.2f-%.2fx the baseline; %s runs, min-max)\n' "no-change redeploy" "$ncmin-$ncmax" "$(awk -v a="$ncmin" -v b="$base" 'BEGIN { print a / b }')" "$(awk -v a="$ncmax" -v b="$base" 'BEGIN { print a / b }')" "$REPEAT"
printf '  %-28s %7s s   (%.1fx the baseline; terraform: %s)\n' "manager-change redeploy" "$mc" "$(awk -v a="$mc" -v b="$base" 'BEGIN { print a / b }')" "$(grep -o 'Plan: .*' "$OUT/manager-change_redeploy.log" | head -1)"
printf '  %-28s %7s s   (baseline: mean of two runs, %s and %s s)\n' "5 plain docker runs" "$base" "$base1" "$base2"
printf '  that total is %.1fx the baseline\n' "$(awk -v a="$total" -v b="$base" 'BEGIN { print a / b }')"
