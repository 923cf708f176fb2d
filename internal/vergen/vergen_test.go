package vergen

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

var gens = []struct {
	name string
	gen  Gen
	// syntax every version matches (before the peer judges validity).
	syntax *regexp.Regexp
	// features are what some versions must show: the tricky parts the
	// property test exists to probe.
	features []string
}{
	{"Debian", Debian, regexp.MustCompile(`^([0-9]+:)?[0-9][0-9A-Za-z.+~_:-]*$`),
		[]string{`^[0-9]+:`, `^[0-9]+:.*:`, `~`, `~~`, `~$`, `\+`, `-[0-9]+\+deb12u`, `[0-9]-.*-`, `dfsg`, `[a-z][0-9]`, `^0[0-9]`, `[0-9]{20}`}},
	{"PyPI", PyPI, regexp.MustCompile(`^ ?[vV]?([0-9]+!)?[0-9]+(\.[0-9]+)*[0-9A-Za-z.+_* -]*$`),
		[]string{`!`, `(?i)rc[0-9]`, `a[0-9]`, `b[0-9]`, `\.dev`, `\.post`, `[0-9]-[0-9]+$`, `\+[a-z0-9]`, `alpha|beta|preview`, `^v`, `^ `, `\.0[0-9]`}},
	{"RPM", RPM, regexp.MustCompile(`^([0-9]+:)?[0-9][0-9A-Za-z._+~^]*(-[0-9][0-9A-Za-z._+~^]*)?$`),
		[]string{`^[0-9]+:`, `~`, `\^`, `\.el[0-9]`, `el9_`, `[0-9][a-z]`, `\.0[0-9]`, `-`, `^[^-]*$`}},
	{"Semver", Semver, regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*(-[0-9A-Za-z.-]*)?(\+[0-9A-Za-z.-]+)?$`),
		[]string{`^v`, `-alpha`, `-rc\.[0-9]`, `\+`, `-[0-9A-Za-z.]*-`, `\.0[0-9]`, `9007199254740992`, `^[0-9]+\.[0-9]+$`}},
	{"Maven", Maven, regexp.MustCompile(`^[0-9]+(\.[0-9]+)*([.-]?[A-Za-z]*([.-]?[0-9]+)?)?([.-](?i:snapshot))?$`),
		[]string{`-(?i:snapshot)$`, `-alpha-[0-9]`, `-beta[0-9]`, `\.M[0-9]`, `(?i)-rc[0-9]`, `\.(?i:cr)`, `\.Final$`, `\.RELEASE`, `-SP[0-9]`, `-jre`, `\.v20`, `-[0-9]+$`, `\.0[0-9]`, `^[0-9]+(\.[0-9]+){3}$`}},
	{"MavenAny", MavenAny, regexp.MustCompile(`^[0-9][0-9A-Za-z.-]*$`),
		[]string{`(?i)snapshot`, `-alpha`, `[0-9][A-Za-z]`, `[A-Za-z][0-9]`, `(?i)\.?sp`, `(?i)final|ga|release`, `milestone`, `(?i)cr`, `\.\.|--|[.-]$`, `^[0-9]+$`}},
}

func TestPairsDeterministic(t *testing.T) {
	for _, g := range gens {
		if a, b := Pairs(g.gen, 7, 300), Pairs(g.gen, 7, 300); !slices.Equal(a, b) {
			t.Errorf("%s: two runs with seed 7 differ", g.name)
		}
		if a, b := Pairs(g.gen, 7, 300), Pairs(g.gen, 8, 300); slices.Equal(a, b) {
			t.Errorf("%s: seeds 7 and 8 give the same pairs", g.name)
		}
		if Version(g.gen, 3) != Version(g.gen, 3) {
			t.Errorf("%s: Version is not deterministic", g.name)
		}
	}
}

func TestPairsShape(t *testing.T) {
	const n = 3000
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			ps := Pairs(g.gen, 1, n)
			if len(ps) != n {
				t.Fatalf("%d pairs, want %d", len(ps), n)
			}
			seen := map[Pair]bool{}
			equal, near := 0, 0
			var all []string
			for _, p := range ps {
				if seen[p] {
					t.Fatalf("duplicate pair %q", p)
				}
				seen[p] = true
				for _, v := range []string{p.A, p.B} {
					if strings.ContainsAny(v, "\t\n") || !g.syntax.MatchString(v) {
						t.Fatalf("version %q outside the syntax %s", v, g.syntax)
					}
					all = append(all, v)
				}
				if p.A == p.B {
					equal++
				}
				if p.A != p.B && commonPrefix(p.A, p.B) >= 2 {
					near++
				}
			}
			// A few equal pairs; most differ in one place after a shared
			// start, which is what probes the ordering rules.
			if equal == 0 || equal > n/10 {
				t.Errorf("%d equal pairs of %d", equal, n)
			}
			if near < n/3 {
				t.Errorf("only %d of %d pairs share a prefix", near, n)
			}
			for _, f := range g.features {
				re := regexp.MustCompile(f)
				if !slices.ContainsFunc(all, re.MatchString) {
					t.Errorf("no version shows %s", f)
				}
			}
		})
	}
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func TestChooserReplay(t *testing.T) {
	c := &Chooser{script: []uint32{5, 7, 9}}
	if got := []int{c.Intn(4), c.Intn(4), c.Intn(100)}; !slices.Equal(got, []int{1, 3, 9}) {
		t.Fatalf("replayed %v", got)
	}
	if !slices.Equal(c.rec, []uint32{5, 7, 9}) {
		t.Fatalf("recorded %v", c.rec)
	}
}

func BenchmarkPairs(b *testing.B) {
	for b.Loop() {
		Pairs(Maven, 1, 3000)
	}
}
