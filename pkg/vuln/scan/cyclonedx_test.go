package scan

import (
	"bytes"
	"testing"

	"github.com/slimship/slimship/internal/sbomschema"
	"github.com/slimship/slimship/pkg/vuln/match"
	"github.com/slimship/slimship/pkg/vuln/osv"
)

// TestCycloneDXMatchesSchema: the CycloneDX document with vulnerabilities
// validates against the CycloneDX schema of the version it declares, for
// every kind of rating, a package listed twice (multi-arch twins match the
// same record twice), odd characters and an empty scan.
func TestCycloneDXMatchesSchema(t *testing.T) {
	deb := match.Package{Ecosystem: "Debian:12", Name: "libc6", Version: "2.36-9+deb12u4", SourceName: "glibc"}
	npm := match.Package{Ecosystem: "npm", Name: "@scope/we ird#?", Version: "1.0 beta"}
	goPkg := match.Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.22.1"}
	noVersion := match.Package{Ecosystem: "PyPI", Name: "ünïcødé"}
	recs := []*osv.Record{
		{ID: "CVE-2024-0001", Aliases: []string{"GHSA-aaaa-bbbb-cccc"}, Upstream: []string{"CVE-2023-9"}, Summary: "a \"quoted\" <summary>\nover lines",
			Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}},
		{ID: "GO-2024-0002", Severity: []osv.Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}},
		{ID: "GHSA-3", Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}}},
		{ID: "PYSEC-4", Severity: []osv.Severity{{Type: "CVSS_V2", Score: "AV:N/AC:L/Au:N/C:P/I:P/A:P"}}},
		{ID: "DSA-5", Rating: "low"},
		{ID: "X-6 with space"},
	}
	var results []match.Result
	for i, r := range recs {
		p := []match.Package{deb, npm, goPkg, noVersion, deb, npm}[i]
		results = append(results, match.Result{Package: p, Hit: match.Hit{Record: r, Fixed: []string{"2.36-9+deb12u5", "", "go1.22.2", "", "1:2", ""}[i]}})
	}
	// the multi-arch twin of libc6 matches CVE-2024-0001 again
	results = append(results, match.Result{Package: deb, Hit: match.Hit{Record: recs[0], Fixed: "2.36-9+deb12u5"}})
	vs := Rate(results, Gate{})
	pkgs := []match.Package{deb, deb, npm, goPkg, noVersion}
	for name, tc := range map[string]struct {
		pkgs []match.Package
		vs   []Vuln
	}{
		"findings": {pkgs, vs},
		"clean":    {pkgs, nil},
		"empty":    {nil, nil},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := CycloneDX(&b, tc.pkgs, tc.vs, "v0.0.0-test"); err != nil {
				t.Fatal(err)
			}
			sbomschema.CycloneDX(t, b.Bytes())
			if t.Failed() && testing.Verbose() {
				t.Log(b.String())
			}
		})
	}
}
