//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/vergen"
	"github.com/slimship/slimship/pkg/vuln/match"
)

// A knownDiff is a class of pairs on which osv-scalibr's semantic package
// (and so slimship) orders versions otherwise than the ecosystem's own
// tool, with the reason it is left so. The test fails on a disagreement no
// class explains, and on a class whose example no longer disagrees (the
// difference is gone: drop the class).
type knownDiff struct {
	name, reason string
	example      vergen.Pair
	// has reports whether the pair shows the construct the two orders
	// treat differently.
	has func(p vergen.Pair) bool
}

// A verPeer is an ecosystem's own version order: a command that reads a
// file of "A<TAB>B" lines and prints, per line, -1, 0, 1 or "invalid"
// (the peer refuses A or B: that pair is not compared).
type verPeer struct {
	name  string // of the subtest: the ecosystem, or the ecosystem and generator
	eco   string // OSV ecosystem, as match.Compare takes it
	gen   vergen.Gen
	cmd   func(t *testing.T, pairs string) *exec.Cmd
	known []knownDiff
	check func(t *testing.T, pairs []vergen.Pair, peer []string) // extra checks, or nil
}

// TestVersionOrder compares slimship's version order (pkg/vuln/match on
// osv-scalibr's semantic package) with each ecosystem's own tool on
// thousands of generated pairs per ecosystem (internal/vergen), each tool
// run once over all of them. SLIMSHIP_E2E_VERORDER_SEED and
// SLIMSHIP_E2E_VERORDER_PAIRS change the seed (default 12) and the number
// of pairs per ecosystem (default 3000) to explore;
// SLIMSHIP_E2E_VERORDER_DUMP names a directory to write every disagreement
// to, one ECOSYSTEM.tsv each (A, B, slimship's order, the peer's).
func TestVersionOrder(t *testing.T) {
	seed, n := uint64(12), 3000
	if s := os.Getenv("SLIMSHIP_E2E_VERORDER_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SLIMSHIP_E2E_VERORDER_SEED: %v", err)
		}
		seed = v
	}
	if s := os.Getenv("SLIMSHIP_E2E_VERORDER_PAIRS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("SLIMSHIP_E2E_VERORDER_PAIRS: %q", s)
		}
		n = v
	}
	for _, p := range verPeers() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			compareOrder(t, p, seed, n)
		})
	}
}

func compareOrder(t *testing.T, p verPeer, seed uint64, n int) {
	pairs := vergen.Pairs(p.gen, seed, n)
	for _, k := range p.known {
		if !slices.Contains(pairs, k.example) {
			pairs = append(pairs, k.example)
		}
	}
	file := filepath.Join(t.TempDir(), "pairs")
	var in strings.Builder
	for _, q := range pairs {
		fmt.Fprintf(&in, "%s\t%s\n", q.A, q.B)
	}
	if err := os.WriteFile(file, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := p.cmd(t, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
	}
	peer := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(peer) != len(pairs) {
		t.Fatalf("%s printed %d results for %d pairs\n%s", cmd, len(peer), len(pairs), stderr.String())
	}
	if p.check != nil {
		p.check(t, pairs, peer)
	}

	var dump strings.Builder
	var agree, invalid int
	outcomes := map[string]int{}
	withFeature := make([]int, len(p.known))
	byClass := make([]int, len(p.known))
	var unexplained []string
	exampleDiffers := make([]bool, len(p.known))
	for i, q := range pairs {
		want := peer[i]
		switch want {
		case "invalid":
			invalid++
			continue
		case "-1", "0", "1":
		default:
			t.Fatalf("peer printed %q for %q", want, q)
		}
		outcomes[want]++
		for k := range p.known {
			if p.known[k].has(q) {
				withFeature[k]++
			}
		}
		got := "error"
		if c, err := match.Compare(p.eco, q.A, q.B); err == nil {
			got = strconv.Itoa(c)
		}
		if got == want {
			agree++
			continue
		}
		fmt.Fprintf(&dump, "%s\t%s\t%s\t%s\n", q.A, q.B, got, want)
		k := slices.IndexFunc(p.known, func(k knownDiff) bool { return k.has(q) })
		if k < 0 {
			unexplained = append(unexplained, fmt.Sprintf("%q vs %q: slimship %s, peer %s", q.A, q.B, got, want))
			continue
		}
		byClass[k]++
		if q == p.known[k].example {
			exampleDiffers[k] = true
		}
	}
	if dir := os.Getenv("SLIMSHIP_E2E_VERORDER_DUMP"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, p.name+".tsv"), []byte(dump.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	compared := len(pairs) - invalid
	var classes []string
	for i, k := range p.known {
		classes = append(classes, fmt.Sprintf("%s: %d of the %d pairs that have it", k.name, byClass[i], withFeature[i]))
		if !exampleDiffers[i] {
			t.Errorf("known difference %s: its example %q no longer differs (or is not in this class): drop it", k.name, k.example)
		}
	}
	t.Logf("%s: %d pairs (seed %d), %d refused by the peer, %d compared (peer: %d <, %d =, %d >): %d agree, %d known differences [%s], %d unexplained",
		p.name, len(pairs), seed, invalid, compared, outcomes["-1"], outcomes["0"], outcomes["1"],
		agree, compared-agree-len(unexplained), strings.Join(classes, "; "), len(unexplained))
	// The pairs probe the order only if most are compared and all three
	// answers are common.
	if compared < len(pairs)/2 {
		t.Errorf("the peer refused %d of %d pairs", invalid, len(pairs))
	}
	for _, o := range []string{"-1", "0", "1"} {
		if outcomes[o] < compared/100 {
			t.Errorf("the peer answered %s for only %d of %d pairs", o, outcomes[o], compared)
		}
	}
	if n := len(unexplained); n > 0 {
		if n > 40 {
			unexplained = append(unexplained[:40], "...")
		}
		t.Errorf("%d disagreements with the peer that no known difference explains:\n%s", n, strings.Join(unexplained, "\n"))
	}
}

// testdataVerorder is the directory of the peers' helper programs.
func testdataVerorder(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "verorder", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func verPeers() []verPeer {
	return []verPeer{
		{
			name: "Debian", eco: "Debian", gen: vergen.Debian,
			cmd: func(t *testing.T, pairs string) *exec.Cmd {
				return exec.Command(Need(t, "SLIMSHIP_E2E_DPKG_VERCMP", "dpkg's version comparison (libdpkg helper)"), pairs)
			},
			check: dpkgSpotCheck,
			known: debianKnown,
		},
		{
			name: "PyPI", eco: "PyPI", gen: vergen.PyPI,
			cmd: func(t *testing.T, pairs string) *exec.Cmd {
				py := Need(t, "SLIMSHIP_E2E_PY_PACKAGING", "python3 with packaging")
				return exec.Command(py, testdataVerorder(t, "pep440.py"), pairs)
			},
			known: pypiKnown,
		},
		{
			name: "Red Hat", eco: "Red Hat", gen: vergen.RPM,
			cmd: func(t *testing.T, pairs string) *exec.Cmd {
				py := Need(t, "SLIMSHIP_E2E_PY_RPM", "python3 with rpm")
				return exec.Command(py, testdataVerorder(t, "rpmvercmp.py"), pairs)
			},
			known: redHatKnown,
		},
		{
			name: "npm", eco: "npm", gen: vergen.Semver,
			cmd: func(t *testing.T, pairs string) *exec.Cmd {
				dir := Need(t, "SLIMSHIP_E2E_NPM_SEMVER", "npm's semver package")
				return exec.Command("node", testdataVerorder(t, "semver.js"), dir, pairs)
			},
			known: npmKnown,
		},
		mavenPeer("Maven", vergen.Maven, mavenKnown),
		mavenPeer("MavenAny", vergen.MavenAny, mavenAnyKnown),
	}
}

func mavenPeer(name string, gen vergen.Gen, known []knownDiff) verPeer {
	return verPeer{
		name: name, eco: "Maven", gen: gen,
		cmd: func(t *testing.T, pairs string) *exec.Cmd {
			jar := Need(t, "SLIMSHIP_E2E_MAVEN_JAR", "Maven's ComparableVersion (maven-artifact jar)")
			return exec.Command("java", "-cp", jar, testdataVerorder(t, "VerCmp.java"), pairs)
		},
		known: known,
	}
}

// dpkgSpotCheck runs the dpkg binary itself (`dpkg --compare-versions`,
// one process per question) on the first pairs, to show the libdpkg
// helper answers as dpkg does.
func dpkgSpotCheck(t *testing.T, pairs []vergen.Pair, helper []string) {
	dpkg := Need(t, "SLIMSHIP_E2E_DPKG", "the dpkg binary")
	for i, q := range pairs[:min(len(pairs), 100)] {
		got := "1"
		for _, op := range []string{"lt", "eq"} {
			cmd := exec.Command(dpkg, "--compare-versions", q.A, op, q.B)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			switch {
			case stderr.Len() > 0: // bad syntax: a warning or an error
				got = "invalid"
			case err == nil && op == "lt":
				got = "-1"
			case err == nil:
				got = "0"
			case errors.As(err, &exit) && exit.ExitCode() == 1:
				continue
			default:
				t.Fatalf("%s: %v", cmd, err)
			}
			break
		}
		if got != helper[i] {
			t.Errorf("dpkg --compare-versions %q %q: %s, the libdpkg helper said %s", q.A, q.B, got, helper[i])
		}
	}
}

// Debian (dpkg), PyPI (packaging) and Red Hat (rpm): no known difference.
var debianKnown, pypiKnown, redHatKnown []knownDiff

var npmKnown = []knownDiff{{
	name: "signed prerelease identifier",
	reason: "osv-scalibr reads a prerelease identifier as a number with big.Int's SetString, which takes a sign: " +
		"the identifier -1 (in 1.0.0--1) is the number -1, below 0; SemVer 2.0 and npm's semver read an identifier " +
		"with a hyphen as alphanumeric, above every number. The same code orders Go and crates.io versions. " +
		"No real package version has such an identifier.",
	example: vergen.Pair{A: "1.0.0--1", B: "1.0.0-0"},
	has: func(p vergen.Pair) bool {
		return signedPrerelease(p.A) || signedPrerelease(p.B)
	},
}}

// signedPrerelease reports whether semver version v has a prerelease
// identifier that is '-' and digits.
func signedPrerelease(v string) bool {
	v, _, _ = strings.Cut(v, "+")
	_, pre, ok := strings.Cut(v, "-")
	if !ok {
		return false
	}
	for _, id := range strings.Split(pre, ".") {
		if len(id) > 1 && id[0] == '-' && strings.Trim(id[1:], "0123456789") == "" {
			return true
		}
	}
	return false
}

// Maven: osv-scalibr (like osv.dev, whose order OSV's Maven ranges are
// written in) implements the Version Order Specification of
// maven.apache.org's POM reference; Maven's ComparableVersion departs from
// it in two ways (MRESOLVER-334 lists them as spec errors). Pairs without
// either construct agree.
var mavenKnown = []knownDiff{{
	name: "qualifier after a dot",
	reason: "the specification orders .qualifier below -qualifier and trims zeros before a hyphen (1.0-RC1 is " +
		"1-rc-1 while 1.0.RC1 stays 1.0.rc-1), so 1.RC1 < 1-RC1 and 1.0.RC1 > 1.0-RC1; ComparableVersion since " +
		"Maven 3.8.7 (MNG-7644, and in 3.9) reads .X as -X when a digit follows X or X ends the version, making " +
		"both pairs equal, and keeps .X a plain item, below a sub-list, when '.' or '-' follows (2.sp.1 < 2.sp)",
	example: vergen.Pair{A: "1.0.RC1", B: "1.0-RC1"},
	has: func(p vergen.Pair) bool {
		return mavenDotQualifier.MatchString(p.A) || mavenDotQualifier.MatchString(p.B)
	},
}, {
	name: "null item before a hyphen",
	reason: "the specification trims null items (0, ga, final, release) at each hyphen of a flat token list, so " +
		"1.0-final-SNAPSHOT = 1.0-SNAPSHOT; ComparableVersion nests what follows each '-' (or digit/letter " +
		"transition) in a sub-list and drops nulls only at the end of each, leaving 1.0-final-SNAPSHOT one level " +
		"deeper, above 1.0-SNAPSHOT",
	example: vergen.Pair{A: "1.0-final-SNAPSHOT", B: "1.0-SNAPSHOT"},
	has: func(p vergen.Pair) bool {
		return mavenNullHyphen.MatchString(strings.ToLower(p.A)) || mavenNullHyphen.MatchString(strings.ToLower(p.B))
	},
}}

var mavenAnyKnown = mavenKnown

var (
	// mavenDotQualifier: a letter right after a dot.
	mavenDotQualifier = regexp.MustCompile(`\.[A-Za-z]`)
	// mavenNullHyphen (on the lower-cased version): a whole item that is
	// null (ga, final, release, zeros, or empty) followed by '-' or by a
	// digit/letter transition.
	mavenNullHyphen = regexp.MustCompile(`(^|[^a-z])(ga|final|release)(-|[0-9])|(^|[^0-9])0+(-|[a-z])|(^|[.-])-`)
)
