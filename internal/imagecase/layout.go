package imagecase

import (
	"os"
	"path/filepath"

	"github.com/slimship/slimship/pkg/finding"
)

// Errorer is the part of testing.TB the layout check reports through.
type Errorer interface {
	Errorf(format string, args ...any)
	Fatal(args ...any)
}

// CheckLayout checks an image domain's case layout: every rule has
// dir/<ID>/bad.image and good.image, and every directory names a rule.
func CheckLayout(t Errorer, dir string, rules []finding.Rule) {
	ids := map[string]bool{}
	for _, r := range rules {
		ids[r.ID] = true
		for _, f := range []string{"bad.image", "good.image"} {
			if _, err := os.Stat(filepath.Join(dir, r.ID, f)); err != nil {
				t.Errorf("%s: %v", r.ID, err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !ids[e.Name()] {
			t.Errorf("%s/%s names no rule", dir, e.Name())
		}
	}
}
