package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// Every rule has its cases under testdata/rules/<ID>/ (see
// TestEveryRuleHasCases):
//
//	bad[-name].Dockerfile    must give findings of the rule, exactly those
//	                         recorded in bad[-name].golden (lines, messages,
//	                         fixes; -update rewrites it)
//	fixed[-name].Dockerfile  bad[-name].Dockerfile with the rule's in-file
//	                         fixes applied; required when there are any
//	good[-name].Dockerfile   must give no finding of the rule
//	config.yaml              optional settings for every case (label schema,
//	                         trusted registries)
//
// A file case's build context is the rule's directory (a per-Dockerfile
// ignore file, bad.Dockerfile.dockerignore, or a lockfile lives next to
// it). A case that needs a context of its own is a directory, bad[-name]/
// or good[-name]/, holding a Dockerfile and its context. Rules that are off
// by default are turned on; rules that require a program (ShellCheck) skip
// when it is absent, and skip the golden comparison until one is recorded.
const rulesDir = "testdata/rules"

// ruleCase is one Dockerfile of a rule's testdata.
type ruleCase struct {
	name string // bad, bad-npm, good-slim, ...
	path string // the Dockerfile
	dir  string // its build context
}

func (c ruleCase) bad() bool { return strings.HasPrefix(c.name, "bad") }

// fixedPath is where the bad case's fixed Dockerfile lives.
func (c ruleCase) fixedPath(ruleDir string) string {
	return filepath.Join(ruleDir, "fixed"+strings.TrimPrefix(c.name, "bad")+".Dockerfile")
}

// ruleCases lists the bad and good cases in a rule's directory.
func ruleCases(t *testing.T, ruleDir string) []ruleCase {
	t.Helper()
	entries, err := os.ReadDir(ruleDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []ruleCase
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "bad") && !strings.HasPrefix(name, "good") {
			continue
		}
		switch {
		case e.IsDir():
			out = append(out, ruleCase{name: name, path: filepath.Join(ruleDir, name, "Dockerfile"), dir: filepath.Join(ruleDir, name)})
		case strings.HasSuffix(name, ".Dockerfile"):
			out = append(out, ruleCase{name: strings.TrimSuffix(name, ".Dockerfile"), path: filepath.Join(ruleDir, name), dir: ruleDir})
		}
	}
	return out
}

// caseConfig reads the rule directory's config.yaml and turns the rule on
// when it is off by default.
func caseConfig(t *testing.T, ruleDir string, r Rule) *config.Config {
	t.Helper()
	cfg := &config.Config{}
	if p := filepath.Join(ruleDir, "config.yaml"); fileExists(p) {
		var err error
		if cfg, err = config.Load(p); err != nil {
			t.Fatal(err)
		}
	}
	if r.DefaultOff {
		o := &cfg.Override
		switch r.Severity {
		case finding.Error:
			o.Error = append(o.Error, r.ID)
		case finding.Warning:
			o.Warning = append(o.Warning, r.ID)
		case finding.Info:
			o.Info = append(o.Info, r.ID)
		default:
			o.Style = append(o.Style, r.ID)
		}
	}
	return cfg
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// lintCase lints src as the case's Dockerfile with the one rule.
func lintCase(t *testing.T, r Rule, c ruleCase, cfg *config.Config, src []byte) []finding.Finding {
	t.Helper()
	f, err := dockerfile.ParseBytes(c.path, src)
	if err != nil {
		t.Fatalf("%s: %v", c.path, err)
	}
	return Lint(f, Options{Config: cfg, Dir: c.dir, Rules: []Rule{r}})
}

// ofRule reports whether a finding is the rule's (ShellCheck's findings
// carry ShellCheck's codes).
func ofRule(r Rule, fd finding.Finding) bool {
	return fd.RuleID == r.ID || r.ID == ShellCheckID && strings.HasPrefix(fd.RuleID, "SC")
}

// applyInFile applies the fixes' edits to the Dockerfile itself (edits
// creating or changing other files, such as a .dockerignore, are left
// out), skipping an edit that overlaps one already applied or repeats it.
func applyInFile(path string, src []byte, fixes []*finding.Fix) []byte {
	var es []finding.Edit
	for _, fx := range fixes {
		for _, e := range fx.Edits {
			if !e.Create && (e.File == "" || filepath.Clean(e.File) == filepath.Clean(path)) {
				es = append(es, e)
			}
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].Offset > es[j].Offset })
	out := append([]byte(nil), src...)
	end, prev := len(src), finding.Edit{Offset: -1}
	for _, e := range es {
		if e.Offset+e.Length > end || e.Offset == prev.Offset && e.Length == prev.Length && e.NewText == prev.NewText {
			continue
		}
		out = append(out[:e.Offset], append([]byte(e.NewText), out[e.Offset+e.Length:]...)...)
		end, prev = e.Offset, e
	}
	return out
}

// TestRuleCases runs every rule's testdata/rules/<ID>/ cases.
func TestRuleCases(t *testing.T) {
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			if r.Requires != "" {
				if _, err := exec.LookPath(r.Requires); err != nil {
					t.Skipf("%s needs %s", r.ID, r.Requires)
				}
			}
			ruleDir := filepath.Join(rulesDir, r.ID)
			cfg := caseConfig(t, ruleDir, r)
			for _, c := range ruleCases(t, ruleDir) {
				t.Run(c.name, func(t *testing.T) {
					src, err := os.ReadFile(c.path)
					if err != nil {
						t.Fatal(err)
					}
					fs := lintCase(t, r, c, cfg, src)
					if !c.bad() {
						if len(fs) != 0 {
							t.Fatalf("good case: unexpected findings %+v", fs)
						}
						return
					}
					if len(fs) == 0 {
						t.Fatalf("bad case: no %s finding", r.ID)
					}
					var fixes []*finding.Fix
					for _, fd := range fs {
						if !ofRule(r, fd) || fd.Line < 1 || fd.Message == "" {
							t.Errorf("finding of another rule or without a position: %+v", fd)
						}
						if fd.Fix != nil {
							fixes = append(fixes, fd.Fix)
						}
					}
					var buf bytes.Buffer
					enc := json.NewEncoder(&buf)
					enc.SetIndent("", "  ")
					if err := enc.Encode(fs); err != nil {
						t.Fatal(err)
					}
					goldenPath := filepath.Join(ruleDir, c.name+".golden")
					if r.Requires != "" && !*golden.Update && !fileExists(goldenPath) {
						// The program's own messages (ShellCheck's) were
						// not at hand when the case was written.
						t.Skipf("no %s: run with -update where %s is installed to record it", goldenPath, r.Requires)
					}
					golden.Assert(t, goldenPath, buf.Bytes())
					fixedPath := c.fixedPath(ruleDir)
					fixed := applyInFile(c.path, src, fixes)
					if bytes.Equal(fixed, src) {
						if fileExists(fixedPath) {
							t.Errorf("%s exists, but no fix changes %s", fixedPath, c.path)
						}
						return
					}
					golden.Assert(t, fixedPath, fixed)
					// The fixed file parses and no longer gives the
					// findings that were fixed.
					after := lintCase(t, r, c, cfg, fixed)
					for _, fd := range fs {
						if fd.Fix == nil {
							continue
						}
						for _, a := range after {
							if a.Message == fd.Message && a.Line == fd.Line {
								t.Errorf("the fix did not resolve line %d: %s\n%s", fd.Line, fd.Message, fixed)
							}
						}
					}
				})
			}
		})
	}
}

// TestEveryRuleHasCases is the meta-test over the registry: every rule has
// a directory with a bad and a good case, every directory names a rule,
// and every fixed or golden file belongs to a bad case.
func TestEveryRuleHasCases(t *testing.T) {
	rules := map[string]bool{}
	for _, r := range All() {
		rules[r.ID] = true
		ruleDir := filepath.Join(rulesDir, r.ID)
		if !fileExists(ruleDir) {
			t.Errorf("%s: no %s", r.ID, ruleDir)
			continue
		}
		var bad, good int
		cases := map[string]bool{}
		for _, c := range ruleCases(t, ruleDir) {
			cases[c.name] = true
			if !fileExists(c.path) {
				t.Errorf("%s: case directory without a Dockerfile", c.path)
			}
			if c.bad() {
				bad++
			} else {
				good++
			}
		}
		if bad == 0 || good == 0 {
			t.Errorf("%s: want at least one bad and one good case in %s (have %d bad, %d good)", r.ID, ruleDir, bad, good)
		}
		entries, _ := os.ReadDir(ruleDir)
		for _, e := range entries {
			name := e.Name()
			var of string
			switch {
			case strings.HasPrefix(name, "fixed") && strings.HasSuffix(name, ".Dockerfile"):
				of = "bad" + strings.TrimSuffix(strings.TrimPrefix(name, "fixed"), ".Dockerfile")
			case strings.HasSuffix(name, ".golden"):
				of = strings.TrimSuffix(name, ".golden")
			default:
				continue
			}
			if !cases[of] {
				t.Errorf("%s: %s belongs to no bad case (want %s)", ruleDir, name, of)
			}
		}
	}
	entries, err := os.ReadDir(rulesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !rules[e.Name()] {
			t.Errorf("%s/%s names no rule", rulesDir, e.Name())
		}
	}
}
