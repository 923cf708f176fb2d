#!/usr/bin/env bash
# The project's one test command: unit tests, short fuzz runs, then the
# end-to-end tests (podman, registry, Kubernetes API server), which install
# what they need when they can and otherwise skip with a clear message.
# Under CI=true a missing part fails the run instead.
set -euo pipefail
cd "$(dirname "$0")/.."

# The end-to-end tests' slow builds (Kubernetes, cosign, ...) start now, in
# the background and niced, so that on a fresh machine they overlap the
# unit tests and fuzzing instead of following them. They only fill the
# cache; scripts/e2e/run.sh waits for each (a lock per build) before its
# set-up. SLIMSHIP_E2E_EARLY=0 skips this. If this script stops early, they
# are stopped too.
export SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
if [ "${SLIMSHIP_E2E_EARLY:-1}" = 1 ]; then
  scripts/e2e/run.sh --prebuild-only
  stop_prebuilds() {
    local pid
    for pid in $(cat "$SLIMSHIP_E2E_CACHE/prebuild.pids" 2>/dev/null); do
      kill -- -"$pid" 2>/dev/null || true
    done
  }
  trap 'rc=$?; [ $rc = 0 ] || stop_prebuilds; exit $rc' EXIT
fi

echo "== go vet"
go vet ./...
echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

echo "== unit tests"
go test -count=1 ./...

echo "== fuzz (short)"
FUZZTIME=${FUZZTIME:-4s}
fuzzlog=$(mktemp)
trap 'rc=$?; rm -f "$fuzzlog"; [ $rc = 0 ] || [ "${SLIMSHIP_E2E_EARLY:-1}" != 1 ] || stop_prebuilds; exit $rc' EXIT
grep -rl --include='*_test.go' '^func Fuzz' pkg internal 2>/dev/null | while read -r f; do
  dir=$(dirname "$f")
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "-- $dir $fn"
    ok=true
    go test -run='^$' -fuzz="^${fn}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime=5s "./$dir" >"$fuzzlog" 2>&1 || ok=false
    # Go's fuzzing engine can hit its own deadline while its workers are
    # still busy (a loaded machine, a large cached corpus): it then prints
    # "context deadline exceeded" and saves no input. That is not a finding:
    # run the target once more with more time.
    if ! $ok && grep -q 'context deadline exceeded' "$fuzzlog" && ! grep -q 'Failing input written' "$fuzzlog"; then
      echo "   (the fuzzing engine timed out, not the target: running it again with 15s)"
      ok=true
      go test -run='^$' -fuzz="^${fn}\$" -fuzztime=15s -fuzzminimizetime=5s "./$dir" >"$fuzzlog" 2>&1 || ok=false
    fi
    if ! $ok; then
      cat "$fuzzlog"
      echo "fuzz target $fn in $dir failed (a failing input is saved under $dir/testdata/fuzz/$fn)"
      exit 1
    fi
  done
done

echo "== end-to-end"
scripts/e2e/run.sh
