package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnknownRuleIDs: an unknown rule ID in --ignore, --rules, --opt-in or
// rules --domain is a usage error suggesting the closest, for every domain.
func TestUnknownRuleIDs(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM alpine:3.20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", "--ignore", "DL3080", df}, `--ignore: unknown rule ID "DL3080" (did you mean DL3000, DL3010 or DL3020?)`},
		{[]string{"k8s", "lint", "--ignore", "container-resource", dir}, `unknown rule ID "container-resource" (did you mean container-resources`},
		{[]string{"audit", "--ignore", "CIS-DI-001", "x.tar"}, `unknown rule ID "CIS-DI-001" (did you mean CIS-DI-0001`},
		{[]string{"fix", "--rules", "DL300", df}, `--rules: unknown rule ID "DL300"`},
		{[]string{"fix", "--opt-in", "SS01", df}, `--opt-in: unknown rule ID "SS01" (did you mean SS001`},
		{[]string{"rules", "--domain", "kubernets"}, `unknown --domain "kubernets" (did you mean kubernetes?`},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	// Known IDs in any case, of any domain, and ShellCheck codes are fine.
	if code, _, stderr := runCLI(t, "lint", "--ignore", "dl3008,SC2086,container-resources", "--fail-on", "none", df); code != ExitOK {
		t.Errorf("known IDs: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "fix", "--opt-in", "all", "--rules", "ss001", df); code != ExitOK {
		t.Errorf("fix --opt-in all: exit %d, %s", code, stderr)
	}
}

// TestStrictSlimshipYAML: a misspelt key in .slimship.yaml stops lint with
// the file, line and key; an unknown rule ID in it is an error too.
func TestStrictSlimshipYAML(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	os.WriteFile(df, []byte("FROM alpine:3.20\n"), 0o644)
	cfg := filepath.Join(dir, ".slimship.yaml")
	for _, tc := range []struct{ body, want string }{
		{"ignored: [DL3008]\nfailure_threshold: error\n", `.slimship.yaml:2: unknown key "failure_threshold" (did you mean failure-threshold?)`},
		{"ignored: [DL3080]\n", `.slimship.yaml: ignored: unknown rule ID "DL3080" (did you mean`},
	} {
		os.WriteFile(cfg, []byte(tc.body), 0o644)
		for _, args := range [][]string{{"lint", df}, {"fix", df}, {"k8s", "lint", "--config", cfg, "-"}} {
			code, out, stderr := runCLI(t, args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Contains(out, "0 findings") {
				t.Errorf("%v with %q: exit %d, stdout %q, stderr %q; want 2 and %q", args, tc.body, code, out, stderr, tc.want)
			}
		}
	}
}

// TestBinaryInputNotEchoed: a binary file given as a Dockerfile is an input
// error quoted and cut, and is not summarised as "0 findings".
func TestBinaryInputNotEchoed(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "Dockerfile")
	garbage := "\x7fELF\x02\x01\x01\x00" + strings.Repeat("\x00\x1b[31m", 400) + "\n"
	os.WriteFile(bin, []byte(garbage), 0o644)
	for _, args := range [][]string{{"lint", bin}, {"fix", bin}, {"k8s", "lint", bin}} {
		code, out, stderr := runCLI(t, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if strings.ContainsAny(out+stderr, "\x00\x1b\x7f") || len(stderr) > 600 {
			t.Errorf("%v: raw or long output: %q", args, stderr)
		}
		if strings.Contains(out+stderr, "0 findings") {
			t.Errorf("%v: rejected input summarised as 0 findings: %q", args, out)
		}
	}
}

// TestK8sGenerateAppFileStrict: k8s generate's app file is read strictly
// with file, line and key in YAML's words; numbers are fine as text.
func TestK8sGenerateAppFileStrict(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app.yaml")
	for _, tc := range []struct{ body, want string }{
		{"name: web\nimage: x:1\nreplica: 2\n", `app.yaml:3: unknown key "replica" (did you mean replicas?)`},
		{"name: web\nimage: x:1\nport: http\n", `app.yaml:3: port: want a whole number in range, not the text "http"`},
		{"name: web\nimage: x:1\nenv: {A: b}\n", `app.yaml:3: env: want a list, not a mapping`},
	} {
		os.WriteFile(app, []byte(tc.body), 0o644)
		code, _, stderr := k8sCLI(t, "", "generate", "-f", app)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "JSON") || strings.Contains(stderr, "Go struct") {
			t.Errorf("%q: exit %d, stderr %q; want %s", tc.body, code, stderr, tc.want)
		}
	}
	os.WriteFile(app, []byte("name: web\nimage: x:1\ncpu: 1\nport: 8080\n"), 0o644)
	if code, _, stderr := k8sCLI(t, "", "generate", "-f", app); code != ExitOK {
		t.Errorf("valid app file: exit %d, %s", code, stderr)
	}
}

// TestAnalyzeAppliesConfig: analyze's waste findings follow the one policy
// (ignored and overridden rules) as lint's do.
func TestAnalyzeAppliesConfig(t *testing.T) {
	img := smallImage(t)
	cfg := filepath.Join(t.TempDir(), ".slimship.yaml")
	findings := func(out string) string {
		_, f, _ := strings.Cut(out, `"findings"`)
		return f
	}
	_, out, _ := runCLI(t, "analyze", "--format", "json", img)
	if !strings.Contains(findings(out), `"rule": "SSI001"`) {
		t.Fatalf("no SSI001 to ignore in %s", out)
	}
	os.WriteFile(cfg, []byte("ignored: [ssi001]\n"), 0o644)
	code, out, stderr := runCLI(t, "analyze", "--format", "json", "--config", cfg, img)
	if code != ExitOK || strings.Contains(findings(out), `"rule": "SSI001"`) {
		t.Errorf("ignored SSI001 still reported (exit %d, %s)", code, stderr)
	}
	os.WriteFile(cfg, []byte("ignored: [SSI01]\n"), 0o644)
	if code, _, stderr := runCLI(t, "analyze", "--config", cfg, img); code != ExitUsage || !strings.Contains(stderr, `unknown rule ID "SSI01" (did you mean`) {
		t.Errorf("unknown ID: exit %d, %s", code, stderr)
	}
}
