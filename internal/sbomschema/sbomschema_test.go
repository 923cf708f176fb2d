package sbomschema

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(f string, a ...any) {
	r.errs = append(r.errs, strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...) }

// TestRefusesBadDocuments: the checks bite. Each document breaks one rule
// and must be refused; the good ones pass.
func TestRefusesBadDocuments(t *testing.T) {
	const spdxOK = `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x",
"documentNamespace":"https://example.com/x-1","creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: t"]},
"packages":[{"SPDXID":"SPDXRef-a","name":"a","downloadLocation":"NOASSERTION","primaryPackagePurpose":"LIBRARY",
"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/a@1"}]}],
"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-a","relationshipType":"DESCRIBES"}]}`
	const cdxOK = `{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
"metadata":{"component":{"bom-ref":"root","type":"container","name":"x"}},
"components":[{"bom-ref":"a","type":"library","name":"a","purl":"pkg:npm/a@1"}],
"dependencies":[{"ref":"root","dependsOn":["a"]}]}`
	for _, tc := range []struct {
		name, doc, want string
		spdx            bool
	}{
		{"spdx ok", spdxOK, "", true},
		{"spdx OPERATING-SYSTEM", strings.Replace(spdxOK, `"LIBRARY"`, `"OPERATING-SYSTEM"`, 1), "primaryPackagePurpose", true},
		{"spdx unknown key", strings.Replace(spdxOK, `"name":"a",`, `"name":"a","version":"1",`, 1), "version", true},
		{"spdx bad id", strings.Replace(spdxOK, `"SPDXRef-a","name"`, `"SPDXRef-a_b","name"`, 1), "SPDXID", true},
		{"spdx purl with space", strings.Replace(spdxOK, `pkg:npm/a@1`, `pkg:npm/a b@1`, 1), "referenceLocator", true},
		{"spdx dangling relationship", strings.Replace(spdxOK, `"relatedSpdxElement":"SPDXRef-a"`, `"relatedSpdxElement":"SPDXRef-b"`, 1), "names no element", true},
		{"spdx local time", strings.Replace(spdxOK, `00:00:00Z`, `00:00:00+02:00`, 1), "created", true},
		{"spdx licenses ok", strings.Replace(strings.Replace(spdxOK, `"name":"a",`, `"name":"a","licenseConcluded":"NOASSERTION","licenseDeclared":"MIT AND (GPL-2.0-or-later OR LicenseRef-x)",`, 1),
			`"relationships"`, `"hasExtractedLicensingInfos":[{"licenseId":"LicenseRef-x","extractedText":"x"}],"relationships"`, 1), "", true},
		{"spdx bad license expression", strings.Replace(spdxOK, `"name":"a",`, `"name":"a","licenseDeclared":"GPL-2+ or Artistic",`, 1), "not a valid SPDX license expression", true},
		{"spdx undefined LicenseRef", strings.Replace(spdxOK, `"name":"a",`, `"name":"a","licenseDeclared":"MIT AND LicenseRef-x",`, 1), "does not define", true},
		{"spdx extracted text missing", strings.Replace(spdxOK, `"relationships"`, `"hasExtractedLicensingInfos":[{"licenseId":"LicenseRef-x"}],"relationships"`, 1), "extractedText", true},
		{"spdx LicenseRef twice", strings.Replace(spdxOK, `"relationships"`, `"hasExtractedLicensingInfos":[{"licenseId":"LicenseRef-x","extractedText":"x"},{"licenseId":"LicenseRef-x","extractedText":"y"}],"relationships"`, 1), "defined twice", true},
		{"cdx ok", cdxOK, "", false},
		{"cdx bad serial", strings.Replace(cdxOK, `urn:uuid:3e67`, `urn:uuid:3g67`, 1), "serialNumber", false},
		{"cdx no name", strings.Replace(cdxOK, `"name":"a",`, ``, 1), "name", false},
		{"cdx bad type", strings.Replace(cdxOK, `"type":"library"`, `"type":"lib"`, 1), "type", false},
		{"cdx dangling dependency", strings.Replace(cdxOK, `"dependsOn":["a"]`, `"dependsOn":["b"]`, 1), "names no component", false},
		{"cdx duplicate ref", strings.Replace(cdxOK, `"bom-ref":"a"`, `"bom-ref":"root"`, 1), "defined twice", false},
		{"cdx licenses ok", strings.Replace(cdxOK, `"name":"a",`, `"name":"a","licenses":[{"license":{"id":"MIT"}},{"license":{"name":"public-domain"}}],`, 1), "", false},
		{"cdx license id not listed", strings.Replace(cdxOK, `"name":"a",`, `"name":"a","licenses":[{"license":{"id":"GPL-2+"}}],`, 1), "licenses", false},
		{"cdx bad expression", strings.Replace(cdxOK, `"name":"a",`, `"name":"a","licenses":[{"expression":"MIT or"}],`, 1), "not a valid SPDX license expression", false},
		{"cdx expression not alone", strings.Replace(cdxOK, `"name":"a",`, `"name":"a","licenses":[{"expression":"MIT"},{"license":{"id":"MIT"}}],`, 1), "licenses", false},
		{"cdx 1.5 has no 1.6 fields", strings.Replace(strings.Replace(cdxOK, `"1.6"`, `"1.5"`, 1), `"name":"a",`, `"name":"a","omniborId":["x"],`, 1), "omniborId", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			if tc.spdx {
				SPDX(r, []byte(tc.doc))
			} else {
				CycloneDX(r, []byte(tc.doc))
			}
			got := strings.Join(r.errs, "\n")
			switch {
			case tc.want == "" && got != "":
				t.Errorf("refused: %s", got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("want an error about %q, got %q", tc.want, got)
			}
		})
	}
}
