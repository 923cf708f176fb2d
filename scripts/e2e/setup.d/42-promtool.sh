# shellcheck shell=bash
# promtool from Debian's prometheus package, for e2e/k8s_alerts_test.go:
# `promtool check rules` and `promtool test rules` on what `slimship k8s
# alerts` generates. Exports SLIMSHIP_E2E_PROMTOOL.

promtool_setup() {
  if ! command -v promtool >/dev/null; then
    e2e_apt_install prometheus || echo "e2e: apt-get install prometheus failed" >&2
    # Without a policy-rc.d the package starts a Prometheus server on :9090;
    # only promtool is wanted (as 40-kube.sh stops Debian's etcd).
    if command -v promtool >/dev/null && command -v service >/dev/null; then
      service prometheus stop >/dev/null 2>&1 || true
    fi
  fi
  if ! command -v promtool >/dev/null; then
    e2e_missing promtool "not installed (apt-get install prometheus)"
    return
  fi
  export SLIMSHIP_E2E_PROMTOOL
  SLIMSHIP_E2E_PROMTOOL=$(command -v promtool)
  echo "e2e: $("$SLIMSHIP_E2E_PROMTOOL" --version 2>&1 | head -1)" >&2
}
promtool_setup
