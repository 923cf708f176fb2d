package lint

import (
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// Helpers of the DL rules of part B. Names carry a dlb prefix so that they
// never collide with helpers of other rule files in this package.

// dlbRule fills in what every hadolint rule shares.
func dlbRule(id string, sev finding.Severity, cat finding.Category, desc string, check func(*Context, *Reporter)) Rule {
	return Rule{Rule: finding.Rule{
		ID: id, Severity: sev, Category: cat, Domain: finding.Dockerfile,
		Description: desc, DocsURL: "https://github.com/hadolint/hadolint/wiki/" + id,
	}, Check: check}
}

// dlbRun is a RUN (or ONBUILD RUN) under a POSIX shell with its parsed code.
type dlbRun struct {
	In     *dockerfile.Instruction
	Script *shell.Script
}

// dlbRuns returns every RUN that a POSIX shell executes, in order.
func dlbRuns(c *Context) []dlbRun {
	var out []dlbRun
	for _, in := range c.Effective() {
		if s := c.Script(in); s != nil {
			out = append(out, dlbRun{in, s})
		}
	}
	return out
}

// dlbFlags returns a command's flags as hadolint names them: "--name=v"
// gives "name", "-abc" gives "a", "b" and "c"; "-" and "--" are no flags.
func dlbFlags(c shell.Command) []string {
	var out []string
	for _, a := range c.Args {
		switch {
		case a == "-" || a == "--":
		case strings.HasPrefix(a, "--"):
			name, _, _ := strings.Cut(a[2:], "=")
			out = append(out, name)
		case strings.HasPrefix(a, "-"):
			for _, r := range a[1:] {
				out = append(out, string(r))
			}
		}
	}
	return out
}

// dlbHasFlag reports whether the command has any of the hadolint flag names.
func dlbHasFlag(c shell.Command, names ...string) bool {
	for _, f := range dlbFlags(c) {
		for _, n := range names {
			if f == n {
				return true
			}
		}
	}
	return false
}

// dlbArgsNoFlags returns the arguments that do not start with "-" (hadolint
// keeps a flag's separate value, as it cannot know which flags take one).
func dlbArgsNoFlags(c shell.Command) []string {
	var out []string
	for _, a := range c.Args {
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			out = append(out, a)
		}
	}
	return out
}

// dlbCmdHasArgs reports whether c is the program name and has any of args
// anywhere among its arguments (hadolint's cmdHasArgs).
func dlbCmdHasArgs(c shell.Command, name string, args ...string) bool {
	return c.Is(name) && c.HasArg(args...)
}

// dlbIndex returns the index of the first command matching pred, or -1.
func dlbIndex(s *shell.Script, pred func(shell.Command) bool) int {
	for i, c := range s.Commands {
		if pred(c) {
			return i
		}
	}
	return -1
}

// dlbAny reports whether any command matches pred.
func dlbAny(s *shell.Script, pred func(shell.Command) bool) bool {
	return dlbIndex(s, pred) >= 0
}

// dlbCleanedAfter reports whether a command matching clean follows the
// first command matching install (hadolint's findCommandIndex order test).
func dlbCleanedAfter(s *shell.Script, install, clean func(shell.Command) bool) bool {
	i := dlbIndex(s, install)
	if i < 0 {
		return true
	}
	j := dlbIndex(s, clean)
	return j >= 0 && i < j
}

// dlbPairs returns the key/value pairs of an ENV or LABEL instruction.
// BuildKit gives them as triples (key, value, "=" or "" for the legacy
// `ENV key value` form).
func dlbPairs(in *dockerfile.Instruction) []kv {
	var out []kv
	for i := 0; i+1 < len(in.Args); i += 3 {
		out = append(out, kv{Key: dlbUnquote(in.Args[i]), Value: dlbUnquote(in.Args[i+1]), HasValue: true})
	}
	return out
}

// dlbArgs returns the names (and defaults) an ARG declares.
func dlbArgs(in *dockerfile.Instruction) []kv {
	var out []kv
	for _, a := range in.Args {
		k, v, ok := strings.Cut(a, "=")
		out = append(out, kv{Key: k, Value: dlbUnquote(v), HasValue: ok})
	}
	return out
}

// dlbUnquote removes the quotes of a Dockerfile word: "a b" and 'a b' and
// a"b"c alike, honouring backslash escapes inside double quotes.
func dlbUnquote(s string) string {
	if !strings.ContainsAny(s, `"'\`) {
		return s
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote == 0 && (ch == '"' || ch == '\''):
			quote = ch
		case quote != 0 && ch == quote:
			quote = 0
		case ch == '\\' && quote != '\'' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// dlbStageName is the name hadolint tracks a stage by: its alias, or the
// image it starts from.
func dlbStageName(s *dockerfile.Stage) string {
	if s.Name != "" {
		return s.Name
	}
	return dlbImageName(s.Base)
}

// dlbInsertAfterWord builds a fix inserting text after word w of command c.
func dlbInsertAfterWord(f *dockerfile.File, r dlbRun, c shell.Command, w, text, desc string) *finding.Fix {
	start := dlbWordStart(r.Script, c, w)
	if start < 0 {
		return nil
	}
	from, to, ok := r.In.Code.Span(start, start+len(w))
	if !ok || string(f.Source[from:to]) != w {
		return nil
	}
	return &finding.Fix{Description: desc, Edits: []finding.Edit{Edit(f, to, to, text)}}
}

// dlbInsertAfterCommand builds a fix appending text after command c ends.
func dlbInsertAfterCommand(f *dockerfile.File, r dlbRun, c shell.Command, text, desc string) *finding.Fix {
	if c.Nested || c.End <= c.Offset || !shell.FollowedByList(r.Script.Source, c.End) {
		return nil // a pipe or redirection after it would take the text in
	}
	last := r.In.Code.At(c.End - 1)
	if last < 0 || f.Source[last] != r.Script.Source[c.End-1] {
		return nil
	}
	return &finding.Fix{Description: desc, Edits: []finding.Edit{Edit(f, last+1, last+1, text)}}
}

// dlbWordStart returns the code offset where word w of command c starts, or -1.
func dlbWordStart(s *shell.Script, c shell.Command, w string) int {
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

// dlbFixEach builds one fix inserting text after word(cmd) of every command
// in cmds; it returns nil unless every command can be edited.
func dlbFixEach(f *dockerfile.File, r dlbRun, cmds []shell.Command, word func(shell.Command) string, text, desc string) *finding.Fix {
	var edits []finding.Edit
	for _, cmd := range cmds {
		fix := dlbInsertAfterWord(f, r, cmd, word(cmd), text, desc)
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
