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
