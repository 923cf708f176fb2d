package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A newcomer looking for a rule opens the file its topic names and finds
// it there, in every domain (issue 11's newcomer test). Each domain's own
// test checks every rule of it (pkg/dockerfile/lint TestRuleInTopicFile,
// pkg/k8s/lint's); this one samples all domains from the repository root.
func TestNewcomerFindsRulesByTopic(t *testing.T) {
	root := filepath.Join("..", "..")
	for id, file := range map[string]string{
		"DL3008":               "pkg/dockerfile/lint/rules_apt.go",
		"DL3042":               "pkg/dockerfile/lint/rules_pip.go",
		"DL3019":               "pkg/dockerfile/lint/rules_apk.go",
		"SS003":                "pkg/dockerfile/lint/rules_cache.go",
		"SS009":                "pkg/dockerfile/lint/rules_secrets.go",
		"JSONArgsRecommended":  "pkg/dockerfile/lint/rules_shell.go",
		"DuplicateStageName":   "pkg/dockerfile/lint/rules_from.go",
		"CIS-DI-0001":          "pkg/image/audit/rules.go",
		"SSA001":               "pkg/image/audit/rules.go",
		"SSI001":               "pkg/image/waste/waste.go",
		"SSI020":               "pkg/image/analyze/waste.go",
		"SSI030":               "pkg/image/analyze/gates.go",
		"container-resources":  "pkg/k8s/lint/rules_resources.go",
		"pod-probes-identical": "pkg/k8s/lint/rules_probes.go",
		"value-not-string":     "pkg/k8s/lint/rules_input.go",
	} {
		src, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		s := string(src)
		if !strings.Contains(s, `"`+id+`"`) && !strings.Contains(s, "linter.Rule"+id) {
			t.Errorf("%s is not defined in %s, the file its topic names", id, file)
		}
	}
}
