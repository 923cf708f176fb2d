# shellcheck shell=bash
# The real tools e2e/version_order_test.go compares slimship's version
# order with, one per ecosystem, each run once per batch of pairs:
#
#   Debian   dpkg's own parseversion and dpkg_version_compare (libdpkg, from
#            libdpkg-dev), linked into e2e/testdata/verorder/dpkg-vercmp.c
#            and built into $SLIMSHIP_E2E_CACHE; the dpkg binary itself for
#            a spot check of that helper
#   PyPI     Debian's python3-packaging, under Debian's /usr/bin/python3
#            (a pyenv python3 may come first on PATH, without it)
#   Red Hat  rpm's comparison, python3-rpm's rpm.ver (rpmverCmp)
#   npm      the registry's semver package, installed under $SLIMSHIP_E2E_CACHE
#   Maven    ComparableVersion from Debian's maven (its maven-artifact jar),
#            run by a JDK's java in source-file mode
#
# Exports SLIMSHIP_E2E_DPKG, SLIMSHIP_E2E_DPKG_VERCMP,
# SLIMSHIP_E2E_PY_PACKAGING, SLIMSHIP_E2E_PY_RPM, SLIMSHIP_E2E_NPM_SEMVER
# (the package's directory; node from PATH) and SLIMSHIP_E2E_MAVEN_JAR
# (java from PATH).

VERPEERS_SEMVER=${VERPEERS_SEMVER:-7.8.6}

verpeers_log() { echo "verpeers: $*" >&2; }

verpeers_setup() {
  local py=/usr/bin/python3 src=e2e/testdata/verorder
  local debs=(python3 python3-packaging python3-rpm libdpkg-dev gcc pkg-config maven)
  command -v javac >/dev/null || debs+=(openjdk-17-jdk-headless)
  command -v node >/dev/null || debs+=(nodejs)
  command -v npm >/dev/null || debs+=(npm)
  e2e_apt_install "${debs[@]}" || verpeers_log "apt-get install ${debs[*]} failed"

  # Debian: the libdpkg helper, rebuilt when its source or libdpkg changes.
  if command -v dpkg >/dev/null; then
    export SLIMSHIP_E2E_DPKG
    SLIMSHIP_E2E_DPKG=$(command -v dpkg)
  else
    e2e_missing dpkg "no dpkg binary"
  fi
  local key bin
  key=$( { cat "$src/dpkg-vercmp.c"; dpkg-query -W -f='${Version}' libdpkg-dev 2>/dev/null; } | sha256sum | cut -c1-12)
  bin=$SLIMSHIP_E2E_CACHE/verpeers/dpkg-vercmp-$key
  if [ ! -x "$bin" ]; then
    mkdir -p "$SLIMSHIP_E2E_CACHE/verpeers"
    # shellcheck disable=SC2046
    if ! cc -O2 -o "$bin.tmp" "$src/dpkg-vercmp.c" $(pkg-config --cflags --libs --static libdpkg 2>/dev/null) 2>&1 >&2; then
      rm -f "$bin.tmp"
    else
      mv "$bin.tmp" "$bin"
    fi
  fi
  if [ -x "$bin" ]; then
    export SLIMSHIP_E2E_DPKG_VERCMP=$bin
  else
    e2e_missing dpkg-vercmp "cannot build $src/dpkg-vercmp.c against libdpkg (libdpkg-dev)"
  fi

  if "$py" -c 'import packaging.version' 2>/dev/null; then
    export SLIMSHIP_E2E_PY_PACKAGING=$py
  else
    e2e_missing python3-packaging "$py cannot import packaging"
  fi
  if "$py" -c 'import rpm; rpm.ver' 2>/dev/null; then
    export SLIMSHIP_E2E_PY_RPM=$py
  else
    e2e_missing python3-rpm "$py cannot import rpm (or it has no rpm.ver)"
  fi

  local sv=$SLIMSHIP_E2E_CACHE/semver-$VERPEERS_SEMVER
  if [ ! -f "$sv/node_modules/semver/package.json" ]; then
    npm install --prefix "$sv.tmp" --no-audit --no-fund --no-save "semver@$VERPEERS_SEMVER" >&2 &&
      rm -rf "$sv" && mv "$sv.tmp" "$sv"
    rm -rf "$sv.tmp"
  fi
  if command -v node >/dev/null && [ -f "$sv/node_modules/semver/package.json" ]; then
    export SLIMSHIP_E2E_NPM_SEMVER=$sv/node_modules/semver
  else
    e2e_missing npm-semver "cannot install semver@$VERPEERS_SEMVER from the npm registry (or no node)"
  fi

  local jar
  jar=$(readlink -f /usr/share/maven/lib/maven-artifact*.jar 2>/dev/null | head -n1)
  if [ -n "$jar" ] && [ -f "$jar" ] && command -v javac >/dev/null; then
    export SLIMSHIP_E2E_MAVEN_JAR=$jar
  else
    e2e_missing maven-artifact "no /usr/share/maven/lib/maven-artifact*.jar (Debian maven) or no JDK"
  fi
}
verpeers_setup
