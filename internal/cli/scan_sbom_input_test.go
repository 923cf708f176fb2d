package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanSBOMsFromOtherTools: trivy's and syft's SBOMs are scanned; a
// document slimship cannot read is exit 2 with an error naming the file
// and what is wrong with it.
func TestScanSBOMsFromOtherTools(t *testing.T) {
	dbDir, _ := scanFixture(t)
	for _, tc := range []struct {
		file string
		code int
		want string // on stderr
	}{
		{"../../pkg/vuln/inventory/testdata/trivy-cyclonedx.json", 1, ""},
		{"../../pkg/vuln/inventory/testdata/syft-spdx.json", 0, ""},
		{"../../pkg/vuln/inventory/testdata/syft-cyclonedx.json", 0, ""},
	} {
		code, out, errs := runCLI(t, "scan", "--db", dbDir, "-f", "json", tc.file)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d (want %d)\n%s\n%s", tc.file, code, tc.code, out, errs)
		}
	}
	dir := t.TempDir()
	for _, tc := range []struct{ name, doc, want string }{
		{"bom.json", `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>`, "bom.json: XML, not JSON"},
		{"old.cdx.json", `{"bomFormat":"CycloneDX","specVersion":"1.1","components":[]}`, `old.cdx.json: CycloneDX specVersion "1.1": not read`},
		{"spdx3.json", `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}`, "spdx3.json: an SPDX 3 (JSON-LD) document"},
		{"nopurl.json", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","version":"1"}]}`, "nopurl.json: 1 packages, none with a purl"},
		{"broken.json", "{\n\"bomFormat\": \"CycloneDX\",\n\"components\": [,]}", "broken.json: not a JSON SBOM: line 3, column 16"},
	} {
		p := filepath.Join(dir, tc.name)
		os.WriteFile(p, []byte(tc.doc), 0o644)
		code, _, errs := runCLI(t, "scan", "--db", dbDir, p)
		if code != ExitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tc.name, code, errs, ExitUsage, tc.want)
		}
	}
}
