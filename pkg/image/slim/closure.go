package slim

import (
	"archive/tar"
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
	l := newLoader(v, cf)
	lookPath := func(name string) { l.lookPath(name, visit) }

	args := argv(cf)
	if len(args) > 0 {
		lookPath(args[0])
		for i, a := range args[1:] {
			// sh -c 'script': the script's commands are needed too.
			if a == "-c" && isShell(args[0]) && i+2 < len(args) {
				for _, c := range shell.Parse(args[i+2]).Commands {
					lookPath(c.Name)
				}
			}
			p := a
			if !path.IsAbs(p) {
				p = path.Join(l.wd, p)
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
	if l.wd != "/" {
		addTree(l.wd)
	}
	for _, g := range append(append([]string{}, alwaysKeep...), include...) {
		addGlob(g)
	}

	// Work through the queue: hardlink targets, ELF interpreters and
	// libraries, script interpreters, interpreter library trees.
	inherited := map[string][]string{}
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
		inh := inherited[p]
		l.deps(p, n, inh, visit, func(dp string, _ *node) {
			if _, ok := inherited[dp]; !ok {
				inherited[dp] = inheritedRpath(n.elf, path.Dir(p), inh)
			}
		}, func(Missing) {})
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
