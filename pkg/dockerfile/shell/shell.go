// Package shell parses the shell code of RUN instructions with mvdan.cc/sh
// and flattens it into simple commands, so lint rules can ask "which
// commands run, with which flags and arguments" without caring about &&, ;,
// pipes, subshells or `sh -c "..."`.
package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Script is parsed shell code.
type Script struct {
	Source   string
	Commands []Command
	// HasPipe is true when any pipeline (a | b) occurs.
	HasPipe bool
	// Err is set when the code is not valid shell; Commands then holds what
	// a word split found, so rules still see something.
	Err error
}

// Command is one simple command.
type Command struct {
	// Name is the program, e.g. "apt-get" (a leading sudo is kept as Name).
	Name string
	// Args are the words after Name. Literal words are unquoted; others keep
	// their source text ($VAR, $(cmd)).
	Args []string
	// Env are assignments before the command (FOO=bar cmd).
	Env []string
	// Offset and End locate the command in Source (bytes).
	Offset, End int
	// Pipeline is the index of the pipeline the command belongs to; commands
	// of one pipeline share it. PipePos is its position in that pipeline.
	Pipeline, PipePos int
	// Nested is true for commands found inside `sh -c` strings.
	Nested bool
}

// Parse parses shell code (POSIX/bash dialect).
func Parse(src string) *Script {
	s := &Script{Source: src}
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(false)).Parse(strings.NewReader(src), "")
	if err != nil {
		s.Err = err
		s.Commands = fallback(src)
		return s
	}
	w := &walker{s: s}
	w.file(file, false)
	return s
}

type walker struct {
	s        *Script
	pipeline int
}

func (w *walker) file(f *syntax.File, nested bool) {
	for _, st := range f.Stmts {
		w.stmt(st, nested, -1, 0)
	}
}

func (w *walker) stmt(st *syntax.Stmt, nested bool, pipe, pos int) {
	if st == nil || st.Cmd == nil {
		return
	}
	if pipe < 0 {
		w.pipeline++
		pipe = w.pipeline
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		w.call(c, nested, pipe, pos)
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			w.s.HasPipe = true
			w.stmt(c.X, nested, pipe, pos)
			w.stmt(c.Y, nested, pipe, pos+1)
			return
		}
		w.stmt(c.X, nested, -1, 0)
		w.stmt(c.Y, nested, -1, 0)
	case *syntax.Subshell:
		for _, s := range c.Stmts {
			w.stmt(s, nested, -1, 0)
		}
	case *syntax.Block:
		for _, s := range c.Stmts {
			w.stmt(s, nested, -1, 0)
		}
	case *syntax.IfClause:
		for cl := c; cl != nil; cl = cl.Else {
			for _, s := range cl.Cond {
				w.stmt(s, nested, -1, 0)
			}
			for _, s := range cl.Then {
				w.stmt(s, nested, -1, 0)
			}
		}
	case *syntax.WhileClause:
		for _, s := range c.Cond {
			w.stmt(s, nested, -1, 0)
		}
		for _, s := range c.Do {
			w.stmt(s, nested, -1, 0)
		}
	case *syntax.ForClause:
		for _, s := range c.Do {
			w.stmt(s, nested, -1, 0)
		}
	case *syntax.CaseClause:
		for _, it := range c.Items {
			for _, s := range it.Stmts {
				w.stmt(s, nested, -1, 0)
			}
		}
	case *syntax.FuncDecl:
		w.stmt(c.Body, nested, -1, 0)
	case *syntax.DeclClause:
		// export/local/declare: nothing runs.
	}
}

func (w *walker) call(c *syntax.CallExpr, nested bool, pipe, pos int) {
	cmd := Command{Pipeline: pipe, PipePos: pos, Nested: nested}
	for _, a := range c.Assigns {
		cmd.Env = append(cmd.Env, w.text(a))
	}
	if len(c.Args) == 0 {
		return
	}
	cmd.Name = wordText(c.Args[0])
	for _, a := range c.Args[1:] {
		cmd.Args = append(cmd.Args, wordText(a))
	}
	if !nested {
		cmd.Offset = int(c.Pos().Offset())
		cmd.End = int(c.End().Offset())
	}
	w.s.Commands = append(w.s.Commands, cmd)
	// sh -c "code", bash -c 'code': walk the inner code too.
	if base := baseName(cmd.Name); (base == "sh" || base == "bash" || base == "ash" || base == "dash" || base == "zsh") && len(cmd.Args) >= 2 {
		for i, a := range cmd.Args[:len(cmd.Args)-1] {
			if strings.HasPrefix(a, "-") && strings.Contains(a, "c") && !strings.HasPrefix(a, "--") {
				inner := Parse(cmd.Args[i+1])
				for _, ic := range inner.Commands {
					ic.Nested = true
					ic.Offset, ic.End = 0, 0
					ic.Pipeline += w.pipeline + 1000
					w.s.Commands = append(w.s.Commands, ic)
				}
				if inner.HasPipe {
					w.s.HasPipe = true
				}
				break
			}
		}
	}
}

func (w *walker) text(n syntax.Node) string {
	start, end := int(n.Pos().Offset()), int(n.End().Offset())
	if start >= 0 && end <= len(w.s.Source) && start <= end {
		return w.s.Source[start:end]
	}
	return ""
}

// wordText returns the literal value of a word when it is made of literals
// and quotes only, and a printed form otherwise.
func wordText(word *syntax.Word) string {
	if lit, ok := literal(word); ok {
		return lit
	}
	var b strings.Builder
	syntax.NewPrinter().Print(&b, word)
	return b.String()
}

func literal(word *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, part := range word.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				b.WriteString(lit.Value)
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

func baseName(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// fallback splits invalid shell on && ; | and whitespace.
func fallback(src string) []Command {
	var out []Command
	pipe := 0
	for _, seg := range splitAny(src, []string{"&&", "||", ";", "\n"}) {
		pipe++
		for pos, part := range strings.Split(seg, "|") {
			f := strings.Fields(part)
			var env []string
			for len(f) > 0 && strings.Contains(f[0], "=") && !strings.HasPrefix(f[0], "-") {
				env = append(env, f[0])
				f = f[1:]
			}
			if len(f) == 0 {
				continue
			}
			for i := range f {
				f[i] = strings.Trim(f[i], `"'`)
			}
			out = append(out, Command{Name: f[0], Args: f[1:], Env: env, Pipeline: pipe, PipePos: pos})
		}
	}
	return out
}

func splitAny(s string, seps []string) []string {
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}

// Find returns the commands named name (base name compared, so /usr/bin/pip
// matches pip).
func (s *Script) Find(names ...string) []Command {
	var out []Command
	for _, c := range s.Commands {
		for _, n := range names {
			if c.Is(n) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// Has reports whether any command is named one of names.
func (s *Script) Has(names ...string) bool { return len(s.Find(names...)) > 0 }

// Is reports whether the command's program is name (by base name).
func (c Command) Is(name string) bool { return c.Name == name || baseName(c.Name) == name }

// Positional returns the arguments that are not flags (do not start with -).
func (c Command) Positional() []string {
	var out []string
	for _, a := range c.Args {
		if !strings.HasPrefix(a, "-") || a == "-" {
			out = append(out, a)
		}
	}
	return out
}

// Sub returns the first positional argument (the subcommand), or "".
func (c Command) Sub() string {
	if p := c.Positional(); len(p) > 0 {
		return p[0]
	}
	return ""
}

// HasArg reports whether any argument equals one of words.
func (c Command) HasArg(words ...string) bool {
	for _, a := range c.Args {
		for _, w := range words {
			if a == w {
				return true
			}
		}
	}
	return false
}

// HasFlag reports whether one of flags is set. Long flags match "--name"
// and "--name=value"; a one-letter flag "-y" also matches inside a cluster
// such as "-qy".
func (c Command) HasFlag(flags ...string) bool {
	_, ok := c.flag(flags...)
	return ok
}

// FlagValue returns the value of a flag given as --name=value, --name value,
// -n value or -nvalue.
func (c Command) FlagValue(flags ...string) (string, bool) {
	return c.flag(flags...)
}

func (c Command) flag(flags ...string) (string, bool) {
	for i, a := range c.Args {
		if a == "--" {
			return "", false
		}
		for _, fl := range flags {
			next := ""
			if i+1 < len(c.Args) {
				next = c.Args[i+1]
			}
			switch {
			case strings.HasPrefix(fl, "--"):
				if a == fl {
					return next, true
				}
				if strings.HasPrefix(a, fl+"=") {
					return a[len(fl)+1:], true
				}
			case strings.HasPrefix(fl, "-") && len(fl) == 2:
				if a == fl {
					return next, true
				}
				if len(a) > 2 && a[0] == '-' && a[1] != '-' {
					if a[1] == fl[1] {
						return a[2:], true
					}
					if strings.IndexByte(a[1:], fl[1]) >= 0 && isLetters(a[1:]) {
						return "", true
					}
				}
			default:
				if a == fl {
					return next, true
				}
			}
		}
	}
	return "", false
}

func isLetters(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// String returns the command as one line.
func (c Command) String() string {
	parts := append(append([]string{}, c.Env...), c.Name)
	return strings.Join(append(parts, c.Args...), " ")
}
