#!/usr/bin/env bash
# Lint every Dockerfile of the shared corpus in one process and report
# files, parse errors (each checked against BuildKit's parser) and crashes
# (must be 0). ShellCheck findings are included when shellcheck is on PATH.
#
#   bench/lint-corpus.sh [CORPUS_DIR] [-v]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/corpus/dockerfiles}
shift || true
if [ ! -d "$dir" ]; then
	echo "lint-corpus: $dir not found" >&2
	exit 2
fi
exec go run ./bench/lint-corpus -dir "$dir" "$@"
