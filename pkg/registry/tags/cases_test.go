package tags

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/finding"
)

const rulesDir = "testdata/rules"

// ruleCase is a repository's tags as `slimship tags -f json` lists them,
// with the environments allowed and what the ledger saw before.
type ruleCase struct {
	Repository   string                 `json:"repository"`
	Environments []string               `json:"environments"`
	Seen         map[string]Observation `json:"seen"`
	Tags         []Tag                  `json:"tags"`
}

func runCase(t *testing.T, path, id string) []finding.Finding {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c ruleCase
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	pol, err := NewPolicy(c.Environments, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Tags {
		c.Tags[i].Kind = pol.Classify(c.Tags[i].Name)
	}
	var out []finding.Finding
	for _, f := range Check(&Input{Repository: c.Repository, Tags: c.Tags, Seen: c.Seen, Policy: pol}, nil) {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

// TestRuleCases: each rule's bad.json is reported under it (golden
// bad.golden) and its good.json is not.
func TestRuleCases(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(rulesDir, r.ID)
			bad := runCase(t, filepath.Join(dir, "bad.json"), r.ID)
			if len(bad) == 0 {
				t.Errorf("bad.json: no %s finding", r.ID)
			}
			b, err := json.MarshalIndent(bad, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join(dir, "bad.golden"), append(b, '\n'))
			if good := runCase(t, filepath.Join(dir, "good.json"), r.ID); len(good) > 0 {
				t.Errorf("good.json: unexpected %+v", good)
			}
		})
	}
}

// TestEveryRuleHasCases: every rule has its files, every directory names
// a rule, and every rule has a remediation.
func TestEveryRuleHasCases(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules() {
		ids[r.ID] = true
		if r.Remediation == "" || r.Domain != finding.OCIRegistry {
			t.Errorf("%s: remediation %q, domain %s", r.ID, r.Remediation, r.Domain)
		}
		for _, f := range []string{"bad.json", "good.json", "bad.golden"} {
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
