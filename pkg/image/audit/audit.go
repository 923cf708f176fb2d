// Package audit checks an image's configuration, history and files for
// security problems, as dockle does, in one streaming pass over the layers
// (nothing is extracted). Rules keep dockle's IDs (CIS-DI-*, DKL-*) where
// dockle has the check; slimship's own are SSA*.
//
// Files count only as they are in the final image (whiteouts applied),
// except secrets: a key or token in any layer is reported even when a
// later layer deletes or replaces it, as SSA008, since layers ship whole.
//
// Checks are analyzers with a cheap filter in trivy's manner: a file's
// content is read only when some analyzer asks for it by path, type and
// size, and then only a bounded prefix of it.
package audit

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/walk"
)

// DefaultMaxRead bounds the bytes of one file that content checks read.
const DefaultMaxRead int64 = 64 << 10

// Options tune an audit.
type Options struct {
	// Reference is the registry-style name the image was opened by, for
	// DKL-DI-0006 (latest tag); empty for archives and layouts.
	Reference string
	// AcceptKeys are environment and build-argument names not to report
	// as secrets (case-insensitive).
	AcceptKeys []string
	// AcceptFiles are files not to report: an absolute path, a base name,
	// or a glob matched against either.
	AcceptFiles []string
	// Config applies ignores and severity overrides, and turns on
	// default-off rules (nil: defaults), unless Policy is set.
	Config *config.Config
	// Policy says which rules report and at what severity; nil means
	// Config's, with rule IDs taken as written.
	Policy *finding.Policy
	// ContentTrust tells CIS-DI-0005 that DOCKER_CONTENT_TRUST=1 is set.
	ContentTrust bool
	// MaxRead bounds the bytes read of one file (DefaultMaxRead when 0).
	MaxRead int64
	// Walk passes limits and progress to the layer walk.
	Walk walk.Options
}

// Audit runs every enabled rule over img.
func Audit(ctx context.Context, img v1.Image, opts Options) ([]finding.Finding, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	if cf == nil {
		cf = &v1.ConfigFile{}
	}
	a := newAuditor(cf, opts)
	wopts := opts.Walk
	userOnLayer := wopts.OnLayer
	wopts.OnLayer = func(l *walk.Layer) error {
		a.layers = append(a.layers, l.Digest.String())
		if userOnLayer != nil {
			return userOnLayer(l)
		}
		return nil
	}
	if err := walk.Walk(ctx, img, wopts, a.entry); err != nil {
		return nil, err
	}
	a.finish()
	return a.result(), nil
}

type auditor struct {
	cf      *v1.ConfigFile
	opts    Options
	maxRead int64
	buf     []byte
	tree    *tree
	layers  []string
	out     []finding.Finding
	// caches counts package-cache files per layer and cache directory.
	caches map[cacheKey]*cacheCount
	// passwd holds the parsed /etc/passwd of each version seen.
	passwd map[*node][]PasswdEntry
	// entrypointBase is the base name of the program ENTRYPOINT/CMD runs:
	// files of that name have their #! line read.
	entrypointBase string
}

type cacheKey struct {
	layer int
	dir   string
}

type cacheCount struct {
	files  int
	bytes  int64
	remedy string
}

func newAuditor(cf *v1.ConfigFile, opts Options) *auditor {
	a := &auditor{cf: cf, opts: opts, maxRead: opts.MaxRead, caches: map[cacheKey]*cacheCount{}, passwd: map[*node][]PasswdEntry{}}
	if a.maxRead <= 0 {
		a.maxRead = DefaultMaxRead
	}
	a.tree = newTree(a.gone)
	if argv := append(append([]string{}, cf.Config.Entrypoint...), cf.Config.Cmd...); len(argv) > 0 && argv[0] != "" {
		a.entrypointBase = path.Base(argv[0])
	}
	return a
}

func (a *auditor) layerDigest(i int) string {
	if i >= 0 && i < len(a.layers) {
		return a.layers[i]
	}
	return ""
}

func (a *auditor) report(rule string, loc finding.Location, format string, args ...any) {
	r, ok := rules[rule]
	if !ok {
		panic("audit: unknown rule " + rule)
	}
	a.out = append(a.out, finding.New(r, loc, fmt.Sprintf(format, args...)))
}

// gone is called for the candidates of a file version that a later layer
// deleted or replaced: secrets are still shipped in their layer.
func (a *auditor) gone(c candidate, by int, deleted bool) {
	if !c.secret {
		return
	}
	what := c.what
	if what == "" {
		what = c.msg
	}
	verb := "replaced"
	if deleted {
		verb = "deleted"
	}
	a.report(SecretInLowerLyr, finding.Location{Layer: a.layerDigest(c.layer), Path: c.path},
		"%s%s; layer %d %s the file but layer %d still ships it: remove it in the step that creates it, or use a build secret mount", what, atLine(c.line), by, verb, c.layer)
}

func (a *auditor) acceptKey(k string) bool {
	for _, x := range a.opts.AcceptKeys {
		if strings.EqualFold(x, k) {
			return true
		}
	}
	return false
}

func (a *auditor) acceptFile(p string) bool {
	if p == "" {
		return false
	}
	base := path.Base(p)
	for _, x := range a.opts.AcceptFiles {
		if x == p || x == base || strings.TrimSuffix(x, "/") == p {
			return true
		}
		if ok, _ := path.Match(x, p); ok {
			return true
		}
		if ok, _ := path.Match(x, base); ok {
			return true
		}
		if strings.HasSuffix(x, "/") && strings.HasPrefix(p, x) {
			return true
		}
	}
	return false
}

// entry applies one tar entry to the tree and runs the file analyzers
// whose filters want it.
func (a *auditor) entry(e *walk.Entry, r io.Reader) error {
	switch {
	case e.Whiteout:
		a.tree.remove(e.Path, e.Layer)
		return nil
	case e.Opaque:
		a.tree.opaque(e.Path, e.Layer)
		return nil
	}
	h := e.Header
	n, old := a.tree.put(e.Path, e.Layer, h)
	if old != nil {
		defer a.replaced(old, n, e.Layer)
	}
	if h.Typeflag == tar.TypeLink {
		target, _ := walk.CleanPath(h.Linkname)
		if t := a.tree.get(target); t != nil && t != n {
			for _, c := range t.cands {
				c.path, c.layer = e.Path, e.Layer
				n.cands = append(n.cands, c)
			}
		}
		return nil
	}
	if n.typ != tar.TypeReg {
		return nil
	}
	a.countCache(e.Path, e.Layer, h.Size)
	var want int64
	var todo []*fileAnalyzer
	for i := range fileAnalyzers {
		fa := &fileAnalyzers[i]
		if fa.required(a, e.Path, h) {
			todo = append(todo, fa)
			limit := fa.limit
			if limit < 0 {
				limit = a.maxRead
			}
			want = max(want, limit)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	var content []byte
	if want > 0 {
		if want > h.Size {
			want = h.Size
		}
		if int64(cap(a.buf)) < want {
			a.buf = make([]byte, want)
		}
		k, err := io.ReadFull(r, a.buf[:want])
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		content = a.buf[:k]
	}
	for _, fa := range todo {
		for _, c := range fa.analyze(a, e.Path, n, content) {
			c.layer, c.path = e.Layer, e.Path
			n.cands = append(n.cands, c)
		}
	}
	return nil
}

// atLine names a line of an image file in a message. Location.Line is
// left unset: it is a line of Location.File, which for image findings is
// the image itself.
func atLine(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", n)
}

// replaced hands the secrets of a replaced file version to gone, unless
// the new version has the same finding (then the final report has it).
func (a *auditor) replaced(old, n *node, layer int) {
	for _, c := range old.cands {
		same := false
		for _, x := range n.cands {
			if x.rule == c.rule && x.msg == c.msg {
				same = true
				break
			}
		}
		if !same {
			a.gone(c, layer, false)
		}
	}
}

// finish runs the checks of the final image: its files, its config and
// history, and the per-layer package caches.
func (a *auditor) finish() {
	a.tree.each(func(p string, n *node) bool {
		for _, c := range n.cands {
			a.report(c.rule, finding.Location{Layer: a.layerDigest(c.layer), Path: c.path}, "%s%s", c.msg, atLine(c.line))
		}
		descend := true
		for _, tc := range treeChecks {
			if !tc(a, p, n) {
				descend = false
			}
		}
		return descend
	})
	a.checkEntrypoint()
	a.checkConfig()
	a.checkHistory()
	a.reportCaches()
}

// result filters by accepted files and applies the policy (which sorts).
func (a *auditor) result() []finding.Finding {
	pol := a.opts.Policy
	if pol == nil {
		pol, _ = a.opts.Config.Policy(nil, config.Flags{}) // cannot fail without IDs and flags
	}
	out := make([]finding.Finding, 0, len(a.out))
	for _, f := range a.out {
		if !a.acceptFile(f.Path) {
			out = append(out, f)
		}
	}
	return pol.Apply(Rules(), out)
}
