# shellcheck shell=bash
# The judges of `slimship edge generate`: systemd-analyze (verify and
# security --offline work without systemd as PID 1; from the systemd
# package) and podman's Quadlet generator. Debian 12's podman 4.3 has no
# Quadlet, so `quadlet` is built from the Go module proxy, each version in a
# throwaway module that requires podman (and copies its replace directives:
# `go install pkg@version` refuses those, and the proxy answers 403 to the
# version list it would read):
#   v4.4.4  the first Quadlet release line: the default .container targets it
#   v5.8.6  the newest podman 5 the proxy serves here (5.8.7 and later: 403)
# cached as $SLIMSHIP_E2E_CACHE/bin/quadlet-<version>. The builds run in the
# BACKGROUND (a few seconds each once the modules are cached, about a minute
# the first time); the tests wait for $SLIMSHIP_E2E_QUADLET_DONE, whose lines
# say "<version> ok" or "<version> failed: <why>".
# Exports SLIMSHIP_E2E_SYSTEMD_ANALYZE, SLIMSHIP_E2E_QUADLETS ("VERSION=PATH
# ...") and SLIMSHIP_E2E_QUADLET_DONE.

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

e2e_edge_setup() {
  command -v systemd-analyze >/dev/null || e2e_apt_install systemd ||
    { e2e_missing systemd-analyze "apt-get install systemd failed"; return; }
  export SLIMSHIP_E2E_SYSTEMD_ANALYZE
  SLIMSHIP_E2E_SYSTEMD_ANALYZE=$(command -v systemd-analyze)
  local done=$SLIMSHIP_E2E_WORK/quadlet.done list="" v
  for v in $EDGE_QUADLET_VERSIONS; do
    list="$list $v=$SLIMSHIP_E2E_CACHE/bin/quadlet-$v"
  done
  export SLIMSHIP_E2E_QUADLETS=${list# } SLIMSHIP_E2E_QUADLET_DONE=$done
  (
    for v in $EDGE_QUADLET_VERSIONS; do
      log=$SLIMSHIP_E2E_WORK/quadlet-$v.log
      if edge_quadlet_build "$v" >"$log" 2>&1; then
        echo "$v ok"
      else
        echo "$v failed: $(tail -c 400 "$log" | tr '\n' ' ')"
      fi
    done >"$done.tmp"
    mv "$done.tmp" "$done"
  ) &
  E2E_PIDS+=($!)
}
e2e_edge_setup
