package slim

import (
	"archive/tar"
	"debug/elf"
	"fmt"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// defaultPath is the PATH container runtimes set when the image has none.
var defaultPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// loader finds, in a view, what starting the image's entrypoint loads: the
// program through PATH as execvp does, a script's interpreter as the
// kernel does, and an ELF file's interpreter and libraries as ld.so does.
type loader struct {
	v             *view
	pathDirs      []string
	wd            string
	ldLibraryPath []string
	// conf are the directories ld.so.conf (or musl's ld-musl-ARCH.path)
	// lists, which ld.so.cache holds.
	conf []string
}

func newLoader(v *view, cf *v1.ConfigFile) *loader {
	env := map[string]string{}
	for _, e := range cf.Config.Env {
		k, val, _ := strings.Cut(e, "=")
		env[k] = val
	}
	l := &loader{v: v, wd: workDir(cf), pathDirs: defaultPath}
	if p, ok := env["PATH"]; ok && p != "" {
		l.pathDirs = strings.Split(p, ":")
	}
	if p := env["LD_LIBRARY_PATH"]; p != "" {
		l.ldLibraryPath = strings.Split(p, ":")
	}
	l.conf = ldConfDirs(v)
	return l
}

// argv is the command the runtime starts: ENTRYPOINT then CMD.
func argv(cf *v1.ConfigFile) []string {
	return append(append([]string{}, cf.Config.Entrypoint...), cf.Config.Cmd...)
}

// isExecutable reports whether n can be a program (not a directory or a
// device); symlinks are resolved before.
func isExecutable(n *node) bool {
	switch n.hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeLink:
		return true
	}
	return false
}

// lookPath finds a program as execvp does: a name with a slash is a path
// (relative to the working directory), any other is looked up in PATH. visit
// receives every path the found program's resolution passed through.
func (l *loader) lookPath(name string, visit func(string)) (string, *node) {
	if name == "" {
		return "", nil
	}
	if strings.Contains(name, "/") {
		if !path.IsAbs(name) {
			name = path.Join(l.wd, name)
		}
		if p, n := l.v.resolve(name, func(string) {}); n != nil && isExecutable(n) {
			return l.v.resolve(name, visit)
		} else {
			return p, nil
		}
	}
	for _, d := range l.pathDirs {
		if d == "" {
			d = l.wd // an empty PATH entry is the working directory
		}
		p := path.Join(d, name)
		if _, n := l.v.resolve(p, func(string) {}); n != nil && isExecutable(n) {
			return l.v.resolve(p, visit)
		}
	}
	return "", nil
}

// Missing is something the entrypoint needs and the image lacks.
type Missing struct {
	// What kind of file: "program", "ELF interpreter", "library",
	// "script interpreter", "hardlink target".
	What string
	// Name as the needer asks for it (a path, or a name looked up).
	Name string
	// By is the path of the file that needs it ("" for the entrypoint).
	By string
	// Searched says where it was looked for.
	Searched string
}

func (m Missing) String() string {
	s := fmt.Sprintf("%s %s", m.What, m.Name)
	if m.By != "" {
		s += " needed by " + m.By
	}
	if m.Searched != "" {
		s += " (searched " + m.Searched + ")"
	}
	return s
}

// program finds the entrypoint program (argv[0]).
func (l *loader) program(cf *v1.ConfigFile, visit func(string)) (string, *node, *Missing) {
	args := argv(cf)
	if len(args) == 0 {
		return "", nil, nil
	}
	p, n := l.lookPath(args[0], visit)
	if n != nil {
		return p, n, nil
	}
	m := &Missing{What: "program", Name: fmt.Sprintf("%q", args[0])}
	if !strings.Contains(args[0], "/") {
		m.Searched = "PATH=" + strings.Join(l.pathDirs, ":")
	}
	return "", nil, m
}

// deps resolves what loading the file at p (node n) needs: a hardlink's
// target, the interpreter of a script, the ELF interpreter and DT_NEEDED
// libraries. visit receives every path passed through, found each
// dependency found, missing each one not found. inherited are DT_RPATH
// directories of the objects that load n (ld.so searches them too while
// n has no DT_RUNPATH).
func (l *loader) deps(p string, n *node, inherited []string, visit func(string), found func(p string, n *node), missing func(Missing)) {
	if n.hdr.Typeflag == tar.TypeLink {
		if n.linkNode == nil {
			missing(Missing{What: "hardlink target", Name: n.linkPath, By: p})
			return
		}
		if l.v.intact(n) {
			visit(n.linkPath) // keep the content under its first name too
		}
	}
	if n.shebang != "" {
		l.scriptDeps(p, n.shebang, visit, found, missing)
	}
	e := n.elf
	if e == nil {
		return
	}
	if e.interp != "" {
		if ip, in := l.v.resolve(e.interp, visit); in != nil {
			found(ip, in)
		} else {
			missing(Missing{What: "ELF interpreter", Name: e.interp, By: p})
		}
	}
	rp, _ := l.v.resolve(p, func(string) {})
	dirs := l.libDirs(e, path.Dir(rp), inherited)
	for _, lib := range e.needed {
		lp, ln := l.findLib(lib, dirs, visit)
		if ln == nil {
			missing(Missing{What: "library", Name: lib, By: p, Searched: strings.Join(dirs, ":")})
			continue
		}
		found(lp, ln)
	}
}

func (l *loader) scriptDeps(p, shebang string, visit func(string), found func(string, *node), missing func(Missing)) {
	f := strings.Fields(shebang)
	if len(f) == 0 {
		return
	}
	interp := f[0]
	if !path.IsAbs(interp) {
		interp = path.Join(l.wd, interp) // the kernel opens it relative to the working directory
	}
	ip, in := l.v.resolve(interp, visit)
	if in == nil || !isExecutable(in) {
		missing(Missing{What: "script interpreter", Name: f[0], By: p})
		return
	}
	found(ip, in)
	if path.Base(f[0]) != "env" {
		return
	}
	// #!/usr/bin/env [-S] [-i] [NAME=VALUE]... PROGRAM [ARG]...
	for _, a := range f[1:] {
		if strings.HasPrefix(a, "-") || strings.Contains(a, "=") {
			continue
		}
		if pp, pn := l.lookPath(a, visit); pn != nil {
			found(pp, pn)
		} else {
			missing(Missing{What: "script interpreter", Name: a, By: p, Searched: "PATH=" + strings.Join(l.pathDirs, ":")})
		}
		return
	}
}

// findLib looks lib up in dirs; a name with a slash is a path.
func (l *loader) findLib(lib string, dirs []string, visit func(string)) (string, *node) {
	if strings.Contains(lib, "/") {
		return l.v.resolve(lib, visit)
	}
	for _, d := range dirs {
		if _, n := l.v.resolve(path.Join(d, lib), func(string) {}); n != nil && n.hdr.Typeflag != tar.TypeDir {
			return l.v.resolve(path.Join(d, lib), visit)
		}
	}
	return "", nil
}

// libDirs is ld.so's search order for one ELF object whose directory is
// origin: DT_RPATH (its own, then its loaders', unless it has DT_RUNPATH),
// LD_LIBRARY_PATH, DT_RUNPATH, ld.so.cache (the directories ld.so.conf
// lists), then the default directories, multiarch ones included.
func (l *loader) libDirs(e *elfInfo, origin string, inherited []string) []string {
	var dirs []string
	expand := func(ds []string) {
		for _, d := range ds {
			d = strings.ReplaceAll(strings.ReplaceAll(d, "${ORIGIN}", origin), "$ORIGIN", origin)
			if d != "" {
				dirs = append(dirs, d)
			}
		}
	}
	if len(e.runpath) == 0 {
		expand(e.rpath)
		dirs = append(dirs, inherited...)
	}
	expand(l.ldLibraryPath)
	expand(e.runpath)
	dirs = append(dirs, l.conf...)
	triplet := map[elf.Machine]string{elf.EM_X86_64: "x86_64-linux-gnu", elf.EM_AARCH64: "aarch64-linux-gnu",
		elf.EM_ARM: "arm-linux-gnueabihf", elf.EM_386: "i386-linux-gnu", elf.EM_S390: "s390x-linux-gnu", elf.EM_PPC64: "powerpc64le-linux-gnu"}[e.machine]
	if triplet != "" {
		dirs = append(dirs, "/lib/"+triplet, "/usr/lib/"+triplet, "/usr/local/lib/"+triplet)
	}
	return append(dirs, "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib")
}

// inheritedRpath is what an object passes to the libraries it loads: its
// DT_RPATH (when it has no DT_RUNPATH) after what it inherited.
func inheritedRpath(e *elfInfo, origin string, inherited []string) []string {
	if e == nil || len(e.runpath) > 0 || len(e.rpath) == 0 {
		return inherited
	}
	out := append([]string{}, inherited...)
	for _, d := range e.rpath {
		out = append(out, strings.ReplaceAll(strings.ReplaceAll(d, "${ORIGIN}", origin), "$ORIGIN", origin))
	}
	return out
}

// ldConfDirs reads the directories /etc/ld.so.conf lists, following its
// include lines, and musl's /etc/ld-musl-ARCH.path.
func ldConfDirs(v *view) []string {
	var out []string
	seen := map[string]bool{}
	var read func(p string, depth int)
	read = func(p string, depth int) {
		n := v.files[p]
		if n == nil || seen[p] || depth > 8 {
			return
		}
		seen[p] = true
		for _, line := range strings.Split(string(n.text), "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimSpace(line)
			switch {
			case line == "":
			case strings.HasPrefix(line, "include") && len(line) > 7 && (line[7] == ' ' || line[7] == '\t'):
				glob := strings.TrimSpace(line[8:])
				if !path.IsAbs(glob) {
					glob = path.Join(path.Dir(p), glob)
				}
				var matches []string
				for q := range v.files {
					if ok, _ := path.Match(glob, q); ok {
						matches = append(matches, q)
					}
				}
				sort.Strings(matches)
				for _, q := range matches {
					read(q, depth+1)
				}
			case strings.HasPrefix(line, "hwcap"):
			default:
				for _, d := range strings.FieldsFunc(line, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == '\t' }) {
					if i := strings.IndexByte(d, '='); i >= 0 {
						d = d[:i] // old "dir=TYPE" syntax
					}
					if path.IsAbs(d) {
						out = append(out, path.Clean(d))
					}
				}
			}
		}
	}
	if v.files["/etc/ld.so.conf"] != nil {
		read("/etc/ld.so.conf", 0)
	} else {
		var confs []string
		for q := range v.files {
			if ok, _ := path.Match("/etc/ld.so.conf.d/*.conf", q); ok {
				confs = append(confs, q)
			}
		}
		sort.Strings(confs)
		for _, q := range confs {
			read(q, 1)
		}
	}
	var musl []string
	for q := range v.files {
		if strings.HasPrefix(q, "/etc/ld-musl-") && strings.HasSuffix(q, ".path") {
			musl = append(musl, q)
		}
	}
	sort.Strings(musl)
	for _, q := range musl {
		for _, d := range strings.FieldsFunc(string(v.files[q].text), func(r rune) bool { return r == ':' || r == '\n' }) {
			if d = strings.TrimSpace(d); path.IsAbs(d) {
				out = append(out, path.Clean(d))
			}
		}
	}
	return out
}
