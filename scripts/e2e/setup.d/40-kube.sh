# shellcheck shell=bash
# Sourced by scripts/e2e/run.sh (as root): a real Kubernetes control plane on
# 127.0.0.1 for the `slimship k8s deploy/rollback/status` e2e tests.
#
#   etcd                     Debian's etcd-server, private data dir
#   kube-apiserver           built from k8s.io/kubernetes (module proxy)
#   kube-controller-manager  (Deployment, ReplicaSet, HPA, node lifecycle ...)
#   kube-scheduler
#   kwok                     fakes one Node and the kubelet for its pods
#
# The binaries are built once into $SLIMSHIP_E2E_CACHE/bin/<name>-<version>.
# Exports SLIMSHIP_E2E_KUBECONFIG (and SLIMSHIP_E2E_KUBE_NODE_CPU, the fake
# node's allocatable CPU). Set SLIMSHIP_E2E_KUBE=0 to skip this part.
#
# Also runnable alone to warm the cache: `bash 40-kube.sh build`; run.sh
# does that in the background first (the marker below).
# e2e-prebuild

KUBE_VERSION=${KUBE_VERSION:-v1.31.4}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
KUBE_NODE_CPU=4

kube_log() { echo "kube: $*" >&2; }

# kube_free_port prints $1 when nothing listens on it, else a free port, so
# a developer's own cluster (or a second run) does not collide with this one.
kube_free_port() {
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then echo "$1"; return; fi
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# kube_build builds kube-apiserver, kube-controller-manager and
# kube-scheduler into $SLIMSHIP_E2E_CACHE/bin/kube-$KUBE_VERSION, and kwok
# into $SLIMSHIP_E2E_CACHE/bin/kwok-$KWOK_VERSION, unless already there.
kube_build() (
  set -eo pipefail
  export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-buildvcs=false
  local bin="$SLIMSHIP_E2E_CACHE/bin/kube-$KUBE_VERSION"
  local kbin="$SLIMSHIP_E2E_CACHE/bin/kwok-$KWOK_VERSION"
  if [ ! -x "$bin/kube-scheduler" ] || [ ! -x "$bin/kube-apiserver" ] || [ ! -x "$bin/kube-controller-manager" ]; then
    local mod="$SLIMSHIP_E2E_CACHE/kube-build/$KUBE_VERSION"
    mkdir -p "$mod"
    cd "$mod"
    local staging=${KUBE_VERSION/#v1./v0.}
    local gomod
    gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
    [ -n "$gomod" ] || { kube_log "cannot download k8s.io/kubernetes@$KUBE_VERSION"; return 1; }
    {
      echo "module slimship.local/kube-build"
      echo
      echo "go 1.22.0"
      echo
      echo "require k8s.io/kubernetes $KUBE_VERSION"
      echo
      echo "replace ("
      sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => \./staging/.*|\t\1 => \1 '"$staging"'|p' "$gomod"
      echo ")"
    } >go.mod
    cat >tools.go <<'EOF'
//go:build tools

// Package tools pins the Kubernetes commands this module builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
EOF
    kube_log "building kube-apiserver, kube-controller-manager, kube-scheduler $KUBE_VERSION (several minutes, once)"
    go mod tidy
    local v=k8s.io/component-base/version major=${KUBE_VERSION#v}
    local minor=${major#*.}
    local ld="-s -w -X $v.gitVersion=$KUBE_VERSION -X $v.gitMajor=${major%%.*} -X $v.gitMinor=${minor%%.*} -X $v.gitTreeState=clean"
    mkdir -p "$bin.tmp"
    go build -mod=mod -trimpath -ldflags "$ld" -o "$bin.tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler
    rm -rf "$bin" && mv "$bin.tmp" "$bin"
  fi
  if [ ! -x "$kbin/kwok" ]; then
    kube_log "building kwok $KWOK_VERSION"
    mkdir -p "$kbin.tmp"
    GOBIN="$kbin.tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    rm -rf "$kbin" && mv "$kbin.tmp" "$kbin"
  fi
)

# kube_wait runs command every 0.2s until it succeeds or seconds pass.
kube_wait() { # seconds command...
  local n=$(($1 * 5))
  shift
  while [ "$n" -gt 0 ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
    n=$((n - 1))
  done
  return 1
}

# kube_node_has/kube_node_lacks grep the fake node's JSON (api is
# kube_start's curl command).
kube_node_has() { "${api[@]}" "https://127.0.0.1:$KUBE_API_PORT/api/v1/nodes/kwok-node-0" | grep -qF "$1"; }
kube_node_lacks() {
  local j
  j=$("${api[@]}" "https://127.0.0.1:$KUBE_API_PORT/api/v1/nodes/kwok-node-0") && ! grep -qF "$1" <<<"$j"
}

kube_start() {
  local bin="$SLIMSHIP_E2E_CACHE/bin/kube-$KUBE_VERSION"
  local kwok="$SLIMSHIP_E2E_CACHE/bin/kwok-$KWOK_VERSION/kwok"
  local d="$SLIMSHIP_E2E_WORK/kube"
  mkdir -p "$d/etcd" && chmod 700 "$d" "$d/etcd"
  KUBE_API_PORT=$(kube_free_port 6443)
  KUBE_ETCD_PORT=$(kube_free_port 23790)
  KUBE_ETCD_PEER_PORT=$(kube_free_port 23800)
  KUBE_ETCD_METRICS_PORT=$(kube_free_port 23810)

  # Credentials: one admin token (system:masters) used by everything here,
  # the service-account key pair, a self-signed serving certificate.
  local token
  token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  echo "$token,slimship-admin,slimship-admin,\"system:masters\"" >"$d/tokens.csv"
  if ! { openssl genrsa -out "$d/sa.key" 2048 &&
    openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$d/serving.key" -out "$d/serving.crt"; } 2>"$d/openssl.log"; then
    e2e_missing "Kubernetes API server" "openssl failed: $(tail -2 "$d/openssl.log")"
    return 1
  fi

  cat >"$d/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$KUBE_API_PORT
    certificate-authority: $d/serving.crt
users:
- name: admin
  user:
    token: $token
contexts:
- name: e2e
  context: {cluster: e2e, user: admin, namespace: default}
current-context: e2e
EOF
  chmod 600 "$d/kubeconfig" "$d/tokens.csv"

  etcd --name e2e --data-dir "$d/etcd" \
    --listen-client-urls "http://127.0.0.1:$KUBE_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$KUBE_ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$KUBE_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$KUBE_ETCD_PEER_PORT" \
    --initial-cluster e2e="http://127.0.0.1:$KUBE_ETCD_PEER_PORT" \
    --listen-metrics-urls "http://127.0.0.1:$KUBE_ETCD_METRICS_PORT" \
    >"$d/etcd.log" 2>&1 &
  E2E_PIDS+=($!)
  kube_wait 20 curl -fsS "http://127.0.0.1:$KUBE_ETCD_PORT/health" ||
    { e2e_missing "Kubernetes API server" "etcd did not start: $(tail -3 "$d/etcd.log")"; return 1; }

  "$bin/kube-apiserver" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$KUBE_API_PORT" \
    --etcd-servers="http://127.0.0.1:$KUBE_ETCD_PORT" \
    --tls-cert-file="$d/serving.crt" --tls-private-key-file="$d/serving.key" \
    --token-auth-file="$d/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$d/sa.pub" --service-account-signing-key-file="$d/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 --endpoint-reconciler-type=none \
    --allow-privileged=true \
    >"$d/kube-apiserver.log" 2>&1 &
  E2E_PIDS+=($!)
  kube_wait 90 curl -fsS --cacert "$d/serving.crt" -H "Authorization: Bearer $token" "https://127.0.0.1:$KUBE_API_PORT/readyz" ||
    { e2e_missing "Kubernetes API server" "kube-apiserver not ready: $(tail -5 "$d/kube-apiserver.log")"; return 1; }

  "$bin/kube-controller-manager" \
    --kubeconfig="$d/kubeconfig" --bind-address=127.0.0.1 --secure-port=10257 \
    --service-account-private-key-file="$d/sa.key" --root-ca-file="$d/serving.crt" \
    --leader-elect=false --controllers='*,-bootstrapsigner,-tokencleaner' \
    --node-monitor-grace-period=60s \
    --horizontal-pod-autoscaler-sync-period=2s \
    >"$d/kube-controller-manager.log" 2>&1 &
  E2E_PIDS+=($!)
  "$bin/kube-scheduler" \
    --kubeconfig="$d/kubeconfig" --bind-address=127.0.0.1 --secure-port=10259 \
    --leader-elect=false \
    >"$d/kube-scheduler.log" 2>&1 &
  E2E_PIDS+=($!)

  # kwok with the "fast" node and pod stages from its own module.
  local kdir
  kdir=$(cd "$SLIMSHIP_E2E_CACHE" && GOTOOLCHAIN=local GOWORK=off go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$kdir/kustomize/stage" ] || { e2e_missing "Kubernetes API server" "cannot find kwok's stages in the module cache"; return 1; }
  # Only Stage objects: kwok keeps its default KwokConfiguration options.
  {
    for f in "$kdir"/kustomize/stage/node/fast/*.yaml "$kdir"/kustomize/stage/pod/fast/*.yaml; do
      [ "$(basename "$f")" = kustomization.yaml ] && continue
      echo "---"
      cat "$f"
    done
  } >"$d/kwok.yaml"
  "$kwok" --kubeconfig="$d/kubeconfig" --config="$d/kwok.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 --cidr=10.244.0.1/24 --node-lease-duration-seconds=40 \
    --server-address=127.0.0.1:10247 \
    >"$d/kwok.log" 2>&1 &
  local kwok_pid=$!
  E2E_PIDS+=("$kwok_pid")

  local api=(curl -fsS --cacert "$d/serving.crt" -H "Authorization: Bearer $token")
  "${api[@]}" -X POST -H 'Content-Type: application/json' "https://127.0.0.1:$KUBE_API_PORT/api/v1/nodes" -d '{
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "kwok-node-0",
      "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
      "labels": {"kubernetes.io/hostname": "kwok-node-0", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "type": "kwok"}},
    "status": {
      "allocatable": {"cpu": "'$KUBE_NODE_CPU'", "memory": "16Gi", "pods": "110"},
      "capacity": {"cpu": "'$KUBE_NODE_CPU'", "memory": "16Gi", "pods": "110"}}}' >/dev/null ||
    { e2e_missing "Kubernetes API server" "cannot create the kwok node"; return 1; }
  # Ready once kwok has initialised the node; the node-lifecycle controller
  # then lifts the not-ready taint (remove it ourselves if it is slow).
  kube_wait 60 kube_node_has '"type": "Ready"' ||
    { e2e_missing "Kubernetes API server" "kwok did not initialise the node: $(tail -5 "$d/kwok.log")"; return 1; }
  if ! kube_wait 20 kube_node_lacks node.kubernetes.io/not-ready; then
    "${api[@]}" -X PATCH -H 'Content-Type: application/merge-patch+json' \
      "https://127.0.0.1:$KUBE_API_PORT/api/v1/nodes/kwok-node-0" -d '{"spec":{"taints":null}}' >/dev/null
  fi
  kill -0 "$kwok_pid" 2>/dev/null ||
    { e2e_missing "Kubernetes API server" "kwok exited: $(tail -2 "$d/kwok.log")"; return 1; }
  kube_wait 30 "${api[@]}" "https://127.0.0.1:$KUBE_API_PORT/api/v1/namespaces/default/serviceaccounts/default" ||
    { e2e_missing "Kubernetes API server" "no default service account: $(tail -5 "$d/kube-controller-manager.log")"; return 1; }

  export SLIMSHIP_E2E_KUBECONFIG="$d/kubeconfig"
  export SLIMSHIP_E2E_KUBE_NODE_CPU=$KUBE_NODE_CPU
  kube_log "control plane ready at https://127.0.0.1:$KUBE_API_PORT (KUBECONFIG=$SLIMSHIP_E2E_KUBECONFIG)"
}

kube_setup() {
  if [ "${SLIMSHIP_E2E_KUBE:-1}" = 0 ]; then
    e2e_missing "Kubernetes API server" "SLIMSHIP_E2E_KUBE=0"
    return 0
  fi
  if ! command -v etcd >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      # Wait for the dpkg lock: other setup snippets may be installing too.
      { apt-get -o DPkg::Lock::Timeout=600 update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq etcd-server; } >/dev/null 2>&1
    fi
    # The package may start its own etcd on :2379; we run a private one.
    if command -v etcd >/dev/null && command -v service >/dev/null; then service etcd stop >/dev/null 2>&1 || true; fi
  fi
  command -v etcd >/dev/null || { e2e_missing "Kubernetes API server" "etcd not installed (apt-get install etcd-server)"; return 0; }
  command -v openssl >/dev/null || { e2e_missing "Kubernetes API server" "openssl not installed"; return 0; }
  command -v curl >/dev/null || { e2e_missing "Kubernetes API server" "curl not installed"; return 0; }
  kube_build >"$SLIMSHIP_E2E_CACHE/kube-build.log" 2>&1 ||
    { e2e_missing "Kubernetes API server" "build failed, see $SLIMSHIP_E2E_CACHE/kube-build.log: $(tail -3 "$SLIMSHIP_E2E_CACHE/kube-build.log")"; return 0; }
  kube_start || true
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run directly: only warm the build cache.
  SLIMSHIP_E2E_CACHE=${SLIMSHIP_E2E_CACHE:-$HOME/.cache/slimship-e2e}
  [ "${1:-}" = build ] && { kube_build; exit; }
  echo "usage: $0 build   (normally sourced by scripts/e2e/run.sh)" >&2
  exit 2
else
  kube_setup
fi
