package lint

import (
	"path"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
)

// Helpers over RUN scripts and their commands, shared by the rule files.

// positional returns the arguments that are not flags, dropping the value
// that follows each flag of valueFlags given as a separate word ("-t x").
func positional(cmd shell.Command, valueFlags ...string) []string {
	var out []string
	for i := 0; i < len(cmd.Args); i++ {
		a := cmd.Args[i]
		if strings.HasPrefix(a, "-") && a != "-" {
			for _, vf := range valueFlags {
				if a == vf {
					i++
					break
				}
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// after drops everything up to and including the first word (and repeats of it).
func after(args []string, word string) []string {
	for i, a := range args {
		if a == word {
			rest := args[i+1:]
			for len(rest) > 0 && rest[0] == word {
				rest = rest[1:]
			}
			return rest
		}
	}
	return nil
}

func without(args []string, words ...string) []string {
	var out []string
outer:
	for _, a := range args {
		for _, w := range words {
			if a == w {
				continue outer
			}
		}
		out = append(out, a)
	}
	return out
}

// withArg returns the commands of s run as one of tools with arg among
// their arguments (a subcommand such as install).
func withArg(s *shell.Script, arg string, tools ...string) []shell.Command {
	var out []shell.Command
	for _, cmd := range s.Find(tools...) {
		if cmd.HasArg(arg) {
			out = append(out, cmd)
		}
	}
	return out
}

// runScript is a RUN (or ONBUILD RUN) under a POSIX shell with its parsed code.
type runScript struct {
	In     *dockerfile.Instruction
	Script *shell.Script
}

// runScripts returns every RUN that a POSIX shell executes, in order.
func runScripts(c *Context) []runScript {
	var out []runScript
	for _, in := range c.Effective() {
		if s := c.Script(in); s != nil {
			out = append(out, runScript{in, s})
		}
	}
	return out
}

// hadolintFlags returns a command's flags as hadolint names them: "--name=v"
// gives "name", "-abc" gives "a", "b" and "c"; "-" and "--" are no flags.
func hadolintFlags(c shell.Command) []string {
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

// hasFlag reports whether the command has any of the hadolint flag names.
func hasFlag(c shell.Command, names ...string) bool {
	for _, f := range hadolintFlags(c) {
		for _, n := range names {
			if f == n {
				return true
			}
		}
	}
	return false
}

// argsNoFlags returns the arguments that do not start with "-" (hadolint
// keeps a flag's separate value, as it cannot know which flags take one).
func argsNoFlags(c shell.Command) []string {
	var out []string
	for _, a := range c.Args {
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			out = append(out, a)
		}
	}
	return out
}

// cmdHasArgs reports whether c is the program name and has any of args
// anywhere among its arguments (hadolint's cmdHasArgs).
func cmdHasArgs(c shell.Command, name string, args ...string) bool {
	return c.Is(name) && c.HasArg(args...)
}

// commandIndex returns the index of the first command matching pred, or -1.
func commandIndex(s *shell.Script, pred func(shell.Command) bool) int {
	for i, c := range s.Commands {
		if pred(c) {
			return i
		}
	}
	return -1
}

// anyCommand reports whether any command matches pred.
func anyCommand(s *shell.Script, pred func(shell.Command) bool) bool {
	return commandIndex(s, pred) >= 0
}

// cleanedAfter reports whether a command matching clean follows the
// first command matching install (hadolint's findCommandIndex order test).
func cleanedAfter(s *shell.Script, install, clean func(shell.Command) bool) bool {
	i := commandIndex(s, install)
	if i < 0 {
		return true
	}
	j := commandIndex(s, clean)
	return j >= 0 && i < j
}

// lastCommand returns the last command matching pred (the zero Command when none).
func lastCommand(s *shell.Script, pred func(shell.Command) bool) shell.Command {
	var last shell.Command
	for _, cmd := range s.Commands {
		if pred(cmd) {
			last = cmd
		}
	}
	return last
}

func baseName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// hasBindMount reports whether a RUN bind-mounts (sources from the context).
func hasBindMount(in *dockerfile.Instruction) bool {
	for _, m := range in.Mounts {
		if m.Type == "bind" {
			return true
		}
	}
	return false
}

// isSubcommand reports whether cmd is one of names with sub as subcommand
// (sub "" matches any).
func isSubcommand(cmd shell.Command, name string, subs ...string) bool {
	if !cmd.Is(name) {
		return false
	}
	if len(subs) == 0 {
		return true
	}
	s := cmd.Sub()
	for _, want := range subs {
		if s == want {
			return true
		}
	}
	return false
}

// installedPackages returns the package arguments of apt-get/apt/apk/yum/
// dnf/microdnf install commands (version pins removed).
func installedPackages(cmd shell.Command) []string {
	var pkgs []string
	switch {
	case cmd.Is("apt-get") || cmd.Is("apt") || cmd.Is("aptitude"):
		if cmd.Sub() != "install" {
			return nil
		}
	case cmd.Is("apk"):
		if cmd.Sub() != "add" {
			return nil
		}
	case cmd.Is("yum") || cmd.Is("dnf") || cmd.Is("microdnf") || cmd.Is("zypper"):
		if s := cmd.Sub(); s != "install" && s != "in" {
			return nil
		}
	default:
		return nil
	}
	skipNext := false
	for i, a := range cmd.Args {
		if skipNext {
			skipNext = false
			continue
		}
		if strings.HasPrefix(a, "-") {
			// Flags with a separate value.
			switch a {
			case "-t", "--target-release", "-o", "--option", "--virtual", "-t=", "--repository", "-X", "--setopt", "--enablerepo", "--disablerepo", "-c", "--config":
				skipNext = true
			}
			if cmd.Is("apk") && a == "-t" {
				skipNext = true
			}
			continue
		}
		if i == indexOf(cmd.Args, cmd.Sub()) {
			continue
		}
		name := a
		for _, sep := range []string{"=", ">", "<", "~"} {
			if j := strings.Index(name, sep); j > 0 {
				name = name[:j]
			}
		}
		pkgs = append(pkgs, name)
	}
	return pkgs
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// simpleShellRun reports whether a RUN is shell form without heredocs, so
// its text can be edited.
func simpleShellRun(in *dockerfile.Instruction) bool {
	return in.Cmd == "run" && !in.JSON && len(in.Heredocs) == 0 && !in.InOnBuild
}

// isPip reports whether a command is `pip install` (pip, pip3, python -m pip).
func isPip(cmd shell.Command) bool {
	if cmd.Is("pip") || cmd.Is("pip3") || strings.HasPrefix(path.Base(cmd.Name), "pip3.") {
		return cmd.Sub() == "install"
	}
	if strings.HasPrefix(path.Base(cmd.Name), "python") && len(cmd.Args) >= 3 && cmd.Args[0] == "-m" && (cmd.Args[1] == "pip" || cmd.Args[1] == "pip3") {
		return cmd.Args[2] == "install"
	}
	return false
}

// bareCommand reports a command run without a subcommand, which for yarn
// and bundle means install (but not `yarn --version`).
func bareCommand(cmd shell.Command) bool {
	return cmd.Sub() == "" && !cmd.HasFlag("--version", "-v", "--help", "-h", "-V")
}

// reportFirstUnpinned reports a RUN once, at the first package that is not
// pinned: the positional arguments but sub of the commands installs finds,
// valueFlags being the options that take a value.
func reportFirstUnpinned(c *Context, r *Reporter, installs func(*shell.Script) []shell.Command, sub string, valueFlags []string,
	pinned func(pkg string) bool, msg func(pkg string) string) {
runs:
	for _, rs := range runScripts(c) {
		for _, cmd := range installs(rs.Script) {
			for _, p := range without(positional(cmd, valueFlags...), sub) {
				if !pinned(p) {
					r.At(rs.In, msg(p))
					continue runs
				}
			}
		}
	}
}
