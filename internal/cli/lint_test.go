package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/report"
)

// lintCLI runs `slimship lint args...` with stdin and returns the exit code,
// stdout and stderr. ShellCheck is kept off PATH so output does not depend
// on the machine.
func lintCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("PATH", t.TempDir())
	var out, errb bytes.Buffer
	code := Execute(context.Background(), append([]string{"lint"}, args...),
		Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

const lintApp = "testdata/lint/app/Dockerfile"

func TestLintGolden(t *testing.T) {
	old := Version
	Version = "test"
	defer func() { Version = old }()
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			code, out, stderr := lintCLI(t, "", "--no-color", "--format", format, lintApp)
			if code != ExitFindings {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitFindings, stderr)
			}
			golden.Assert(t, filepath.Join("testdata", "lint", "golden", "app."+format), []byte(out))
		})
	}
}

func TestLintExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"findings at default threshold", []string{lintApp}, ExitFindings},
		{"below --fail-on", []string{"--fail-on", "error", "testdata/lint/tree/services/api/api.Dockerfile"}, ExitOK},
		{"--fail-on none", []string{"--fail-on", "none", lintApp}, ExitOK},
		{"clean file", []string{"testdata/lint/clean/Dockerfile"}, ExitOK},
		{"malformed file", []string{"testdata/lint/bad/Dockerfile"}, ExitUsage},
		{"malformed beside findings", []string{"testdata/lint/bad/Dockerfile", lintApp}, ExitUsage},
		{"missing path", []string{"testdata/lint/nope/Dockerfile"}, ExitUsage},
		{"directory without Dockerfile", []string{"testdata/lint/golden"}, ExitUsage},
		{"unknown format", []string{"--format", "xml", lintApp}, ExitUsage},
		{"unknown severity", []string{"--fail-on", "fatal", lintApp}, ExitUsage},
		{"stdin twice", []string{"-", "-"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := lintCLI(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, stderr)
			}
		})
	}
}

// A malformed file is reported with file:line and exit 2, and the other
// files are still linted and reported.
func TestLintMalformedKeepsGoing(t *testing.T) {
	code, out, stderr := lintCLI(t, "", "--format", "json", "testdata/lint/bad/Dockerfile", lintApp)
	if code != ExitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr, "testdata/lint/bad/Dockerfile:3: unknown instruction: BOGUS") {
		t.Errorf("stderr %q does not name file:line", stderr)
	}
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	if len(doc.Findings) == 0 || doc.Findings[0].File != lintApp {
		t.Errorf("the good file was not linted: %+v", doc.Findings)
	}
}

func TestLintStdin(t *testing.T) {
	code, out, _ := lintCLI(t, "FROM alpine:3.20\nMAINTAINER me\n", "--format", "json", "-")
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range doc.Findings {
		if f.Matches("MaintainerDeprecated") && f.File == "-" && f.Line == 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("no MaintainerDeprecated at -:2 in %+v", doc.Findings)
	}
	// Malformed input on stdin is exit 2 too.
	if code, _, stderr := lintCLI(t, "FROM a\nNOPE x\n", "-"); code != ExitUsage || !strings.Contains(stderr, "-:2:") {
		t.Errorf("malformed stdin: exit %d, stderr %q", code, stderr)
	}
}

// A directory is searched for Dockerfile, *.Dockerfile, Dockerfile.* and
// Containerfile, skipping node_modules, vendor and VCS directories.
func TestLintDirectory(t *testing.T) {
	_, out, stderr := lintCLI(t, "", "--format", "json", "--fail-on", "none", "testdata/lint/tree")
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, stderr)
	}
	files := map[string]bool{}
	for _, f := range doc.Findings {
		files[filepath.ToSlash(f.File)] = true
	}
	for _, want := range []string{"testdata/lint/tree/Dockerfile", "testdata/lint/tree/services/api/api.Dockerfile"} {
		if !files[want] {
			t.Errorf("%s not linted (got %v)", want, files)
		}
	}
	if files["testdata/lint/tree/node_modules/dep/Dockerfile"] {
		t.Error("node_modules must be skipped")
	}
}

func TestIsDockerfileName(t *testing.T) {
	for name, want := range map[string]bool{
		"Dockerfile": true, "dockerfile": true, "Containerfile": true, "api.Dockerfile": true,
		"Dockerfile.dev": true, "Dockerfile.dockerignore": false, ".dockerignore": false,
		"Dockerfile.orig": false, "README.md": false, "docker-compose.yml": false,
	} {
		if got := IsDockerfileName(name); got != want {
			t.Errorf("IsDockerfileName(%q) = %v, want %v", name, got, want)
		}
	}
}

// Without ShellCheck the run says once that SC rules are skipped, however
// many files it lints; ignoring SC turns the rule, and the warning, off.
func TestLintShellCheckMissingWarnsOnce(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.Dockerfile", "b.Dockerfile", "c.Dockerfile"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("FROM alpine:3.20\nRUN echo $x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, _, stderr := lintCLI(t, "", dir)
	if n := strings.Count(stderr, lint.ShellCheckMissing); n != 1 {
		t.Errorf("warning %d times in %q, want once", n, stderr)
	}
	if _, _, stderr := lintCLI(t, "", "--ignore", "SC", dir); strings.Contains(stderr, "shellcheck") {
		t.Errorf("SC ignored, yet: %q", stderr)
	}
}

func TestRulesSayShellCheckMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out bytes.Buffer
	if code := Execute(context.Background(), []string{"rules", "--domain", "dockerfile"}, Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// the table wraps descriptions: compare words
	if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), "(needs shellcheck on PATH: not found, skipped)") {
		t.Errorf("rules output does not say ShellCheck is missing:\n%s", out.String())
	}
	out.Reset()
	Execute(context.Background(), []string{"rules", "--format", "json", "--domain", "dockerfile"}, Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard})
	if !strings.Contains(out.String(), "\"missing\": true") {
		t.Errorf("rules json does not mark ShellCheck missing")
	}
}
