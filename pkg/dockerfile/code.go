package dockerfile

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Code is the shell code an instruction runs (RUN, and CMD and ENTRYPOINT
// in shell form), with the file offset of each of its bytes, so that a rule
// can point into the code and a fix can edit it.
type Code struct {
	// Text is what ShellSource returns.
	Text string
	// Offsets[i] is the file offset of Text[i], or -1 for a byte that is
	// not the file's (the newline ShellSource adds after `RUN cmd <<EOF`,
	// or the decoded JSON string of an exec form). Offsets has one more
	// entry than Text: where the code ends in the file (-1 if unknown).
	Offsets []int
}

// At returns the file offset of code byte i (i == len(Text) is the end of
// the code), or -1 when it is not known.
func (c *Code) At(i int) int {
	if c == nil || i < 0 || i >= len(c.Offsets) {
		return -1
	}
	return c.Offsets[i]
}

// Span maps the code range [start,end) to a file range. ok is false unless
// both ends are known.
func (c *Code) Span(start, end int) (from, to int, ok bool) {
	if c == nil || start < 0 || end <= start || end > len(c.Text) {
		return 0, 0, false
	}
	from, last := c.At(start), c.At(end-1)
	if from < 0 || last < 0 {
		return 0, 0, false
	}
	return from, last + 1, true
}

// hasCode reports whether an instruction runs shell code.
func hasCode(cmd string) bool {
	return cmd == "run" || cmd == "cmd" || cmd == "entrypoint"
}

// newCode maps in's shell code onto the file by rebuilding the logical line
// BuildKit parsed (continuations joined, comment and empty lines inside
// dropped) with the offset of each byte, and by reading heredoc bodies,
// which BuildKit keeps verbatim, from the lines after it.
func (f *File) newCode(in *Instruction) *Code {
	text := in.ShellSource()
	c := &Code{Text: text, Offsets: make([]int, len(text)+1)}
	for i := range c.Offsets {
		c.Offsets[i] = -1
	}
	if in.JSON || in.Line < 1 || in.Line > len(f.lineStarts) {
		return c
	}
	logical, offs, next := f.logicalLine(in.Line, in.EndOffset-in.Offset)
	body := strings.Join(in.Args, " ")
	if len(in.Heredocs) > 0 && strings.HasPrefix(strings.TrimSpace(body), "<<") {
		// RUN <<EOF: the code is the heredoc bodies, one after the other,
		// each followed by its terminator line.
		p, i := next, 0
		for _, h := range in.Heredocs {
			if p+len(h.Content) > len(f.Source) || string(f.Source[p:p+len(h.Content)]) != h.Content || !strings.HasPrefix(text[i:], h.Content) {
				return c
			}
			for k := range len(h.Content) {
				c.Offsets[i+k] = p + k
			}
			i += len(h.Content)
			p += len(h.Content)
			c.Offsets[i] = p
			if nl := bytes.IndexByte(f.Source[p:], '\n'); nl >= 0 {
				p += nl + 1
			} else {
				p = len(f.Source)
			}
		}
		return c
	}
	// Shell form: the code is the tail of the logical line (for RUN cmd
	// <<EOF, followed by a newline of ShellSource's own).
	core := strings.TrimSuffix(text, "\n")
	if len(in.Heredocs) == 0 {
		core = text
	}
	at := bytes.LastIndex(logical, []byte(core))
	if at < 0 || core == "" {
		return c
	}
	for k := range len(core) {
		c.Offsets[k] = offs[at+k]
	}
	if len(core) == len(text) {
		c.Offsets[len(core)] = offs[at+len(core)-1] + 1
	}
	return c
}

// logicalLine rebuilds the line BuildKit's parser reads for the instruction
// starting on 1-based line: the physical lines joined at continuations
// (`\` and trailing blanks removed), comment and blank lines inside
// skipped, line ends trimmed, leading space of the first line stripped.
// offs[i] is the file offset of logical[i]; next is the offset after the
// last physical line read. sizeHint is the expected length.
func (f *File) logicalLine(line, sizeHint int) (logical []byte, offs []int, next int) {
	src := f.Source
	if sizeHint > 0 {
		logical, offs = make([]byte, 0, sizeHint), make([]int, 0, sizeHint)
	}
	esc := byte('\\')
	if f.Escape == '`' {
		esc = '`'
	}
	p := f.lineStarts[line-1]
	first := true
	for p < len(src) {
		start := p
		end := len(src)
		next = len(src)
		if nl := bytes.IndexByte(src[p:], '\n'); nl >= 0 {
			end, next = p+nl, p+nl+1
		}
		p = next
		for end > start && (src[end-1] == '\r' || src[end-1] == '\n') {
			end--
		}
		if first {
			if start == 0 && bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
				start = 3
			}
			for start < end {
				r, size := utf8.DecodeRune(src[start:end])
				if !unicode.IsSpace(r) {
					break
				}
				start += size
			}
		} else {
			t := bytes.TrimLeftFunc(src[start:end], unicode.IsSpace)
			if len(t) == 0 || t[0] == '#' {
				continue // BuildKit drops comment and empty lines inside
			}
		}
		first = false
		// BuildKit's continuation: `([^\\])\\[ \t]*$|^\\[ \t]*$`.
		k := end
		for k > start && (src[k-1] == ' ' || src[k-1] == '\t') {
			k--
		}
		cont := k > start && src[k-1] == esc && (k-1 == start || src[k-2] != esc)
		if cont {
			end = k - 1
		}
		logical = append(logical, src[start:end]...)
		for i := start; i < end; i++ {
			offs = append(offs, i)
		}
		if !cont {
			return logical, offs, next
		}
	}
	return logical, offs, next
}
