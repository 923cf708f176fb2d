package lint

import (
	"strings"

	"github.com/slimship/slimship/internal/lazyre"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

// Package-manager rules of hadolint part A: apt-get, apk, pip, npm, gem, yum.

// dlaPositional returns the arguments that are not flags, dropping the value
// that follows each flag of valueFlags given as a separate word ("-t x").
func dlaPositional(cmd shell.Command, valueFlags ...string) []string {
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

// dlaAfter drops everything up to and including the first word (and repeats of it).
func dlaAfter(args []string, word string) []string {
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

func dlaWithout(args []string, words ...string) []string {
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

// dlaRuns calls fn for every RUN (ONBUILD RUN included) under a POSIX shell.
func dlaRuns(c *Context, fn func(in *dockerfile.Instruction, s *shell.Script)) {
	for _, in := range c.Effective() {
		if s := c.Script(in); s != nil {
			fn(in, s)
		}
	}
}

// --- DL3008 / DL3014 / DL3015 (apt-get install) ------------------------------

var dlaAptGetValueFlags = []string{"-t", "--target-release", "-o", "--option", "-c", "--config-file"}

func dlaAptGetInstalls(s *shell.Script) []shell.Command { return dlaWithArg(s, "install", "apt-get") }

// dlaWithArg returns the commands of s run as one of tools with arg among
// their arguments (a subcommand such as install).
func dlaWithArg(s *shell.Script, arg string, tools ...string) []shell.Command {
	var out []shell.Command
	for _, cmd := range s.Find(tools...) {
		if cmd.HasArg(arg) {
			out = append(out, cmd)
		}
	}
	return out
}

func checkDL3008(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		for _, cmd := range dlaAptGetInstalls(s) {
			for _, p := range dlaWithout(dlaPositional(cmd, dlaAptGetValueFlags...), "install") {
				if strings.Contains(p, "=") || strings.Contains(p, "/") || strings.HasSuffix(p, ".deb") {
					continue
				}
				r.At(in, "Pin versions in apt get install: instead of `apt-get install "+p+"` use `apt-get install "+p+"=<version>`.")
				return
			}
		}
	})
}

func dlaAptQuietLevel(cmd shell.Command) int {
	n := 0
	for _, a := range cmd.Args {
		switch {
		case a == "--":
			return n
		case a == "--quiet":
			n++
		case strings.HasPrefix(a, "--quiet="), strings.HasPrefix(a, "-q="):
			_, v, _ := strings.Cut(a, "=")
			if v == "2" {
				n += 2
			} else {
				n++
			}
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			n += strings.Count(a, "q")
		}
	}
	return n
}

func checkDL3014(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		var bad []shell.Command
		for _, cmd := range dlaAptGetInstalls(s) {
			if cmd.HasFlag("-y", "--yes", "--assume-yes") || dlaAptQuietLevel(cmd) >= 2 {
				continue
			}
			bad = append(bad, cmd)
		}
		if len(bad) > 0 {
			r.Fix(in, "Use the `-y` switch to avoid manual input: `apt-get install -y <package>`.",
				dlaFixEach(bad, func(cmd shell.Command) *finding.Fix {
					return dlaInsertAfterName(c, in, cmd, " -y", "add -y to apt-get")
				}))
		}
	})
}

var dlaNoRecommendsRe = lazyre.New(`(?i)APT::Install-Recommends=(false|0|no|off)`)

func checkDL3015(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		var bad []shell.Command
		for _, cmd := range dlaAptGetInstalls(s) {
			if cmd.HasFlag("--no-install-recommends") {
				continue
			}
			ok := false
			for _, a := range cmd.Args {
				if dlaNoRecommendsRe.MatchString(a) {
					ok = true
				}
			}
			if ok {
				continue
			}
			bad = append(bad, cmd)
		}
		if len(bad) > 0 {
			r.Fix(in, "Avoid additional packages by specifying `--no-install-recommends`: `apt-get install -y --no-install-recommends <package>`.",
				dlaFixEach(bad, func(cmd shell.Command) *finding.Fix {
					fx := dlaInsertAfterName(c, in, cmd, " --no-install-recommends", "add --no-install-recommends to apt-get")
					if fx != nil {
						fx.OptIn = true // packages that came as recommends may be needed
					}
					return fx
				}))
		}
	})
}

// --- DL3009 (apt lists) -----------------------------------------------------

func dlaAptListsCleaned(s *shell.Script) bool {
	// apt 2.7+ (Debian trixie): `apt-get dist-clean` removes the lists too.
	for _, cmd := range s.Find("apt-get", "apt") {
		if cmd.HasArg("dist-clean") {
			return true
		}
	}
	for _, cmd := range s.Find("rm") {
		rec, force := false, false
		for _, a := range cmd.Args {
			if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") {
				rec = rec || strings.ContainsAny(a, "rR")
				force = force || strings.Contains(a, "f")
			}
			rec = rec || a == "--recursive"
			force = force || a == "--force"
		}
		if !rec || !force {
			continue
		}
		for _, p := range cmd.Positional() {
			switch strings.TrimRight(p, "/") {
			case "/var/lib/apt/lists/*", "/var/lib/apt/lists", "/var/lib/apt/lists/partial":
				return true
			}
		}
	}
	return false
}

func dlaAptUpdates(s *shell.Script) bool {
	for _, cmd := range s.Find("apt-get", "apt", "aptitude") {
		if cmd.HasArg("update") {
			return true
		}
	}
	return false
}

// checkDL3009 reports an apt update without removing the lists, in a stage
// that ends up in the image: the final stage or one that a later FROM builds
// on. An ONBUILD RUN always counts, as it runs in the child image.
func checkDL3009(c *Context, r *Reporter) {
	f := c.File
	usedAsBase := map[string]bool{}
	for _, st := range f.Stages {
		if st.Base != "" {
			usedAsBase[strings.ToLower(st.Base)] = true
		}
	}
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		if !dlaAptUpdates(s) || dlaAptListsCleaned(s) {
			return
		}
		// A cache mount on the lists satisfies the rule; one on all of
		// /var/lib/apt only together with /var/cache/apt, as hadolint
		// asks (DL3009Spec: "cache mount to apt lists directory only").
		wholeLib := in.CachesDir("/var/lib/apt")
		if in.CachesDir("/var/lib/apt/lists") && !wholeLib || wholeLib && in.CachesDir("/var/cache/apt") {
			return
		}
		if !in.InOnBuild && in.Stage >= 0 && in.Stage < len(f.Stages)-1 {
			if st := f.Stages[in.Stage]; st.Name == "" || !usedAsBase[st.Name] {
				return
			}
		}
		fix := dlaAppendToRun(c, in, " && rm -rf /var/lib/apt/lists/*", "remove the apt lists in the same RUN")
		if fix != nil && dlaLaterAptInstallWithoutUpdate(c, in) {
			fix.OptIn = true // a later RUN installs from the lists this removes
		}
		r.Fix(in, "Delete the apt-get lists after installing something: end this RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount /var/lib/apt/lists as a cache (`RUN --mount=type=cache,target=/var/lib/apt/lists`).", fix)
	})
}

// dlaLaterAptInstallWithoutUpdate reports whether a RUN after in installs
// with apt without running update first, so removing the lists would break it.
func dlaLaterAptInstallWithoutUpdate(c *Context, in *dockerfile.Instruction) bool {
	after := false
	for _, x := range c.Effective() {
		if x == in {
			after = true
			continue
		}
		if !after {
			continue
		}
		s := c.Script(x)
		if s == nil || dlaAptUpdates(s) {
			continue
		}
		for _, cmd := range s.Find("apt-get", "apt", "aptitude") {
			if cmd.HasArg("install") {
				return true
			}
		}
	}
	return false
}

// --- DL3013 (pip) -------------------------------------------------------------

var dlaPipValueFlags = []string{"--abi", "-b", "--build", "-e", "--editable", "--extra-index-url", "-f", "--find-links",
	"-i", "--index-url", "--implementation", "--no-binary", "--only-binary", "--platform", "--prefix", "--progress-bar",
	"--proxy", "--python-version", "--root", "--src", "-t", "--target", "--trusted-host", "--upgrade-strategy",
	"--root-user-action", "--python", "--cache-dir", "--log", "--retries", "--timeout", "--cert", "--client-cert",
	"--exists-action", "--report", "--pip-args", "--index", "--suffix"}

var dlaPipNameRe = lazyre.New(`^pip[0-9.]*$`)

var dlaPipVersionSymbols = []string{"==", ">=", "<=", ">", "<", "!=", "~=", "==="}

var dlaVcsSchemes = []string{"git+file", "git+https", "git+ssh", "git+http", "git+git", "git", "hg+file", "hg+http", "hg+https",
	"hg+ssh", "hg+static-http", "svn", "svn+svn", "svn+http", "svn+https", "svn+ssh", "bzr+http", "bzr+https", "bzr+ssh",
	"bzr+sftp", "bzr+ftp", "bzr+lp"}

func dlaPipVersionFixed(p string) bool {
	for _, s := range dlaPipVersionSymbols {
		if strings.Contains(p, s) {
			return true
		}
	}
	vcs := false
	for _, s := range dlaVcsSchemes {
		if strings.HasPrefix(p, s) {
			vcs = true
		}
	}
	if vcs {
		return strings.Contains(p, "@")
	}
	return strings.HasSuffix(p, ".whl") || strings.HasSuffix(p, ".tar.gz") || strings.Contains(p, "/")
}

func dlaIsPipInstall(cmd shell.Command) bool {
	name := cmd.Name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if dlaPipNameRe.MatchString(name) || name == "pipx" {
		return cmd.HasArg("install")
	}
	if strings.HasPrefix(name, "python") {
		for i := 0; i+2 < len(cmd.Args); i++ {
			if cmd.Args[i] == "-m" && cmd.Args[i+1] == "pip" && cmd.Args[i+2] == "install" {
				return true
			}
		}
	}
	return false
}

func checkDL3013(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		for _, cmd := range s.Commands {
			if !dlaIsPipInstall(cmd) || cmd.HasArg("--requirement", "-r", ".") || cmd.HasFlag("--constraint", "-c") {
				continue
			}
			for _, p := range dlaAfter(dlaPositional(cmd, dlaPipValueFlags...), "install") {
				if !dlaPipVersionFixed(p) {
					r.At(in, "Pin versions in pip: instead of `pip install "+p+"` use `pip install "+p+"==<version>` or `pip install --requirement <requirements file>`.")
					return
				}
			}
		}
	})
}

// --- DL3016 (npm) -------------------------------------------------------------

var dlaNpmValueFlags = []string{"--loglevel", "--registry", "--prefix", "--cache", "--userconfig", "--globalconfig", "--tag",
	"--omit", "--include", "--workspace", "-w", "--before", "--install-strategy", "--location", "--scope", "--otp"}

func dlaNpmVersionFixed(p string) bool {
	for _, g := range []string{"git://", "git+ssh://", "git+http://", "git+https://"} {
		if strings.HasPrefix(p, g) {
			return strings.Contains(p, "#")
		}
	}
	for _, t := range []string{".tar", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(p, t) {
			return true
		}
	}
	for _, d := range []string{"/", "./", "../", "~/"} {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	if strings.HasPrefix(p, "@") {
		if i := strings.IndexByte(p, '/'); i >= 0 {
			p = p[i:]
		}
	}
	return strings.Contains(p, "@")
}

func checkDL3016(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		for _, cmd := range s.Find("npm") {
			pos := dlaPositional(cmd, dlaNpmValueFlags...)
			if len(pos) == 0 || pos[0] != "install" {
				continue
			}
			for _, p := range dlaAfter(pos, "install") {
				if !dlaNpmVersionFixed(p) {
					r.At(in, "Pin versions in npm: instead of `npm install "+p+"` use `npm install "+p+"@<version>`.")
					return
				}
			}
		}
	})
}

// --- DL3018 / DL3019 (apk) ----------------------------------------------------

var dlaApkValueFlags = []string{"-t", "--virtual", "--repository", "-X", "--repositories-file", "-p", "--root",
	"--keys-dir", "--cache-dir", "--arch"}

func dlaApkAdds(s *shell.Script) []shell.Command { return dlaWithArg(s, "add", "apk") }

func checkDL3018(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		for _, cmd := range dlaApkAdds(s) {
			for _, p := range dlaWithout(dlaPositional(cmd, dlaApkValueFlags...), "add") {
				if strings.ContainsAny(p, "=~<>") || strings.HasSuffix(p, ".apk") {
					continue
				}
				r.At(in, "Pin versions in apk add: instead of `apk add "+p+"` use `apk add "+p+"=<version>`.")
				return
			}
		}
	})
}

func checkDL3019(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		if in.CachesDir("/var/cache/apk") {
			return
		}
		var bad []shell.Command
		for _, cmd := range dlaApkAdds(s) {
			if !cmd.HasFlag("--no-cache") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(in, "Use the `--no-cache` switch (`apk add --no-cache <package>`) to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages.",
				dlaFixEach(bad, func(cmd shell.Command) *finding.Fix {
					return dlaInsertAfterName(c, in, cmd, " --no-cache", "add --no-cache to apk")
				}))
		}
	})
}

// --- DL3027 (apt) -------------------------------------------------------------

var dlaAptGetSubcommands = map[string]bool{"install": true, "update": true, "upgrade": true, "remove": true, "purge": true,
	"autoremove": true, "dist-upgrade": true, "clean": true, "autoclean": true, "source": true, "build-dep": true, "download": true}

func checkDL3027(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		var bad []shell.Command
		for _, cmd := range s.Commands {
			if cmd.Name == "apt" {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(in, "Do not use `apt` as it is meant to be an end-user tool, use `apt-get` or `apt-cache` instead.",
				dlaFixEach(bad, func(cmd shell.Command) *finding.Fix {
					if !dlaAptGetSubcommands[cmd.Sub()] {
						return nil
					}
					return dlaReplaceName(c, in, cmd, "apt-get", "use apt-get instead of apt")
				}))
		}
	})
}

// --- DL3028 (gem) -------------------------------------------------------------

var dlaGemBoolFlags = map[string]bool{"--no-document": true, "--document": true, "--no-ri": true, "--no-rdoc": true,
	"--ri": true, "--rdoc": true, "--user-install": true, "--no-user-install": true, "--force": true, "--no-force": true,
	"--local": true, "--remote": true, "--both": true, "--conservative": true, "--minimal-deps": true, "--prerelease": true,
	"--no-prerelease": true, "--ignore-dependencies": true, "--development": true, "--development-all": true,
	"--env-shebang": true, "--no-env-shebang": true, "--wrappers": true, "--no-wrappers": true, "--vendor": true,
	"--default": true, "--lock": true, "--no-lock": true, "--suggestions": true, "--no-suggestions": true,
	"--quiet": true, "--verbose": true, "--silent": true, "--no-verbose": true, "--update-sources": true,
	"--clear-sources": true, "--post-install-message": true, "--no-post-install-message": true, "--backtrace": true,
	"--debug": true, "--norc": true, "--format-executable": true, "--no-format-executable": true}

func dlaGemNames(cmd shell.Command) []string {
	var out []string
	for i := 0; i < len(cmd.Args); i++ {
		a := cmd.Args[i]
		switch {
		case a == "--":
			return out
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && !dlaGemBoolFlags[a] && i+1 < len(cmd.Args) && !strings.HasPrefix(cmd.Args[i+1], "-") {
				i++ // --source URL, --install-dir DIR, unknown --flag value
			}
		case strings.HasPrefix(a, "-"):
			switch a {
			case "-s", "-i", "-n", "-P", "-g", "--platform", "-N":
				i++
			}
		case a == "install" || a == "i":
		default:
			out = append(out, a)
		}
	}
	return out
}

func checkDL3028(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		for _, cmd := range s.Find("gem") {
			if !cmd.HasArg("install", "i") || cmd.HasFlag("-v", "--version") {
				continue
			}
			for _, g := range dlaGemNames(cmd) {
				if !strings.Contains(g, ":") {
					r.At(in, "Pin versions in gem install: instead of `gem install "+g+"` use `gem install "+g+":<version>`.")
					return
				}
			}
		}
	})
}

// --- DL3030 / DL3032 / DL3033 (yum) ------------------------------------------

func checkDL3030(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		var bad []shell.Command
		for _, cmd := range s.Find("yum") {
			if cmd.HasArg("install", "groupinstall", "localinstall") && !cmd.HasFlag("-y", "--assumeyes") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(in, "Use the `-y` switch to avoid manual input: `yum install -y <package>`.",
				dlaFixEach(bad, func(cmd shell.Command) *finding.Fix { return dlaInsertAfterName(c, in, cmd, " -y", "add -y to yum") }))
		}
	})
}

func checkDL3032(c *Context, r *Reporter) {
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		if in.CachesDir("/var/cache/yum") {
			return
		}
		pending := false
		for _, cmd := range s.Commands {
			switch {
			case cmd.Is("yum") && cmd.HasArg("install"):
				pending = true
			case cmd.Is("yum") && cmd.HasArg("clean"):
				pending = false
			case cmd.Is("rm") && cmd.HasArg("/var/cache/yum/*", "/var/cache/yum", "/var/cache/yum/"):
				pending = false
			}
		}
		if pending {
			r.Fix(in, "`yum clean all` missing after yum command: end this RUN with `&& yum clean all`.",
				dlaAppendToRun(c, in, " && yum clean all", "clean the yum cache in the same RUN"))
		}
	})
}

var dlaVersionCharRe = lazyre.New(`^[0-9A-Za-z.~^_:+]*$`)

// dlaRpmVersionFixed follows hadolint: name-version where every part after the
// first dash is made of version characters and one starts with a digit; a
// variable counts when it is defined by ARG or by ENV in the stage.
func dlaRpmVersionFixed(p string, vars map[string]bool) bool {
	parts := strings.Split(p, "-")
	if len(parts) <= 1 {
		return false
	}
	if strings.HasSuffix(p, ".rpm") {
		return true
	}
	if strings.Contains(p, "$") {
		for v := range vars {
			if strings.Contains(p, "${"+v+"}") || dlaHasVar(p, v) {
				return true
			}
		}
		return false
	}
	digit := false
	for _, part := range parts[1:] {
		if !dlaVersionCharRe.MatchString(part) {
			return false
		}
		if part != "" && part[0] >= '0' && part[0] <= '9' {
			digit = true
		}
	}
	return digit
}

// dlaHasVar reports whether s uses $name (not followed by more name characters).
func dlaHasVar(s, name string) bool {
	for i := strings.Index(s, "$"+name); i >= 0; {
		end := i + 1 + len(name)
		if end >= len(s) || !(s[end] == '_' || s[end] >= '0' && s[end] <= '9' || s[end] >= 'a' && s[end] <= 'z' || s[end] >= 'A' && s[end] <= 'Z') {
			return true
		}
		j := strings.Index(s[end:], "$"+name)
		if j < 0 {
			return false
		}
		i = end + j
	}
	return false
}

// dlaStageVars returns, per instruction, the variables hadolint considers
// defined: every ARG seen so far, and ENVs of the stage (inherited through
// FROM <stage>).
func dlaStageVars(c *Context) map[*dockerfile.Instruction]map[string]bool {
	f := c.File
	out := map[*dockerfile.Instruction]map[string]bool{}
	args := map[string]bool{}
	envs := make([]map[string]bool, len(f.Stages))
	for _, in := range c.Effective() {
		switch in.Cmd {
		case "from":
			st := f.Stages[in.Stage]
			envs[in.Stage] = map[string]bool{}
			if base := f.StageByRef(st.Base, st.Index); base != nil && st.Base != "" {
				for k := range envs[base.Index] {
					envs[in.Stage][k] = true
				}
			}
		case "arg":
			for _, a := range in.Args {
				k, _, _ := strings.Cut(a, "=")
				args[k] = true
			}
		case "env":
			if in.Stage < 0 {
				continue
			}
			if envs[in.Stage] == nil {
				envs[in.Stage] = map[string]bool{}
			}
			// BuildKit keeps ENV as key, value, separator triples.
			for i := 0; i < len(in.Args); i += 3 {
				envs[in.Stage][in.Args[i]] = true
			}
		case "run":
			vars := map[string]bool{}
			for k := range args {
				vars[k] = true
			}
			if in.Stage >= 0 {
				for k := range envs[in.Stage] {
					vars[k] = true
				}
			}
			out[in] = vars
		}
	}
	return out
}

func checkDL3033(c *Context, r *Reporter) {
	var vars map[*dockerfile.Instruction]map[string]bool
	dlaRuns(c, func(in *dockerfile.Instruction, s *shell.Script) {
		for _, cmd := range s.Find("yum") {
			if !cmd.HasArg("install") {
				continue
			}
			module := cmd.HasArg("module")
			for _, p := range dlaWithout(cmd.Positional(), "install", "module") {
				if module {
					if !strings.Contains(p, ":") {
						r.At(in, "Specify version with `yum module install -y <module>:<version>`: `"+p+"` is not pinned.")
						return
					}
					continue
				}
				if vars == nil {
					vars = dlaStageVars(c)
				}
				if !dlaRpmVersionFixed(p, vars[in]) {
					r.At(in, "Specify version with `yum install -y <package>-<version>`: `"+p+"` is not pinned.")
					return
				}
			}
		}
	})
}
