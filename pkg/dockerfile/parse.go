// Package dockerfile parses Dockerfiles losslessly on top of BuildKit's
// parser: every instruction keeps its line, column and byte range, its flags,
// heredocs and the comments around it, and instructions are grouped into
// stages. Lint rules live in pkg/dockerfile/lint.
package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/internal/safetext"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// MaxSize bounds the Dockerfiles slimship reads.
const MaxSize = 16 << 20

// File is a parsed Dockerfile.
type File struct {
	Path   string
	Source []byte
	// Escape is the escape character (\ or `).
	Escape rune
	// Directives are the parser directives at the top (syntax, escape, check).
	Directives map[string]string
	// Comments are every comment line outside heredoc bodies, in order.
	Comments []Comment
	// MetaArgs are ARG instructions before the first FROM.
	MetaArgs []*Instruction
	// Stages in order. Instructions before any FROM (other than ARG) form
	// an implicit stage whose From is nil, as fragments in tests do.
	Stages []*Stage
	// Instructions is every instruction in order.
	Instructions []*Instruction
	// Warnings are BuildKit parser warnings (e.g. empty continuation lines).
	Warnings []parser.Warning

	lineStarts []int
}

// Comment is one comment line.
type Comment struct {
	Line int
	// Text is the comment without the leading '#' and spaces.
	Text string
}

// Stage is one build stage.
type Stage struct {
	Index int
	// Name is the alias after AS, lower-cased as BuildKit matches it.
	Name string
	// NameRaw is the alias as written.
	NameRaw string
	// Base is the image (or stage) named by FROM, as written.
	Base     string
	Platform string
	From     *Instruction
	// Instructions of the stage, FROM included.
	Instructions []*Instruction
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	// Cmd is the instruction keyword in lower case (run, copy, from, ...).
	Cmd string
	// Keyword is the instruction keyword as written.
	Keyword string
	// Original is the instruction's text as BuildKit saw it (continuations joined).
	Original  string
	Line      int
	EndLine   int
	Column    int
	Offset    int
	EndOffset int
	// Flags such as --from=build or --mount=type=cache,target=/root/.cache.
	Flags []string
	// Mounts are a RUN's --mount flags, parsed.
	Mounts []Mount
	// Code is the shell code of a RUN, CMD or ENTRYPOINT with the file
	// offset of each byte (nil for other instructions).
	Code *Code
	// Args are the instruction's arguments as BuildKit split them.
	Args []string
	// JSON is true for exec form (["a", "b"]).
	JSON     bool
	Heredocs []parser.Heredoc
	// Stage is the index into File.Stages, or -1 for a meta ARG.
	Stage int
	// Inner is the instruction an ONBUILD carries (nil otherwise).
	Inner *Instruction
	// InOnBuild is true for the Inner instruction of an ONBUILD.
	InOnBuild bool
	Node      *parser.Node
}

// Error is a parse error with a position.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error shows Msg (which may quote the input) quoted and cut when it
// holds control characters or invalid UTF-8.
func (e *Error) Error() string {
	msg := safetext.Text(e.Msg, 200)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	}
	return fmt.Sprintf("%s: %s", e.File, msg)
}

var known = map[string]bool{
	"add": true, "arg": true, "cmd": true, "copy": true, "entrypoint": true, "env": true, "expose": true,
	"from": true, "healthcheck": true, "label": true, "maintainer": true, "onbuild": true, "run": true,
	"shell": true, "stopsignal": true, "user": true, "volume": true, "workdir": true,
}

var lineRe = lazyre.New(`line (\d+)`)

// Parse reads a Dockerfile. name is used in errors and findings.
func Parse(name string, r io.Reader) (*File, error) {
	src, err := bounded.Read(name, r, MaxSize)
	if err != nil {
		return nil, err
	}
	return ParseBytes(name, src)
}

// ParseBytes parses src.
func ParseBytes(name string, src []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &Error{File: name, Msg: fmt.Sprintf("parser failure: %v", r)}
		}
	}()
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil && len(bytes.TrimSpace(stripComments(src))) == 0 {
		// An empty file (or only comments) has nothing to lint, as
		// hadolint sees it; BuildKit refuses to build it, which the
		// build itself will say.
		f = &File{Path: name, Source: src, Escape: '\\', Directives: map[string]string{}, lineStarts: []int{0}}
		for i, b := range src {
			if b == '\n' {
				f.lineStarts = append(f.lineStarts, i+1)
			}
		}
		f.scanComments()
		return f, nil
	}
	if err != nil {
		line := 0
		var le *parser.LocationError
		if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 && le.Locations[0][0].Start.Line > 0 {
			line = le.Locations[0][0].Start.Line
		} else if m := lineRe.FindStringSubmatch(err.Error()); m != nil {
			fmt.Sscan(m[1], &line)
		}
		return nil, &Error{File: name, Line: line, Msg: cleanErr(err)}
	}
	f = &File{Path: name, Source: src, Escape: res.EscapeToken, Warnings: res.Warnings, Directives: map[string]string{}}
	f.lineStarts = append(f.lineStarts, 0)
	for i, b := range src {
		if b == '\n' {
			f.lineStarts = append(f.lineStarts, i+1)
		}
	}
	f.scanComments()
	var cur *Stage
	for _, n := range res.AST.Children {
		in := f.newInstruction(n)
		if !known[in.Cmd] {
			return nil, &Error{File: name, Line: in.Line, Msg: fmt.Sprintf("unknown instruction: %s", in.Keyword)}
		}
		switch {
		case in.Cmd == "from":
			cur = &Stage{Index: len(f.Stages), From: in}
			if len(in.Args) > 0 {
				cur.Base = in.Args[0]
			}
			if len(in.Args) >= 3 && strings.EqualFold(in.Args[1], "as") {
				cur.NameRaw = in.Args[2]
				cur.Name = strings.ToLower(in.Args[2])
			}
			cur.Platform, _ = in.Flag("platform")
			f.Stages = append(f.Stages, cur)
		case cur == nil && in.Cmd == "arg":
			in.Stage = -1
			f.MetaArgs = append(f.MetaArgs, in)
			f.Instructions = append(f.Instructions, in)
			continue
		case cur == nil:
			cur = &Stage{Index: 0}
			f.Stages = append(f.Stages, cur)
		}
		in.Stage = cur.Index
		cur.Instructions = append(cur.Instructions, in)
		f.Instructions = append(f.Instructions, in)
	}
	return f, nil
}

func cleanErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "dockerfile parse error ")
	return s
}

func (f *File) newInstruction(n *parser.Node) *Instruction {
	in := &Instruction{Cmd: strings.ToLower(n.Value), Original: n.Original, Line: n.StartLine, EndLine: n.EndLine,
		Flags: n.Flags, Heredocs: n.Heredocs, Node: n, JSON: n.Attributes["json"]}
	in.Keyword = n.Value
	if fields := strings.Fields(n.Original); len(fields) > 0 {
		in.Keyword = fields[0]
	}
	for a := n.Next; a != nil; a = a.Next {
		in.Args = append(in.Args, a.Value)
	}
	if in.Cmd == "onbuild" && n.Next != nil && len(n.Next.Children) > 0 {
		child := *n.Next.Children[0]
		child.StartLine, child.EndLine = n.StartLine, n.EndLine
		in.Inner = f.newInstruction(&child)
		in.Inner.InOnBuild = true
	}
	if in.Cmd == "run" {
		in.Mounts = parseMounts(n, in.Flags)
	}
	if in.Line >= 1 && in.Line <= len(f.lineStarts) {
		start := f.lineStarts[in.Line-1]
		col := 0
		for start+col < len(f.Source) && (f.Source[start+col] == ' ' || f.Source[start+col] == '\t') {
			col++
		}
		in.Column = col + 1
		in.Offset = start + col
		in.EndOffset = len(f.Source)
		if in.EndLine < len(f.lineStarts) {
			in.EndOffset = f.lineStarts[in.EndLine] - 1
		}
		if in.EndOffset > 0 && in.EndOffset <= len(f.Source) && f.Source[in.EndOffset-1] == '\r' {
			in.EndOffset--
		}
	}
	if hasCode(in.Cmd) {
		in.Code = f.newCode(in)
	}
	return in
}

var knownDirectives = map[string]bool{"syntax": true, "escape": true, "check": true}

var directiveRe = lazyre.New(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

func (f *File) scanComments() {
	lines := strings.Split(string(f.Source), "\n")
	inDirectives := true
	var heredocEnd []string
	for i, l := range lines {
		t := strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if len(heredocEnd) > 0 {
			// Inside a heredoc body: skip until its terminator.
			if strings.TrimLeft(t, "\t") == heredocEnd[0] {
				heredocEnd = heredocEnd[1:]
			}
			continue
		}
		if strings.HasPrefix(t, "#") {
			if inDirectives {
				// BuildKit knows three directives; any other key=value
				// comment is a comment and ends the directives.
				if m := directiveRe.FindStringSubmatch(t); m != nil && knownDirectives[strings.ToLower(m[1])] {
					if _, dup := f.Directives[strings.ToLower(m[1])]; !dup {
						f.Directives[strings.ToLower(m[1])] = m[2]
						continue
					}
				}
			}
			inDirectives = false
			f.Comments = append(f.Comments, Comment{Line: i + 1, Text: strings.TrimSpace(strings.TrimPrefix(t, "#"))})
			continue
		}
		if t != "" {
			inDirectives = false
		}
		if strings.Contains(t, "<<") {
			if hs, err := parser.ParseHeredoc(heredocToken(t)); err == nil && hs != nil {
				for _, m := range heredocNames(t) {
					heredocEnd = append(heredocEnd, m)
				}
			}
		}
	}
}

var heredocRe = lazyre.New(`<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?`)

func heredocToken(line string) string {
	m := heredocRe.FindString(line)
	return m
}

func heredocNames(line string) []string {
	// Only instructions that can carry heredocs.
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	switch strings.ToLower(fields[0]) {
	case "run", "copy", "add":
	default:
		return nil
	}
	var out []string
	for _, m := range heredocRe.FindAllStringSubmatch(line, -1) {
		out = append(out, m[1])
	}
	return out
}

// LineCol turns a byte offset into a 1-based line and column.
func (f *File) LineCol(off int) (int, int) {
	lo, hi := 0, len(f.lineStarts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - f.lineStarts[lo] + 1
}

// LineOffset returns the byte offset where 1-based line starts.
func (f *File) LineOffset(line int) int {
	if line < 1 {
		return 0
	}
	if line > len(f.lineStarts) {
		return len(f.Source)
	}
	return f.lineStarts[line-1]
}

// Text returns the instruction's source text, continuation lines included.
func (f *File) Text(in *Instruction) string {
	if in.Offset < 0 || in.EndOffset > len(f.Source) || in.Offset > in.EndOffset {
		return in.Original
	}
	return string(f.Source[in.Offset:in.EndOffset])
}

// Final returns the last stage (nil when there is none).
func (f *File) Final() *Stage {
	if len(f.Stages) == 0 {
		return nil
	}
	return f.Stages[len(f.Stages)-1]
}

// Shell returns the SHELL a RUN of the file runs under: the last SHELL
// instruction of its stage before it, or of the stage it is built FROM,
// else ["/bin/sh", "-c"]. A SHELL set in a base image is not known here.
func (f *File) Shell(in *Instruction) []string {
	if in == nil || in.Stage < 0 || in.Stage >= len(f.Stages) {
		return []string{"/bin/sh", "-c"}
	}
	return f.shellBefore(f.Stages[in.Stage], in)
}

func (f *File) shellBefore(st *Stage, stop *Instruction) []string {
	var shell *Instruction
	for _, x := range st.Instructions {
		if x == stop {
			break
		}
		if x.Cmd == "shell" && x.JSON && len(x.Args) > 0 {
			shell = x
		}
	}
	if shell != nil {
		return shell.Args
	}
	if base := f.StageByRef(st.Base, st.Index); base != nil {
		return f.shellBefore(base, nil)
	}
	return []string{"/bin/sh", "-c"}
}

// StageByRef finds a stage by name or index as COPY --from and FROM use it.
// Only stages before the one at index before count (pass len(f.Stages) for all).
func (f *File) StageByRef(ref string, before int) *Stage {
	ref = strings.ToLower(ref)
	for i := 0; i < before && i < len(f.Stages); i++ {
		s := f.Stages[i]
		if s.Name != "" && s.Name == ref {
			return s
		}
		if fmt.Sprint(s.Index) == ref {
			return s
		}
	}
	return nil
}

// Flag returns the value of --name (or --name=value) and whether it is set.
func (in *Instruction) Flag(name string) (string, bool) {
	for _, fl := range in.Flags {
		fl = strings.TrimPrefix(fl, "--")
		k, v, hasV := strings.Cut(fl, "=")
		if strings.EqualFold(k, name) {
			if !hasV {
				return "true", true
			}
			return v, true
		}
	}
	return "", false
}

// FlagValues returns every value of a repeatable flag such as --mount.
func (in *Instruction) FlagValues(name string) []string {
	var out []string
	for _, fl := range in.Flags {
		k, v, _ := strings.Cut(strings.TrimPrefix(fl, "--"), "=")
		if strings.EqualFold(k, name) {
			out = append(out, v)
		}
	}
	return out
}

// ShellSource returns the shell code a RUN executes: the shell-form text,
// the heredoc body for `RUN <<EOF`, or `sh -c` code of an exec form.
func (in *Instruction) ShellSource() string {
	if in.JSON {
		if len(in.Args) >= 3 && (strings.HasSuffix(in.Args[0], "sh") || strings.HasSuffix(in.Args[0], "bash")) && in.Args[1] == "-c" {
			return in.Args[2]
		}
		return strings.Join(in.Args, " ")
	}
	text := strings.Join(in.Args, " ")
	if len(in.Heredocs) > 0 {
		trimmed := strings.TrimSpace(text)
		var b strings.Builder
		if !strings.HasPrefix(trimmed, "<<") {
			// RUN cmd <<EOF: the command itself is the code.
			b.WriteString(trimmed)
			b.WriteString("\n")
		}
		for _, h := range in.Heredocs {
			if strings.HasPrefix(trimmed, "<<") {
				b.WriteString(h.Content)
			}
		}
		return b.String()
	}
	return text
}

// stripComments drops comment lines, to tell an empty file from a broken one.
func stripComments(src []byte) []byte {
	var out []byte
	for _, l := range bytes.Split(src, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, t...)
		}
	}
	return out
}
