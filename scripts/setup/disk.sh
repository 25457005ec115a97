#!/usr/bin/env bash
# Disk room for the labs.
#
#   bash scripts/setup/disk.sh free         print the GB free where Docker keeps its data
#   bash scripts/setup/disk.sh reclaim      remove what this test run built and no container uses:
#                                           msm-kit/* lab images and untagged images created since
#                                           MSM_KIT_RECLAIM_SINCE (epoch seconds, set by `lab.sh test`
#                                           when it starts); refuses without it. Says what it freed.
#   bash scripts/setup/disk.sh need GB      fail unless GB are free (lab.sh test), after a reclaim
#   bash scripts/setup/disk.sh check GB     fail unless GB are free; removes nothing (lab.sh up)
#
# Why only what the run built: the images on an engine may be another lab's, a user's own
# or a cache someone relies on; an earlier version removed every unused msm-kit/* image,
# every untagged one and the whole build cache, and so deleted a user's other lab image.
# The build cache is never pruned here (it is shared by every build on the engine: `docker
# builder prune` is yours to run). The offline stand-ins (msm-kit-local/*) are kept: they are
# the cache that makes a run fast. On overlay2 a full test run needs a few GB; on vfs (every
# layer and container a full copy) it needed about 30.
set -euo pipefail
TAG=disk
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

root() { docker info -f '{{.DockerRootDir}}' 2>/dev/null || echo /var/lib/docker; }
free_gb() { df -P -BG "$(root)" | awk 'NR == 2 { sub("G", "", $4); print $4 }'; }

# Epoch seconds an image was created (its build, or the build it came from when every layer was cached).
created() { date -d "$(docker image inspect -f '{{.Created}}' "$1")" +%s 2>/dev/null || echo 0; }

reclaim() {
  local since=${MSM_KIT_RECLAIM_SINCE:-} before used ref removed=()
  [[ $since =~ ^[0-9]+$ ]] || die "reclaim" "MSM_KIT_RECLAIM_SINCE is not set (got \"$since\"): reclaim removes only what a test run built since it started, and needs that instant. Fix: run it through bash scripts/lab.sh test, or set MSM_KIT_RECLAIM_SINCE=\$(date +%s) before the builds you mean to reclaim"
  before=$(free_gb)
  used=$(docker ps -a --format '{{.Image}}' | sort -u)
  while read -r ref; do
    [[ -n $ref ]] || continue
    grep -qxF -- "$ref" <<<"$used" && continue
    (($(created "$ref") >= since)) || continue
    docker rmi "$ref" >/dev/null 2>&1 && removed+=("$ref")
  done < <(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^msm-kit/' ; docker images -q --filter dangling=true)
  say "reclaimed $(($(free_gb) - before)) GB: ${#removed[@]} image(s) built since $(date -u -d "@$since" '+%F %T') UTC and used by no container${removed:+ (${removed[*]})}; the build cache and older images kept: $(free_gb) GB free in $(root)"
}

case ${1:-} in
  free) free_gb ;;
  reclaim) reclaim ;;
  need)
    [[ ${2:-} =~ ^[0-9]+$ ]] || die "need" "usage: disk.sh need GB"
    [[ -n ${MSM_KIT_RECLAIM_SINCE:-} ]] && reclaim
    have=$(free_gb)
    ((have >= $2)) || die "not enough room" "$have GB free in $(root), the full test run needs about $2 GB. Fix: free space there (docker system df shows what Docker holds; docker rmi the images you no longer need, docker builder prune the build cache)"
    ;;
  check)
    [[ ${2:-} =~ ^[0-9]+$ ]] || die "check" "usage: disk.sh check GB"
    have=$(free_gb)
    ((have >= $2)) || die "not enough room" "$have GB free in $(root), a lab needs about $2 GB. Fix: free space there (docker system df shows what Docker holds; docker rmi the images you no longer need; nothing here removes images for you)"
    ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
