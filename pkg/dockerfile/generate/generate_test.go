package generate

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
)

func TestGenerateEveryKindLintsClean(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		kind Kind
		port int
	}{
		{"go", Go, 8081}, {"node-build", Node, 3000}, {"node-yarn", Node, 4000}, {"python-flask", Python, 5000},
		{"python-poetry", Python, 8000}, {"maven", Maven, 8080}, {"gradle", Gradle, 8080}, {"rust", Rust, 0}, {"static", Static, 8080},
		{"python-uv", Python, 8000}, {"python-poetry-scripts", Python, 0}, {"python-module", Python, 0}, {"node-start", Node, 8080},
		{"dockerignore-only", Go, 0},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tc.dir)
			p, err := Detect(dir)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != tc.kind || p.Port != tc.port {
				t.Fatalf("detected %s port %d, want %s port %d", p.Kind, p.Port, tc.kind, tc.port)
			}
			out, err := Generate(p)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "golden", tc.dir+".Dockerfile"), out.Dockerfile)
			golden.Assert(t, filepath.Join("testdata", "golden", tc.dir+".dockerignore"), out.Dockerignore)
			f, err := dockerfile.ParseBytes("Dockerfile", out.Dockerfile)
			if err != nil {
				t.Fatal(err)
			}
			assertStagesUsed(t, out.Dockerfile)
			// Lint in a context that has the generated .dockerignore.
			ctxDir := t.TempDir()
			os.WriteFile(filepath.Join(ctxDir, ".dockerignore"), out.Dockerignore, 0o644)
			if fs := lint.Lint(f, lint.Options{Dir: ctxDir}); len(fs) > 0 {
				var b strings.Builder
				for _, fd := range fs {
					fmt.Fprintf(&b, "%s line %d: %s\n", fd.RuleID, fd.Line, fd.Message)
				}
				t.Errorf("generated Dockerfile has findings:\n%s\n%s", b.String(), out.Dockerfile)
			}
		})
	}
}

func TestWriteFilesRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM mine\n"), 0o644)
	out := &Output{Dockerfile: []byte("FROM new\n"), Dockerignore: []byte(".git\n")}
	if _, _, err := WriteFiles(dir, out, false); err == nil {
		t.Fatal("want refusal")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(b) != "FROM mine\n" {
		t.Fatal("user's file touched")
	}
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err == nil {
		t.Fatal("wrote .dockerignore despite refusing")
	}
	if _, _, err := WriteFiles(dir, out, true); err != nil {
		t.Fatal(err)
	}
}

func TestDetectUnknown(t *testing.T) {
	if _, err := Detect(t.TempDir()); err != ErrUnknown {
		t.Fatalf("want ErrUnknown, got %v", err)
	}
}

// assertStagesUsed: every named stage is built from or copied from later.
func assertStagesUsed(t *testing.T, dockerfile []byte) {
	t.Helper()
	text := string(dockerfile)
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "FROM ") {
			continue
		}
		if _, stage, ok := strings.Cut(line, " AS "); ok {
			if !strings.Contains(text, "FROM "+stage+" ") && !strings.Contains(text, "--from="+stage+" ") {
				t.Errorf("stage %s is never used:\n%s", stage, text)
			}
		}
	}
}

var venvTool = regexp.MustCompile(`(^|\s)pip install (poetry|uv)\b`)

// finalStage is the text after the last FROM.
func finalStage(dockerfile []byte) string {
	s := string(dockerfile)
	return s[strings.LastIndex(s, "\nFROM "):]
}

// TestPythonRunsTheProject: Poetry and uv projects run their own script or
// module, named in pyproject.toml, never the directory's name, and the
// package manager stays out of the runtime image.
func TestPythonRunsTheProject(t *testing.T) {
	for _, tc := range []struct {
		dir, tool, cmd, name string
	}{
		{"python-uv", "uv", `CMD ["acme-api"]`, "acme-api"},
		{"python-poetry-scripts", "poetry", `CMD ["run-worker"]`, "queue-worker"},
		{"python-module", "pip", `CMD ["python","-m","billing_svc"]`, "billing-svc"},
		{"python-poetry", "poetry", `CMD ["uvicorn","main:app","--host","0.0.0.0","--port","8000"]`, "api"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p, err := Detect(filepath.Join("testdata", tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			if p.PythonTool != tc.tool || p.Name != tc.name {
				t.Errorf("tool %s name %s, want %s %s", p.PythonTool, p.Name, tc.tool, tc.name)
			}
			out, err := Generate(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out.Dockerfile), tc.cmd) {
				t.Errorf("want %s in:\n%s", tc.cmd, out.Dockerfile)
			}
			final := finalStage(out.Dockerfile)
			for _, tool := range []string{"poetry", "uv ", "/uv", "pip install"} {
				if strings.Contains(final, tool) {
					t.Errorf("runtime stage has %q:\n%s", tool, final)
				}
			}
			// The build stage copies only the venv the tools did not go into.
			if venvTool.Match(out.Dockerfile) {
				t.Errorf("a package manager is installed into /opt/venv:\n%s", out.Dockerfile)
			}
		})
	}
}

func TestPyprojectErrorNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"x\"\nscripts = [\n"), 0o644)
	_, err := Detect(dir)
	if err == nil || !strings.Contains(err.Error(), "pyproject.toml:3") {
		t.Fatalf("err %v, want pyproject.toml:3", err)
	}
}

func TestNodeVersion(t *testing.T) {
	for engines, want := range map[string]string{"": Versions.Node, ">=20": Versions.Node, ">= 18.0.0": Versions.Node,
		"^22": "22", "22.x": "22", ">=99": "99"} {
		if got := nodeVersion(engines); got != want {
			t.Errorf("engines %q: node %s, want %s", engines, got, want)
		}
	}
}

func TestGoVersionIsSupported(t *testing.T) {
	p, err := Detect(filepath.Join("testdata", "go"))
	if err != nil {
		t.Fatal(err)
	}
	if p.GoVersion != Versions.Go {
		t.Errorf("go.mod's old go line picked golang:%s, want the current %s", p.GoVersion, Versions.Go)
	}
}

// TestWriteFilesKeepsDockerignore: with only a .dockerignore present, the
// Dockerfile is written and the user's .dockerignore kept.
func TestWriteFilesKeepsDockerignore(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "dockerignore-only"))); err != nil {
		t.Fatal(err)
	}
	mine, _ := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	p, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	written, kept, err := WriteFiles(dir, out, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 1 || len(kept) != 1 {
		t.Errorf("written %v kept %v", written, kept)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(b) != string(out.Dockerfile) {
		t.Errorf("Dockerfile %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".dockerignore")); string(b) != string(mine) {
		t.Errorf(".dockerignore replaced: %q", b)
	}
}
