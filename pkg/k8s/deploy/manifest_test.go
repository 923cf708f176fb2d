package deploy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// TestReadAsLintReads: deploy builds its objects from package manifest, as
// k8s lint does, so both read a manifest as kubectl does (YAML 1.1: a
// ConfigMap's a: yes is the boolean true, which the API server rejects and
// lint reports) and name the same line for the same error.
func TestReadAsLintReads(t *testing.T) {
	in := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: yes\n  b: \"yes\"\n"
	objs, err := Read(strings.NewReader(in), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data := objs[0].Object["data"].(map[string]any)
	if data["a"] != true || data["b"] != "yes" {
		t.Errorf("data = %#v, want a: true (YAML 1.1), b: \"yes\"", data)
	}
	bad := "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\nkind: B\nmetadata:\n  name: [\n"
	_, err = Read(strings.NewReader(bad), "x.yaml")
	_, lerr := manifest.DecodeBytes("x.yaml", []byte(bad))
	if err == nil || lerr == nil || err.Error() != lerr.Error() {
		t.Errorf("deploy says %v, lint says %v", err, lerr)
	}
}

func TestRead(t *testing.T) {
	in := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cfg}
---
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
`
	objs, err := Read(strings.NewReader(in), "app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.String()+"@"+o.Source)
	}
	want := "deployment.apps/web@app.yaml:1,service/web@app.yaml:11,configmap/cfg@app.yaml:14,namespace/shop@app.yaml:18"
	if strings.Join(got, ",") != want {
		t.Errorf("got %v\nwant %v", strings.Join(got, ","), want)
	}
	// Integers stay integers (unstructured needs int64, not float64).
	if r, ok, err := unstructured.NestedInt64(objs[0].Object, "spec", "replicas"); err != nil || !ok || r != 2 {
		t.Errorf("replicas = %v %v %v", r, ok, err)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"syntax error at its line", "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\nkind: B\nmetadata:\n  name: [\n", "x.yaml:8: "},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", "x.yaml:1: object has no kind"},
		{"no apiVersion", "kind: Pod\nmetadata: {name: a}\n", "x.yaml:1: object has no apiVersion"},
		{"no name", "---\napiVersion: v1\nkind: Pod\n", "x.yaml:2: Pod has no metadata.name"},
		{"scalar", "just a string\n", "x.yaml:1: document is a scalar, not a Kubernetes object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "x.yaml")
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want prefix %q", err, tt.want)
			}
		})
	}
	_, err := Read(strings.NewReader("# comment\n\napiVersion: v1\nkind: B\nmetadata:\n  name: [\n"), "y.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "y.yaml:6: ") {
		t.Errorf("syntax error should name line 6: %v", err)
	}
}

func TestReadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
	write("a/x.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	write("notes.txt", "not a manifest")
	write(".hidden/c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n")
	objs, err := ReadPaths([]string{dir, "-"}, bytes.NewBufferString("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.GetName())
	}
	if strings.Join(got, ",") != "a,b,s" {
		t.Errorf("got %v, want a,b,s", got)
	}
	if _, err := ReadPaths([]string{filepath.Join(dir, "missing.yaml")}, nil); !IsInputError(err) {
		t.Errorf("missing file: %v, want InputError", err)
	}
	if _, err := ReadPaths([]string{filepath.Join(dir, ".hidden", "none")}, nil); !IsInputError(err) {
		t.Errorf("missing dir: %v", err)
	}
}

func TestSort(t *testing.T) {
	var objs []Object
	for _, k := range []string{"HorizontalPodAutoscaler", "Widget", "Deployment", "Service", "NetworkPolicy", "Namespace", "PodDisruptionBudget", "ConfigMap"} {
		u := &unstructured.Unstructured{}
		u.SetKind(k)
		objs = append(objs, Object{Unstructured: u})
	}
	var got []string
	for _, o := range Sort(objs) {
		got = append(got, o.GetKind())
	}
	want := "Namespace,NetworkPolicy,PodDisruptionBudget,ConfigMap,Service,Deployment,HorizontalPodAutoscaler,Widget"
	if strings.Join(got, ",") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, ","), want)
	}
}

func TestOperation(t *testing.T) {
	mk := func(rv string, gen int64, image string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"image": image}}}
		u.SetResourceVersion(rv)
		u.SetGeneration(gen)
		return u
	}
	tests := []struct {
		name          string
		before, after *unstructured.Unstructured
		want          Operation
	}{
		{"new", nil, mk("1", 1, "a"), Created},
		{"new version", mk("1", 1, "a"), mk("2", 2, "b"), Configured},
		{"same version", mk("1", 1, "a"), mk("1", 1, "a"), Unchanged},
		{"dry run change", mk("1", 1, "a"), mk("1", 2, "b"), Configured},
		{"status write only", mk("1", 1, "a"), withStatus(mk("2", 1, "a")), Unchanged},
	}
	for _, tt := range tests {
		if got := operation(tt.before, tt.after); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func withStatus(u *unstructured.Unstructured) *unstructured.Unstructured {
	u.Object["status"] = map[string]any{"replicas": int64(2)}
	return u
}

func FuzzRead(f *testing.F) {
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems: []\n")
	f.Add("---\n---\n# c\n...\n")
	f.Add("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}")
	f.Add("a: [\n")
	f.Fuzz(func(t *testing.T, in string) {
		objs, err := Read(strings.NewReader(in), "f.yaml")
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("non-input error %T: %v", err, err)
			}
			return
		}
		for _, o := range objs {
			if o.GetKind() == "" || o.GetAPIVersion() == "" || o.GetName() == "" {
				t.Fatalf("object without kind/apiVersion/name accepted: %v", o.Object)
			}
			if !strings.HasPrefix(o.Source, "f.yaml:") {
				t.Fatalf("source %q", o.Source)
			}
		}
	})
}
