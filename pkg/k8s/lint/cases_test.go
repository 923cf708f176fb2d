package lint

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEveryCaseDirNamesARule is the other half of TestChecks: every
// directory under testdata/checks names a rule, so no case is left
// behind when a rule is renamed or removed.
func TestEveryCaseDirNamesARule(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range All() {
		ids[r.ID] = true
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "checks"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !ids[e.Name()] {
			t.Errorf("testdata/checks/%s names no rule", e.Name())
		}
	}
}
