// Package waste is the one table of what counts as waste in an image:
// package manager caches and lists, bytecode caches, docs, core dumps,
// version control directories and toolchains. Each kind says which paths
// it covers, why they are waste, how to avoid them, the Dockerfile rule
// whose fix removes them, and which of its paths safe slim may delete.
// analyze reports by it, slim removes by it and audit counts by it.
//
// Paths are matched on whole components: the pattern /var/cache/apk
// covers /var/cache/apk and everything below it, never /var/cache/apkfoo.
package waste

import (
	"sync"

	"path"
	"strings"

	"github.com/slimship/slimship/pkg/finding"
)

// Group is what safe slim removes a path as; its value is the name that
// slim's --keep takes. "" means slim keeps the path.
type Group string

// Groups of safe slim.
const (
	AptLists Group = "apt-lists"
	Caches   Group = "caches"
	PyCache  Group = "pycache"
	Docs     Group = "docs"
	Man      Group = "man"
	Locales  Group = "locales"
)

// Groups lists every group safe slim knows.
func Groups() []Group { return []Group{AptLists, Caches, PyCache, Docs, Man, Locales} }

// Path is one pattern of a kind.
type Path struct {
	// Pattern is an absolute path whose components may be globs (path.Match,
	// one component each); a leading "**/" lets it start at any depth. It
	// covers the path it names and everything below.
	Pattern string
	// Slim is the group safe slim removes matching files as ("" keeps them).
	Slim Group
	// Keep lists paths under Pattern that are not waste: patterns as above,
	// or, without a slash, globs over the base name (case-insensitive).
	Keep []string

	// match, when set, replaces Pattern (for what a pattern cannot say).
	match func(p string) bool
	pat   pattern
	keep  []pattern
}

// Kind is a kind of known waste.
type Kind struct {
	// ID is the kind's position in Kinds, from 1.
	ID   int
	Name string
	// Rule is the image rule that reports it (SSI...).
	Rule     string
	Severity finding.Severity
	// Cause says what is wasted (the rule's description).
	Cause  string
	Remedy string
	// FixRule is the Dockerfile rule whose fix avoids the waste ("" when
	// none does).
	FixRule string
	// Min is the bytes below which a layer's waste of this kind is not
	// reported.
	Min int64
	// Package marks system package manager caches and lists (audit's
	// DKL-DI-0005).
	Package bool
	Paths   []Path
}

// Match is what Classify found for a path.
type Match struct {
	Kind *Kind
	Path *Path
	// Slim is the group safe slim removes the path as ("" to keep it).
	Slim Group
}

// Dir is the literal directory of the matched pattern (its components
// before the first glob), to name where the waste lies.
func (m Match) Dir() string { return m.Path.pat.dir }

var licences = []string{"copyright", "*license*"}

// kindTable is the explicit table, most specific first. It is built on
// first use (Kinds, Classify): every command links this package, few use it.
func kindTable() []Kind {
	return []Kind{
		{Name: "apt package lists", Rule: "SSI001", Severity: finding.Warning, Cause: "APT package lists left in the image", FixRule: "DL3009", Package: true,
			Remedy: "add `&& rm -rf /var/lib/apt/lists/*` to the RUN that runs apt-get update", Min: 64 << 10,
			Paths: []Path{{Pattern: "/var/lib/apt/lists", Slim: AptLists, Keep: []string{"/var/lib/apt/lists/lock"}}}},
		{Name: "apt caches", Rule: "SSI002", Severity: finding.Warning, Cause: "APT package archives and caches left in the image", FixRule: "DL3009", Package: true,
			Remedy: "run `apt-get clean` (or remove /var/cache/apt/*) in the same RUN as apt-get install", Min: 64 << 10,
			Paths: []Path{
				{Pattern: "/var/cache/apt", Slim: Caches, Keep: []string{"/var/cache/apt/archives/lock"}},
				// config.dat and templates.dat are debconf's database, not a cache.
				{Pattern: "/var/cache/debconf/*-old", Slim: Caches},
			}},
		{Name: "apk cache", Rule: "SSI003", Severity: finding.Warning, Cause: "apk cache left in the image", FixRule: "DL3019", Package: true,
			Remedy: "use `apk add --no-cache`", Min: 16 << 10,
			Paths: []Path{{Pattern: "/var/cache/apk", Slim: Caches}, {Pattern: "/etc/apk/cache", Slim: Caches}}},
		{Name: "yum/dnf cache", Rule: "SSI004", Severity: finding.Warning, Cause: "yum/dnf cache left in the image", FixRule: "DL3032", Package: true,
			Remedy: "run `yum clean all` / `dnf clean all` (DL3040) in the same RUN, or remove /var/cache/yum and /var/cache/dnf", Min: 64 << 10,
			Paths: []Path{{Pattern: "/var/cache/yum", Slim: Caches}, {Pattern: "/var/cache/dnf", Slim: Caches},
				{Pattern: "/var/cache/libdnf5", Slim: Caches}, {Pattern: "/var/cache/zypp", Slim: Caches}}},
		{Name: "pip cache", Rule: "SSI005", Severity: finding.Warning, Cause: "pip cache left in the image", FixRule: "DL3042",
			Remedy: "use `pip install --no-cache-dir` or PIP_NO_CACHE_DIR=1", Min: 64 << 10,
			Paths: []Path{{Pattern: "**/.cache/pip", Slim: Caches}}},
		{Name: "npm/yarn cache", Rule: "SSI006", Severity: finding.Warning, Cause: "npm or yarn cache left in the image", FixRule: "DL3060",
			Remedy: "run `npm cache clean --force` / `yarn cache clean` in the same RUN, or use a cache mount", Min: 64 << 10,
			Paths: []Path{
				// ~/.npm/_npx holds packages npx runs: not a cache to drop.
				{Pattern: "**/.npm/_cacache", Slim: Caches}, {Pattern: "**/.npm/_logs", Slim: Caches},
				{Pattern: "**/.cache/yarn", Slim: Caches},
				// A Plug'n'Play install may load its zips from here.
				{Pattern: "/root/.yarn/cache"}, {Pattern: "/home/*/.yarn/cache"},
				{Pattern: "**/.cache/node-gyp"},
			}},
		{Name: "Go build cache", Rule: "SSI007", Severity: finding.Warning, Cause: "Go build or module cache left in the image", FixRule: "SS002",
			Remedy: "build in a separate stage, or use `RUN --mount=type=cache,target=/root/.cache/go-build`", Min: 64 << 10,
			Paths: []Path{
				{Pattern: "**/.cache/go-build", Slim: Caches},
				// Offline builds read go.mod files from the download cache.
				{Pattern: "/go/pkg/mod/cache"},
			}},
		{Name: "docs, man pages and locales", Rule: "SSI008", Severity: finding.Info, Cause: "Documentation, man pages and locales in the image", FixRule: "DL3015",
			Remedy: "install with --no-install-recommends and exclude /usr/share/doc, man and locale via dpkg path-exclude, or copy only what runs into a slim stage", Min: 1 << 20,
			Paths: []Path{
				// Licences stay: copyright files are what distributions must ship.
				{Pattern: "/usr/share/doc", Slim: Docs, Keep: licences},
				{Pattern: "/usr/share/man", Slim: Man},
				{Pattern: "/usr/share/info", Slim: Docs, Keep: licences},
				{Pattern: "/usr/share/locale", Slim: Locales, Keep: []string{"/usr/share/locale/locale.alias", "/usr/share/locale/en*", "/usr/share/locale/C.*"}},
				{Pattern: "/usr/local/share/man", Slim: Man},
				{Pattern: "/usr/share/gtk-doc", Slim: Docs, Keep: licences},
			}},
		{Name: "__pycache__", Rule: "SSI009", Severity: finding.Info, Cause: "Python bytecode caches in the image",
			Remedy: "set PYTHONDONTWRITEBYTECODE=1 or delete __pycache__ in the same RUN", Min: 256 << 10,
			Paths: []Path{{Pattern: "**/__pycache__", Slim: PyCache}}},
		{Name: "core dumps", Rule: "SSI010", Severity: finding.Warning, Cause: "Core dumps in the image",
			Remedy: "delete core files in the same RUN that produced them", Min: 1,
			Paths: []Path{{Pattern: "core, core.<pid>", match: isCoreDump}}},
		{Name: "VCS directories", Rule: "SSI011", Severity: finding.Warning, Cause: "Version control directories in the image", FixRule: "SS006",
			Remedy: "add .git (and .svn, .hg) to .dockerignore", Min: 1,
			Paths: []Path{{Pattern: "**/.git"}, {Pattern: "**/.svn"}, {Pattern: "**/.hg"}}},
		{Name: "toolchains", Rule: "SSI012", Severity: finding.Info, Cause: "Compilers and toolchains left in the final image", FixRule: "SS002",
			Remedy: "build in a separate stage and copy only the result into a slim final stage", Min: 4 << 20,
			Paths: []Path{{Pattern: "/usr/local/go"}, {Pattern: "/usr/lib/gcc"}, {Pattern: "/usr/libexec/gcc"}, {Pattern: "/root/.rustup"},
				{Pattern: "/root/.cargo/registry"}, {Pattern: "/usr/local/cargo/registry"}, {Pattern: "/usr/local/rustup"}, {Pattern: "/usr/lib/jvm"},
				{Pattern: "/usr/bin/x86_64-linux-gnu-gcc*"}, {Pattern: "/usr/bin/gcc*"}, {Pattern: "/usr/bin/g++*"}}},
	}
}

// kinds is the table with IDs set and patterns compiled.
var kinds = sync.OnceValue(func() []Kind {
	kinds := kindTable()
	for i := range kinds {
		k := &kinds[i]
		k.ID = i + 1
		for j := range k.Paths {
			p := &k.Paths[j]
			if p.match == nil {
				p.pat = compile(p.Pattern)
			}
			for _, s := range p.Keep {
				p.keep = append(p.keep, compile(s))
			}
		}
	}
	return kinds
})

// Kinds returns the table; Kinds()[k.ID-1] is k.
func Kinds() []Kind { return kinds() }

// Classify returns the kind of waste p (a clean absolute path) is, if any.
func Classify(p string) (Match, bool) {
	kinds := kinds()
	for i := range kinds {
		k := &kinds[i]
		for j := range k.Paths {
			pp := &k.Paths[j]
			if pp.match != nil {
				if pp.match(p) {
					return Match{Kind: k, Path: pp}, true
				}
				continue
			}
			if !pp.pat.match(p) {
				continue
			}
			for i := range pp.keep {
				if pp.keep[i].match(p) {
					return Match{}, false
				}
			}
			return Match{Kind: k, Path: pp, Slim: pp.Slim}, true
		}
	}
	return Match{}, false
}

// pattern is a compiled Path pattern.
type pattern struct {
	comps []string
	glob  []bool
	// anywhere: the pattern may start at any component.
	anywhere bool
	// base: a glob over the base name, case-insensitive.
	base bool
	// needle must occur in a matching path (a cheap first test).
	needle string
	dir    string
}

func compile(s string) pattern {
	if !strings.Contains(s, "/") {
		return pattern{comps: []string{strings.ToLower(s)}, base: true}
	}
	var pt pattern
	if rest, ok := strings.CutPrefix(s, "**/"); ok {
		pt.anywhere, s = true, rest
	}
	pt.comps = strings.Split(strings.Trim(s, "/"), "/")
	lit := []string{}
	for _, c := range pt.comps {
		g := strings.ContainsAny(c, "*?[\\")
		pt.glob = append(pt.glob, g)
		if g && pt.needle == "" {
			pt.needle = "/" + strings.Join(lit, "/")
		}
		if !g && pt.needle == "" {
			lit = append(lit, c)
		}
	}
	if pt.needle == "" {
		pt.needle = "/" + strings.Join(lit, "/")
	}
	if !pt.anywhere {
		pt.dir = pt.needle
	}
	return pt
}

func (pt *pattern) match(p string) bool {
	if pt.base {
		ok, _ := path.Match(pt.comps[0], strings.ToLower(path.Base(p)))
		return ok
	}
	if !pt.anywhere {
		return strings.HasPrefix(p, pt.needle) && pt.matchAt(p, 0)
	}
	if !strings.Contains(p, pt.needle) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && pt.matchAt(p, i) {
			return true
		}
	}
	return false
}

// matchAt reports whether the components of p from the slash at i on
// start with the pattern's components.
func (pt *pattern) matchAt(p string, i int) bool {
	for n, c := range pt.comps {
		if i >= len(p) || p[i] != '/' {
			return false
		}
		i++
		end := strings.IndexByte(p[i:], '/')
		if end < 0 {
			end = len(p)
		} else {
			end += i
		}
		comp := p[i:end]
		if pt.glob[n] {
			if ok, _ := path.Match(c, comp); !ok {
				return false
			}
		} else if comp != c {
			return false
		}
		i = end
	}
	return true
}

// notCoreDirs hold files named core that are code, not dumps.
var notCoreDirs = []pattern{
	compile("**/site-packages"), compile("**/node_modules"),
	compile("/usr/lib"), compile("/usr/share"), compile("/usr/include"), compile("/usr/src"), compile("/lib"),
	compile("/proc"), compile("/sys"), compile("/dev"), compile("/etc"), compile("/usr/local/lib"), compile("/usr/local/include"),
}

// isCoreDump matches a file core outside code trees, or core.<pid>.
func isCoreDump(p string) bool {
	b := path.Base(p)
	if b == "core" {
		for i := range notCoreDirs {
			if notCoreDirs[i].match(path.Dir(p)) {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(b, "core.") && len(b) > 5 && strings.Trim(b[5:], "0123456789") == ""
}
