// Package atomicfile writes files whole or not at all: through a temporary
// file in the same directory, synced and renamed over the target, so a
// reader (or a crash) never sees half a file and the old file stays intact
// until the new one is complete.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CheckTarget reports, before any work is done, why path cannot take a
// file written by WriteFunc: it is empty, it is a directory or another
// non-regular file, or its parent directory is missing or not a directory.
// Commands whose output is one file check it this way, so a wrong -o is
// a clear usage error and no directory is created on the way.
func CheckTarget(path string) error {
	if path == "" {
		return fmt.Errorf("empty output path")
	}
	if err := checkNotDir(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("%s: parent directory %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case !st.IsDir():
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	return nil
}

// checkNotDir refuses an existing target that is not a regular file: the
// rename would fail (a directory) or replace a device node.
func checkNotDir(path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil
	case st.IsDir():
		return fmt.Errorf("%s is a directory: name a file to write", path)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file: name a file to write", path)
	}
	return nil
}

// WriteFunc writes path with the content fn produces, with mode perm.
// Missing parent directories are created (CheckTarget first refuses them);
// an existing directory at path is refused.
func WriteFunc(path string, perm os.FileMode, fn func(io.Writer) error) error {
	if err := checkNotDir(path); err != nil {
		return err
	}
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
