#!/usr/bin/env bash
# A two-node Kubernetes v1.34.4 test cluster on this one machine, built from source
# (Go module proxy) and Debian packages only: no image registry is ever used.
# It never touches the machine's Docker engine, its containerd or its addresses.
#
#   kube-cluster.sh build        build or reuse the binaries and images (~20 min of CPU the first
#                                time; progress with seconds per step on stderr)
#   kube-cluster.sh up           start the cluster (idempotent: what runs is kept), wait until both
#                                nodes are Ready and CoreDNS answers; prints the admin kubeconfig path
#   kube-cluster.sh status       one line per node (and one for the control plane); exit 1 if not up
#   kube-cluster.sh stop-node I / start-node I
#                                kill node I's kubelet, containerd, kube-proxy and its containers (a
#                                node lost) / start them again (it comes back Ready)
#   kube-cluster.sh import IMG...  copy images of the machine's Docker engine into both nodes'
#                                containerd (docker save | ctr import), for imagePullPolicy Never/IfNotPresent
#   kube-cluster.sh down         remove everything it created (the build cache stays)
#   kube-cluster.sh leftovers    print anything of the cluster still present; exit 1 if any
#   kube-cluster.sh gomod        regenerate tools/kubernetes{,/coredns}/go.mod and go.sum
#
# Layout (each fact once, here):
#   Build cache ${MSM_KIT_CACHE:-~/.cache/msm-kit}/kubernetes/v1.34.4/: bin/ (kube-apiserver,
#   kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl from k8s.io/kubernetes
#   v1.34.4 through tools/kubernetes/go.mod; coredns v1.13.1 through tools/kubernetes/coredns/go.mod;
#   pause from tools/kubernetes/pause), root/ (etcd-server and containerd from Debian trixie,
#   containernetworking-plugins from sid, nftables from bookworm: .debs in debs/ fetched with the
#   private apt config in apt/, unpacked with dpkg -x), images/ (pause and coredns as image
#   archives: one layer, one file).
#   Images docker.io/msm-kit/kube-pause:1 (the sandbox image), docker.io/msm-kit/coredns:1.13.1.
#   Addresses: bridge msmk8s0 10.250.0.1/24 = node1 (the machine's network namespace), apiserver
#   https://10.250.0.1:6443, etcd http://10.250.0.1:2379 (peer :2380), controller-manager :10257 and
#   scheduler :10259 on 10.250.0.1; node2 = namespace msmk8s2, 10.250.0.2 on eth0, veth msmk8s2h on
#   the bridge. Node I: pods 10.244.I.0/24 on the CNI bridge msmk8sbrI (gateway 10.244.I.1; the
#   machine routes 10.244.2.0/24 via 10.250.0.2, node2's default route is 10.250.0.1; no masquerade,
#   so pods reach nothing outside the cluster), kubelet 10.250.0.I:10250 (healthz :10248), kube-proxy
#   (iptables mode) healthz :10256 and metrics :10249 on 10.250.0.I, NodePorts 30000-32767 on
#   10.250.0.I only. Cluster CIDR 10.244.0.0/16, services 10.96.0.0/16 (kubernetes 10.96.0.1,
#   kube-dns 10.96.0.10), domain cluster.local. Node objects are created with their podCIDR
#   before their kubelet starts (no CIDR allocation by the controller-manager).
#   Data /var/lib/msm-kit-kube: pki/, *.kubeconfig (admin: /var/lib/msm-kit-kube/admin.kubeconfig),
#   etcd/, logs/<component>.log, node<I>/ (kubelet root, containerd root, CNI config and IPAM, pod
#   logs, volume plugin dir), flexvolume/ (the controller-manager's), kubectl-cache/ (the script's
#   kubectl; none in ~/.kube). Runtime /run/msmk8s: pid files, node<I>/containerd.sock, containerd
#   state, runc root.
#   Node I's containerd and kubelet run in a private mount namespace (unshare -m) in which
#   /var/lib/kubelet, /var/log/containers, /var/lib/cni and /run/containerd are bind mounts of
#   node<I>/host/* (kubelet hard-codes the first two, libcni and the containerd shims the others:
#   two kubelets, or ours and Docker's shims, would share them), and the six kernel settings the
#   kubelet enforces (vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10,
#   kernel.panic_on_oops=1, kernel.keys.root_maxkeys=1000000, kernel.keys.root_maxbytes=25000000)
#   are files with those values bind-mounted over /proc/sys: the machine's own settings stay as they
#   are. Those four machine directories are created (empty, as mount points) only when missing, and
#   removed by down when it created them. Kubelet cgroups under /msmk8s-node<I> (cgroupfs driver,
#   cgroup v1 with failCgroupV1: false). kube-proxy (node1's in the machine's network namespace,
#   node2's in msmk8s2) leaves the conntrack sysctls and route_localnet as they are.
#   containerd: restrict_oom_score_adj (no CAP_SYS_RESOURCE here), system runc /usr/sbin/runc,
#   snapshotter overlayfs. Nodes go NotReady 20 s after their kubelet stops (controller-manager
#   --node-monitor-grace-period=20s).
#   iptables on the machine: FORWARD accepts to and from msmk8sbr1 (comment msm-kit-kube; Docker's
#   policy is DROP), plus node1's kube-proxy and kubelet chains (KUBE-*, both families), all removed
#   by down, which also deletes (nft delete table) the iptables tables that were not there before up
#   and are empty once those chains are gone (here: ip mangle, ip6 filter, nat and mangle).
#
# Seen on this machine: no kernel modules, so no dummy links (a port-less bridge carries node1's
# address); runc cannot lower oom_score_adj; cgroup v1 only. See docs/kubernetes-cluster.md.
set -euo pipefail

TAG=kube-cluster
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

K8S_VERSION=v1.34.4
STAGING_VERSION=v0.${K8S_VERSION#v1.}
COREDNS_VERSION=v1.13.1
K8S_CMDS="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"
DEBS="etcd-server/trixie containerd/trixie containernetworking-plugins/sid nftables/bookworm libnftables1/bookworm"
PAUSE_IMAGE=docker.io/msm-kit/kube-pause:1
COREDNS_IMAGE=docker.io/msm-kit/coredns:${COREDNS_VERSION#v}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=$ROOT/tools/kubernetes
CACHE=${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}/kubernetes/$K8S_VERSION
BIN=$CACHE/bin
PFX=$CACHE/root
GO=$(command -v go || echo /usr/local/go/bin/go)

PREFIX=msmk8s
BRIDGE=${PREFIX}0
NET=10.250.0
API=$NET.1
CLUSTER_CIDR=10.244.0.0/16
SVC_CIDR=10.96.0.0/16
KUBE_SVC=10.96.0.1
DNS_SVC=10.96.0.10
NODES="1 2"
DATA=/var/lib/msm-kit-kube
RUN=/run/$PREFIX
LOGS=$DATA/logs
PKI=$DATA/pki
ADMIN=$DATA/admin.kubeconfig
COMMENT=msm-kit-kube
HOST_DIRS="/var/lib/kubelet /var/log/containers /var/lib/cni /run/containerd"
WAIT=${MSM_KIT_KUBE_WAIT:-120}

# Progress to stderr, with the seconds a step took.
note() { say "$*" >&2; }
timed() {
  local what=$1 t0=$SECONDS; shift
  note "$what ..."
  run "$what" "$@"
  note "$what: $((SECONDS - t0))s"
}

need_root() { [[ $EUID -eq 0 ]] || die "kube cluster" "must run as root (namespaces, bridge, mounts, cgroups)"; }

# ---------------------------------------------------------------------------------------------
# build

k8s_ok() { # CMD: the cached binary is there and says it is $K8S_VERSION
  local v
  [[ -x $BIN/$1 ]] || return 1
  if [[ $1 == kubectl ]]; then v=$("$BIN/kubectl" version --client 2>/dev/null); else v=$("$BIN/$1" --version 2>/dev/null); fi
  [[ $v == *"$K8S_VERSION"* ]]
}
coredns_ok() { [[ -x $BIN/coredns ]] && [[ $("$BIN/coredns" -version 2>/dev/null) == *"CoreDNS-${COREDNS_VERSION#v}"* ]]; }
debs_ok() { [[ -x $PFX/usr/bin/etcd && -x $PFX/usr/bin/containerd && -x $PFX/usr/bin/ctr && -x $PFX/usr/lib/cni/bridge && -x $PFX/usr/sbin/nft ]]; }
built() {
  local c
  for c in $K8S_CMDS; do k8s_ok "$c" || return 1; done
  coredns_ok && debs_ok && [[ -f $CACHE/images/pause.tar && -f $CACHE/images/coredns.tar ]]
}

# gomod: (re)generate tools/kubernetes/go.mod and go.sum from k8s.io/kubernetes's own go.mod.
# Upstream replaces its ./staging/src/k8s.io/* modules with directories of its repository; a
# module that requires k8s.io/kubernetes must map each to the published $STAGING_VERSION.
gomod() {
  local up
  up=$(cd / && GOFLAGS=-mod=mod "$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [[ -f $up ]] || die "gomod" "go mod download k8s.io/kubernetes@$K8S_VERSION gave no go.mod"
  {
    echo "// Generated by scripts/setup/kube-cluster.sh gomod; do not edit. Builds the Kubernetes $K8S_VERSION"
    echo "// commands (tools.go) from the Go module proxy. k8s.io/kubernetes's go.mod replaces its"
    echo "// ./staging/src/k8s.io/* modules with directories of its own repository, which a requiring"
    echo "// module cannot see: each is mapped here to its published $STAGING_VERSION."
    echo "module msm-kit/tools/kubernetes"
    echo
    grep -m1 '^go ' "$up"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    sed -n '/^replace (/,/^)/p' "$up" | awk -v v="$STAGING_VERSION" '$2 == "=>" && $3 ~ /^\.\/staging\// { printf "\t%s => %s %s\n", $1, $1, v }'
    echo ")"
  } >"$TOOLS/go.mod"
  # Both go.mod files first: tools/kubernetes/coredns must be a module of its own before the
  # parent is tidied, or the parent would take in CoreDNS (at its newest version).
  {
    echo "// Generated by scripts/setup/kube-cluster.sh gomod; do not edit. CoreDNS $COREDNS_VERSION, in a module"
    echo "// of its own (see tools.go)."
    echo "module msm-kit/tools/kubernetes/coredns"
    echo
    echo "go 1.24.0"
    echo
    echo "require github.com/coredns/coredns $COREDNS_VERSION"
  } >"$TOOLS/coredns/go.mod"
  rm -f "$TOOLS/go.sum" "$TOOLS/coredns/go.sum"
  timed "go mod tidy (tools/kubernetes)" env -C "$TOOLS" GOFLAGS=-mod=mod "$GO" mod tidy
  timed "go mod tidy (tools/kubernetes/coredns)" env -C "$TOOLS/coredns" GOFLAGS=-mod=mod "$GO" mod tidy
  grep -q "^require k8s.io/kubernetes $K8S_VERSION\$" "$TOOLS/go.mod" || die "gomod" "go mod tidy changed the k8s.io/kubernetes requirement in $TOOLS/go.mod"
}

# An image archive (docker save format) holding one static binary at /NAME, no base image.
mkimage() { # NAME BINARY REF -> $CACHE/images/NAME.tar
  local name=$1 bin=$2 ref=$3 d diff cfg
  d=$(mktemp -d)
  mkdir -p "$d/rootfs" "$CACHE/images"
  cp "$bin" "$d/rootfs/$name"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$d/rootfs" -cf "$d/layer.tar" "$name"
  diff=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["/%s"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$("$GO" env GOARCH)" "$name" "$diff" >"$d/config.json"
  cfg=$(sha256sum "$d/config.json" | cut -d' ' -f1)
  mv "$d/config.json" "$d/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$cfg" "$ref" >"$d/manifest.json"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$d" -cf "$CACHE/images/$name.tar.tmp" manifest.json "$cfg.json" layer.tar
  mv "$CACHE/images/$name.tar.tmp" "$CACHE/images/$name.tar"
  rm -rf "$d"
}

build() {
  local t0=$SECONDS c ld need=
  mkdir -p "$BIN"
  [[ -x $GO ]] || die "build" "no go on PATH nor /usr/local/go/bin/go"
  ld="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1"
  ld+=" -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$K8S_VERSION") -X k8s.io/component-base/version.gitTreeState=clean"
  ld+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  for c in $K8S_CMDS; do k8s_ok "$c" || need+=" $c"; done
  if [[ -n $need ]]; then
    timed "go mod download (tools/kubernetes)" env -C "$TOOLS" GOFLAGS=-mod=readonly "$GO" mod download
  fi
  for c in $K8S_CMDS; do
    if k8s_ok "$c"; then note "reuse $BIN/$c ($K8S_VERSION)"; continue; fi
    timed "go build $c" env -C "$TOOLS" CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
      nice -n 19 "$GO" build -trimpath -ldflags "$ld" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c"
    mv "$BIN/$c.tmp" "$BIN/$c"
    k8s_ok "$c" || die "build $c" "$BIN/$c --version does not print $K8S_VERSION"
  done
  if coredns_ok; then
    note "reuse $BIN/coredns ($COREDNS_VERSION)"
  else
    timed "go build coredns" env -C "$TOOLS/coredns" CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
      nice -n 19 "$GO" build -trimpath -ldflags "-s -w" -o "$BIN/coredns.tmp" github.com/coredns/coredns
    mv "$BIN/coredns.tmp" "$BIN/coredns"
  fi
  # Our own pause program: rebuilt when its source is newer (seconds).
  if [[ ! -x $BIN/pause || $TOOLS/pause/main.go -nt $BIN/pause ]]; then
    timed "go build pause" env -C "$TOOLS" CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
      nice -n 19 "$GO" build -trimpath -ldflags "-s -w" -o "$BIN/pause" ./pause
  fi
  [[ -f $CACHE/images/pause.tar && $CACHE/images/pause.tar -nt $BIN/pause ]] || mkimage pause "$BIN/pause" "$PAUSE_IMAGE"
  [[ -f $CACHE/images/coredns.tar && $CACHE/images/coredns.tar -nt $BIN/coredns ]] || mkimage coredns "$BIN/coredns" "$COREDNS_IMAGE"
  debs
  note "build done in $((SECONDS - t0))s: $BIN, $PFX"
}

# etcd, containerd (trixie), the CNI plugins (sid) and nft (bookworm: the machine's libraries; down
# needs it to delete the empty iptables tables the kubelet and kube-proxy leave) as .debs through a
# private apt configuration (no system source is added, nothing is installed), unpacked into $PFX.
debs() {
  if debs_ok; then
    note "reuse $PFX (etcd $("$PFX/usr/bin/etcd" --version | sed -n 's/^etcd Version: //p'), containerd $("$PFX/usr/bin/containerd" --version | awk '{print $3}'))"
    return
  fi
  local apt=$CACHE/apt d
  mkdir -p "$apt/lists/partial" "$apt/cache" "$CACHE/debs"
  cat >"$apt/sources.list" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
EOF
  cat >"$apt/apt.conf" <<EOF
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "/dev/null";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
APT::Sandbox::User "root";
Acquire::Languages "none";
EOF
  timed "apt-get update (private: trixie, sid, bookworm)" env APT_CONFIG="$apt/apt.conf" apt-get update
  rm -f "$CACHE"/debs/*.deb
  # shellcheck disable=SC2086
  timed "apt-get download $DEBS" env -C "$CACHE/debs" APT_CONFIG="$apt/apt.conf" apt-get download $DEBS
  rm -rf "$PFX.tmp"
  for d in "$CACHE"/debs/*.deb; do run "dpkg -x $d" dpkg -x "$d" "$PFX.tmp"; done
  rm -rf "$PFX"; mv "$PFX.tmp" "$PFX"
  debs_ok || die "debs" "etcd, containerd, ctr, the CNI bridge plugin or nft missing in $PFX after dpkg -x"
  note "unpacked $(cd "$CACHE/debs" && echo *.deb) into $PFX"
}

# ---------------------------------------------------------------------------------------------
# helpers

kc() { "$BIN/kubectl" --kubeconfig "$ADMIN" --cache-dir "$DATA/kubectl-cache" --request-timeout=20s "$@"; }
ctr_n() { local i=$1; shift; "$PFX/usr/bin/ctr" -a "$RUN/node$i/containerd.sock" -n k8s.io "$@"; }
node_ip() { echo "$NET.$1"; }
pod_cidr() { echo "10.244.$1.0/24"; }
alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
nft() { LD_LIBRARY_PATH=$PFX/usr/lib/x86_64-linux-gnu "$PFX/usr/sbin/nft" "$@"; }

# iptables(-nft) tables as "FAMILY TABLE" (ip filter, ip6 mangle, ...), and those with neither a
# rule nor a chain of their own: what the kubelet and kube-proxy leave once their chains are gone.
# (No `cmd | grep -q` in this script: with pipefail, grep -q quitting early can fail the pipeline.)
xt_tables() { { iptables-save | sed -n 's/^\*/ip /p'; ip6tables-save | sed -n 's/^\*/ip6 /p'; } 2>/dev/null; }
xt_empty() {
  local fam tbl cmd out
  xt_tables | while read -r fam tbl; do
    cmd=iptables; [[ $fam == ip6 ]] && cmd=ip6tables
    out=$("$cmd" -t "$tbl" -S 2>/dev/null) || continue  # unreadable: never taken for empty
    grep -qE '^-[NA] ' <<<"$out" || echo "$fam $tbl"
  done
}
xt_new_empty() { # the empty ones that were not there before the first up
  if [[ -f $DATA/xt-tables-before ]]; then xt_empty | grep -v -x -F -f "$DATA/xt-tables-before" || true; else xt_empty; fi
}

stop_pid() { # PIDFILE [SIGNAL]: stop it, wait 20 s at most, then SIGKILL
  local f=$1 sig=${2:-TERM} pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -s "$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$f"
}

# Bounded wait: WHAT LOG SECONDS PIDFILES CMD... (PIDFILES: space-separated pid files of the
# processes that must stay alive meanwhile, or "": one that dies ends the wait at once; a pid
# file not written yet is no failure).
wait_for() {
  local what=$1 logf=$2 secs=$3 pids=$4 f; shift 4
  for _ in $(seq 1 $((secs * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    for f in $pids; do [[ ! -f $f ]] || alive "$f" || die "$what" "$(basename "$f" .pid) exited (read $logf)"; done
    sleep 0.5
  done
  die "$what" "not there after ${secs}s (read $logf)"
}

# start NAME LOG CMD...: start a daemon in the background, its pid in $RUN/NAME.pid.
start() {
  local name=$1 logf=$2; shift 2
  setsid nohup "$@" >>"$logf" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# ---------------------------------------------------------------------------------------------
# up

network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$API/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  local d
  for d in -i -o; do
    iptables -C FORWARD "$d" "${PREFIX}br1" -m comment --comment "$COMMENT" -j ACCEPT 2>/dev/null ||
      iptables -I FORWARD 1 "$d" "${PREFIX}br1" -m comment --comment "$COMMENT" -j ACCEPT
  done
  local i ns
  for i in $NODES; do
    [[ $i == 1 ]] && continue
    ns=$PREFIX$i
    if [[ ! -e /var/run/netns/$ns ]]; then
      ip netns add "$ns"
      ip link add "${ns}h" type veth peer name eth0 netns "$ns"
      ip link set "${ns}h" master "$BRIDGE" up
      ip -n "$ns" link set lo up
      ip -n "$ns" addr add "$(node_ip "$i")/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" route add default via "$API"
    fi
    ip route replace "$(pod_cidr "$i")" via "$(node_ip "$i")" dev "$BRIDGE"
  done
}

pki() {
  [[ -f $PKI/done ]] && return
  rm -rf "$PKI"; mkdir -p "$PKI"
  local o=(-days 3650)
  run "CA" openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -subj "/CN=msm-kit-kube-ca" "${o[@]}" -out "$PKI/ca.crt"
  run "SA key" openssl genrsa -out "$PKI/sa.key" 2048
  run "SA pub" openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  cert() { # NAME CN O SANS (O and SANS may be empty; with SANS the cert also serves)
    local n=$1 cn=$2 org=$3 san=$4 subj
    subj="/CN=$cn"; [[ -n $org ]] && subj="/O=$org/CN=$cn"
    {
      echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
      if [[ -n $san ]]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"; else echo "extendedKeyUsage=clientAuth"; fi
    } >"$PKI/$n.ext"
    run "key $n" openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$n.key" -subj "$subj" -out "$PKI/$n.csr"
    run "cert $n" openssl x509 -req -in "$PKI/$n.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial "${o[@]}" -extfile "$PKI/$n.ext" -out "$PKI/$n.crt"
  }
  cert apiserver kube-apiserver "" "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:$KUBE_SVC,IP:$API"
  cert admin admin system:masters ""
  cert controller-manager system:kube-controller-manager "" ""
  cert scheduler system:kube-scheduler "" ""
  cert kube-proxy system:kube-proxy "" ""
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters ""
  local i
  for i in $NODES; do
    cert "node$i" "system:node:node$i" system:nodes ""
    cert "node$i-serving" "node$i" "" "DNS:node$i,IP:$(node_ip "$i")"
  done
  kubeconfig() { # NAME CERT
    local f=$DATA/$1.kubeconfig k=("$BIN/kubectl" --kubeconfig "$DATA/$1.kubeconfig")
    rm -f "$f"
    run "kubeconfig $1" "${k[@]}" config set-cluster msm-kit-kube --certificate-authority="$PKI/ca.crt" --embed-certs --server="https://$API:6443"
    run "kubeconfig $1" "${k[@]}" config set-credentials "$1" --client-certificate="$PKI/$2.crt" --client-key="$PKI/$2.key" --embed-certs
    run "kubeconfig $1" "${k[@]}" config set-context msm-kit-kube --cluster=msm-kit-kube --user="$1"
    run "kubeconfig $1" "${k[@]}" config use-context msm-kit-kube
  }
  kubeconfig admin admin
  kubeconfig controller-manager controller-manager
  kubeconfig scheduler scheduler
  kubeconfig kube-proxy kube-proxy
  for i in $NODES; do kubeconfig "node$i" "node$i"; done
  touch "$PKI/done"
}

control_plane() {
  [[ -d $DATA/etcd ]] || mkdir -m 700 "$DATA/etcd"
  alive "$RUN/etcd.pid" || start etcd "$LOGS/etcd.log" "$PFX/usr/bin/etcd" --name msm-kit-kube --data-dir "$DATA/etcd" \
    --listen-client-urls "http://$API:2379" --advertise-client-urls "http://$API:2379" \
    --listen-peer-urls "http://$API:2380" --initial-advertise-peer-urls "http://$API:2380" \
    --initial-cluster "msm-kit-kube=http://$API:2380"
  wait_for "etcd" "$LOGS/etcd.log" "$WAIT" "$RUN/etcd.pid" curl -sf "http://$API:2379/health"
  alive "$RUN/kube-apiserver.pid" || start kube-apiserver "$LOGS/kube-apiserver.log" "$BIN/kube-apiserver" \
    --etcd-servers="http://$API:2379" --bind-address="$API" --advertise-address="$API" --secure-port=6443 \
    --service-cluster-ip-range="$SVC_CIDR" --service-node-port-range=30000-32767 \
    --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true --profiling=false --v=1
  wait_for "kube-apiserver" "$LOGS/kube-apiserver.log" "$WAIT" "$RUN/kube-apiserver.pid" kc get --raw /readyz
  local k
  alive "$RUN/kube-controller-manager.pid" || { k=$DATA/controller-manager.kubeconfig; start kube-controller-manager "$LOGS/kube-controller-manager.log" \
    "$BIN/kube-controller-manager" --kubeconfig="$k" --authentication-kubeconfig="$k" --authorization-kubeconfig="$k" \
    --bind-address="$API" --leader-elect=false --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" --use-service-account-credentials=true \
    --allocate-node-cidrs=false --cluster-cidr="$CLUSTER_CIDR" --service-cluster-ip-range="$SVC_CIDR" \
    --node-monitor-grace-period=20s --controllers='*,-cloud-node-lifecycle' --flex-volume-plugin-dir="$DATA/flexvolume" \
    --profiling=false --v=1; }
  alive "$RUN/kube-scheduler.pid" || { k=$DATA/scheduler.kubeconfig; start kube-scheduler "$LOGS/kube-scheduler.log" \
    "$BIN/kube-scheduler" --kubeconfig="$k" --authentication-kubeconfig="$k" --authorization-kubeconfig="$k" \
    --bind-address="$API" --leader-elect=false --profiling=false --v=1; }
}

# Everything node I's containerd and kubelet need, written each time (cheap, idempotent).
node_files() {
  local i=$1 d ip cg s v
  d=$DATA/node$i
  ip=$(node_ip "$i")
  mkdir -p "$d/cni-conf" "$d/cni-ipam" "$d/pod-logs" "$d/kubelet" "$d/containerd" "$d/sysctl" "$RUN/node$i/runc"
  for s in $HOST_DIRS; do mkdir -p "$d/host/$(basename "$s")"; done
  cat >"$d/containerd.toml" <<EOF
version = 2
root = "$d/containerd"
state = "$RUN/node$i/containerd-state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$RUN/node$i/containerd.sock"
[ttrpc]
  address = "$RUN/node$i/containerd.sock.ttrpc"
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$PAUSE_IMAGE"
    netns_mounts_under_state_dir = true
    restrict_oom_score_adj = true
    enable_cdi = false
    stream_server_address = "$ip"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          BinaryName = "/usr/sbin/runc"
          Root = "$RUN/node$i/runc"
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$PFX/usr/lib/cni"
      conf_dir = "$d/cni-conf"
EOF
  cat >"$d/cni-conf/10-$PREFIX.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$PREFIX",
  "plugins": [
    {"type": "bridge", "bridge": "${PREFIX}br$i", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$d/cni-ipam", "ranges": [[{"subnet": "$(pod_cidr "$i")"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  cat >"$d/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
port: 10250
readOnlyPort: 0
healthzBindAddress: $ip
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/node$i-serving.crt
tlsPrivateKeyFile: $PKI/node$i-serving.key
cgroupDriver: cgroupfs
cgroupRoot: /$PREFIX-node$i
failCgroupV1: false
containerRuntimeEndpoint: unix://$RUN/node$i/containerd.sock
clusterDomain: cluster.local
clusterDNS: [$DNS_SVC]
podLogsDir: $d/pod-logs
volumePluginDir: $d/volume-plugins
resolvConf: /etc/resolv.conf
failSwapOn: false
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
  cat >"$d/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $DATA/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: node$i
bindAddress: $ip
healthzBindAddress: $ip:10256
metricsBindAddress: $ip:10249
nodePortAddresses: [$ip/32]
iptables: {localhostNodePorts: false}
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  # kubelet's setupKernelTunables writes these unless they already read as wanted.
  for s in vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 \
    kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000; do
    v=${s#*=}; s=${s%=*}
    echo "$v" >"$d/sysctl/${s//\//.}"
  done
  # The machine side of the bind mounts: empty mount points, created only when missing.
  for s in $HOST_DIRS; do
    if [[ ! -d $s ]]; then mkdir -p "$s"; echo "$s" >>"$DATA/host-dirs-created"; fi
  done
  cg=/sys/fs/cgroup
  for s in "$cg"/*/; do
    [[ -d $s$PREFIX-node$i ]] && continue
    mkdir -p "$s$PREFIX-node$i"
    if [[ -f ${s}cpuset.cpus ]]; then
      cat "${s}cpuset.cpus" >"$s$PREFIX-node$i/cpuset.cpus"
      cat "${s}cpuset.mems" >"$s$PREFIX-node$i/cpuset.mems"
    fi
  done
  # The node's own process: in a private mount namespace, bind mounts, containerd, images, kubelet.
  cat >"$d/node.sh" <<EOF
#!/usr/bin/env bash
# node$i of the msm-kit test cluster (written by kube-cluster.sh up): runs in its own mount namespace.
set -eu
for s in $HOST_DIRS; do mount --bind "$d/host/\$(basename "\$s")" "\$s"; done
for f in $d/sysctl/*; do n=\$(basename "\$f"); mount --bind "\$f" "/proc/sys/\${n//.//}"; done
PATH=$PFX/usr/bin:\$PATH setsid "$PFX/usr/bin/containerd" --config "$d/containerd.toml" >>"$LOGS/node$i-containerd.log" 2>&1 </dev/null &
echo \$! >"$RUN/node$i-containerd.pid"
for _ in \$(seq 1 120); do "$PFX/usr/bin/ctr" -a "$RUN/node$i/containerd.sock" version >/dev/null 2>&1 && break; sleep 0.5; done
for img in $CACHE/images/pause.tar $CACHE/images/coredns.tar; do
  "$PFX/usr/bin/ctr" -a "$RUN/node$i/containerd.sock" -n k8s.io images import "\$img" >/dev/null
done
setsid "$BIN/kubelet" --config="$d/kubelet.yaml" --kubeconfig="$DATA/node$i.kubeconfig" --root-dir="$d/kubelet" \\
  --hostname-override=node$i --node-ip=$ip --v=1 >>"$LOGS/node$i-kubelet.log" 2>&1 </dev/null &
echo \$! >"$RUN/node$i-kubelet.pid"
wait
EOF
}

node_object() { # create Node I with its podCIDR before its kubelet registers it
  local i=$1
  kc get node "node$i" >/dev/null 2>&1 && return
  kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: node$i
  labels: {kubernetes.io/hostname: node$i, kubernetes.io/os: linux, msm-kit.host: node$i}
spec:
  podCIDR: $(pod_cidr "$i")
  podCIDRs: [$(pod_cidr "$i")]
EOF
}

node_running() { alive "$RUN/node$1.pid" && alive "$RUN/node$1-kubelet.pid" && alive "$RUN/node$1-containerd.pid" && alive "$RUN/node$1-proxy.pid"; }

start_node() {
  local i=$1
  node_running "$i" && return
  stop_node "$i" quiet  # a half-running node: start it whole
  node_files "$i"
  node_object "$i"
  local pre=()
  [[ $i == 1 ]] || pre=(nsenter --net="/var/run/netns/$PREFIX$i")
  start "node$i" "$LOGS/node$i.log" "${pre[@]}" unshare -m --propagation private bash "$DATA/node$i/node.sh"
  start "node$i-proxy" "$LOGS/node$i-kube-proxy.log" "${pre[@]}" "$BIN/kube-proxy" --config="$DATA/node$i/kube-proxy.yaml" --v=1
}

# Stop node I: kubelet, kube-proxy, containerd, then every process in its cgroups (its containers)
# and its containerd shims; the mount namespace goes with the last of them.
stop_node() {
  local i=$1 p
  stop_pid "$RUN/node$i-kubelet.pid"
  stop_pid "$RUN/node$i-proxy.pid"
  stop_pid "$RUN/node$i-containerd.pid"
  for _ in 1 2 3; do
    p=$( { find "/sys/fs/cgroup/pids/$PREFIX-node$i" -name cgroup.procs -exec cat {} + 2>/dev/null || true; } | tr '\n' ' ')
    p+=" $(pgrep -f "containerd-shim-runc-v2 .*-address $RUN/node$i/containerd.sock" | tr '\n' ' ' || true)"
    [[ -z ${p// /} ]] && break
    # shellcheck disable=SC2086
    kill -9 $p 2>/dev/null || true
    sleep 0.5
  done
  stop_pid "$RUN/node$i.pid"
  [[ ${2:-} == quiet ]] || say "node$i: kubelet, kube-proxy, containerd and its containers stopped"
}

node_ready() { [[ $(kc get node "node$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; }

coredns() {
  kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    .:53 {
        errors
        health :8080
        ready :8181
        kubernetes cluster.local in-addr.arpa ip6.arpa {
           pods insecure
           fallthrough in-addr.arpa ip6.arpa
        }
        cache 30
        loop
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 2
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {k8s-app: kube-dns}}}
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: ["-conf", "/etc/coredns/Corefile"]
        volumeMounts: [{name: cfg, mountPath: /etc/coredns}]
        ports: [{containerPort: 53, protocol: UDP}, {containerPort: 53, protocol: TCP}]
        readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 2}
        livenessProbe: {httpGet: {path: /health, port: 8080}}
      volumes: [{name: cfg, configMap: {name: coredns}}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $DNS_SVC
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
EOF
}

# A DNS query over UDP in plain bash: A kubernetes.default.svc.cluster.local at the kube-dns
# service (through node1's kube-proxy); true when the answer is $KUBE_SVC.
dns_answers() {
  local out
  exec 3<>"/dev/udp/$DNS_SVC/53" || return 1
  # One write, one datagram: printf alone flushes at the 0x0a byte (the length of "kubernetes").
  printf '\x4d\x53\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x0akubernetes\x07default\x03svc\x07cluster\x05local\x00\x00\x01\x00\x01' |
    dd iflag=fullblock bs=512 count=1 2>/dev/null >&3
  out=$(timeout 2 dd bs=512 count=1 <&3 2>/dev/null | od -An -v -tx1 | tr -d ' \n') || true
  exec 3<&-
  # id 4d53, a response with RCODE 0, and the answer's address ($KUBE_SVC) as the last four bytes
  # shellcheck disable=SC2086
  [[ ${out:0:5} == 4d538 && ${out:7:1} == 0 && $out == *"$(printf '%02x' ${KUBE_SVC//./ })" ]]
}

up() {
  need_root
  local t0=$SECONDS i
  built || die "up" "binaries, images or packages missing in $CACHE. Fix: $0 build"
  mkdir -p "$DATA" "$RUN" "$LOGS" /var/run/netns
  [[ -f $DATA/xt-tables-before ]] || xt_tables >"$DATA/xt-tables-before"
  network
  pki
  control_plane
  for i in $NODES; do start_node "$i"; done
  for i in $NODES; do
    wait_for "node$i Ready" "$LOGS/node$i-kubelet.log, $LOGS/node$i-containerd.log, $LOGS/node$i.log" "$WAIT" \
      "$RUN/node$i.pid $RUN/node$i-kubelet.pid $RUN/node$i-containerd.pid" node_ready "$i"
  done
  coredns
  wait_for "CoreDNS" "kubectl --kubeconfig $ADMIN -n kube-system describe pods; $LOGS/node*-kubelet.log" "$WAIT" "" dns_answers
  say "up in $((SECONDS - t0))s; admin kubeconfig:"
  echo "$ADMIN"
  status >&2
}

status() {
  local i ok=0 ready
  if ! alive "$RUN/kube-apiserver.pid" || ! kc get --raw /readyz >/dev/null 2>&1; then say "no cluster (apiserver down)"; return 1; fi
  say "control plane https://$API:6443: etcd $(alive "$RUN/etcd.pid" && echo up || echo DOWN), controller-manager $(alive "$RUN/kube-controller-manager.pid" && echo up || echo DOWN), scheduler $(alive "$RUN/kube-scheduler.pid" && echo up || echo DOWN)"
  alive "$RUN/etcd.pid" && alive "$RUN/kube-controller-manager.pid" && alive "$RUN/kube-scheduler.pid" || ok=1
  for i in $NODES; do
    ready=$(kc get node "node$i" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || echo absent)
    say "node$i $(node_ip "$i") pods $(pod_cidr "$i") Ready=$ready kubelet=$(alive "$RUN/node$i-kubelet.pid" && echo up || echo DOWN) containerd=$(alive "$RUN/node$i-containerd.pid" && echo up || echo DOWN) kube-proxy=$(alive "$RUN/node$i-proxy.pid" && echo up || echo DOWN)"
    [[ $ready == True ]] && node_running "$i" || ok=1
  done
  return $ok
}

# containerd's name for a Docker image reference: docker.io/ and library/ filled in.
containerd_ref() {
  local ref=$1
  [[ $ref == */* ]] || ref=library/$ref
  [[ ${ref%%/*} == *[.:]* || ${ref%%/*} == localhost ]] || ref=docker.io/$ref
  printf '%s\n' "$ref"
}

# An image already imported into a node carries the label msm-kit.image-id=<Docker image id>:
# the same id again is skipped (a Tomcat image is hundreds of MB; up imports on every run).
import() {
  (($#)) || die "import" "name at least one image"
  local img i tmp id ref
  for i in $NODES; do ctr_n "$i" version >/dev/null 2>&1 || die "import" "node$i's containerd does not answer. Fix: $0 up (or start-node $i)"; done
  tmp=$(mktemp)
  for img in "$@"; do
    id=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null) || { rm -f "$tmp"; die "import $img" "not on the machine's Docker engine"; }
    ref=$(containerd_ref "$img")
    local need=
    for i in $NODES; do
      ctr_n "$i" images ls "name==$ref" 2>/dev/null | grep -q "msm-kit.image-id=$id" || need+=" $i"
    done
    if [[ -z $need ]]; then say "$img is already on node${NODES// /, node} (image $id)"; continue; fi
    run "docker save $img" docker save -o "$tmp" "$img"
    for i in $need; do
      run "import $img into node$i" ctr_n "$i" images import "$tmp"
      run "label $img on node$i" ctr_n "$i" images label "$ref" "msm-kit.image-id=$id"
    done
    say "imported $img into node${need# }"
  done
  rm -f "$tmp"
}

# ---------------------------------------------------------------------------------------------
# down, leftovers

# KUBE-* chains (kube-proxy's and kubelet's) and CNI-* chains (portmap's) of the machine's
# iptables and ip6tables: the rules that jump to them, then the chains.
ipt_chains() { "$1" -t "$2" -S 2>/dev/null | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^CNI-/) {print $2}'; }
drop_chains() {
  local cmd tbl c r
  for cmd in iptables ip6tables; do
    for tbl in filter nat mangle raw; do
      local chains
      chains=$(ipt_chains "$cmd" "$tbl")
      [[ -n $chains ]] || continue
      # rules in any chain that jump to one of ours
      "$cmd" -t "$tbl" -S | { grep -E -- '-j (KUBE|CNI)-' || true; } | { grep -v -E '^-A (KUBE|CNI)-' || true; } | while read -r r; do
        eval "$cmd -t $tbl ${r/-A /-D }" 2>/dev/null || true
      done
      for c in $chains; do "$cmd" -t "$tbl" -F "$c" 2>/dev/null || true; done
      for c in $chains; do "$cmd" -t "$tbl" -X "$c" 2>/dev/null || true; done
    done
  done
}

# Our processes: our binaries, our shims (by their containerd socket), our node supervisors.
ours() {
  { pgrep -f -- "^($BIN|$PFX/usr/bin)/" || true
    pgrep -f -- "containerd-shim-runc-v2 .*-address $RUN/" || true
    pgrep -f -- "^bash $DATA/node[0-9]+/node.sh" || true; } | sort -u
}

down() {
  need_root
  local t0=$SECONDS i d
  for i in $NODES; do stop_node "$i" quiet; done
  for c in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$RUN/$c.pid"; done
  # Anything else still running from our directories (a daemon whose pid file was lost).
  for p in $(ours); do kill -9 "$p" 2>/dev/null || true; done
  [[ -x $BIN/kube-proxy ]] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  drop_chains
  local t
  while read -r t; do
    [[ -n $t ]] || continue
    # shellcheck disable=SC2086
    nft delete table $t 2>/dev/null || note "could not delete the empty iptables table $t (nft delete table $t)"
  done <<<"$(xt_new_empty)"
  for d in -i -o; do
    while iptables -C FORWARD "$d" "${PREFIX}br1" -m comment --comment "$COMMENT" -j ACCEPT 2>/dev/null; do
      iptables -D FORWARD "$d" "${PREFIX}br1" -m comment --comment "$COMMENT" -j ACCEPT
    done
  done
  findmnt -rn -o TARGET | { grep -E "^($RUN|$DATA)(/|$)" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  for i in $NODES; do [[ -e /var/run/netns/$PREFIX$i ]] && ip netns del "$PREFIX$i"; done
  local v
  for v in $(ip -o link show | grep -o "${PREFIX}[0-9]*h@" | tr -d @); do ip link del "$v" 2>/dev/null || true; done
  for _ in $(seq 50); do ip -o link show | grep "${PREFIX}[0-9]*h@" >/dev/null || break; sleep 0.1; done
  for v in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^${PREFIX}" || true); do ip link del "$v" 2>/dev/null || true; done
  for d in /sys/fs/cgroup/*/"$PREFIX"-node*; do [[ -d $d ]] && { find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true; }; done
  if [[ -f $DATA/host-dirs-created ]]; then
    sort -u "$DATA/host-dirs-created" | while read -r d; do rmdir "$d" 2>/dev/null || note "kept $d: not empty"; done
  fi
  rm -rf "$RUN" "$DATA"
  say "down in $((SECONDS - t0))s"
  leftovers
}

leftovers() {
  local left=() d
  [[ -n $(ours) ]] && left+=("processes: $(ours | tr '\n' ' ')")
  compgen -G "/var/run/netns/$PREFIX*" >/dev/null && left+=("namespaces: $(compgen -G "/var/run/netns/$PREFIX*" | tr '\n' ' ')")
  ip -o link show | grep ": $PREFIX" >/dev/null && left+=("links: $(ip -o link show | awk -F': ' '{print $2}' | grep "^$PREFIX" | tr '\n' ' ')")
  iptables -S | grep -- "$COMMENT" >/dev/null && left+=("iptables rules ($COMMENT)")
  for c in iptables ip6tables; do
    for t in filter nat mangle raw; do
      [[ -n $(ipt_chains "$c" "$t") ]] && left+=("$c -t $t chains: $(ipt_chains "$c" "$t" | tr '\n' ' ')")
    done
  done
  [[ -n $(xt_new_empty) ]] && left+=("empty iptables tables: $(xt_new_empty | tr '\n' ',')")
  findmnt -rn -o TARGET | grep -E "^($RUN|$DATA)(/|$)" >/dev/null && left+=("mounts")
  compgen -G "/sys/fs/cgroup/*/$PREFIX-node*" >/dev/null && left+=("cgroups $(compgen -G "/sys/fs/cgroup/*/$PREFIX-node*" | head -3 | tr '\n' ' ')...")
  [[ -e $DATA || -e $RUN ]] && left+=("directories $DATA $RUN")
  # The machine's mount points: ours when empty (/run/containerd is Docker's too: never reported)
  for d in /var/lib/kubelet /var/log/containers /var/lib/cni; do
    [[ -d $d && -z $(ls -A "$d") ]] && left+=("empty $d")
  done
  if ((${#left[@]})); then say "LEFT BEHIND: ${left[*]}"; return 1; fi
  say "nothing left behind"
}

node_arg() { [[ " $NODES " == *" ${1:-x} "* ]] || die "$2" "no node ${1:-} (nodes: $NODES)"; }

case "${1:-}" in
  build) build ;;
  gomod) gomod ;;
  up) up ;;
  status) status ;;
  stop-node) need_root; node_arg "${2:-}" stop-node; stop_node "$2" ;;
  start-node)
    need_root; node_arg "${2:-}" start-node
    start_node "$2"
    wait_for "node$2 Ready" "$LOGS/node$2-kubelet.log, $LOGS/node$2-containerd.log" "$WAIT" \
      "$RUN/node$2.pid $RUN/node$2-kubelet.pid $RUN/node$2-containerd.pid" node_ready "$2"
    say "node$2 Ready" ;;
  import) shift; import "$@" ;;
  down) down ;;
  leftovers) leftovers ;;
  *) echo "usage: $0 build | up | status | stop-node I | start-node I | import IMAGE... | down | leftovers | gomod" >&2; exit 2 ;;
esac
