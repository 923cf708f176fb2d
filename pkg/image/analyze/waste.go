package analyze

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/slimship/slimship/internal/units"

	"github.com/slimship/slimship/pkg/finding"
)

// Rule IDs of image findings. They live in the image domain; FixRule names
// the Dockerfile rule (hadolint DL or slimship SS) whose fix removes them.
const docsBase = "https://github.com/slimship/slimship/blob/main/docs/rules/"

// wasteKind is a kind of known waste: a path matcher and its remedy.
type wasteKind struct {
	Rule    finding.Rule
	Name    string
	FixRule string
	Fix     string
	// Min is the bytes below which a layer's waste is not reported.
	Min   int64
	match func(p string) bool
}

func rule(id string, sev finding.Severity, desc string) finding.Rule {
	return finding.Rule{ID: id, Severity: sev, Category: finding.Size, Domain: finding.Image, Description: desc, DocsURL: docsBase + id + ".md"}
}

func under(p string, dirs ...string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

func hasComponent(p string, names ...string) bool {
	for _, n := range names {
		if strings.Contains(p, "/"+n+"/") || strings.HasSuffix(p, "/"+n) {
			return true
		}
	}
	return false
}

func homeCache(p, sub string) bool {
	return strings.HasPrefix(p, "/root/"+sub+"/") || (strings.HasPrefix(p, "/home/") && strings.Contains(p, "/"+sub+"/"))
}

// wasteKinds is the explicit list of known waste, most specific first.
var wasteKinds = []wasteKind{
	{Rule: rule("SSI001", finding.Warning, "APT package lists left in the image"), Name: "apt package lists", FixRule: "DL3009",
		Fix: "add `&& rm -rf /var/lib/apt/lists/*` to the RUN that runs apt-get update", Min: 64 << 10,
		match: func(p string) bool { return under(p, "/var/lib/apt/lists") }},
	{Rule: rule("SSI002", finding.Warning, "APT package archives and caches left in the image"), Name: "apt caches", FixRule: "DL3009",
		Fix: "run `apt-get clean` (or remove /var/cache/apt/*) in the same RUN as apt-get install", Min: 64 << 10,
		match: func(p string) bool { return under(p, "/var/cache/apt", "/var/cache/debconf") }},
	{Rule: rule("SSI003", finding.Warning, "apk cache left in the image"), Name: "apk cache", FixRule: "DL3019",
		Fix: "use `apk add --no-cache`", Min: 16 << 10,
		match: func(p string) bool { return under(p, "/var/cache/apk", "/etc/apk/cache") }},
	{Rule: rule("SSI004", finding.Warning, "yum/dnf cache left in the image"), Name: "yum/dnf cache", FixRule: "DL3032",
		Fix: "run `yum clean all` / `dnf clean all` (DL3040) in the same RUN, or remove /var/cache/yum and /var/cache/dnf", Min: 64 << 10,
		match: func(p string) bool {
			return under(p, "/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/zypp")
		}},
	{Rule: rule("SSI005", finding.Warning, "pip cache left in the image"), Name: "pip cache", FixRule: "DL3042",
		Fix: "use `pip install --no-cache-dir` or PIP_NO_CACHE_DIR=1", Min: 64 << 10,
		match: func(p string) bool { return homeCache(p, ".cache/pip") }},
	{Rule: rule("SSI006", finding.Warning, "npm or yarn cache left in the image"), Name: "npm/yarn cache", FixRule: "DL3060",
		Fix: "run `npm cache clean --force` / `yarn cache clean` in the same RUN, or use a cache mount", Min: 64 << 10,
		match: func(p string) bool {
			return homeCache(p, ".npm") || homeCache(p, ".cache/yarn") || under(p, "/usr/local/share/.cache/yarn") || homeCache(p, ".yarn/cache") || homeCache(p, ".cache/node-gyp")
		}},
	{Rule: rule("SSI007", finding.Warning, "Go build or module cache left in the image"), Name: "Go build cache", FixRule: "SS",
		Fix: "build in a separate stage, or use `RUN --mount=type=cache,target=/root/.cache/go-build`", Min: 64 << 10,
		match: func(p string) bool { return homeCache(p, ".cache/go-build") || under(p, "/go/pkg/mod/cache") }},
	{Rule: rule("SSI008", finding.Info, "Documentation, man pages and locales in the image"), Name: "docs, man pages and locales", FixRule: "DL3015",
		Fix: "install with --no-install-recommends and exclude /usr/share/doc, man and locale via dpkg path-exclude, or copy only what runs into a slim stage", Min: 1 << 20,
		match: func(p string) bool {
			return under(p, "/usr/share/doc", "/usr/share/man", "/usr/share/info", "/usr/share/locale", "/usr/local/share/man", "/usr/share/gtk-doc")
		}},
	{Rule: rule("SSI009", finding.Info, "Python bytecode caches in the image"), Name: "__pycache__", FixRule: "SS",
		Fix: "set PYTHONDONTWRITEBYTECODE=1 or delete __pycache__ in the same RUN", Min: 256 << 10,
		match: func(p string) bool { return hasComponent(p, "__pycache__") }},
	{Rule: rule("SSI010", finding.Warning, "Core dumps in the image"), Name: "core dumps", FixRule: "SS",
		Fix: "delete core files in the same RUN that produced them", Min: 1,
		match: func(p string) bool {
			b := path.Base(p)
			if b == "core" {
				return !strings.Contains(p, "/site-packages/") && !strings.Contains(p, "/node_modules/") && !under(p, "/usr/lib", "/usr/share", "/usr/include", "/usr/src", "/lib", "/proc", "/sys", "/dev", "/etc", "/usr/local/lib", "/usr/local/include")
			}
			return strings.HasPrefix(b, "core.") && len(b) > 5 && strings.Trim(b[5:], "0123456789") == ""
		}},
	{Rule: rule("SSI011", finding.Warning, "Version control directories in the image"), Name: "VCS directories", FixRule: "SS",
		Fix: "add .git (and .svn, .hg) to .dockerignore", Min: 1,
		match: func(p string) bool { return hasComponent(p, ".git", ".svn", ".hg") }},
	{Rule: rule("SSI012", finding.Info, "Compilers and toolchains left in the final image"), Name: "toolchains", FixRule: "SS",
		Fix: "build in a separate stage and copy only the result into a slim final stage", Min: 4 << 20,
		match: func(p string) bool {
			return under(p, "/usr/local/go", "/usr/lib/gcc", "/usr/libexec/gcc", "/root/.rustup", "/root/.cargo/registry", "/usr/local/cargo/registry", "/usr/local/rustup", "/usr/lib/jvm") ||
				strings.HasPrefix(p, "/usr/bin/x86_64-linux-gnu-gcc") || strings.HasPrefix(p, "/usr/bin/gcc") || strings.HasPrefix(p, "/usr/bin/g++")
		}},
}

// Rules lists the image analysis rules (for `slimship rules`).
func Rules() []finding.Rule {
	out := append([]finding.Rule{reclaimRule}, gateRules...)
	for _, k := range wasteKinds {
		out = append(out, k.Rule)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

var reclaimRule = rule("SSI020", finding.Warning, "Bytes a later layer deletes or overwrites still ship in an earlier layer")

func classify(p string) uint8 {
	for i := range wasteKinds {
		if wasteKinds[i].match(p) {
			return uint8(i + 1)
		}
	}
	return 0
}

// Waste is known waste of one kind made by one layer.
type Waste struct {
	Rule  string `json:"rule"`
	Name  string `json:"name"`
	Layer int    `json:"layer"`
	// Bytes still visible in the final filesystem.
	Bytes int64 `json:"bytes"`
	// HiddenBytes deleted or overwritten by a later layer but still shipped.
	HiddenBytes int64 `json:"hiddenBytes"`
	Files       int   `json:"files"`
	// Example is the largest path of the kind.
	Example string `json:"example"`
}

func wasteFindings(res *Result, a *analyzer) []finding.Finding {
	type acc struct {
		bytes, hidden int64
		files         int
		ex            string
		exSize        int64
	}
	m := map[catLayer]*acc{}
	get := func(k catLayer) *acc {
		if m[k] == nil {
			m[k] = &acc{}
		}
		return m[k]
	}
	visit(a.t.root, func(n *node) {
		if n.cat == 0 || !n.present() || n.isDir() {
			return
		}
		c := get(catLayer{n.cat, int(n.layer)})
		c.bytes += n.size
		c.files++
		if n.size > c.exSize || c.ex == "" {
			c.ex, c.exSize = n.path(), n.size
		}
	})
	for k, b := range a.hidden {
		get(k).hidden += b
	}
	keys := make([]catLayer, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].layer != keys[j].layer {
			return keys[i].layer < keys[j].layer
		}
		return keys[i].cat < keys[j].cat
	})
	var out []finding.Finding
	res.Waste = []Waste{}
	for _, k := range keys {
		c := m[k]
		kind := wasteKinds[k.cat-1]
		total := c.bytes + c.hidden
		if total < kind.Min {
			continue
		}
		res.Waste = append(res.Waste, Waste{Rule: kind.Rule.ID, Name: kind.Name, Layer: k.layer, Bytes: c.bytes, HiddenBytes: c.hidden, Files: c.files, Example: c.ex})
		msg := fmt.Sprintf("%s: %s in layer %d", kind.Name, units.Bytes(total), k.layer)
		if c.hidden > 0 {
			msg += fmt.Sprintf(" (%s deleted by a later layer but still shipped)", units.Bytes(c.hidden))
		}
		msg += fmt.Sprintf("; %s (%s) saves %s", kind.Fix, kind.FixRule, units.Bytes(total))
		if kind.FixRule == "SS" {
			msg = strings.TrimSuffix(msg, "")
			msg = strings.Replace(msg, " (SS)", "", 1)
		}
		out = append(out, layerFinding(res, kind.Rule, k.layer, c.ex, msg, kind.Fix))
	}
	for _, l := range res.Layers {
		// bytes already reported by a known-waste finding are not repeated.
		rest := l.ReclaimableBytes
		for k, b := range a.hidden {
			if k.layer == l.Index {
				rest -= b
			}
		}
		if rest < 1<<20 && (rest <= 0 || rest*20 < l.SizeBytes) {
			continue
		}
		ex := ""
		for _, p := range res.ReclaimablePaths {
			if p.Layer == l.Index {
				ex = p.Path
				break
			}
		}
		fix := "delete the files in the same RUN that creates them, or build them in another stage"
		msg := fmt.Sprintf("layer %d ships %s that later layers delete or overwrite; %s (saves %s)", l.Index, units.Bytes(l.ReclaimableBytes), fix, units.Bytes(l.ReclaimableBytes))
		out = append(out, layerFinding(res, reclaimRule, l.Index, ex, msg, fix))
	}
	if out == nil {
		out = []finding.Finding{}
	}
	return out
}

func layerFinding(res *Result, r finding.Rule, layer int, p, msg, fix string) finding.Finding {
	l := res.Layers[layer]
	f := finding.Finding{RuleID: r.ID, Severity: r.Severity, Category: r.Category, Message: msg}
	f.Location.Layer = l.Digest
	f.Location.Path = p
	if l.Instruction != nil {
		f.Location.File = l.Instruction.File
		f.Location.Line = l.Instruction.Line
		f.Fix = &finding.Fix{Description: fix, Edits: []finding.Edit{}}
	}
	return f
}
