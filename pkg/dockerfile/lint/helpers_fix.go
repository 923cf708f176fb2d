package lint

import (
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// Fixes in RUN and COPY. The shell code of a RUN is what BuildKit
// joined (line continuations and comment lines removed); the parser's Code
// maps a command's offset in it back onto the file.

// keywordOffset returns where the instruction keyword starts in the file
// (after "ONBUILD " for the instruction an ONBUILD carries).
func keywordOffset(f *dockerfile.File, in *dockerfile.Instruction) int {
	off := in.Offset
	if !in.InOnBuild {
		return off
	}
	src := f.Source
	for off < len(src) && src[off] != ' ' && src[off] != '\t' {
		off++
	}
	for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
		off++
	}
	return off
}

// runCode returns the parser's map of a shell-form RUN's code onto the
// file, or nil for exec form and heredocs, which these fixes leave alone.
func runCode(in *dockerfile.Instruction) *dockerfile.Code {
	if in.Cmd != "run" || in.JSON || len(in.Heredocs) > 0 {
		return nil
	}
	return in.Code
}

func editFix(f *dockerfile.File, desc string, start, end int, text string) *finding.Fix {
	return &finding.Fix{Description: desc, Edits: []finding.Edit{Edit(f, start, end, text)}}
}

// fixEach merges the fixes of several commands of one RUN into one fix;
// it gives none unless every command can be fixed.
func fixEach(cmds []shell.Command, one func(shell.Command) *finding.Fix) *finding.Fix {
	var out *finding.Fix
	for _, cmd := range cmds {
		fx := one(cmd)
		if fx == nil {
			return nil
		}
		if out == nil {
			out = fx
			continue
		}
		out.Edits = append(out.Edits, fx.Edits...)
	}
	return out
}

// insertAfterName inserts text right after a command's name, e.g.
// "apt-get" -> "apt-get -y".
func insertAfterName(c *Context, in *dockerfile.Instruction, cmd shell.Command, text, desc string) *finding.Fix {
	if cmd.Nested {
		return nil
	}
	from, to, ok := runCode(in).Span(cmd.Offset, cmd.Offset+len(cmd.Name))
	if !ok || string(c.File.Source[from:to]) != cmd.Name {
		return nil
	}
	return editFix(c.File, desc, to, to, text)
}

// replaceName replaces a command's name.
func replaceName(c *Context, in *dockerfile.Instruction, cmd shell.Command, name, desc string) *finding.Fix {
	if cmd.Nested {
		return nil
	}
	from, to, ok := runCode(in).Span(cmd.Offset, cmd.Offset+len(cmd.Name))
	if !ok || string(c.File.Source[from:to]) != cmd.Name {
		return nil
	}
	return editFix(c.File, desc, from, to, name)
}

// appendToRun appends shell code (" && ...") at the end of a shell-form RUN.
func appendToRun(c *Context, in *dockerfile.Instruction, text, desc string) *finding.Fix {
	cd := runCode(in)
	if cd == nil {
		return nil
	}
	code := strings.TrimRight(cd.Text, " \t\r\n")
	if !shell.Appendable(code) {
		return nil // a trailing comment would swallow the text, and so on
	}
	_, at, ok := cd.Span(len(code)-1, len(code))
	if !ok {
		return nil
	}
	return editFix(c.File, desc, at, at, text)
}

// insertAfterWord builds a fix inserting text after word w of command c.
func insertAfterWord(f *dockerfile.File, r runScript, c shell.Command, w, text, desc string) *finding.Fix {
	start := wordStart(r.Script, c, w)
	if start < 0 {
		return nil
	}
	from, to, ok := r.In.Code.Span(start, start+len(w))
	if !ok || string(f.Source[from:to]) != w {
		return nil
	}
	return &finding.Fix{Description: desc, Edits: []finding.Edit{Edit(f, to, to, text)}}
}

// insertAfterCommand builds a fix appending text after command c ends.
func insertAfterCommand(f *dockerfile.File, r runScript, c shell.Command, text, desc string) *finding.Fix {
	if c.Nested || c.End <= c.Offset || !shell.FollowedByList(r.Script.Source, c.End) {
		return nil // a pipe or redirection after it would take the text in
	}
	last := r.In.Code.At(c.End - 1)
	if last < 0 || f.Source[last] != r.Script.Source[c.End-1] {
		return nil
	}
	return &finding.Fix{Description: desc, Edits: []finding.Edit{Edit(f, last+1, last+1, text)}}
}

// wordStart returns the code offset where word w of command c starts, or -1.
func wordStart(s *shell.Script, c shell.Command, w string) int {
	if c.Nested || c.End <= c.Offset || c.End > len(s.Source) {
		return -1
	}
	seg := s.Source[c.Offset:c.End]
	for from := 0; from < len(seg); {
		i := strings.Index(seg[from:], w)
		if i < 0 {
			return -1
		}
		i += from
		before := i == 0 || strings.ContainsRune(" \t\n", rune(seg[i-1]))
		afterIdx := i + len(w)
		after := afterIdx == len(seg) || strings.ContainsRune(" \t\n;&|", rune(seg[afterIdx]))
		if before && after {
			return c.Offset + i
		}
		from = i + 1
	}
	return -1
}

// fixEachAfterWord builds one fix inserting text after word(cmd) of every command
// in cmds; it returns nil unless every command can be edited.
func fixEachAfterWord(f *dockerfile.File, r runScript, cmds []shell.Command, word func(shell.Command) string, text, desc string) *finding.Fix {
	var edits []finding.Edit
	for _, cmd := range cmds {
		fix := insertAfterWord(f, r, cmd, word(cmd), text, desc)
		if fix == nil {
			return nil
		}
		edits = append(edits, fix.Edits...)
	}
	if len(edits) == 0 {
		return nil
	}
	return &finding.Fix{Description: desc, Edits: edits}
}

// removeFlag builds a fix deleting flag (and the blanks after it) from
// the instruction's first line.
func removeFlag(f *dockerfile.File, in *dockerfile.Instruction, flag string) *finding.Fix {
	if in.Offset < 0 || in.EndOffset > len(f.Source) || in.Offset >= in.EndOffset {
		return nil
	}
	raw := string(f.Source[in.Offset:in.EndOffset])
	i := strings.Index(raw, flag)
	if i < 0 {
		return nil
	}
	end := i + len(flag)
	for end < len(raw) && (raw[end] == ' ' || raw[end] == '\t') {
		end++
	}
	return &finding.Fix{Description: "remove " + flag, Edits: []finding.Edit{Edit(f, in.Offset+i, in.Offset+end, "")}}
}

// instructionBody returns the byte offset in f.Source where the arguments
// of an instruction start (after keyword and --flags).
func instructionBody(f *dockerfile.File, in *dockerfile.Instruction) int {
	src := f.Source
	i := in.Offset + len(in.Keyword)
	skipSpace := func() {
		for i < in.EndOffset {
			if src[i] == ' ' || src[i] == '\t' {
				i++
				continue
			}
			if src[i] == byte(f.Escape) && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r') {
				i++
				for i < len(src) && (src[i] == '\r' || src[i] == '\n') {
					i++
				}
				continue
			}
			break
		}
	}
	skipSpace()
	for i+1 < in.EndOffset && src[i] == '-' && src[i+1] == '-' {
		for i < in.EndOffset && src[i] != ' ' && src[i] != '\t' && src[i] != '\n' {
			i++
		}
		skipSpace()
	}
	return i
}

// lineSpan returns the byte range of whole lines holding in, the trailing
// newline included, so deleting it leaves no blank line.
func lineSpan(f *dockerfile.File, in *dockerfile.Instruction) (int, int) {
	start := f.LineOffset(in.Line)
	end := in.EndOffset
	for end < len(f.Source) && f.Source[end] != '\n' {
		end++
	}
	if end < len(f.Source) {
		end++
	}
	return start, end
}
