package lint

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// Fixes of the DL rules, part A. The shell code of a RUN is what BuildKit
// joined (line continuations and comment lines removed); the parser's Code
// maps a command's offset in it back onto the file.

// dlaKeywordOffset returns where the instruction keyword starts in the file
// (after "ONBUILD " for the instruction an ONBUILD carries).
func dlaKeywordOffset(f *dockerfile.File, in *dockerfile.Instruction) int {
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

// dlaCode returns the parser's map of a shell-form RUN's code onto the
// file, or nil for exec form and heredocs, which these fixes leave alone.
func dlaCode(in *dockerfile.Instruction) *dockerfile.Code {
	if in.Cmd != "run" || in.JSON || len(in.Heredocs) > 0 {
		return nil
	}
	return in.Code
}

func dlaFix(f *dockerfile.File, desc string, start, end int, text string) *finding.Fix {
	return &finding.Fix{Description: desc, Edits: []finding.Edit{Edit(f, start, end, text)}}
}

// dlaFixEach merges the fixes of several commands of one RUN into one fix;
// it gives none unless every command can be fixed.
func dlaFixEach(cmds []shell.Command, one func(shell.Command) *finding.Fix) *finding.Fix {
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

// dlaInsertAfterName inserts text right after a command's name, e.g.
// "apt-get" -> "apt-get -y".
func dlaInsertAfterName(c *Context, in *dockerfile.Instruction, cmd shell.Command, text, desc string) *finding.Fix {
	if cmd.Nested {
		return nil
	}
	from, to, ok := dlaCode(in).Span(cmd.Offset, cmd.Offset+len(cmd.Name))
	if !ok || string(c.File.Source[from:to]) != cmd.Name {
		return nil
	}
	return dlaFix(c.File, desc, to, to, text)
}

// dlaReplaceName replaces a command's name.
func dlaReplaceName(c *Context, in *dockerfile.Instruction, cmd shell.Command, name, desc string) *finding.Fix {
	if cmd.Nested {
		return nil
	}
	from, to, ok := dlaCode(in).Span(cmd.Offset, cmd.Offset+len(cmd.Name))
	if !ok || string(c.File.Source[from:to]) != cmd.Name {
		return nil
	}
	return dlaFix(c.File, desc, from, to, name)
}

// dlaAppendToRun appends shell code (" && ...") at the end of a shell-form RUN.
func dlaAppendToRun(c *Context, in *dockerfile.Instruction, text, desc string) *finding.Fix {
	cd := dlaCode(in)
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
	return dlaFix(c.File, desc, at, at, text)
}

// dlaAddToCopyFix turns ADD into COPY, keeping the keyword's case. ADD
// unpacks a local tar archive, which it finds by content, not by name, so
// the fix needs every source in the build context and none an archive.
func dlaAddToCopyFix(c *Context, in *dockerfile.Instruction, srcs []string) *finding.Fix {
	f := c.File
	for _, fl := range []string{"checksum", "keep-git-dir", "unpack", "from"} {
		if _, ok := in.Flag(fl); ok {
			return nil // ADD-only flags, or sources not in the context
		}
	}
	if c.Dir == "" {
		return nil
	}
	for _, src := range srcs {
		if dlaIsURL(src) || dlaIsArchive(src) || strings.Contains(src, "$") || filepath.IsAbs(src) || strings.HasPrefix(filepath.Clean(src), "..") {
			return nil
		}
		matches, err := filepath.Glob(filepath.Join(c.Dir, src))
		if err != nil || len(matches) == 0 {
			return nil
		}
		for _, m := range matches {
			if dlaArchiveContent(m) {
				return nil
			}
		}
	}
	off := dlaKeywordOffset(f, in)
	if off+3 > len(f.Source) || !strings.EqualFold(string(f.Source[off:off+3]), "add") {
		return nil
	}
	word := "COPY"
	if string(f.Source[off:off+3]) == "add" {
		word = "copy"
	}
	return dlaFix(f, "replace ADD with COPY", off, off+3, word)
}

// dlaArchiveContent reports whether a file (not a directory) could be one
// ADD unpacks: compressed (gzip, bzip2, xz, zstd) or a tar, or unreadable.
func dlaArchiveContent(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return true
	}
	if st.IsDir() {
		return false
	}
	fh, err := os.Open(path)
	if err != nil {
		return true
	}
	defer fh.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(fh, head)
	head = head[:n]
	for _, magic := range [][]byte{{0x1f, 0x8b}, []byte("BZh"), {0xfd, '7', 'z', 'X', 'Z', 0}, {0x28, 0xb5, 0x2f, 0xfd}} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	return n >= 262 && string(head[257:262]) == "ustar" || n == 512 && bytes.Count(head, []byte{0}) == 512
}
