#!/usr/bin/env bash
# Compare `slimship k8s lint` with kube-score on the shared manifest corpus:
# agreement on the checks both have, speed side by side, and kube-score on
# slimship's generated manifests (no CRITICAL expected).
#
# usage: bench/k8s/kube-score-agreement.sh [CORPUS_DIR]   (default ../shared/corpus/k8s)
# Needs go, python3 (PyYAML for the scaled speed run). Installs kube-score
# from the Go module proxy into a temporary GOBIN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${1:-$root/../shared/corpus/k8s}
KUBE_SCORE_VERSION=${KUBE_SCORE_VERSION:-v1.20.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== building slimship and installing kube-score $KUBE_SCORE_VERSION"
# Both built as they are released: slimship as `make build` does, kube-score
# as its .goreleaser.yml does (CGO_ENABLED=0). A cgo build of slimship links
# dynamically and pays the loader on every run (~6 ms CPU here).
(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/slimship" ./cmd/slimship)
CGO_ENABLED=0 GOBIN="$work/bin" GOFLAGS= go install -trimpath "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
ks="$work/bin/kube-score"
ss="$work/slimship"

# kube-score cannot parse JSON-flow-style YAML; list what it can read.
files=()
unparsed=()
for f in "$corpus"/*.yaml "$corpus"/*.yml "$corpus"/*.json; do
	[ -e "$f" ] || continue
	if "$ks" score -o json "$f" >/dev/null 2>"$work/err" || ! grep -q "Failed to" "$work/err"; then
		files+=("$f")
	else
		unparsed+=("$(basename "$f")")
	fi
done
echo "corpus: ${#files[@]} files kube-score reads; it fails on: ${unparsed[*]:-none}"
if [ ${#unparsed[@]} -gt 0 ]; then
	n=$("$ss" k8s lint -f json "${unparsed[@]/#/$corpus/}" 2>/dev/null | python3 -c "import json,sys; print(len({(f[\"object\"][\"kind\"], f[\"object\"][\"name\"]) for f in json.load(sys.stdin)[\"findings\"]}))" || true)
	echo "slimship reads them: findings on $n objects"
fi

echo "== agreement (checks both have)"
# kube-score's default --kubernetes-version is v1.18, which hides APIs
# deprecated later; compare against a current cluster. container-seccomp-profile
# is optional in kube-score and on by default in slimship.
ksflags=(--kubernetes-version v1.33 --enable-optional-test container-seccomp-profile)
"$ks" score -o json "${ksflags[@]}" "${files[@]}" >"$work/ks.json" || true
"$ss" k8s lint -f json "${files[@]}" >"$work/ss.json" 2>"$work/ss.err" || true
"$ss" rules --domain kubernetes --format json >"$work/rules.json"
python3 "$here/compare.py" "$work/ks.json" "$work/ss.json" "$work/rules.json"

echo "== speed: the whole corpus in one process, 10 interleaved runs each"
objects=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/ks.json")
python3 "$here/speed.py" 10 "$objects" -- "$ks" score -o json "${ksflags[@]}" "${files[@]}" -- "$ss" k8s lint -f json "${files[@]}"

echo "== speed: the engines alone, in one process each (no process start-up), 20 rounds"
# Round 1 pays every first-use cost, later rounds are the steady state.
# kube-score's engine is built from its own module (it needs k8s.io/api v0.32).
(cd "$here/inproc/kubescore" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$work/ks-inproc" .)
(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$work/ss-inproc" ./bench/k8s/inproc/slimship)
"$work/ks-inproc" -rounds 20 "${files[@]}" >"$work/ks-inproc.out"
"$work/ss-inproc" -rounds 20 "${files[@]}" >"$work/ss-inproc.out"
python3 "$here/inproc/compare.py" "$objects" "$work/ks-inproc.out" "$work/ss-inproc.out"

if python3 -c 'import yaml' 2>/dev/null; then
	echo "== speed: 20 copies of the corpus, each in its own namespaces, 3 runs each"
	n=$(python3 "$here/scale.py" 20 "$work/scaled" "${files[@]}")
	python3 "$here/speed.py" 3 "$n" -- "$ks" score -o json "${ksflags[@]}" "$work"/scaled/* -- "$ss" k8s lint -f json "$work"/scaled/*
fi

echo "== kube-score on generated manifests (want no CRITICAL)"
gen="$work/gen"
mkdir -p "$gen"
"$ss" k8s generate --name web --image registry.example.com/web:1.4.2 --port 8080 --host web.example.com --tls-secret web-tls --hpa-cpu 70 >"$gen/hpa.yaml"
"$ss" k8s generate --name worker --image registry.example.com/worker:2.0.0 --port 9000 --namespace jobs \
	--keda-prometheus http://prometheus.monitoring:9090 --keda-query 'sum(rate(jobs_total[1m]))' --keda-threshold 50 >"$gen/keda.yaml"
"$ss" k8s generate --name api --image registry.example.com/api:3.1.0 --port 8443 --service-type LoadBalancer --startup-probe --hpa-memory 80 --min 3 --max 12 >"$gen/api.yaml"
for f in "$gen"/*.yaml; do
	out=$("$ks" score --output-format ci "${ksflags[@]}" "$f" || true)
	crit=$(grep -c '^\[CRITICAL\]' <<<"$out" || true)
	echo "$(basename "$f"): kube-score CRITICAL=$crit WARNING=$(grep -c '^\[WARNING\]' <<<"$out" || true)"
	grep -E '^\[(CRITICAL|WARNING)\]' <<<"$out" || true
	"$ss" k8s lint --fail-on warning "$f" >/dev/null && echo "$(basename "$f"): slimship k8s lint clean at warning"
done
