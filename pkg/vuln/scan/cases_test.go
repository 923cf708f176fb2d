package scan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/vuln/db"
	"github.com/slimship/slimship/pkg/vuln/match"
	"github.com/slimship/slimship/pkg/vuln/osv"
)

const rulesDir = "testdata/rules"

// scanCase matches the packages of file against the record of dir and
// returns the findings of rule id.
func scanCase(t *testing.T, dir, file, id string) []finding.Finding {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "record.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := osv.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []match.Package
	b, err = os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkgs); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var out []finding.Finding
	for _, f := range Findings(Rate(match.All(db.NewIndex([]*osv.Record{r}), pkgs), Gate{}), file) {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

// TestRuleCases: each rule's bad.json packages are reported under it
// (golden bad.golden) and its good.json packages are not.
func TestRuleCases(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(rulesDir, r.ID)
			bad := scanCase(t, dir, "bad.json", r.ID)
			if len(bad) == 0 {
				t.Errorf("bad.json: no %s finding", r.ID)
			}
			b, err := json.MarshalIndent(bad, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join(dir, "bad.golden"), append(b, '\n'))
			if good := scanCase(t, dir, "good.json", r.ID); len(good) > 0 {
				t.Errorf("good.json: unexpected %+v", good)
			}
		})
	}
}

// TestEveryRuleHasCases: every rule has its files and every directory
// names a rule.
func TestEveryRuleHasCases(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules() {
		ids[r.ID] = true
		for _, f := range []string{"record.json", "bad.json", "good.json"} {
			if _, err := os.Stat(filepath.Join(rulesDir, r.ID, f)); err != nil {
				t.Errorf("%s: %v", r.ID, err)
			}
		}
	}
	entries, err := os.ReadDir(rulesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !ids[e.Name()] {
			t.Errorf("%s/%s names no rule", rulesDir, e.Name())
		}
	}
}
