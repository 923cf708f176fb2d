package lint

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// The table tests of each rules_<topic>.go live in rules_<topic>_test.go;
// these are their shared cases and runners. The bad and good Dockerfiles
// every rule must have are under testdata/rules (TestEveryRuleHasCases).

// tableCase is one Dockerfile of a rule's table; its name starts with the
// rule's ID.
type tableCase struct {
	name string
	src  string
	want int // findings of the rule; 0 means the Dockerfile is good
	cfg  *config.Config
}

// tableCases are every table's cases: seeds for FuzzRules.
var tableCases []tableCase

// table records a topic's cases in tableCases and returns them.
func table(cs []tableCase) []tableCase {
	tableCases = append(tableCases, cs...)
	return cs
}

// caseID is the rule ID a case's name starts with.
func caseID(name string) string {
	id, _, _ := strings.Cut(name, " ")
	return id
}

func ruleByID(t *testing.T, id string) Rule {
	t.Helper()
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return Rule{}
}

// lintRule runs the rule id alone over src, turned on if it is off by
// default.
func lintRule(t *testing.T, id, src string, cfg *config.Config) []finding.Finding {
	t.Helper()
	rule := ruleByID(t, id)
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	if cfg == nil {
		cfg = &config.Config{}
	}
	if rule.DefaultOff {
		c := *cfg
		c.Override.Info = append(append([]string{}, cfg.Override.Info...), rule.ID)
		cfg = &c
	}
	return Lint(f, Options{Config: cfg, Rules: []Rule{rule}})
}

func runTableCases(t *testing.T, cases []tableCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := caseID(tc.name)
			got := lintRule(t, id, tc.src, tc.cfg)
			if len(got) != tc.want {
				t.Errorf("got %d findings, want %d:\n%s\n%v", len(got), tc.want, tc.src, got)
			}
			for _, f := range got {
				if f.RuleID != id || f.Line < 1 || f.Message == "" {
					t.Errorf("bad finding %+v", f)
				}
			}
		})
	}
}

// fixCase is a Dockerfile and what the in-file fixes of its rule's
// findings make of it; the name starts with the rule's ID.
type fixCase struct{ name, src, want string }

// applyFixes applies the fixes' edits (the fix engine's job; enough here).
func applyFixes(src string, fixes []*finding.Fix) string {
	var edits []finding.Edit
	for _, fx := range fixes {
		edits = append(edits, fx.Edits...)
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].Offset > edits[j].Offset })
	for _, e := range edits {
		src = src[:e.Offset] + e.NewText + src[e.Offset+e.Length:]
	}
	return src
}

// runFixCases checks that every finding has a fix, that the fixes give
// the wanted file and that the fixed file no longer triggers the rule.
func runFixCases(t *testing.T, cases []fixCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := caseID(tc.name)
			got := lintRule(t, id, tc.src, nil)
			if len(got) == 0 {
				t.Fatalf("no finding")
			}
			var fixes []*finding.Fix
			for _, f := range got {
				if f.Fix == nil {
					t.Fatalf("finding without fix: %+v", f)
				}
				fixes = append(fixes, f.Fix)
			}
			if out := applyFixes(tc.src, fixes); out != tc.want {
				t.Errorf("fixed:\n%q\nwant:\n%q", out, tc.want)
			}
			if again := lintRule(t, id, tc.want, nil); len(again) != 0 {
				t.Errorf("fixed file still reports %v", again)
			}
		})
	}
}

// bkCase is a Dockerfile and the findings ("line: message") BuildKit's
// check id gives for it.
type bkCase struct {
	id, src string
	want    []string
}

func runBKCases(t *testing.T, cases []bkCase) {
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			got := runBK(t, tc.id, "", tc.src)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%q:\ngot  %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

// runBK lints src with BuildKit's check id only and returns "line:
// message" strings.
func runBK(t *testing.T, id, dir, src string) []string {
	t.Helper()
	name := "Dockerfile"
	if dir != "" {
		name = filepath.Join(dir, "Dockerfile")
	}
	f, err := dockerfile.ParseBytes(name, []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	rule := ruleByID(t, id)
	if !rule.BuildKit {
		t.Fatalf("%s is not a BuildKit check", id)
	}
	cfg := &config.Config{Override: config.Override{Warning: []string{id}}} // turns on default-off rules
	var out []string
	for _, fd := range Lint(f, Options{Config: cfg, Dir: dir, Rules: []Rule{rule}}) {
		out = append(out, fmt.Sprintf("%d: %s", fd.Line, fd.Message))
	}
	return out
}

// lintInContext runs the rule id alone over src, read from name, with the
// build context dir ("" for stdin).
func lintInContext(t *testing.T, id, name string, src []byte, dir string) []finding.Finding {
	t.Helper()
	f, err := dockerfile.ParseBytes(name, src)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return Lint(f, Options{Config: &config.Config{}, Dir: dir, Rules: []Rule{ruleByID(t, id)}})
}

// schema is a label schema setting.
func schema(m map[string]string, strict bool) *config.Config {
	return &config.Config{LabelSchema: m, StrictLabels: strict}
}
