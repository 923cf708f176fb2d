package sbom

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// cyclonedxLicenseIDs is the enumeration of SPDX identifiers the
// CycloneDX 1.6 schema accepts in license.id (its spdx.schema.json, as
// cyclonedx-go v0.12.0 ships it): an identifier SPDX added later is
// written as a name, or in an expression.
//
//go:embed cyclonedx-license-ids.txt
var cyclonedxLicenseIDList string

var cyclonedxLicenseIDs = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, id := range strings.Fields(cyclonedxLicenseIDList) {
		m[id] = true
	}
	return m
})

// isSPDX reports whether l is an SPDX expression as normalizeLicense
// spells one.
func isSPDX(l string) bool {
	e, ok := spdxExpression(l)
	return ok && e == l
}

// cyclonedxLicenses are a package's licenses as CycloneDX takes them:
// when they are all SPDX expressions and one is more than an identifier
// the schema lists, one expression of them all (CycloneDX allows an
// expression only alone); else each as license.id, an identifier the
// schema lists, or license.name.
func cyclonedxLicenses(ls []string) *cdx.Licenses {
	if len(ls) == 0 {
		return nil
	}
	ids := cyclonedxLicenseIDs()
	all, expr := true, false
	for _, l := range ls {
		all = all && isSPDX(l)
		expr = expr || !ids[l]
	}
	if all && expr {
		return &cdx.Licenses{{Expression: spdxAnd(ls, nil)}}
	}
	out := make(cdx.Licenses, 0, len(ls))
	for _, l := range ls {
		if ids[l] {
			out = append(out, cdx.LicenseChoice{License: &cdx.License{ID: l}})
		} else {
			out = append(out, cdx.LicenseChoice{License: &cdx.License{Name: l}})
		}
	}
	return &out
}

// spdxAnd joins licenses with AND, each SPDX expression as it is (in
// parentheses when it holds an OR or AND), each other name as the
// LicenseRef refs gives it.
func spdxAnd(ls []string, refs *licenseRefs) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		switch {
		case !isSPDX(l):
			parts[i] = refs.ref(l)
		case len(ls) > 1 && (strings.Contains(l, " OR ") || strings.Contains(l, " AND ")):
			parts[i] = "(" + l + ")"
		default:
			parts[i] = l
		}
	}
	return strings.Join(parts, " AND ")
}

// licenseRefs names the licenses that are no SPDX expression in an SPDX
// document: LicenseRef-<the name, with what an identifier may not hold as
// "-">, with "-2", "-3" after one another name already took; each is an
// extracted licensing info of the document (SPDX 2.3 clause 10).
type licenseRefs struct {
	byName map[string]string
	taken  map[string]bool
	infos  []*v2_3.OtherLicense
}

func (r *licenseRefs) ref(name string) string {
	if id, ok := r.byName[name]; ok {
		return id
	}
	if r.byName == nil {
		r.byName, r.taken = map[string]string{}, map[string]bool{}
	}
	base := "LicenseRef-" + sanitizeID(name)
	id := base
	for n := 2; r.taken[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	r.byName[name], r.taken[id] = id, true
	r.infos = append(r.infos, &v2_3.OtherLicense{
		LicenseIdentifier: id,
		ExtractedText:     name,
		LicenseName:       name,
		LicenseComment:    "The package declares its license by this name; slimship does not have the license's text.",
	})
	return id
}

// spdxDeclared is a package's licenseDeclared: NOASSERTION without
// licenses.
func spdxDeclared(ls []string, refs *licenseRefs) string {
	if len(ls) == 0 {
		return "NOASSERTION"
	}
	return spdxAnd(ls, refs)
}
