# shellcheck shell=bash
# prometheus-operator's CRDs (PrometheusRule, ServiceMonitor, PodMonitor...)
# for the e2e API server, generated from the very typed API slimship builds
# against: the version of
# github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring in
# go.mod, run through controller-gen as upstream's `make generate-crds`
# does (controller-gen crd:crdVersions=v1 paths=./v1/.). The module proxy
# serves that module but not the main prometheus-operator module of the
# same version (403), whose example/prometheus-operator-crd/ holds the
# released YAML; controller-gen PROMOP_CONTROLLER_GEN over the v0.94.1 API
# reproduces v0.94.1's released CRDs byte for byte, less the
# operator.prometheus.io/version annotation, which is added here likewise.
#
# controller-gen is built once into $SLIMSHIP_E2E_CACHE/bin, the CRDs once
# per API version into $SLIMSHIP_E2E_CACHE/promop-crds/<version>/.
# Exports SLIMSHIP_E2E_PROMOP_CRDS (that directory).
#
# e2e-prebuild: run.sh runs `bash 43-promop-crds.sh build` in the
# background from the start (a few minutes the first time: controller-gen
# and its modules); sourced afterwards, the snippet finds the cache filled.

PROMOP_CONTROLLER_GEN=${PROMOP_CONTROLLER_GEN:-v0.22.0}
PROMOP_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

promop_crds() (
  set -eo pipefail
  export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod
  local mod=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring
  local ver out bin src work
  ver=$(cd "$PROMOP_REPO" && go list -m -f '{{.Version}}' "$mod")
  out=$SLIMSHIP_E2E_CACHE/promop-crds/$ver
  if [ ! -s "$out/monitoring.coreos.com_prometheusrules.yaml" ]; then
    bin=$SLIMSHIP_E2E_CACHE/bin/controller-gen-$PROMOP_CONTROLLER_GEN
    if [ ! -x "$bin" ]; then
      echo "e2e: building controller-gen $PROMOP_CONTROLLER_GEN (once)" >&2
      mkdir -p "$bin.tmp"
      (cd "$SLIMSHIP_E2E_CACHE" && GOBIN="$bin.tmp" go install -trimpath -ldflags "-s -w" \
        "sigs.k8s.io/controller-tools/cmd/controller-gen@$PROMOP_CONTROLLER_GEN")
      mv "$bin.tmp/controller-gen" "$bin" && rmdir "$bin.tmp"
    fi
    src=$(go mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -d "$src/v1" ] || { echo "no $mod@$ver in the module cache" >&2; return 1; }
    # A writable copy: the module cache is read-only and go may touch go.sum.
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    cp -r "$src/." "$work/" && chmod -R u+w "$work"
    rm -rf "$out.tmp"
    (cd "$work" && "$bin" crd:crdVersions=v1 paths=./v1/. output:crd:dir="$out.tmp")
    sed -i "s|^    controller-gen.kubebuilder.io/version: .*|&\n    operator.prometheus.io/version: ${ver#v}|" "$out.tmp"/*.yaml
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
  echo "$out"
)

promop_crds_setup() {
  local out
  if out=$(promop_crds 2>"$SLIMSHIP_E2E_CACHE/promop-crds.log" | tail -1) && [ -d "$out" ]; then
    export SLIMSHIP_E2E_PROMOP_CRDS=$out
    echo "e2e: prometheus-operator CRDs in $out" >&2
  else
    e2e_missing "prometheus-operator CRDs" "see $SLIMSHIP_E2E_CACHE/promop-crds.log: $(tail -3 "$SLIMSHIP_E2E_CACHE/promop-crds.log")"
  fi
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
  [ "${1:-}" = build ] && { promop_crds; exit; }
  echo "usage: $0 build   (normally sourced by scripts/e2e/run.sh)" >&2
  exit 2
else
  promop_crds_setup
fi
