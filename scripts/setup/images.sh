#!/usr/bin/env bash
# Build offline stand-ins for the official images msm-kit uses (no Docker Hub
# here), from Debian packages and Tomcat's binary distribution on Maven Central.
#
#   msm-kit-local/base:bookworm       mmdebstrap minbase | docker import
#   msm-kit-local/memcached:1.6       like `memcached`: CMD ["memcached"], USER memcache, :11211
#   msm-kit-local/nginx:1.22          like `nginx`: /etc/nginx/nginx.conf (+conf.d), CMD nginx -g 'daemon off;'
#   msm-kit-local/tomcat:9.0-jre17    like `tomcat:9.0-jre17`: /usr/local/tomcat, CMD catalina.sh run
#
# Usage: images.sh [IMAGE...]   IMAGE = full name above or base|memcached|nginx|tomcat
#   (default: all). An image that already exists locally is skipped; the base is
#   built first when a requested image needs it and it is missing. To rebuild,
#   `docker rmi` the image first.
#
# Images are made with `docker create` + `docker start` (apt-get inside) +
# `docker commit -c ...`, not Dockerfiles: with the vfs storage driver every
# Dockerfile step copies the whole rootfs.
#
# Env: MSM_KIT_CACHE (default ~/.cache/msm-kit): downloads/ (Tomcat tarball) and logs/
#      MSM_KIT_TOMCAT_VERSION (default below): a 9.0.x present on Maven Central
#      MSM_KIT_MAVEN_CENTRAL (default https://repo1.maven.org/maven2)
#      MSM_KIT_DEBIAN_MIRROR / MSM_KIT_DEBIAN_SECURITY (default deb.debian.org)
set -euo pipefail

TAG=images
CACHE="${MSM_KIT_CACHE:-$HOME/.cache/msm-kit}"
DL="$CACHE/downloads"
LOGDIR="$CACHE/logs"
TOMCAT_VERSION="${MSM_KIT_TOMCAT_VERSION:-9.0.117}"
CENTRAL="${MSM_KIT_MAVEN_CENTRAL:-https://repo1.maven.org/maven2}"
SUITE=bookworm
MIRROR="${MSM_KIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY="${MSM_KIT_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}"
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

BASE=msm-kit-local/base:bookworm
MEMCACHED=msm-kit-local/memcached:1.6
NGINX=msm-kit-local/nginx:1.22
TOMCAT=msm-kit-local/tomcat:9.0-jre17
ALL=("$BASE" "$MEMCACHED" "$NGINX" "$TOMCAT")

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
short() { local n=${1#msm-kit-local/}; printf '%s' "${n%%:*}"; }

# Build containers still around when the script stops (error, ^C) are removed.
BUILD_CIDS=()
cleanup() {
  local c
  for c in "${BUILD_CIDS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# derive IMAGE SCRIPT [--copy HOSTFILE]... [--change DOCKERFILE-LINE]...
# Runs SCRIPT with bash in a container of the base image (HOSTFILEs copied to
# /tmp first), then commits the container as IMAGE with the given changes.
derive() {
  local image=$1 script=$2 log cid f
  shift 2
  local copies=() changes=()
  while (($#)); do
    case $1 in
      --copy) copies+=("$2"); shift 2 ;;
      --change) changes+=(-c "$2"); shift 2 ;;
      *) die "derive $image" "bad argument $1" ;;
    esac
  done
  log="$LOGDIR/$(short "$image").log"
  : >"$log"
  cid=$(docker create --label msm-kit.build="$image" "$BASE" \
          bash -euxo pipefail -c "$script" 2>>"$log") \
    || die "create build container for $image" "$(oneline "$log")"
  BUILD_CIDS+=("$cid")
  for f in "${copies[@]}"; do
    logged "copy $(basename "$f") into build container" "$log" docker cp "$f" "$cid:/tmp/"
  done
  say "  running build steps in container ${cid:0:12} (log: $log)"
  logged "build $image" "$log" docker start -a "$cid"
  logged "commit $image" "$log" docker commit "${changes[@]}" "$cid" "$image"
  logged "remove build container for $image" "$log" docker rm "$cid"
}

# Shell snippets shared by the derived images' build scripts.
APT_PREP='export DEBIAN_FRONTEND=noninteractive
apt-get update'
APT_CLEAN='apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /var/cache/debconf/*-old /tmp/*'

build_base() {
  local log="$LOGDIR/base.log"
  host_install mmdebstrap mmdebstrap debian-archive-keyring
  [[ -d /usr/share/mmdebstrap/hooks/merged-usr ]] \
    || die "build $BASE" "/usr/share/mmdebstrap/hooks/merged-usr missing (mmdebstrap too old?)"
  [[ $EUID -eq 0 ]] || die "build $BASE" "mmdebstrap --mode=root needs root"
  : >"$log"
  say "  mmdebstrap $SUITE (minbase) | docker import (log: $log)"
  # Like debian:bookworm-slim: no docs/man/locales; a policy-rc.d that stops
  # package scripts from starting services (as in Docker's debian images).
  # mmdebstrap would otherwise put back the original (none) when it is done, and
  # minbase has no services to start meanwhile.
  mmdebstrap --variant=minbase --mode=root --format=tar \
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
      --aptopt='APT::Install-Recommends "false"' \
      --aptopt='APT::Install-Suggests "false"' \
      --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-include=/usr/share/locale/locale.alias' \
      --skip=chroot/policy-rc.d \
      --customize-hook='printf "#!/bin/sh\nexit 101\n" >"$1/usr/sbin/policy-rc.d"; chmod 755 "$1/usr/sbin/policy-rc.d"' \
      "$SUITE" - \
      "deb $MIRROR $SUITE main" \
      "deb $MIRROR $SUITE-updates main" \
      "deb $SECURITY $SUITE-security main" 2>>"$log" \
    | docker import \
        -c 'CMD ["bash"]' \
        -c "ENV PATH=$DEFAULT_PATH" \
        -c "LABEL msm-kit.stand-in=debian:$SUITE-slim" \
        - "$BASE" >>"$log" 2>&1 \
    || die "build $BASE" "$(oneline "$log") (log: $log)"
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

# Download Tomcat's tarball from Maven Central into $DL, verified against the
# .sha512 (or .sha1) published next to it; reuse a cached copy that still matches.
# Sets TOMCAT_TARBALL.
TOMCAT_TARBALL=
fetch_tomcat() {
  local v=$TOMCAT_VERSION
  local name="tomcat-$v.tar.gz"
  local url="$CENTRAL/org/apache/tomcat/tomcat/$v/$name"
  local file="$DL/$name" algo sum want got
  mkdir -p "$DL" || die "create $DL" "mkdir failed"

  for algo in sha512 sha1; do
    if [[ -s $file && -s $file.$algo ]]; then
      want=$(awk '{ print tolower($1); exit }' "$file.$algo")
      got=$("${algo}sum" "$file" | awk '{ print $1 }')
      if [[ $want == "$got" ]]; then
        say "  reusing $file ($algo ok)"
        TOMCAT_TARBALL=$file
        return 0
      fi
      say "  cached $file fails its $algo check; downloading again"
      rm -f "$file" "$file.$algo"
    fi
  done

  host_install curl curl ca-certificates
  for algo in sha512 sha1; do
    if curl -fsSL --retry 3 -o "$file.$algo.part" "$url.$algo" 2>/dev/null; then
      break
    fi
    rm -f "$file.$algo.part"
  done
  [[ -s $file.$algo.part ]] \
    || die "download $url.sha512" "no .sha512 or .sha1 on Maven Central (is $v a published 9.0.x?)"
  want=$(awk '{ print tolower($1); exit }' "$file.$algo.part")
  [[ $want =~ ^[0-9a-f]{40,128}$ ]] || die "read $url.$algo" "unexpected content: $want"

  say "  downloading $url"
  run "download $url" curl -fsSL --retry 3 -o "$file.part" "$url"
  got=$("${algo}sum" "$file.part" | awk '{ print $1 }')
  [[ $want == "$got" ]] || die "verify $name" "$algo mismatch: expected $want, got $got"
  mv "$file.$algo.part" "$file.$algo"
  mv "$file.part" "$file"
  say "  $name $algo ok"
  TOMCAT_TARBALL=$file
}

build_tomcat() {
  local tarball
  fetch_tomcat
  tarball=$TOMCAT_TARBALL
  # Like the official image: JRE (official: Temurin at /opt/java/openjdk; here
  # Debian's, symlinked there), Tomcat at /usr/local/tomcat with an empty webapps/.
  derive "$TOMCAT" "$APT_PREP
mkdir -p /usr/share/man/man1
apt-get install -y --no-install-recommends openjdk-17-jre-headless
jvm=\$(dirname \"\$(dirname \"\$(readlink -f \"\$(command -v java)\")\")\")
mkdir -p /opt/java
ln -sfn \"\$jvm\" /opt/java/openjdk
mkdir -p /usr/local/tomcat
tar -xzf /tmp/$(basename "$tarball") -C /usr/local/tomcat --strip-components=1 --no-same-owner
cd /usr/local/tomcat
rm -rf webapps bin/*.bat
mkdir -p webapps logs temp work
chmod -R +rX .
chmod 1777 logs temp work
$APT_CLEAN
export JAVA_HOME=/opt/java/openjdk
bin/catalina.sh version" \
    --copy "$tarball" \
    --change 'ENV CATALINA_HOME=/usr/local/tomcat' \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change "ENV PATH=/usr/local/tomcat/bin:/opt/java/openjdk/bin:$DEFAULT_PATH" \
    --change 'ENV TOMCAT_MAJOR=9' \
    --change "ENV TOMCAT_VERSION=$TOMCAT_VERSION" \
    --change 'WORKDIR /usr/local/tomcat' \
    --change 'EXPOSE 8080' \
    --change 'CMD ["catalina.sh", "run"]' \
    --change 'LABEL msm-kit.stand-in=tomcat:9.0-jre17'
}

# ---- arguments --------------------------------------------------------------
want=()
for arg in "$@"; do
  case $arg in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    base|"$BASE") want+=("$BASE") ;;
    memcached|"$MEMCACHED") want+=("$MEMCACHED") ;;
    nginx|"$NGINX") want+=("$NGINX") ;;
    tomcat|"$TOMCAT") want+=("$TOMCAT") ;;
    *) die "parse arguments" "unknown image '$arg' (known: ${ALL[*]} or base, memcached, nginx, tomcat)" ;;
  esac
done
((${#want[@]})) || want=("${ALL[@]}")
[[ $TOMCAT_VERSION =~ ^9\.0\.[0-9]+$ ]] || die "check MSM_KIT_TOMCAT_VERSION" "'$TOMCAT_VERSION' is not 9.0.x"

# ---- main -------------------------------------------------------------------
command -v docker >/dev/null 2>&1 || die "find docker" "no docker client (run scripts/setup/engine.sh)"
err=$(docker info 2>&1 >/dev/null) || die "reach docker engine" "$(printf '%s' "$err" | tail -n 1) (run scripts/setup/engine.sh)"
mkdir -p "$LOGDIR" || die "create $LOGDIR" "mkdir failed"

t_all=$EPOCHREALTIME
built=0
for image in "${ALL[@]}"; do
  requested=
  for w in "${want[@]}"; do [[ $w == "$image" ]] && requested=1; done
  if [[ -z $requested ]]; then
    # The base is built when a requested image needs it and it is missing.
    [[ $image == "$BASE" ]] || continue
    needs_base=
    for w in "${want[@]}"; do exists "$w" || needs_base=1; done
    [[ -n $needs_base ]] || continue
  fi
  if exists "$image"; then
    say "$image exists; skipping"
    continue
  fi
  say "building $image"
  t0=$EPOCHREALTIME
  case $image in
    "$BASE") build_base ;;
    "$MEMCACHED") build_memcached ;;
    "$NGINX") build_nginx ;;
    "$TOMCAT") build_tomcat ;;
  esac
  size=$(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')
  say "built $image in $(elapsed "$t0") ($size)"
  built=$((built + 1))
done
say "done: $built built, total $(elapsed "$t_all")"
