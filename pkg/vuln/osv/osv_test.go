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
	// the shapes of the databases slimship imports
	f.Add([]byte(`{"schema_version":"1.6.0","id":"GHSA-29mw-wpgm-hmr9","modified":"2023-09-05T22:58:25Z","published":"2022-01-06T20:30:46Z","aliases":["CVE-2020-28500"],"summary":"ReDoS in lodash","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],"affected":[{"package":{"ecosystem":"npm","name":"lodash","purl":"pkg:npm/lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"4.0.0"},{"fixed":"4.17.21"}]}],"database_specific":{"source":"https://github.com/github/advisory-database/blob/main/advisories/x.json"}}],"database_specific":{"cwe_ids":["CWE-400"],"severity":"MODERATE","github_reviewed":true}}`))
	f.Add([]byte(`{"id":"DLA-3008-1","modified":"2022-05-14T00:00:00Z","upstream":["CVE-2022-1292"],"affected":[{"package":{"name":"openssl","ecosystem":"Debian:9"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.1.0l-1~deb9u6"}]}],"ecosystem_specific":{"urgency":"not yet assigned"}}]}`))
	f.Add([]byte(`{"id":"ALPINE-CVE-2022-37434","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Alpine:v3.16","name":"zlib"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2.12-r2"}]}]}]}`))
	f.Add([]byte(`{"id":"PYSEC-1","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0","1.1"],"ranges":[{"type":"GIT","repo":"https://x","events":[{"introduced":"abc"},{"limit":"def"}]}]}]}`))
	f.Add([]byte(`{"id":"X","affected":[{"package":{"ecosystem":"Go","name":"a"},"ranges":[{"type":"SEMVER","events":[{"last_affected":"1.0.0"}]}],"severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}]}`))
	f.Add([]byte(`{"id":5}`))
	f.Add([]byte(`{"id":"X","modified":"yesterday"}`))
	f.Add([]byte(`{"id":"X","affected":[{"package":{"ecosystem":"Go","name":"a"},"ranges":[{"type":"SEMVER","events":"0"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err == nil && r.ID == "" {
			t.Fatal("record without id accepted")
		}
	})
}

func TestPlatforms(t *testing.T) {
	rec := func(imports string) []Platform {
		r, err := Parse([]byte(`{"id":"GO-1","affected":[{"package":{"ecosystem":"Go","name":"m"},"ecosystem_specific":{"imports":` + imports + `}}]}`))
		if err != nil {
			t.Fatal(err)
		}
		return r.Affected[0].Platforms
	}
	win := rec(`[{"path":"m/a","goos":["windows"]},{"path":"m/b","goos":["windows","plan9"],"goarch":["amd64"]}]`)
	if len(win) != 2 {
		t.Fatalf("platforms %+v", win)
	}
	if all := rec(`[{"path":"m/a","goos":["windows"]},{"path":"m/b"}]`); all != nil {
		t.Errorf("a package on every platform makes the entry apply to all: %+v", all)
	}
	for _, c := range []struct {
		goos, goarch string
		want         bool
	}{{"windows", "arm64", true}, {"plan9", "amd64", true}, {"plan9", "arm64", false}, {"linux", "amd64", false}, {"", "", true}, {"linux", "", false}} {
		if got := Admits(win, c.goos, c.goarch); got != c.want {
			t.Errorf("Admits(%s/%s) = %v, want %v", c.goos, c.goarch, got, c.want)
		}
	}
	if !Admits(nil, "linux", "amd64") {
		t.Error("no platforms admit everything")
	}
}
