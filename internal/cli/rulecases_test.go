package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile/lint"
	edgelint "github.com/slimship/slimship/pkg/edge/lint"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/analyze"
	"github.com/slimship/slimship/pkg/image/audit"
	k8slint "github.com/slimship/slimship/pkg/k8s/lint"
	"github.com/slimship/slimship/pkg/registry/tags"
	vulnscan "github.com/slimship/slimship/pkg/vuln/scan"
)

// TestEveryRuleHasCases: every rule `slimship rules` lists has a testdata
// directory of bad and good cases where its domain's TestRuleCases (or,
// for Kubernetes, TestChecks) runs them. The domains' own meta-tests check
// the files in them.
func TestEveryRuleHasCases(t *testing.T) {
	root := filepath.Join("..", "..")
	dockerfileRules := func() []finding.Rule {
		var out []finding.Rule
		for _, r := range lint.All() {
			out = append(out, r.Rule)
		}
		return out
	}
	domains := []struct {
		dir   string
		rules func() []finding.Rule
	}{
		{"pkg/dockerfile/lint/testdata/rules", dockerfileRules},
		{"pkg/image/audit/testdata/rules", audit.Rules},
		{"pkg/image/analyze/testdata/rules", analyze.Rules},
		{"pkg/k8s/lint/testdata/checks", k8slint.Rules},
		{"pkg/vuln/scan/testdata/rules", vulnscan.Rules},
		{"pkg/registry/tags/testdata/rules", tags.Rules},
		{"pkg/edge/lint/testdata/rules", edgelint.Rules},
	}
	covered := map[string]bool{}
	for _, d := range domains {
		for _, r := range d.rules() {
			covered[r.ID] = true
			if fi, err := os.Stat(filepath.Join(root, d.dir, r.ID)); err != nil || !fi.IsDir() {
				t.Errorf("%s: no case directory %s/%s", r.ID, d.dir, r.ID)
			}
		}
	}
	for _, r := range allRules() {
		if !covered[r.ID] {
			t.Errorf("%s (%s): its domain has no case directory known to this test", r.ID, r.Domain)
		}
	}
}
