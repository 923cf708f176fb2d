package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// ruleFiles maps each rule ID to the file whose finding.Spec literal
// defines it, read from the package's Go files.
func ruleFiles(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := lit.Type.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Spec" {
				return true
			}
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "ID" {
					if v, ok := kv.Value.(*ast.BasicLit); ok {
						id, _ := strconv.Unquote(v.Value)
						if prev, dup := out[id]; dup {
							t.Errorf("%s is defined in %s and %s", id, prev, f)
						}
						out[id] = f
					}
				}
			}
			return true
		})
	}
	return out
}

// TestRuleFilesByTopic is the newcomer's test: a rule is found in the
// file its topic names, in one guess.
func TestRuleFilesByTopic(t *testing.T) {
	want := map[string]string{
		"container-resources":                           "rules_resources.go",
		"container-ephemeral-storage-request-and-limit": "rules_resources.go",
		"container-cpu-requests-equal-limits":           "rules_resources.go",
		"pod-probes":                                    "rules_probes.go",
		"container-security-context-privileged":         "rules_security.go",
		"container-security-context-user-group-id":      "rules_security.go",
		"host-network":                                  "rules_security.go",
		"docker-sock":                                   "rules_security.go",
		"sensitive-host-mounts":                         "rules_security.go",
		"container-image-tag":                           "rules_images.go",
		"container-image-pull-policy":                   "rules_images.go",
		"pod-networkpolicy":                             "rules_network.go",
		"service-targets-pod":                           "rules_network.go",
		"ingress-targets-service":                       "rules_network.go",
		"horizontalpodautoscaler-replicas":              "rules_scaling.go",
		"deployment-has-poddisruptionbudget":            "rules_scaling.go",
		"deployment-replicas":                           "rules_scaling.go",
		"keda-scaledobject":                             "rules_scaling.go",
		"deployment-has-host-podantiaffinity":           "rules_scheduling.go",
		"pod-topology-spread-constraints":               "rules_scheduling.go",
		"deployment-strategy":                           "rules_workloads.go",
		"statefulset-has-servicename":                   "rules_workloads.go",
		"cronjob-has-deadline":                          "rules_jobs.go",
		"stable-version":                                "rules_api.go",
		"label-values":                                  "rules_api.go",
		"env-var-secret":                                "rules_env.go",
		"value-not-string":                              "rules_input.go",
		"missing-apiversion-kind":                       "rules_input.go",
	}
	got := ruleFiles(t)
	for id, file := range want {
		if got[id] != file {
			t.Errorf("%s is defined in %q, want %s", id, got[id], file)
		}
	}
}

// TestEveryRuleInATopicFile: every rule is defined by a finding.Spec
// literal in a rules_<topic>.go file.
func TestEveryRuleInATopicFile(t *testing.T) {
	files := ruleFiles(t)
	topic := regexp.MustCompile(`^rules_[a-z]+\.go$`)
	for _, r := range All() {
		if f, ok := files[r.ID]; !ok || !topic.MatchString(f) {
			t.Errorf("%s is defined in %q, not a rules_<topic>.go file", r.ID, f)
		}
	}
}

// TestRemediation is kube-linter's meta-test: every rule says, in one
// sentence, what to change.
func TestRemediation(t *testing.T) {
	for _, r := range All() {
		rem := r.Remediation
		if rem == "" || !strings.HasSuffix(rem, ".") || strings.Contains(strings.TrimSuffix(rem, "."), ". ") {
			t.Errorf("%s: remediation %q is not one sentence", r.ID, rem)
		}
	}
}

// TestDocsURL: borrowed rules link their tool's page, slimship's own the
// repository's docs/rules/<ID>.md.
func TestDocsURL(t *testing.T) {
	own := map[string]bool{"hpa-min-below-max": true, "deprecated-api-version": true, "keda-scaledobject": true,
		"value-not-string": true, "missing-apiversion-kind": true}
	for _, r := range All() {
		switch {
		case own[r.ID]:
			if !strings.HasSuffix(r.DocsURL, "/docs/rules/"+r.ID+".md") {
				t.Errorf("%s: docs %s", r.ID, r.DocsURL)
			}
		case r.DocsURL != kubeScoreDocs && r.DocsURL != kubeLinterDocs+r.ID:
			t.Errorf("%s: docs %s is neither kube-score's nor kube-linter's", r.ID, r.DocsURL)
		}
	}
}
