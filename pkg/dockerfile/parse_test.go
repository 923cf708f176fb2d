package dockerfile

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
)

// summary renders what a test cares about of one instruction.
func summary(f *File, in *Instruction) string {
	s := fmt.Sprintf("%s %d-%d:%d [%d,%d) %q flags=%q args=%q", in.Cmd, in.Line, in.EndLine, in.Column, in.Offset, in.EndOffset, f.Text(in), in.Flags, in.Args)
	if in.JSON {
		s += " json"
	}
	if len(in.Heredocs) > 0 {
		s += fmt.Sprintf(" heredocs=%d", len(in.Heredocs))
	}
	if in.Inner != nil {
		s += " inner=" + in.Inner.Cmd
	}
	return s
}

// TestParse checks positions, flags, args and text of each instruction
// against golden files (testdata/parse/*.txt; -update rewrites them).
func TestParse(t *testing.T) {
	tests := []struct{ name, src string }{
		{"continuation", "FROM alpine\nRUN apk add \\\n    curl \\\n    git\n"},
		{"continuation-with-comment-and-empty-line", "FROM alpine\nRUN a \\\n# note\n\n  b\n"},
		{"escape-directive", "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n"},
		{"run-mount-and-network", "FROM python\nRUN --mount=type=cache,target=/root/.cache --network=none pip install x\n"},
		{"copy-link-chmod-indented", "FROM a\n  COPY --link --chmod=755 --chown=1:1 src/ /app/\n"},
		{"heredocs", "FROM a\nRUN <<EOF\necho hi\n# not a comment\nEOF\nCOPY <<EOT /etc/x\ncontent\nEOT\n"},
		{"exec-form-and-onbuild", "FROM a\nCMD [\"x\", \"y\"]\nONBUILD RUN echo x\n"},
		{"crlf", "FROM a\r\nRUN b \\\r\n c\r\n"},
		{"env-triplets", "FROM a\nENV A=1 B=\"two words\"\nENV C 3 4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseBytes("Dockerfile", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, in := range f.Instructions {
				got.WriteString(summary(f, in) + "\n")
				if l, c := f.LineCol(in.Offset); l != in.Line || c != in.Column {
					t.Errorf("LineCol(%d) = %d:%d, want %d:%d", in.Offset, l, c, in.Line, in.Column)
				}
			}
			golden.Assert(t, filepath.Join("testdata", "parse", tt.name+".txt"), []byte(got.String()))
		})
	}
}

func TestParseStagesAndComments(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n# check=skip=StageNameCasing\n# version=2 is a comment\nARG V=1\n" +
		"FROM golang:$V AS Build\n# hadolint ignore=DL3003\nRUN cd x\nFROM --platform=$BUILDPLATFORM scratch\nCOPY --from=build /a /a\n"
	f, err := ParseBytes("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	wantDirs := map[string]string{"syntax": "docker/dockerfile:1", "check": "skip=StageNameCasing"}
	if !reflect.DeepEqual(f.Directives, wantDirs) {
		t.Errorf("directives %v, want %v", f.Directives, wantDirs)
	}
	wantComments := []Comment{{3, "version=2 is a comment"}, {6, "hadolint ignore=DL3003"}}
	if !reflect.DeepEqual(f.Comments, wantComments) {
		t.Errorf("comments %v, want %v", f.Comments, wantComments)
	}
	if len(f.MetaArgs) != 1 || f.MetaArgs[0].Stage != -1 {
		t.Errorf("meta args %v", f.MetaArgs)
	}
	if len(f.Stages) != 2 {
		t.Fatalf("stages %d", len(f.Stages))
	}
	s0, s1 := f.Stages[0], f.Stages[1]
	if s0.Name != "build" || s0.NameRaw != "Build" || s0.Base != "golang:$V" || len(s0.Instructions) != 2 {
		t.Errorf("stage 0 = %+v", s0)
	}
	if s1.Platform != "$BUILDPLATFORM" || s1.Base != "scratch" || f.Final() != s1 {
		t.Errorf("stage 1 = %+v", s1)
	}
	if got := f.StageByRef("BUILD", 2); got != s0 {
		t.Errorf("StageByRef(BUILD) = %v", got)
	}
	if got := f.StageByRef("1", 1); got != nil {
		t.Errorf("StageByRef must only see earlier stages, got %v", got)
	}
	if v, ok := f.Stages[1].Instructions[1].Flag("from"); !ok || v != "build" {
		t.Errorf("Flag(from) = %q %v", v, ok)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"unknown instruction", "FROM a\nFOO bar\n", 2, "unknown instruction: FOO"},
		// An empty or comment-only file lints clean, as in hadolint.
		{"empty", "", 0, ""},
		{"only comments", "# just a comment\n", 0, ""},
		{"env without value", "FROM a\nENV A\n", 2, "ENV must have two arguments"},
		{"unterminated heredoc body is fine, bad flag is not", "FROM a\nRUN --mount=type=cache\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes("Dockerfile", []byte(tt.src))
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("want *Error, got %v", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got line %d %q, want line %d %q", pe.Line, pe.Msg, tt.line, tt.msg)
			}
			if tt.line > 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("Dockerfile:%d: ", tt.line)) {
				t.Errorf("error %q must name file:line", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse("big", strings.NewReader(strings.Repeat("#", MaxSize+1)))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("want size error, got %v", err)
	}
}

func TestShellSource(t *testing.T) {
	tests := []struct{ src, want string }{
		{"FROM a\nRUN echo a && echo b\n", "echo a && echo b"},
		{"FROM a\nRUN [\"sh\", \"-c\", \"echo x\"]\n", "echo x"},
		{"FROM a\nRUN <<EOF\nset -e\necho hi\nEOF\n", "set -e\necho hi\n"},
		{"FROM a\nRUN python3 <<EOF\nprint(1)\nEOF\n", "python3 <<EOF\n"},
	}
	for _, tt := range tests {
		f, err := ParseBytes("Dockerfile", []byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Instructions[1].ShellSource(); got != tt.want {
			t.Errorf("%q: ShellSource = %q, want %q", tt.src, got, tt.want)
		}
	}
}
