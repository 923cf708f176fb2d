#!/usr/bin/env bash
# Sets up the real parts the e2e tests need (each scripts/e2e/setup.d/*.sh
# installs and starts one, exporting SLIMSHIP_E2E_* variables), then runs
# the e2e-tagged tests. A part that cannot be set up is skipped with a
# message, or fails the run under CI=true.
set -uo pipefail
cd "$(dirname "$0")/../.."
export SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
mkdir -p "$SLIMSHIP_E2E_CACHE"
# The snippets whose header has the line "# e2e-prebuild": their slow builds
# (Kubernetes, cosign, quadlet ...) run alone as `bash SNIPPET build`, which
# only fills $SLIMSHIP_E2E_CACHE. Each runs under a lock of its own, so a
# build started early (--prebuild-only) and the one below never overlap.
e2e_prebuilds() {
  local s
  for s in scripts/e2e/setup.d/*.sh; do
    [ -e "$s" ] && grep -q '^# e2e-prebuild' "$s" && echo "$s"
  done
}
e2e_prebuild_lock() { echo "$SLIMSHIP_E2E_CACHE/.prebuild-$(basename "$1" .sh).lock"; }
if [ "${1:-}" = --prebuild-only ]; then
  # scripts/test-all.sh starts the builds before the unit tests so that they
  # overlap them, detached, logging into the cache; their process groups are
  # listed in $SLIMSHIP_E2E_CACHE/prebuild.pids for the caller to stop.
  mkdir -p "$SLIMSHIP_E2E_CACHE/prebuild-logs"
  : >"$SLIMSHIP_E2E_CACHE/prebuild.pids"
  for s in $(e2e_prebuilds); do
    setsid nice -n 10 flock "$(e2e_prebuild_lock "$s")" bash "$s" build \
      >"$SLIMSHIP_E2E_CACHE/prebuild-logs/$(basename "$s" .sh).log" 2>&1 </dev/null &
    echo $! >>"$SLIMSHIP_E2E_CACHE/prebuild.pids"
    echo "-- prebuild $(basename "$s") started early (log: $SLIMSHIP_E2E_CACHE/prebuild-logs/$(basename "$s" .sh).log)"
  done
  exit 0
fi
export SLIMSHIP_E2E_WORK=$(mktemp -d /tmp/slimship-e2e.XXXXXX)
E2E_PIDS=()
cleanup() {
  for p in "${E2E_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$SLIMSHIP_E2E_WORK"
}
trap cleanup EXIT
e2e_missing() { # name reason
  if [ "${CI:-}" = "true" ]; then
    echo "e2e: $1 is missing under CI=true: $2" >&2
    E2E_FAILED=1
  else
    echo "e2e: skipping tests that need $1: $2" >&2
  fi
}
E2E_FAILED=0
# Slow builds first, all at once in the background: a snippet whose header
# has the line "# e2e-prebuild" also runs alone as `bash SNIPPET build`,
# which only fills $SLIMSHIP_E2E_CACHE (Kubernetes, cosign, quadlet ...).
# Downloads and compiles then overlap the other snippets' installs; each
# snippet is sourced only once its own build has ended, so it finds its
# cache filled (or builds what failed, in the foreground, and reports it).
# A build started early holds its lock: this one waits for it, then finds
# the cache filled.
declare -A E2E_PREBUILD=()
for s in $(e2e_prebuilds); do
  log="$SLIMSHIP_E2E_WORK/prebuild-$(basename "$s" .sh).log"
  echo "-- prebuild $(basename "$s") in the background (log: $log)"
  flock "$(e2e_prebuild_lock "$s")" bash "$s" build >"$log" 2>&1 &
  E2E_PREBUILD[$s]=$!
done
for s in scripts/e2e/setup.d/*.sh; do
  [ -e "$s" ] || continue
  if [ -n "${E2E_PREBUILD[$s]:-}" ]; then
    echo "-- waiting for the prebuild of $(basename "$s")"
    wait "${E2E_PREBUILD[$s]}" || echo "e2e: prebuild of $(basename "$s") failed: $(tail -3 "$SLIMSHIP_E2E_WORK/prebuild-$(basename "$s" .sh).log")" >&2
  fi
  echo "-- setup $(basename "$s") ($(date +%T))"
  # shellcheck source=/dev/null
  source "$s"
done
if [ "$E2E_FAILED" != 0 ]; then exit 1; fi
go build -o "$SLIMSHIP_E2E_WORK/slimship" ./cmd/slimship || exit 1
export SLIMSHIP_BIN="$SLIMSHIP_E2E_WORK/slimship"
go test -tags e2e -count=1 -timeout 60m ./e2e/...
