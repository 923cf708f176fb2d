package scan

import (
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/vuln/match"
	"github.com/slimship/slimship/pkg/vuln/osv"
	"github.com/slimship/slimship/pkg/vuln/severity"
)

func TestRateGateFindings(t *testing.T) {
	crit := &osv.Record{ID: "GHSA-1", Aliases: []string{"CVE-1"}, Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}
	low := &osv.Record{ID: "DSA-2", Rating: "low"}
	none := &osv.Record{ID: "X-3"}
	p := match.Package{Ecosystem: "npm", Name: "lodash", Version: "1.0.0"}
	res := []match.Result{
		{Package: p, Hit: match.Hit{Record: low, Fixed: "1.0.1"}},
		{Package: p, Hit: match.Hit{Record: crit, Fixed: "2.0.0"}},
		{Package: p, Hit: match.Hit{Record: none}},
	}
	vs := Rate(res, Gate{})
	if len(vs) != 3 || vs[0].Level != severity.Critical || vs[2].Level != severity.Unknown {
		t.Fatalf("%+v", vs)
	}
	if got := Rate(res, Gate{IgnoreUnfixed: true}); len(got) != 2 {
		t.Fatalf("--ignore-unfixed kept %d", len(got))
	}
	lowOnly := Rate(res[:1], Gate{})
	unknownOnly := Rate(res[2:], Gate{})
	for _, c := range []struct {
		vs   []Vuln
		on   severity.Level
		want bool
	}{
		{vs, severity.Critical, true}, {lowOnly, severity.Medium, false}, {lowOnly, severity.Low, true},
		{unknownOnly, severity.Medium, true}, {unknownOnly, severity.High, false}, {vs, severity.Unknown, false},
	} {
		if got := (Gate{FailOn: c.on}).Failing(c.vs); got != c.want {
			t.Errorf("FailOn %v over %d: %v, want %v", c.on, len(c.vs), got, c.want)
		}
	}
	fs := Findings(vs, "sbom.json")
	if fs[0].RuleID != "VULN-CRITICAL" || !strings.Contains(fs[0].Message, "GHSA-1: lodash 1.0.0 (npm), fixed in 2.0.0 [CVE-1]") {
		t.Fatalf("%+v", fs[0])
	}
	if fs[2].RuleID != "VULN-UNKNOWN" || !strings.Contains(fs[2].Message, "no fix yet") {
		t.Fatalf("%+v", fs[2])
	}
}
