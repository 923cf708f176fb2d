// Package golden compares test output with files under testdata/. Run
// `go test ./... -update` to rewrite them.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// Update rewrites golden files instead of comparing.
var Update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Assert compares got with the file at path (relative to the test's package).
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from golden file (run with -update to accept)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
