package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/pkg/finding"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindPrefersNearestAndSlimship(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, ".hadolint.yaml"), "ignored: [DL3008]\n")
	write(t, filepath.Join(root, "a", "b", "Dockerfile"), "FROM x\n")
	c, err := ForPath("", filepath.Join(root, "a", "b", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if pol := policy(t, c); pol.Severity("DL3008", finding.Warning) != finding.Off {
		t.Fatal("hadolint config not used")
	}
	write(t, filepath.Join(root, ".slimship.yaml"), "override:\n  error: [dl3008]\n")
	c, err = ForPath("", filepath.Join(root, "a", "b", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if got := policy(t, c).Severity("DL3008", finding.Warning); got != finding.Error {
		t.Fatalf("override: got %v", got)
	}
}

func TestBadYAMLIsAnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".slimship.yaml")
	write(t, p, "ignored: [\n")
	if _, err := Load(p); err == nil {
		t.Fatal("want error")
	}
	write(t, p, "failure-threshold: fatal\n")
	if _, err := Load(p); err == nil {
		t.Fatal("want error for bad threshold")
	}
}

var testRules = []finding.Rule{{ID: "DL3008"}, {ID: "DL3009"}, {ID: "SS001", DefaultOff: true}, {ID: "container-resources"}}

func policy(t *testing.T, c *Config) *finding.Policy {
	t.Helper()
	p, err := c.Policy(NewIDs(testRules), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSlimshipYAMLIsStrict: a misspelt key or a wrong type in .slimship.yaml
// is an error with file, line and key, in YAML's words; .hadolint.yaml
// stays lenient.
func TestSlimshipYAMLIsStrict(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ body, want string }{
		{"ignored: [DL3008]\nignord: [DL3009]\n", ".slimship.yaml:2: unknown key \"ignord\" (did you mean ignored?)"},
		{"kubernetes:\n  ignore: [x]\n", ".slimship.yaml:2: unknown key \"kubernetes.ignore\" (did you mean ignored?)"},
		{"format: tty\n", ".slimship.yaml:1: unknown key \"format\""},
		{"ignored: DL3008\n", ".slimship.yaml:1: ignored: want a list, not the text \"DL3008\""},
		{"strict-labels: sometimes\n", ".slimship.yaml:1: strict-labels: want true or false"},
		{"analyze:\n  lowest-efficiency: high\n", ".slimship.yaml:2: analyze.lowest-efficiency: want a number"},
	} {
		p := filepath.Join(dir, ".slimship.yaml")
		write(t, p, tc.body)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %s", tc.body, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "JSON") || strings.Contains(err.Error(), "Go struct") {
			t.Errorf("%q: %v", tc.body, err)
		}
	}
	h := filepath.Join(dir, ".hadolint.yaml")
	write(t, h, "format: tty\nno-color: true\nignored: [DL3008, DL9999]\n")
	c, err := Load(h)
	if err != nil {
		t.Fatal(err)
	}
	if p := policy(t, c); !p.Ignored["DL3008"] {
		t.Errorf("hadolint ignore lost: %+v", p)
	}
}

// TestPolicyChecksIDs: unknown rule IDs from a flag or a .slimship.yaml
// are errors suggesting the closest; IDs take the registry's spelling.
func TestPolicyChecksIDs(t *testing.T) {
	ids := NewIDs(testRules)
	c := &Config{}
	if _, err := c.Policy(ids, Flags{Ignore: []string{"DL3080"}}); err == nil || err.Error() != `--ignore: unknown rule ID "DL3080" (did you mean DL3008 or DL3009?); 'slimship rules' lists them` {
		t.Errorf("err %v", err)
	}
	p := filepath.Join(t.TempDir(), ".slimship.yaml")
	write(t, p, "override:\n  info: [ss001]\nkubernetes:\n  ignored: [Container-Resources]\nignored: [sc2086]\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := c.Policy(ids, Flags{Kubernetes: true, FailOn: "error"})
	if err != nil {
		t.Fatal(err)
	}
	if !pol.Runs(&testRules[2]) || pol.Severity("SS001", finding.Warning) != finding.Info || !pol.Ignored["container-resources"] || !pol.Ignored["SC2086"] || pol.Threshold() != finding.Error {
		t.Errorf("policy %+v", pol)
	}
	write(t, p, "kubernetes:\n  ignored: [container-resource]\n")
	if c, err = Load(p); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Policy(ids, Flags{Kubernetes: true}); err == nil || !strings.Contains(err.Error(), `.slimship.yaml: kubernetes.ignored: unknown rule ID "container-resource" (did you mean container-resources?)`) {
		t.Errorf("err %v", err)
	}
}

func TestRetention(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".slimship.yaml")
	write(t, p, "retention: {maxImages: 10, keepLast: 5, keepDaily: 3, keepWeekly: 2}\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Retention; r.MaxImages != 10 || r.KeepLast != 5 || r.KeepDaily != 3 || r.KeepWeekly != 2 || r.KeepMonthly != 0 {
		t.Fatalf("seed shape: %+v", r)
	}
	write(t, p, "retention:\n  keepMonthly: unlimited\n  keepTags: ['v[0-9]+\\..*', production]\n  olderThan: 30d\n")
	if c, err = Load(p); err != nil {
		t.Fatal(err)
	}
	if r := c.Retention; r.KeepMonthly != Unlimited || len(r.KeepTags) != 2 || r.KeepTags[1] != "production" || time.Duration(r.OlderThan) != 30*24*time.Hour {
		t.Fatalf("retention: %+v", r)
	}
	for _, tc := range []struct{ body, want string }{
		{"retention:\n  keepLast: -2\n", ".slimship.yaml:2: retention.keepLast: want a whole number >= 0 or unlimited"},
		{"retention:\n  keepLast: five\n", ".slimship.yaml:2: retention.keepLast: want a whole number >= 0 or unlimited"},
		{"retention:\n  keepTags: ['(']\n", ".slimship.yaml:2: retention.keepTags[0]: bad regular expression"},
		{"retention:\n  olderThan: 1y\n", ".slimship.yaml:2: retention.olderThan: bad duration \"1y\""},
		{"retention:\n  keepHourly: 3\n", ".slimship.yaml:2: unknown key \"retention.keepHourly\""},
	} {
		write(t, p, tc.body)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %s", tc.body, err, tc.want)
		}
	}
}
