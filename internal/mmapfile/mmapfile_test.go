package mmapfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSameAsReadFile: Read returns what os.ReadFile returns, for any
// content (empty included), and Close releases it.
func FuzzSameAsReadFile(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("{\"id\":\"GO-2023-1571\"}\n"))
	f.Add(bytes.Repeat([]byte{0, 1, 2, '\n'}, 5000))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, want) {
			t.Fatalf("Read: %d bytes, os.ReadFile: %d bytes", len(got.Data), len(want))
		}
		if err := got.Close(); err != nil || got.Data != nil {
			t.Fatalf("Close: %v, data %v", err, got.Data != nil)
		}
	})
}

func TestErrors(t *testing.T) {
	if _, err := Read(filepath.Join(t.TempDir(), "missing")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Read(t.TempDir()); err == nil {
		t.Errorf("directory: no error")
	}
}
