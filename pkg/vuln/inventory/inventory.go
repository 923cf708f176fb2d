// Package inventory turns package URLs, and SBOM files made of them
// (CycloneDX JSON, SPDX JSON, or a JSON list of packages), into the
// packages the matcher takes.
package inventory

import (
	"encoding/json"
	"fmt"
	"io"
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

// sbom is the union of the shapes Read accepts.
type sbom struct {
	// CycloneDX
	BOMFormat  string      `json:"bomFormat"`
	Components []component `json:"components"`
	// SPDX
	SPDXVersion string `json:"spdxVersion"`
	Packages    []struct {
		// SPDX
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
	} `json:"packages"`
}

type component struct {
	PURL       string      `json:"purl"`
	Components []component `json:"components"`
}

// maxSBOM bounds what Read takes in.
const maxSBOM = 512 << 20

// Read reads a CycloneDX JSON, SPDX JSON or slimship JSON SBOM. A package
// whose purl cannot be used is reported in skipped (with the reason) and
// never fails the read.
func Read(r io.Reader) (pkgs []match.Package, skipped []string, err error) {
	b, err := bounded.Read("SBOM", r, maxSBOM)
	if err != nil {
		return nil, nil, err
	}
	var doc sbom
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, fmt.Errorf("not a JSON SBOM: %w", err)
	}
	add := func(purl string) {
		if purl == "" {
			return
		}
		p, err := FromPURL(purl)
		if err != nil {
			skipped = append(skipped, err.Error())
			return
		}
		pkgs = append(pkgs, p)
	}
	var walk func([]component)
	walk = func(cs []component) {
		for _, c := range cs {
			add(c.PURL)
			walk(c.Components)
		}
	}
	walk(doc.Components)
	for _, p := range doc.Packages {
		switch {
		case p.Ecosystem != "" && p.Name != "" && p.Version != "":
			pkgs = append(pkgs, match.Package{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, SourceName: p.SourceName, SourceVersion: p.SourceVersion})
		case p.PURL != "":
			add(p.PURL)
		default:
			for _, ref := range p.ExternalRefs {
				if ref.ReferenceType == "purl" {
					add(ref.ReferenceLocator)
				}
			}
		}
	}
	if doc.BOMFormat == "" && doc.SPDXVersion == "" && doc.Packages == nil {
		return nil, skipped, fmt.Errorf("not a CycloneDX, SPDX or slimship SBOM (no components or packages)")
	}
	return pkgs, skipped, nil
}
