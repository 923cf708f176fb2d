package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile"
)

// TestOnBuildRunLintedLikeRun: ONBUILD RUN is linted like RUN; each rule's
// first bad table case with a RUN is run again as ONBUILD RUN.
func TestOnBuildRunLintedLikeRun(t *testing.T) {
	for _, id := range []string{"DL3034", "DL3036", "DL3038", "DL3040", "DL3042", "DL3047", "DL3060"} {
		var src string
		for _, tc := range tableCases {
			if caseID(tc.name) == id && tc.want == 1 && tc.cfg == nil && strings.Contains(tc.src, "\nRUN ") {
				src = strings.Replace(tc.src, "\nRUN ", "\nONBUILD RUN ", 1)
				break
			}
		}
		if src == "" {
			t.Fatalf("%s: no bad table case with a RUN", id)
		}
		if got := lintRule(t, id, src, nil); len(got) != 1 {
			t.Errorf("%s: %q: got %v, want one finding", id, src, got)
		}
	}
}

// FuzzRules runs every rule but ShellCheck's over arbitrary Dockerfiles: no
// panic, and every edit of the Dockerfile stays inside it.
func FuzzRules(f *testing.F) {
	for _, tc := range tableCases {
		f.Add([]byte(tc.src))
	}
	seeds, _ := filepath.Glob(filepath.Join(rulesDir, "*", "*.Dockerfile"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("FROM a:1\nRUN apt-get update \\\n  # c\n\n  && apt-get install x \\\n  && apk add y\nONBUILD ADD a b\n"))
	rules := rulesWhere(func(id string) bool { return id != ShellCheckID })
	cfg := schema(map[string]string{"a": "url", "b": "semver", "c": "email", "d": "spdx", "e": "hash", "f": "rfc3339"}, true)
	cfg.TrustedRegistries = []string{"t.com"}
	cfg.Override.Info = []string{"DL1001", "DL3057"}
	f.Fuzz(func(t *testing.T, src []byte) {
		df, err := dockerfile.ParseBytes("Dockerfile", src)
		if err != nil {
			return
		}
		for _, fd := range Lint(df, Options{Config: cfg, Rules: rules}) {
			if fd.Fix == nil {
				continue
			}
			for _, e := range fd.Fix.Edits {
				if e.File == "" && (e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(src)) {
					t.Fatalf("%s: edit %+v outside the file (%d bytes)", fd.RuleID, e, len(src))
				}
			}
		}
	})
}
