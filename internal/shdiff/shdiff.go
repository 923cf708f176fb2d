// Package shdiff holds what the differential shell tests of fix and the
// RUN join compare: what a run printed and the files it left.
package shdiff

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Output is what a run printed: stdout as written, and stderr as a
// multiset of bytes, because the two sides of a pipe (`cat f | f`) write
// their errors concurrently, interleaved even within a line.
func Output(stdout, stderr []byte) string {
	c := append([]byte(nil), stderr...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return string(stdout) + "\n-- stderr, its bytes sorted --\n" + string(c)
}

// Files lists every file and directory under root (path, mode and, for
// regular files, content), sorted; skip leaves out paths relative to root.
func Files(root string, skip func(rel string) bool) string {
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if skip != nil && skip(rel) {
			return nil
		}
		info, _ := d.Info()
		line := rel + " " + info.Mode().String()
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			line += " " + string(b)
		}
		files = append(files, line)
		return nil
	})
	sort.Strings(files)
	return strings.Join(files, "\n")
}
