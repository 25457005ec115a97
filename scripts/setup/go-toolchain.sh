# shellcheck shell=bash
# Sourced by the scripts that build Terraform providers from source (provider.sh,
# provider-kubernetes.sh). The caller defines log MESSAGE and die WHAT WHY first.
#
#   PLATFORM   <os>_<arch> as Terraform names it (linux_amd64, ...); also $os and $arch
#   find_go    sets GO to the Go toolchain (PATH, then /usr/local/go/bin/go), once

case "$(uname -s)" in
  Linux) os=linux ;; Darwin) os=darwin ;; *) die "detecting the platform" "unsupported OS $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) die "detecting the platform" "unsupported CPU $(uname -m)" ;;
esac
PLATFORM=${os}_${arch}

GO=
find_go() {
  [ -n "$GO" ] && return 0
  if command -v go >/dev/null 2>&1; then
    GO=$(command -v go)
  elif [ -x /usr/local/go/bin/go ]; then
    GO=/usr/local/go/bin/go
  else
    die "finding the Go toolchain" "no 'go' on PATH nor at /usr/local/go/bin/go"
  fi
  log "using $("$GO" version 2>&1) ($GO)"
}
