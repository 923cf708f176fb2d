package rulesdoc

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/slimship/slimship/pkg/finding"
)

var testRules = []finding.Rule{
	finding.Define(finding.Dockerfile, finding.Spec{ID: "SS900", Severity: finding.Warning, Category: finding.Size,
		Description: "Own rule with hand-written docs.", Remediation: "Do the slim thing."}),
	finding.Define(finding.Dockerfile, finding.Spec{ID: "SS901", Severity: finding.Info, Category: finding.Speed,
		Description: "Own rule | with test cases.", DefaultOff: true, Requires: "shellcheck"}),
	finding.Define(finding.Kubernetes, finding.Spec{ID: "own-k8s", Severity: finding.Error, Category: finding.Security,
		Description: "Own Kubernetes rule."}),
	finding.Define(finding.Image, finding.Spec{ID: "own-image", Severity: finding.Info, Category: finding.Size,
		Description: "Own image rule."}),
	finding.Define(finding.Dockerfile, finding.Spec{ID: "DL3000", Severity: finding.Error, Category: finding.Correctness,
		Description: "Use absolute WORKDIR.", DocsURL: "https://github.com/hadolint/hadolint/wiki/DL3000"}),
}

var testRepo = fstest.MapFS{
	"docs/rules/src/SS900.md":                                  {Data: []byte("Longer prose.\n\n## Reported\n\n```dockerfile\nFROM x\n```\n")},
	"pkg/dockerfile/lint/testdata/rules/SS901/bad.Dockerfile":  {Data: []byte("FROM bad\n")},
	"pkg/dockerfile/lint/testdata/rules/SS901/bad.golden":      {Data: []byte(`[{"rule":"SS901","line":1,"message":"m","fix":{"description":"d","edits":[],"optIn":true}}]`)},
	"pkg/dockerfile/lint/testdata/rules/SS901/bad2.Dockerfile": {Data: []byte("FROM second\n")},
	"pkg/image/analyze/testdata/rules/own-image/bad.image":     {Data: []byte("layer x\n")},
	"pkg/image/analyze/testdata/rules/own-image/bad.golden":    {Data: []byte(`[{"rule":"own-image","path":"/x","message":"m"}]`)},
	"pkg/dockerfile/lint/testdata/rules/SS901/good.Dockerfile": {Data: []byte("FROM good\n")},
	"pkg/dockerfile/lint/testdata/rules/SS900/bad.Dockerfile":  {Data: []byte("FROM shadowed\n")},
}

func TestPages(t *testing.T) {
	pages, err := Pages(testRepo, testRules)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 5 {
		t.Errorf("pages %v, want README.md, SS900.md, SS901.md, own-k8s.md own-image.md (no page for DL3000)", keys(pages))
	}
	for _, tc := range []struct {
		name      string
		want, not []string
	}{
		{"SS900.md", []string{Marker, "and docs/rules/src/SS900.md", "# SS900\n\nOwn rule with hand-written docs.\n",
			"| dockerfile | warning | size |", "`# slimship ignore=SS900`",
			// prose after the facts, remediation, then the hand-written sections
			"on the line above, or everywhere with `--ignore SS900` or `ignored: [SS900]` in `.slimship.yaml`.\n\nLonger prose.\n\n## Remediation\n\nDo the slim thing.\n\n## Reported\n\n```dockerfile\nFROM x\n```\n"},
			[]string{"shadowed", "Off by default"}},
		{"SS901.md", []string{"Off by default", "Needs `shellcheck` on PATH",
			"## Reported\n\n```dockerfile\nFROM bad\n```\n\nLine 1: m\nFix (opt-in): d.\n\n## Not reported\n\n```dockerfile\nFROM good\n```\n"},
			[]string{"## Remediation", "docs/rules/src", "second"}},
		{"own-image.md", []string{"## Reported\n\n```\nlayer x\n```\n\n/x: m\n"}, []string{"## Not reported"}},
		{"own-k8s.md", []string{"`ignore.slimship.dev/own-k8s: \"true\"`"}, []string{"## Reported"}},
		{"README.md", []string{"## dockerfile (3)", "## kubernetes (1)",
			"| [DL3000](https://github.com/hadolint/hadolint/wiki/DL3000) | error | correctness | Use absolute WORKDIR. |",
			"| [SS901](SS901.md) | info | speed | Own rule \\| with test cases. (off by default) (needs shellcheck) |"},
			nil},
	} {
		got := string(pages[tc.name])
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", tc.name, w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s has %q:\n%s", tc.name, n, got)
			}
		}
	}
}

func TestPagesBadDocsURL(t *testing.T) {
	r := testRules[0]
	r.DocsURL = finding.RepoDocs + "other.md"
	if _, err := Pages(testRepo, []finding.Rule{r}); err == nil {
		t.Error("a rule linking to another rule's page: no error")
	}
}

func TestDocument(t *testing.T) {
	var b bytes.Buffer
	if err := Document(&b, testRules); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, w := range []string{"# slimship rules\n", "## dockerfile (3 rules)", "### DL3000\n\nUse absolute WORKDIR.",
		"Docs: <https://github.com/hadolint/hadolint/wiki/DL3000>", "Remediation: Do the slim thing.", "## kubernetes (1 rules)"} {
		if !strings.Contains(got, w) {
			t.Errorf("document lacks %q:\n%s", w, got)
		}
	}
	if strings.Index(got, "### DL3000") > strings.Index(got, "### SS900") {
		t.Error("rules not sorted by ID within a domain")
	}
}

// TestWrite checks that Write removes the generated page of a rule that is
// gone and keeps a page nobody generated.
func TestWrite(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, filepath.FromSlash(Dir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "SS899.md")
	kept := filepath.Join(dir, "notes.md")
	if err := os.WriteFile(gone, []byte(Marker+" -->\n# SS899\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kept, []byte("# Notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(root, testRules); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Errorf("generated page of a removed rule kept: %v", err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("hand-written file removed: %v", err)
	}
	for _, name := range []string{"README.md", "SS900.md", "SS901.md", "own-k8s.md", "own-image.md"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
