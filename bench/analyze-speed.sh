#!/usr/bin/env bash
# Speed and memory of `slimship analyze` against dive, on a ~1.1 GB image:
#  - docker-archive (docker save layout): slimship analyze vs `dive --ci`,
#    target: wall time <= half of dive's, peak RSS <= dive's;
#  - the same layers gzip-compressed in an oci-archive: slimship analyze vs
#    `gzip -dc` of the layer blobs, target: within 1.5x.
# Best wall time of RUNS (default 3) runs; CPU time and peak RSS from
# /usr/bin/time -v. Images are built once by bench/analyze-speed (layer 0 is
# the e2e set-up's debootstrapped Debian when cached, else synthetic) into
# $BENCH_DIR (default $SLIMSHIP_E2E_CACHE/analyze-speed).
# dive comes from $SLIMSHIP_E2E_DIVE or PATH (scripts/e2e/setup.d/30-dive.sh
# builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
dir=${BENCH_DIR:-$cache/analyze-speed}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/slimship" ./cmd/slimship
ss=$work/slimship
dive=${SLIMSHIP_E2E_DIVE:-$(command -v dive || true)}
if [ ! -f "$dir/docker-archive.tar" ]; then
  base=()
  [ -f "$cache/bookworm-minbase.tar" ] && base=(-base "$cache/bookworm-minbase.tar")
  go run ./bench/analyze-speed "${base[@]}" -copies 8 -out "$dir"
fi

# shellcheck source=lib/measure.sh
source bench/lib/measure.sh

arch=$dir/docker-archive.tar oci=$dir/oci-archive.tar
echo "docker-archive $(du -h "$arch" | cut -f1), oci-archive $(du -h "$oci" | cut -f1), load $(cut -d' ' -f1-3 /proc/loadavg)"
measure ss_arch "slimship docker-archive" "$ss" analyze --format json "$arch"
fail=0
if [ -n "$dive" ]; then
  printf 'rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: disabled\n  highestUserWastedPercent: disabled\n' >"$work/dive-ci.yaml"
  measure dive_arch "dive docker-archive" env CI=true "$dive" --ci --ci-config "$work/dive-ci.yaml" --source docker-archive "$arch"
  awk "BEGIN{r=$ss_arch_wall/$dive_arch_wall; printf \"time ratio slimship/dive: %.2f (target <= 0.5) %s\n\", r, (r<=0.5?\"PASS\":\"FAIL\"); exit !(r<=0.5)}" || fail=1
  awk "BEGIN{r=$ss_arch_rss/$dive_arch_rss; printf \"memory ratio slimship/dive: %.2f (target <= 1) %s\n\", r, (r<=1?\"PASS\":\"FAIL\"); exit !(r<=1)}" || fail=1
else
  echo "dive not found: set SLIMSHIP_E2E_DIVE (scripts/e2e/setup.d/30-dive.sh builds it)"
fi
measure ss_oci "slimship oci-archive (gzip)" "$ss" analyze --format json "$oci"
layers=$(python3 -c '
import json,sys
d=sys.argv[1]
m=json.load(open(d+"/index.json"))["manifests"][0]["digest"].split(":")[1]
print(" ".join(d+"/blobs/sha256/"+l["digest"].split(":")[1] for l in json.load(open(d+"/blobs/sha256/"+m))["layers"]))' "$dir/oci")
measure gz "gzip -dc of the same layers" sh -c "for f in $layers; do gzip -dc \"\$f\"; done"
awk "BEGIN{r=$ss_oci_wall/$gz_wall; printf \"time ratio slimship/gzip -dc: %.2f (target <= 1.5) %s\n\", r, (r<=1.5?\"PASS\":\"FAIL\"); exit !(r<=1.5)}" || fail=1
exit $fail
