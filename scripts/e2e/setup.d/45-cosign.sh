# shellcheck shell=bash
# The independent verifiers of slimship's signatures (e2e/sign_test.go):
#
#   cosign    the real cosign ($COSIGN_VERSION; its go.mod asks for go 1.25.0,
#             the local toolchain builds it), built once from the module
#             proxy into $SLIMSHIP_E2E_CACHE/bin/cosign-$COSIGN_VERSION
#   civerify  e2e/civerify: the containers/image library's policy check
#             (policy.json with a sigstoreSigned requirement), in its own
#             module so containers/image stays out of slimship's go.mod;
#             cached by a hash of its source
#
# e2e-prebuild: run.sh runs `bash 45-cosign.sh build` in the background from
# the start (cosign is large: over half an hour the first time on two busy
# cores); sourced afterwards, the snippet finds the cache filled (or builds
# what is missing in the foreground) and exports SLIMSHIP_E2E_COSIGN and
# SLIMSHIP_E2E_CIVERIFY. Numbered after the installs so they overlap the
# build. Set SLIMSHIP_E2E_COSIGN=0 to skip.

COSIGN_VERSION=${COSIGN_VERSION:-v2.6.5}

# cosign_build_cosign installs cosign into the cache unless it is there.
cosign_build_cosign() (
  set -eo pipefail
  local dir=$SLIMSHIP_E2E_CACHE/bin/cosign-$COSIGN_VERSION
  [ -x "$dir/cosign" ] && exit 0
  echo "cosign: building $COSIGN_VERSION (once)" >&2
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod GOBIN=$dir.tmp \
    nice go install "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
)

# cosign_civerify_bin is where e2e/civerify's current source is built.
cosign_civerify_bin() { # src
  echo "$SLIMSHIP_E2E_CACHE/bin/civerify-$(cat "$1/main.go" "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-12)"
}

# cosign_build_civerify builds e2e/civerify into the cache unless it is there.
cosign_build_civerify() ( # src
  set -eo pipefail
  local src=$1 bin
  bin=$(cosign_civerify_bin "$src")
  [ -x "$bin" ] && exit 0
  mkdir -p "$SLIMSHIP_E2E_CACHE/bin"
  # containers_image_openpgp: the pure-Go OpenPGP backend, no gpgme (cgo)
  (cd "$src" && GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=readonly \
    nice go build -trimpath -tags containers_image_openpgp -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
)

cosign_build() { # src
  cosign_build_civerify "$1" && cosign_build_cosign
}

cosign_setup() {
  if [ "${SLIMSHIP_E2E_COSIGN:-1}" = 0 ]; then
    unset SLIMSHIP_E2E_COSIGN
    e2e_missing cosign "SLIMSHIP_E2E_COSIGN=0"
    return
  fi
  command -v go >/dev/null || { e2e_missing cosign "no go command"; return; }
  local src=$PWD/e2e/civerify log=$SLIMSHIP_E2E_WORK/cosign-build.log
  if cosign_build_civerify "$src" >"$log" 2>&1; then
    export SLIMSHIP_E2E_CIVERIFY
    SLIMSHIP_E2E_CIVERIFY=$(cosign_civerify_bin "$src")
  else
    e2e_missing "containers/image verifier" "building e2e/civerify failed, see $log: $(tail -3 "$log")"
  fi
  if cosign_build_cosign >>"$log" 2>&1; then
    export SLIMSHIP_E2E_COSIGN=$SLIMSHIP_E2E_CACHE/bin/cosign-$COSIGN_VERSION/cosign
  else
    unset SLIMSHIP_E2E_COSIGN
    e2e_missing cosign "go install cosign@$COSIGN_VERSION failed, see $log: $(tail -3 "$log")"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run directly (run.sh's prebuild): only fill the cache.
  SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
  [ "${1:-}" = build ] && { cosign_build "$(cd "$(dirname "$0")/../../.." && pwd)/e2e/civerify"; exit; }
  echo "usage: $0 build   (normally sourced by scripts/e2e/run.sh)" >&2
  exit 2
else
  cosign_setup
fi
