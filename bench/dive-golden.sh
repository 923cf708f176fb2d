#!/usr/bin/env bash
# Conformance of `slimship analyze` with dive:
#  1. dive's own test image must give dive's published figures exactly
#     (efficiency 0.9844212134184309, size 1220598, user size 66237,
#     wasted 32025);
#  2. every image of the shared corpus must analyze without error;
#  3. with dive on PATH or in $SLIMSHIP_E2E_DIVE, each corpus image that
#     dive reads is compared figure by figure with `dive --json`.
# Usage: bench/dive-golden.sh [CORPUS_IMAGES_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/images}
[ -d "$corpus" ] || corpus=/work/shared/corpus/images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/slimship" ./cmd/slimship
ss=$work/slimship
fail=0

img=$corpus/wagoodman-dive_test-docker-image.tar
"$ss" analyze --format json "$img" >"$work/dive-test.json"
python3 - "$work/dive-test.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
want = {"efficiency": 0.9844212134184309, "sizeBytes": 1220598, "userSizeBytes": 66237, "wastedBytes": 32025}
bad = {k: (d[k], v) for k, v in want.items() if d[k] != v}
print("dive test image:", {k: d[k] for k in want}, "userWastedPercent", d["userWastedPercent"])
if bad:
    print("MISMATCH (got, want):", bad)
    sys.exit(1)
print("dive test image: exact match")
PY

dive=${SLIMSHIP_E2E_DIVE:-$(command -v dive || true)}
n=0
for f in "$corpus"/*; do
  case $f in *.md) continue ;; esac
  n=$((n + 1))
  base=$(basename "$f")
  if ! "$ss" analyze --format json "$f" >"$work/$base.json" 2>"$work/$base.err"; then
    echo "FAIL $base: $(cat "$work/$base.err")"
    fail=1
    continue
  fi
  line=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("layers=%d size=%d eff=%.6f wasted=%d reclaim=%d" % (len(d["layers"]), d["sizeBytes"], d["efficiency"], d["wastedBytes"], d["reclaimableBytes"]))' "$work/$base.json")
  cmp=""
  if [ -n "$dive" ] && [ -f "$f" ] && [[ $f == *.tar ]]; then
    if "$dive" --source docker-archive "$f" --json "$work/$base.dive.json" >/dev/null 2>&1; then
      cmp=$(python3 - "$work/$base.json" "$work/$base.dive.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))["image"]
pairs = [("sizeBytes", "sizeBytes"), ("efficiencyScore", "efficiency"), ("inefficientBytes", "wastedBytes")]
diff = [f"{dk} dive={d[dk]} slimship={s[sk]}" for dk, sk in pairs if abs(d[dk] - s[sk]) > 1e-9 * max(1, abs(d[dk]))]
print("dive: " + ("same" if not diff else "DIFFERS " + "; ".join(diff)))
PY
)
    else
      cmp="dive: cannot read it"
    fi
  fi
  echo "ok   $base: $line ${cmp:+($cmp)}"
done
echo "$n corpus images analyzed"
exit $fail
