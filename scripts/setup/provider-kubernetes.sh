#!/usr/bin/env bash
# Makes the Terraform provider hashicorp/kubernetes available offline, as
# version 2.38.0 (the version @cdktf/provider-kubernetes 12.1.0 was generated
# from; cdktf 0.21 writes `version = "2.38.0"` into required_providers).
#
# - Builds the provider from source with the Go toolchain through the Go
#   module proxy, using the tools module in tools/terraform-provider-kubernetes
#   (its go.mod pins the upstream source), into the Terraform filesystem mirror
#   that scripts/setup/provider.sh also uses:
#     ${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}/terraform-mirror/registry.terraform.io/hashicorp/kubernetes/2.38.0/<os>_<arch>/terraform-provider-kubernetes_v2.38.0
#   Skipped when that binary is already there and executable.
# - CAVEAT: the Go module proxy does not serve the v2.38.0 source; the pin is
#   a commit after v3.2.1 (see the header of tools/terraform-provider-kubernetes/go.mod).
#   It is installed as 2.38.0 anyway, and this script warns loudly whenever the
#   source it built (or finds recorded for an existing binary) is not v2.38.0.
# - Does NOT touch .msm-kit/terraformrc (scripts/setup/provider.sh owns it).
#   A Terraform CLI config uses this provider from the mirror with these two
#   lines added to its provider_installation block:
#     filesystem_mirror { ... include = [..., "registry.terraform.io/hashicorp/kubernetes"] }
#     direct            { exclude = [..., "registry.terraform.io/hashicorp/kubernetes"] }
#   (the filesystem_mirror path is the one this script prints).
#
# Progress and the time of each step go to stderr; the last line on stdout is
# the mirror directory (the filesystem_mirror path), e.g.
#   mirror="$(scripts/setup/provider-kubernetes.sh | tail -n1)"
# Exits non-zero with a message naming the failed step.
#
# Idempotent. Needs: bash, go >= 1.26.3 (PATH or /usr/local/go/bin/go; an older
# go fetches a newer toolchain through the module proxy unless GOTOOLCHAIN=local).
# A cold build (empty module and build caches) takes several minutes on 2 cores;
# the Go commands run under `nice -n 19`.
set -euo pipefail

PROVIDER_VERSION=2.38.0
PROVIDER_ADDR=registry.terraform.io/hashicorp/kubernetes
PROVIDER_PKG=github.com/hashicorp/terraform-provider-kubernetes
PROVIDER_NAME=kubernetes

log() { printf '[provider-kubernetes] %s\n' "$*" >&2; }
warn() { printf '[provider-kubernetes] WARNING: %s\n' "$*" >&2; }
die() { printf 'provider-kubernetes: %s: %s\n' "$1" "$2" >&2; exit 1; }
trap 'rc=$?; die "unexpected failure at line $LINENO" "command exited with status $rc"' ERR

LOGDIR=$(mktemp -d) || die "creating a temporary directory" "mktemp failed"
tmp_bin=
cleanup() { rm -rf "$LOGDIR"; if [ -n "$tmp_bin" ]; then rm -f "$tmp_bin"; fi; }
trap cleanup EXIT

# Usage: step WHAT DIR COMMAND...  (COMMAND runs in DIR, output in a log file)
# Logs the step and its duration; on failure dies with the log's tail.
step() {
  local what=$1 dir=$2; shift 2
  local logf="$LOGDIR/step.log" t0=$SECONDS
  log "step: $what ..."
  if ! (cd "$dir" && "$@") >"$logf" 2>&1; then
    die "$what (failed after $((SECONDS - t0))s)" "$(tail -n 25 "$logf")"
  fi
  log "step: $what: done in $((SECONDS - t0))s"
}

# Loud warning for a source that is not the release it is installed as.
# Usage: mismatch_warning SOURCE-DESCRIPTION NEWEST-RELEASE
mismatch_warning() {
  warn "=========================================================================="
  warn "$PROVIDER_ADDR is installed as $PROVIDER_VERSION, but it was built from"
  warn "  $1"
  warn "whose newest CHANGELOG.md release is ${2:-unknown}, NOT $PROVIDER_VERSION."
  warn "The module proxy reachable here does not serve the v$PROVIDER_VERSION source."
  warn "Resource types and the attributes the 2.38.0 bindings use are still there,"
  warn "but behaviour and schema are those of ${2:-the pinned commit}."
  warn "See tools/terraform-provider-kubernetes/go.mod for how to re-pin."
  warn "=========================================================================="
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd) || die "locating the repository root" "cd failed"
CACHE=${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}
mkdir -p "$CACHE" && CACHE=$(cd "$CACHE" && pwd) || die "creating the cache directory $CACHE" "mkdir/cd failed"
MIRROR=$CACHE/terraform-mirror
TOOLS_MOD=$ROOT/tools/terraform-provider-kubernetes

# shellcheck source=go-toolchain.sh
source "$(dirname "$0")/go-toolchain.sh"
PROVIDER_DIR=$MIRROR/$PROVIDER_ADDR/$PROVIDER_VERSION/$PLATFORM
PROVIDER_BIN=$PROVIDER_DIR/terraform-provider-${PROVIDER_NAME}_v$PROVIDER_VERSION
# What the binary was built from; kept outside the mirror, because Terraform
# hashes every file of an unpacked provider directory.
PROVENANCE=$CACHE/build/terraform-provider-$PROVIDER_NAME-$PROVIDER_VERSION-$PLATFORM.source

if [ -f "$PROVIDER_BIN" ] && [ -x "$PROVIDER_BIN" ]; then
  log "provider $PROVIDER_ADDR $PROVIDER_VERSION already built: $PROVIDER_BIN (skipping build)"
  if [ -f "$PROVENANCE" ]; then
    src=$(sed -n 's/^source=//p' "$PROVENANCE")
    newest=$(sed -n 's/^newest_changelog_release=//p' "$PROVENANCE")
    if [ "$newest" = "$PROVIDER_VERSION" ]; then
      log "built from $src (newest CHANGELOG release $newest)"
    else
      mismatch_warning "$src" "$newest"
    fi
  else
    warn "no build record $PROVENANCE; cannot tell which source $PROVIDER_BIN was built from"
  fi
else
  total0=$SECONDS
  find_go
  [ -f "$TOOLS_MOD/go.mod" ] || die "reading the tools module" "$TOOLS_MOD/go.mod not found"
  export GOFLAGS="-mod=readonly -buildvcs=false"

  pin=$(cd "$TOOLS_MOD" && "$GO" list -m -f '{{.Path}}@{{.Version}}' "$PROVIDER_PKG" 2>&1) \
    || die "reading the provider pin from $TOOLS_MOD/go.mod" "$pin"
  log "building $PROVIDER_ADDR $PROVIDER_VERSION for $PLATFORM from $pin"
  log "(through the Go module proxy; a cold build takes several minutes)"

  step "downloading the provider's modules (go mod download)" \
    "$TOOLS_MOD" nice -n 19 "$GO" mod download
  srcdir=$(cd "$TOOLS_MOD" && "$GO" list -m -f '{{.Dir}}' "$PROVIDER_PKG" 2>&1) \
    || die "locating the provider source" "$srcdir"

  # Which release the pinned source really is: newest "## X.Y.Z" in CHANGELOG.md.
  newest=$(grep -m1 -oE '^## [0-9]+\.[0-9]+\.[0-9]+' "$srcdir/CHANGELOG.md" 2>/dev/null | cut -c4-) || newest=
  if [ "$newest" = "$PROVIDER_VERSION" ]; then
    log "verified: the pinned source's newest CHANGELOG.md release is $PROVIDER_VERSION"
  else
    log "the pinned source's newest CHANGELOG.md release is ${newest:-unknown}, not $PROVIDER_VERSION (warning follows the build)"
  fi

  mkdir -p "$PROVIDER_DIR" "$(dirname "$PROVENANCE")" || die "creating $PROVIDER_DIR" "mkdir failed"
  tmp_bin=$PROVIDER_DIR/.terraform-provider-$PROVIDER_NAME.partial
  # Upstream's release build passes -X main.Version=<version>; in this source
  # main.Version is a constant ("dev"), so the flag has no effect, kept for parity.
  step "building the provider (go build, CGO_ENABLED=0)" \
    "$TOOLS_MOD" env GOOS="$os" GOARCH="$arch" CGO_ENABLED=0 nice -n 19 \
    "$GO" build -trimpath -ldflags "-s -w -X main.Version=$PROVIDER_VERSION" -o "$tmp_bin" "$PROVIDER_PKG"

  # A go-plugin binary run by hand says it is a plugin and exits 1.
  if [ "$os/$arch" = "$("$GO" env GOHOSTOS)/$("$GO" env GOHOSTARCH)" ]; then
    out=$("$tmp_bin" 2>&1) || true
    case "$out" in
      *"This binary is a plugin"*) log "sanity check: the binary runs and identifies as a Terraform plugin" ;;
      *) die "checking the built provider" "unexpected output of $tmp_bin: $(printf '%s' "$out" | head -n 5)" ;;
    esac
  fi
  chmod 0755 "$tmp_bin" && mv -f "$tmp_bin" "$PROVIDER_BIN" || die "installing $PROVIDER_BIN" "chmod/mv failed"
  tmp_bin=
  {
    printf 'source=%s\n' "$pin"
    printf 'newest_changelog_release=%s\n' "$newest"
    printf 'installed_as=%s\n' "$PROVIDER_VERSION"
    printf 'go=%s\n' "$("$GO" env GOVERSION)"
    printf 'built=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$PROVENANCE" || die "writing $PROVENANCE" "write failed"
  log "built $PROVIDER_BIN ($(du -h "$PROVIDER_BIN" | cut -f1)) in $((SECONDS - total0))s"
  if [ "$newest" != "$PROVIDER_VERSION" ]; then
    mismatch_warning "$pin" "$newest"
  fi
fi

log "Terraform CLI config needs, in provider_installation:"
log "  filesystem_mirror { path = \"$MIRROR\"  include = [\"$PROVIDER_ADDR\", ...] }"
log "  direct { exclude = [\"$PROVIDER_ADDR\", ...] }"
printf '%s\n' "$MIRROR"
