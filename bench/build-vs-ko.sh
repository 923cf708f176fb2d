#!/usr/bin/env bash
# `slimship build` next to `ko build` on the same Go main package, in one run:
#
#   bench/build-vs-ko.sh [PKGDIR]        (default ./pkg/image/build/testdata/hello)
#
# Both tools push to the same local registry (Debian's docker-registry on
# 127.0.0.1:<free port>, started here and killed on exit) and build on the
# same base: ko gets KO_DEFAULTBASEIMAGE=<that registry>/base, a two-platform
# index holding exactly slimship's minimal base layer (CA certificates,
# passwd/group, /tmp), taken from a `slimship build` and re-pushed with crane.
# ko runs with --bare --sbom=none (slimship writes no SBOM), once with its
# defaults (-trimpath only) and once with ldflags -s -w from a .ko.yaml,
# which is what slimship does unless --keep-symbols.
#
# For linux/amd64 and for linux/amd64,linux/arm64, each tool builds twice
# with the same SOURCE_DATE_EPOCH (reproducible = same digest; these two runs
# also warm the Go build cache), then hyperfine times RUNS (3) warm runs
# (a bash timer when hyperfine is missing). Image size is the sum of the
# compressed layer sizes from the manifest(s); binary size is the largest
# file of the linux/amd64 filesystem. Only the Go module proxy (to install
# ko and crane once) and 127.0.0.1 are contacted; the timed builds run with
# GOPROXY=off.
#
# Environment: KO (a ko binary; else ko@$KO_VERSION is installed into
# $SLIMSHIP_BENCH_CACHE/bin), CRANE (else crane at go.mod's
# go-containerregistry version), RUNS, SOURCE_DATE_EPOCH. When ko cannot be
# installed the script says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:-./pkg/image/build/testdata/hello}
runs=${RUNS:-3}
epoch=${SOURCE_DATE_EPOCH:-1700000000}
cache=${SLIMSHIP_BENCH_CACHE:-$HOME/.cache/slimship-bench}
ko_version=${KO_VERSION:-v0.19.1} # newest ko whose go.mod asks for go <= 1.26.x

skip() {
	echo "build-vs-ko: SKIPPED: $*" >&2
	exit 0
}
log() { echo "build-vs-ko: $*" >&2; }

[ -d "$pkg" ] || { echo "build-vs-ko: $pkg is not a directory" >&2; exit 2; }
command -v jq >/dev/null || { echo "build-vs-ko: needs jq" >&2; exit 2; }
command -v curl >/dev/null || { echo "build-vs-ko: needs curl" >&2; exit 2; }
command -v docker-registry >/dev/null || skip "docker-registry not installed (apt-get install docker-registry)"

work=$(mktemp -d)
reg_pid=
cleanup() {
	if [ -n "$reg_pid" ]; then
		kill "$reg_pid" 2>/dev/null || true
		wait "$reg_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# --- tools -------------------------------------------------------------
ko=${KO:-}
if [ -z "$ko" ]; then
	ko=$cache/bin/ko
	if [ ! -x "$ko" ] || [ "$(cat "$ko.version" 2>/dev/null)" != "$ko_version" ]; then
		log "installing ko@$ko_version into $cache/bin (slow: ~300 modules)..."
		mkdir -p "$cache/bin"
		(cd "$work" && GOBIN=$cache/bin go install "github.com/google/ko@$ko_version" >&2) ||
			skip "go install github.com/google/ko@$ko_version failed"
		echo "$ko_version" >"$ko.version"
	fi
fi
"$ko" version >/dev/null 2>&1 || skip "$ko does not run"

crane=${CRANE:-}
if [ -z "$crane" ]; then
	cver=$(go list -m -f '{{.Version}}' github.com/google/go-containerregistry)
	for c in "$HOME/.cache/slimship-e2e/bin/crane" "$cache/bin/crane"; do
		if [ -x "$c" ] && [ "$(cat "$c.version" 2>/dev/null)" = "$cver" ]; then
			crane=$c
			break
		fi
	done
	if [ -z "$crane" ]; then
		log "installing crane@$cver into $cache/bin..."
		mkdir -p "$cache/bin"
		(cd "$work" && GOBIN=$cache/bin go install "github.com/google/go-containerregistry/cmd/crane@$cver" >&2) ||
			skip "go install crane@$cver failed"
		echo "$cver" >"$cache/bin/crane.version"
		crane=$cache/bin/crane
	fi
fi

log "building slimship..."
go build -o "$work/slimship" ./cmd/slimship
sl=$work/slimship

# From here on nothing may leave 127.0.0.1.
export GOPROXY=off GOSUMDB=off
export SOURCE_DATE_EPOCH=$epoch KO_DATA_DATE_EPOCH=$epoch

# --- registry ----------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + RANDOM % 20000)))
mkdir -p "$work/registry/data"
cat >"$work/registry/config.yml" <<CFG
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CFG
docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
reg_pid=$!
reg=127.0.0.1:$port
for _ in $(seq 1 100); do
	curl -fsS "http://$reg/v2/" >/dev/null 2>&1 && break
	kill -0 "$reg_pid" 2>/dev/null || break
	sleep 0.1
done
curl -fsS "http://$reg/v2/" >/dev/null 2>&1 ||
	skip "docker-registry did not answer on $reg: $(tail -c 300 "$work/registry/log")"
cr() { "$crane" --insecure "$@"; }

# --- the shared base: slimship's minimal base layer, per platform --------
log "pushing slimship's minimal base to $reg/base:latest..."
"$sl" build "$pkg" --platform linux/amd64,linux/arm64 -o "docker://$reg/seed:latest" --insecure >/dev/null 2>"$work/seed.log" ||
	{ cat "$work/seed.log" >&2; exit 1; }
for arch in amd64 arm64; do
	d=$(cr digest --platform "linux/$arch" "$reg/seed:latest")
	layer=$(cr manifest "$reg/seed@$d" | jq -r '.layers[0].digest')
	cr blob "$reg/seed@$layer" >"$work/base-$arch.tar.gz"
	cr append --oci-empty-base -f "$work/base-$arch.tar.gz" -t "$reg/base:$arch" >/dev/null 2>&1
	cr mutate --set-platform "linux/$arch" -t "$reg/base:$arch" "$reg/base:$arch" >/dev/null 2>&1
done
cr index append -m "$reg/base:amd64" -m "$reg/base:arm64" -t "$reg/base:latest" >/dev/null 2>&1

mkdir -p "$work/ko-default" "$work/ko-strip"
echo "builds: []" >"$work/ko-default/.ko.yaml" # ko's defaults, whatever the checkout holds
cat >"$work/ko-strip/.ko.yaml" <<YAML
builds:
- id: bench
  main: $pkg
  ldflags:
  - -s -w
YAML
export KO_DEFAULTBASEIMAGE=$reg/base:latest

# --- measurements --------------------------------------------------------
# cmd_for TOOL PLATFORMS: the shell command one build runs (prints the digest).
cmd_for() {
	local tool=$1 plats=$2
	case $tool in
	slimship) echo "'$sl' build '$pkg' --platform $plats -o docker://$reg/slimship/hello:latest --insecure 2>/dev/null" ;;
	ko) echo "KO_CONFIG_PATH='$work/ko-default' KO_DOCKER_REPO=$reg/ko/hello '$ko' build --bare --sbom=none --platform=$plats '$pkg' 2>/dev/null" ;;
	ko-s-w) echo "KO_CONFIG_PATH='$work/ko-strip' KO_DOCKER_REPO=$reg/ko-s-w/hello '$ko' build --bare --sbom=none --platform=$plats '$pkg' 2>/dev/null" ;;
	esac
}
repo_for() {
	case $1 in
	slimship) echo "$reg/slimship/hello:latest" ;;
	ko) echo "$reg/ko/hello:latest" ;;
	ko-s-w) echo "$reg/ko-s-w/hello:latest" ;;
	esac
}
digest_of() { grep -o 'sha256:[0-9a-f]\{64\}' | tail -1; }
# layer_sum REF: compressed layer bytes of one image manifest.
layer_sum() { cr manifest "$1" | jq '[.layers[].size] | add'; }
human() { numfmt --to=iec-i --suffix=B --format=%.1f "$1"; }

# time_runs NAME CMD: prints "mean stddev cpu" in seconds (cpu = user+sys of
# the tool and its go children, "-" without hyperfine).
time_runs() {
	local name=$1 cmd=$2
	if command -v hyperfine >/dev/null; then
		hyperfine --style none --runs "$runs" --export-json "$work/$name.json" --command-name "$name" "$cmd" >&2
		jq -r '.results[0] | "\(.mean) \(.stddev // 0) \(.user + .system )"' "$work/$name.json"
	else
		local i t0 ts=()
		for ((i = 0; i < runs; i++)); do
			t0=$EPOCHREALTIME
			bash -c "$cmd" >/dev/null
			ts+=("$(echo "$EPOCHREALTIME - $t0" | bc)")
		done
		printf '%s\n' "${ts[@]}" | awk '{s += $1; q += $1 * $1; n++} END {m = s / n; v = q / n - m * m; print m, (v > 0 ? sqrt(v) : 0), "-"}'
	fi
}

rows=()
for plats in linux/amd64 linux/amd64,linux/arm64; do
	for tool in slimship ko ko-s-w; do
		name=$tool-$(echo "$plats" | tr ',/' '+-')
		cmd=$(cmd_for "$tool" "$plats")
		log "$tool, $plats: two builds for the digest check..."
		d1=$(bash -c "$cmd" | digest_of) || true
		d2=$(bash -c "$cmd" | digest_of) || true
		if [ -z "$d1" ] || [ -z "$d2" ]; then
			echo "build-vs-ko: $tool failed: $cmd" >&2
			bash -c "${cmd% 2>/dev/null}" >&2 || true
			exit 1
		fi
		repro=no
		[ "$d1" = "$d2" ] && repro=yes
		ref=$(repo_for "$tool")
		# Per-platform sizes: the image itself, or each manifest of the index.
		top=$(cr manifest "$ref")
		if jq -e '.manifests' >/dev/null <<<"$top"; then
			kind="index($(jq '[.manifests[] | select(.platform.os != "unknown")] | length' <<<"$top"))"
			amd=$(cr digest --platform linux/amd64 "$ref")
			img_amd=$(layer_sum "${ref%:*}@$amd")
			nl=$(cr manifest "${ref%:*}@$amd" | jq '.layers | length')
			img_all=0
			for m in $(jq -r '.manifests[] | select(.platform.os != "unknown") | .digest' <<<"$top"); do
				img_all=$((img_all + $(layer_sum "${ref%:*}@$m")))
			done
		else
			img_amd=$(layer_sum "$ref")
			nl=$(jq '.layers | length' <<<"$top")
			img_all=$img_amd
			kind=image
		fi
		bin=$(cr export --platform linux/amd64 "$ref" - | tar -tvf - 2>/dev/null | awk '$1 ~ /^-/ && $3 > m {m = $3} END {print m}')
		log "$tool, $plats: timing $runs warm runs..."
		read -r mean sd cpu < <(time_runs "$name" "$cmd")
		[ "$cpu" = - ] || cpu=$(printf '%.2f' "$cpu")
		rows+=("$(printf '%-9s %-23s %-11s %6.2f ± %4.2f s %6s s %10s %10s %10s  %-4s %s' "$tool" "$plats" "$kind,${nl}L" "$mean" "$sd" "$cpu" \
			"$(human "$img_amd")" "$(human "$img_all")" "$(human "$bin")" "$repro" "${d1:7:12}")")
	done
done

echo
echo "slimship $(git rev-parse --short HEAD 2>/dev/null) vs ko $("$ko" version) | $(go version | cut -d' ' -f3-) | $(nproc) CPUs | package $pkg | SOURCE_DATE_EPOCH=$epoch"
echo "base for both: slimship's minimal base layer; ko: --bare --sbom=none; warm Go build cache; $runs runs each"
printf '%-9s %-23s %-11s %-17s %8s %10s %10s %10s  %-4s %s\n' tool platforms output "wall (mean ± sd)" "cpu" "amd64 img" "all imgs" "binary" "repr" digest
printf '%s\n' "${rows[@]}"
echo "(output: manifest kind, layers of the linux/amd64 image; img = compressed layers; binary = linux/amd64 executable; repr = same digest from two builds)"
