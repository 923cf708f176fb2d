package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// kubectlDocs decodes b as kubectl apply -f does (cli-runtime's
// StreamVisitor: apimachinery's YAMLOrJSONDecoder into RawExtensions, which
// hold sigs.k8s.io/yaml.YAMLToJSON's output for YAML), skipping empty and
// null documents; each as the JSON kubectl sends (decoded into an
// unstructured map and encoded again).
func kubectlDocs(b []byte) ([][]byte, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	var out [][]byte
	for {
		var ext runtime.RawExtension
		if err := d.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		if raw[0] != '{' {
			// kubectl fails on it: "Object 'Kind' is missing".
			return out, errors.New("not an object")
		}
		js, err := sent(raw)
		if err != nil {
			return out, err
		}
		// kubectl flattens Lists into their items; it cannot map a List
		// without them (this package skips it).
		var list struct {
			Kind  string          `json:"kind"`
			Items json.RawMessage `json:"items"`
		}
		if json.Unmarshal(js, &list) == nil && strings.HasSuffix(list.Kind, "List") {
			var items []json.RawMessage
			if json.Unmarshal(list.Items, &items) != nil || items == nil {
				return out, errors.New("a List without items")
			}
			for _, it := range items {
				out = append(out, it)
			}
			continue
		}
		out = append(out, js)
	}
}

// sent is the JSON of an object as kubectl sends it: decoded with
// apimachinery's JSON (integers int64, other numbers float64) and encoded.
func sent(raw []byte) ([]byte, error) {
	var v any
	if err := utiljson.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// sameAsKubectl checks that every object DecodeBytes returns for b is, in
// order and byte for byte, the JSON kubectl sends, and that YAML documents'
// JSON is sigs.k8s.io/yaml.YAMLToJSON's. Inputs either side rejects, and
// List kinds (which this package flattens), are not compared.
func sameAsKubectl(t *testing.T, b []byte) {
	t.Helper()
	if nonSpecificTag.Match(b) {
		// yaml.v3's nodes do not tell "! yes" (a string) from "yes".
		return
	}
	if typedKeysCollide(b) {
		// `{"0": a, 0: b}`: go-yaml v2 keeps both keys (a string and an
		// int), and sigs.k8s.io/yaml's JSON keeps whichever it meets last
		// in map order, so kubectl itself answers either way.
		return
	}
	objs, err := DecodeBytes("f.yaml", b)
	if err != nil {
		return
	}
	want, err := kubectlDocs(b)
	if err != nil {
		return
	}
	if len(objs) != len(want) {
		t.Fatalf("%d objects, kubectl %d\ninput:\n%q", len(objs), len(want), b)
	}
	for i, o := range objs {
		got, err := sent(o.JSON)
		if err != nil {
			t.Fatalf("object %d: %v: %s", i, err, o.JSON)
		}
		if !bytes.Equal(got, want[i]) {
			t.Fatalf("object %d:\n%s\nkubectl:\n%s\ninput:\n%q", i, got, want[i], b)
		}
	}
	if len(objs) == 1 && !bytes.Contains(b, []byte("\n---")) && !utilyaml.IsJSONBuffer(b) {
		js, err := yaml.YAMLToJSON(endLine(b))
		if err == nil && !isList(js) && !bytes.Equal(js, objs[0].JSON) {
			t.Fatalf("JSON\n%s\nsigs.k8s.io/yaml:\n%s\ninput:\n%q", objs[0].JSON, js, b)
		}
	}
}

var nonSpecificTag = regexp.MustCompile(`!([ \t\r\n,\]}]|$)`)

// kubectlCases are read differently by YAML 1.1 (kubectl) and YAML 1.2.
var kubectlCases = []string{
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: yes\n  b: no\n  c: on\n  d: off\n  e: y\n  f: n\n  g: ~\n  h: 0755\n  i: 1.10\n  j: 1_000\n  k: 0x1F\n  l: 1e3\n  m: .5\n  n: 2024-01-02\n  o: \"yes\"\n  p: True\n  q: NULL\n  r: 12:30:00\n  s: -0b101\n  t: +12\n  u: 99999999999999999999\n  v: 18446744073709551615\n  w: 1.0e+30\n  x: 0.0000001\n  'on': 1\n  y: 1\n  1.50: a\n  010: b\n",
	"kind: X\na: !!str yes\nb: !!int \"12\"\nc: !!float 3\nd: !!bool yes\ne: !!null ''\nf: !!binary aGVsbG8=\ng: !custom yes\nh: !!timestamp 2001-12-14\n",
	"kind: X\nx: &b {a: 1, b: 2}\nz:\n  a: 0\n  <<: *b\n  b: 3\nw:\n  <<: [*b, {a: 5, c: 6}]\n",
	"kind: X\na: <tag>&\nb: \"\\u2028\"\nc: \"\\xff\"\n",
	"{\"kind\": \"X\", \"a\": 1.0, \"b\": [true, null, \"yes\"], \"c\": 1e400}",
	"kind: X\nb: 1\nb: 2\n",
}

func TestSameAsKubectl(t *testing.T) {
	for _, c := range kubectlCases {
		sameAsKubectl(t, []byte(c))
	}
	for _, c := range fastCases {
		sameAsKubectl(t, []byte(c.in))
	}
	b, err := os.ReadFile("testdata/stack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sameAsKubectl(t, b)
}

// FuzzKubectlJSON holds the reader (the fast path included) to kubectl's
// reading: go-yaml v2 through sigs.k8s.io/yaml.
func FuzzKubectlJSON(f *testing.F) {
	for _, c := range kubectlCases {
		f.Add([]byte(c))
	}
	for _, c := range fastCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 8192 {
			return
		}
		sameAsKubectl(t, b)
	})
}

// TestKubectlRejects: what kubectl cannot turn into JSON is an error here
// too, at its line.
func TestKubectlRejects(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"kind: X\na: .inf\n", "f.yaml:2: .inf: json: unsupported value"},
		{"kind: X\n~: a\n", "f.yaml:2: mapping key is null"},
		{"kind: X\na: !!int x\n", "f.yaml:2: cannot decode !!str `x` as a !!int"},
		{"kind: X\na: !!binary '%'\n", "f.yaml:2: !!binary value contains invalid base64 data"},
	} {
		_, err := DecodeBytes("f.yaml", []byte(c.in))
		if err == nil || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("%q: error %v, want %s", c.in, err, c.msg)
		}
		if _, kerr := kubectlDocs([]byte(c.in)); kerr == nil {
			t.Errorf("%q: kubectl reads it", c.in)
		}
	}
}

// typedKeysCollide reports whether a mapping of b, read as go-yaml v2
// reads it, has two keys of different types that are one JSON key.
func typedKeysCollide(b []byte) bool {
	d := yamlv2.NewDecoder(bytes.NewReader(b))
	for {
		var v any
		if err := d.Decode(&v); err != nil {
			return false
		}
		if collide(v) {
			return true
		}
	}
}

func collide(v any) bool {
	switch v := v.(type) {
	case map[any]any:
		seen := map[string]bool{}
		for k, e := range v {
			s := fmt.Sprint(k)
			if seen[s] || collide(e) {
				return true
			}
			seen[s] = true
		}
	case []any:
		for _, e := range v {
			if collide(e) {
				return true
			}
		}
	}
	return false
}

// isList reports whether js is a List (`kind: ...List` with items), which
// this package flattens into its items.
func isList(js []byte) bool {
	var top struct {
		Kind  string `json:"kind"`
		Items []any  `json:"items"`
	}
	return json.Unmarshal(js, &top) == nil && top.Items != nil && strings.HasSuffix(top.Kind, "List")
}
