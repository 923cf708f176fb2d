package inventory

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/internal/sbomschema"
	slimsbom "github.com/slimship/slimship/pkg/sbom"
	"github.com/slimship/slimship/pkg/vuln/match"
)

func show(ps []match.Package) []string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%s %s@%s src=%s@%s", p.Ecosystem, p.Name, p.Version, p.SourceName, p.SourceVersion))
	}
	return s
}

// TestReadOtherTools: trivy's and syft's documents (testdata/, in their
// shapes) give their packages with source package and release; the
// image's own purl, the OS and file entries are no packages.
func TestReadOtherTools(t *testing.T) {
	for _, tc := range []struct {
		file          string
		want, skipped []string
	}{
		{"trivy-cyclonedx.json", []string{
			"Debian:12 libc6@2.36-9+deb12u8 src=glibc@2.36-9+deb12u8",
			"Debian:12 libstdc++6@1:12.2.0-14 src=gcc-12@12.2.0-14",
			"npm lodash@4.17.20 src=@",
			"Go stdlib@v1.22.5 src=@",
		}, nil},
		{"syft-spdx.json", []string{
			"Alpine:v3.11 musl@1.1.24-r2 src=musl@",
			"Alpine:v3.11 libcrypto1.1@1.1.1g-r0 src=openssl@",
		}, nil},
		{"syft-cyclonedx.json", []string{
			"Debian:12 libc6@2.36-9+deb12u8 src=glibc@",
			"Debian:12 libssl3@3.0.14-1~deb12u2 src=openssl@",
			"PyPI urllib3@1.26.5 src=@",
		}, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pkgs, skipped, err := Read(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(show(pkgs), "\n"); got != strings.Join(tc.want, "\n") {
				t.Errorf("packages:\n%s\nwant:\n%s", got, strings.Join(tc.want, "\n"))
			}
			if len(skipped) != len(tc.skipped) {
				t.Errorf("skipped %q", skipped)
			}
		})
	}
}

// TestOtherToolsDocumentsAreValid: the hand-written documents are valid
// CycloneDX 1.6 and SPDX 2.3, as the tools' real output is.
func TestOtherToolsDocumentsAreValid(t *testing.T) {
	for _, f := range []string{"trivy-cyclonedx.json", "syft-cyclonedx.json", "syft-spdx.json"} {
		b, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(f, func(t *testing.T) {
			if strings.Contains(f, "spdx") {
				sbomschema.SPDX(t, b)
			} else {
				sbomschema.CycloneDX(t, b)
			}
		})
	}
}

// TestReadOwnDocuments: what slimship sbom writes reads back to the same
// packages, in every format, licenses (which scan does not use) and all.
func TestReadOwnDocuments(t *testing.T) {
	osi := slimsbom.OSInfo{ID: "debian", VersionID: "12"}
	inv := &slimsbom.Inventory{OS: osi, Packages: []slimsbom.Package{
		{Type: "deb", Ecosystem: "Debian:12", Name: "libssl3", Version: "3.0.11-1~deb12u2+b1", Arch: "amd64", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u2",
			Licenses: []string{"Apache-2.0", "GPL-2.0-or-later OR MIT", "public-domain"}},
		{Type: "deb", Ecosystem: "Debian:12", Name: "libstdc++6", Version: "1:12.2.0-14", Arch: "amd64", SourceName: "gcc-12", SourceVersion: "12.2.0-14"},
		{Type: "golang", Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.7.0"},
		{Type: "npm", Ecosystem: "npm", Name: "@babel/core", Version: "7.24.0", Licenses: []string{"MIT OR Apache-2.0"}},
		{Type: "maven", Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "2.17.1"},
	}}
	for i := range inv.Packages {
		inv.Packages[i].PURL = slimsbom.PURL(osi, inv.Packages[i])
	}
	want := []string{
		"Debian:12 libssl3@3.0.11-1~deb12u2+b1 src=openssl@3.0.11-1~deb12u2",
		"Debian:12 libstdc++6@1:12.2.0-14 src=gcc-12@12.2.0-14",
		"Go golang.org/x/net@v0.7.0 src=@",
		"npm @babel/core@7.24.0 src=@",
		"Maven org.apache.logging.log4j:log4j-core@2.17.1 src=@",
	}
	m := slimsbom.Meta{Name: "app:1", Tool: "slimship", Created: time.Unix(0, 0)}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"cyclonedx": func(b *bytes.Buffer) error { return slimsbom.WriteCycloneDX(b, inv, m) },
		"spdx":      func(b *bytes.Buffer) error { return slimsbom.WriteSPDX(b, inv, m) },
		"json":      func(b *bytes.Buffer) error { return slimsbom.WriteJSON(b, inv) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		pkgs, skipped, err := Read(&b)
		if err != nil || len(skipped) > 0 {
			t.Fatalf("%s: %v %q", name, err, skipped)
		}
		if got := strings.Join(show(pkgs), "\n"); got != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, strings.Join(want, "\n"))
		}
	}
}

// TestReadRefuses: what is not an SBOM slimship reads is an error saying
// what it is and, for broken JSON, where.
func TestReadRefuses(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "empty"},
		{"blank", " \n\t", "empty"},
		{"CycloneDX XML", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<bom xmlns="http://cyclonedx.org/schema/bom/1.5">`, "XML, not JSON"},
		{"SPDX tag-value", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "SPDX tag-value, not JSON"},
		{"SPDX RDF", `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`, "XML, not JSON"},
		{"YAML", "bomFormat: CycloneDX\nspecVersion: \"1.5\"\n", "line 1, column 1: invalid character 'b'"},
		{"binary", "\x1f\x8b\x08\x00\x00", "line 1, column 1: invalid character"},
		{"truncated", "{\n  \"bomFormat\": \"CycloneDX\",\n  \"components\": [\n    {\"purl\": \"pkg:npm/a@1\"", "line 4, column 26: unexpected end of JSON input"},
		{"syntax error on line 3", "{\n \"bomFormat\": \"CycloneDX\",\n \"components\": [}\n", "line 3, column 17: invalid character '}'"},
		{"components not a list", "{\n \"bomFormat\": \"CycloneDX\",\n \"components\": {\"purl\": \"pkg:npm/a@1\"}\n}", "line 3, column 16: components: a JSON object where the SBOM has an array"},
		{"purl a number", "{\"bomFormat\": \"CycloneDX\",\n\"components\": [{\"purl\": 5}]}", "line 2, column 25: components.purl: a JSON number where the SBOM has a string"},
		{"a list", `[{"purl":"pkg:npm/a@1"}]`, "the document: a JSON array where the SBOM has an object"},
		{"CycloneDX 1.1", `{"bomFormat":"CycloneDX","specVersion":"1.1","components":[{"purl":"pkg:npm/a@1"}]}`, `CycloneDX specVersion "1.1": not read (CycloneDX JSON 1.2 to 1.7 are)`},
		{"CycloneDX 2.0", `{"bomFormat":"CycloneDX","specVersion":"2.0","components":[{"purl":"pkg:npm/a@1"}]}`, `CycloneDX specVersion "2.0": not read`},
		{"not CycloneDX", `{"bomFormat":"OtherDX","components":[]}`, `bomFormat "OtherDX": not CycloneDX`},
		{"SPDX 2.1", `{"spdxVersion":"SPDX-2.1","packages":[]}`, `spdxVersion "SPDX-2.1": not read (SPDX JSON SPDX-2.2 and SPDX-2.3 are)`},
		{"SPDX 3", `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","name":"a"}]}`, "SPDX 3 (JSON-LD)"},
		{"no purls CycloneDX", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","version":"1","cpe":"cpe:2.3:a:x:a:1"},{"type":"library","name":"b","version":"2"}]}`, "2 packages, none with a purl"},
		{"no purls SPDX", `{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1","externalRefs":[{"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:x:a:1"}]}]}`, "1 packages, none with a purl"},
		{"no SBOM keys", `{"hello": 1}`, "not a CycloneDX, SPDX or slimship SBOM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkgs, _, err := Read(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
			if pkgs != nil {
				t.Errorf("packages with an error: %v", pkgs)
			}
		})
	}
	// Empty documents of an empty image are read, not refused.
	for _, doc := range []string{`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`, `{"bomFormat":"CycloneDX","specVersion":"1.6"}`,
		`{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-root","name":"scratch","primaryPackagePurpose":"CONTAINER"}]}`,
		`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"operating-system","name":"debian","version":"12"}]}`} {
		if pkgs, skipped, err := Read(strings.NewReader(doc)); err != nil || len(pkgs) != 0 || len(skipped) != 0 {
			t.Errorf("%s: %v %v %q", doc, pkgs, err, skipped)
		}
	}
}
