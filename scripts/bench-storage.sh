#!/usr/bin/env bash
# Storage-driver benchmark: `docker run --rm IMAGE true` on the machine's engine (whatever
# driver engine.sh gave it, overlay2 here) against a vfs engine this script starts for the
# purpose, in a network namespace of its own (never a second dockerd on the host network),
# with its own data root; the image is copied into it with docker save | load. Prints the
# min-max of N runs for each and the ratio; removes everything it started.
#
#   bash scripts/bench-storage.sh [IMAGE] [N]     (default msm-kit-local/tomcat:9.0-jre17, 3)
set -euo pipefail
IMAGE=${1:-msm-kit-local/tomcat:9.0-jre17}
N=${2:-3}
NS=msmbenchvfs
ROOT=/var/lib/msm-kit-bench-vfs
RUN=/run/msm-kit-bench-vfs
SOCK=$RUN/docker.sock
[[ $EUID -eq 0 ]] || { echo "bench-storage: must run as root (netns, dockerd)" >&2; exit 1; }
docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "bench-storage: no image $IMAGE. Fix: bash scripts/lab.sh up (builds the stand-ins) or name an image you have" >&2; exit 1; }
cleanup() {
  [[ -f $RUN/pid ]] && kill "$(cat "$RUN/pid")" 2>/dev/null && sleep 2
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$ROOT" "$RUN"
}
trap cleanup EXIT
cleanup
mkdir -p "$ROOT" "$RUN"
ip netns add "$NS"
echo '{}' >"$RUN/daemon.json"
setsid nohup nsenter --net="/var/run/netns/$NS" /usr/sbin/dockerd --config-file "$RUN/daemon.json" --data-root "$ROOT" \
  --exec-root "$RUN/exec" --pidfile "$RUN/pid" -H "unix://$SOCK" --storage-driver vfs --bridge none --iptables=false >"$RUN/log" 2>&1 </dev/null &
for _ in $(seq 1 120); do docker -H "unix://$SOCK" info >/dev/null 2>&1 && break; sleep 0.5; done
docker -H "unix://$SOCK" info >/dev/null 2>&1 || { tail -5 "$RUN/log" >&2; exit 1; }
echo "[bench-storage] copying $IMAGE into the vfs engine"
docker save "$IMAGE" | docker -H "unix://$SOCK" load >/dev/null

runs() { # runs DOCKER_ARGS... : N timings of docker run --rm IMAGE true
  local i a
  for i in $(seq 1 "$N"); do
    a=$EPOCHREALTIME
    docker "$@" run --rm --network none "$IMAGE" true >/dev/null
    awk -v a="$a" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", b - a }'
  done
}
main_driver=$(docker info --format '{{.Driver}}')
mapfile -t fast < <(runs)
mapfile -t slow < <(runs -H "unix://$SOCK")
mm() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s s", lo, hi }'; }
med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "docker run --rm $IMAGE true, $N runs each:"
echo "  $main_driver (the machine's engine): $(mm "${fast[@]}")"
echo "  vfs (baseline, same machine, same go): $(mm "${slow[@]}")"
awk -v f="$(med "${fast[@]}")" -v s="$(med "${slow[@]}")" -v d="$main_driver" 'BEGIN { printf "  median ratio %s / vfs: %.2fx\n", d, f / s }'
