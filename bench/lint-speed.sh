#!/usr/bin/env bash
# Speed of `slimship lint` over the shared Dockerfile corpus, side by side
# with dockerfilelint (npm), which is installed into a temporary directory.
#
#   bench/lint-speed.sh [CORPUS_DIR]
#
# Measures (bench/lib/rusage.py: wait4, microseconds) the whole corpus in one process, and one
# process per file (files/second, mean ms per file, peak RSS). Wall time is
# printed, but CPU time (user+sys) is what the ratios use: on a shared
# machine wall time mostly measures the neighbours. ShellCheck is kept off
# PATH for the comparison (dockerfilelint has no equivalent); the one-process
# run is repeated with it when it is installed. dockerfilelint crashes on
# part of the corpus: crashes are counted and the comparison is made on the
# files it survives. Set DOCKERFILELINT to an installed binary to skip npm.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/corpus/dockerfiles}
[ -d "$dir" ] || { echo "lint-speed: $dir not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/empty"
echo "building slimship (as make build does: static, trimmed)..." >&2
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/slimship" ./cmd/slimship
# The floor of any per-file run here: a static Go program that does nothing.
mkdir -p "$work/hello"
printf 'package main\n\nfunc main() {}\n' >"$work/hello/main.go"
(cd "$work/hello" && CGO_ENABLED=0 GO111MODULE=off go build -o "$work/hello/hello" main.go)
dfl=${DOCKERFILELINT:-}
if [ -z "$dfl" ]; then
	echo "installing dockerfilelint from npm..." >&2
	npm install --silent --no-audit --no-fund --prefix "$work/npm" dockerfilelint@1.8.0 >&2
	dfl=$work/npm/node_modules/.bin/dockerfilelint
fi

mapfile -t files < <(find "$dir" -maxdepth 1 -type f ! -name 'SOURCES.*' ! -name '.*' | sort)
n=${#files[@]}

# measure OUT -- CMD...: runs CMD; OUT gets "wall user sys maxrss_kb rc"
# (CPU in microseconds, from wait4 for that process alone).
measure() {
	local out=$1
	shift 2
	: >"$out"
	python3 bench/lib/rusage.py -o "$out" -- "$@"
}
field() { awk -v i="$2" '{print $i}' "$1" | tail -1; }
cpu() { awk '{print $2 + $3}' "$1" | tail -1; }

# perfile NAME LIST -- CMD...: CMD FILE for each file of LIST, one line each
# ("wall user sys maxrss_kb rc file") into NAME.sum.
perfile() {
	local name=$1 list=$2
	shift 3
	: >"$work/$name.sum"
	python3 bench/lib/rusage.py -o "$work/$name.sum" --each "$list" -- "$@"
}
sumcol() { awk -v i="$2" '{s += $i} END {printf "%.4f", s}' "$1"; }
maxcol() { awk -v i="$2" '$i > m {m = $i} END {print m}' "$1"; }

printf '%s\n' "${files[@]}" >"$work/all.list"
sl=("$work/slimship" lint --format json --fail-on none)

echo "slimship: one process over $n files..." >&2
measure "$work/sl.all" -- env PATH="$work/empty" "${sl[@]}" "${files[@]}"
if command -v shellcheck >/dev/null; then
	measure "$work/sl.all.sc" -- "${sl[@]}" "${files[@]}"
fi
echo "slimship: one process per file..." >&2
perfile sl "$work/all.list" -- env PATH="$work/empty" "${sl[@]}"

echo "baseline: an empty static Go program, once per file..." >&2
perfile hello "$work/all.list" -- "$work/hello/hello"

echo "dockerfilelint: one process per file..." >&2
perfile dfl "$work/all.list" -- "$dfl" -o json
# A crash: anything but exit 0 (clean) or 1 (issues found).
awk '$5 != 0 && $5 != 1 {print $6}' "$work/dfl.sum" >"$work/dfl.crashed"
awk '$5 == 0 || $5 == 1 {print $6}' "$work/dfl.sum" >"$work/ok.list"
crashes=$(wc -l <"$work/dfl.crashed")
mapfile -t ok < "$work/ok.list"
nok=${#ok[@]}

echo "both: one process over the $nok files dockerfilelint survives..." >&2
measure "$work/sl.ok" -- env PATH="$work/empty" "${sl[@]}" "${ok[@]}"
measure "$work/dfl.ok" -- "$dfl" -o json "${ok[@]}"
awk 'NR == FNR {ok[$1] = 1; next} ok[$6]' "$work/ok.list" "$work/sl.sum" >"$work/sl.oksum"
awk 'NR == FNR {ok[$1] = 1; next} ok[$6]' "$work/ok.list" "$work/dfl.sum" >"$work/dfl.oksum"

slcrash=$(awk '$5 != 0 && $5 != 1 && $5 != 2' "$work/sl.sum" | wc -l)
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
ms() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", 1000 * s / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "inf" }'; }

echo
echo "corpus: $dir ($n files; dockerfilelint crashed on $crashes, slimship on $slcrash)"
echo
printf '%-44s %9s %9s %10s %12s\n' "run" "wall s" "cpu s" "files/cpu-s" "peak RSS MB"
row() { # label file-count measurement-file
	printf '%-44s %9.3f %9.3f %10s %12.1f\n' "$1" "$(field "$3" 1)" "$(cpu "$3")" "$(rate "$2" "$(cpu "$3")")" "$(awk '{print $4/1024}' "$3" | tail -1)"
}
row "slimship, one process, all files" "$n" "$work/sl.all"
[ -f "$work/sl.all.sc" ] && row "slimship + shellcheck, one process, all" "$n" "$work/sl.all.sc"
row "slimship, one process, survivors" "$nok" "$work/sl.ok"
row "dockerfilelint, one process, survivors" "$nok" "$work/dfl.ok"
echo
printf '%-44s %12s %12s %12s\n' "per-file runs" "mean wall ms" "mean cpu ms" "max RSS MB"
perrow() { # label sumfile count
	printf '%-44s %12s %12s %12.1f\n' "$1" "$(ms "$3" "$(sumcol "$2" 1)")" \
		"$(ms "$3" "$(awk '{s += $2 + $3} END {print s}' "$2")")" "$(awk -v m="$(maxcol "$2" 4)" 'BEGIN {print m/1024}')"
}
perrow "slimship, all files" "$work/sl.sum" "$n"
perrow "slimship, survivors" "$work/sl.oksum" "$nok"
perrow "dockerfilelint, survivors" "$work/dfl.oksum" "$nok"
perrow "empty static Go program (floor)" "$work/hello.sum" "$n"
echo
slcpu=$(awk '{s += $2 + $3} END {print s}' "$work/sl.oksum")
dflcpu=$(awk '{s += $2 + $3} END {print s}' "$work/dfl.oksum")
echo "speed-up on survivors (cpu): one process $(ratio "$(cpu "$work/sl.ok")" "$(cpu "$work/dfl.ok")"), per file $(ratio "$slcpu" "$dflcpu")"
if [ -s "$work/dfl.crashed" ]; then
	echo "dockerfilelint crashed on:"
	sed 's/^/  /' "$work/dfl.crashed"
fi
