package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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

// dlRulesA are hadolint's DL1001-DL3033, the rules of the dla test table.
func dlRulesA() []Rule {
	return rulesWhere(func(id string) bool { return strings.HasPrefix(id, "DL") && id <= "DL3033" })
}

// dlRulesB are hadolint's DL3034-DL4006, the rules of the dlb test table.
func dlRulesB() []Rule {
	return rulesWhere(func(id string) bool { return strings.HasPrefix(id, "DL") && id > "DL3033" })
}

func ssRules() []Rule {
	return rulesWhere(func(id string) bool { return strings.HasPrefix(id, "SS") })
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
