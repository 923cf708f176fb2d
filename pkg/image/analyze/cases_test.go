package analyze

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/internal/imagecase"
	"github.com/slimship/slimship/pkg/finding"
)

// Every analysis rule (Rules()) has its cases under testdata/rules/<ID>/:
// bad.image must give findings of the rule, exactly those in bad.golden
// (-update rewrites it), and good.image none. The images are described in
// internal/imagecase's format; the options lowest-efficiency,
// highest-wasted-bytes and highest-user-wasted-percent set the CI gates.
const rulesDir = "testdata/rules"

func analyzeCase(t *testing.T, id, file string) []finding.Finding {
	t.Helper()
	c, err := imagecase.Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(context.Background(), c.Image, "case", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var g Gates
	float := func(k string) *float64 {
		v, ok := c.Options[k]
		if !ok {
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("%s: option %s: %v", file, k, err)
		}
		return &f
	}
	g.LowestEfficiency, g.HighestUserWastedPercent = float("lowest-efficiency"), float("highest-user-wasted-percent")
	if v, ok := c.Options["highest-wasted-bytes"]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("%s: option highest-wasted-bytes: %v", file, err)
		}
		g.HighestWastedBytes = &n
	}
	var out []finding.Finding
	for _, f := range append(res.Findings, g.Check(res)...) {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestRuleCases(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(rulesDir, r.ID)
			bad := analyzeCase(t, r.ID, filepath.Join(dir, "bad.image"))
			if len(bad) == 0 {
				t.Errorf("bad.image: no %s finding", r.ID)
			}
			b, err := json.MarshalIndent(bad, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join(dir, "bad.golden"), append(b, '\n'))
			if good := analyzeCase(t, r.ID, filepath.Join(dir, "good.image")); len(good) > 0 {
				t.Errorf("good.image: unexpected %+v", good)
			}
		})
	}
}

// TestEveryRuleHasCases: every rule of Rules() has bad and good cases, and
// every directory names a rule.
func TestEveryRuleHasCases(t *testing.T) {
	imagecase.CheckLayout(t, rulesDir, Rules())
}
