package lint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/finding"
)

// rulesWhere returns the registered rules whose ID passes keep.
func rulesWhere(keep func(id string) bool) []Rule {
	var out []Rule
	for _, r := range All() {
		if keep(r.ID) {
			out = append(out, r)
		}
	}
	return out
}

// allBuildKitRules are BuildKit's checks, wherever their file.
func allBuildKitRules() []Rule {
	var out []Rule
	for _, r := range All() {
		if r.BuildKit {
			out = append(out, r)
		}
	}
	return out
}

// ruleFiles parses the package's Go files and returns, for each rule ID, the
// files that define it: a rule(finding.Spec{ID: "..."}, ...) call, or a
// bk(linter.Rule<ID>, ...) call.
func ruleFiles(t *testing.T) map[string][]string {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	out := map[string][]string{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			fn, ok := call.Fun.(*ast.Ident)
			if !ok {
				if ix, ok := call.Fun.(*ast.IndexExpr); ok {
					fn, _ = ix.X.(*ast.Ident)
				}
			}
			if fn == nil {
				return true
			}
			switch fn.Name {
			case "rule":
				if id := specID(call.Args[0]); id != "" {
					out[id] = append(out[id], name)
				}
			case "bk":
				if sel, ok := call.Args[0].(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Rule") {
					id := strings.TrimPrefix(sel.Sel.Name, "Rule")
					out[id] = append(out[id], name)
				}
			}
			return true
		})
	}
	return out
}

// specID is the ID of a finding.Spec literal: a string or ShellCheckID.
func specID(e ast.Expr) string {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return ""
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok || kv.Key.(*ast.Ident).Name != "ID" {
			continue
		}
		switch v := kv.Value.(type) {
		case *ast.BasicLit:
			id, _ := strconv.Unquote(v.Value)
			return id
		case *ast.Ident:
			if v.Name == "ShellCheckID" {
				return ShellCheckID
			}
		}
	}
	return ""
}

// topicFiles are the files rules may live in (see rules.go).
var topicFiles = map[string]bool{
	"rules_apt.go": true, "rules_apk.go": true, "rules_rpm.go": true, "rules_pip.go": true,
	"rules_npm.go": true, "rules_gem.go": true, "rules_go.go": true, "rules_labels.go": true,
	"rules_from.go": true, "rules_copy.go": true, "rules_user.go": true, "rules_shell.go": true,
	"rules_run.go": true, "rules_env.go": true, "rules_healthcheck.go": true, "rules_secrets.go": true,
	"rules_cache.go": true, "rules_pragma.go": true, "rules_shellcheck.go": true, "rules_buildkit.go": true,
}

// TestRuleInTopicFile is the newcomer test: the file named by a rule's
// topic holds the rule.
func TestRuleInTopicFile(t *testing.T) {
	where := ruleFiles(t)
	for id, want := range map[string]string{
		"DL1001":                         "rules_pragma.go",
		"DL3000":                         "rules_user.go",
		"WorkdirRelativePath":            "rules_user.go",
		"DL3006":                         "rules_from.go",
		"DL3008":                         "rules_apt.go",
		"DL3009":                         "rules_apt.go",
		"DL3013":                         "rules_pip.go",
		"DL3016":                         "rules_npm.go",
		"DL3018":                         "rules_apk.go",
		"DL3020":                         "rules_copy.go",
		"DL3024":                         "rules_from.go",
		"DuplicateStageName":             "rules_from.go",
		"DL3025":                         "rules_shell.go",
		"JSONArgsRecommended":            "rules_shell.go",
		"DL3028":                         "rules_gem.go",
		"DL3033":                         "rules_rpm.go",
		"DL3037":                         "rules_rpm.go",
		"DL3041":                         "rules_rpm.go",
		"DL3042":                         "rules_pip.go",
		"DL3048":                         "rules_labels.go",
		"DL3060":                         "rules_npm.go",
		"DL3062":                         "rules_go.go",
		"DL3064":                         "rules_secrets.go",
		"SecretsUsedInArgOrEnv":          "rules_secrets.go",
		"DL4000":                         "rules_labels.go",
		"MaintainerDeprecated":           "rules_labels.go",
		"DL4003":                         "rules_shell.go",
		"MultipleInstructionsDisallowed": "rules_shell.go",
		"DL4006":                         "rules_shell.go",
		"SS001":                          "rules_from.go",
		"SS003":                          "rules_cache.go",
		"SS005":                          "rules_cache.go",
		"SS006":                          "rules_copy.go",
		"SS007":                          "rules_user.go",
		"SS009":                          "rules_secrets.go",
		"SS011":                          "rules_go.go",
		"SC":                             "rules_shellcheck.go",
		"UndefinedVar":                   "rules_buildkit.go",
	} {
		if got := where[id]; len(got) != 1 || got[0] != want {
			t.Errorf("%s is defined in %v, want %s", id, got, want)
		}
	}
}

// TestEveryRuleInATopicFile checks that each registered rule is defined
// once, in one of the topic files.
func TestEveryRuleInATopicFile(t *testing.T) {
	where := ruleFiles(t)
	for _, r := range All() {
		got := where[r.ID]
		if len(got) != 1 || !topicFiles[got[0]] {
			t.Errorf("%s is defined in %v, want one of the topic files", r.ID, got)
		}
	}
}

// TestEveryRuleHasRemediation: each rule says what to change.
func TestEveryRuleHasRemediation(t *testing.T) {
	for _, r := range All() {
		if strings.TrimSpace(r.Remediation) == "" {
			t.Errorf("%s has no remediation", r.ID)
		}
		if strings.HasPrefix(r.ID, "DL") && r.DocsURL != hadolintWiki+r.ID {
			t.Errorf("%s links to %s, want hadolint's wiki", r.ID, r.DocsURL)
		}
	}
}

// TestRuleMetadata checks each family's rules: hadolint's link to its
// wiki, slimship's are SS001 on to its docs, BuildKit's to Docker's docs.
func TestRuleMetadata(t *testing.T) {
	t.Run("hadolint", func(t *testing.T) {
		var ids []string
		for _, r := range rulesWhere(func(id string) bool { return strings.HasPrefix(id, "DL") }) {
			ids = append(ids, r.ID)
			if r.Domain != finding.Dockerfile || r.Description == "" || r.Category == "" || r.Severity == finding.Off ||
				r.DocsURL != "https://github.com/hadolint/hadolint/wiki/"+r.ID || r.Check == nil {
				t.Errorf("%s: incomplete rule %+v", r.ID, r.Rule)
			}
			if r.DefaultOff != (r.ID == "DL1001" || r.ID == "DL3057") {
				t.Errorf("%s: DefaultOff = %v", r.ID, r.DefaultOff)
			}
		}
		if !sort.StringsAreSorted(ids) || len(ids) != 71 {
			t.Errorf("rules %v: want 71 sorted IDs", ids)
		}
	})
	t.Run("slimship", func(t *testing.T) {
		rules := rulesWhere(func(id string) bool { return strings.HasPrefix(id, "SS") })
		if len(rules) != 15 {
			t.Fatalf("want SS001-SS015, got %d rules", len(rules))
		}
		for i, r := range rules {
			want := fmt.Sprintf("SS%03d", i+1)
			if r.ID != want || r.Domain != finding.Dockerfile || r.Severity == finding.Off || r.Category == "" ||
				r.DocsURL != "https://github.com/slimship/slimship/blob/main/docs/rules/"+want+".md" || !strings.HasSuffix(r.Description, ".") || r.Check == nil {
				t.Errorf("rule %d: %+v", i, r.Rule)
			}
		}
	})
	t.Run("buildkit", func(t *testing.T) {
		for _, r := range allBuildKitRules() {
			if !strings.HasPrefix(r.DocsURL, "https://docs.docker.com/") || r.Description == "" || r.Severity != finding.Warning {
				t.Errorf("%s: incomplete metadata %+v", r.ID, r.Rule)
			}
		}
	})
}

// TestCasesBesideTheirRule: a rule's table cases (tableCase, fixCase,
// bkCase) live in the test file of the file that defines the rule.
func TestCasesBesideTheirRule(t *testing.T) {
	where := ruleFiles(t)
	names, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(nd ast.Node) bool {
			lit, ok := nd.(*ast.CompositeLit)
			if !ok {
				return true
			}
			at, ok := lit.Type.(*ast.ArrayType)
			if !ok {
				return true
			}
			if elt, ok := at.Elt.(*ast.Ident); !ok || (elt.Name != "tableCase" && elt.Name != "fixCase" && elt.Name != "bkCase") {
				return true
			}
			for _, e := range lit.Elts {
				first, ok := e.(*ast.CompositeLit).Elts[0].(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: a case whose name is not a literal", fset.Position(e.Pos()))
					continue
				}
				s, _ := strconv.Unquote(first.Value)
				id := caseID(s)
				n++
				if got := where[id]; len(got) != 1 || strings.TrimSuffix(got[0], ".go")+"_test.go" != name {
					t.Errorf("%s: case of %s, defined in %v", fset.Position(e.Pos()), id, got)
				}
			}
			return true
		})
	}
	if n == 0 {
		t.Fatal("no table case found")
	}
}
