package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/rulesdoc"
	"github.com/slimship/slimship/pkg/finding"
)

// repoRoot is the repository root seen from this package.
const repoRoot = "../.."

// upstreamDocs are the upstream pages of borrowed IDs, by family: a rule
// whose ID is of a family links there or to its own page in the repository.
var upstreamDocs = []struct {
	family string
	id     *regexp.Regexp
	domain finding.Domain
	bases  []string
}{
	{"hadolint", regexp.MustCompile(`^DL\d{4}$`), finding.Dockerfile, []string{"https://github.com/hadolint/hadolint/wiki/"}},
	// SC is the one rule that runs shellcheck; its findings carry SCnnnn.
	{"ShellCheck", regexp.MustCompile(`^SC(?:\d{4})?$`), finding.Dockerfile, []string{"https://www.shellcheck.net/wiki/"}},
	// BuildKit's checks link through docs.docker.com/go/, which redirects
	// to the build-checks reference.
	{"BuildKit", regexp.MustCompile(`^[A-Z][A-Za-z]*[a-z][A-Za-z]*$`), finding.Dockerfile,
		[]string{"https://docs.docker.com/reference/build-checks/", "https://docs.docker.com/go/dockerfile/rule/"}},
	{"dockle", regexp.MustCompile(`^(?:CIS-DI|DKL-DI|DKL-LI)-\d{4}$`), finding.Image, []string{"https://github.com/goodwithtech/dockle/"}},
	{"kube-score or kube-linter", regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`), finding.Kubernetes,
		[]string{"https://github.com/zegl/kube-score/", "https://docs.kubelinter.io/"}},
}

// pendingDocs are docs bases of rules not yet moved to finding.Define.
// The test tolerates them while a rule uses them, and fails once none does,
// so that the entry goes. Every domain uses finding.Define now.
var pendingDocs []string

// TestRuleDocsResolve checks that every rule's docs URL is a page in the
// repository or the upstream page of its borrowed ID.
func TestRuleDocsResolve(t *testing.T) {
	pendingUsed := map[string]int{}
rules:
	for _, r := range allRules() {
		if strings.HasPrefix(r.DocsURL, finding.RepoDocs) {
			name := strings.TrimPrefix(r.DocsURL, finding.RepoDocs)
			if name != r.ID+".md" {
				t.Errorf("%s: docs %s, want %s%s.md", r.ID, r.DocsURL, finding.RepoDocs, r.ID)
				continue
			}
			if _, err := os.Stat(filepath.Join(repoRoot, rulesdoc.Dir, name)); err != nil {
				t.Errorf("%s: docs %s: no page in the repository (run go generate ./...): %v", r.ID, r.DocsURL, err)
			}
			continue
		}
		for _, p := range pendingDocs {
			if strings.HasPrefix(r.DocsURL, p) {
				pendingUsed[p]++
				continue rules
			}
		}
		for _, u := range upstreamDocs {
			if r.Domain != u.domain || !u.id.MatchString(r.ID) {
				continue
			}
			for _, base := range u.bases {
				if strings.HasPrefix(r.DocsURL, base) {
					continue rules
				}
			}
			t.Errorf("%s: docs %q is neither %s<ID>.md nor a %s page (%s)", r.ID, r.DocsURL, finding.RepoDocs, u.family, strings.Join(u.bases, " or "))
			continue rules
		}
		t.Errorf("%s: docs %q: slimship's own rule must link to %s%[1]s.md (leave Spec.DocsURL empty)", r.ID, r.DocsURL, finding.RepoDocs)
	}
	for _, p := range pendingDocs {
		if pendingUsed[p] == 0 {
			t.Errorf("no rule links to %s any more: remove it from pendingDocs", p)
		} else {
			t.Logf("%d rules still link to %s (pending finding.Define)", pendingUsed[p], p)
		}
	}
}

// TestRuleDocsUpToDate regenerates docs/rules and compares it with the
// repository's.
func TestRuleDocsUpToDate(t *testing.T) {
	want, err := rulesdoc.Pages(os.DirFS(repoRoot), allRules())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(repoRoot, rulesdoc.Dir)
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case err != nil:
			t.Errorf("%s/%s: %v: run go generate ./...", rulesdoc.Dir, name, err)
		case !bytes.Equal(got, b):
			t.Errorf("%s/%s is out of date: run go generate ./...", rulesdoc.Dir, name)
		}
	}
	have, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range have {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("%s/%s is no rule's page: remove it (go generate ./... removes generated ones) or move its text to %s", rulesdoc.Dir, filepath.Base(f), rulesdoc.SrcDir)
		}
	}
	srcs, err := filepath.Glob(filepath.Join(repoRoot, rulesdoc.SrcDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range srcs {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("%s/%s belongs to no rule of slimship's own", rulesdoc.SrcDir, filepath.Base(f))
		}
	}
}

// TestRulesJSONKeys pins the keys of `rules --format json`: the rule's own
// JSON in a stable order, and missing.
func TestRulesJSONKeys(t *testing.T) {
	r := finding.Define(finding.Dockerfile, finding.Spec{ID: "SS900", Severity: finding.Warning, Category: finding.Size,
		Description: "d", Remediation: "r", DefaultOff: true, Requires: "shellcheck"})
	b, err := json.Marshal(ruleJSON{Rule: r, Missing: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"SS900","severity":"warning","category":"size","domain":"dockerfile","description":"d","remediation":"r",` +
		`"docs":"` + finding.RepoDocs + `SS900.md","defaultOff":true,"requires":"shellcheck","missing":true}`
	if string(b) != want {
		t.Errorf("rule JSON\n got %s\nwant %s", b, want)
	}

	var out bytes.Buffer
	if code := Execute(context.Background(), []string{"rules", "--format", "json"}, Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Version int              `json:"version"`
		Rules   []map[string]any `json:"rules"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"id": true, "severity": true, "category": true, "domain": true, "description": true,
		"remediation": true, "docs": true, "defaultOff": true, "requires": true, "missing": true}
	if doc.Version != 1 || len(doc.Rules) != len(allRules()) {
		t.Fatalf("version %d, %d rules; want 1, %d", doc.Version, len(doc.Rules), len(allRules()))
	}
	for _, r := range doc.Rules {
		for k := range r {
			if !known[k] {
				t.Errorf("%v: unknown key %q", r["id"], k)
			}
		}
		for _, k := range []string{"id", "severity", "category", "domain", "description", "docs"} {
			if s, _ := r[k].(string); s == "" {
				t.Errorf("%v: no %s", r["id"], k)
			}
		}
	}
}

func TestRulesMarkdown(t *testing.T) {
	var out bytes.Buffer
	if code := Execute(context.Background(), []string{"rules", "--format", "markdown", "--domain", "image"}, Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := out.String()
	if !strings.HasPrefix(got, "# slimship rules\n\n## image (") || strings.Contains(got, "## dockerfile") || !strings.Contains(got, "### SSA001\n") {
		t.Errorf("rules --format markdown --domain image:\n%.400s", got)
	}
	if code := Execute(context.Background(), []string{"rules", "--format", "html"}, Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}); code != ExitUsage {
		t.Errorf("--format html: exit %d, want %d", code, ExitUsage)
	}
}
