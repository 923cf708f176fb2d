package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const fixInput = "FROM debian:12\nCOPY . .\nRUN apt-get update\nRUN apt-get install -y curl\n"

// The printed diff, the Dockerfile's and the new .dockerignore's, applies
// with `git apply` and with `patch -p0` where the command ran.
func TestFixDiffApplies(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("Dockerfile", []byte(fixInput), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "fix", "Dockerfile")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "--- /dev/null\n+++ .dockerignore\n") || strings.Contains(out, "(fixed)") {
		t.Fatalf("diff headers:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(dir, "fix.diff"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tool := range [][]string{{"git", "apply", "--check", "fix.diff"}, {"patch", "-p0", "--dry-run", "-i", "fix.diff"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Logf("no %s: not checked", tool[0])
			continue
		}
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s\ndiff:\n%s", strings.Join(tool, " "), err, b, out)
		}
	}
}

// --write on a symlink writes the file it points to; the link stays.
func TestFixWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "docker", "Dockerfile.real")
	os.MkdirAll(filepath.Dir(real), 0o755)
	if err := os.WriteFile(real, []byte(fixInput), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "Dockerfile")
	if err := os.Symlink(filepath.Join("docker", "Dockerfile.real"), link); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "fix", "--write", "--no-backup", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := os.Lstat(link)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", st.Mode(), err)
	}
	got, _ := os.ReadFile(real)
	if string(got) == fixInput {
		t.Fatal("the target was not fixed")
	}
}

// A file with \r\n line breaks keeps them.
func TestFixKeepsCRLF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Dockerfile")
	// The RUN merge writes a line break of its own.
	src := strings.ReplaceAll(fixInput+"RUN echo a\nRUN echo b\n", "\n", "\r\n")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "fix", "--write", "--no-backup", p); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(p)
	if !strings.Contains(string(got), "echo a && \\\r\n") || strings.Count(string(got), "\n") != strings.Count(string(got), "\r\n") {
		t.Fatalf("line breaks: %q", got)
	}
}

// stderr says "fixed ID (line N)" only for findings lint reports on the
// input, at the input's lines.
func TestFixReportsWhatLintReported(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Dockerfile")
	src := "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN echo done\nRUN apt-get update\nRUN apt-get install -y git\n"
	os.WriteFile(p, []byte(src), 0o644)
	_, lintOut, _ := runCLI(t, "lint", "--format", "json", p)
	_, _, stderr := runCLI(t, "fix", p)
	for _, m := range regexp.MustCompile(`fixed (\S+) \(line (\d+)\)`).FindAllStringSubmatch(stderr, -1) {
		if !regexp.MustCompile(`"rule":\s*"` + m[1] + `"[^}]*"line":\s*` + m[2] + `\b`).MatchString(lintOut) {
			t.Errorf("stderr says %q, which lint did not report:\n%s", m[0], lintOut)
		}
	}
	if strings.Contains(stderr, "fixed DL3059 (line 3)") {
		t.Errorf("merged a RUN lint did not flag:\n%s", stderr)
	}
}

// Lint's JSON names every edit's file by its real path, and fix writes a
// new .dockerignore beside a Dockerfile in another directory.
func TestFixEditsNameRealPaths(t *testing.T) {
	t.Chdir(t.TempDir())
	os.Mkdir("app", 0o755)
	if err := os.WriteFile("app/Dockerfile", []byte(fixInput), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ := runCLI(t, "lint", "--format", "json", "app/Dockerfile")
	files := regexp.MustCompile(`"file": "([^"]*)"`).FindAllStringSubmatch(out, -1)
	seen := map[string]bool{}
	for _, m := range files {
		seen[m[1]] = true
	}
	if !seen["app/.dockerignore"] || len(seen) != 2 {
		t.Fatalf("edit files %v in:\n%s", seen, out)
	}
	if code, _, stderr := runCLI(t, "fix", "--write", "--no-backup", "app/Dockerfile"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat("app/.dockerignore"); err != nil {
		t.Fatal(err)
	}
}
