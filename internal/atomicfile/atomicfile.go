// Package atomicfile writes files whole or not at all: through a temporary
// file in the same directory, synced and renamed over the target, so a
// reader (or a crash) never sees half a file and the old file stays intact
// until the new one is complete.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// WriteFunc writes path with the content fn produces, with mode perm.
func WriteFunc(path string, perm os.FileMode, fn func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".slimship-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Write writes data to path with mode perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
