# Helpers shared by the setup scripts. Set TAG before sourcing this file.
# shellcheck shell=bash

say() { printf '[%s] %s\n' "$TAG" "$*"; }
die() { printf '%s: %s: %s\n' "$TAG" "$1" "${2:-unknown error}" >&2; exit 1; }

# Run a command quietly; on failure die with its last output lines.
run() {
  local what=$1 out; shift
  if ! out=$("$@" 2>&1); then
    die "$what" "$(printf '%s\n' "$out" | tail -n 5 | tr -s '\n' ' ')"
  fi
}

# apt-get install on the host, running apt-get update once first.
apt_updated=
apt_install() {
  if [[ -z $apt_updated ]]; then
    say "apt-get update"
    run "apt-get update" apt-get update
    apt_updated=1
  fi
  say "apt-get install -y $*"
  run "apt-get install $*" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$@"
}

# storage_driver DIR: the storage driver a dockerd whose data root is DIR should use.
# overlay2 when a real overlay mount works in DIR's filesystem (the kernel has overlay
# and the backing filesystem takes it: ext4/xfs yes, overlay-on-overlay or tmpfs without
# xattrs no), else vfs, loudly: vfs copies the whole image for every container and every
# build step (a plain `docker run --rm` of the Tomcat stand-in: 10.3 s on vfs here).
# MSM_KIT_STORAGE_DRIVER=overlay2|vfs forces a choice (overlay2 still must pass the probe).
storage_driver() {
  local dir=$1 probe forced=${MSM_KIT_STORAGE_DRIVER:-}
  if [[ -n $forced && $forced != overlay2 && $forced != vfs ]]; then
    die "storage driver" "MSM_KIT_STORAGE_DRIVER=$forced is neither overlay2 nor vfs. Fix: unset it, or set overlay2 or vfs"
  fi
  if [[ $forced == vfs ]]; then
    say "storage driver vfs (MSM_KIT_STORAGE_DRIVER=vfs): every container is a full copy of its image" >&2
    echo vfs; return 0
  fi
  mkdir -p "$dir"
  probe=$(mktemp -d "$dir/.overlay-probe.XXXXXX")
  mkdir -p "$probe/lower" "$probe/upper" "$probe/work" "$probe/merged"
  echo probe >"$probe/lower/file"
  local ok=
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>"$probe/err"; then
    # A real write through the mount: a copy-up into upper must happen.
    if echo changed >"$probe/merged/file" 2>>"$probe/err" && [[ $(cat "$probe/upper/file" 2>/dev/null) == changed ]]; then ok=1; fi
    umount "$probe/merged" 2>/dev/null || true
  fi
  local why
  why=$(tr '\n' ' ' <"$probe/err")
  rm -rf "$probe"
  if [[ -n $ok ]]; then
    echo overlay2; return 0
  fi
  if [[ $forced == overlay2 ]]; then
    die "storage driver" "MSM_KIT_STORAGE_DRIVER=overlay2 but an overlay mount in $dir failed: ${why:-copy-up did not happen}. Fix: put the data root on ext4 or xfs, or unset MSM_KIT_STORAGE_DRIVER"
  fi
  {
    echo "!!! WARNING: an overlay mount in $dir failed (${why:-copy-up did not happen}): falling back to the vfs storage driver."
    echo "!!! vfs copies the whole image for every container and build step: labs start several times slower and need far more disk."
  } >&2
  echo vfs
}
