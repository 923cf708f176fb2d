package slim

import (
	"archive/tar"
	"debug/elf"
	"path"
	"regexp"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/dockerfile/shell"
)

// alwaysKeep are files every program may expect; globs as in Include.
var alwaysKeep = []string{
	"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/os-release",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d/**",
	"/etc/ssl/**", "/etc/ca-certificates.conf", "/usr/share/ca-certificates/**", "/usr/lib/ssl/**", "/etc/pki/**",
	"/usr/share/zoneinfo/**", "/etc/localtime", "/etc/timezone", "/tmp", "/var/tmp",
}

var (
	pythonRe    = lazyre.New(`^python(\d+(\.\d+)?)?$`)
	pythonLibRe = lazyre.New(`^/usr(/local)?/lib/python3\.\d+$`)
)

// closure computes the set of paths minify keeps.
func closure(v *view, cf *v1.ConfigFile, include []string) map[string]bool {
	keep := map[string]bool{}
	var queue []string
	add := func(p string) {
		if !keep[p] {
			keep[p] = true
			queue = append(queue, p)
		}
	}
	visit := func(p string) { add(p) }
	resolveAdd := func(p string) (string, *node) { return v.resolve(p, visit) }
	addTree := func(root string) {
		rp, n := resolveAdd(root)
		if n == nil {
			return
		}
		prefix := strings.TrimSuffix(rp, "/") + "/"
		for q := range v.files {
			if strings.HasPrefix(q, prefix) {
				add(q)
			}
		}
	}
	addGlob := func(g string) {
		re := globRe(g)
		for q := range v.files {
			if re.MatchString(q) {
				if n := v.files[q]; n.hdr.Typeflag == tar.TypeSymlink {
					resolveAdd(q)
				}
				add(q)
			}
		}
	}
	env := map[string]string{}
	for _, e := range cf.Config.Env {
		k, val, _ := strings.Cut(e, "=")
		env[k] = val
	}
	pathDirs := strings.Split(env["PATH"], ":")
	if env["PATH"] == "" {
		pathDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
	}
	lookPath := func(name string) {
		if strings.Contains(name, "/") {
			if !path.IsAbs(name) {
				name = path.Join(workDir(cf), name)
			}
			resolveAdd(name)
			return
		}
		for _, d := range pathDirs {
			if _, n := v.resolve(path.Join(d, name), func(string) {}); n != nil {
				resolveAdd(path.Join(d, name))
				return
			}
		}
	}

	argv := append(append([]string{}, cf.Config.Entrypoint...), cf.Config.Cmd...)
	if len(argv) > 0 {
		lookPath(argv[0])
		for i, a := range argv[1:] {
			// sh -c 'script': the script's commands are needed too.
			if a == "-c" && isShell(argv[0]) && i+2 < len(argv) {
				for _, c := range shell.Parse(argv[i+2]).Commands {
					lookPath(c.Name)
				}
			}
			p := a
			if !path.IsAbs(p) {
				p = path.Join(workDir(cf), p)
			}
			if rp, n := v.resolve(p, func(string) {}); n != nil {
				if n.hdr.Typeflag == tar.TypeDir {
					addTree(rp)
				} else {
					resolveAdd(p)
				}
			}
		}
	}
	if wd := workDir(cf); wd != "/" {
		addTree(wd)
	}
	for _, g := range append(append([]string{}, alwaysKeep...), include...) {
		addGlob(g)
	}

	// Work through the queue: ELF dependencies, script interpreters,
	// interpreter library trees.
	ldDirs := ldConfDirs(v)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		n := v.files[p]
		if n == nil {
			continue
		}
		base := path.Base(p)
		switch {
		case pythonRe.MatchString(base):
			ver := strings.TrimPrefix(base, "python")
			for _, root := range []string{"/usr/lib/python" + ver, "/usr/local/lib/python" + ver, "/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages"} {
				if ver != "" || strings.HasSuffix(root, "packages") {
					addTree(root)
				}
			}
			if ver == "3" || ver == "" {
				for q := range v.files {
					if pythonLibRe.MatchString(q) {
						addTree(q)
					}
				}
			}
		case base == "java" && strings.HasSuffix(path.Dir(p), "/bin"):
			addTree(path.Dir(path.Dir(p))) // JAVA_HOME
		case base == "node" || base == "nodejs":
			addTree("/usr/local/lib/node_modules")
			addTree("/usr/lib/node_modules")
		}
		if n.shebang != "" {
			f := strings.Fields(n.shebang)
			if len(f) > 0 {
				if path.Base(f[0]) == "env" && len(f) > 1 {
					lookPath(f[len(f)-1])
				} else {
					lookPath(f[0])
				}
			}
		}
		if n.elf != nil {
			if n.elf.interp != "" {
				resolveAdd(n.elf.interp)
			}
			dirs := libDirs(n.elf, path.Dir(p), env["LD_LIBRARY_PATH"], ldDirs)
			for _, lib := range n.elf.needed {
				for _, d := range dirs {
					if _, ln := v.resolve(path.Join(d, lib), func(string) {}); ln != nil {
						resolveAdd(path.Join(d, lib))
						break
					}
				}
			}
		}
	}
	// Parents of everything kept.
	for p := range keep {
		for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
			if keep[d] {
				break
			}
			if n := v.files[d]; n != nil && n.hdr.Typeflag == tar.TypeSymlink {
				v.resolve(d, visit)
			}
			keep[d] = true
		}
	}
	return keep
}

func isShell(p string) bool {
	switch path.Base(p) {
	case "sh", "bash", "dash", "ash", "busybox":
		return true
	}
	return false
}

func workDir(cf *v1.ConfigFile) string {
	if cf.Config.WorkingDir == "" {
		return "/"
	}
	return path.Clean("/" + cf.Config.WorkingDir)
}

// libDirs is the dynamic loader's search order for one ELF file.
func libDirs(e *elfInfo, origin, ldLibraryPath string, conf []string) []string {
	var dirs []string
	for _, r := range e.rpath {
		dirs = append(dirs, strings.ReplaceAll(strings.ReplaceAll(r, "${ORIGIN}", origin), "$ORIGIN", origin))
	}
	if ldLibraryPath != "" {
		dirs = append(dirs, strings.Split(ldLibraryPath, ":")...)
	}
	dirs = append(dirs, conf...)
	triplet := map[elf.Machine]string{elf.EM_X86_64: "x86_64-linux-gnu", elf.EM_AARCH64: "aarch64-linux-gnu",
		elf.EM_ARM: "arm-linux-gnueabihf", elf.EM_386: "i386-linux-gnu", elf.EM_S390: "s390x-linux-gnu", elf.EM_PPC64: "powerpc64le-linux-gnu"}[e.machine]
	if triplet != "" {
		dirs = append(dirs, "/lib/"+triplet, "/usr/lib/"+triplet, "/usr/local/lib/"+triplet)
	}
	return append(dirs, "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib")
}

// ldConfDirs reads the directories /etc/ld.so.conf.d lists (their content
// was not kept in memory, so only the conventional multiarch names are
// used).
func ldConfDirs(v *view) []string {
	var out []string
	for q := range v.files {
		if strings.HasPrefix(q, "/etc/ld.so.conf.d/") && strings.HasSuffix(q, ".conf") {
			base := strings.TrimSuffix(path.Base(q), ".conf")
			if strings.Contains(base, "linux-gnu") {
				out = append(out, "/lib/"+base, "/usr/lib/"+base)
			}
		}
	}
	return out
}

// globRe turns a path glob into a regexp: * matches within a segment,
// ** across segments; a glob without wildcards also matches its subtree.
func globRe(g string) *regexp.Regexp {
	g = path.Clean("/" + g)
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		switch {
		case strings.HasPrefix(g[i:], "/**"):
			b.WriteString("(/.*)?")
			i += 2
		case g[i] == '*':
			b.WriteString("[^/]*")
		case g[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(g[i])))
		}
	}
	if !strings.ContainsAny(g, "*?") {
		b.WriteString("(/.*)?")
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
