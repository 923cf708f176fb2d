# shellcheck shell=bash
# Podman, and a Debian bookworm base image built once with debootstrap from
# the Debian mirror apt is configured with (no other network is needed).
# The root filesystem is cached as $SLIMSHIP_E2E_CACHE/bookworm-minbase.tar
# and imported as localhost/slimship-e2e-base:bookworm when missing.
# Containers here need small ulimits, and crun cannot run under the hybrid
# cgroup layout of some sandboxes (runc can): a containers.conf saying so is
# written to $SLIMSHIP_E2E_WORK and exported as CONTAINERS_CONF, so every
# podman run/build of the e2e tests works without extra flags.
# Exports SLIMSHIP_E2E_PODMAN=1 and SLIMSHIP_E2E_BASE_IMAGE.

e2e_debian_mirror() { # prints the URI apt uses for the bookworm suite
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    uri=$(awk '/^URIs:/{u=$2} /^Suites:/ && / bookworm( |$)/ && u!="" {print u; exit} /^$/{u=""}' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}

e2e_podman_setup() {
  local base=localhost/slimship-e2e-base:bookworm
  local tarball=$SLIMSHIP_E2E_CACHE/bookworm-minbase.tar
  if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
    e2e_apt_install --recommends podman uidmap fuse-overlayfs debootstrap ||
      { e2e_missing podman "apt-get install podman failed"; return; }
  fi
  local err
  if ! err=$(podman info 2>&1 >/dev/null); then
    e2e_missing podman "podman info failed: ${err:0:300}"
    return
  fi
  if ! podman image exists "$base"; then
    if [ ! -s "$tarball" ]; then
      local root mirror
      root=$(mktemp -d "$SLIMSHIP_E2E_CACHE/debootstrap.XXXXXX")
      mirror=$(e2e_debian_mirror)
      echo "e2e: debootstrap --variant=minbase bookworm from $mirror (once, ~2 min)" >&2
      if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$SLIMSHIP_E2E_CACHE/debootstrap.log" 2>&1; then
        rm -rf "$root"
        e2e_missing podman "debootstrap failed, see $SLIMSHIP_E2E_CACHE/debootstrap.log"
        return
      fi
      rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
      tar --numeric-owner -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
      rm -rf "$root"
    fi
    if ! podman import --change 'CMD ["/bin/bash"]' "$tarball" "$base" >/dev/null 2>&1; then
      e2e_missing podman "podman import $tarball failed"
      return
    fi
  fi
  local conf=$SLIMSHIP_E2E_WORK/containers.conf runtime
  for runtime in crun runc; do
    [ "$runtime" = runc ] && ! command -v runc >/dev/null && { e2e_apt_install runc || break; }
    printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "%s"\n' \
      "$runtime" >"$conf"
    if err=$(CONTAINERS_CONF=$conf podman run --rm --network none "$base" true 2>&1); then
      export CONTAINERS_CONF=$conf
      export SLIMSHIP_E2E_PODMAN=1
      export SLIMSHIP_E2E_BASE_IMAGE=$base
      return
    fi
  done
  e2e_missing podman "podman run fails with crun and runc: ${err:0:300}"
}
e2e_podman_setup
