#!/usr/bin/env bash
# Scale of `slimship registry prune` (issue 13): the time to plan a
# repository of TAGS (default 5,000) tags on a local registry (Debian's
# docker-registry, started here on 127.0.0.1 with a throw-away data dir),
# target < 10 s. Two repositories: 5,000 tags over IMAGES (default 50)
# small images, and, with DISTINCT=1, 5,000 distinct images (one config
# read each). Best and median wall time of RUNS (default 3) dry runs
# (-f json), with slimship's CPU time and peak RSS from /usr/bin/time and
# the registry's CPU time per plan (from /proc); for each --jobs in JOBS
# (default "4 8"; 4 is slimship's default).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
tags=${TAGS:-5000}
images=${IMAGES:-50}
jobs=${JOBS:-4 8}
command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)" >&2; exit 2; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/data"
cat >"$work/config.yml" <<CFG
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/data}
  delete: {enabled: true}
http: {addr: 127.0.0.1:$port}
CFG
docker-registry serve "$work/config.yml" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/slimship" ./cmd/slimship
go build -o "$work/push" ./bench/prune-scale

regcpu() { awk '{print ($14+$15)/100}' "/proc/$pid/stat"; }

measure() { # REPO LABEL JOBS
  local i times=() r0
  for i in $(seq 1 "$runs"); do
    r0=$(regcpu)
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$work/slimship" registry prune "$1" --insecure --jobs "$3" \
      --keep-last 10 --keep-daily 7 --keep-weekly 4 --keep-monthly 3 -f json >"$work/plan.json"
    times+=("$(cat "$work/time") $(awk -v a="$r0" -v b="$(regcpu)" 'BEGIN{print b-a}')")
  done
  python3 - "$2" "$3" "$work/plan.json" "${times[@]}" <<'PY'
import json, sys
label, jobs, plan = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
runs = [list(map(float, r.split())) for r in sys.argv[4:]]
wall = sorted(r[0] for r in runs)
best = min(runs, key=lambda r: r[0])
c = plan["counts"]
print(f"{label}, --jobs {jobs}: {c['tags']} tags, {c['images']} images (keep {c['keptImages']}, delete {c['deletedImages']}): "
      f"plan best {wall[0]:.2f} s, median {wall[len(wall)//2]:.2f} s (target < 10 s) "
      f"{'PASS' if wall[len(wall)//2] < 10 else 'FAIL'}; slimship CPU {best[1]+best[2]:.2f} s, peak RSS {best[3]/1024:.0f} MB; "
      f"registry CPU {best[4]:.2f} s")
PY
}

echo "== load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
"$work/push" -repo "127.0.0.1:$port/scale/few" -tags "$tags" -images "$images"
for j in $jobs; do measure "127.0.0.1:$port/scale/few" "$tags tags over $images images" "$j"; done
if [ "${DISTINCT:-0}" = 1 ]; then
  "$work/push" -repo "127.0.0.1:$port/scale/distinct" -tags "$tags" -images "$tags"
  for j in $jobs; do measure "127.0.0.1:$port/scale/distinct" "$tags distinct images" "$j"; done
fi
echo "== load $(cut -d' ' -f1-3 /proc/loadavg)"
