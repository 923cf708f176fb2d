# shellcheck shell=bash
# Defines e2e_apt_install, used by the other setup snippets: installs
# Debian packages that are missing, running `apt-get update` at most once
# per run. Returns non-zero (never exits) when it cannot install.

# e2e_apt_install [--recommends] PKG... installs the missing PKGs.
e2e_apt_install() {
  local recommends=--no-install-recommends
  if [ "${1:-}" = --recommends ]; then recommends=; shift; fi
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "e2e: cannot install ${missing[*]}: not root" >&2
    return 1
  fi
  if [ -z "${E2E_APT_UPDATED:-}" ]; then
    apt-get -qq -o DPkg::Lock::Timeout=600 update >&2 || return 1
    E2E_APT_UPDATED=1
  fi
  echo "e2e: apt-get install ${missing[*]}" >&2
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    $recommends "${missing[@]}" >/dev/null
}
