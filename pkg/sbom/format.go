package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"

	spdxjson "github.com/spdx/tools-golang/json"
)

// Meta names what an SBOM describes and when it was made.
type Meta struct {
	// Name is the image reference or directory.
	Name string
	// Tool and ToolVersion name the generator ("slimship", "v1.2.3").
	Tool, ToolVersion string
	// Created is the SBOM's timestamp; see Timestamp.
	Created time.Time
}

// maxEpoch is 9999-12-31T23:59:59Z.
const maxEpoch = 253402300799

// Timestamp picks the SBOM time so output is reproducible:
// SOURCE_DATE_EPOCH when set, else the image's creation time, else the
// Unix epoch. A malformed SOURCE_DATE_EPOCH is an error.
func Timestamp(img v1.Image) (time.Time, error) {
	if s, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok && s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		// Documents spell the time as RFC 3339, whose years have four digits.
		if err != nil || n < 0 || n > maxEpoch {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970 (0 to %d)", s, maxEpoch)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if img != nil {
		if cf, err := img.ConfigFile(); err == nil && cf != nil && !cf.Created.IsZero() {
			return cf.Created.UTC(), nil
		}
	}
	return time.Unix(0, 0).UTC(), nil
}

// ref is a package's stable identifier: a hash of what makes it unique
// in the inventory, so it does not change from run to run. The
// architecture tells multi-arch twins (libc6:amd64, libc6:i386) apart.
func ref(p Package) string {
	key := p.Type + "\x00" + p.Name + "\x00" + p.Version + "\x00" + p.Path
	if p.Arch != "" {
		key += "\x00" + p.Arch
	}
	h := sha256.Sum256([]byte(key))
	return sanitizeID(p.Type) + "-" + hex.EncodeToString(h[:8])
}

// refs are the identifiers of ps, in order: ref, with "-2", "-3" after a
// package a corrupt database lists more than once, so each is unique (a
// CycloneDX bom-ref, an SPDX ID).
func refs(ps []Package) []string {
	out := make([]string, len(ps))
	seen := map[string]int{}
	for i, p := range ps {
		r := ref(p)
		seen[r]++
		if n := seen[r]; n > 1 {
			r += "-" + strconv.Itoa(n)
		}
		out[i] = r
	}
	return out
}

func docHash(m Meta, inv *Inventory) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", m.Name, m.Created.Unix())
	for _, p := range inv.Packages {
		fmt.Fprintf(h, "%s\x00%s\x00", p.PURL, p.Path)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WriteCycloneDX writes a CycloneDX 1.6 JSON BOM.
func WriteCycloneDX(w io.Writer, inv *Inventory, m Meta) error {
	bom := cdx.NewBOM()
	d := docHash(m, inv)
	bom.SerialNumber = "urn:uuid:" + d[0:8] + "-" + d[8:12] + "-5" + d[13:16] + "-8" + d[17:20] + "-" + d[20:32]
	root := &cdx.Component{BOMRef: "root", Type: cdx.ComponentTypeContainer, Name: m.Name}
	bom.Metadata = &cdx.Metadata{
		Timestamp: m.Created.UTC().Format(time.RFC3339),
		Component: root,
	}
	if m.Tool != "" {
		bom.Metadata.Tools = &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: m.Tool, Version: m.ToolVersion}}}
	}
	comps := []cdx.Component{}
	deps := []string{}
	if inv.OS.ID != "" {
		comps = append(comps, cdx.Component{BOMRef: "os", Type: cdx.ComponentTypeOS, Name: inv.OS.ID, Version: inv.OS.VersionID, Description: inv.OS.PrettyName})
		deps = append(deps, "os")
	}
	pkgRefs := refs(inv.Packages)
	for i, p := range inv.Packages {
		r := pkgRefs[i]
		props := []cdx.Property{{Name: "slimship:package:type", Value: p.Type}, {Name: "slimship:location:path", Value: p.Path}}
		if p.Layer >= 0 {
			props = append(props, cdx.Property{Name: "slimship:layer:index", Value: strconv.Itoa(p.Layer)})
		}
		if p.LayerDigest != "" {
			props = append(props, cdx.Property{Name: "slimship:layer:digest", Value: p.LayerDigest})
		}
		if p.Instruction != "" {
			props = append(props, cdx.Property{Name: "slimship:layer:instruction", Value: p.Instruction})
		}
		if p.Origin != "" {
			props = append(props, cdx.Property{Name: "slimship:layer:origin", Value: p.Origin})
		}
		if p.Dockerfile != nil {
			props = append(props, cdx.Property{Name: "slimship:dockerfile:line", Value: fmt.Sprintf("%s:%d", p.Dockerfile.File, p.Dockerfile.Line)})
			props = append(props, cdx.Property{Name: "slimship:dockerfile:instruction", Value: p.Dockerfile.Text})
		}
		if p.SourceName != "" {
			props = append(props, cdx.Property{Name: "slimship:package:source-name", Value: p.SourceName})
		}
		if p.SourceVersion != "" {
			props = append(props, cdx.Property{Name: "slimship:package:source-version", Value: p.SourceVersion})
		}
		comps = append(comps, cdx.Component{BOMRef: r, Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version, PackageURL: p.PURL,
			Licenses: cyclonedxLicenses(p.Licenses), Properties: &props})
		deps = append(deps, r)
	}
	bom.Components = &comps
	bom.Dependencies = &[]cdx.Dependency{{Ref: "root", Dependencies: &deps}}
	return cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).EncodeVersion(bom, cdx.SpecVersion1_6)
}

// WriteSPDX writes an SPDX 2.3 JSON document.
func WriteSPDX(w io.Writer, inv *Inventory, m Meta) error {
	d := docHash(m, inv)
	tool := m.Tool
	if tool == "" {
		tool = "slimship"
	}
	if m.ToolVersion != "" {
		tool += "-" + m.ToolVersion
	}
	// A package name is mandatory (SPDX 2.3 clause 7.1).
	name := m.Name
	if name == "" {
		name = "unnamed"
	}
	doc := &v2_3.Document{
		SPDXVersion:       v2_3.Version,
		DataLicense:       v2_3.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      name,
		DocumentNamespace: "https://slimship.dev/spdxdocs/" + sanitize(m.Name) + "-" + d[:32],
		CreationInfo: &v2_3.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: tool}},
			Created:  m.Created.UTC().Format(time.RFC3339),
		},
	}
	root := &v2_3.Package{PackageName: name, PackageSPDXIdentifier: "root", PackageDownloadLocation: "NOASSERTION", PrimaryPackagePurpose: "CONTAINER"}
	doc.Packages = append(doc.Packages, root)
	doc.Relationships = append(doc.Relationships, &v2_3.Relationship{
		RefA: common.MakeDocElementID("", "DOCUMENT"), RefB: common.MakeDocElementID("", "root"), Relationship: "DESCRIBES"})
	if inv.OS.ID != "" {
		doc.Packages = append(doc.Packages, &v2_3.Package{PackageName: inv.OS.ID, PackageSPDXIdentifier: "OperatingSystem", PackageVersion: inv.OS.VersionID,
			PackageDownloadLocation: "NOASSERTION", PrimaryPackagePurpose: "OPERATING_SYSTEM", PackageDescription: inv.OS.PrettyName})
		doc.Relationships = append(doc.Relationships, &v2_3.Relationship{
			RefA: common.MakeDocElementID("", "root"), RefB: common.MakeDocElementID("", "OperatingSystem"), Relationship: "CONTAINS"})
	}
	pkgRefs := refs(inv.Packages)
	var lrefs licenseRefs
	for i, p := range inv.Packages {
		id := common.ElementID("Package-" + pkgRefs[i])
		sp := &v2_3.Package{
			PackageName:             p.Name,
			PackageSPDXIdentifier:   id,
			PackageVersion:          p.Version,
			PackageDownloadLocation: "NOASSERTION",
			PrimaryPackagePurpose:   "LIBRARY",
			PackageLicenseConcluded: "NOASSERTION",
			PackageLicenseDeclared:  spdxDeclared(p.Licenses, &lrefs),
			PackageSourceInfo:       sourceInfo(p),
			PackageExternalReferences: []*v2_3.PackageExternalReference{
				{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: p.PURL},
			},
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, &v2_3.Relationship{
			RefA: common.MakeDocElementID("", "root"), RefB: common.MakeDocElementID("", string(id)), Relationship: "CONTAINS"})
	}
	doc.OtherLicenses = lrefs.infos
	return spdxjson.Write(doc, w, spdxjson.Indent("  "), spdxjson.EscapeHTML(false))
}

func sourceInfo(p Package) string {
	s := "found in " + p.Path
	if p.Layer >= 0 {
		s += fmt.Sprintf(" (layer %d", p.Layer)
		if p.LayerDigest != "" {
			s += " " + p.LayerDigest
		}
		s += ")"
	}
	if p.Origin == OriginBase {
		s += ", from the base image"
	}
	if p.Dockerfile != nil {
		s += fmt.Sprintf(", added by %s:%d %s", p.Dockerfile.File, p.Dockerfile.Line, p.Dockerfile.Text)
	}
	return s
}

// sanitizeID keeps what an SPDX ID may hold: letters, digits, '.' and '-'.
func sanitizeID(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
}

// sanitize keeps a name usable in a URI path.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '-'
	}, s)
}

// WriteJSON writes the inventory as slimship's own JSON.
func WriteJSON(w io.Writer, inv *Inventory) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(inv)
}

// tableLicense is the first license and how many more there are: a
// Debian package names a dozen, the first of its copyright file first.
func tableLicense(ls []string) string {
	switch len(ls) {
	case 0:
		return "-"
	case 1:
		return ls[0]
	}
	return fmt.Sprintf("%s (+%d)", ls[0], len(ls)-1)
}

// WriteTable writes one package a line.
func WriteTable(w io.Writer, inv *Inventory) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if inv.OS.ID != "" {
		name := inv.OS.PrettyName
		if name == "" {
			name = strings.TrimSpace(inv.OS.ID + " " + inv.OS.VersionID)
		}
		fmt.Fprintf(w, "OS: %s\n", name)
	}
	fmt.Fprintln(tw, "NAME\tVERSION\tTYPE\tLICENSE\tLAYER\tPATH")
	for _, p := range inv.Packages {
		layer := "-"
		if p.Layer >= 0 {
			layer = strconv.Itoa(p.Layer)
		}
		switch {
		case p.Origin == OriginBase:
			layer += " (base)"
		case p.Dockerfile != nil:
			layer += fmt.Sprintf(" (%s:%d)", p.Dockerfile.File, p.Dockerfile.Line)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Version, p.Type, tableLicense(p.Licenses), layer, p.Path)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d packages\n", len(inv.Packages))
	return err
}
