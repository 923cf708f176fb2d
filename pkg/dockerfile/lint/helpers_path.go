package lint

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// workdirTracker follows WORKDIR through a stage chain.
type workdirTracker struct{ dir string }

func (w *workdirTracker) apply(in *dockerfile.Instruction) {
	if in.Cmd == "workdir" && len(in.Args) > 0 {
		w.dir = w.abs(in.Args[0])
	}
}

// abs resolves p against the current WORKDIR ("/" by default).
func (w *workdirTracker) abs(p string) string {
	p = unquote(p)
	if strings.HasPrefix(p, "~") {
		p = "/root" + p[1:]
	}
	if strings.HasPrefix(p, "$HOME") {
		p = "/root" + p[5:]
	}
	if !strings.HasPrefix(p, "/") {
		d := w.dir
		if d == "" {
			d = "/"
		}
		p = d + "/" + p
	}
	return path.Clean(p)
}

// copyParts splits COPY/ADD arguments into sources and destination.
func copyParts(in *dockerfile.Instruction) (srcs []string, dest string) {
	if len(in.Heredocs) > 0 || len(in.Args) < 2 {
		if len(in.Args) >= 1 {
			return nil, in.Args[len(in.Args)-1]
		}
		return nil, ""
	}
	return in.Args[:len(in.Args)-1], in.Args[len(in.Args)-1]
}

// copyFrom returns the --from value of a COPY, or "".
func copyFrom(in *dockerfile.Instruction) string {
	v, _ := in.Flag("from")
	return v
}

// wholeContext reports whether a COPY/ADD (from the context) copies the
// whole build context.
func wholeContext(in *dockerfile.Instruction) bool {
	if (in.Cmd != "copy" && in.Cmd != "add") || copyFrom(in) != "" {
		return false
	}
	srcs, _ := copyParts(in)
	for _, s := range srcs {
		switch strings.TrimSuffix(unquote(s), "/") {
		case ".", "", "*", "./*", "./.":
			return true
		}
	}
	return false
}

// pathCovers reports whether removing/changing target touches p: equal,
// target is a parent of p, p is a parent of target, or a glob match.
func pathCovers(target, p string) bool {
	if target == p || strings.HasPrefix(p, strings.TrimSuffix(target, "/")+"/") || strings.HasPrefix(target, strings.TrimSuffix(p, "/")+"/") {
		return true
	}
	if strings.ContainsAny(target, "*?[") {
		if ok, _ := path.Match(target, p); ok {
			return true
		}
		// target glob over the children of p ("/var/lib/apt/lists/*" vs "/var/lib/apt/lists/*")
		if ok, _ := path.Match(path.Dir(target), p); ok {
			return true
		}
	}
	return false
}

// copyRecord is a COPY/ADD and where its files went.
type copyRecord struct {
	in    *dockerfile.Instruction
	dest  string
	paths []string // absolute destinations of the files
}

func recordCopy(in *dockerfile.Instruction, wd *workdirTracker) copyRecord {
	srcs, dest := copyParts(in)
	destAbs := wd.abs(dest)
	rec := copyRecord{in: in, dest: destAbs}
	dirDest := strings.HasSuffix(dest, "/") || dest == "." || len(srcs) > 1
	for _, s := range srcs {
		s = unquote(s)
		if wholeContext(in) || strings.HasSuffix(s, "/") || !dirDest || strings.Contains(s, "://") {
			rec.paths = append(rec.paths, destAbs)
			continue
		}
		rec.paths = append(rec.paths, path.Join(destAbs, path.Base(s)))
	}
	if len(rec.paths) == 0 {
		rec.paths = []string{destAbs}
	}
	return rec
}

// created is a path a layer added.
type created struct {
	path string
	by   *dockerfile.Instruction
	// exact is set for COPYs into a directory that may have held files
	// before (COPY conf/ /etc/nginx/conf.d/): only removing the path itself
	// or a parent counts, not removing something inside it.
	exact bool
}

// removedBy reports whether removing target removes (part of) what c added.
func (c created) removedBy(target string) bool {
	if c.exact {
		return target == c.path || strings.HasPrefix(c.path, strings.TrimSuffix(target, "/")+"/") || globMatch(target, c.path)
	}
	return pathCovers(target, c.path)
}

func globMatch(pattern, p string) bool {
	ok, _ := path.Match(pattern, p)
	return ok
}

// exists reports whether name exists in dir.
func exists(dir, name string) bool {
	_, err := os.Lstat(filepath.Join(dir, name))
	return err == nil
}
