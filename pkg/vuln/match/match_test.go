package match

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/osv-scalibr/semantic"

	"github.com/slimship/slimship/pkg/vuln/db"
	"github.com/slimship/slimship/pkg/vuln/osv"
)

func load(t testing.TB) *db.Index {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.json")
	var recs []*osv.Record
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := osv.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		recs = append(recs, r)
	}
	return db.NewIndex(recs)
}

func TestAffected(t *testing.T) {
	ix := load(t)
	cases := []struct {
		name  string
		pkg   Package
		want  string // record ID or ""
		fixed string
	}{
		{"go stdlib below first fix", Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.19.5"}, "GO-2023-1571", "1.19.6"},
		{"go stdlib at fix", Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.19.6"}, "", ""},
		{"go stdlib second range", Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.20.0"}, "GO-2023-1571", "1.20.1"},
		{"go stdlib after second fix", Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.20.1"}, "", ""},
		{"go module v-prefixed", Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.6.0"}, "GO-2023-1571", "0.7.0"},
		{"go module fixed", Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.7.0"}, "", ""},
		{"debian source package and release", Package{Ecosystem: "Debian:9", Name: "libssl1.1", Version: "1.1.0l-1~deb9u1", SourceName: "openssl", SourceVersion: "1.1.0l-1~deb9u1"}, "DLA-3008-1", "1.1.0l-1~deb9u6"},
		{"debian tilde sorts below", Package{Ecosystem: "Debian:9", Name: "openssl", Version: "1.1.0l-1~deb9u6"}, "", ""},
		{"debian other release", Package{Ecosystem: "Debian:10", Name: "libssl1.1", Version: "1.1.0l-1~deb9u1", SourceName: "openssl"}, "", ""},
		{"debian binary name alone does not match", Package{Ecosystem: "Debian:9", Name: "libssl1.1", Version: "1.1.0l-1~deb9u1"}, "", ""},
		{"debian 12 urgency record", Package{Ecosystem: "Debian:12", Name: "libc6", Version: "2.36-9+deb12u3", SourceName: "glibc"}, "DEBIAN-CVE-2024-0001", "2.36-9+deb12u4"},
		{"alpine origin and branch", Package{Ecosystem: "Alpine:v3.20", Name: "musl-utils", Version: "1.2.5-r0", SourceName: "musl"}, "ALPINE-CVE-2025-26519", "1.2.5-r1"},
		{"alpine fixed on branch", Package{Ecosystem: "Alpine:v3.20", Name: "musl", Version: "1.2.5-r1"}, "", ""},
		{"alpine git suffix order", Package{Ecosystem: "Alpine:v3.19", Name: "musl", Version: "1.2.4_git20230717-r4"}, "ALPINE-CVE-2025-26519", "1.2.4_git20230717-r5"},
		{"alpine branch without entry", Package{Ecosystem: "Alpine:v3.18", Name: "musl", Version: "1.2.4-r0"}, "", ""},
		{"alpine below introduced", Package{Ecosystem: "Alpine:v3.20", Name: "musl", Version: "0.9.12-r0"}, "", ""},
		{"npm fixed event", Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.20"}, "GHSA-29mw-wpgm-hmr9", "4.17.21"},
		{"npm fixed", Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.21"}, "", ""},
		{"npm last_affected inclusive", Package{Ecosystem: "npm", Name: "lodash.trimend", Version: "4.5.1"}, "GHSA-29mw-wpgm-hmr9", ""},
		{"npm above last_affected", Package{Ecosystem: "npm", Name: "lodash.trimend", Version: "4.5.2"}, "", ""},
		{"pypi normalised name", Package{Ecosystem: "PyPI", Name: "URLLib3", Version: "1.25.3"}, "PYSEC-2020-148", "1.25.9"},
		{"pypi pep440 order", Package{Ecosystem: "PyPI", Name: "urllib3", Version: "1.25.10"}, "", ""},
		{"pypi versions list, unparsed range", Package{Ecosystem: "PyPI", Name: "urllib3", Version: "1.25.8"}, "PYSEC-2020-148", "1.25.9"},
		{"maven qualifier order", Package{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "2.17.1"}, "GHSA-3pxv-7cmr-fjr4", "2.25.4"},
		{"maven below alpha introduced", Package{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "1.2"}, "", ""},
		{"maven last_affected beta", Package{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "3.0.0-beta2"}, "GHSA-3pxv-7cmr-fjr4", ""},
		{"maven above last_affected", Package{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "3.0.0"}, "", ""},
		{"crates first range", Package{Ecosystem: "crates.io", Name: "smallvec", Version: "0.6.13"}, "RUSTSEC-0000-0001", "0.6.14"},
		{"crates inside limit", Package{Ecosystem: "crates.io", Name: "smallvec", Version: "1.6.0"}, "RUSTSEC-0000-0001", ""},
		{"crates at limit", Package{Ecosystem: "crates.io", Name: "smallvec", Version: "1.6.1"}, "", ""},
		{"unparsable version is no match", Package{Ecosystem: "Alpine:v3.20", Name: "musl", Version: "not a version!"}, "", ""},
		{"unknown package", Package{Ecosystem: "npm", Name: "left-pad", Version: "1.0.0"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := All(ix, []Package{c.pkg})
			got, fixed := "", ""
			if len(res) > 1 {
				t.Fatalf("%d results: %+v", len(res), res)
			}
			if len(res) == 1 {
				got, fixed = res[0].Record.ID, res[0].Fixed
			}
			if got != c.want || fixed != c.fixed {
				t.Fatalf("got %q fixed %q, want %q fixed %q", got, fixed, c.want, c.fixed)
			}
		})
	}
}

// TestCompare pins the order the matcher uses on a few pairs per
// ecosystem; e2e/version_order_test.go compares it with each ecosystem's
// own tool on thousands.
func TestCompare(t *testing.T) {
	cases := []struct {
		eco, a, b string
		want      int
	}{
		{"Debian:12", "1.0~rc1-1", "1.0-1", -1},
		{"Debian", "1:0.9", "2.0", 1},
		{"Debian", "1.0", "1.0-0", 0},
		{"Debian", "2.36-9+deb12u3", "2.36-9+deb12u10", -1},
		{"PyPI", "1.0rc1", "1.0", -1},
		{"PyPI", "1.0.post1", "1.0", 1},
		{"PyPI", "1.0.dev1", "1.0a1", -1},
		{"PyPI", "1.0+local.1", "1.0", 1},
		{"Red Hat", "1.0^git1", "1.0", 1},
		{"Red Hat", "1:1.0-1.el9", "2.0-1.el9", 1},
		{"Red Hat", "1.01", "1.1", 0},
		{"npm", "1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"npm", "1.0.0+build", "1.0.0", 0},
		{"Maven", "1.0-SNAPSHOT", "1.0", -1},
		{"Maven", "1.0-alpha-1", "1.0-beta-1", -1},
		{"Maven", "1.0.Final", "1.0", 0},
		{"Go", "1.20.0", "1.19.6", 1},
		// Known differences from the ecosystems' own tools (see
		// e2e/version_order_test.go): semver says 1, Maven says 0.
		{"npm", "1.0.0--1", "1.0.0-0", -1},
		{"Maven", "1.0.RC1", "1.0-RC1", 1},
	}
	for _, c := range cases {
		got, err := Compare(c.eco, c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("Compare(%q, %q, %q) = %d, %v; want %d", c.eco, c.a, c.b, got, err, c.want)
		}
	}
	for _, c := range [][3]string{{"Debian", "a:1.0", "1.0"}, {"Debian", "1.0", "x:1"}, {"Nonesuch", "1", "2"}} {
		if _, err := Compare(c[0], c[1], c[2]); err == nil {
			t.Errorf("Compare(%q, %q, %q): no error", c[0], c[1], c[2])
		}
	}
}

func TestWithdrawnSkipped(t *testing.T) {
	ix := load(t)
	for _, r := range All(ix, []Package{{Ecosystem: "npm", Name: "lodash", Version: "4.17.22"}}) {
		t.Fatalf("withdrawn record matched: %s", r.Record.ID)
	}
}

// synthetic builds n records over names package names of ecosystem eco.
func synthetic(eco string, n, names int) []*osv.Record {
	recs := make([]*osv.Record, n)
	for i := range n {
		recs[i] = &osv.Record{ID: fmt.Sprintf("SYN-%d", i), Affected: []osv.Affected{{
			Package: osv.Package{Ecosystem: eco, Name: fmt.Sprintf("pkg-%d", i%names)},
			Ranges: []osv.Range{{Type: "ECOSYSTEM", Events: []osv.Event{
				{Introduced: fmt.Sprintf("%d.0.0", i%5)}, {Fixed: fmt.Sprintf("%d.%d.1", i%5, i%7)},
				{Introduced: "7.0.0"}, {LastAffected: "7.2.0"}}}},
		}}}
	}
	return recs
}

// BenchmarkMatch10kPackages100kRecords: 10,000 npm packages against
// 100,000 synthetic records spread over 20,000 package names, plus the
// testdata records.
func BenchmarkMatch10kPackages100kRecords(b *testing.B) {
	recs := synthetic("npm", 100_000, 20_000)
	ix := db.NewIndex(recs)
	pkgs := make([]Package, 10_000)
	for i := range pkgs {
		pkgs[i] = Package{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%d", i*2), Version: fmt.Sprintf("%d.1.0", i%9)}
	}
	b.ResetTimer()
	var n int
	for b.Loop() {
		n = len(All(ix, pkgs))
	}
	b.ReportMetric(float64(n), "hits")
}

// FuzzAffected: no version string, in any ecosystem, panics the matcher.
func FuzzAffected(f *testing.F) {
	ix := load(f)
	ecos := []string{"Go", "Debian:9", "Alpine:v3.20", "npm", "PyPI", "Maven", "crates.io"}
	names := []string{"stdlib", "openssl", "musl", "lodash", "urllib3", "org.apache.logging.log4j:log4j-core", "smallvec"}
	f.Add(uint8(0), "go1.20.0")
	f.Add(uint8(5), "2.0-alpha1")
	f.Add(uint8(1), "1:1.0~rc1-1")
	f.Fuzz(func(t *testing.T, i uint8, v string) {
		k := int(i) % len(ecos)
		All(ix, []Package{{Ecosystem: ecos[k], Name: names[k], Version: v}})
	})
}

// FuzzVersionCache: matching with the per-goroutine cache of parsed event
// versions (warmed by earlier calls) answers as parsing every time does.
func FuzzVersionCache(f *testing.F) {
	f.Add(uint8(0), "1.2.3", "0", "1.3.0", "1.2.0", "2.0.0")
	f.Add(uint8(1), "1:1.0-1", "1.0-1", "1:1.0-2", "", "1:2.0")
	f.Add(uint8(2), "1.0.post1", "1.0", "1.0.post2", "1.0.post1", "")
	ecos := []string{"npm", "Debian:12", "PyPI", "Go", "Alpine:v3.20", "Maven", "crates.io"}
	caches := map[string]versions{}
	f.Fuzz(func(t *testing.T, e uint8, v, intro, fixed, last, limit string) {
		eco := ecos[int(e)%len(ecos)]
		pv, err := semantic.Parse(v, eco)
		if err != nil {
			return
		}
		events := []osv.Event{{Introduced: intro}, {Fixed: fixed}, {LastAffected: last}, {Limit: limit}}
		if caches[eco] == nil {
			caches[eco] = versions{}
		}
		hit1, fix1 := inRange(eco, pv, events, nil)
		hit2, fix2 := inRange(eco, pv, events, caches[eco])
		hit3, fix3 := inRange(eco, pv, events, caches[eco]) // now from the cache
		if hit1 != hit2 || fix1 != fix2 || hit1 != hit3 || fix1 != fix3 {
			t.Fatalf("%s %q in %v: plain %v %q, caching %v %q, cached %v %q", eco, v, events, hit1, fix1, hit2, fix2, hit3, fix3)
		}
	})
}
