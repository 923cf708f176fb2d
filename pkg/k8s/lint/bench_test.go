package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// BenchmarkLint decodes and lints every manifest under testdata (each
// rule's bad and good cases, the clean stack and the report input) in one
// run, as `slimship k8s lint testdata` does.
func BenchmarkLint(b *testing.B) {
	files, err := filepath.Glob("testdata/*/*/*.yaml")
	if err != nil {
		b.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/*/*.yaml")
	files = append(files, more...)
	var inputs [][]byte
	size := 0
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, in)
		size += len(in)
	}
	decode := func() []*manifest.Object {
		var objs []*manifest.Object
		for i, in := range inputs {
			o, err := manifest.DecodeBytes(files[i], in)
			if err != nil {
				b.Fatal(err)
			}
			objs = append(objs, o...)
		}
		return objs
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			decode()
		}
	})
	b.Run("decode+lint", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			if res := Lint(decode(), Options{}); len(res.Findings) == 0 {
				b.Fatal("no findings")
			}
		}
	})
}
