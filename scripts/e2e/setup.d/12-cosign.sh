# shellcheck shell=bash
# The independent verifiers of slimship's signatures (e2e/sign_test.go):
#
#   cosign    the real cosign ($COSIGN_VERSION), built once from the module
#             proxy into $SLIMSHIP_E2E_CACHE/bin/cosign-$COSIGN_VERSION
#   civerify  e2e/civerify: the containers/image library's policy check
#             (policy.json with a sigstoreSigned requirement), in its own
#             module so containers/image stays out of slimship's go.mod;
#             rebuilt when its source changes
#
# Both build in the BACKGROUND (cosign takes many minutes on two cores) while
# the other parts are set up and the other tests run; the tests wait for
# them. Each build writes "ok" or "failed: REASON" to
# $SLIMSHIP_E2E_WORK/<name>.status when it ends.
# Exports SLIMSHIP_E2E_COSIGN and SLIMSHIP_E2E_CIVERIFY (paths that exist
# once built) with SLIMSHIP_E2E_COSIGN_STATUS and SLIMSHIP_E2E_CIVERIFY_STATUS.
# Set SLIMSHIP_E2E_COSIGN=0 to skip both.
#
# Also runnable alone to warm the cache: `bash 12-cosign.sh build`.

COSIGN_VERSION=${COSIGN_VERSION:-v2.6.5}

cosign_log() { echo "cosign: $*" >&2; }

# cosign_build_cosign installs cosign into the cache unless it is there.
cosign_build_cosign() (
  set -eo pipefail
  local dir=$SLIMSHIP_E2E_CACHE/bin/cosign-$COSIGN_VERSION
  [ -x "$dir/cosign" ] && exit 0
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  # its go.mod asks for go 1.25.0: the local toolchain builds it
  GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod GOBIN=$dir.tmp \
    nice go install "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
)

# cosign_build_civerify builds e2e/civerify into the cache, keyed by its
# source (main.go, go.mod, go.sum).
cosign_build_civerify() (
  set -eo pipefail
  local src=$1 key bin
  key=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)
  bin=$SLIMSHIP_E2E_CACHE/bin/civerify-$key
  if [ ! -x "$bin" ]; then
    mkdir -p "$SLIMSHIP_E2E_CACHE/bin"
    # containers_image_openpgp: the pure-Go OpenPGP backend, no gpgme (cgo)
    (cd "$src" && GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=readonly \
      nice go build -trimpath -tags containers_image_openpgp -o "$bin.tmp" .)
    mv "$bin.tmp" "$bin"
  fi
  ln -sf "$bin" "$SLIMSHIP_E2E_CACHE/bin/civerify"
)

# cosign_run runs a build function, writing its status file when it ends.
cosign_run() { # status log function args...
  local status=$1 log=$2
  shift 2
  if "$@" >"$log" 2>&1; then
    echo ok >"$status"
  else
    echo "failed: see $log: $(tail -3 "$log" | tr '\n' ' ')" >"$status"
  fi
}

cosign_setup() {
  if [ "${SLIMSHIP_E2E_COSIGN:-1}" = 0 ]; then
    e2e_missing cosign "SLIMSHIP_E2E_COSIGN=0"
    unset SLIMSHIP_E2E_COSIGN
    return 0
  fi
  export SLIMSHIP_E2E_COSIGN=$SLIMSHIP_E2E_CACHE/bin/cosign-$COSIGN_VERSION/cosign
  export SLIMSHIP_E2E_CIVERIFY=$SLIMSHIP_E2E_CACHE/bin/civerify
  export SLIMSHIP_E2E_COSIGN_STATUS=$SLIMSHIP_E2E_WORK/cosign.status
  export SLIMSHIP_E2E_CIVERIFY_STATUS=$SLIMSHIP_E2E_WORK/civerify.status
  rm -f "$SLIMSHIP_E2E_COSIGN_STATUS" "$SLIMSHIP_E2E_CIVERIFY_STATUS"
  [ -x "$SLIMSHIP_E2E_COSIGN" ] || cosign_log "building cosign $COSIGN_VERSION in the background (many minutes, once; log $SLIMSHIP_E2E_CACHE/cosign-build.log)"
  # one job, civerify first (about a minute), so the two builds do not
  # fight over the cores
  {
    cosign_run "$SLIMSHIP_E2E_CIVERIFY_STATUS" "$SLIMSHIP_E2E_WORK/civerify-build.log" cosign_build_civerify "$PWD/e2e/civerify"
    cosign_run "$SLIMSHIP_E2E_COSIGN_STATUS" "$SLIMSHIP_E2E_CACHE/cosign-build.log" cosign_build_cosign
  } &
  E2E_PIDS+=($!)
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run directly: only warm the build cache.
  SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
  [ "${1:-}" = build ] && { cosign_build_civerify "$(dirname "$0")/../../../e2e/civerify" && cosign_build_cosign; exit; }
  echo "usage: $0 build   (normally sourced by scripts/e2e/run.sh)" >&2
  exit 2
else
  cosign_setup
fi
