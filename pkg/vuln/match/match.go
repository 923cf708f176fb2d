// Package match decides whether an OSV record affects a package version,
// in the package's ecosystem's own version order (osv-scalibr's semantic
// package), and matches an inventory against a database index.
package match

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/osv-scalibr/semantic"

	"github.com/slimship/slimship/pkg/vuln/osv"
)

// Package is one installed package. Ecosystem is an OSV ecosystem,
// with the release for distributions ("Debian:12", "Alpine:v3.20");
// SourceName and SourceVersion are the Debian source package or the
// Alpine origin, which distribution records name. GOOS and GOARCH are
// the platform of the Go binary a Go module was found in ("" when not
// known): a Go record whose packages are all limited to other platforms
// does not affect it, as govulncheck decides.
type Package struct {
	Ecosystem     string
	Name          string
	Version       string
	SourceName    string
	SourceVersion string
	GOOS          string
	GOARCH        string
	// Where says where the package was found, when known; the matcher
	// does not look at it.
	Where *Where
}

// Where is where a package was found in an image.
type Where struct {
	// Path is the package database or binary.
	Path string
	// Layer is the index of the layer that last wrote Path (0 = bottom),
	// -1 when not known.
	Layer       int
	LayerDigest string
	// CreatedBy is the layer's history entry.
	CreatedBy string
	// Origin is "base" (the base image's layers), "dockerfile" (a layer
	// the Dockerfile added) or "" (not known).
	Origin string
	// DockerfileFile, DockerfileLine and DockerfileText are the
	// instruction that made the layer, when a Dockerfile was given.
	DockerfileFile string
	DockerfileLine int
	DockerfileText string
}

// distro reports whether records of ecosystem name source packages and
// are split by release.
func distro(base string) bool {
	switch base {
	case "Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard":
		return true
	}
	return false
}

// key is the name and version a package is matched by: the source package
// for distributions that have one, and Go's "go1.22.1" as "1.22.1".
func key(p Package) (name, version string) {
	base := osv.Base(p.Ecosystem)
	name, version = p.Name, p.Version
	if distro(base) && p.SourceName != "" {
		name = p.SourceName
		if p.SourceVersion != "" {
			version = p.SourceVersion
		}
	}
	if base == "Go" {
		version = strings.TrimPrefix(version, "go")
		version = strings.TrimPrefix(version, "v")
	}
	return name, version
}

// Hit is one record affecting a package.
type Hit struct {
	Record *osv.Record
	// Affected is the entry of Record that matched.
	Affected *osv.Affected
	// Fixed is the first version that fixes it in the matched range, or
	// "" when none is known.
	Fixed string
}

// Affected reports whether r affects p, and how. A withdrawn record
// affects nothing; an entry of another release ("Debian:11" for a
// "Debian:12" package) does not apply; a version the ecosystem cannot
// parse matches only through the record's versions list.
func Affected(r *osv.Record, p Package) (Hit, bool) {
	t := newTarget(p)
	return t.affected(r, nil)
}

// target is what a package is matched by, its version parsed once.
type target struct {
	eco, base, name, version string
	goos, goarch             string
	v                        semantic.Version
	parsed, bad              bool
}

func newTarget(p Package) *target {
	name, version := key(p)
	base := osv.Base(p.Ecosystem)
	return &target{eco: p.Ecosystem, base: base, name: osv.NormalizeName(base, name), version: version, goos: p.GOOS, goarch: p.GOARCH}
}

// semver parses the version on first use; false when it does not parse.
func (t *target) semver() (semantic.Version, bool) {
	if !t.parsed && !t.bad {
		v, err := parse(t.eco, t.version)
		if err != nil {
			t.bad = true
		} else {
			t.v, t.parsed = v, true
		}
	}
	return t.v, t.parsed
}

// versions caches parsed event versions by their text, per ecosystem: the
// same fixed and introduced versions recur across records. One matching
// goroutine owns one; nil parses every time.
type versions map[string]semantic.Version

func (t *target) affected(r *osv.Record, vc versions) (Hit, bool) {
	if !r.Withdrawn.IsZero() {
		return Hit{}, false
	}
	for i := range r.Affected {
		a := &r.Affected[i]
		if osv.Base(a.Package.Ecosystem) != t.base || osv.NormalizeName(t.base, a.Package.Name) != t.name {
			continue
		}
		if a.Package.Ecosystem != t.base && a.Package.Ecosystem != t.eco {
			continue // another release
		}
		if !osv.Admits(a.Platforms, t.goos, t.goarch) {
			continue // only in binaries for other platforms
		}
		if len(a.Ranges) == 0 && len(a.Versions) == 0 {
			return Hit{Record: r, Affected: a}, true // every version
		}
		for _, lv := range a.Versions {
			if lv == t.version || (t.base == "Go" && strings.TrimPrefix(lv, "v") == t.version) {
				return Hit{Record: r, Affected: a, Fixed: fixedAbove(a, t.base, t.version)}, true
			}
		}
		v, ok := t.semver()
		if !ok {
			return Hit{}, false
		}
		for _, rg := range a.Ranges {
			if rg.Type != "SEMVER" && rg.Type != "ECOSYSTEM" {
				continue
			}
			if hit, fixed := inRange(t.eco, v, rg.Events, vc); hit {
				return Hit{Record: r, Affected: a, Fixed: fixed}, true
			}
		}
	}
	return Hit{}, false
}

// parse reads version in ecosystem's own syntax: every version the
// matcher orders goes through it.
func parse(ecosystem, version string) (semantic.Version, error) {
	return semantic.Parse(version, ecosystem)
}

// Compare orders versions a and b of ecosystem as the matcher does: -1, 0
// or +1, or an error when either does not parse.
func Compare(ecosystem, a, b string) (int, error) {
	va, err := parse(ecosystem, a)
	if err != nil {
		return 0, err
	}
	vb, err := parse(ecosystem, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb)
}

// ev is an event with its version parsed (nil when it did not parse).
type ev struct {
	kind byte // 'i', 'f', 'l' (last_affected), 'L' (limit)
	s    string
	v    semantic.Version
	zero bool // introduced "0"
}

func parseEvents(eco string, events []osv.Event, vc versions) []ev {
	out := make([]ev, 0, len(events))
	for _, e := range events {
		var x ev
		switch {
		case e.Introduced != "":
			x = ev{kind: 'i', s: e.Introduced, zero: e.Introduced == "0"}
		case e.Fixed != "":
			x = ev{kind: 'f', s: e.Fixed}
		case e.LastAffected != "":
			x = ev{kind: 'l', s: e.LastAffected}
		case e.Limit != "":
			if e.Limit == "*" {
				continue
			}
			x = ev{kind: 'L', s: e.Limit}
		default:
			continue
		}
		if !x.zero {
			pv, ok := vc[x.s]
			if !ok {
				var err error
				if pv, err = parse(eco, x.s); err != nil {
					pv = nil
				}
				if vc != nil {
					vc[x.s] = pv
				}
			}
			if pv == nil {
				continue // an event that does not parse says nothing
			}
			x.v = pv
		}
		out = append(out, x)
	}
	return out
}

// compare is a.Compare(b), with introduced "0" below everything.
func compare(a, b ev) int {
	switch {
	case a.zero && b.zero:
		return 0
	case a.zero:
		return -1
	case b.zero:
		return 1
	}
	c, err := a.v.Compare(b.v)
	if err != nil {
		return 0
	}
	return c
}

// inRange evaluates one range's events for v as the OSV schema has it:
// v is affected when some introduced <= v is not closed by a fixed in
// (introduced, v] or a last_affected in [introduced, v); limits bound the
// range from above (v must be below one). Events need not be sorted. The
// fixed version returned is the nearest fixed above v that closes the
// introduced, or "".
func inRange(eco string, v semantic.Version, events []osv.Event, vc versions) (bool, string) {
	es := parseEvents(eco, events, vc)
	pv := ev{v: v}
	hasLimit, below := false, false
	for _, e := range es {
		if e.kind == 'L' {
			hasLimit = true
			if compare(pv, e) < 0 {
				below = true
			}
		}
	}
	if hasLimit && !below {
		return false, ""
	}
	for _, in := range es {
		if in.kind != 'i' || compare(pv, in) < 0 {
			continue
		}
		closed := false
		var fix *ev
		for j := range es {
			c := es[j]
			if (c.kind != 'f' && c.kind != 'l') || compare(c, in) < 0 {
				continue
			}
			d := compare(pv, c)
			if c.kind == 'f' && d >= 0 || c.kind == 'l' && d > 0 {
				closed = true
				break
			}
			if c.kind == 'f' && (fix == nil || compare(c, *fix) < 0) {
				fix = &es[j]
			}
		}
		if !closed {
			if fix != nil {
				return true, fix.s
			}
			return true, ""
		}
	}
	return false, ""
}

// fixedAbove is the nearest fixed event above version in a's ranges, for
// a package matched by the versions list.
func fixedAbove(a *osv.Affected, eco, version string) string {
	v, err := parse(eco, version)
	if err != nil {
		return ""
	}
	pv := ev{v: v}
	var best *ev
	for _, rg := range a.Ranges {
		if rg.Type == "GIT" {
			continue
		}
		es := parseEvents(eco, rg.Events, nil)
		for j := range es {
			if es[j].kind == 'f' && compare(pv, es[j]) < 0 && (best == nil || compare(es[j], *best) < 0) {
				best = &es[j]
			}
		}
	}
	if best == nil {
		return ""
	}
	return best.s
}

// Source finds the records naming a package (db.Index is one).
type Source interface {
	Lookup(ecosystem, name string) []*osv.Record
}

// Result is a package and a record that affects it.
type Result struct {
	Package Package
	Hit
}

// All matches every package against src, once per package and record.
// Packages matched by the same ecosystem, name, version and platform (the binary
// packages of one Debian source) are matched once; distinct ones are
// matched on every CPU. A package whose version does not parse is matched
// only by versions lists; it never stops the scan. Results are in the
// order of pkgs, and of the records src returns for each.
func All(src Source, pkgs []Package) []Result {
	type group struct {
		t    *target
		p    Package
		hits []Hit
	}
	var groups []*group
	of := make([]int, len(pkgs))
	byKey := map[[5]string]int{}
	for i, p := range pkgs {
		t := newTarget(p)
		k := [5]string{t.eco, t.name, t.version, t.goos, t.goarch}
		g, ok := byKey[k]
		if !ok {
			g = len(groups)
			byKey[k] = g
			groups = append(groups, &group{t: t, p: p})
		}
		of[i] = g
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(groups)/64, 1)) {
		wg.Go(func() {
			caches := map[string]versions{}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(groups) {
					return
				}
				g := groups[i]
				name, _ := key(g.p)
				var seen []string
				for _, r := range src.Lookup(g.p.Ecosystem, name) {
					if slices.Contains(seen, r.ID) {
						continue
					}
					seen = append(seen, r.ID)
					vc := caches[g.t.eco]
					if vc == nil {
						vc = versions{}
						caches[g.t.eco] = vc
					}
					if h, ok := g.t.affected(r, vc); ok {
						g.hits = append(g.hits, h)
					}
				}
			}
		})
	}
	wg.Wait()
	var out []Result
	for i, p := range pkgs {
		for _, h := range groups[of[i]].hits {
			out = append(out, Result{Package: p, Hit: h})
		}
	}
	return out
}
