package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slimship/slimship/pkg/finding"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindPrefersNearestAndSlimship(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, ".hadolint.yaml"), "ignored: [DL3008]\n")
	write(t, filepath.Join(root, "a", "b", "Dockerfile"), "FROM x\n")
	c, err := ForPath("", filepath.Join(root, "a", "b", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Severity("DL3008", finding.Warning) != finding.Off {
		t.Fatal("hadolint config not used")
	}
	write(t, filepath.Join(root, ".slimship.yaml"), "override:\n  error: [DL3008]\nformat: tty\n")
	c, err = ForPath("", filepath.Join(root, "a", "b", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Severity("DL3008", finding.Warning); got != finding.Error {
		t.Fatalf("override: got %v", got)
	}
}

func TestBadYAMLIsAnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".slimship.yaml")
	write(t, p, "ignored: [\n")
	if _, err := Load(p); err == nil {
		t.Fatal("want error")
	}
	write(t, p, "failure-threshold: fatal\n")
	if _, err := Load(p); err == nil {
		t.Fatal("want error for bad threshold")
	}
}
