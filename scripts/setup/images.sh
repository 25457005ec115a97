#!/usr/bin/env bash
# Build offline stand-ins for the official images msm-kit uses (no Docker Hub
# here), from Debian packages and Tomcat's binary distribution on Maven Central.
#
#   msm-kit-local/base:<suite>        mmdebstrap minbase <suite> | docker import (built on demand)
#   msm-kit-local/memcached:1.6       like `memcached`: CMD ["memcached"], USER memcache, :11211
#   msm-kit-local/memcached-sasl:1.6  memcached:1.6 + Cyrus SASL (PLAIN, sasldb); with
#                                     MSM_KIT_SASL_USERNAME/_PASSWORD in its environment
#                                     memcached-sasl-entrypoint.sh writes a sasldb with that
#                                     user at start (run memcached with -S)
#   msm-kit-local/redis:7.0           like `redis:7.0`: Debian bookworm's redis-server 7.0,
#                                     CMD ["redis-server"], USER redis, WORKDIR /data, :6379
#   msm-kit-local/nginx:1.22          like `nginx`: /etc/nginx/nginx.conf (+conf.d), CMD nginx -g 'daemon off;'
#   msm-kit-local/jre:<java>          base:<suite> + the JRE package, linked at /opt/java/openjdk;
#                                     shared by every Tomcat stand-in of that Java version
#   msm-kit-local/tomcat:<tag>        like `tomcat:<v>-jre<java>`: /usr/local/tomcat, CMD catalina.sh run
#   msm-kit-local/prometheus:2.42     like `prom/prometheus:v2.42.0`: Debian bookworm's prometheus,
#                                     ENTRYPOINT /bin/prometheus, USER nobody, /prometheus
#   msm-kit-local/nginx-exporter:0.11 like `nginx/nginx-prometheus-exporter:0.11.0`: Debian's
#                                     prometheus-nginx-exporter, ENTRYPOINT /usr/bin/nginx-prometheus-exporter
#   msm-kit-local/redis-exporter:1.45 like `oliver006/redis_exporter:v1.45.0`: Debian's
#                                     prometheus-redis-exporter, ENTRYPOINT /redis_exporter
#   msm-kit-local/memcached-exporter:0.15
#                                     like `prom/memcached-exporter:v0.15.0`: memcached_exporter
#                                     v0.15.0 built with the host's Go from the module proxy (no
#                                     Debian package), ENTRYPOINT /bin/memcached_exporter
#
# Usage: images.sh [IMAGE...] [TOMCAT OPTIONS]
#   IMAGE = base | memcached | memcached-sasl | redis | nginx | tomcat | prometheus | nginx-exporter |
#   redis-exporter | memcached-exporter, or a full name above (default: all of
#   base, memcached, nginx, tomcat). `tomcat` with no options builds the default
#   msm-kit-local/tomcat:9.0-jre17 (9.0.117, bookworm, openjdk-17-jre-headless).
#   With options, every fact comes from the caller (the TypeScript catalogue);
#   the script only does the mechanics:
#     images.sh tomcat --tag msm-kit-local/tomcat:7.0-jre8 --tomcat-version 7.0.109 \
#       --java 8 --suite sid --jre-package openjdk-8-jre-headless
#   --tag T              image to build
#   --tomcat-version V   exact Tomcat version (org.apache.tomcat:tomcat:V:tar.gz on Maven Central)
#   --java N             Java feature version the JRE package provides (8, 11, 17, 21, ...)
#   --suite S            Debian suite holding the JRE package (its base is built on demand)
#   --jre-package P      Debian package of the JRE
#
# An image that already exists is reused, after checking its labels against what
# was asked (a mismatch fails; `docker rmi` it to rebuild). A built Tomcat image
# is labelled with the versions read inside it (`catalina.sh version`,
# `java -version`, `dpkg-query` of the JRE package); when they differ from what was
# asked, the build fails and no image is tagged.
#
# Images are made with `docker create` + `docker start` (apt-get inside) +
# `docker commit -c ...`, not Dockerfiles: with the vfs storage driver every
# Dockerfile step copies the whole rootfs.
#
# Env: MSM_KIT_CACHE (default ~/.cache/msm-kit): downloads/ (Tomcat tarballs) and logs/
#      MSM_KIT_TOMCAT_VERSION: the Tomcat of plain `tomcat` (default 9.0.117)
#      MSM_KIT_MAVEN_REPO (default https://repo1.maven.org/maven2)
#      MSM_KIT_DEBIAN_MIRROR / MSM_KIT_DEBIAN_SECURITY (default deb.debian.org)
#
# Facts used by the project's catalogue when this was written (checked on Maven
# Central and the Debian mirrors; the script itself takes them as arguments):
#   Tomcat 7.0.109 (last 7.0.x), 8.5.100 (last 8.5.x), 9.0.117
#   Java 8  sid       openjdk-8-jre-headless   (8u504; needs sid's glibc)
#   Java 11 bullseye  openjdk-11-jre-headless
#   Java 17 bookworm  openjdk-17-jre-headless
#   Java 21 trixie    openjdk-21-jre-headless
set -euo pipefail

TAG=images
CACHE="${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}"
DL="$CACHE/downloads"
LOGDIR="$CACHE/logs"
TOMCAT_VERSION="${MSM_KIT_TOMCAT_VERSION:-9.0.117}"
CENTRAL="${MSM_KIT_MAVEN_REPO:-https://repo1.maven.org/maven2}"
MIRROR="${MSM_KIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY="${MSM_KIT_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}"
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

BASE_SUITE=bookworm   # memcached, nginx and the default Tomcat
BASE=msm-kit-local/base:$BASE_SUITE
MEMCACHED=msm-kit-local/memcached:1.6
MEMCACHED_SASL=msm-kit-local/memcached-sasl:1.6
NGINX=msm-kit-local/nginx:1.22
REDIS=msm-kit-local/redis:7.0
TOMCAT=msm-kit-local/tomcat:9.0-jre17
PROMETHEUS=msm-kit-local/prometheus:2.42
NGINX_EXPORTER=msm-kit-local/nginx-exporter:0.11
REDIS_EXPORTER=msm-kit-local/redis-exporter:1.45
MEMCACHED_EXPORTER=msm-kit-local/memcached-exporter:0.15
MEMCACHED_EXPORTER_MODULE=github.com/prometheus/memcached_exporter
MEMCACHED_EXPORTER_VERSION=0.15.0
base_image() { printf 'msm-kit-local/base:%s' "$1"; }
jre_image() { printf 'msm-kit-local/jre:%s' "$1"; }

# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
oneline() { tail -n "${2:-5}" "$1" 2>/dev/null | tr -s '\n\t' '  ' | sed 's/ *$//'; }

# Run a command with its output appended to a log; on failure die with the log's tail.
logged() {
  local what=$1 log=$2; shift 2
  "$@" >>"$log" 2>&1 || die "$what" "$(oneline "$log") (log: $log)"
}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

host_install() { # host_install CMD-TO-CHECK PACKAGE...
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  [[ $EUID -eq 0 ]] || die "install $*" "$cmd is missing and not running as root"
  apt_install "$@"
}

exists() { docker image inspect "$1" >/dev/null 2>&1; }
short() { local n=${1#msm-kit-local/}; printf '%s' "${n//[:\/]/-}"; }

# Build containers still around when the script stops (error, ^C) are removed.
BUILD_CIDS=()
cleanup() {
  local c
  for c in "${BUILD_CIDS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# derive IMAGE SCRIPT [--from IMAGE] [--user USER] [--copy HOSTFILE]... [--change DOCKERFILE-LINE]...
#        [--inspect FUNCTION]
# Runs SCRIPT with bash in a container of the base image ($BASE unless --from),
# HOSTFILEs copied to /tmp first, then commits the container as IMAGE with the
# given changes. FUNCTION, if given, runs after the build with the build log's
# path; it may check the log (die on a mismatch) and add commit changes to
# INSPECT_CHANGES.
INSPECT_CHANGES=()
derive() {
  local image=$1 script=$2 from=$BASE inspect= log cid f user=()
  shift 2
  local copies=() changes=()
  while (($#)); do
    case $1 in
      --from) from=$2; shift 2 ;;
      --user) user=(--user "$2"); shift 2 ;;   # the build script's user (the base image's USER otherwise)
      --copy) copies+=("$2"); shift 2 ;;
      --change) changes+=(-c "$2"); shift 2 ;;
      --inspect) inspect=$2; shift 2 ;;
      *) die "derive $image" "bad argument $1" ;;
    esac
  done
  log="$LOGDIR/$(short "$image").log"
  : >"$log"
  cid=$(docker create --label msm-kit.build="$image" "${user[@]}" "$from" \
          bash -euxo pipefail -c "$script" 2>>"$log") \
    || die "create build container for $image" "$(oneline "$log")"
  BUILD_CIDS+=("$cid")
  for f in "${copies[@]}"; do
    logged "copy $(basename "$f") into build container" "$log" docker cp "$f" "$cid:/tmp/"
  done
  say "  running build steps in container ${cid:0:12} from $from (log: $log)"
  logged "build $image" "$log" docker start -a "$cid"
  INSPECT_CHANGES=()
  if [[ -n $inspect ]]; then
    "$inspect" "$log"
    for f in "${INSPECT_CHANGES[@]}"; do changes+=(-c "$f"); done
  fi
  logged "commit $image" "$log" docker commit "${changes[@]}" "$cid" "$image"
  logged "remove build container for $image" "$log" docker rm "$cid"
}

# Shell snippets shared by the derived images' build scripts.
APT_PREP='export DEBIAN_FRONTEND=noninteractive
apt-get update'
APT_CLEAN='apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /var/cache/debconf/*-old /tmp/*'

# build_base SUITE: msm-kit-local/base:SUITE. sid/unstable get no -updates or
# -security sources, and apt there ignores Valid-Until (the mirror's sid
# InRelease can be past it); the setting stays in the image for later apt-get runs.
build_base() {
  local suite=$1 image log sources=() aptopts=()
  image=$(base_image "$suite")
  log="$LOGDIR/base-$suite.log"
  host_install mmdebstrap mmdebstrap debian-archive-keyring
  [[ -d /usr/share/mmdebstrap/hooks/merged-usr ]] \
    || die "build $image" "/usr/share/mmdebstrap/hooks/merged-usr missing (mmdebstrap too old?)"
  [[ $EUID -eq 0 ]] || die "build $image" "mmdebstrap --mode=root needs root"
  # The merged-usr hooks: setup00 makes /usr merged; essential00 then installs
  # usr-is-merged, a package suites before bookworm do not have (there, setup00 alone
  # gives what debootstrap's default gives).
  local hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
  case $suite in
    buster|bullseye) hooks=(--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh) ;;
  esac
  sources=("deb $MIRROR $suite main")
  case $suite in
    sid|unstable) aptopts=(--aptopt='Acquire::Check-Valid-Until "false"') ;;
    *) sources+=("deb $MIRROR $suite-updates main" "deb $SECURITY $suite-security main") ;;
  esac
  : >"$log"
  say "  mmdebstrap $suite (minbase) | docker import (log: $log)"
  # Like debian:<suite>-slim: no docs/man/locales; a policy-rc.d that stops
  # package scripts from starting services (as in Docker's debian images).
  # mmdebstrap would otherwise put back the original (none) when it is done, and
  # minbase has no services to start meanwhile.
  mmdebstrap --variant=minbase --mode=root --format=tar \
      "${hooks[@]}" \
      --aptopt='APT::Install-Recommends "false"' \
      --aptopt='APT::Install-Suggests "false"' \
      "${aptopts[@]}" \
      --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-include=/usr/share/locale/locale.alias' \
      --skip=chroot/policy-rc.d \
      --customize-hook='printf "#!/bin/sh\nexit 101\n" >"$1/usr/sbin/policy-rc.d"; chmod 755 "$1/usr/sbin/policy-rc.d"' \
      "$suite" - "${sources[@]}" 2>>"$log" \
    | docker import \
        -c 'CMD ["bash"]' \
        -c "ENV PATH=$DEFAULT_PATH" \
        -c "LABEL msm-kit.stand-in=debian:$suite-slim" \
        -c "LABEL msm-kit.suite=$suite" \
        -c "LABEL msm-kit.base.built=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        - "$image" >>"$log" 2>&1 \
    || { docker image rm -f "$image" >/dev/null 2>&1 || true   # docker import tags even an empty stream
         die "build $image" "$(oneline "$log") (log: $log)"; }
}

build_memcached() {
  # Official image: user memcache (uid/gid 11211), an entrypoint that prepends
  # `memcached` when the first argument is an option, CMD ["memcached"].
  # Debian's /etc/memcached.conf (-l 127.0.0.1) is only read by the service
  # wrapper; the bare binary listens on all interfaces.
  derive "$MEMCACHED" "$APT_PREP
groupadd --system --gid 11211 memcache
useradd --system --gid memcache --uid 11211 --home-dir /nonexistent --no-create-home \
  --shell /usr/sbin/nologin memcache
apt-get install -y --no-install-recommends memcached
cat >/usr/local/bin/docker-entrypoint.sh <<'EOF'
#!/bin/sh
set -e
# first arg is \`-f\` or \`--some-option\`: run memcached with those options
if [ \"\${1#-}\" != \"\$1\" ]; then
	set -- memcached \"\$@\"
fi
exec \"\$@\"
EOF
chmod 755 /usr/local/bin/docker-entrypoint.sh
$APT_CLEAN
memcached -V
id memcache" \
    --change 'USER memcache' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["memcached"]' \
    --change 'EXPOSE 11211' \
    --change 'LABEL msm-kit.stand-in=memcached:1.6'
}

# build_memcached_sasl: the memcached stand-in with SASL. Debian's memcached is
# built with SASL (-S) but not --enable-sasl-pwdb, so users live in a Cyrus sasldb
# (sasl2-bin: saslpasswd2; libsasl2-modules: the PLAIN mechanism). No password is
# in the image: memcached-sasl-entrypoint.sh writes the sasldb at container start.
build_memcached_sasl() {
  derive "$MEMCACHED_SASL" "$APT_PREP
apt-get install -y --no-install-recommends sasl2-bin libsasl2-modules
install -m 755 /tmp/memcached-sasl-entrypoint.sh /usr/local/bin/memcached-sasl-entrypoint.sh
$APT_CLEAN
command -v saslpasswd2
ls /usr/lib/x86_64-linux-gnu/sasl2/" \
    --from "$MEMCACHED" --user root \
    --copy "$(dirname "$0")/memcached-sasl-entrypoint.sh" \
    --change 'USER memcache' \
    --change 'ENTRYPOINT ["memcached-sasl-entrypoint.sh"]' \
    --change 'CMD ["memcached", "-S"]' \
    --change 'LABEL msm-kit.stand-in=memcached:1.6'
}

build_redis() {
  # Official image: user redis, /data, an entrypoint that prepends `redis-server` when
  # the first argument is an option. Debian's /etc/redis/redis.conf (bind 127.0.0.1,
  # supervised by systemd) is only read when passed; the lab gives its own command line.
  derive "$REDIS" "$APT_PREP
apt-get install -y --no-install-recommends redis-server
mkdir -p /data && chown redis:redis /data
cat >/usr/local/bin/docker-entrypoint.sh <<'EOF'
#!/bin/sh
set -e
# first arg is \`--some-option\`: run redis-server with those options
if [ \"\${1#-}\" != \"\$1\" ]; then
	set -- redis-server \"\$@\"
fi
exec \"\$@\"
EOF
chmod 755 /usr/local/bin/docker-entrypoint.sh
$APT_CLEAN
redis-server --version
id redis" \
    --change 'USER redis' \
    --change 'WORKDIR /data' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["redis-server"]' \
    --change 'EXPOSE 6379' \
    --change 'LABEL msm-kit.stand-in=redis:7.0'
}

build_nginx() {
  # Debian's nginx (1.22.1, what nginx-light pulls in minus the echo module),
  # laid out like the official image: its nginx.conf (user nginx, conf.d/*.conf,
  # pid /var/run/nginx.pid), conf.d/default.conf serving /usr/share/nginx/html,
  # logs to stdout/stderr.
  derive "$NGINX" "$APT_PREP
apt-get install -y --no-install-recommends nginx
# official image: nginx is uid/gid 101
id=101; getent passwd 101 >/dev/null || getent group 101 >/dev/null && id=
groupadd --system \${id:+--gid \$id} nginx
useradd --system --gid nginx \${id:+--uid \$id} --home-dir /nonexistent --no-create-home \
  --shell /usr/sbin/nologin nginx
rm -f /etc/nginx/sites-enabled/default
mkdir -p /etc/nginx/conf.d /usr/share/nginx/html
cat >/etc/nginx/nginx.conf <<'EOF'

user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '\$remote_addr - \$remote_user [\$time_local] \"\$request\" '
                      '\$status \$body_bytes_sent \"\$http_referer\" '
                      '\"\$http_user_agent\" \"\$http_x_forwarded_for\"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
EOF
cat >/etc/nginx/conf.d/default.conf <<'EOF'
server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
EOF
[ -f /usr/share/nginx/html/index.html ] || echo '<h1>nginx</h1>' >/usr/share/nginx/html/index.html
[ -f /usr/share/nginx/html/50x.html ] || echo '<h1>An error occurred.</h1>' >/usr/share/nginx/html/50x.html
ln -sf /dev/stdout /var/log/nginx/access.log
ln -sf /dev/stderr /var/log/nginx/error.log
$APT_CLEAN
nginx -t
nginx -v" \
    --change 'EXPOSE 80' \
    --change 'CMD ["nginx", "-g", "daemon off;"]' \
    --change 'LABEL msm-kit.stand-in=nginx:1.22'
}

# ---- monitoring -------------------------------------------------------------
# inspect_version: the build printed "MSMKIT version=<v>"; it must start with
# WANT_VERSION (the tag's version), or no image is tagged.
WANT_VERSION= WANT_WHAT=
inspect_version() {
  local log=$1 got
  got=$(sed -n 's/^MSMKIT version=//p' "$log" | tail -n 1)
  [[ -n $got ]] || die "inspect $WANT_WHAT" "no version line in the build log (log: $log)"
  [[ $got == "$WANT_VERSION" || $got == "$WANT_VERSION".* || $got == "$WANT_VERSION"[+~-]* ]] \
    || die "check $WANT_WHAT version" "the tag says $WANT_VERSION, but the binary inside reports $got. Fix: update the kit's catalogue (src/config/images.ts) and this script together"
  say "  $WANT_WHAT --version: $got"
  INSPECT_CHANGES=("LABEL msm-kit.version=$got")
}

# debian_exporter IMAGE PACKAGE BINARY ENTRYPOINT-PATH VERSION STAND-IN-FOR: a Debian
# package's binary linked where the official image keeps it, run as nobody.
debian_exporter() {
  local image=$1 pkg=$2 bin=$3 entry=$4
  WANT_VERSION=$5 WANT_WHAT=$pkg
  derive "$image" "$APT_PREP
apt-get install -y --no-install-recommends $pkg
[ -e $entry ] || ln -s /usr/bin/$bin $entry
$APT_CLEAN
echo \"MSMKIT version=\$(dpkg-query -W -f '\${Version}' $pkg)\"" \
    --inspect inspect_version \
    --change 'USER nobody' \
    --change "ENTRYPOINT [\"$entry\"]" \
    --change 'CMD []' \
    --change "LABEL msm-kit.stand-in=$6"
}

build_prometheus() {
  # Official image: /bin/prometheus as ENTRYPOINT with the config at
  # /etc/prometheus/prometheus.yml and the data in /prometheus, user nobody.
  WANT_VERSION=2.42 WANT_WHAT=prometheus
  derive "$PROMETHEUS" "$APT_PREP
apt-get install -y --no-install-recommends prometheus
[ -e /bin/prometheus ] || ln -s /usr/bin/prometheus /bin/prometheus
mkdir -p /prometheus && chown nobody:nogroup /prometheus
$APT_CLEAN
echo \"MSMKIT version=\$(dpkg-query -W -f '\${Version}' prometheus)\"" \
    --inspect inspect_version \
    --change 'USER nobody' \
    --change 'WORKDIR /prometheus' \
    --change 'EXPOSE 9090' \
    --change 'ENTRYPOINT ["/bin/prometheus"]' \
    --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
    --change 'LABEL msm-kit.stand-in=prom/prometheus:v2.42.0'
}

build_memcached_exporter() {
  # Not packaged by Debian: built here, statically, from the Go module proxy (cached).
  local bin="$DL/memcached_exporter-$MEMCACHED_EXPORTER_VERSION"
  if [[ ! -x $bin ]]; then
    command -v go >/dev/null 2>&1 || die "build memcached_exporter" "no Go toolchain on this machine. Fix: install Go (golang-go), or set monitoring.enabled to false"
    say "  go install $MEMCACHED_EXPORTER_MODULE/cmd/memcached_exporter@v$MEMCACHED_EXPORTER_VERSION"
    local gobin; gobin=$(mktemp -d)
    logged "go install memcached_exporter" "$LOGDIR/memcached-exporter-go.log" \
      env CGO_ENABLED=0 GOBIN="$gobin" GOFLAGS=-trimpath go install \
        -ldflags="-s -w -X github.com/prometheus/common/version.Version=$MEMCACHED_EXPORTER_VERSION" \
        "$MEMCACHED_EXPORTER_MODULE/cmd/memcached_exporter@v$MEMCACHED_EXPORTER_VERSION"
    mkdir -p "$DL" && mv "$gobin/memcached_exporter" "$bin" && rmdir "$gobin"
  fi
  cp "$bin" "$LOGDIR/memcached_exporter"
  WANT_VERSION=$MEMCACHED_EXPORTER_VERSION WANT_WHAT=memcached_exporter
  derive "$MEMCACHED_EXPORTER" "install -m 755 /tmp/memcached_exporter /bin/memcached_exporter
rm -f /tmp/memcached_exporter
echo \"MSMKIT version=\$(/bin/memcached_exporter --version 2>&1 | sed -n 's/^memcached_exporter, version \([^ ]*\).*/\1/p')\"" \
    --copy "$LOGDIR/memcached_exporter" \
    --inspect inspect_version \
    --change 'USER nobody' \
    --change 'EXPOSE 9150' \
    --change 'ENTRYPOINT ["/bin/memcached_exporter"]' \
    --change 'CMD []' \
    --change 'LABEL msm-kit.stand-in=prom/memcached-exporter:v0.15.0'
  rm -f "$LOGDIR/memcached_exporter"
}

# fetch_tomcat VERSION: the verified download of Tomcat's tarball (fetch-tomcat.sh,
# shared with e2e-bundle.sh). Sets TOMCAT_TARBALL.
# shellcheck source=fetch-tomcat.sh
source "$(dirname "$0")/fetch-tomcat.sh"

# build_jre IMAGE SUITE JAVA PACKAGE: base:SUITE + PACKAGE, linked at
# /opt/java/openjdk; fails unless `java -version` reports JAVA.
JRE_SUITE= JRE_JAVA= JRE_PACKAGE=
inspect_jre() {
  local log=$1 got pkgver
  got=$(sed -n 's/^MSMKIT java-version=//p' "$log" | tail -n 1)
  pkgver=$(sed -n 's/^MSMKIT package-version=//p' "$log" | tail -n 1)
  [[ -n $got && -n $pkgver ]] || die "inspect $JRE_PACKAGE" "no version lines in the build log (log: $log)"
  [[ $(java_major "$got") == "$JRE_JAVA" ]] \
    || die "check Java version" "asked for Java $JRE_JAVA, but $JRE_PACKAGE from $JRE_SUITE is $got. Fix: pass the --jre-package/--suite that provide Java $JRE_JAVA"
  say "  java -version: $got; $JRE_PACKAGE $pkgver from $JRE_SUITE"
  INSPECT_CHANGES=(
    "LABEL msm-kit.java.version=$got"
    "LABEL msm-kit.java.major=$JRE_JAVA"
    "LABEL msm-kit.jre.package=$JRE_PACKAGE"
    "LABEL msm-kit.jre.package-version=$pkgver"
    "LABEL msm-kit.suite=$JRE_SUITE"
  )
}

# "1.8.0_504" -> 8, "17.0.13" -> 17, "21" -> 21
java_major() {
  local v=$1
  [[ $v == 1.* ]] && v=${v#1.}
  printf '%s' "${v%%[.+_-]*}"
}

build_jre() {
  local image=$1
  JRE_SUITE=$2 JRE_JAVA=$3 JRE_PACKAGE=$4
  # The official images keep the JDK at /opt/java/openjdk; Debian's JRE is
  # linked there (for Java 8 that is .../jre).
  derive "$image" "$APT_PREP
mkdir -p /usr/share/man/man1
apt-get install -y --no-install-recommends $JRE_PACKAGE
jvm=\$(dirname \"\$(dirname \"\$(readlink -f \"\$(command -v java)\")\")\")
mkdir -p /opt/java
ln -sfn \"\$jvm\" /opt/java/openjdk
$APT_CLEAN
/opt/java/openjdk/bin/java -version 2>&1 | tee /tmp/java-version
echo \"MSMKIT java-version=\$(sed -n '1s/^[^\"]*\"\\([^\"]*\\)\".*/\\1/p' /tmp/java-version)\"
echo \"MSMKIT package-version=\$(dpkg-query -W -f '\${Version}' $JRE_PACKAGE)\"
rm -f /tmp/java-version" \
    --from "$(base_image "$JRE_SUITE")" \
    --inspect inspect_jre \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change "ENV PATH=/opt/java/openjdk/bin:$DEFAULT_PATH" \
    --change "LABEL msm-kit.stand-in=debian:$JRE_SUITE+$JRE_PACKAGE"
}

# build_tomcat IMAGE TOMCAT-VERSION JAVA: Tomcat's tarball unpacked at
# /usr/local/tomcat on jre:JAVA; fails unless catalina.sh and java report them.
T_VERSION= T_JAVA=
inspect_tomcat() {
  local log=$1 tv jv
  tv=$(sed -n 's/^MSMKIT tomcat-version=//p' "$log" | tail -n 1)
  jv=$(sed -n 's/^MSMKIT java-version=//p' "$log" | tail -n 1)
  [[ -n $tv && -n $jv ]] || die "inspect Tomcat $T_VERSION" "no version lines in the build log (log: $log)"
  # catalina.sh version prints "Server number:  7.0.109.0"
  [[ $tv == "$T_VERSION" || $tv == "$T_VERSION".0 ]] \
    || die "check Tomcat version" "asked for Tomcat $T_VERSION, but catalina.sh version reports $tv. Fix: check the tarball in $DL"
  [[ $(java_major "$jv") == "$T_JAVA" ]] \
    || die "check Java version" "asked for Java $T_JAVA, but java -version in the Tomcat image reports $jv. Fix: docker rmi $(jre_image "$T_JAVA") and build again"
  say "  catalina.sh version: $tv; java -version: $jv"
  INSPECT_CHANGES=(
    "LABEL msm-kit.tomcat.version=$T_VERSION"
    "LABEL msm-kit.tomcat.server-number=$tv"
    "LABEL msm-kit.java.version=$jv"
    "LABEL msm-kit.java.major=$T_JAVA"
  )
}

build_tomcat() {
  local image=$1 tarball major minor
  T_VERSION=$2 T_JAVA=$3
  major=${T_VERSION%%.*}
  minor=${T_VERSION#*.}; minor=${minor%%.*}
  host_install curl curl ca-certificates
  fetch_tomcat "$T_VERSION"
  tarball=$TOMCAT_TARBALL
  # Like the official image: Tomcat at /usr/local/tomcat with an empty webapps/.
  derive "$image" "mkdir -p /usr/local/tomcat
tar -xzf /tmp/$(basename "$tarball") -C /usr/local/tomcat --strip-components=1 --no-same-owner
rm -f /tmp/$(basename "$tarball")
cd /usr/local/tomcat
rm -rf webapps bin/*.bat
mkdir -p webapps logs temp work
chmod -R +rX .
chmod 1777 logs temp work
export JAVA_HOME=/opt/java/openjdk
bin/catalina.sh version | tee /tmp/catalina-version
echo \"MSMKIT tomcat-version=\$(sed -n 's/^Server number: *//p' /tmp/catalina-version)\"
\$JAVA_HOME/bin/java -version 2>&1 | tee /tmp/java-version
echo \"MSMKIT java-version=\$(sed -n '1s/^[^\"]*\"\\([^\"]*\\)\".*/\\1/p' /tmp/java-version)\"
rm -f /tmp/catalina-version /tmp/java-version" \
    --from "$(jre_image "$T_JAVA")" \
    --copy "$tarball" \
    --inspect inspect_tomcat \
    --change 'ENV CATALINA_HOME=/usr/local/tomcat' \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change "ENV PATH=/usr/local/tomcat/bin:/opt/java/openjdk/bin:$DEFAULT_PATH" \
    --change "ENV TOMCAT_MAJOR=$major" \
    --change "ENV TOMCAT_VERSION=$T_VERSION" \
    --change 'WORKDIR /usr/local/tomcat' \
    --change 'EXPOSE 8080' \
    --change 'CMD ["catalina.sh", "run"]' \
    --change "LABEL msm-kit.stand-in=tomcat:$major.$minor-jre$T_JAVA"
}

# label IMAGE KEY: the image's label value (empty when unset)
label() { docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null; }

# check_labels IMAGE KEY=VALUE...: an existing image must carry what was asked.
check_labels() {
  local image=$1 kv got; shift
  for kv in "$@"; do
    got=$(label "$image" "${kv%%=*}")
    [[ $got == "${kv#*=}" ]] \
      || die "reuse $image" "it has ${kv%%=*}='$got', asked for '${kv#*=}'. Fix: docker rmi $image, then build again"
  done
}

# ensure IMAGE BUILDER [ARG...]: build IMAGE unless it exists, timing the build.
BUILT=0
ensure() {
  local image=$1 t0 size; shift
  if exists "$image"; then
    say "$image exists; skipping"
    return 0
  fi
  say "building $image"
  t0=$EPOCHREALTIME
  "$@"
  size=$(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')
  say "built $image in $(elapsed "$t0") ($size)"
  BUILT=$((BUILT + 1))
}

# ---- arguments --------------------------------------------------------------
want=()
opt_tag= opt_tv= opt_java= opt_suite= opt_pkg=
while (($#)); do
  arg=$1
  case $arg in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --tag|--tomcat-version|--java|--suite|--jre-package)
      (($# >= 2)) && [[ -n $2 && $2 != --* ]] || die "parse arguments" "$arg needs a value. Fix: e.g. $arg ... (see --help)"
      case $arg in
        --tag) opt_tag=$2 ;;
        --tomcat-version) opt_tv=$2 ;;
        --java) opt_java=$2 ;;
        --suite) opt_suite=$2 ;;
        --jre-package) opt_pkg=$2 ;;
      esac
      shift 2; continue ;;
    base|"$BASE") want+=(base) ;;
    msm-kit-local/base:*) want+=("base:${arg#msm-kit-local/base:}") ;;
    memcached|"$MEMCACHED") want+=(memcached) ;;
    memcached-sasl|"$MEMCACHED_SASL") want+=(memcached-sasl) ;;
    redis|"$REDIS") want+=(redis) ;;
    nginx|"$NGINX") want+=(nginx) ;;
    tomcat|"$TOMCAT") want+=(tomcat) ;;
    prometheus|"$PROMETHEUS") want+=(prometheus) ;;
    nginx-exporter|"$NGINX_EXPORTER") want+=(nginx-exporter) ;;
    redis-exporter|"$REDIS_EXPORTER") want+=(redis-exporter) ;;
    memcached-exporter|"$MEMCACHED_EXPORTER") want+=(memcached-exporter) ;;
    *) die "parse arguments" "unknown image '$arg' Fix: use base, memcached, memcached-sasl, redis, nginx, tomcat, prometheus, nginx-exporter, redis-exporter, memcached-exporter, $BASE, $MEMCACHED, $MEMCACHED_SASL, $REDIS, $NGINX, $TOMCAT or msm-kit-local/base:<suite> (see --help)" ;;
  esac
  shift
done
((${#want[@]})) || want=(base memcached nginx tomcat)

if [[ -n $opt_tag$opt_tv$opt_java$opt_suite$opt_pkg ]]; then
  [[ " ${want[*]} " == *" tomcat "* ]] || die "parse arguments" "Tomcat options given without 'tomcat'. Fix: images.sh tomcat --tag ... (see --help)"
  for o in tag:"$opt_tag" tomcat-version:"$opt_tv" java:"$opt_java" suite:"$opt_suite" jre-package:"$opt_pkg"; do
    [[ -n ${o#*:} ]] || die "parse arguments" "--${o%%:*} missing: with Tomcat options, all of --tag --tomcat-version --java --suite --jre-package are needed. Fix: pass --${o%%:*} (see --help)"
  done
  T_TAG=$opt_tag T_TV=$opt_tv T_JV=$opt_java T_SUITE=$opt_suite T_PKG=$opt_pkg
else
  # The historical default (lab.sh's stand-in for tomcat:9.0-jre17).
  T_TAG=$TOMCAT T_TV=$TOMCAT_VERSION T_JV=17 T_SUITE=bookworm T_PKG=openjdk-17-jre-headless
fi
[[ $T_TV =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "check Tomcat version" "'$T_TV' is not an exact version. Fix: e.g. --tomcat-version 9.0.117"
[[ $T_JV =~ ^[0-9]+$ ]] || die "check Java version" "'$T_JV' is not a Java feature version. Fix: e.g. --java 17"
[[ $T_SUITE =~ ^[a-z]+$ ]] || die "check suite" "'$T_SUITE' is not a Debian suite name. Fix: e.g. --suite bookworm"
[[ $T_PKG =~ ^[a-z0-9][a-z0-9+.-]+$ ]] || die "check JRE package" "'$T_PKG' is not a Debian package name. Fix: e.g. --jre-package openjdk-17-jre-headless"
[[ $T_TAG =~ ^[a-z0-9./_-]+:[A-Za-z0-9._-]+$ ]] || die "check tag" "'$T_TAG' is not an image name with a tag. Fix: e.g. --tag msm-kit-local/tomcat:9.0-jre17"

# ---- main -------------------------------------------------------------------
command -v docker >/dev/null 2>&1 || die "find docker" "no docker client (run scripts/setup/engine.sh)"
err=$(docker info 2>&1 >/dev/null) || die "reach docker engine" "$(printf '%s' "$err" | tail -n 1) (run scripts/setup/engine.sh)"
mkdir -p "$LOGDIR" || die "create $LOGDIR" "mkdir failed"

t_all=$EPOCHREALTIME
for w in "${want[@]}"; do
  case $w in
    base) ensure "$BASE" build_base "$BASE_SUITE" ;;
    base:*) ensure "$(base_image "${w#base:}")" build_base "${w#base:}" ;;
    memcached) ensure "$BASE" build_base "$BASE_SUITE"; ensure "$MEMCACHED" build_memcached ;;
    memcached-sasl) ensure "$BASE" build_base "$BASE_SUITE"; ensure "$MEMCACHED" build_memcached; ensure "$MEMCACHED_SASL" build_memcached_sasl ;;
    redis) ensure "$BASE" build_base "$BASE_SUITE"; ensure "$REDIS" build_redis ;;
    nginx) ensure "$BASE" build_base "$BASE_SUITE"; ensure "$NGINX" build_nginx ;;
    prometheus) ensure "$BASE" build_base "$BASE_SUITE"; ensure "$PROMETHEUS" build_prometheus ;;
    nginx-exporter) ensure "$BASE" build_base "$BASE_SUITE"
      ensure "$NGINX_EXPORTER" debian_exporter "$NGINX_EXPORTER" prometheus-nginx-exporter prometheus-nginx-exporter /usr/bin/nginx-prometheus-exporter 0.11 nginx/nginx-prometheus-exporter:0.11.0 ;;
    redis-exporter) ensure "$BASE" build_base "$BASE_SUITE"
      ensure "$REDIS_EXPORTER" debian_exporter "$REDIS_EXPORTER" prometheus-redis-exporter prometheus-redis-exporter /redis_exporter 1.45 oliver006/redis_exporter:v1.45.0 ;;
    memcached-exporter) ensure "$BASE" build_base "$BASE_SUITE"; ensure "$MEMCACHED_EXPORTER" build_memcached_exporter ;;
    tomcat)
      if [[ -z $opt_tag ]] && exists "$T_TAG"; then
        say "$T_TAG exists; skipping"   # as before: images of older versions of this script carry no labels
        continue
      fi
      if exists "$T_TAG"; then
        check_labels "$T_TAG" "msm-kit.tomcat.version=$T_TV" "msm-kit.java.major=$T_JV"
        say "$T_TAG exists (Tomcat $(label "$T_TAG" msm-kit.tomcat.version), Java $(label "$T_TAG" msm-kit.java.version)); skipping"
        continue
      fi
      jre=$(jre_image "$T_JV")
      if exists "$jre"; then
        check_labels "$jre" "msm-kit.suite=$T_SUITE" "msm-kit.jre.package=$T_PKG" "msm-kit.java.major=$T_JV"
      else
        ensure "$(base_image "$T_SUITE")" build_base "$T_SUITE"
      fi
      ensure "$jre" build_jre "$jre" "$T_SUITE" "$T_JV" "$T_PKG"
      ensure "$T_TAG" build_tomcat "$T_TAG" "$T_TV" "$T_JV"
      ;;
  esac
done
say "done: $BUILT built, total $(elapsed "$t_all")"
