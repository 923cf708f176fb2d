package lint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/edge/unit"
	"github.com/slimship/slimship/pkg/finding"
)

// Every rule has its cases under testdata/rules/<ID>/: each bad*.service
// or bad*.container gives findings of the rule, exactly those in its
// .golden file (-update rewrites it), and each good* file none.
const rulesDir = "testdata/rules"

func lintCase(t *testing.T, path, id string) []finding.Finding {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := unit.Parse(filepath.Base(path), b)
	if err != nil {
		t.Fatal(err)
	}
	var out []finding.Finding
	for _, fd := range Lint([]*unit.File{f}, nil) {
		if fd.RuleID == id {
			out = append(out, fd)
		}
	}
	return out
}

func TestRuleCases(t *testing.T) {
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(rulesDir, r.ID)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				name := e.Name()
				if filepath.Ext(name) == ".golden" {
					continue
				}
				got := lintCase(t, filepath.Join(dir, name), r.ID)
				switch {
				case strings.HasPrefix(name, "bad"):
					if len(got) == 0 {
						t.Errorf("%s: no %s finding", name, r.ID)
					}
					for _, f := range got {
						if f.Line == 0 {
							t.Errorf("%s: finding without a line: %s", name, f.Message)
						}
					}
					b, err := json.MarshalIndent(got, "", "  ")
					if err != nil {
						t.Fatal(err)
					}
					golden.Assert(t, filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".golden"), append(b, '\n'))
				case strings.HasPrefix(name, "good"):
					for _, f := range got {
						t.Errorf("%s: unexpected %s:%d %s", name, f.RuleID, f.Line, f.Message)
					}
				default:
					t.Errorf("%s: a case file is bad* or good*", name)
				}
			}
		})
	}
}

// TestEveryRuleHasCases: every rule has a bad and a good case, every
// directory names a rule, and every rule is in its topic's file.
func TestEveryRuleHasCases(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range All() {
		ids[r.ID] = true
		var bad, good bool
		entries, _ := os.ReadDir(filepath.Join(rulesDir, r.ID))
		for _, e := range entries {
			bad = bad || strings.HasPrefix(e.Name(), "bad") && filepath.Ext(e.Name()) != ".golden"
			good = good || strings.HasPrefix(e.Name(), "good")
		}
		if !bad || !good {
			t.Errorf("%s: want bad and good cases in %s/%s", r.ID, rulesDir, r.ID)
		}
		if r.Remediation == "" {
			t.Errorf("%s: no remediation", r.ID)
		}
		if len(r.Kinds) == 0 {
			t.Errorf("%s: applies to no kind of unit", r.ID)
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

// TestRulesByTopic: limits and restarts are SSU0xx, the service sandbox
// SSU1xx, the container SSU2xx, each in its topic file's list.
func TestRulesByTopic(t *testing.T) {
	for _, r := range limitRules {
		if !strings.HasPrefix(r.ID, "SSU0") {
			t.Errorf("%s is in rules_limits.go", r.ID)
		}
	}
	for _, r := range sandboxRules() {
		if !strings.HasPrefix(r.ID, "SSU1") {
			t.Errorf("%s is in rules_sandbox.go", r.ID)
		}
	}
	for _, r := range containerRules {
		if !strings.HasPrefix(r.ID, "SSU2") {
			t.Errorf("%s is in rules_container.go", r.ID)
		}
	}
}
