// Package k8sclean holds the test assertion the manifest generators share:
// what they write passes slimship's own k8s lint with no finding at warning
// or above.
package k8sclean

import (
	"testing"

	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/k8s/lint"
	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// Assert reads the YAML stream b (named name in messages) as k8s lint does
// and fails t on any read error or finding at warning or above.
func Assert(t testing.TB, name string, b []byte) {
	t.Helper()
	objs, err := manifest.DecodeBytes(name, b)
	if err != nil {
		t.Fatal(err)
	}
	res := lint.Lint(objs, lint.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	for _, f := range res.Findings {
		if f.Severity >= finding.Warning {
			t.Errorf("%s:%d %s %s", f.File, f.Line, f.RuleID, f.Message)
		}
	}
}
