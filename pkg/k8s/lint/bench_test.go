package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// BenchmarkLint decodes and lints every manifest under testdata (each
// rule's bad and good cases, the clean stack and the report input) in one
// run, as `slimship k8s lint testdata` does.
func BenchmarkLint(b *testing.B) {
	files, err := filepath.Glob("testdata/*/*/*.yaml")
	if err != nil {
		b.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/*/*.yaml")
	files = append(files, more...)
	var inputs [][]byte
	size := 0
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, in)
		size += len(in)
	}
	decode := func() []*manifest.Object {
		var objs []*manifest.Object
		for i, in := range inputs {
			o, err := manifest.DecodeBytes(files[i], in)
			if err != nil {
				b.Fatal(err)
			}
			objs = append(objs, o...)
		}
		return objs
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			decode()
		}
	})
	b.Run("decode+lint", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			if res := Lint(decode(), Options{}); len(res.Findings) == 0 {
				b.Fatal("no findings")
			}
		}
	})
}

// TestPDBNamespaces: a budget in the deployment's namespace covers it
// wherever it comes in the input; budgets elsewhere are named in input
// order; match expressions count.
func TestPDBNamespaces(t *testing.T) {
	dep := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: %s}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d, tier: web}}\n    spec:\n      containers:\n      - {name: c, image: example.com/app:1.0}\n"
	pdb := "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: %s}\nspec:\n  minAvailable: 1\n  selector:\n    %s\n"
	labels := "matchLabels: {app: d}"
	exprs := "matchExpressions: [{key: tier, operator: In, values: [web]}]"
	cases := []struct {
		name string
		docs []string
		want string // the finding's message suffix, "" for none
	}{
		{"same namespace, after others", []string{fmt.Sprintf(pdb, "b", labels), fmt.Sprintf(pdb, "a", exprs), fmt.Sprintf(dep, "a")}, ""},
		{"elsewhere, in input order", []string{fmt.Sprintf(pdb, "c", exprs), fmt.Sprintf(dep, "a"), fmt.Sprintf(pdb, "b", labels)}, "(a matching one is in namespace c, b)"},
		{"none", []string{fmt.Sprintf(dep, "a"), fmt.Sprintf(pdb, "a", "matchLabels: {app: other}")}, "a node drain may take them all down"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := manifest.DecodeBytes("p.yaml", []byte(strings.Join(c.docs, "---\n")))
			if err != nil {
				t.Fatal(err)
			}
			got := byRule(Lint(objs, Options{}).Findings, "deployment-has-poddisruptionbudget")
			if c.want == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected %v", got)
				}
				return
			}
			if len(got) != 1 || !strings.HasSuffix(got[0].Message, c.want) {
				t.Fatalf("got %v, want a message ending %q", got, c.want)
			}
		})
	}
}
