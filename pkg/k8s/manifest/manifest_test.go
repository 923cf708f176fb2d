package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

func TestDecode(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		want  []string // kind/name@line
		json0 string   // JSON of the first object, when set
	}{
		{"multi-document", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n# comment\n\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n  namespace: x\n",
			[]string{"Service/a@1", "Deployment/b@8"}, ""},
		{"list", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n",
			[]string{"Service/a@4", "ConfigMap/b@7"}, ""},
		{"json", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"n": 1.5, "b": true, "z": null}}`,
			[]string{"Pod/p@1"}, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"b":true,"n":1.5,"z":null}}`},
		{"flow style", "---\n{\n  kind: \"Pod\",\n  apiVersion: \"v1\",\n  metadata: {name: \"p\"},\n}\n", []string{"Pod/p@2"}, ""},
		{"anchors and merge keys", "kind: ConfigMap\napiVersion: v1\nmetadata: {name: m}\nx: &base {a: 1, b: 2}\ndata:\n  <<: *base\n  b: 3\n",
			[]string{"ConfigMap/m@1"}, `{"apiVersion":"v1","data":{"a":1,"b":3},"kind":"ConfigMap","metadata":{"name":"m"},"x":{"a":1,"b":2}}`},
		// go-yaml v2 merges where the key stands: what follows wins, what
		// precedes loses.
		{"merge key order", "kind: X\nx: &base {a: 1, b: 2}\nz:\n  a: 0\n  <<: *base\n  b: 3\n",
			[]string{"X/@1"}, `{"kind":"X","x":{"a":1,"b":2},"z":{"a":1,"b":3}}`},
		{"scalars", "kind: X\napiVersion: v1\na: 0x10\nb: 007\nc: '1'\nd: ~\ne: \"quote\\\"d\"\nf: 1e3\n",
			[]string{"X/@1"}, `{"a":16,"apiVersion":"v1","b":7,"c":"1","d":null,"e":"quote\"d","f":1000,"kind":"X"}`},
		// kubectl's YAML 1.1: yes/no/on/off/y/n are booleans, 0755 octal,
		// 1.10 the number 1.1; keys too.
		{"yaml 1.1", "kind: X\na: yes\nb: Off\nc: y\nd: 0755\ne: 1.10\nf: 1_000\ng: 0b11\nh: 2024-01-02\ni: 12:30\non: 1\n1.50: x\n",
			[]string{"X/@1"}, `{"1.5":"x","a":true,"b":false,"c":true,"d":493,"e":1.1,"f":1000,"g":3,"h":"2024-01-02","i":"12:30","kind":"X","true":1}`},
		{"kind-less document", "replicaCount: 3\n", []string{"/@1"}, ""},
		{"empty", "", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := DecodeBytes("f.yaml", []byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.Kind+"/"+o.Name+"@"+itoa(o.Line))
				if !json.Valid(o.JSON) {
					t.Errorf("invalid JSON %s", o.JSON)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if c.json0 != "" && string(objs[0].JSON) != c.json0 {
				t.Errorf("JSON %s\nwant %s", objs[0].JSON, c.json0)
			}
		})
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name, in string
		line     int
		objs     int
	}{
		{"bad indentation", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: x\n", 5, 0},
		{"second document broken", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\nkind: [\n", 5, 1},
		{"scalar document", "just text\n", 1, 0},
		{"sequence document", "- a\n- b\n", 1, 0},
		{"complex key", "apiVersion: v1\nkind: ConfigMap\ndata:\n  ? [a, b]\n  : x\n", 4, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := DecodeBytes("bad.yaml", []byte(c.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %v, want *Error", err)
			}
			if e.File != "bad.yaml" || e.Line != c.line {
				t.Errorf("error %q at line %d, want line %d", err, e.Line, c.line)
			}
			if len(objs) != c.objs {
				t.Errorf("%d objects before the error, want %d", len(objs), c.objs)
			}
		})
	}
}

func TestLineOf(t *testing.T) {
	in := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x\n      - name: b\n        image: y\n"
	objs, err := DecodeBytes("d.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	o := objs[0]
	cases := []struct {
		path []any
		want int
	}{
		{nil, 1},
		{[]any{"spec", "template", "spec", "containers", 1, "image"}, 11},
		{[]any{"spec", "template", "spec", "containers", 0}, 8},
		{[]any{"spec", "template", "spec", "containers", 1, "securityContext", "runAsUser"}, 10},
		{[]any{"spec", "replicas"}, 4},
		{[]any{"spec", "template", "spec", "containers", 5}, 7},
		{[]any{"spec", "template", "spec", "containers", "1", "image"}, 11},
		{[]any{"spec", "template", "spec", "containers", "first"}, 7},
	}
	for _, c := range cases {
		if got := o.LineOf(c.path...); got != c.want {
			t.Errorf("LineOf(%v) = %d, want %d", c.path, got, c.want)
		}
	}
}

func TestAliasBomb(t *testing.T) {
	in := "kind: X\napiVersion: v1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
	_, err := DecodeBytes("bomb.yaml", []byte(in))
	if err == nil {
		t.Fatal("want an error for an alias bomb")
	}
}

// FuzzDecode checks the decoder never panics and always yields valid JSON.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n",
		"a: &a {b: 1}\nkind: X\nc:\n  <<: *a\n",
		"{\"kind\": \"Pod\", \"apiVersion\": \"v1\"}",
		"---\n---\nkind: [\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		objs, _ := DecodeBytes("fuzz.yaml", b)
		for _, o := range objs {
			if !json.Valid(o.JSON) {
				t.Fatalf("invalid JSON %q from %q", o.JSON, b)
			}
			if o.Line < 1 {
				t.Fatalf("line %d", o.Line)
			}
			_ = o.LineOf("spec", "template", 0, "x")
		}
	})
}

func TestInto(t *testing.T) {
	const head = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x:1\n"
	cases := []struct {
		name, tail string
		line       int // of the error; 0 for none
		check      func(*appsv1.Deployment) string
	}{
		{"valid", "        ports:\n        - containerPort: 80\n", 0, func(d *appsv1.Deployment) string {
			if p := d.Spec.Template.Spec.Containers[0].Ports; len(p) != 1 || p[0].ContainerPort != 80 {
				return fmt.Sprintf("ports %v", p)
			}
			return ""
		}},
		{"wrong type", "        ports:\n        - containerPort: http\n", 12, nil},
		{"bad quantity", "        resources:\n          limits:\n            cpu: lots\n", 13, nil},
		{"second container", "      - name: b\n        image: web\n        ports:\n        - containerPort: 80\n          protocol: [TCP]\n", 15, nil},
		// kubectl reads image: y as the boolean true.
		{"yaml 1.1 boolean", "      - name: b\n        image: y\n", 12, nil},
		// The API server matches field names case-sensitively and ignores
		// (warns about) the rest; encoding/json would fill Image here.
		{"case-sensitive names", "      - name: b\n        Image: y\n", 0, func(d *appsv1.Deployment) string {
			if img := d.Spec.Template.Spec.Containers[1].Image; img != "" {
				return "Image filled image: " + img
			}
			return ""
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := DecodeBytes("d.yaml", []byte(head+c.tail))
			if err != nil {
				t.Fatal(err)
			}
			var d appsv1.Deployment
			err = objs[0].Into(&d)
			if c.line == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if msg := c.check(&d); msg != "" {
					t.Error(msg)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %v, want *Error", err)
			}
			if e.File != "d.yaml" || e.Line != c.line || !strings.Contains(err.Error(), `Deployment "web"`) {
				t.Errorf("error %q at %s:%d, want d.yaml:%d naming the object", err, e.File, e.Line, c.line)
			}
		})
	}
}
