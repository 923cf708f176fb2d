# shellcheck shell=bash
# dive (wagoodman/dive), built once from the Go module proxy in a throwaway
# module under $SLIMSHIP_E2E_CACHE, to compare `slimship analyze` with
# dive's CI figures. Exports SLIMSHIP_E2E_DIVE.

e2e_dive_setup() {
  local dir=$SLIMSHIP_E2E_CACHE/dive bin=$SLIMSHIP_E2E_CACHE/bin/dive
  if [ ! -x "$bin" ]; then
    mkdir -p "$dir" "$SLIMSHIP_E2E_CACHE/bin"
    echo "e2e: building dive (once)" >&2
    if ! (
      cd "$dir" &&
        { [ -f go.mod ] || go mod init slimship-e2e/dive >/dev/null 2>&1; } &&
        GOFLAGS=-mod=mod go get github.com/wagoodman/dive@latest >"$dir/build.log" 2>&1 &&
        { GOFLAGS=-mod=mod go build -o "$bin.tmp" github.com/wagoodman/dive/cmd/dive >>"$dir/build.log" 2>&1 ||
          GOFLAGS=-mod=mod go build -o "$bin.tmp" github.com/wagoodman/dive >>"$dir/build.log" 2>&1; } &&
        mv "$bin.tmp" "$bin"
    ); then
      e2e_missing dive "building dive failed, see $dir/build.log"
      return
    fi
  fi
  export SLIMSHIP_E2E_DIVE=$bin
}
e2e_dive_setup
