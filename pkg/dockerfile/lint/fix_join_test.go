package lint

import (
	"archive/tar"
	"os"
	"path/filepath"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// ADD unpacks a local tar archive, found by content: DL3020's fix (ADD ->
// COPY) is offered only when the sources are in the build context and
// none is an archive, whatever its name.
func TestDL3020FixNeedsContext(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app"), []byte("plain\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "x"), 0o755)
	fh, _ := os.Create(filepath.Join(dir, "bundle"))
	tw := tar.NewWriter(fh)
	tw.WriteHeader(&tar.Header{Name: "a", Mode: 0o644, Size: 1})
	tw.Write([]byte("a"))
	tw.Close()
	fh.Close()
	src := "FROM a:1\nADD app /app/\nONBUILD ADD x /x\nADD bundle /b/\n"
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var rule []Rule
	for _, r := range All() {
		if r.ID == "DL3020" {
			rule = append(rule, r)
		}
	}
	got := Lint(f, Options{Config: &config.Config{}, Rules: rule, Dir: dir})
	var fixes []*finding.Fix
	for _, fd := range got {
		if (fd.Fix == nil) != (fd.Line == 4) {
			t.Errorf("line %d: fix %v", fd.Line, fd.Fix)
		}
		if fd.Fix != nil {
			fixes = append(fixes, fd.Fix)
		}
	}
	if out := applyFixes(src, fixes); out != "FROM a:1\nCOPY app /app/\nONBUILD COPY x /x\nADD bundle /b/\n" {
		t.Errorf("fixed:\n%s", out)
	}
	for _, fd := range Lint(f, Options{Config: &config.Config{}, Rules: rule}) {
		if fd.Fix != nil {
			t.Errorf("fix without the build context: %+v", fd)
		}
	}
}
