package transport

import (
	"fmt"
	"os"
	"path/filepath"
)

// CheckDest checks that Write can store an image at dest before any work is
// done: for archives and layouts, the parent directory must exist (Write
// creates no directories but an OCI layout's own), and an archive's path
// must not be a directory.
func CheckDest(dest string) error {
	ref, err := ParseRef(dest, nil)
	if err != nil {
		return err
	}
	if ref.Kind == Path {
		ref = guessWriteKind(ref.Path)
	}
	switch ref.Kind {
	case DockerArchive, OCIArchive, OCILayout:
	default:
		return nil
	}
	parent := filepath.Dir(absOrSelf(ref.Path))
	st, err := os.Stat(parent)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("%s: parent directory %s does not exist", ref.Path, parent)
	case err != nil:
		return fmt.Errorf("%s: %v", ref.Path, err)
	case !st.IsDir():
		return fmt.Errorf("%s: %s is not a directory", ref.Path, parent)
	}
	if ref.Kind != OCILayout {
		if st, err := os.Stat(ref.Path); err == nil && st.IsDir() {
			return fmt.Errorf("%s: is a directory; write %s:%s to an archive file, or oci:%s", ref.Path, ref.Kind, ref.Path, ref.Path)
		}
	}
	return nil
}
