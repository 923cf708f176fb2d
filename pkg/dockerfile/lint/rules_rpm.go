package lint

import (
	"os"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func rpmRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3030", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Use the `-y` switch to avoid manual input `yum install -y <package>`",
			Remediation: "Add `-y` to `yum install`.",
			DocsURL:     hadolintWiki + "DL3030"}, checkDL3030),
		rule(finding.Spec{ID: "DL3032", Severity: finding.Warning, Category: finding.Size,
			Description: "`yum clean all` missing after yum command.",
			Remediation: "End the RUN that uses yum with `yum clean all`.",
			DocsURL:     hadolintWiki + "DL3032"}, checkDL3032),
		rule(finding.Spec{ID: "DL3033", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Specify version with `yum install -y <package>-<version>`",
			Remediation: "Pin each package as `yum install -y <package>-<version>`.",
			DocsURL:     hadolintWiki + "DL3033"}, checkDL3033),
		rule(finding.Spec{ID: "DL3034", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Non-interactive switch missing from `zypper` command: `zypper install -y`",
			Remediation: "Add `-y` (or `-n`) to the zypper command.",
			DocsURL:     hadolintWiki + "DL3034"}, checkDL3034),
		rule(finding.Spec{ID: "DL3035", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Do not use `zypper dist-upgrade`.",
			Remediation: "Install the packages you need instead of running `zypper dist-upgrade`.",
			DocsURL:     hadolintWiki + "DL3035"}, checkDL3035),
		rule(finding.Spec{ID: "DL3036", Severity: finding.Warning, Category: finding.Size,
			Description: "`zypper clean` missing after zypper use.",
			Remediation: "End the RUN that uses zypper with `zypper clean`.",
			DocsURL:     hadolintWiki + "DL3036"}, checkDL3036),
		rule(finding.Spec{ID: "DL3037", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Specify version with `zypper install -y <package>[=]<version>`.",
			Remediation: "Pin each package as `zypper install -y <package>=<version>`.",
			DocsURL:     hadolintWiki + "DL3037"}, checkDL3037),
		rule(finding.Spec{ID: "DL3038", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Use the `-y` switch to avoid manual input `dnf install -y <package>`",
			Remediation: "Add `-y` to `dnf install`.",
			DocsURL:     hadolintWiki + "DL3038"}, checkDL3038),
		rule(finding.Spec{ID: "DL3040", Severity: finding.Warning, Category: finding.Size,
			Description: "`dnf clean all` missing after dnf command.",
			Remediation: "End the RUN that uses dnf with `dnf clean all`.",
			DocsURL:     hadolintWiki + "DL3040"}, checkDL3040),
		rule(finding.Spec{ID: "DL3041", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Specify version with `dnf install -y <package>-<version>`",
			Remediation: "Pin each package as `dnf install -y <package>-<version>`.",
			DocsURL:     hadolintWiki + "DL3041"}, checkDL3041),
	}
}

func checkDL3030(c *Context, r *Reporter) {
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		var bad []shell.Command
		for _, cmd := range s.Find("yum") {
			if cmd.HasArg("install", "groupinstall", "localinstall") && !cmd.HasFlag("-y", "--assumeyes") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(in, "Use the `-y` switch to avoid manual input: `yum install -y <package>`.",
				fixEach(bad, func(cmd shell.Command) *finding.Fix { return insertAfterName(c, in, cmd, " -y", "add -y to yum") }))
		}
	}
}

func checkDL3032(c *Context, r *Reporter) {
runs:
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		if in.CachesDir("/var/cache/yum") {
			continue runs
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
				appendToRun(c, in, " && yum clean all", "clean the yum cache in the same RUN"))
		}
	}
}

var versionCharRe = lazyre.New(`^[0-9A-Za-z.~^_:+]*$`)

// rpmVersionFixed follows hadolint: name-version where every part after the
// first dash is made of version characters and one starts with a digit; a
// variable counts when it is defined by ARG or by ENV in the stage.
func rpmVersionFixed(p string, vars map[string]bool) bool {
	parts := strings.Split(p, "-")
	if len(parts) <= 1 {
		return false
	}
	if strings.HasSuffix(p, ".rpm") {
		return true
	}
	if strings.Contains(p, "$") {
		for v := range vars {
			if strings.Contains(p, "${"+v+"}") || hasVar(p, v) {
				return true
			}
		}
		return false
	}
	digit := false
	for _, part := range parts[1:] {
		if !versionCharRe.MatchString(part) {
			return false
		}
		if part != "" && part[0] >= '0' && part[0] <= '9' {
			digit = true
		}
	}
	return digit
}

// hasVar reports whether s uses $name (not followed by more name characters).
func hasVar(s, name string) bool {
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

// stageVars returns, per instruction, the variables hadolint considers
// defined: every ARG seen so far, and ENVs of the stage (inherited through
// FROM <stage>).
func stageVars(c *Context) map[*dockerfile.Instruction]map[string]bool {
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
runs:
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		for _, cmd := range s.Find("yum") {
			if !cmd.HasArg("install") {
				continue
			}
			module := cmd.HasArg("module")
			for _, p := range without(cmd.Positional(), "install", "module") {
				if module {
					if !strings.Contains(p, ":") {
						r.At(in, "Specify version with `yum module install -y <module>:<version>`: `"+p+"` is not pinned.")
						continue runs
					}
					continue
				}
				if vars == nil {
					vars = stageVars(c)
				}
				if !rpmVersionFixed(p, vars[in]) {
					r.At(in, "Specify version with `yum install -y <package>-<version>`: `"+p+"` is not pinned.")
					continue runs
				}
			}
		}
	}
}

// Package manager and download rules over RUN.

func zypperInstall(c shell.Command) bool { return cmdHasArgs(c, "zypper", "install", "in") }

func checkDL3034(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if cmdHasArgs(cmd, "zypper", "install", "in", "remove", "rm", "source-install", "si", "patch") && !hasFlag(cmd, "no-confirm", "y", "n", "non-interactive") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			sub := bad[0].Sub()
			r.Fix(run.In, "Add `-y` so zypper does not wait for input: `zypper "+sub+" -y <package>`.",
				fixEachAfterWord(c.File, run, bad, shell.Command.Sub, " -y", "add -y to zypper"))
		}
	}
}

func checkDL3035(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		if anyCommand(run.Script, func(cmd shell.Command) bool { return cmdHasArgs(cmd, "zypper", "dist-upgrade", "dup") }) {
			r.At(run.In, "Do not use `zypper dist-upgrade` in a build; install the packages you need, or use a newer base image.")
		}
	}
}

func checkDL3036(c *Context, r *Reporter) {
	zclean := func(cmd shell.Command) bool { return cmdHasArgs(cmd, "zypper", "clean", "cc") }
	for _, run := range runScripts(c) {
		if cleanedAfter(run.Script, zypperInstall, zclean) || run.In.CachesDir("/var/cache/zypp") {
			continue
		}
		last := lastCommand(run.Script, zypperInstall)
		r.Fix(run.In, "`zypper clean` missing after zypper use: end the RUN with `&& zypper clean` so the package cache stays out of the layer.",
			insertAfterCommand(c.File, run, last, " && zypper clean", "append zypper clean"))
	}
}

func checkDL3037(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		var unpinned []string
		for _, cmd := range run.Script.Commands {
			if !zypperInstall(cmd) {
				continue
			}
			for _, a := range argsNoFlags(cmd) {
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

var dnfNames = []string{"dnf", "microdnf"}

func isDnf(cmd shell.Command) bool { return cmd.Is("dnf") || cmd.Is("microdnf") }

func checkDL3038(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if isDnf(cmd) && cmd.HasArg("install", "groupinstall", "localinstall") && !hasFlag(cmd, "y", "assumeyes") {
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
			name := baseName(bad[0].Name)
			r.Fix(run.In, "Add `-y` so "+name+" does not wait for input: `"+name+" "+sub(bad[0])+" -y <package>`.",
				fixEachAfterWord(c.File, run, bad, sub, " -y", "add -y to "+name))
		}
	}
}

// dnfInstalls are the dnf subcommands that fill the package cache.
var dnfInstalls = []string{"install", "in", "reinstall", "rei", "upgrade", "up", "upgrade-minimal", "up-min", "groupinstall", "localinstall"}

var dnfCaches = []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"}

func checkDL3040(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		if run.In.CachesDir(dnfCaches...) {
			continue
		}
		for _, name := range dnfNames {
			install := func(cmd shell.Command) bool { return cmdHasArgs(cmd, name, dnfInstalls...) }
			clean := func(cmd shell.Command) bool {
				if cmdHasArgs(cmd, name, "clean", "all") {
					return true
				}
				if !cmd.Is("rm") || !hasFlag(cmd, "r", "recursive") {
					return false
				}
				for _, a := range argsNoFlags(cmd) {
					for _, d := range dnfCaches {
						if a == d || a == d+"/" || a == d+"/*" {
							return true
						}
					}
				}
				return false
			}
			if cleanedAfter(run.Script, install, clean) {
				continue
			}
			last := lastCommand(run.Script, install)
			r.Fix(run.In, "`"+name+" clean all` missing after "+name+" installed packages: end the RUN with `&& "+name+" clean all` (or mount a cache on /var/cache/libdnf5) so the package cache stays out of the layer.",
				insertAfterCommand(c.File, run, last, " && "+name+" clean all", "append "+name+" clean all"))
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
		setArgs(args, in)
	}
	envs := map[string]map[string]string{}
	for _, st := range c.File.Stages {
		name := stageName(st)
		env := map[string]string{}
		if st.From != nil {
			for k, v := range envs[parseImage(st.Base).untagged()] {
				env[k] = v
			}
		}
		envs[name] = env
		for _, in := range c.StageEffective(st) {
			switch in.Cmd {
			case "arg":
				setArgs(args, in)
				continue
			case "env":
				for _, p := range keyValues(in) {
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
				if !isDnf(cmd) || !cmd.HasArg("install") {
					continue
				}
				module := cmd.HasArg("module")
				if !module && cmd.HasArg("group") {
					continue
				}
				for _, a := range argsNoFlags(cmd) {
					if a == "install" || a == "module" {
						continue
					}
					v := expandVars(unquoteWord(a), lookup)
					if module && !strings.Contains(v, ":") || !module && !dnfPinned(v) {
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

// setArgs records the ARG defaults of in.
func setArgs(args map[string]string, in *dockerfile.Instruction) {
	for _, a := range argPairs(in) {
		if a.HasValue {
			args[a.Key] = a.Value
		} else if _, ok := args[a.Key]; !ok {
			args[a.Key] = "$" + a.Key
		}
	}
}

// expandVars replaces $name and ${name} with known values.
func expandVars(s string, lookup func(string) (string, bool)) string {
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

// dnfPinned follows hadolint: name-version where the parts after the
// first dash are version-like and one starts with a digit; .rpm files count.
func dnfPinned(pkg string) bool {
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
