package unit

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// Find returns the unit files `edge lint` checks under dir, in lexical
// order: *.service and *.container regular files, skipping hidden files and
// directories.
func Find(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".service", ".container":
			if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}
