package lint

import (
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// Fixes edit RUN code through the parser's code map, which knows the
// comment lines BuildKit drops even right after `RUN \` (the DL3042 fix
// was missing there).
func TestFixThroughCommentLines(t *testing.T) {
	src := "FROM python:3.12\nRUN \\\n    # a comment\n    sed -i x /r.txt && \\\n    # another\n    pip install \\\n      -r /r.txt\n"
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var rule Rule
	for _, r := range All() {
		if r.ID == "DL3042" {
			rule = r
		}
	}
	got := Lint(f, Options{Rules: []Rule{rule}})
	if len(got) != 1 || got[0].Fix == nil || len(got[0].Fix.Edits) != 1 {
		t.Fatalf("want one DL3042 with a fix, got %+v", got)
	}
	e := got[0].Fix.Edits[0]
	if src[:e.Offset] != "FROM python:3.12\nRUN \\\n    # a comment\n    sed -i x /r.txt && \\\n    # another\n    pip install" || e.Line != 6 {
		t.Errorf("edit at %d (line %d): %q", e.Offset, e.Line, src[:e.Offset])
	}
}
