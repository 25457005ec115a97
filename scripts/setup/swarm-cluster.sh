#!/usr/bin/env bash
# A Docker Swarm test cluster on this one machine: N Docker hosts (default 3),
# each a network namespace with its own dockerd, joined into one Swarm, plus a
# registry every host pulls from. It never touches the machine's own engine.
#
#   swarm-cluster.sh up [N]      create (idempotent: an existing cluster is kept)
#   swarm-cluster.sh down        remove everything it created (daemons, data,
#                                namespaces, bridge, iptables rules, registry)
#   swarm-cluster.sh status      one line per host; exit 1 if the cluster is not up
#   swarm-cluster.sh push IMG... copy images of the machine's engine into the
#                                registry as <registry>/<IMG> (docker save | load
#                                into host1, push from there: the machine's engine
#                                is not reconfigured)
#   swarm-cluster.sh leftovers   print anything of the cluster still present; exit 1 if any
#   swarm-cluster.sh stop-host I / start-host I
#                                stop host I's dockerd (its containers stop with it: a
#                                host lost) / start it again (it rejoins the Swarm)
#
# Layout (each fact once, here):
#   bridge msmsw0 10.199.0.1/24; host i = namespace msmsw<i>, address 10.199.0.<i+1>,
#   veth msmsw<i>h (machine side) / eth0 (inside); dockerd with --data-root
#   /var/lib/msm-kit-swarm/host<i>, --exec-root /run/msmsw/h<i>, socket
#   /run/msmsw/h<i>.sock, storage driver overlay2 when an overlay mount works there (else vfs, loudly); node label msm-kit.host=host<i>.
#   Registry: Debian's docker-registry on 10.199.0.1:18129 (data in
#   /var/lib/msm-kit-swarm/registry), an insecure registry for every host.
#   Swarm address pool 172.28.69.0/24 (/26 per network).
#   iptables: one FORWARD rule on the machine (comment msm-kit-swarm), removed by down.
#
# Seen on this machine: dockerd must start through `nsenter --net=` (`ip netns
# exec` remounts /sys: "Devices cgroup isn't mounted"); the FORWARD chain (policy
# DROP under Docker) drops traffic between the veths until accepted; every
# namespace has the same hostname, hence node labels.
set -euo pipefail

TAG=swarm-cluster
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

PREFIX=msmsw
BRIDGE=${PREFIX}0
NET=10.199.0
REG_PORT=18129
REGISTRY="$NET.1:$REG_PORT"
DATA=/var/lib/msm-kit-swarm
RUN=/run/msmsw
COMMENT=msm-kit-swarm
POOL=172.28.69.0/24
WAIT=${MSM_KIT_SWARM_WAIT:-60}

[[ $EUID -eq 0 ]] || die "swarm cluster" "must run as root (namespaces, bridge, dockerd)"

sock() { echo "$RUN/h$1.sock"; }
dk() { local i=$1; shift; docker -H "unix://$(sock "$i")" "$@"; }
ns_ip() { echo "$NET.$(($1 + 1))"; }
hosts_present() { ls /var/run/netns 2>/dev/null | grep -E "^${PREFIX}[0-9]+$" | sed "s/^$PREFIX//" | sort -n || true; }
count_file="$DATA/hosts"

fwd_rule=(FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$COMMENT" -j ACCEPT)

start_registry() {
  if [[ -f $RUN/registry.pid ]] && kill -0 "$(cat "$RUN/registry.pid")" 2>/dev/null; then return; fi
  if [[ ! -x /usr/bin/docker-registry ]]; then apt_install docker-registry; fi
  mkdir -p "$DATA/registry"
  cat >"$DATA/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DATA/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
  setsid nohup /usr/bin/docker-registry serve "$DATA/registry.yml" >>"$DATA/registry.log" 2>&1 </dev/null &
  echo $! >"$RUN/registry.pid"
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/$NET.1/$REG_PORT") 2>/dev/null; then say "registry on $REGISTRY (pid $(cat "$RUN/registry.pid"))"; return; fi
    sleep 0.2
  done
  die "start registry" "nothing answers on $REGISTRY (see $DATA/registry.log)"
}

start_host() {
  local i=$1 ns=$PREFIX$1 ip
  ip=$(ns_ip "$i")
  if [[ ! -e /var/run/netns/$ns ]]; then
    ip netns add "$ns"
    ip link add "${ns}h" type veth peer name eth0 netns "$ns"
    ip link set "${ns}h" master "$BRIDGE" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$NET.1"
  fi
  if [[ -f $RUN/h$i.pid ]] && kill -0 "$(cat "$RUN/h$i.pid")" 2>/dev/null; then return; fi
  mkdir -p "$DATA/host$i" "$RUN/h$i"
  [[ -n ${driver:-} ]] || driver=$(storage_driver "$DATA")
  echo '{}' >"$DATA/host$i.json"
  # Own data, exec root, socket, pid file, config file, key, cgroup parent: nothing
  # shared with the machine's engine. iptables rules it writes stay in its namespace.
  setsid nohup nsenter --net="/var/run/netns/$ns" /usr/sbin/dockerd \
    --config-file "$DATA/host$i.json" \
    --data-root "$DATA/host$i" --exec-root "$RUN/h$i" --pidfile "$RUN/h$i.pid" \
    -H "unix://$(sock "$i")" --storage-driver "$driver" --cgroup-parent "/$PREFIX-h$i" \
    --insecure-registry "$REGISTRY" >>"$DATA/host$i.log" 2>&1 </dev/null &
}

wait_host() {
  local i=$1
  for _ in $(seq 1 $((WAIT * 5))); do
    dk "$i" info >/dev/null 2>&1 && return
    sleep 0.2
  done
  die "start dockerd of host$i" "no answer on $(sock "$i") after ${WAIT}s (see $DATA/host$i.log)"
}

swarm_state() { dk "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo down; }

up() {
  local n=${1:-3} t0=$SECONDS
  [[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 9 ]] || die "swarm cluster" "N must be 1..9 (got $n)"
  if [[ -f $count_file && $(cat "$count_file") != "$n" ]]; then
    die "swarm cluster" "a cluster of $(cat "$count_file") hosts exists; run down first"
  fi
  mkdir -p "$DATA" "$RUN" /var/run/netns
  echo "$n" >"$count_file"
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  iptables -C "${fwd_rule[@]}" 2>/dev/null || iptables -I "${fwd_rule[@]}"
  start_registry
  for i in $(seq 1 "$n"); do start_host "$i"; done
  for i in $(seq 1 "$n"); do wait_host "$i"; done
  if [[ $(swarm_state 1) != active ]]; then
    run "swarm init" dk 1 swarm init --advertise-addr "$(ns_ip 1)" --listen-addr "$(ns_ip 1):2377" \
      --default-addr-pool "$POOL" --default-addr-pool-mask-length 26
  fi
  local token
  token=$(dk 1 swarm join-token -q worker)
  for i in $(seq 2 "$n"); do
    [[ $(swarm_state "$i") == active ]] && continue
    run "host$i joins" dk "$i" swarm join --advertise-addr "$(ns_ip "$i")" --listen-addr "$(ns_ip "$i"):2377" --token "$token" "$(ns_ip 1):2377"
  done
  for i in $(seq 1 "$n"); do
    local id
    id=$(dk "$i" info --format '{{.Swarm.NodeID}}')
    run "label host$i" dk 1 node update --label-add "msm-kit.host=host$i" "$id"
  done
  say "up: $n hosts in $((SECONDS - t0))s; manager unix://$(sock 1), registry $REGISTRY"
  status
}

status() {
  local n ok=0
  n=$(cat "$count_file" 2>/dev/null || echo 0)
  [[ $n -gt 0 ]] || { say "no cluster"; return 1; }
  for i in $(seq 1 "$n"); do
    say "host$i $(ns_ip "$i") $(sock "$i") swarm=$(swarm_state "$i")"
    [[ $(swarm_state "$i") == active ]] || ok=1
  done
  if (exec 3<>"/dev/tcp/$NET.1/$REG_PORT") 2>/dev/null; then say "registry $REGISTRY up"; else say "registry $REGISTRY down"; ok=1; fi
  return $ok
}

stop_pid() {
  local f=$1 pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$f"
}

down() {
  local i t0=$SECONDS
  for i in $(hosts_present); do
    dk "$i" swarm leave --force >/dev/null 2>&1 || true
  done
  for i in $(hosts_present); do
    # Containers first (their shims outlive a killed daemon), then the daemon.
    local ids
    ids=$(dk "$i" ps -aq 2>/dev/null || true)
    [[ -n $ids ]] && dk "$i" rm -f $ids >/dev/null 2>&1 || true
    stop_pid "$RUN/h$i.pid"
  done
  # Leftover shims of our daemons (they name our exec roots), by pid.
  for pid in $(pgrep -f "containerd-shim.*-address $RUN/" || true); do kill "$pid" 2>/dev/null || true; done
  stop_pid "$RUN/registry.pid"
  # Mounts under our roots (netns bind mounts of the daemons), deepest first.
  findmnt -rn -o TARGET | { grep -E "^($RUN|$DATA)(/|$)" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  for i in $(hosts_present); do ip netns del "$PREFIX$i" || true; done
  # The kernel removes a deleted namespace's veths asynchronously (seen: still listed right after a
  # down that followed an up at once): delete the machine-side ends still there, and wait for them (5 s at most).
  local v
  for v in $(ip -o link show | grep -o "${PREFIX}[0-9]*h@" | tr -d @); do ip link del "$v" 2>/dev/null || true; done
  for _ in $(seq 50); do ip -o link show | grep -q "${PREFIX}[0-9]*h@" || break; sleep 0.1; done
  ip link del "$BRIDGE" 2>/dev/null || true
  while iptables -C "${fwd_rule[@]}" 2>/dev/null; do iptables -D "${fwd_rule[@]}"; done
  for d in /sys/fs/cgroup/$PREFIX-h* /sys/fs/cgroup/*/$PREFIX-h*; do [[ -d $d ]] && { find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true; }; done
  rm -rf "$RUN" "$DATA"
  say "down in $((SECONDS - t0))s"
  leftovers
}

leftovers() {
  local left=()
  [[ -n $(hosts_present) ]] && left+=("namespaces: $(hosts_present | tr '\n' ' ')")
  ip link show "$BRIDGE" >/dev/null 2>&1 && left+=("bridge $BRIDGE")
  ip -o link show | grep -q "${PREFIX}[0-9]*h@" && left+=("veths")
  iptables -S | grep -q -- "$COMMENT" && left+=("iptables rules")
  pgrep -f -- "--exec-root $RUN/" >/dev/null && left+=("dockerd processes")
  pgrep -f -- "$DATA/registry.yml" >/dev/null && left+=("registry process")
  pgrep -f "containerd-shim.*$RUN/" >/dev/null && left+=("containerd shims")
  findmnt -rn -o TARGET | grep -qE "^($RUN|$DATA)(/|$)" && left+=("mounts")
  [[ -e $DATA || -e $RUN ]] && left+=("directories")
  if ((${#left[@]})); then say "LEFT BEHIND: ${left[*]}"; return 1; fi
  say "nothing left behind"
}

push() {
  (($#)) || die "push" "name at least one image"
  status >/dev/null || die "push" "the cluster is not up. Fix: swarm-cluster.sh up"
  for img in "$@"; do
    if ! dk 1 image inspect "$img" >/dev/null 2>&1; then
      docker image inspect "$img" >/dev/null 2>&1 || die "push $img" "not on the machine's engine either"
      docker save "$img" | dk 1 load >/dev/null
    fi
    run "tag $img" dk 1 tag "$img" "$REGISTRY/$img"
    run "push $img" dk 1 push "$REGISTRY/$img"
    say "pushed $REGISTRY/$img"
  done
}

stop_host() {
  [[ ${1:-} =~ ^[0-9]+$ && -e /var/run/netns/$PREFIX$1 ]] || die "stop-host" "no host ${1:-} in the cluster"
  stop_pid "$RUN/h$1.pid"
  say "host$1: dockerd stopped"
}

start_host_again() {
  [[ ${1:-} =~ ^[0-9]+$ && -e /var/run/netns/$PREFIX$1 ]] || die "start-host" "no host ${1:-} in the cluster"
  start_host "$1"
  wait_host "$1"
  say "host$1: dockerd answers (swarm=$(swarm_state "$1"))"
}

case "${1:-}" in
  up) up "${2:-3}" ;;
  down) down ;;
  status) status ;;
  push) shift; push "$@" ;;
  leftovers) leftovers ;;
  stop-host) stop_host "${2:-}" ;;
  start-host) start_host_again "${2:-}" ;;
  *) echo "usage: $0 up [N] | down | status | push IMAGE... | leftovers | stop-host I | start-host I" >&2; exit 2 ;;
esac
