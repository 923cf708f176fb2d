package lint

import (
	"os"
	"testing"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
)

// benchRules are every rule that runs in-process (ShellCheck, an outside
// program, is left out so the figure measures slimship).
func benchRules() []Rule {
	var out []Rule
	for _, r := range All() {
		if r.Requires == "" {
			out = append(out, r)
		}
	}
	return out
}

func benchSource(b *testing.B) []byte {
	src, err := os.ReadFile("testdata/bench/Dockerfile")
	if err != nil {
		b.Fatal(err)
	}
	return src
}

// BenchmarkLint parses and lints a realistic multi-stage Dockerfile.
func BenchmarkLint(b *testing.B) {
	src := benchSource(b)
	rules := benchRules()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := dockerfile.ParseBytes("Dockerfile", src)
		if err != nil {
			b.Fatal(err)
		}
		Lint(f, Options{Rules: rules})
	}
}

// BenchmarkParse is the parse alone, to tell it from the rules.
func BenchmarkParse(b *testing.B) {
	src := benchSource(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dockerfile.ParseBytes("Dockerfile", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRule times each rule's check alone on the same file, with the
// shared context (parsed shell code) already built.
func BenchmarkRule(b *testing.B) {
	src := benchSource(b)
	f, err := dockerfile.ParseBytes("Dockerfile", src)
	if err != nil {
		b.Fatal(err)
	}
	c := NewContext(f, &config.Config{}, "")
	for _, r := range benchRules() {
		r.Check(c, &Reporter{rule: r.Rule, file: f}) // warm the context's caches
	}
	for _, r := range benchRules() {
		b.Run(r.ID, func(b *testing.B) {
			for b.Loop() {
				r.Check(c, &Reporter{rule: r.Rule, file: f})
			}
		})
	}
}
