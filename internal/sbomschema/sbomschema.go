// Package sbomschema checks SBOM documents in tests: CycloneDX 1.5 and 1.6
// JSON against the official schemas (copies under testdata/, see its
// README), SPDX 2.3 JSON against slimship's profile of the SPDX 2.3
// specification (and against the official SPDX schema when
// SLIMSHIP_SPDX23_SCHEMA names a copy of it), plus what no JSON schema can
// say: identifiers are unique, every reference resolves, license
// expressions are valid and every LicenseRef- is defined. Only tests
// import it; nothing here reaches the network.
package sbomschema

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/*.json
var files embed.FS

// cdxBase is the $id prefix of the CycloneDX schemas; their references to
// spdx.schema.json and jsf-0.82.schema.json resolve under it.
const cdxBase = "http://cyclonedx.org/schema/"

// spdxProfileID and spdxOfficialID are the $ids of the SPDX schemas.
const (
	spdxProfileID  = "https://slimship.dev/schema/spdx-2.3-profile.schema.json"
	spdxOfficialID = "http://spdx.org/rdf/terms/2.3"
)

// OfficialSPDXEnv names a file holding the official SPDX 2.3 JSON schema
// (spdx/spdx-spec, tag v2.3, schemas/spdx-schema.json); when set, SPDX
// documents are validated against it too.
const OfficialSPDXEnv = "SLIMSHIP_SPDX23_SCHEMA"

var (
	once     sync.Once
	compiled map[string]*jsonschema.Schema
	errInit  error
)

func load() {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	add := func(url, name string) {
		if errInit != nil {
			return
		}
		b, err := files.ReadFile("testdata/" + name)
		if err != nil {
			errInit = err
			return
		}
		errInit = addResource(c, url, b)
	}
	for _, n := range []string{"bom-1.5.schema.json", "bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
		add(cdxBase+n, n)
	}
	add(spdxProfileID, "spdx-2.3-profile.schema.json")
	if p := os.Getenv(OfficialSPDXEnv); p != "" && errInit == nil {
		b, err := os.ReadFile(p)
		if err != nil {
			errInit = fmt.Errorf("%s: %w", OfficialSPDXEnv, err)
			return
		}
		errInit = addResource(c, spdxOfficialID, b)
	}
	if errInit != nil {
		return
	}
	compiled = map[string]*jsonschema.Schema{}
	for name, url := range map[string]string{"1.5": cdxBase + "bom-1.5.schema.json", "1.6": cdxBase + "bom-1.6.schema.json", "spdx": spdxProfileID} {
		s, err := c.Compile(url)
		if err != nil {
			errInit = fmt.Errorf("compiling %s: %w", url, err)
			return
		}
		compiled[name] = s
	}
	if os.Getenv(OfficialSPDXEnv) != "" {
		if compiled["spdx-official"], errInit = c.Compile(spdxOfficialID); errInit != nil {
			return
		}
	}
}

func addResource(c *jsonschema.Compiler, url string, b []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	return c.AddResource(url, doc)
}

func schema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	once.Do(load)
	if errInit != nil {
		t.Fatalf("loading the schemas: %v", errInit)
	}
	return compiled[name]
}

func validate(t testing.TB, s *jsonschema.Schema, what string, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// CycloneDX validates doc against the CycloneDX JSON schema of its
// specVersion (1.5 or 1.6) and checks its bom-refs: unique, and every
// dependency and vulnerability reference resolves.
func CycloneDX(t testing.TB, doc []byte) {
	t.Helper()
	var head struct {
		SpecVersion string `json:"specVersion"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		t.Fatalf("CycloneDX: not JSON: %v", err)
	}
	s := schema(t, head.SpecVersion)
	if s == nil {
		t.Fatalf("CycloneDX: no schema for specVersion %q", head.SpecVersion)
	}
	validate(t, s, "CycloneDX "+head.SpecVersion+" schema", doc)
	for _, p := range cycloneDXRefs(doc) {
		t.Errorf("CycloneDX references: %s", p)
	}
	for _, p := range cycloneDXLicenses(doc) {
		t.Errorf("CycloneDX licenses: %s", p)
	}
}

// SPDX validates doc against the SPDX 2.3 profile (and the official
// schema when OfficialSPDXEnv is set) and checks its SPDX identifiers:
// unique, and every relationship names elements of the document.
func SPDX(t testing.TB, doc []byte) {
	t.Helper()
	validate(t, schema(t, "spdx"), "SPDX 2.3 profile", doc)
	if s := compiled["spdx-official"]; s != nil {
		validate(t, s, "official SPDX 2.3 schema", doc)
	}
	for _, p := range spdxRefs(doc) {
		t.Errorf("SPDX identifiers: %s", p)
	}
	for _, p := range spdxLicenses(doc) {
		t.Errorf("SPDX licenses: %s", p)
	}
}

// OfficialSPDX reports whether SPDX documents are also checked against
// the official SPDX 2.3 schema.
func OfficialSPDX(t testing.TB) bool {
	schema(t, "spdx")
	return compiled["spdx-official"] != nil
}

type cdxComponent struct {
	BOMRef     string         `json:"bom-ref"`
	Components []cdxComponent `json:"components"`
}

func cycloneDXRefs(doc []byte) []string {
	var d struct {
		Metadata struct {
			Component *cdxComponent `json:"component"`
		} `json:"metadata"`
		Components   []cdxComponent `json:"components"`
		Dependencies []struct {
			Ref       string   `json:"ref"`
			DependsOn []string `json:"dependsOn"`
		} `json:"dependencies"`
		Vulnerabilities []struct {
			BOMRef  string `json:"bom-ref"`
			Affects []struct {
				Ref string `json:"ref"`
			} `json:"affects"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	refs := map[string]bool{}
	define := func(r string) {
		if r == "" {
			return
		}
		if refs[r] {
			problems = append(problems, fmt.Sprintf("bom-ref %q defined twice", r))
		}
		refs[r] = true
	}
	var walk func([]cdxComponent)
	walk = func(cs []cdxComponent) {
		for _, c := range cs {
			define(c.BOMRef)
			walk(c.Components)
		}
	}
	if d.Metadata.Component != nil {
		walk([]cdxComponent{*d.Metadata.Component})
	}
	walk(d.Components)
	for _, v := range d.Vulnerabilities {
		define(v.BOMRef)
	}
	use := func(where, r string) {
		if !refs[r] {
			problems = append(problems, fmt.Sprintf("%s: %q names no component", where, r))
		}
	}
	for _, dep := range d.Dependencies {
		use("dependencies.ref", dep.Ref)
		for _, r := range dep.DependsOn {
			use("dependsOn of "+dep.Ref, r)
		}
	}
	for _, v := range d.Vulnerabilities {
		for _, a := range v.Affects {
			use("affects of "+v.BOMRef, a.Ref)
		}
	}
	return problems
}

func spdxRefs(doc []byte) []string {
	var d struct {
		SPDXID   string `json:"SPDXID"`
		Packages []struct {
			SPDXID string `json:"SPDXID"`
		} `json:"packages"`
		Files []struct {
			SPDXID string `json:"SPDXID"`
		} `json:"files"`
		DocumentDescribes []string `json:"documentDescribes"`
		Relationships     []struct {
			A    string `json:"spdxElementId"`
			B    string `json:"relatedSpdxElement"`
			Type string `json:"relationshipType"`
		} `json:"relationships"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	ids := map[string]bool{d.SPDXID: true}
	for _, p := range d.Packages {
		if ids[p.SPDXID] {
			problems = append(problems, fmt.Sprintf("SPDXID %q defined twice", p.SPDXID))
		}
		ids[p.SPDXID] = true
	}
	for _, f := range d.Files {
		if ids[f.SPDXID] {
			problems = append(problems, fmt.Sprintf("SPDXID %q defined twice", f.SPDXID))
		}
		ids[f.SPDXID] = true
	}
	use := func(where, id string) {
		if id == "NONE" || id == "NOASSERTION" || strings.HasPrefix(id, "DocumentRef-") {
			return
		}
		if !ids[id] {
			problems = append(problems, fmt.Sprintf("%s: %q names no element", where, id))
		}
	}
	describes := 0
	for _, r := range d.Relationships {
		use(r.Type, r.A)
		use(r.Type, r.B)
		if r.Type == "DESCRIBES" && r.A == d.SPDXID {
			describes++
		}
	}
	for _, id := range d.DocumentDescribes {
		use("documentDescribes", id)
		describes++
	}
	if describes == 0 {
		problems = append(problems, "the document DESCRIBES nothing (SPDX 2.3 clause 6: at least one)")
	}
	sort.Strings(problems)
	return problems
}

// cycloneDXLicenses checks what the schema cannot: an expression is a
// valid SPDX license expression.
func cycloneDXLicenses(doc []byte) []string {
	var d struct {
		Components []struct {
			BOMRef   string `json:"bom-ref"`
			Licenses []struct {
				Expression *string `json:"expression"`
			} `json:"licenses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, c := range d.Components {
		for _, l := range c.Licenses {
			if l.Expression != nil && !validExpression(*l.Expression) {
				problems = append(problems, fmt.Sprintf("component %s: expression %q is not a valid SPDX license expression", c.BOMRef, *l.Expression))
			}
		}
	}
	return problems
}

// spdxLicenses checks a package's license fields (SPDX 2.3 clauses 7.13
// to 7.15): NONE, NOASSERTION or a valid license expression, whose every
// LicenseRef- the document defines (clause 10.1), once.
func spdxLicenses(doc []byte) []string {
	var d struct {
		Packages []struct {
			SPDXID               string   `json:"SPDXID"`
			LicenseConcluded     *string  `json:"licenseConcluded"`
			LicenseDeclared      *string  `json:"licenseDeclared"`
			LicenseInfoFromFiles []string `json:"licenseInfoFromFiles"`
		} `json:"packages"`
		Extracted []struct {
			LicenseID string `json:"licenseId"`
		} `json:"hasExtractedLicensingInfos"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	defined := map[string]bool{}
	for _, e := range d.Extracted {
		if defined[e.LicenseID] {
			problems = append(problems, fmt.Sprintf("%s defined twice", e.LicenseID))
		}
		defined[e.LicenseID] = true
	}
	for _, p := range d.Packages {
		fields := map[string]*string{"licenseConcluded": p.LicenseConcluded, "licenseDeclared": p.LicenseDeclared}
		for i := range p.LicenseInfoFromFiles {
			fields[fmt.Sprintf("licenseInfoFromFiles[%d]", i)] = &p.LicenseInfoFromFiles[i]
		}
		for name, v := range fields {
			if v == nil || *v == "NONE" || *v == "NOASSERTION" {
				continue
			}
			if !validExpression(*v) {
				problems = append(problems, fmt.Sprintf("%s: %s %q is not a valid SPDX license expression", p.SPDXID, name, *v))
				continue
			}
			for _, w := range strings.FieldsFunc(*v, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
				if strings.HasPrefix(w, "LicenseRef-") && !defined[w] {
					problems = append(problems, fmt.Sprintf("%s: %s names %s, which hasExtractedLicensingInfos does not define", p.SPDXID, name, w))
				}
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// validExpression reports whether s is a valid SPDX license expression
// (go-spdx's parser and the SPDX license list it carries).
func validExpression(s string) bool {
	ok, _ := spdxexp.ValidateLicenses([]string{s})
	return ok
}
