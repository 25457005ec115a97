# Download Tomcat's binary distribution from Maven Central into $DL, verified
# against the .sha512 (or .sha1) published next to it; reuse a cached copy that
# still matches. Sourced by images.sh and e2e-bundle.sh.
# Needs: say, die, run (common.sh), curl; DL and CENTRAL set by the caller.
# Sets TOMCAT_TARBALL.
# shellcheck shell=bash
TOMCAT_TARBALL=
fetch_tomcat() {
  local v=$1
  local name="tomcat-$v.tar.gz"
  local url="$CENTRAL/org/apache/tomcat/tomcat/$v/$name"
  local file="$DL/$name" algo want got
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

  command -v curl >/dev/null || die "download $url" "curl is not installed (apt-get install curl ca-certificates)"
  for algo in sha512 sha1; do
    if curl -fsSL --retry 3 -o "$file.$algo.part" "$url.$algo" 2>/dev/null; then
      break
    fi
    rm -f "$file.$algo.part"
  done
  [[ -s $file.$algo.part ]] \
    || die "download $url.sha512" "no .sha512 or .sha1 on Maven Central (is $v a published Tomcat version?)"
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
