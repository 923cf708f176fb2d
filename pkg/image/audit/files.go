package audit

import (
	"archive/tar"
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/image/waste"
)

// passwdLimit bounds the bytes read of account files.
const passwdLimit = 1 << 20

// fileAnalyzer looks at one file version while the layers stream by.
type fileAnalyzer struct {
	name string
	// required decides by path and header alone, before anything is read.
	required func(a *auditor, p string, h *tar.Header) bool
	// limit is how many bytes of content analyze needs (0: none; -1: the
	// audit's MaxRead).
	limit   int64
	analyze func(a *auditor, p string, n *node, content []byte) []candidate
}

// fileAnalyzers run on regular files during the walk.
var fileAnalyzers = []fileAnalyzer{
	{name: "passwd", limit: passwdLimit, required: isPath("/etc/passwd"), analyze: analyzePasswd},
	{name: "group", limit: passwdLimit, required: isPath("/etc/group"), analyze: analyzeGroup},
	{name: "shadow", limit: passwdLimit, required: isPath("/etc/shadow"), analyze: analyzeShadow},
	{name: "credential-files", required: func(_ *auditor, p string, _ *tar.Header) bool {
		base := path.Base(p)
		return credentialNames[base] || credentialExts[path.Ext(base)]
	}, analyze: analyzeCredentialName},
	{name: "secrets", limit: -1, required: func(_ *auditor, p string, h *tar.Header) bool {
		return wantsSecretScan(p, h.Size)
	}, analyze: analyzeSecrets},
	{name: "entrypoint-interpreter", limit: 256, required: func(a *auditor, p string, _ *tar.Header) bool {
		return a.entrypointBase != "" && path.Base(p) == a.entrypointBase
	}, analyze: analyzeShebang},
}

func isPath(want string) func(*auditor, string, *tar.Header) bool {
	return func(_ *auditor, p string, _ *tar.Header) bool { return p == want }
}

// analyzeShebang keeps the interpreter line of a file that may be the
// entrypoint, for checkEntrypoint.
func analyzeShebang(_ *auditor, _ string, n *node, b []byte) []candidate {
	if bytes.HasPrefix(b, []byte("#!")) {
		line, _, _ := bytes.Cut(b[2:], []byte("\n"))
		n.shebang = strings.TrimSpace(string(line))
	}
	return nil
}

func analyzePasswd(a *auditor, _ string, n *node, b []byte) []candidate {
	es := ParsePasswd(b)
	a.passwd[n] = es
	return duplicates(es, "UID", "user")
}

func analyzeGroup(_ *auditor, _ string, _ *node, b []byte) []candidate {
	return duplicates(ParsePasswd(b), "GID", "group")
}

func duplicates(es []PasswdEntry, id, what string) []candidate {
	var out []candidate
	dups, first := duplicateIDs(es)
	for i, d := range dups {
		out = append(out, candidate{rule: DuplicateID, line: d.Line,
			msg: fmt.Sprintf("%s %s of %s %q is also %s %q's", id, d.ID, what, d.Name, what, first[i])})
	}
	return out
}

func analyzeShadow(_ *auditor, _ string, _ *node, b []byte) []candidate {
	var out []candidate
	for _, e := range ParseShadow(b) {
		if e.Password == "" {
			out = append(out, candidate{rule: EmptyPassword, line: e.Line,
				msg: fmt.Sprintf("account %q has an empty password: lock it with \"*\" or \"!\"", e.Name)})
		}
	}
	return out
}

func analyzeCredentialName(_ *auditor, p string, _ *node, _ []byte) []candidate {
	return []candidate{{rule: SecretInConfig, secret: true, what: "credential file " + p,
		msg: fmt.Sprintf("credential file %s: keep secrets out of images (build secret mounts, runtime secrets)", p)}}
}

func analyzeSecrets(a *auditor, p string, _ *node, b []byte) []candidate {
	if len(b) == 0 || looksBinary(b) {
		return nil
	}
	var out []candidate
	for _, s := range scanSecrets(p, b, a.acceptKey) {
		what := s.what + " in " + p
		msg := what + ": keep secrets out of images (build secret mounts, runtime secrets)"
		out = append(out, candidate{rule: s.rule, line: s.line, msg: msg, what: what, secret: true})
	}
	return out
}

// treeCheck looks at one path of the final image; it returns false to
// skip a directory's children.
type treeCheck func(a *auditor, p string, n *node) bool

var treeChecks = []treeCheck{checkSetuid, checkWorldWritable, checkShadowMode, checkUnnecessary}

func checkSetuid(a *auditor, p string, n *node) bool {
	if n.typ != tar.TypeReg && n.typ != tar.TypeLink {
		return true
	}
	var bits []string
	if n.mode&0o4000 != 0 {
		bits = append(bits, "setuid")
	}
	if n.mode&0o2000 != 0 {
		bits = append(bits, "setgid")
	}
	if len(bits) > 0 {
		a.reportAt(SetuidFile, n, p, "%s file %s (mode %04o): drop the bit (chmod u-s,g-s) unless the image needs it", strings.Join(bits, " and "), p, n.mode&0o7777)
	}
	return true
}

func checkWorldWritable(a *auditor, p string, n *node) bool {
	if !n.isDir() || p == "/tmp" || p == "/var/tmp" || n.layer < 0 {
		return true
	}
	if n.mode&0o002 != 0 && n.mode&0o1000 == 0 {
		a.reportAt(WorldWritableDir, n, p, "directory %s is writable by every user without the sticky bit (mode %04o): chmod o-w or +t", p, n.mode&0o7777)
	}
	return true
}

func checkShadowMode(a *auditor, p string, n *node) bool {
	if (p == "/etc/shadow" || p == "/etc/gshadow") && n.typ == tar.TypeReg && n.mode&0o004 != 0 {
		a.reportAt(ShadowReadable, n, p, "%s is readable by every user (mode %04o): chmod o-r", p, n.mode&0o7777)
	}
	return true
}

// unnecessaryDirs and unnecessaryFiles follow dockle's DKL-LI-0003 list,
// plus editor and OS droppings.
var (
	unnecessaryDirs  = map[string]bool{".git": true, ".svn": true, ".hg": true, ".cache": true, ".vscode": true, ".idea": true, ".npm": true, "tmp": true}
	unnecessaryFiles = map[string]bool{"Dockerfile": true, "Containerfile": true, "docker-compose.yml": true, "docker-compose.yaml": true,
		".vimrc": true, ".DS_Store": true, "Thumbs.db": true, ".npmrc": true, ".bash_history": true, ".python_history": true,
		".viminfo": true, ".lesshst": true, ".wget-hsts": true, ".dockerignore": true}
	thirdPartyTrees = []string{"/node_modules/", "/vendor/", "/site-packages/", "/dist-packages/"}
)

func inThirdParty(p string) bool {
	for _, t := range thirdPartyTrees {
		if strings.Contains(p+"/", t) {
			return true
		}
	}
	return false
}

func checkUnnecessary(a *auditor, p string, n *node) bool {
	base := path.Base(p)
	switch {
	case n.isDir() && unnecessaryDirs[base]:
		if inThirdParty(p) || !hasFiles(n) {
			return true
		}
		if base == "tmp" {
			a.reportAt(UnnecessaryFile, newest(n), p, "files are left in %s: delete them in the step that creates them", p)
		} else {
			a.reportAt(UnnecessaryFile, newest(n), p, "directory %s should not be in the image: add it to .dockerignore or delete it in the step that creates it", p)
		}
		return false
	case n.typ == tar.TypeReg && (unnecessaryFiles[base] || strings.HasSuffix(base, ".swp")):
		if !inThirdParty(p) {
			a.reportAt(UnnecessaryFile, n, p, "unnecessary file %s: add it to .dockerignore", p)
		}
	}
	return true
}

func hasFiles(n *node) bool {
	for _, c := range n.children {
		if !c.isDir() || hasFiles(c) {
			return true
		}
	}
	return false
}

// newest returns the node of n's subtree written last, to name its layer.
func newest(n *node) *node {
	best := n
	for _, c := range n.children {
		if x := newest(c); x.layer > best.layer {
			best = x
		}
	}
	return best
}

// countCache counts the files of system package caches and lists per
// layer and directory (DKL-DI-0005), as the waste table classifies them.
func (a *auditor) countCache(p string, layer int, size int64) {
	m, ok := waste.Classify(p)
	if !ok || !m.Kind.Package {
		return
	}
	k := cacheKey{layer, m.Dir()}
	c := a.caches[k]
	if c == nil {
		c = &cacheCount{remedy: m.Kind.Remedy}
		a.caches[k] = c
	}
	c.files++
	c.bytes += size
}

func (a *auditor) reportCaches() {
	keys := make([]cacheKey, 0, len(a.caches))
	for k := range a.caches {
		keys = append(keys, k)
	}
	sortKeys(keys)
	for _, k := range keys {
		c := a.caches[k]
		a.report(PackageCache, locationOf(a.layerDigest(k.layer), k.dir),
			"layer %d ships %s (%s) under %s: %s", k.layer, units.Count(c.files, "package cache file"), units.Bytes(c.bytes), k.dir, c.remedy)
	}
}
