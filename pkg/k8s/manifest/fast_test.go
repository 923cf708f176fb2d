package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/slimship/slimship/pkg/k8s/manifest/internal/fastyaml"
)

// sameAsYAML checks that DecodeBytes (fast path when it applies) returns
// exactly what yaml.v3 alone returns; it reports whether the fast path took
// the input.
func sameAsYAML(t *testing.T, b []byte) bool {
	t.Helper()
	got, gerr := DecodeBytes("f.yaml", b)
	want, werr := decodeYAML("f.yaml", b)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("error %v, yaml.v3 %v\ninput:\n%s", gerr, werr, b)
	}
	if len(got) != len(want) {
		t.Fatalf("%d objects, yaml.v3 %d\ninput:\n%s", len(got), len(want), b)
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("object %d:\n%+v\n%s\nyaml.v3:\n%+v\n%s\ninput:\n%s", i, got[i], got[i].JSON, want[i], want[i].JSON, b)
		}
	}
	return fastyaml.Parse(string(b), func(*yaml.Node) bool { return true })
}

// fastCases are inputs inside the fast subset (fast true) or just outside
// it; both decode as yaml.v3 does.
var fastCases = []struct {
	in   string
	fast bool
}{
	{"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    app: x\nspec:\n  containers:\n  - name: c\n    image: x:1\n    args: [\"a\", 'b', c d]\n    ports:\n    - containerPort: 80\n      protocol: TCP\n", true},
	{"# head\n---\napiVersion: v1 # trailing\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {}\n  spec:\n    ports: []\n-\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n---\n\n--- # empty\n", true},
	{"kind: X\napiVersion: v1\na: 0x10\nb: 007\nc: '1'\nd: ~\ne: \"q\"\nf: 1e3\ng: yes\nh: .inf\ni: -1\nj: 1_000\nk: 0o17\nl: -.5\nm: 'it''s'\nn: ''\no:\np: null\nq: True\nr: 12:30\ns: a,b[c]{d}\n", true},
	{"kind: X\na: 1\nb: 123456789012345678\nc: 1234567890123456789\nd: 99999999999999999999\ne: 0\nf: 09\ng: 0755\nh: 1e3\ni: 1_0\nj: 2001-12-14\nk: 12:30:00\n", true},
	{"kind: X\ndata:\n  script: |\n    #!/bin/sh\n    echo a\n\n      indented\n  other: |-\n    x\n    y\n\n  n: 1\n", true},
	{"kind: X\nlong: a plain scalar\n  that goes on\n\n  and on\nnext: 1\nseq:\n- one\n  two\n", true},
	{"kind: X\nspec:\n    deep:\n        x: 1\n    list:\n      -   a: 1\n          b: 2\n      - b\n", true},
	{"kind: X\n\"quoted key\": 1\n'single': 2\nkey with spaces : 3\n", true},
	{"  kind: X\n  indented: document\n", true},
	// outside the subset
	{"kind: X\na: &a {b: 1}\nc: *a\n", false},
	{"kind: X\na: !!str 1\n", false},
	{"kind: X\na: \"esc\\n\\t\\\\ \\\" \\x41\\u00e9\\U0001F600 \\' \\x00 \\0 \\N\\_\\L\\P \\e\"\n", true},
	{"kind: X\na: \"\\q\"\n", false},
	{"kind: X\na: \"\\/\"\n", false},
	{"kind: X\na: \"\\uD800\"\n", false},
	{"kind: X\na: \"\\x4\"\n", false},
	{"kind: X\na: \"open\n", false},
	{"kind: X\nl:\n- \"MAX=12\\nfor i; do\\n\\\n  \\  echo \\\"$i\\\"\\n  S=$(wget\\\n  \\ --x)\\ndone\"\n- 'single\n  folded\n\n\n  twice'  # c\n- \"a\n\n  b  \n   c \\\n\n  d\"\nk: v\n", true},
	{"kind: X\na: \"x\\\n\"\n", false},
	{"kind: X\na: \"x\\\n  \" b\n", false},
	{"kind: X\na: \"x\n y\"\n", true},
	{"kind: X\na: \"x\ny\"\n", false},
	{"kind: X\na: >\n  folded\n", false},
	{"kind: X\na: |+\n  keep\n\n", false},
	{"kind: X\na: |\n\n\n  after empty lines\n\n  x\nb: |-\n\n  y\n", true},
	{"kind: X\na: |2\n   x\n", false},
	{"kind: X\na: {b: 1,c: [d, {e: 'f'}, -1, \"g\"]}\nm: {}\n", true},
	{"kind: X\na: {b: 1,}\n", false},
	{"kind: X\na: {b}\n", false},
	{"kind: X\na: [b: 1]\n", false},
	{"kind: X\na: {b:1}\n", false},
	{"kind: X\na: [b] c\n", false},
	{"kind: X\na:\n\tb: 1\n", false},
	{"kind: X\na: é\n", false},
	{"kind: X\r\na: 1\r\n", false},
	{"%YAML 1.2\n---\nkind: X\n", false},
	{"kind: X\n...\n", false},
	{"- a\n- b\n", false},
	{"just a scalar\n", false},
	{"kind: X\na: 1\n b: 2\n", false},
	{"kind: X\na: b: c\n", false},
	{"kind: X\na: \"multi\n  line\"\n", true},
	{"kind: X\na: |\n  no newline", false},
	{"kind: X\n<<: {a: 1}\n", false},
	{"kind: X\n? complex\n: v\n", false},
	{"kind: X\na:\n  value on the next line\n", false},
	{"kind: X\na: - b\n", false},
	{"kind: X\na: b\n  - c\n", false},
	{"kind: X\na: -b\n  -c\n   -d: e\n", false},
	{"kind: X\na: -b\n  -c\n   -d\nf:\n  [\"g\", h]\ni:\n  {}\n", true},
	{"kind: X\nl:\n- - nested\n", false},
	{"kind: X\na: x # comment\n  continued\n", false},
	{"kind: X\na: [b,\n  c]\n", false},
	{"kind: X\na: 1\n  # comment\n    b\n", false},
	{"kind: [\n", false},
}

func TestFastParseMatchesYAML(t *testing.T) {
	for _, c := range fastCases {
		if got := sameAsYAML(t, []byte(c.in)); got != c.fast {
			t.Errorf("fast path %v, want %v for:\n%s", got, c.fast, c.in)
		}
	}
}

// TestFastParseTestdata runs both paths over every manifest in the
// repository's testdata; most take the fast path.
func TestFastParseTestdata(t *testing.T) {
	var files []string
	for _, g := range []string{"../lint/testdata/*/*.yaml", "../lint/testdata/*/*/*.yaml", "testdata/*.yaml"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("only %d testdata files", len(files))
	}
	fast := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if sameAsYAML(t, b) {
			fast++
		}
	}
	if fast*10 < len(files)*9 {
		t.Errorf("fast path took %d of %d files", fast, len(files))
	}
}

// FuzzFastParse checks that the fast path never changes a result: whatever
// it accepts decodes exactly as with yaml.v3.
func FuzzFastParse(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte(strings.Repeat("a:\n- b: 1\n  c:\n  - d\n", 3)))
	if stack, err := os.ReadFile("testdata/stack.yaml"); err == nil {
		f.Add(stack)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 8192 {
			return
		}
		sameAsYAML(t, b)
	})
}

func TestFastParseStack(t *testing.T) {
	b, err := os.ReadFile("testdata/stack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !sameAsYAML(t, b) {
		t.Fatal("testdata/stack.yaml did not take the fast path")
	}
	objs, _ := DecodeBytes("stack.yaml", b)
	if len(objs) != 9 {
		t.Fatalf("%d objects, want 9", len(objs))
	}
}

// BenchmarkDecode decodes a realistic stack with the fast path and with
// yaml.v3 alone.
func BenchmarkDecode(b *testing.B) {
	in, err := os.ReadFile("testdata/stack.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fn   func(string, []byte) ([]*Object, error)
	}{{"fast", DecodeBytes}, {"yaml.v3", decodeYAML}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.fn("stack.yaml", in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestDecodeFile(t *testing.T) {
	b, err := os.ReadFile("testdata/stack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DecodeBytes("testdata/stack.yaml", b)
	got, err := DecodeFile("testdata/stack.yaml")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeFile: %v, objects differ: %v", err, !reflect.DeepEqual(got, want))
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxSize+1); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeFile(big); err == nil || !strings.Contains(err.Error(), "big.yaml: larger than 67108864 bytes") {
		t.Errorf("err %v", err)
	}
	if _, err := DecodeFile(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err %v", err)
	}
}
