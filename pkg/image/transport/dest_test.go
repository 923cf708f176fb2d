package transport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckDest(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dest, err string }{
		{filepath.Join(dir, "x.tar"), ""},
		{"docker-archive:" + filepath.Join(dir, "x.tar"), ""},
		{"oci:" + filepath.Join(dir, "layout"), ""},
		{"docker://localhost:5000/x:1", ""},
		{"podman:x", ""},
		{filepath.Join(dir, "missing", "x.tar"), "directory " + filepath.Join(dir, "missing") + " does not exist"},
		{"oci-archive:" + filepath.Join(dir, "missing", "x.tar"), "does not exist"},
		{"oci:" + filepath.Join(dir, "missing", "layout"), "does not exist"},
		{"docker-archive:" + filepath.Join(file, "x.tar"), "is not a directory"},
		{"docker-archive:" + dir, "is a directory"},
	} {
		err := CheckDest(c.dest)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("CheckDest(%q) = %v, want %q", c.dest, err, c.err)
		}
	}
}
