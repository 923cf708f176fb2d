package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// TestInputRules: lint reads what kubectl apply sends. A value YAML 1.1
// retypes is a finding at its line instead of a decoding error, and a
// document without apiVersion or kind is a finding instead of nothing.
func TestInputRules(t *testing.T) {
	const in = `apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  a: yes
  on: x
---
replicaCount: 3
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {debug: no}
spec:
  template:
    spec:
      containers:
      - name: web
        image: web:1
        args: [--port, 8080]
`
	objs, err := manifest.DecodeBytes("m.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	res := Lint(objs, Options{})
	if len(res.Errors) > 0 {
		t.Fatalf("errors %v", res.Errors)
	}
	var got []string
	for _, f := range res.Findings {
		if inputRule[f.RuleID] {
			got = append(got, fmt.Sprintf("%d %s: %s", f.Line, f.RuleID, f.Message))
		}
	}
	want := []string{
		`6 value-not-string: data.a: yes is the boolean true to kubectl (YAML 1.1), and Kubernetes wants a string here; quote it: "yes"`,
		`7 value-not-string: key on is "true" to kubectl (YAML 1.1 reads it as a boolean); quote it: "on"`,
		`9 missing-apiversion-kind: object has no apiVersion or kind: kubectl apply rejects it`,
		`15 value-not-string: metadata.labels.debug: no is the boolean false to kubectl (YAML 1.1), and Kubernetes wants a string here; quote it: "no"`,
		`22 value-not-string: spec.template.spec.containers[0].args[1]: 8080 is the integer 8080 to kubectl (YAML 1.1), and Kubernetes wants a string here; quote it: "8080"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
