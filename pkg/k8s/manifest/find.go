package manifest

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// Find returns the manifest files under dir, in lexical order: *.yaml,
// *.yml and *.json (any case) regular files, skipping hidden files and
// directories and dependency trees (node_modules, vendor). `k8s lint` and
// `k8s deploy` both select files with it.
func Find(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}
