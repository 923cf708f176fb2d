//go:build e2e

// Package e2e holds end-to-end tests against real parts: podman, a
// registry, a Kubernetes API server. scripts/e2e/run.sh sets them up and
// exports SLIMSHIP_E2E_* variables; a test whose part is missing skips, or
// fails under CI=true.
package e2e

import (
	"os"
	"testing"
)

// Need returns the value of env var name, skipping the test (failing under
// CI=true) when it is unset.
func Need(t *testing.T, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not available (%s unset) under CI=true", what, name)
		}
		t.Skipf("%s is not available (%s unset): skipping", what, name)
	}
	return v
}

// Bin is the slimship binary built by run.sh.
func Bin(t *testing.T) string { return Need(t, "SLIMSHIP_BIN", "the slimship binary") }
