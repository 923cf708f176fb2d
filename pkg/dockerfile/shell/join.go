package shell

import (
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Joining scripts. A Dockerfile runs each RUN in a fresh shell (`sh -c`) and
// stops the build at the first that fails. Writing two RUNs as one script
// keeps that only when the first leaves nothing behind that the second
// could see (working directory, variables, functions, aliases, `set`
// options, traps, umask, an `exit` that would now skip the second, a
// background job that would now outlive it), and when the text of the join
// makes the second run exactly when the first succeeded. AndThen checks
// both; the differential fuzzer in join_test.go runs the originals and the
// joined script with /bin/sh and compares status, output and files.

// Join says how b can follow a in one script.
type Join struct {
	// Group: b must be written as `{ b; }` after `a && ` (b is not one
	// &&-chain, so `a && b` would parse as `(a && b1) || b2` or `a && b1; b2`).
	Group bool
}

// AndThen reports whether `sh -c a`, then `sh -c b` if a succeeded, can be
// written as one script `a && b` (or `a && { b; }`), and if not, why.
// errexit says the shell runs with -e (a SHELL with -e or -o errexit):
// then a must end in simple commands, since `set -e` is ignored inside a
// compound command that is not the last of an && list. posix parses as
// POSIX sh (sh, dash, ash) rather than bash.
func AndThen(a, b string, errexit, posix bool) (Join, error) {
	fa, err := parseLang(a, posix)
	if err != nil {
		return Join{}, fmt.Errorf("the first RUN is not plain shell code: %v", err)
	}
	fb, err := parseLang(b, posix)
	if err != nil {
		return Join{}, fmt.Errorf("the second RUN is not plain shell code: %v", err)
	}
	if len(fa.Stmts) == 0 || len(fb.Stmts) == 0 {
		return Join{}, fmt.Errorf("a RUN has no commands")
	}
	if hasHeredocOrComment(fa) || hasHeredocOrComment(fb) {
		return Join{}, fmt.Errorf("a RUN has a here-document or a comment, which text appended after it would join")
	}
	if why := leaksState(fa); why != "" {
		return Join{}, fmt.Errorf("the first RUN %s, which the second would then inherit", why)
	}
	last := fa.Stmts[len(fa.Stmts)-1]
	if errexit && !simpleChain(last) {
		return Join{}, fmt.Errorf("the shell runs with -e and the first RUN ends in a compound command, where -e would stop applying")
	}
	if why := readsLast(fb); why != "" {
		return Join{}, fmt.Errorf("the second RUN %s", why)
	}
	return Join{Group: !andChain(fb)}, nil
}

// Text returns the joined script (for tests and callers without a file to
// edit in place).
func (j Join) Text(a, b string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if j.Group {
		return a + " && { " + b + "; }"
	}
	return a + " && " + b
}

func parseLang(src string, posix bool) (*syntax.File, error) {
	lang := syntax.LangBash
	if posix {
		lang = syntax.LangPOSIX
	}
	return syntax.NewParser(syntax.Variant(lang), syntax.KeepComments(true)).Parse(strings.NewReader(src), "")
}

// stateful are builtins (and bash/ksh builtins) that change the shell
// itself, or end or replace it, or whose effect depends on state.
var stateful = map[string]string{
	"cd": "changes the working directory", "pushd": "changes the working directory", "popd": "changes the working directory",
	"export": "sets variables", "unset": "unsets variables", "readonly": "sets variables", "local": "sets variables",
	"declare": "sets variables", "typeset": "sets variables", "read": "sets variables", "getopts": "sets variables",
	"mapfile": "sets variables", "readarray": "sets variables", "let": "sets variables",
	"set": "changes shell options", "shopt": "changes shell options", "shift": "changes the arguments",
	"exit": "can exit the shell", "return": "can exit the shell", "exec": "can replace the shell",
	"logout": "can exit the shell", "break": "can exit the shell", "continue": "can exit the shell",
	"trap": "sets a trap", "umask": "changes the umask", "ulimit": "changes limits",
	"alias": "defines aliases", "unalias": "removes aliases", "hash": "changes the command cache",
	"eval": "runs code it builds", ".": "sources a file", "source": "sources a file",
	"builtin": "runs a builtin", "enable": "changes builtins",
	"wait": "waits for jobs", "jobs": "lists jobs", "fg": "moves jobs", "bg": "moves jobs", "disown": "moves jobs",
	"suspend": "stops the shell", "kill": "can signal the shell", "fc": "runs history", "history": "changes history",
	"bind": "changes key bindings", "complete": "changes completion",
}

// leaksState returns what a script does to its shell that a following
// script in the same shell would see, or "".
func leaksState(f *syntax.File) string {
	why := ""
	deny := func(s string) bool {
		if why == "" {
			why = s
		}
		return false
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *syntax.Stmt:
			if n.Background || n.Coprocess || n.Disown {
				return deny("starts a background job that would outlive it")
			}
		case *syntax.Subshell, *syntax.CmdSubst, *syntax.ProcSubst:
			// Their own process: state stays inside; only a background
			// job can escape (checked by walking for it).
			if hasBackground(n) {
				return deny("starts a background job that would outlive it")
			}
			return false
		case *syntax.CallExpr:
			if len(n.Args) == 0 {
				return deny("sets a shell variable")
			}
			name, ok := literal(n.Args[0])
			if !ok {
				return deny("runs a command whose name is an expansion")
			}
			if w, bad := stateful[name]; bad {
				return deny(fmt.Sprintf("%s (`%s`)", w, name))
			}
			if name == "command" && !(len(n.Args) > 1 && isWord(n.Args[1], "-v", "-V")) {
				return deny("runs `command`, which can run a builtin")
			}
			if name == "printf" && len(n.Args) > 1 && isWord(n.Args[1], "-v") {
				return deny("sets variables (`printf -v`)")
			}
			if len(n.Assigns) > 0 && (name == ":" || name == "times" || name == "true" || name == "false") {
				return deny("sets a shell variable (an assignment before a builtin)")
			}
		case *syntax.DeclClause:
			return deny("sets variables (`" + n.Variant.Value + "`)")
		case *syntax.FuncDecl:
			return deny("defines a function")
		case *syntax.ForClause:
			return deny("leaves its loop variable set")
		case *syntax.ArithmCmd, *syntax.LetClause:
			return deny("evaluates arithmetic, which can set variables")
		case *syntax.ArithmExp:
			if !constArithm(n.X) {
				return deny("evaluates arithmetic on variables, which can set them")
			}
			return false
		case *syntax.ParamExp:
			if n.Exp != nil && (n.Exp.Op == syntax.AssignUnset || n.Exp.Op == syntax.AssignUnsetOrNull) {
				return deny("sets a variable (`${x:=y}`)")
			}
			if n.Index != nil {
				return deny("indexes an array, which can evaluate arithmetic")
			}
		case *syntax.BinaryTest:
			if n.Op == syntax.TsReMatch {
				return deny("sets BASH_REMATCH (`=~`)")
			}
		case *syntax.CoprocClause:
			return deny("starts a coprocess")
		}
		return true
	})
	return why
}

func hasBackground(n syntax.Node) bool {
	found := false
	syntax.Walk(n, func(n syntax.Node) bool {
		if s, ok := n.(*syntax.Stmt); ok && (s.Background || s.Coprocess || s.Disown) {
			found = true
		}
		if _, ok := n.(*syntax.CoprocClause); ok {
			found = true
		}
		return !found
	})
	return found
}

func constArithm(x syntax.ArithmExpr) bool {
	ok := true
	syntax.Walk(x, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.BinaryArithm:
			if n.Op >= syntax.Assgn && n.Op <= syntax.PowAssgn {
				ok = false
			}
		case *syntax.UnaryArithm:
			if n.Op == syntax.Inc || n.Op == syntax.Dec {
				ok = false
			}
		case *syntax.Lit:
			if strings.Trim(n.Value, "0123456789") != "" {
				ok = false
			}
		case *syntax.ParamExp, *syntax.CmdSubst:
			ok = false
		}
		return ok
	})
	return ok
}

func isWord(w *syntax.Word, alts ...string) bool {
	s, ok := literal(w)
	if !ok {
		return false
	}
	for _, a := range alts {
		if s == a {
			return true
		}
	}
	return false
}

// simpleChain: a statement made only of simple commands joined by
// pipes, && and ||, so `set -e` treats it the same as the last or a
// non-last part of an && list.
func simpleChain(s *syntax.Stmt) bool {
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		return true
	case *syntax.BinaryCmd:
		return simpleChain(c.X) && simpleChain(c.Y)
	}
	return false
}

// andChain: one statement whose top level joins commands with && only, so
// `a && b` keeps b's parts in order behind a.
func andChain(f *syntax.File) bool {
	if len(f.Stmts) != 1 {
		return false
	}
	s := f.Stmts[0]
	if s.Background || s.Coprocess || s.Disown || len(s.Comments) > 0 {
		return false
	}
	var ok func(s *syntax.Stmt) bool
	ok = func(s *syntax.Stmt) bool {
		b, isBin := s.Cmd.(*syntax.BinaryCmd)
		if !isBin {
			return true
		}
		if s.Negated || (b.Op != syntax.AndStmt) {
			return false
		}
		return ok(b.X) && ok(b.Y)
	}
	return ok(s)
}

// readsLast reports what in a script reads state the previous command of
// the same shell leaves ($_ is the last argument of the previous command).
func readsLast(f *syntax.File) string {
	why := ""
	syntax.Walk(f, func(n syntax.Node) bool {
		if p, ok := n.(*syntax.ParamExp); ok && p.Param != nil && p.Param.Value == "_" {
			why = "reads `$_`, the previous command's last argument"
		}
		return why == ""
	})
	return why
}

func hasHeredocOrComment(f *syntax.File) bool {
	found := len(f.Last) > 0
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Comment:
			found = true
		case *syntax.Redirect:
			if n.Hdoc != nil {
				found = true
			}
		}
		return !found
	})
	return found
}

// Mode reads a SHELL array (["/bin/sh", "-c"]): whether -e (errexit) is on,
// and whether the shell is a plain POSIX sh (sh, dash, ash) rather than
// bash, zsh or ksh.
func Mode(args []string) (errexit, posix bool) {
	if len(args) == 0 {
		return false, true
	}
	switch baseName(args[0]) {
	case "sh", "dash", "ash", "busybox":
		posix = true
	}
	for i, a := range args[1:] {
		switch {
		case a == "-c" || a == "--":
			return errexit, posix
		case a == "-o" && i+2 < len(args) && args[i+2] == "errexit":
			errexit = true
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsRune(a, 'e'):
			errexit = true
		}
	}
	return errexit, posix
}

// Appendable reports whether ` && more` can be appended to code and run
// after all of it: code parses, has no comment (the text would land in it)
// or here-document, and does not end in ;, &, | or a backslash.
func Appendable(code string) bool {
	t := strings.TrimSpace(code)
	if t == "" || strings.ContainsAny(t[len(t)-1:], ";&|\\") {
		return false
	}
	f, err := parseLang(code, false)
	return err == nil && !hasHeredocOrComment(f)
}

// FollowedByList reports whether the command ending at offset end of code
// is followed only by the end of code, &&, ||, ;, a newline or the close of
// a group: then ` && more` inserted at end runs more right after that
// command, without taking over a pipe or a redirection that follows it.
func FollowedByList(code string, end int) bool {
	if end < 0 || end > len(code) {
		return false
	}
	after := strings.TrimLeft(code[end:], " \t")
	if after == "" {
		return true
	}
	for _, p := range []string{"&&", "||", ";", "\n", ")", "}"} {
		if strings.HasPrefix(after, p) {
			return true
		}
	}
	return false
}
