#!/usr/bin/env bash
# Makes the Terraform provider kreuzwerker/docker 3.6.2 available offline.
#
# - Builds the provider from source with the Go toolchain through the Go
#   module proxy, using the tools module in tools/terraform-provider-docker
#   (its go.mod pins the upstream source), into a Terraform filesystem mirror:
#     ${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}/terraform-mirror/registry.terraform.io/kreuzwerker/docker/3.6.2/<os>_<arch>/
#   Skipped when the provider binary is already there and executable.
# - Checks that `terraform version` works; when no terraform is on PATH,
#   builds terraform v1.11.4 from the module proxy into the cache's bin/.
# - Writes the project-local Terraform CLI config .msm-kit/terraformrc and
#   prints its path as the last line on stdout (progress goes to stderr):
#     export TF_CLI_CONFIG_FILE="$(scripts/setup/provider.sh)"
#
# Idempotent. Needs: bash, go (PATH or /usr/local/go/bin/go) for the builds.
set -euo pipefail

PROVIDER_VERSION=3.6.2
PROVIDER_ADDR=registry.terraform.io/kreuzwerker/docker
# The Kubernetes labs' provider, built into the same mirror by provider-kubernetes.sh (docs/kubernetes-provider.md).
KUBE_PROVIDER_ADDR=registry.terraform.io/hashicorp/kubernetes
PROVIDER_PKG=github.com/terraform-providers/terraform-provider-docker
TERRAFORM_VERSION=v1.11.4
# Nested modules of hashicorp/terraform that its go.mod replaces with local
# directories (which is why `go install github.com/hashicorp/terraform@v1.11.4`
# is refused), and the pseudo-version of the v1.11.4 commit they exist at.
TERRAFORM_NESTED_PSEUDO=v0.0.0-20250409131005-35645b8fca68
TERRAFORM_NESTED_MODULES="internal/backend/remote-state/azure internal/backend/remote-state/consul
internal/backend/remote-state/cos internal/backend/remote-state/gcs internal/backend/remote-state/kubernetes
internal/backend/remote-state/oss internal/backend/remote-state/pg internal/backend/remote-state/s3 internal/legacy"

log() { printf '[provider] %s\n' "$*" >&2; }
die() { printf 'provider: %s: %s\n' "$1" "$2" >&2; exit 1; }
trap 'rc=$?; die "unexpected failure at line $LINENO" "command exited with status $rc"' ERR

# Runs a command with its output in a log file; on failure, dies with the
# log's tail as the underlying error.
LOGDIR=$(mktemp -d) || die "creating a temporary directory" "mktemp failed"
trap 'rm -rf "$LOGDIR"' EXIT
# Usage: step WHAT DIR COMMAND...  (COMMAND runs in DIR)
step() {
  local what=$1 dir=$2; shift 2
  local logf="$LOGDIR/step.log"
  if ! (cd "$dir" && "$@") >"$logf" 2>&1; then
    die "$what" "$(tail -n 25 "$logf")"
  fi
}

ROOT=$(cd "$(dirname "$0")/../.." && pwd) || die "locating the repository root" "cd failed"
CACHE=${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}
mkdir -p "$CACHE" && CACHE=$(cd "$CACHE" && pwd) || die "creating the cache directory $CACHE" "mkdir/cd failed"
MIRROR=$CACHE/terraform-mirror
TOOLS_MOD=$ROOT/tools/terraform-provider-docker
RC_FILE=$ROOT/.msm-kit/terraformrc

# Keep terraform from calling HashiCorp's checkpoint service (we are offline).
export CHECKPOINT_DISABLE=1

# shellcheck source=go-toolchain.sh
source "$(dirname "$0")/go-toolchain.sh"
PROVIDER_DIR=$MIRROR/$PROVIDER_ADDR/$PROVIDER_VERSION/$PLATFORM
PROVIDER_BIN=$PROVIDER_DIR/terraform-provider-docker_v$PROVIDER_VERSION


# ---------------------------------------------------------------- provider
if [ -f "$PROVIDER_BIN" ] && [ -x "$PROVIDER_BIN" ]; then
  log "provider $PROVIDER_ADDR $PROVIDER_VERSION already built: $PROVIDER_BIN (skipping build)"
else
  find_go
  [ -f "$TOOLS_MOD/go.mod" ] || die "reading the tools module" "$TOOLS_MOD/go.mod not found"
  src=$(cd "$TOOLS_MOD" && GOFLAGS=-mod=readonly "$GO" list -m -f '{{with .Replace}}{{.Path}}@{{.Version}}{{end}}' "$PROVIDER_PKG" 2>&1) \
    || die "reading the provider pin from $TOOLS_MOD/go.mod" "$src"
  log "building $PROVIDER_ADDR $PROVIDER_VERSION for $PLATFORM from $src (through the Go module proxy; a cold build takes a few minutes)"
  mkdir -p "$PROVIDER_DIR" || die "creating $PROVIDER_DIR" "mkdir failed"
  tmp_bin=$PROVIDER_DIR/.terraform-provider-docker.partial
  start=$SECONDS
  step "downloading the provider's modules" \
    "$TOOLS_MOD" env GOFLAGS=-mod=readonly "$GO" mod download "$PROVIDER_PKG"
  step "building the provider (go build)" \
    "$TOOLS_MOD" env GOFLAGS=-mod=readonly GOOS="$os" GOARCH="$arch" CGO_ENABLED=0 \
    "$GO" build -trimpath -ldflags "-s -w -X main.version=$PROVIDER_VERSION" -o "$tmp_bin" "$PROVIDER_PKG"
  chmod 0755 "$tmp_bin" && mv -f "$tmp_bin" "$PROVIDER_BIN" || die "installing $PROVIDER_BIN" "chmod/mv failed"
  log "built $PROVIDER_BIN in $((SECONDS - start))s"

  # Check which release the pinned source really is (newest CHANGELOG entry).
  srcdir=$(cd "$TOOLS_MOD" && GOFLAGS=-mod=readonly "$GO" list -m -f '{{with .Replace}}{{.Dir}}{{end}}' "$PROVIDER_PKG" 2>/dev/null) || srcdir=
  newest=$(grep -m1 -o '<a name="v[^"]*"' "$srcdir/CHANGELOG.md" 2>/dev/null | sed 's/.*"\(v[^"]*\)"/\1/') || newest=
  if [ "$newest" = "v$PROVIDER_VERSION" ]; then
    log "verified: newest CHANGELOG entry of $src is v$PROVIDER_VERSION"
  else
    log "WARNING: the pinned source $src is NOT v$PROVIDER_VERSION (its newest CHANGELOG entry is ${newest:-unknown});"
    log "WARNING: it is installed as $PROVIDER_VERSION because that release is not available from the module proxy here."
  fi
fi

# --------------------------------------------------------------- terraform
TF=
if command -v terraform >/dev/null 2>&1; then
  TF=$(command -v terraform)
elif [ -x "$CACHE/bin/terraform" ]; then
  TF=$CACHE/bin/terraform
  log "no terraform on PATH; using $TF built earlier (add $CACHE/bin to PATH)"
else
  find_go
  tfmod=$CACHE/build/terraform-$TERRAFORM_VERSION
  log "no terraform on PATH; building terraform $TERRAFORM_VERSION from the Go module proxy into $CACHE/bin (a cold build takes several minutes)"
  mkdir -p "$tfmod" "$CACHE/bin" || die "creating $tfmod" "mkdir failed"
  # `go install github.com/hashicorp/terraform@$TERRAFORM_VERSION` is refused
  # because terraform's go.mod has replace directives; a generated module that
  # repeats them (pointing at the proxy's copies of the nested modules) works.
  {
    printf 'module msm-kit-terraform-build\n\ngo 1.24\n\ntool github.com/hashicorp/terraform\n\n'
    printf 'require github.com/hashicorp/terraform %s\n\n' "$TERRAFORM_VERSION"
    for m in $TERRAFORM_NESTED_MODULES; do
      printf 'replace github.com/hashicorp/terraform/%s => github.com/hashicorp/terraform/%s %s\n' "$m" "$m" "$TERRAFORM_NESTED_PSEUDO"
    done
  } >"$tfmod/go.mod" || die "writing $tfmod/go.mod" "write failed"
  start=$SECONDS
  hint="(install terraform $TERRAFORM_VERSION yourself and put it on PATH)"
  step "resolving terraform $TERRAFORM_VERSION's modules with go mod tidy $hint" \
    "$tfmod" env GOFLAGS=-mod=mod "$GO" mod tidy
  step "building terraform $TERRAFORM_VERSION with go build $hint" \
    "$tfmod" env GOFLAGS=-mod=readonly CGO_ENABLED=0 "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" -o "$CACHE/bin/.terraform.partial" github.com/hashicorp/terraform
  mv -f "$CACHE/bin/.terraform.partial" "$CACHE/bin/terraform" || die "installing $CACHE/bin/terraform" "mv failed"
  TF=$CACHE/bin/terraform
  log "built $TF in $((SECONDS - start))s; add it to PATH: export PATH=\"$CACHE/bin:\$PATH\""
fi

# ------------------------------------------------------------- CLI config
mkdir -p "$(dirname "$RC_FILE")" || die "creating $(dirname "$RC_FILE")" "mkdir failed"
cat >"$RC_FILE.tmp" <<EOF || die "writing $RC_FILE" "write failed"
# Generated by scripts/setup/provider.sh; do not edit (rerun the script).
# Use with: export TF_CLI_CONFIG_FILE="$RC_FILE"
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["$PROVIDER_ADDR", "$KUBE_PROVIDER_ADDR"]
  }
  direct {
    exclude = ["$PROVIDER_ADDR", "$KUBE_PROVIDER_ADDR"]
  }
}
EOF
mv -f "$RC_FILE.tmp" "$RC_FILE" || die "writing $RC_FILE" "mv failed"

tfv=$(TF_CLI_CONFIG_FILE=$RC_FILE "$TF" version 2>&1) || die "running '$TF version'" "$tfv"
log "terraform works: $(printf '%s\n' "$tfv" | head -n 1) ($TF)"
log "Terraform CLI config written; use: export TF_CLI_CONFIG_FILE=$RC_FILE"
printf '%s\n' "$RC_FILE"
