// Package inventory turns package URLs, and SBOM files made of them
// (CycloneDX JSON, SPDX JSON, or a JSON list of packages), into the
// packages the matcher takes.
package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/slimship/slimship/internal/bounded"

	packageurl "github.com/package-url/packageurl-go"

	"github.com/slimship/slimship/pkg/vuln/match"
)

// debianReleases maps Debian codenames to OSV release numbers.
var debianReleases = map[string]string{
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14",
}

// release reads the release from a distro qualifier: "debian-12",
// "debian-12.5", "bookworm", "alpine-3.20.3", "3.20".
func release(distro, prefix string) string {
	d := strings.TrimPrefix(strings.ToLower(distro), prefix+"-")
	if r, ok := debianReleases[d]; ok {
		return r
	}
	return d
}

// FromPURL maps a package URL to a match.Package. Distribution packages
// take their release from the distro qualifier and their source package
// from upstream (name or name@version) or origin.
func FromPURL(s string) (match.Package, error) {
	u, err := packageurl.FromString(s)
	if err != nil {
		return match.Package{}, err
	}
	q := u.Qualifiers.Map()
	p := match.Package{Name: u.Name, Version: u.Version}
	// trivy writes a Debian epoch as a qualifier (pkg:deb/debian/x@1.0?epoch=2),
	// slimship and syft in the version (x@2:1.0); both mean 2:1.0.
	if e := q["epoch"]; e != "" && e != "0" && u.Type == "deb" && !strings.Contains(p.Version, ":") {
		p.Version = e + ":" + p.Version
	}
	if p.Version == "" {
		return p, fmt.Errorf("%s: no version", s)
	}
	upstream := func() {
		src := q["upstream"]
		if src == "" {
			src = q["origin"]
		}
		if src == "" {
			return
		}
		name, ver, _ := strings.Cut(src, "@")
		p.SourceName, p.SourceVersion = name, ver
	}
	switch u.Type {
	case "deb":
		switch strings.ToLower(u.Namespace) {
		case "debian":
			p.Ecosystem = "Debian"
			if r := release(q["distro"], "debian"); r != "" {
				r, _, _ = strings.Cut(r, ".")
				p.Ecosystem += ":" + r
			}
		case "ubuntu":
			p.Ecosystem = "Ubuntu"
			if r := release(q["distro"], "ubuntu"); r != "" {
				p.Ecosystem += ":" + r
			}
		default:
			return p, fmt.Errorf("%s: unknown deb namespace %q", s, u.Namespace)
		}
		upstream()
	case "apk":
		switch strings.ToLower(u.Namespace) {
		case "alpine":
			p.Ecosystem = "Alpine"
			if r := release(q["distro"], "alpine"); r != "" {
				parts := strings.SplitN(strings.TrimPrefix(r, "v"), ".", 3)
				if len(parts) >= 2 {
					p.Ecosystem += ":v" + parts[0] + "." + parts[1]
				}
			}
		case "wolfi":
			p.Ecosystem = "Wolfi"
		case "chainguard":
			p.Ecosystem = "Chainguard"
		default:
			return p, fmt.Errorf("%s: unknown apk namespace %q", s, u.Namespace)
		}
		upstream()
	case "golang":
		p.Ecosystem = "Go"
		if u.Namespace != "" {
			p.Name = u.Namespace + "/" + u.Name
		}
		if raw := goPath(s); strings.EqualFold(raw, p.Name) {
			p.Name = raw
		}
		// The platform of the binary it was found in (slimship's SBOMs
		// say it), for records limited to some platforms.
		p.GOOS, p.GOARCH = q["goos"], q["goarch"]
	case "npm":
		p.Ecosystem = "npm"
		if u.Namespace != "" {
			p.Name = u.Namespace + "/" + u.Name
		}
	case "pypi":
		p.Ecosystem = "PyPI"
	case "maven":
		p.Ecosystem = "Maven"
		p.Name = u.Namespace + ":" + u.Name
	case "cargo":
		p.Ecosystem = "crates.io"
	case "gem":
		p.Ecosystem = "RubyGems"
	case "nuget":
		p.Ecosystem = "NuGet"
	case "composer":
		p.Ecosystem = "Packagist"
		p.Name = u.Namespace + "/" + u.Name
	default:
		return p, fmt.Errorf("%s: package type %q is not matched", s, u.Type)
	}
	return p, nil
}

// goPath is the module path of a golang purl as written. packageurl-go
// lowercases golang namespaces and names when it parses, but Go module
// paths are case-sensitive and the Go vulnerability database names them
// as they are (github.com/BurntSushi/toml).
func goPath(s string) string {
	_, rest, _ := strings.Cut(s, ":")
	rest = strings.TrimLeft(rest, "/")
	_, rest, _ = strings.Cut(rest, "/") // the type
	if i := strings.IndexAny(rest, "@?#"); i >= 0 {
		rest = rest[:i]
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	for i, seg := range segs {
		d, err := url.PathUnescape(seg)
		if err != nil {
			return ""
		}
		segs[i] = d
	}
	return strings.Join(segs, "/")
}

// sbom is the union of the shapes Read accepts.
type sbom struct {
	// CycloneDX
	BOMFormat   *string     `json:"bomFormat"`
	SpecVersion *string     `json:"specVersion"`
	Components  []component `json:"components"`
	// SPDX 2
	SPDXVersion *string `json:"spdxVersion"`
	Packages    []struct {
		// SPDX
		SPDXID       string `json:"SPDXID"`
		Purpose      string `json:"primaryPackagePurpose"`
		ExternalRefs []struct {
			ReferenceType    string `json:"referenceType"`
			ReferenceLocator string `json:"referenceLocator"`
		} `json:"externalRefs"`
		// slimship's own list
		PURL          string `json:"purl"`
		Ecosystem     string `json:"ecosystem"`
		Name          string `json:"name"`
		Version       string `json:"version"`
		SourceName    string `json:"sourceName"`
		SourceVersion string `json:"sourceVersion"`
		// where slimship found it
		Path        string `json:"path"`
		Layer       *int   `json:"layer"`
		LayerDigest string `json:"layerDigest"`
		Instruction string `json:"instruction"`
		Origin      string `json:"origin"`
		Dockerfile  *struct {
			File string `json:"file"`
			Line int    `json:"line"`
			Text string `json:"text"`
		} `json:"dockerfile"`
		GOOS string `json:"goos"`
		Arch string `json:"arch"`
	} `json:"packages"`
	// SPDX 3 (JSON-LD), refused
	Context any `json:"@context"`
}

type component struct {
	Type       string      `json:"type"`
	Name       string      `json:"name"`
	Version    string      `json:"version"`
	PURL       string      `json:"purl"`
	Components []component `json:"components"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
}

// property returns the value of the component's property name.
func (c component) property(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// maxSBOM bounds what Read takes in.
const maxSBOM = 512 << 20

// where is where slimship's CycloneDX says it found the component (its
// slimship:location and slimship:layer properties), nil for other tools'.
func (c component) where() *match.Where {
	path := c.property("slimship:location:path")
	if path == "" {
		return nil
	}
	w := &match.Where{Path: path, Layer: -1, LayerDigest: c.property("slimship:layer:digest"),
		CreatedBy: c.property("slimship:layer:instruction"), Origin: c.property("slimship:layer:origin")}
	if n, err := strconv.Atoi(c.property("slimship:layer:index")); err == nil && n >= 0 {
		w.Layer = n
	}
	if d := c.property("slimship:dockerfile:line"); d != "" {
		if i := strings.LastIndexByte(d, ':'); i > 0 {
			if n, err := strconv.Atoi(d[i+1:]); err == nil {
				w.DockerfileFile, w.DockerfileLine = d[:i], n
				w.DockerfileText = c.property("slimship:dockerfile:instruction")
			}
		}
	}
	return w
}

// The versions read: CycloneDX has a JSON form from 1.2 on; SPDX 2.2 and
// 2.3 JSON name purls the same way.
var (
	cycloneDXVersions = []string{"1.2", "1.3", "1.4", "1.5", "1.6", "1.7"}
	spdxVersions      = []string{"SPDX-2.2", "SPDX-2.3"}
)

// Read reads a CycloneDX JSON (1.2 to 1.7), SPDX JSON (2.2, 2.3) or
// slimship JSON SBOM, such as slimship, trivy and syft write. Packages
// are known by their purls; trivy's source package properties
// (aquasecurity:trivy:SrcName, SrcVersion) add what its deb purls lack. A
// package whose purl cannot be used is reported in skipped (with the
// reason) and never fails the read; a document that is not JSON, of
// another format or version, or whose packages have no purls at all is
// an error saying so (and where, for JSON that does not parse).
func Read(r io.Reader) (pkgs []match.Package, skipped []string, err error) {
	b, err := bounded.Read("SBOM", r, maxSBOM)
	if err != nil {
		return nil, nil, err
	}
	var doc sbom
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, notJSON(b, err)
	}
	switch {
	case doc.Context != nil:
		return nil, nil, fmt.Errorf("an SPDX 3 (JSON-LD) document: not read; give SPDX 2.3 JSON or CycloneDX JSON")
	case doc.BOMFormat != nil:
		if *doc.BOMFormat != "CycloneDX" {
			return nil, nil, fmt.Errorf("bomFormat %q: not CycloneDX", *doc.BOMFormat)
		}
		if doc.SpecVersion != nil && !slices.Contains(cycloneDXVersions, *doc.SpecVersion) {
			return nil, nil, fmt.Errorf("CycloneDX specVersion %q: not read (CycloneDX JSON %s to %s are)", *doc.SpecVersion, cycloneDXVersions[0], cycloneDXVersions[len(cycloneDXVersions)-1])
		}
	case doc.SPDXVersion != nil:
		if !slices.Contains(spdxVersions, *doc.SPDXVersion) {
			return nil, nil, fmt.Errorf("spdxVersion %q: not read (SPDX JSON %s are)", *doc.SPDXVersion, strings.Join(spdxVersions, " and "))
		}
	case doc.Packages == nil:
		return nil, nil, fmt.Errorf("not a CycloneDX, SPDX or slimship SBOM (no bomFormat, spdxVersion or packages)")
	}
	entries, purls := 0, 0
	add := func(purl, sourceName, sourceVersion string, where *match.Where) {
		purls++
		p, err := FromPURL(purl)
		if err != nil {
			if !describesImage(purl) {
				skipped = append(skipped, err.Error())
			}
			return
		}
		if p.SourceName == "" && sourceName != "" && sourceName != p.Name {
			p.SourceName, p.SourceVersion = sourceName, sourceVersion
		}
		p.Where = where
		pkgs = append(pkgs, p)
	}
	var walk func([]component)
	walk = func(cs []component) {
		for _, c := range cs {
			switch {
			case c.PURL != "":
				entries++
				add(c.PURL, c.property("aquasecurity:trivy:SrcName"), c.property("aquasecurity:trivy:SrcVersion"), c.where())
			case c.Type == "library" || c.Type == "framework":
				entries++
				skipped = append(skipped, fmt.Sprintf("component %s %s: no purl", c.Name, c.Version))
			case c.Type == "":
				entries++
			}
			walk(c.Components)
		}
	}
	walk(doc.Components)
	for _, p := range doc.Packages {
		switch {
		case p.Ecosystem != "" && p.Name != "" && p.Version != "":
			entries++
			purls++
			mp := match.Package{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, SourceName: p.SourceName, SourceVersion: p.SourceVersion}
			if p.Path != "" {
				w := &match.Where{Path: p.Path, Layer: -1, LayerDigest: p.LayerDigest, CreatedBy: p.Instruction, Origin: p.Origin}
				if p.Layer != nil {
					w.Layer = *p.Layer
				}
				if d := p.Dockerfile; d != nil {
					w.DockerfileFile, w.DockerfileLine, w.DockerfileText = d.File, d.Line, d.Text
				}
				mp.Where = w
			}
			if p.Ecosystem == "Go" {
				mp.GOOS, mp.GOARCH = p.GOOS, p.Arch
			}
			pkgs = append(pkgs, mp)
		case p.PURL != "":
			entries++
			add(p.PURL, "", "", nil)
		default:
			found := false
			for _, ref := range p.ExternalRefs {
				if ref.ReferenceType == "purl" {
					found = true
					add(ref.ReferenceLocator, "", "", nil)
				}
			}
			// The document's root and its operating system are not
			// packages.
			if found || p.Purpose != "CONTAINER" && p.Purpose != "OPERATING_SYSTEM" && p.Purpose != "OPERATING-SYSTEM" && p.Purpose != "FILE" {
				entries++
				if !found {
					skipped = append(skipped, fmt.Sprintf("package %s %s (%s): no purl", p.Name, p.Version, p.SPDXID))
				}
			}
		}
	}
	if entries > 0 && purls == 0 {
		return nil, nil, fmt.Errorf("%d packages, none with a purl: slimship matches packages by purl (write the SBOM with slimship sbom, trivy or syft)", entries)
	}
	return pkgs, skipped, nil
}

// describesImage reports whether purl names the image or container the
// SBOM describes (trivy's and syft's root), not a package.
func describesImage(purl string) bool {
	return strings.HasPrefix(purl, "pkg:oci/") || strings.HasPrefix(purl, "pkg:docker/")
}

// notJSON explains a document json cannot read: where it fails (line and
// column), which key holds a value of the wrong type, and what a known
// non-JSON SBOM is.
func notJSON(b []byte, err error) error {
	head := strings.TrimSpace(string(b[:min(len(b), 256)]))
	switch {
	case len(head) == 0:
		return fmt.Errorf("empty: not a JSON SBOM")
	case strings.HasPrefix(head, "<"):
		return fmt.Errorf("XML, not JSON: write the SBOM as CycloneDX or SPDX JSON")
	case strings.HasPrefix(head, "SPDXVersion:"):
		return fmt.Errorf("SPDX tag-value, not JSON: write the SBOM as SPDX JSON")
	case strings.HasPrefix(head, "@prefix") || strings.Contains(head, "rdf:RDF"):
		return fmt.Errorf("RDF, not JSON: write the SBOM as SPDX JSON")
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(b, syn.Offset)
		return fmt.Errorf("not a JSON SBOM: line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		line, col := position(b, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Errorf("line %d, column %d: %s: a JSON %s where the SBOM has %s", line, col, field, typ.Value, kindOf(typ.Type.Kind()))
	}
	return fmt.Errorf("not a JSON SBOM: %w", err)
}

// position turns a byte offset (just past the fault, as json reports
// it) into a 1-based line and column.
func position(b []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(b))))
	pre := b[:off]
	line = 1 + bytes.Count(pre, []byte("\n"))
	col = int(off) - (bytes.LastIndexByte(pre, '\n') + 1)
	return line, max(col, 1)
}

func kindOf(k reflect.Kind) string {
	switch k {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Pointer:
		return "a string"
	}
	return k.String()
}
