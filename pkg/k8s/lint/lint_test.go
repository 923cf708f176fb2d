package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/k8s/manifest"
	"github.com/slimship/slimship/pkg/report"
)

func lintFile(t *testing.T, path string, opts Options) Result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := manifest.DecodeBytes(path, b)
	if err != nil {
		t.Fatal(err)
	}
	res := Lint(objs, opts)
	if len(res.Errors) > 0 {
		t.Fatalf("%s: %v", path, res.Errors)
	}
	return res
}

func byRule(fs []finding.Finding, id string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

// TestChecks runs every rule on its bad and good cases under
// testdata/checks/<ID>/.
func TestChecks(t *testing.T) {
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", "checks", r.ID)
			bad := lintFile(t, filepath.Join(dir, "bad.yaml"), Options{})
			got := byRule(bad.Findings, r.ID)
			if len(got) == 0 {
				t.Errorf("bad.yaml: no %s finding; got %v", r.ID, bad.Findings)
			}
			for _, f := range got {
				if f.Line < 1 || f.Object == nil || f.Object.Kind == "" {
					t.Errorf("finding without a position or object: %+v", f)
				}
				if f.Severity > r.Severity {
					t.Errorf("finding severity %s above the rule's %s", f.Severity, r.Severity)
				}
			}
			good := lintFile(t, filepath.Join(dir, "good.yaml"), Options{})
			if got := byRule(good.Findings, r.ID); len(got) > 0 {
				t.Errorf("good.yaml: unexpected %v", got)
			}
		})
	}
}

// TestRuleTable is kube-linter's meta-test: every rule is described, has docs
// and test cases.
func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if seen[r.ID] {
			t.Errorf("duplicate %s", r.ID)
		}
		seen[r.ID] = true
		if r.Description == "" || r.DocsURL == "" || r.Domain != finding.Kubernetes || r.Severity == finding.Off || r.Check == nil {
			t.Errorf("incomplete rule %+v", r.Rule)
		}
	}
	_ = finding.NewRegistry(Rules()...)
}

func TestCleanStackHasNoFindings(t *testing.T) {
	res := lintFile(t, "testdata/checks/clean.yaml", Options{})
	if len(res.Findings) > 0 {
		t.Errorf("clean.yaml: %v", res.Findings)
	}
}

func TestIgnores(t *testing.T) {
	base := `apiVersion: v1
kind: Service
metadata:
  name: s
  annotations:
%s
spec:
  type: NodePort
  selector: {app: x}
`
	cases := []struct {
		name, ann string
		opts      Options
		want      int
	}{
		{"none", `    a: b`, Options{}, 1},
		{"slimship annotation", `    ignore.slimship.dev/service-type: "true"`, Options{}, 0},
		{"slimship annotation false", `    ignore.slimship.dev/service-type: "false"`, Options{}, 1},
		{"kube-score annotation", `    kube-score/ignore: service-targets-pod,service-type`, Options{}, 0},
		{"flag", `    a: b`, Options{Ignore: []string{"service-type"}}, 0},
		{"config", `    a: b`, Options{Config: &config.Config{Kubernetes: config.Kubernetes{Ignored: []string{"service-type"}}}}, 0},
		{"override", `    a: b`, Options{Config: &config.Config{Override: config.Override{Error: []string{"service-type"}}}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := manifest.DecodeBytes("s.yaml", []byte(strings.Replace(base, "%s", c.ann, 1)))
			if err != nil {
				t.Fatal(err)
			}
			got := byRule(Lint(objs, c.opts).Findings, "service-type")
			if len(got) != c.want {
				t.Fatalf("got %v, want %d", got, c.want)
			}
			if c.name == "override" && got[0].Severity != finding.Error {
				t.Errorf("severity %s, want error", got[0].Severity)
			}
		})
	}
}

func TestUnknownKindsAreNoted(t *testing.T) {
	objs, err := manifest.DecodeBytes("crd.yaml", []byte("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\nspec: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	res := Lint(objs, Options{})
	if len(res.Findings) != 0 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "cert-manager.io/v1 Certificate") {
		t.Errorf("findings %v notes %v", res.Findings, res.Notes)
	}
}

func TestTypeErrorsAreReported(t *testing.T) {
	objs, err := manifest.DecodeBytes("bad.yaml", []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: many\n"))
	if err != nil {
		t.Fatal(err)
	}
	res := Lint(objs, Options{})
	// at the line of the bad field
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "bad.yaml:5") {
		t.Errorf("errors %v", res.Errors)
	}
}

func TestFieldLines(t *testing.T) {
	res := lintFile(t, "testdata/checks/container-image-tag/bad.yaml", Options{})
	f := byRule(res.Findings, "container-image-tag")[0]
	// the image line of the container
	if f.Line != 10 {
		t.Errorf("line %d, want 10 (the image field)", f.Line)
	}
}

// TestReportGolden renders one lint in every format.
func TestReportGolden(t *testing.T) {
	res := lintFile(t, "testdata/report/input.yaml", Options{})
	for _, format := range report.Formats {
		var buf bytes.Buffer
		if err := report.Write(&buf, format, res.Findings, report.Options{ToolVersion: "test", Rules: Rules(), Files: []string{"testdata/report/input.yaml"}}); err != nil {
			t.Fatal(err)
		}
		golden.Assert(t, filepath.Join("testdata", "report", "golden."+format), buf.Bytes())
	}
}

// TestReplicaSetIsDecodedAsReplicaSet: a ReplicaSet is read by its own
// type, so a Deployment-only field (spec.strategy) neither fails its
// decoding nor becomes part of it.
func TestReplicaSetIsDecodedAsReplicaSet(t *testing.T) {
	const in = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 3
  strategy: Recreate
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers:
      - {name: app, image: "app:1"}
`
	objs, err := manifest.DecodeBytes("rs.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	c, errs := newContext(objs)
	if len(errs) > 0 {
		t.Fatalf("errors %v", errs)
	}
	w := c.objects[0].Workload
	if w == nil || w.Strategy != "" || w.Replicas == nil || *w.Replicas != 3 || w.Selector == nil {
		t.Errorf("workload %+v", w)
	}
}

// TestLabelValuesInKeyOrder: invalid label values on one line (a flow
// mapping) are reported in key order, not in map order, so output is
// the same on every run.
func TestLabelValuesInKeyOrder(t *testing.T) {
	const in = `apiVersion: v1
kind: ConfigMap
metadata: {name: c, labels: {a: -x, b: -x, c: -x, d: -x, e: -x, f: -x, g: -x, h: -x}}
`
	objs, err := manifest.DecodeBytes("c.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		var keys []string
		for _, f := range byRule(Lint(objs, Options{}).Findings, "label-values") {
			keys = append(keys, strings.Fields(f.Message)[1])
		}
		if got := strings.Join(keys, ""); got != "abcdefgh" {
			t.Fatalf("labels reported in order %s", got)
		}
	}
}
