package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitFiles: with only a .dockerignore, init writes the Dockerfile and
// keeps the user's .dockerignore; an existing Dockerfile is refused (exit 2)
// unless --force.
func TestInitFiles(t *testing.T) {
	dir := t.TempDir()
	mine := "# mine\nsecrets/\n"
	for name, body := range map[string]string{"go.mod": "module example.com/hello\n\ngo 1.25\n", "main.go": "package main\n\nfunc main() {}\n", ".dockerignore": mine} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCLI(t, "init", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "wrote "+filepath.Join(dir, "Dockerfile")) || !strings.Contains(out, "kept "+filepath.Join(dir, ".dockerignore")) {
		t.Errorf("stdout:\n%s", out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".dockerignore")); string(b) != mine {
		t.Errorf(".dockerignore replaced:\n%s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); !strings.Contains(string(b), `ENTRYPOINT ["/hello"]`) {
		t.Errorf("Dockerfile:\n%s", b)
	}
	if code, _, _ := runCLI(t, "init", dir); code != ExitUsage {
		t.Errorf("second init: exit %d, want %d (the Dockerfile exists)", code, ExitUsage)
	}
	if code, _, stderr := runCLI(t, "init", "--force", dir); code != ExitOK {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".dockerignore")); string(b) == mine {
		t.Error("--force kept the old .dockerignore")
	}
}

// TestInitBadPyproject: a pyproject.toml that does not parse is an input
// error naming the file and line.
func TestInitBadPyproject(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"x\nversion = \"1\"\n"), 0o644)
	code, _, stderr := runCLI(t, "init", "--stdout", dir)
	if code != ExitUsage || !strings.Contains(stderr, "pyproject.toml:2") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}
