package bounded

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadFileLikeOS: ReadFile returns what os.ReadFile returns, errors
// included.
func TestReadFileLikeOS(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	self := "read_test.go"
	for _, p := range []string{self, empty, dir, filepath.Join(dir, "missing.yaml"), ""} {
		got, gotErr := ReadFile(p, 1<<20)
		want, wantErr := os.ReadFile(p)
		if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("ReadFile(%q) = %d bytes, %v; os.ReadFile: %d bytes, %v", p, len(got), gotErr, len(want), wantErr)
		}
	}
}

// TestLimit: a file, a device and a reader larger than the limit are
// errors naming the input and the limit, and reading /dev/zero stops at the
// limit instead of growing without bound.
func TestLimit(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error, name string) {
		t.Helper()
		var tl *TooLargeError
		if !errors.As(err, &tl) || !strings.Contains(err.Error(), name+": larger than 1024 bytes") {
			t.Errorf("%s: err %v, want larger than 1024 bytes naming %s", what, err, name)
		}
	}
	_, err := ReadFile(big, 1024)
	check("file", err, big)
	if b, err := ReadFile(big, 2048); err != nil || len(b) != 2048 {
		t.Errorf("file at the limit: %d bytes, %v", len(b), err)
	}
	_, err = Read("stdin", bytes.NewReader(make([]byte, 1025)), 1024)
	check("reader", err, "stdin")
	if _, err := os.Stat("/dev/zero"); err == nil {
		start := time.Now()
		_, err = ReadFile("/dev/zero", 1024)
		check("/dev/zero", err, "/dev/zero")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("/dev/zero took %v", d)
		}
	}
}
