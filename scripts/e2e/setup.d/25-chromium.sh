# shellcheck shell=bash
# Debian's chromium, for the HTML report test. Exports SLIMSHIP_E2E_CHROMIUM.
if command -v chromium >/dev/null || e2e_apt_install chromium; then
  export SLIMSHIP_E2E_CHROMIUM=$(command -v chromium)
else
  e2e_missing chromium "apt-get install chromium failed"
fi
