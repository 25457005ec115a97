#!/usr/bin/env bash
# Disk room for the labs.
#
#   bash scripts/setup/disk.sh free         print the GB free where Docker keeps its data
#   bash scripts/setup/disk.sh reclaim      remove dangling images, the build cache and the kit's
#                                           lab images (msm-kit/*) that no container uses; say what it freed
#   bash scripts/setup/disk.sh need GB      reclaim, then fail unless GB are free (lab.sh test only)
#   bash scripts/setup/disk.sh check GB     fail unless GB are free; removes nothing (lab.sh up:
#                                           the images on this engine may be someone else's)
#
# Why: on the vfs storage driver (the only one that works in this machine's
# containers) every image layer and every container is a full copy: a lab's
# Tomcat image costs about 0.75 GB, and `msm-kit down` keeps it as a cache for
# the next `up`. A full test run builds dozens; an earlier one filled the disk
# mid-matrix ("no space left on device" in dockerd.log) after a session's
# benchmarks had left 40 GB of untagged images behind. The offline stand-ins
# (msm-kit-local/*) are kept: they are the cache that makes a run fast.
set -euo pipefail
TAG=disk
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

root() { docker info -f '{{.DockerRootDir}}' 2>/dev/null || echo /var/lib/docker; }
free_gb() { df -P -BG "$(root)" | awk 'NR == 2 { sub("G", "", $4); print $4 }'; }

reclaim() {
  local before used stale
  before=$(free_gb)
  used=$(docker ps -a --format '{{.Image}}' | sort -u)
  stale=$(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^msm-kit/' | grep -vxF -f <(printf '%s\n' "$used") || true)
  [[ -n $stale ]] && xargs -r docker rmi -f <<<"$stale" >/dev/null 2>&1
  docker image prune -f >/dev/null 2>&1 || true
  docker builder prune -af >/dev/null 2>&1 || true
  say "reclaimed $(($(free_gb) - before)) GB ($(wc -w <<<"$stale") lab image(s), untagged images, build cache): $(free_gb) GB free in $(root)"
}

case ${1:-} in
  free) free_gb ;;
  reclaim) reclaim ;;
  need)
    [[ ${2:-} =~ ^[0-9]+$ ]] || die "need" "usage: disk.sh need GB"
    reclaim
    have=$(free_gb)
    ((have >= $2)) || die "not enough room" "$have GB free in $(root), the full test run needs about $2 GB (vfs copies every layer). Fix: free space there (docker system df shows what Docker holds; docker rmi the images you no longer need)"
    ;;
  check)
    [[ ${2:-} =~ ^[0-9]+$ ]] || die "check" "usage: disk.sh check GB"
    have=$(free_gb)
    ((have >= $2)) || die "not enough room" "$have GB free in $(root), a lab needs about $2 GB. Fix: free space there (docker system df shows what Docker holds; bash scripts/setup/disk.sh reclaim removes untagged images, the build cache and msm-kit/* lab images no container uses)"
    ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
