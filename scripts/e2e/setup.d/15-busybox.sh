# shellcheck shell=bash
# A static busybox binary, for the slim test that runs a busybox-like image
# (every applet a hardlink to one binary). Debian's busybox-static package
# holds only /bin/busybox (and its docs): it is fetched with `apt-get
# download` and unpacked under $SLIMSHIP_E2E_CACHE, so nothing is installed
# on the host (busybox-static conflicts with the busybox package).
# Exports SLIMSHIP_E2E_BUSYBOX.

e2e_busybox_setup() {
  local dir=$SLIMSHIP_E2E_CACHE/busybox-static bin=$SLIMSHIP_E2E_CACHE/busybox-static/bin/busybox
  if [ ! -x "$bin" ]; then
    local tmp
    tmp=$(mktemp -d "$SLIMSHIP_E2E_CACHE/busybox.XXXXXX")
    if ! (cd "$tmp" && apt-get download busybox-static >/dev/null 2>&1 && dpkg-deb -x busybox-static_*.deb root); then
      rm -rf "$tmp"
      e2e_missing busybox "apt-get download busybox-static failed"
      return
    fi
    rm -rf "$dir" && mv "$tmp/root" "$dir" && rm -rf "$tmp"
  fi
  export SLIMSHIP_E2E_BUSYBOX=$bin
}
e2e_busybox_setup
