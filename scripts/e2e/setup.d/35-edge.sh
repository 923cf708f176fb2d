# shellcheck shell=bash
# The judges of `slimship edge generate`: systemd-analyze (verify and
# security --offline work without systemd as PID 1; from the systemd
# package) and podman's Quadlet generator. Debian 12's podman 4.3 has no
# Quadlet, so `quadlet` is built from the Go module proxy, each version in a
# throwaway module that requires podman (and copies its replace directives:
# `go install pkg@version` refuses those, and would read the version list,
# to which the proxy answers 403):
#   v4.4.4  the first Quadlet release line: the default .container targets it
#   v5.8.6  the newest podman 5 the proxy serves here (5.8.7 and later: 403)
# cached as $SLIMSHIP_E2E_CACHE/bin/quadlet-<version> (about a minute the
# first time, mostly the download; seconds once the modules are cached).
# Exports SLIMSHIP_E2E_SYSTEMD_ANALYZE and SLIMSHIP_E2E_QUADLETS
# ("VERSION=PATH ..." of the versions that built).
#
# Also runnable alone to warm the cache: `bash 35-edge.sh build`; run.sh
# does that in the background first (the marker below).
# e2e-prebuild

EDGE_QUADLET_VERSIONS=${EDGE_QUADLET_VERSIONS:-v4.4.4 v5.8.6}

# edge_quadlet_build VERSION builds quadlet VERSION into the cache.
edge_quadlet_build() (
  set -eo pipefail
  export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false"
  local ver=$1 bin=$SLIMSHIP_E2E_CACHE/bin/quadlet-$1
  [ -x "$bin" ] && return 0
  local major=${ver#v}
  major=${major%%.*}
  local path=github.com/containers/podman/v$major
  local mod=$SLIMSHIP_E2E_CACHE/quadlet-build/$ver
  mkdir -p "$mod" "$SLIMSHIP_E2E_CACHE/bin"
  cd "$mod"
  local gomod
  gomod=$(go mod download -json "$path@$ver" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [ -n "$gomod" ] || { echo "cannot download $path@$ver"; return 1; }
  {
    echo "module slimship.local/quadlet-build"
    echo
    sed -n '/^go [0-9]/p' "$gomod" | head -1
    echo
    echo "require $path $ver"
    echo
    sed -n -e '/^replace (/,/^)/p' -e '/^replace [^(]/p' "$gomod"
  } >go.mod
  nice go build -trimpath -ldflags "-s -w" -o "$bin.tmp" "$path/cmd/quadlet"
  mv "$bin.tmp" "$bin"
)

edge_build_all() {
  local v rc=0
  for v in $EDGE_QUADLET_VERSIONS; do
    edge_quadlet_build "$v" || { echo "quadlet $v: build failed" >&2; rc=1; }
  done
  return $rc
}

e2e_edge_setup() {
  command -v systemd-analyze >/dev/null || e2e_apt_install systemd ||
    { e2e_missing systemd-analyze "apt-get install systemd failed"; return; }
  export SLIMSHIP_E2E_SYSTEMD_ANALYZE
  SLIMSHIP_E2E_SYSTEMD_ANALYZE=$(command -v systemd-analyze)
  local list="" v log
  for v in $EDGE_QUADLET_VERSIONS; do
    log=$SLIMSHIP_E2E_CACHE/quadlet-build-$v.log
    if edge_quadlet_build "$v" >"$log" 2>&1; then
      list="$list $v=$SLIMSHIP_E2E_CACHE/bin/quadlet-$v"
    else
      e2e_missing "quadlet $v" "build failed, see $log: $(tail -c 300 "$log" | tr '\n' ' ')"
    fi
  done
  export SLIMSHIP_E2E_QUADLETS=${list# }
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run directly: only warm the build cache.
  SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
  [ "${1:-}" = build ] && { edge_build_all; exit; }
  echo "usage: $0 build   (normally sourced by scripts/e2e/run.sh)" >&2
  exit 2
else
  e2e_edge_setup
fi
