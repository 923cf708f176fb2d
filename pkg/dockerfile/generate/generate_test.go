package generate

import (
	"fmt"
	"os"
	"path/filepath"
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
	if _, err := WriteFiles(dir, out, false); err == nil {
		t.Fatal("want refusal")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(b) != "FROM mine\n" {
		t.Fatal("user's file touched")
	}
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err == nil {
		t.Fatal("wrote .dockerignore despite refusing")
	}
	if _, err := WriteFiles(dir, out, true); err != nil {
		t.Fatal(err)
	}
}

func TestDetectUnknown(t *testing.T) {
	if _, err := Detect(t.TempDir()); err != ErrUnknown {
		t.Fatalf("want ErrUnknown, got %v", err)
	}
}
