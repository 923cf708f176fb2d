package yamlstrict

import (
	"reflect"
	"strings"
	"testing"
)

type sub struct {
	Keys []string `json:"accept-keys,omitempty"`
}

type conf struct {
	Ignored []string          `json:"ignored,omitempty"`
	Level   string            `json:"level,omitempty"`
	Strict  bool              `json:"strict,omitempty"`
	Port    int32             `json:"port,omitempty"`
	Ratio   *float64          `json:"ratio,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	Sub     sub               `json:"sub,omitempty"`
	Hidden  string            `json:"-"`
}

func TestDecode(t *testing.T) {
	var c conf
	src := "ignored: [DL3008, SS001]\nlevel: 1\nstrict: true\nport: 8080\nratio: 0.5\nlabels: {a: b}\nsub:\n  accept-keys: [K]\n"
	if err := Decode("x.yaml", []byte(src), &c); err != nil {
		t.Fatal(err)
	}
	r := 0.5
	want := conf{Ignored: []string{"DL3008", "SS001"}, Level: "1", Strict: true, Port: 8080, Ratio: &r, Labels: map[string]string{"a": "b"}, Sub: sub{Keys: []string{"K"}}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	if err := Decode("x.yaml", []byte("# only a comment\n"), &c); err != nil {
		t.Errorf("empty: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"ignored: [a]\nignord: [b]\n", `x.yaml:2: unknown key "ignord" (did you mean ignored?)`},
		{"sub:\n  accept-key: [K]\n", `x.yaml:2: unknown key "sub.accept-key" (did you mean accept-keys?)`},
		{"ignored: DL3008\n", `x.yaml:1: ignored: want a list, not the text "DL3008"`},
		{"strict: yes please\n", `x.yaml:1: strict: want true or false, not the text "yes please"`},
		{"port: 99999999999\n", `x.yaml:1: port: want a whole number in range, not the number 99999999999`},
		{"level: [a]\n", `x.yaml:1: level: want text, not a list`},
		{"level: true\n", `x.yaml:1: level: want text, not true/false true (quote it: "true")`},
		{"ratio: lots\n", `x.yaml:1: ratio: want a number, not the text "lots"`},
		{"labels: [a]\n", `x.yaml:1: labels: want a mapping of keys to values, not a list`},
		{"level: a\nlevel: b\n", `x.yaml:2: level: key given twice`},
		{"- a\n", `x.yaml:1: want a mapping of keys to values, not a list`},
		{"level: a\n---\nlevel: b\n", `x.yaml:2: a second YAML document (---): want one`},
		{"level: [a\n", `x.yaml:1: did not find expected ',' or ']'`},
		{"\x7fELF\x00\x01: 1\n", `x.yaml`},
		{"ignored:\n  - a\n  - [b]\n", `x.yaml:3: ignored[1]: want text, not a list`},
	} {
		var c conf
		err := Decode("x.yaml", []byte(tc.src), &c)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %s", tc.src, err, tc.want)
			continue
		}
		for _, bad := range []string{"JSON", "json", "Go struct", "\x00", "\x7f"} {
			if strings.Contains(err.Error(), bad) {
				t.Errorf("%q: error %q says %q", tc.src, err, bad)
			}
		}
	}
}

func TestAliasBomb(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		src += n + ": &" + n + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = n
	}
	src = "labels:\n" + strings.ReplaceAll(strings.TrimSuffix("  "+strings.ReplaceAll(src, "\n", "\n  "), "  "), "", "")
	var c struct {
		Labels map[string]any `json:"labels"`
	}
	if err := Decode("x.yaml", []byte(src), &c); err == nil {
		t.Fatal("want an error")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("ignored: [a]\nsub: {accept-keys: [b]}\nratio: 1\n")
	f.Add("labels: &a {x: y}\nsub: *a\n")
	f.Fuzz(func(t *testing.T, src string) {
		var c conf
		_ = Decode("f.yaml", []byte(src), &c)
	})
}
