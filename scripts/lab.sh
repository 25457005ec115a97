#!/usr/bin/env bash
# The newcomer's entry point.
#
#   bash scripts/lab.sh up   [CONFIG]   install what is missing, deploy the lab, print its URL
#   bash scripts/lab.sh down [CONFIG]   tear the lab down (containers, network, state)
#   bash scripts/lab.sh test            install what is missing, run npm test and the end-to-end test
#   bash scripts/lab.sh deps            install system packages and npm dependencies only
#
# CONFIG defaults to lab.config.json. When the config's images cannot be found
# locally nor pulled (no registry, as on the project's machines), `up` builds
# offline stand-ins (scripts/setup/images.sh) and deploys a copy of the config
# that points at them: out/<name>.local.json. It says so loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CHECKPOINT_DISABLE=1 DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/local/go/bin:$HOME/.cache/msm-kit/bin"
say() { printf '[lab] %s\n' "$*" >&2; }
die() { printf 'lab: %s\n' "$*" >&2; exit 1; }

deps() {
  local need=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
  [[ -x /usr/sbin/dockerd ]] || command -v dockerd >/dev/null || need+=(docker.io)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  command -v go >/dev/null || need+=(golang-go)
  if ((${#need[@]})); then
    say "installing Debian packages: ${need[*]}"
    [[ $(id -u) == 0 ]] || die "installing ${need[*]} needs root (apt-get). Fix: run as root, or install them yourself"
    apt-get update -qq || say "warning: apt-get update reported errors; trying the install anyway"
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
  fi
  command -v node >/dev/null || die "Node.js 20+ is needed. Fix: install nodejs and npm"
  if [[ ! -d node_modules || ! -f dist/src/cli/main.js || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "npm ci (also builds dist/)"
    npm ci --no-audit --no-fund >/dev/null || die "npm ci failed"
  fi
}

lab_name() { node -e 'console.log(require(require("path").resolve(process.argv[1])).name || "msm-lab")' "$1"; }

# Prints the config to deploy: CONFIG itself, or a copy that uses the offline stand-ins.
deployable_config() {
  local cfg=$1 missing=0 img
  for img in $(node -e '
      const {resolveLab} = require("./dist/src/config/resolve"); const {loadConfig} = require("./dist/src/config/load");
      try { console.log(Object.values(resolveLab(loadConfig(process.argv[1])).images).join(" ")); } catch (e) { console.error(e.message); process.exit(1); }' "$cfg"); do
    docker image inspect "$img" >/dev/null 2>&1 && continue
    say "pulling $img"
    timeout 60 docker pull -q "$img" >/dev/null 2>&1 || { say "cannot pull $img"; missing=1; }
  done
  if ((missing == 0)); then
    echo "$cfg"
    return
  fi
  say "!!! no registry: building offline stand-ins of the official images (tomcat, memcached, nginx from Debian and Maven Central)"
  bash scripts/setup/images.sh >&2 || die "image build failed (see above)"
  local name local_cfg
  name=$(lab_name "$cfg")
  local_cfg=out/$name.local.json
  node scripts/setup/local-config.js "$cfg" "$local_cfg" || die "no offline stand-in matches $cfg (see above)"
  say "!!! deploying $local_cfg (= $cfg with images set to the stand-ins)"
  echo "$local_cfg"
}

setup_terraform() {
  local rc
  rc=$(bash scripts/setup/provider.sh | tail -n 1) || die "provider setup failed (see above)"
  export TF_CLI_CONFIG_FILE=$rc
}

cmd=${1:-}
cfg=${2:-lab.config.json}
case $cmd in
  deps) deps ;;
  up)
    deps
    node bin/msm-kit.js validate --config "$cfg" >&2 || exit 1
    bash scripts/setup/engine.sh >&2 || die "engine: no Docker engine (see above)"
    setup_terraform
    node bin/msm-kit.js jars --config "$cfg" >&2 || exit 1
    deploy=$(deployable_config "$cfg")
    node bin/msm-kit.js up --config "$deploy"
    node bin/msm-kit.js verify --config "$deploy" --requests 6
    say "tear down with: bash scripts/lab.sh down $cfg"
    ;;
  down)
    deps
    setup_terraform
    deploy=$cfg
    name=$(lab_name "$cfg")
    [[ -f out/$name.local.json ]] && deploy=out/$name.local.json
    node bin/msm-kit.js down --config "$deploy"
    ;;
  test)
    deps
    npm test
    npm run test:e2e
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    [[ -z $cmd ]] || exit 2
    ;;
esac
