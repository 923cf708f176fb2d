package dockerfile_test

import (
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
)

// FuzzParse feeds arbitrary bytes to ParseBytes and lints what parses:
// neither may panic, and every instruction's byte range must lie inside
// the source.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"FROM alpine\nRUN echo hi\n",
		"# syntax=docker/dockerfile:1\n# escape=`\nFROM mcr.microsoft.com/windows AS Build\nRUN dir `\n  c:\\\n",
		"ARG V=1\nFROM golang:$V AS build\nRUN --mount=type=cache,target=/root/.cache go build\nFROM scratch\nCOPY --from=build --chmod=755 /a /a\n",
		"FROM a\nRUN <<EOF\nset -e\necho $x\nEOF\nCOPY <<EOT /x\ny\nEOT\n",
		"FROM a\nONBUILD RUN cd x\nENV A 1\nLABEL b=2\nEXPOSE 80/TCP 1:2\nCMD echo\nHEALTHCHECK CMD x\n",
		"FROM a\r\nRUN b \\\r\n\r\n c\r\n",
		"RUN x\n",
		"FROM a\nSHELL [\"pwsh\", \"-c\"]\nRUN Get-Item\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		df, err := dockerfile.ParseBytes("Dockerfile", src)
		if err != nil {
			return
		}
		for _, in := range df.Instructions {
			if in.Offset < 0 || in.EndOffset > len(src) || in.Offset > in.EndOffset {
				t.Fatalf("%s at line %d: range [%d,%d) outside %d bytes", in.Cmd, in.Line, in.Offset, in.EndOffset, len(src))
			}
			_ = in.ShellSource()
		}
		// ShellCheck is an outside program: keep the fuzzer in-process.
		var rules []lint.Rule
		for _, r := range lint.All() {
			if r.Requires == "" {
				rules = append(rules, r)
			}
		}
		_ = lint.Lint(df, lint.Options{Rules: rules})
	})
}
