# shellcheck shell=bash
# A local distribution registry (Debian's docker-registry) on
# 127.0.0.1:<free port>, plus skopeo (Debian) and crane (built with the
# go-containerregistry version in go.mod, cached in $SLIMSHIP_E2E_CACHE/bin).
# Exports SLIMSHIP_E2E_REGISTRY, SLIMSHIP_E2E_REGISTRY_CONFIG (its config.yml,
# for docker-registry garbage-collect), SLIMSHIP_E2E_SKOPEO and
# SLIMSHIP_E2E_CRANE.

e2e_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

e2e_registry_setup() {
  command -v curl >/dev/null || e2e_apt_install curl
  command -v docker-registry >/dev/null || e2e_apt_install docker-registry ||
    { e2e_missing registry "apt-get install docker-registry failed"; return; }
  local port dir
  port=$(e2e_free_port)
  dir=$SLIMSHIP_E2E_WORK/registry
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<CFG
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CFG
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  local pid=$!
  E2E_PIDS+=("$pid")
  local i
  for i in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
      export SLIMSHIP_E2E_REGISTRY=127.0.0.1:$port
      export SLIMSHIP_E2E_REGISTRY_CONFIG=$dir/config.yml
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  e2e_missing registry "docker-registry did not answer on 127.0.0.1:$port: $(tail -c 300 "$dir/log")"
}

e2e_skopeo_setup() {
  command -v skopeo >/dev/null || e2e_apt_install skopeo ||
    { e2e_missing skopeo "apt-get install skopeo failed"; return; }
  export SLIMSHIP_E2E_SKOPEO=$(command -v skopeo)
}

e2e_crane_setup() {
  local ver bin=$SLIMSHIP_E2E_CACHE/bin
  ver=$(go list -m -f '{{.Version}}' github.com/google/go-containerregistry 2>/dev/null)
  if [ -z "$ver" ]; then
    e2e_missing crane "go-containerregistry is not in go.mod"
    return
  fi
  if [ ! -x "$bin/crane" ] || [ "$(cat "$bin/crane.version" 2>/dev/null)" != "$ver" ]; then
    mkdir -p "$bin"
    if ! GOBIN=$bin go install "github.com/google/go-containerregistry/cmd/crane@$ver" >&2; then
      e2e_missing crane "go install crane@$ver failed"
      return
    fi
    echo "$ver" >"$bin/crane.version"
  fi
  export SLIMSHIP_E2E_CRANE=$bin/crane
}

e2e_registry_setup
e2e_skopeo_setup
e2e_crane_setup
