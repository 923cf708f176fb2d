package lint

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
)

// fakeShellCheck answers like `shellcheck --format=json1` with one SC2086
// at column 5 of the first code line of every script, its message naming
// the dialect and the exported names, so tests need no real binary.
const fakeShellCheck = `#!/bin/sh
dialect=""
prev=""
out=""
for a in "$@"; do
  if [ "$prev" = "-s" ]; then dialect=$a; fi
  prev=$a
  case $a in *.sh)
    n=$(awk '!/^(#!|export )/{print NR; exit}' "$a")
    ex=$(grep '^export ' "$a" | sed 's/^export //; s/=1$//' | tr '\n' ' ')
    out="$out${out:+,}{\"file\":\"$a\",\"line\":$n,\"endLine\":$n,\"column\":5,\"endColumn\":9,\"level\":\"info\",\"code\":2086,\"message\":\"$dialect: $ex\",\"fix\":{\"replacements\":[{\"line\":$n,\"column\":5,\"endLine\":$n,\"endColumn\":5,\"replacement\":\"Q\"}]}}"
  esac
done
echo "{\"comments\":[$out]}"
exit 1
`

func withPath(t *testing.T, script string) {
	t.Helper()
	dir := t.TempDir()
	if script != "" {
		if err := os.WriteFile(filepath.Join(dir, "shellcheck"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+"/usr/bin:/bin")
}

func runSC(t *testing.T, src string) []finding.Finding {
	t.Helper()
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return Lint(f, Options{Rules: shellcheckRules()})
}

func TestShellCheckFake(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script fake")
	}
	if _, err := exec.LookPath("awk"); err != nil {
		t.Skip("awk needed by the fake")
	}
	withPath(t, fakeShellCheck)
	src := "FROM alpine\nARG VER=1\nENV A=1 B=2\nRUN  echo $x \\\n  && true\n" +
		"RUN [\"echo\", \"exec form: skipped\"]\n" +
		"SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN <<EOF\n  cd /x\nEOF\n" +
		"FROM alpine\nRUN echo y\n" +
		"FROM mcr.microsoft.com/windows\nSHELL [\"powershell\", \"-Command\"]\nRUN Write-Host hi\n"
	var got []string
	for _, f := range runSC(t, src) {
		edit := ""
		if f.Fix != nil && len(f.Fix.Edits) == 1 {
			edit = fmt.Sprintf(" edit@%d:%d", f.Fix.Edits[0].Line, f.Fix.Edits[0].Column)
		}
		got = append(got, fmt.Sprintf("%d:%d %s %s %s%s", f.Line, f.Column, f.RuleID, f.Severity, f.Message, edit))
	}
	want := []string{
		// "RUN  " + 4 characters: column 5 of the code is column 10.
		"4:10 SC2086 info sh: A B FTP_PROXY HTTPS_PROXY HTTP_PROXY NO_PROXY VER ftp_proxy http_proxy https_proxy no_proxy  edit@4:10",
		// Heredoc body: line 9, column 5.
		"9:5 SC2086 info bash: A B FTP_PROXY HTTPS_PROXY HTTP_PROXY NO_PROXY VER ftp_proxy http_proxy https_proxy no_proxy  edit@9:5",
		// New stage: ARG/ENV names and SHELL reset.
		"12:9 SC2086 info sh: FTP_PROXY HTTPS_PROXY HTTP_PROXY NO_PROXY ftp_proxy http_proxy https_proxy no_proxy  edit@12:9",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestShellCheckAbsentWarns(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	f, err := dockerfile.ParseBytes("Dockerfile", []byte("FROM alpine\nRUN echo $x\n"))
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	fs := Lint(f, Options{Rules: shellcheckRules(), Warn: func(m string) { warned = append(warned, m) }})
	if len(fs) != 0 {
		t.Fatalf("want no findings without shellcheck, got %v", fs)
	}
	if len(warned) != 1 || warned[0] != ShellCheckMissing {
		t.Fatalf("want the ShellCheckMissing warning once, got %q", warned)
	}
}

func TestShellCheckBrokenOutputIsSilent(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script fake")
	}
	withPath(t, "#!/bin/sh\necho not json\nexit 3\n")
	if fs := runSC(t, "FROM alpine\nRUN echo $x\n"); len(fs) != 0 {
		t.Fatalf("want nothing from broken shellcheck, got %v", fs)
	}
}

func TestShellCheckStageInheritance(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script fake")
	}
	withPath(t, fakeShellCheck)
	src := "FROM ubuntu:24.04 AS base\nSHELL [\"/bin/bash\", \"-c\"]\nENV E=1\nARG A\nFROM base\nRUN echo x\n"
	fs := runSC(t, src)
	if len(fs) != 1 || !strings.HasPrefix(fs[0].Message, "bash: E ") {
		t.Fatalf("want bash and E inherited from stage base (not ARG A), got %+v", fs)
	}
	fs = runSC(t, "ARG foo=bar\nRUN echo x\n")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, " foo ") {
		t.Fatalf("a fragment without FROM sees its top ARGs, got %+v", fs)
	}
}

// TestShellCheckReal runs the real binary when it is installed.
func TestShellCheckReal(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck not on PATH")
	}
	src := "FROM alpine\nARG VER\nRUN echo $VER $foo \\\n  && ls `pwd`\n"
	got := map[string]string{}
	for _, f := range runSC(t, src) {
		got[f.RuleID] = fmt.Sprintf("%d:%d %s", f.Line, f.Column, f.Severity)
	}
	for id, want := range map[string]string{
		"SC2154": "3:15 warning", // $foo: not assigned ($VER is an ARG, exported)
		"SC2006": "4:9 style",    // backticks on the continuation line
	} {
		if got[id] != want {
			t.Errorf("%s: got %q, want %q (all: %v)", id, got[id], want, got)
		}
	}
	if _, bad := got["SC2148"]; bad {
		t.Error("SC2148 (shebang) must be excluded")
	}
}
