package lint

import (
	"os"
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
)

// Package manager and download rules over RUN.

func dlbZypperInstall(c shell.Command) bool { return dlbCmdHasArgs(c, "zypper", "install", "in") }

func checkDL3034(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if dlbCmdHasArgs(cmd, "zypper", "install", "in", "remove", "rm", "source-install", "si", "patch") && !dlbHasFlag(cmd, "no-confirm", "y", "n", "non-interactive") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			sub := bad[0].Sub()
			r.Fix(run.In, "Add `-y` so zypper does not wait for input: `zypper "+sub+" -y <package>`.",
				dlbFixEach(c.File, run, bad, shell.Command.Sub, " -y", "add -y to zypper"))
		}
	}
}

func checkDL3035(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		if dlbAny(run.Script, func(cmd shell.Command) bool { return dlbCmdHasArgs(cmd, "zypper", "dist-upgrade", "dup") }) {
			r.At(run.In, "Do not use `zypper dist-upgrade` in a build; install the packages you need, or use a newer base image.")
		}
	}
}

func checkDL3036(c *Context, r *Reporter) {
	zclean := func(cmd shell.Command) bool { return dlbCmdHasArgs(cmd, "zypper", "clean", "cc") }
	for _, run := range dlbRuns(c) {
		if dlbCleanedAfter(run.Script, dlbZypperInstall, zclean) || run.In.CachesDir("/var/cache/zypp") {
			continue
		}
		last := dlbLast(run.Script, dlbZypperInstall)
		r.Fix(run.In, "`zypper clean` missing after zypper use: end the RUN with `&& zypper clean` so the package cache stays out of the layer.",
			dlbInsertAfterCommand(c.File, run, last, " && zypper clean", "append zypper clean"))
	}
}

// dlbLast returns the last command matching pred (the zero Command when none).
func dlbLast(s *shell.Script, pred func(shell.Command) bool) shell.Command {
	var last shell.Command
	for _, cmd := range s.Commands {
		if pred(cmd) {
			last = cmd
		}
	}
	return last
}

func checkDL3037(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		var unpinned []string
		for _, cmd := range run.Script.Commands {
			if !dlbZypperInstall(cmd) {
				continue
			}
			for _, a := range dlbArgsNoFlags(cmd) {
				if a == "install" || a == "in" {
					continue
				}
				if !strings.ContainsAny(a, "=<>") && !strings.HasSuffix(a, ".rpm") {
					unpinned = append(unpinned, a)
				}
			}
		}
		if len(unpinned) > 0 {
			r.At(run.In, "Pin zypper package versions (`zypper install -y "+unpinned[0]+"=<version>`): "+strings.Join(unpinned, ", ")+".")
		}
	}
}

var dlbDnf = []string{"dnf", "microdnf"}

func dlbIsDnf(cmd shell.Command) bool { return cmd.Is("dnf") || cmd.Is("microdnf") }

func checkDL3038(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if dlbIsDnf(cmd) && cmd.HasArg("install", "groupinstall", "localinstall") && !dlbHasFlag(cmd, "y", "assumeyes") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			sub := func(cmd shell.Command) string {
				for _, a := range cmd.Args {
					if a == "install" || a == "groupinstall" || a == "localinstall" {
						return a
					}
				}
				return "install"
			}
			name := dlbBase(bad[0].Name)
			r.Fix(run.In, "Add `-y` so "+name+" does not wait for input: `"+name+" "+sub(bad[0])+" -y <package>`.",
				dlbFixEach(c.File, run, bad, sub, " -y", "add -y to "+name))
		}
	}
}

func dlbBase(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// dlbDnfInstalls are the dnf subcommands that fill the package cache.
var dlbDnfInstalls = []string{"install", "in", "reinstall", "rei", "upgrade", "up", "upgrade-minimal", "up-min", "groupinstall", "localinstall"}

var dlbDnfCaches = []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"}

func checkDL3040(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		if run.In.CachesDir(dlbDnfCaches...) {
			continue
		}
		for _, name := range dlbDnf {
			install := func(cmd shell.Command) bool { return dlbCmdHasArgs(cmd, name, dlbDnfInstalls...) }
			clean := func(cmd shell.Command) bool {
				if dlbCmdHasArgs(cmd, name, "clean", "all") {
					return true
				}
				if !cmd.Is("rm") || !dlbHasFlag(cmd, "r", "recursive") {
					return false
				}
				for _, a := range dlbArgsNoFlags(cmd) {
					for _, d := range dlbDnfCaches {
						if a == d || a == d+"/" || a == d+"/*" {
							return true
						}
					}
				}
				return false
			}
			if dlbCleanedAfter(run.Script, install, clean) {
				continue
			}
			last := dlbLast(run.Script, install)
			r.Fix(run.In, "`"+name+" clean all` missing after "+name+" installed packages: end the RUN with `&& "+name+" clean all` (or mount a cache on /var/cache/libdnf5) so the package cache stays out of the layer.",
				dlbInsertAfterCommand(c.File, run, last, " && "+name+" clean all", "append "+name+" clean all"))
			break
		}
	}
}

func checkDL3041(c *Context, r *Reporter) {
	// A version may come from a variable: ARG values (hadolint keeps them
	// across stages) and ENV values of the stage and the stages it is
	// built FROM.
	args := map[string]string{}
	for _, in := range c.File.MetaArgs {
		dlbSetArgs(args, in)
	}
	envs := map[string]map[string]string{}
	for _, st := range c.File.Stages {
		name := dlbStageName(st)
		env := map[string]string{}
		if st.From != nil {
			for k, v := range envs[dlbImageName(st.Base)] {
				env[k] = v
			}
		}
		envs[name] = env
		for _, in := range c.StageEffective(st) {
			switch in.Cmd {
			case "arg":
				dlbSetArgs(args, in)
				continue
			case "env":
				for _, p := range dlbPairs(in) {
					env[p.Key] = p.Value
				}
				continue
			}
			s := c.Script(in)
			if s == nil {
				continue
			}
			lookup := func(k string) (string, bool) {
				if v, ok := env[k]; ok {
					return v, true
				}
				v, ok := args[k]
				return v, ok
			}
			var unpinned []string
			for _, cmd := range s.Commands {
				if !dlbIsDnf(cmd) || !cmd.HasArg("install") {
					continue
				}
				module := cmd.HasArg("module")
				if !module && cmd.HasArg("group") {
					continue
				}
				for _, a := range dlbArgsNoFlags(cmd) {
					if a == "install" || a == "module" {
						continue
					}
					v := dlbExpand(dlbUnquote(a), lookup)
					if module && !strings.Contains(v, ":") || !module && !dlbDnfPinned(v) {
						unpinned = append(unpinned, a)
					}
				}
			}
			if len(unpinned) > 0 {
				r.At(in, "Pin dnf package versions (`dnf install -y <package>-<version>`, modules as `<module>:<stream>`): "+strings.Join(unpinned, ", ")+".")
			}
		}
	}
}

// dlbSetArgs records the ARG defaults of in.
func dlbSetArgs(args map[string]string, in *dockerfile.Instruction) {
	for _, a := range dlbArgs(in) {
		if a.HasValue {
			args[a.Key] = a.Value
		} else if _, ok := args[a.Key]; !ok {
			args[a.Key] = "$" + a.Key
		}
	}
}

// dlbExpand replaces $name and ${name} with known values.
func dlbExpand(s string, lookup func(string) (string, bool)) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return os.Expand(s, func(k string) string {
		if v, ok := lookup(k); ok {
			return v
		}
		return "${" + k + "}"
	})
}

// dlbDnfPinned follows hadolint: name-version where the parts after the
// first dash are version-like and one starts with a digit; .rpm files count.
func dlbDnfPinned(pkg string) bool {
	parts := strings.Split(pkg, "-")
	if len(parts) <= 1 {
		return false
	}
	if strings.HasSuffix(pkg, ".rpm") {
		return true
	}
	digit := false
	for _, p := range parts[1:] {
		for _, ch := range p {
			if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || strings.ContainsRune(".~^_:+", ch)) {
				return false
			}
		}
		if p != "" && p[0] >= '0' && p[0] <= '9' {
			digit = true
		}
	}
	return digit
}

var dlbTruthy = map[string]bool{"1": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true, "yes": true, "Yes": true, "YES": true}

func checkDL3042(c *Context, r *Reporter) {
	// PIP_NO_CACHE_DIR set by ENV, per stage and inherited through FROM.
	noCache := map[string]bool{}
	for _, st := range c.File.Stages {
		name := dlbStageName(st)
		if st.From != nil {
			noCache[name] = noCache[dlbImageName(st.Base)]
		}
		for _, in := range c.StageEffective(st) {
			if in.Cmd == "env" {
				for _, p := range dlbPairs(in) {
					if p.Key == "PIP_NO_CACHE_DIR" {
						noCache[name] = dlbTruthy[p.Value]
					}
				}
				continue
			}
			run := dlbRun{in, c.Script(in)}
			if run.Script == nil || noCache[name] || dlbPipNoCacheInline(run.Script.Source) ||
				in.CachesDir("/root/.cache/pip") {
				continue
			}
			var bad []shell.Command
			for _, cmd := range run.Script.Commands {
				if dlbPipInstall(cmd) && !cmd.HasArg("--no-cache-dir") {
					bad = append(bad, cmd)
				}
			}
			if len(bad) > 0 {
				r.Fix(in, "Avoid the pip cache in the image: use `pip install --no-cache-dir <package>` (or a `RUN --mount=type=cache,target=/root/.cache/pip`).",
					dlbFixEach(c.File, run, bad, func(shell.Command) string { return "install" }, " --no-cache-dir", "add --no-cache-dir to pip install"))
			}
		}
	}
}

// dlbPipNoCacheInline finds PIP_NO_CACHE_DIR=<truthy> in the RUN's code.
func dlbPipNoCacheInline(src string) bool {
	i := strings.Index(src, "PIP_NO_CACHE_DIR=")
	if i < 0 {
		return false
	}
	rest := src[i+len("PIP_NO_CACHE_DIR="):]
	for v := range dlbTruthy {
		if strings.HasPrefix(rest, v) {
			return true
		}
	}
	return false
}

// dlbPipInstall is pip*/python* -m pip install, but not pipx or pipenv.
func dlbPipInstall(cmd shell.Command) bool {
	name := dlbBase(cmd.Name)
	if strings.Contains(name, "pipx") || strings.Contains(name, "pipenv") {
		return false
	}
	if strings.HasPrefix(name, "python") && (dlbSeq(cmd.Args, "-m", "pipx") || dlbSeq(cmd.Args, "-m", "pipenv")) {
		return false
	}
	if strings.HasPrefix(name, "pip") {
		return cmd.HasArg("install")
	}
	return strings.HasPrefix(name, "python") && dlbSeq(cmd.Args, "-m", "pip", "install")
}

// dlbSeq reports whether seq occurs contiguously in args.
func dlbSeq(args []string, seq ...string) bool {
outer:
	for i := 0; i+len(seq) <= len(args); i++ {
		for j, s := range seq {
			if args[i+j] != s {
				continue outer
			}
		}
		return true
	}
	return false
}

func checkDL3046(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if dlbBase(cmd.Name) != "useradd" || dlbHasFlag(cmd, "l", "no-log-init") || !dlbHasFlag(cmd, "u", "uid") {
				continue
			}
			if uid, _ := cmd.FlagValue("-u", "--uid"); len(uid) > 5 {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(run.In, "Add `-l` (`--no-log-init`) to useradd: with a high UID the lastlog and faillog files grow huge.",
				dlbFixEach(c.File, run, bad, func(cmd shell.Command) string { return cmd.Name }, " -l", "add -l to useradd"))
		}
	}
}

func checkDL3047(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if dlbBase(cmd.Name) == "wget" && !dlbHasFlag(cmd, "progress", "q", "quiet", "o", "output-file", "a", "append-output", "no-verbose") && !cmd.HasArg("-nv") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(run.In, "Use `wget --progress=dot:giga <url>` (or `-q`/`-nv`) so large downloads do not flood the build log.",
				dlbFixEach(c.File, run, bad, func(cmd shell.Command) string { return cmd.Name }, " --progress=dot:giga", "add --progress=dot:giga to wget"))
		}
	}
}

// dlbFinalChain returns the stages whose content reaches the final image:
// the last stage and the stages it is built FROM, transitively.
func dlbFinalChain(f *dockerfile.File) map[int]bool {
	out := map[int]bool{}
	s := f.Final()
	for s != nil && !out[s.Index] {
		out[s.Index] = true
		if s.From == nil {
			break
		}
		s = f.StageByRef(dlbImageName(s.Base), s.Index)
	}
	return out
}

func checkDL3060(c *Context, r *Reporter) {
	chain := dlbFinalChain(c.File)
	install := func(cmd shell.Command) bool { return dlbCmdHasArgs(cmd, "yarn", "install") }
	clean := func(cmd shell.Command) bool { return dlbCmdHasArgs(cmd, "yarn", "cache", "clean") }
	for _, run := range dlbRuns(c) {
		if !run.In.InOnBuild && !chain[run.In.Stage] {
			continue // an intermediate stage: its cache never reaches the image
		}
		if dlbCleanedAfter(run.Script, install, clean) {
			continue
		}
		yarnDirs := []string{"/root/.cache/yarn", "/usr/local/share/.cache/yarn", "/root/.yarn/berry/cache"}
		if run.In.CachesDir(yarnDirs...) {
			continue
		}
		last := dlbLast(run.Script, install)
		r.Fix(run.In, "`yarn cache clean` missing after `yarn install`: end the RUN with `&& yarn cache clean` (or use `RUN --mount=type=cache,target=/usr/local/share/.cache/yarn`).",
			dlbInsertAfterCommand(c.File, run, last, " && yarn cache clean", "append yarn cache clean"))
	}
}

// dlbGoValueFlags are go build flags that take a separate value.
var dlbGoValueFlags = map[string]bool{"-tags": true, "-ldflags": true, "-gcflags": true, "-asmflags": true, "-o": true, "-mod": true,
	"-modfile": true, "-p": true, "-C": true, "-pkgdir": true, "-overlay": true, "-exec": true, "-toolexec": true, "-buildmode": true,
	"-compiler": true, "-gccgoflags": true, "-installsuffix": true, "-pgo": true, "-coverpkg": true, "-covermode": true}

func checkDL3062(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		var bad []string
		for _, cmd := range run.Script.Commands {
			if dlbBase(cmd.Name) != "go" || len(cmd.Args) == 0 {
				continue
			}
			sub := cmd.Args[0]
			if sub != "install" && sub != "get" && sub != "run" {
				continue
			}
			var pkgs []string
			args := cmd.Args[1:]
			for i := 0; i < len(args); i++ {
				a := args[i]
				if strings.HasPrefix(a, "-") {
					if dlbGoValueFlags[a] {
						i++
					}
					continue
				}
				pkgs = append(pkgs, a)
				if sub == "run" {
					break // the rest are the program's arguments
				}
			}
			for _, p := range pkgs {
				if strings.HasPrefix(p, ".") || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "$") || strings.HasSuffix(p, ".go") {
					continue
				}
				if at := strings.LastIndexByte(p, '@'); at < 0 || p[at+1:] == "latest" || p[at+1:] == "" {
					bad = append(bad, p)
				}
			}
		}
		if len(bad) > 0 {
			r.At(run.In, "Pin the module version: use `go install <package>@<version>` instead of "+strings.Join(bad, ", ")+".")
		}
	}
}

func checkDL4001(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		seen := map[string]bool{}
		for _, in := range c.StageEffective(st) {
			s := c.Script(in)
			if s == nil {
				continue
			}
			found := false
			for _, cmd := range s.Commands {
				if n := dlbBase(cmd.Name); n == "curl" || n == "wget" {
					seen[n] = true
					found = true
				}
			}
			if found && len(seen) >= 2 {
				r.At(in, "Either use wget or curl but not both: pick one download tool for the stage so only one is installed.")
			}
		}
	}
}

func checkDL4005(c *Context, r *Reporter) {
	for _, run := range dlbRuns(c) {
		if dlbAny(run.Script, func(cmd shell.Command) bool { return dlbCmdHasArgs(cmd, "ln", "/bin/sh") }) {
			r.At(run.In, "Use the `SHELL` instruction to change the default shell instead of relinking /bin/sh.")
		}
	}
}

func checkDL4006(c *Context, r *Reporter) {
	for _, st := range c.File.Stages {
		ok := false
		for _, in := range st.Instructions {
			switch in.Cmd {
			case "shell":
				ok = dlbShellSafe(in)
			case "run":
				s := c.Script(in)
				if !ok && s != nil && s.HasPipe {
					r.At(in, "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before a RUN with a pipe, so a failing command before the pipe fails the build (on alpine use /bin/ash, or disable this check).")
				}
			}
		}
	}
}

// dlbShellSafe reports whether a SHELL sets pipefail (bash, zsh or ash
// with -o pipefail) or selects a non-POSIX shell where the rule does not
// apply.
func dlbShellSafe(in *dockerfile.Instruction) bool {
	if len(in.Args) == 0 {
		return false
	}
	first := strings.ToLower(in.Args[0])
	for _, p := range []string{"pwsh", "powershell", "cmd"} {
		if strings.HasPrefix(first, p) {
			return true
		}
	}
	switch dlbBase(in.Args[0]) {
	case "bash", "zsh", "ash":
	default:
		return false
	}
	cmd := shell.Command{Name: in.Args[0], Args: in.Args[1:]}
	return dlbHasFlag(cmd, "o") && cmd.HasArg("pipefail")
}
