#!/usr/bin/env bash
# Ensure a Docker engine answers on this machine.
#
# - If `docker info` already answers, say so and change nothing (a running
#   daemon is never restarted or reconfigured).
# - Otherwise install Debian's docker.io if /usr/sbin/dockerd is missing, start
#   dockerd detached (it outlives this script) and wait up to 60 s for
#   /var/run/docker.sock and `docker info`. Storage driver: overlay2 when a real
#   overlay mount works under /var/lib/docker (common.sh storage_driver), else vfs
#   with a loud warning; MSM_KIT_STORAGE_DRIVER=overlay2|vfs forces one.
# - An engine that answers on vfs is reported as such (slow), never changed.
#
# Client note: a newer docker CLI (e.g. 28.x in /usr/local/bin) negotiates the API
# version down to what Debian's 20.10 daemon speaks (1.41), so no
# DOCKER_API_VERSION is needed. If negotiation ever fails, this script retries
# with DOCKER_API_VERSION set to the daemon's version and tells you to export it.
#
# Env: MSM_KIT_CACHE (default ~/.cache/msm-kit) - dockerd.log goes there.
#      MSM_KIT_DOCKERD_WAIT (default 60) - seconds to wait for the daemon.
set -euo pipefail

TAG=engine
CACHE="${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}"
LOG="$CACHE/dockerd.log"
SOCK=/var/run/docker.sock
WAIT="${MSM_KIT_DOCKERD_WAIT:-60}"

# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

docker_answers() { docker info >/dev/null 2>&1; }

describe() {
  local v
  v=$(docker version --format 'client {{.Client.Version}} (API {{.Client.APIVersion}}), server {{.Server.Version}} (API {{.Server.APIVersion}}), storage driver '"$(docker info --format '{{.Driver}}' 2>/dev/null || echo '?')" 2>/dev/null) \
    || v="(docker version failed)"
  say "docker: $(command -v docker): $v"
}

if [[ $EUID -ne 0 ]]; then
  # Only matters when we have to install or start something.
  if command -v docker >/dev/null 2>&1 && docker_answers; then
    say "docker engine already answers; leaving it alone"; describe; exit 0
  fi
  die "start docker engine" "must run as root to install/start dockerd"
fi

slow_note() {
  [[ $(docker info --format '{{.Driver}}' 2>/dev/null) != vfs ]] ||
    say "NOTE: this engine runs on vfs (every container a full copy of its image: slow, disk-hungry); it was not started by msm-kit's engine.sh run, so it is left as it is. Fix (optional): stop it and rerun engine.sh to get overlay2"
}

if command -v docker >/dev/null 2>&1 && docker_answers; then
  say "docker engine already answers; leaving it alone"
  describe
  slow_note
  exit 0
fi

# Debian's docker.io ships /usr/sbin/dockerd and /usr/bin/docker. A newer CLI may
# sit earlier on PATH (/usr/local/bin); either works with the 20.10 daemon.
if [[ ! -x /usr/sbin/dockerd ]] || ! command -v docker >/dev/null 2>&1; then
  apt_install docker.io
  [[ -x /usr/sbin/dockerd ]] || die "install docker.io" "/usr/sbin/dockerd still missing"
  hash -r
  command -v docker >/dev/null 2>&1 || die "install docker.io" "no docker client on PATH"
  # A systemd host may have started the service during installation.
  if docker_answers; then
    say "docker engine started by the package installation"
    describe
    exit 0
  fi
fi

mkdir -p "$CACHE" || die "create $CACHE" "mkdir failed"

if pid=$(pgrep -x dockerd | head -n 1) && [[ -n $pid ]]; then
  # A daemon is already starting (or is stuck); do not start a second one.
  say "dockerd already running (pid $pid) but not answering yet; waiting for it"
else
  driver=$(storage_driver /var/lib/docker)
  say "starting /usr/sbin/dockerd --storage-driver=$driver (log: $LOG)"
  {
    printf '\n==== %s engine.sh starting dockerd ====\n' "$(date -Is)"
  } >>"$LOG"
  setsid nohup /usr/sbin/dockerd --storage-driver="$driver" >>"$LOG" 2>&1 </dev/null &
  pid=$!
  disown "$pid" 2>/dev/null || true
fi

say "waiting up to ${WAIT}s for $SOCK and docker info"
deadline=$((SECONDS + WAIT))
while :; do
  if [[ -S $SOCK ]] && docker_answers; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    die "start dockerd" "dockerd exited: $(tail -n 5 "$LOG" 2>/dev/null | tr '\n' ' ')"
  fi
  if (( SECONDS >= deadline )); then
    err=$(docker info 2>&1 | tail -n 2 | tr '\n' ' ')
    die "wait for docker engine" "no answer after ${WAIT}s: ${err} (log: $LOG)"
  fi
  sleep 1
done

# Belt and braces for the client/daemon API gap: if plain commands fail while
# a pinned API version works, say what to export.
if ! docker version >/dev/null 2>&1; then
  api=$(DOCKER_API_VERSION=1.41 docker version --format '{{.Server.APIVersion}}' 2>/dev/null || true)
  if [[ -n $api ]]; then
    say "WARNING: API negotiation failed; export DOCKER_API_VERSION=$api (or use /usr/bin/docker)"
  else
    die "docker version" "$(docker version 2>&1 | tail -n 2 | tr '\n' ' ')"
  fi
fi

say "docker engine is up (dockerd pid $pid)"
describe
