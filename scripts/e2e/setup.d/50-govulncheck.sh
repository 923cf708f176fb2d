# shellcheck shell=bash
# govulncheck (golang.org/x/vuln), the Go vulnerability database and Go
# binaries built with old, vulnerable dependencies, for the e2e test that
# compares `slimship scan` with `govulncheck -mode=binary -scan=module`.
# Everything comes from the Go module proxy and is cached under
# $SLIMSHIP_E2E_CACHE/govulncheck:
#
#   gomod/                      a GOMODCACHE of its own
#   bin/govulncheck-$GOVULN_VERSION
#   bin/indexdb-$VULNDB_VERSION x/vulndb's cmd/indexdb (OSV files -> v1 database)
#   db-$VULNDB_VERSION/         the v1 database indexdb writes (-db file://...)
#   osv-$VULNDB_VERSION         symlink to the module's data/osv (the raw records)
#   bins-$(go env GOVERSION)/   the test programs, built by the host's Go
#
# e2e-prebuild: run.sh runs `bash 50-govulncheck.sh build` in the
# background from the start (a few minutes the first time: indexdb and gin
# compile); sourced afterwards, the snippet finds the cache filled and
# exports SLIMSHIP_E2E_GOVULNCHECK, SLIMSHIP_E2E_GOVULN_DB,
# SLIMSHIP_E2E_GOVULN_OSV and SLIMSHIP_E2E_GOVULN_BINS. Set
# SLIMSHIP_E2E_GOVULNCHECK_SKIP=1 to skip. bench/govulncheck/compare.sh
# runs `build` itself.

GOVULN_VERSION=${GOVULN_VERSION:-v1.9.0}
# A pinned snapshot of golang.org/x/vulndb, so that findings do not move
# under the test; VULNDB_VERSION=latest takes the newest.
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}

govuln_log() { echo "govulncheck: $*" >&2; }

# govuln_program NAME BUILD_FLAGS IMPORTS GO_MOD_LINES [LOCAL] writes one
# test program (blank imports of old packages) into $src/NAME; BUILD_FLAGS
# are go build flags, one a line; LOCAL is MODULE@VERSION=DIR: a copy of
# that module from the module cache is put in DIR, for a replace directive
# naming a directory.
govuln_program() {
  local d=$src/$1
  mkdir -p "$d"
  printf '%s\n' "$3" >"$d/imports"
  printf '%s\n' "$2" "${5:+local $5}" >"$d/flags"
  if [ -n "${5:-}" ]; then
    local dir
    dir=$(cd "$d" && go mod download -json "${5%%=*}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    cp -r "$dir" "$d/${5#*=}" && chmod -R u+w "$d/${5#*=}"
  fi
  {
    echo "module slimship.local/govuln/$1"
    echo
    echo "go 1.22"
    echo
    printf '%s\n' "$4"
  } >"$d/go.mod"
  {
    echo "// Command $1 links old module versions for the govulncheck comparison."
    echo "package main"
    echo
    echo "import ("
    local p
    for p in $3; do echo "	_ \"$p\""; done
    echo ")"
    echo
    echo "func main() {}"
  } >"$d/main.go"
}

# govuln_sources writes the test programs. Each pins old versions of
# modules with known vulnerabilities; go mod tidy may raise a pin to what
# another dependency needs, and the binary records what was linked.
govuln_sources() {
  govuln_program textnet "" \
    "golang.org/x/text/language golang.org/x/text/unicode/norm golang.org/x/net/html golang.org/x/net/http2" \
    "require (
	golang.org/x/text v0.3.0
	golang.org/x/net v0.0.0-20190620200207-3b0461eec859
)"
  govuln_program yamljwt "" \
    "gopkg.in/yaml.v2 github.com/dgrijalva/jwt-go github.com/gorilla/websocket github.com/miekg/dns" \
    "require (
	gopkg.in/yaml.v2 v2.2.2
	github.com/dgrijalva/jwt-go v3.2.0+incompatible
	github.com/gorilla/websocket v1.4.0
	github.com/miekg/dns v1.1.24
)"
  govuln_program gin "" \
    "github.com/gin-gonic/gin github.com/gin-gonic/gin/binding" \
    "require github.com/gin-gonic/gin v1.6.0"
  # A replace with the same path and another version, one to another path
  # (a fork) and one to a directory (a copy of gopkg.in/yaml.v2 v2.2.2);
  # stripped, with -trimpath.
  govuln_program replaced "-trimpath
-ldflags=-s -w" \
    "golang.org/x/crypto/ssh github.com/dgrijalva/jwt-go github.com/prometheus/client_golang/prometheus gopkg.in/yaml.v2" \
    "require (
	golang.org/x/crypto v0.0.0-20190308221718-c2843e01d9a2
	github.com/dgrijalva/jwt-go v3.2.0+incompatible
	github.com/prometheus/client_golang v1.11.0
	gopkg.in/yaml.v2 v2.2.2
)

replace golang.org/x/crypto => golang.org/x/crypto v0.0.0-20200622213623-75b288015ac9

replace github.com/dgrijalva/jwt-go => github.com/golang-jwt/jwt v3.2.1+incompatible

replace gopkg.in/yaml.v2 => ./yaml" \
    gopkg.in/yaml.v2@v2.2.2=yaml
}

# govuln_build prepares everything under $SLIMSHIP_E2E_CACHE/govulncheck
# and prints the variables to export, one NAME=VALUE a line.
govuln_build() (
  set -eo pipefail
  local root=$SLIMSHIP_E2E_CACHE/govulncheck
  mkdir -p "$root/bin"
  export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod GOMODCACHE=$root/gomod
  local tmp
  tmp=$(mktemp -d "$root/tmp.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT

  local gv=$root/bin/govulncheck-$GOVULN_VERSION
  if [ ! -x "$gv" ]; then
    govuln_log "installing golang.org/x/vuln/cmd/govulncheck@$GOVULN_VERSION"
    GOBIN=$tmp/gobin go install "golang.org/x/vuln/cmd/govulncheck@$GOVULN_VERSION"
    mv "$tmp/gobin/govulncheck" "$gv"
  fi

  local vv=$VULNDB_VERSION
  if [ "$vv" = latest ]; then
    vv=$(cd "$tmp" && go list -m -f '{{.Version}}' golang.org/x/vulndb@latest)
  fi
  local mod
  mod=$(cd "$tmp" && go mod download -json "golang.org/x/vulndb@$vv" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod/data/osv" ] || { govuln_log "golang.org/x/vulndb@$vv has no data/osv"; return 1; }
  ln -sfn "$mod/data/osv" "$root/osv-$vv"

  # x/vulndb's own command for the v1 database layout from OSV files
  # (cmd/gendb does the same from the YAML reports and needs a git clone).
  local ix=$root/bin/indexdb-$vv
  if [ ! -x "$ix" ]; then
    govuln_log "building golang.org/x/vulndb/cmd/indexdb@$vv (once, ~2 min)"
    (cd "$mod" && GOBIN=$tmp/gobin go install ./cmd/indexdb)
    mv "$tmp/gobin/indexdb" "$ix"
  fi
  local db=$root/db-$vv
  if [ ! -s "$db/index/modules.json" ]; then
    "$ix" -vulns "$mod/data/osv" -out "$tmp/db"
    rm -rf "$db" && mv "$tmp/db" "$db"
  fi

  local bins=$root/bins-$(go env GOVERSION) src=$tmp/src
  govuln_sources
  local name
  for d in "$src"/*/; do
    name=$(basename "$d")
    # The source is part of the cache key: a changed program is rebuilt.
    local sum
    sum=$(cat "$d/go.mod" "$d/main.go" "$d/flags" | sha256sum | cut -c1-16)
    if [ -x "$bins/$name" ] && [ "$(cat "$bins/$name.key" 2>/dev/null)" = "$sum" ]; then
      continue
    fi
    govuln_log "building $name"
    mkdir -p "$bins"
    local flags
    mapfile -t flags < <(grep -v '^local ' "$d/flags" | grep .)
    (cd "$d" && go mod tidy && go build -buildvcs=false "${flags[@]}" -o "$bins/$name.tmp" .)
    mv "$bins/$name.tmp" "$bins/$name"
    echo "$sum" >"$bins/$name.key"
  done
  # A command installed at an old version: its main module has a version
  # (not "(devel)"), which govulncheck checks like any other module.
  local pv=golang.org/x/text/cmd/gotext@v0.3.5
  if [ ! -x "$bins/gotext" ] || [ "$(cat "$bins/gotext.key" 2>/dev/null)" != "$pv" ]; then
    govuln_log "installing $pv"
    mkdir -p "$bins"
    (cd "$tmp" && GOBIN=$tmp/gobin go install -buildvcs=false "$pv")
    mv "$tmp/gobin/gotext" "$bins/gotext"
    echo "$pv" >"$bins/gotext.key"
  fi
  echo "SLIMSHIP_E2E_GOVULNCHECK=$gv"
  echo "SLIMSHIP_E2E_GOVULN_DB=$db"
  echo "SLIMSHIP_E2E_GOVULN_OSV=$root/osv-$vv"
  echo "SLIMSHIP_E2E_GOVULN_BINS=$bins"
)

govuln_setup() {
  if [ "${SLIMSHIP_E2E_GOVULNCHECK_SKIP:-}" = 1 ]; then
    e2e_missing govulncheck "SLIMSHIP_E2E_GOVULNCHECK_SKIP=1"
    return
  fi
  command -v go >/dev/null || { e2e_missing govulncheck "no go command"; return; }
  local log=$SLIMSHIP_E2E_WORK/govulncheck.log vars line
  if ! vars=$(govuln_build 2>"$log"); then
    e2e_missing govulncheck "preparing it failed, see $log: $(tail -3 "$log")"
    return
  fi
  while IFS= read -r line; do
    case $line in SLIMSHIP_E2E_GOVULN*=*) export "${line?}" ;; esac
  done <<<"$vars"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
  [ "${1:-}" = build ] && { govuln_build; exit; }
  echo "usage: $0 build   (normally sourced by scripts/e2e/run.sh)" >&2
  exit 2
else
  govuln_setup
fi
