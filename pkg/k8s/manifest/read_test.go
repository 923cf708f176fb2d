package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReadFileLikeOS: readFile returns what os.ReadFile returns, errors
// included.
func TestReadFileLikeOS(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"testdata/stack.yaml", empty, dir, filepath.Join(dir, "missing.yaml"), ""} {
		got, gotErr := readFile(p)
		want, wantErr := os.ReadFile(p)
		if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("readFile(%q) = %d bytes, %v; os.ReadFile: %d bytes, %v", p, len(got), gotErr, len(want), wantErr)
		}
	}
}
