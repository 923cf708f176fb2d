//go:build e2e

// Package e2e holds end-to-end tests against real parts: podman, a
// registry, a Kubernetes API server. scripts/e2e/run.sh sets them up and
// exports SLIMSHIP_E2E_* variables; a test whose part is missing skips, or
// fails under CI=true.
package e2e

import (
	"os"
	"strings"
	"testing"
	"time"
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

// Built waits for a tool a setup script builds in the background: env
// names the binary's path, env+"_STATUS" the file the build writes when it
// ends ("ok", or "failed: why"). It skips like Need when env is unset and
// fails when the build failed or did not end within timeout.
func Built(t *testing.T, env, what string, timeout time.Duration) string {
	t.Helper()
	bin := Need(t, env, what)
	status := os.Getenv(env + "_STATUS")
	start := time.Now()
	for status != "" {
		b, err := os.ReadFile(status)
		if err == nil && len(b) > 0 {
			if s := strings.TrimSpace(string(b)); s != "ok" {
				t.Fatalf("%s: build %s", what, s)
			}
			break
		}
		if time.Since(start) > timeout {
			t.Fatalf("%s: still building after %s (%s)", what, timeout, status)
		}
		if time.Since(start) < time.Second {
			t.Logf("waiting for %s to be built", what)
		}
		time.Sleep(2 * time.Second)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Logf("waited %s for %s", d.Round(time.Second), what)
	}
	return bin
}
