#!/usr/bin/env bash
# slimship's findings on Go binaries against govulncheck's, on real data:
#
#   bench/govulncheck/compare.sh [-v] [-platforms linux/amd64,windows/arm64]
#
# 1. scripts/e2e/setup.d/50-govulncheck.sh build: from the Go module proxy,
#    govulncheck (x/vuln v1.9.0), a pinned golang.org/x/vulndb (data/osv,
#    thousands of records) with its cmd/indexdb, the v1 database indexdb
#    writes, and five Go programs built with old dependencies; all cached
#    under ${SLIMSHIP_E2E_CACHE:-~/.cache/slimship-e2e}/govulncheck.
# 2. bench/govulncheck (gvcmp): `slimship db import` of data/osv (and of
#    the v1 layout), `slimship sbom -f cyclonedx` of the binaries,
#    `slimship scan -f json`, against `govulncheck -mode=binary
#    -scan=module -db file://DB -json` of each binary; then every module of
#    the database at the versions around its records' events, as one
#    govulncheck extract blob and one CycloneDX SBOM, per platform.
# Prints records, binaries, modules, findings on each side, every
# difference with its cause, and timings; exits 1 on an unexplained one.
# The first run takes ~5 min to prepare; the synthetic comparison ~3 min
# a platform (govulncheck's time; -platforms '' skips it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
mkdir -p "$SLIMSHIP_E2E_CACHE"

vars=$(bash scripts/e2e/setup.d/50-govulncheck.sh build)
eval "$(sed -n 's/^\(SLIMSHIP_E2E_GOVULN[A-Z_]*\)=\(.*\)$/\1="\2"/p' <<<"$vars")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building slimship and the comparison..." >&2
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/slimship" ./cmd/slimship
go build -o "$work/compare" ./bench/govulncheck

echo "govulncheck: $("$SLIMSHIP_E2E_GOVULNCHECK" -version | tr '\n' ' ')"
echo "database:    $SLIMSHIP_E2E_GOVULN_OSV -> $(readlink "$SLIMSHIP_E2E_GOVULN_OSV")"
echo "binaries:    $SLIMSHIP_E2E_GOVULN_BINS"
for b in "$SLIMSHIP_E2E_GOVULN_BINS"/*; do
  [ -x "$b" ] && go version -m "$b" | awk 'NR==1 {printf "  %s", $0} $1=="mod"||$1=="dep" {n++} END {print " (" n " modules)"}'
done
"$work/compare" -slimship "$work/slimship" -govulncheck "$SLIMSHIP_E2E_GOVULNCHECK" \
  -osv "$SLIMSHIP_E2E_GOVULN_OSV" -db "$SLIMSHIP_E2E_GOVULN_DB" -bins "$SLIMSHIP_E2E_GOVULN_BINS" \
  -work "$work/run" "$@"
