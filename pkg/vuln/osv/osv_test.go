package osv

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	r, err := Parse([]byte(`{"id":"GHSA-x","modified":"2023-01-01T00:00:00Z","unknown":{"a":1},
	"database_specific":{"severity":"MODERATE"},
	"affected":[{"package":{"ecosystem":"Debian:12","name":"zlib"},"ecosystem_specific":{"urgency":"low"},
	"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"1.2"},{"limit":"*"}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Rating != "MODERATE" || r.Affected[0].Rating != "low" || r.Affected[0].Ranges[0].Events[1].LastAffected != "1.2" {
		t.Fatalf("%+v", r)
	}
	for _, bad := range []string{`[]`, `{"id":""}`, `{"id":"X","affected":[{"package":{"name":"a"}}]}`,
		`{"id":"X","affected":[{"package":{"ecosystem":"Go","name":"a"},"ranges":[{"type":"SEMVER","events":[{}]}]}]}`} {
		if _, err := Parse([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	for _, c := range [][3]string{{"PyPI", "Foo__Bar.baz", "foo-bar-baz"}, {"npm", "Foo_Bar", "Foo_Bar"}, {"PyPI", "urllib3", "urllib3"}} {
		if got := NormalizeName(c[0], c[1]); got != c[2] {
			t.Errorf("NormalizeName(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"GO-1","affected":[{"package":{"ecosystem":"Go","name":"stdlib"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2"}]}]}]}`))
	f.Add([]byte(`{"id":"X","database_specific":{"severity":3}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err == nil && r.ID == "" {
			t.Fatal("record without id accepted")
		}
	})
}
