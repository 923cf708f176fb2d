package lint

import (
	"path/filepath"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func npmRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3016", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Pin versions in `npm`.",
			Remediation: "Pin each package as `npm install <package>@<version>`.",
			DocsURL:     hadolintWiki + "DL3016"}, checkDL3016),
		rule(finding.Spec{ID: "DL3060", Severity: finding.Info, Category: finding.Size,
			Description: "`yarn cache clean` missing after `yarn install` was run.",
			Remediation: "End the RUN that runs `yarn install` with `yarn cache clean`.",
			DocsURL:     hadolintWiki + "DL3060"}, checkDL3060),
		rule(finding.Spec{ID: "SS010", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Dependency install that does not honour the lockfile (npm install, yarn without --frozen-lockfile, pip install . without constraints).",
			Remediation: "Install from the lockfile: `npm ci`, `yarn install --frozen-lockfile`, `pip install -r` with pinned constraints."}, checkSS010),
	}
}

var npmValueFlags = []string{"--loglevel", "--registry", "--prefix", "--cache", "--userconfig", "--globalconfig", "--tag",
	"--omit", "--include", "--workspace", "-w", "--before", "--install-strategy", "--location", "--scope", "--otp"}

func npmVersionFixed(p string) bool {
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
runs:
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		for _, cmd := range s.Find("npm") {
			pos := positional(cmd, npmValueFlags...)
			if len(pos) == 0 || pos[0] != "install" {
				continue
			}
			for _, p := range after(pos, "install") {
				if !npmVersionFixed(p) {
					r.At(in, "Pin versions in npm: instead of `npm install "+p+"` use `npm install "+p+"@<version>`.")
					continue runs
				}
			}
		}
	}
}

func checkDL3060(c *Context, r *Reporter) {
	chain := finalChain(c.File)
	install := func(cmd shell.Command) bool { return cmdHasArgs(cmd, "yarn", "install") }
	clean := func(cmd shell.Command) bool { return cmdHasArgs(cmd, "yarn", "cache", "clean") }
	for _, run := range runScripts(c) {
		if !run.In.InOnBuild && !chain[run.In.Stage] {
			continue // an intermediate stage: its cache never reaches the image
		}
		if cleanedAfter(run.Script, install, clean) {
			continue
		}
		yarnDirs := []string{"/root/.cache/yarn", "/usr/local/share/.cache/yarn", "/root/.yarn/berry/cache"}
		if run.In.CachesDir(yarnDirs...) {
			continue
		}
		last := lastCommand(run.Script, install)
		r.Fix(run.In, "`yarn cache clean` missing after `yarn install`: end the RUN with `&& yarn cache clean` (or use `RUN --mount=type=cache,target=/usr/local/share/.cache/yarn`).",
			insertAfterCommand(c.File, run, last, " && yarn cache clean", "append yarn cache clean"))
	}
}

// npmLockCopied reports whether the stage chain copied an npm lockfile into
// the image before `before`.
func npmLockCopied(c *Context, s *dockerfile.Stage, before *dockerfile.Instruction) bool {
	for _, in := range chainInstructions(c, s) {
		if in == before {
			break
		}
		if in.Cmd != "copy" && in.Cmd != "add" {
			continue
		}
		srcs, _ := copyParts(in)
		for _, src := range srcs {
			src = strings.TrimSuffix(unquote(src), "/")
			base := filepath.Base(src)
			if wholeContext(in) || base == "package-lock.json" || base == "npm-shrinkwrap.json" || base == "package*.json" || base == "*.json" || base == "*" {
				return true
			}
			// A directory (no extension) may hold the lockfile.
			if copyFrom(in) == "" && filepath.Ext(base) == "" && !strings.Contains(base, "*") {
				return true
			}
		}
	}
	return false
}

var npmInstallRe = lazyre.New(`\bnpm(\s+(--?[A-Za-z][-A-Za-z=.]*))*\s+(install|i)\b`)

// checkSS010: installs that do not honour a lockfile.
func checkSS010(c *Context, r *Reporter) {
	unknown := c.Dir == ""
	npmLock := !unknown && (exists(c.Dir, "package-lock.json") || exists(c.Dir, "npm-shrinkwrap.json"))
	yarnLock := !unknown && exists(c.Dir, "yarn.lock")
	for _, s := range c.File.Stages {
		constrained := false
		for _, in := range c.StageEffective(s) {
			for _, p := range envPairs(in) {
				if p.Key == "PIP_CONSTRAINT" || p.Key == "PIP_REQUIRE_HASHES" {
					constrained = true
				}
			}
			sc := c.Script(in)
			if sc == nil {
				continue
			}
			var npm, yarn, pip []shell.Command
			for _, cmd := range sc.Commands {
				switch {
				case cmd.Is("npm") && (cmd.Sub() == "install" || cmd.Sub() == "i") && len(cmd.Positional()) == 1 && !cmd.HasFlag("-g", "--global"):
					npm = append(npm, cmd)
				case cmd.Is("yarn") && (cmd.Sub() == "install" || bareCommand(cmd)) && !cmd.HasFlag("--frozen-lockfile", "--immutable"):
					yarn = append(yarn, cmd)
				case isPip(cmd):
					if cmd.HasFlag("-r", "--requirement", "-c", "--constraint") {
						constrained = true
						continue
					}
					if cmd.HasFlag("--no-deps", "--require-hashes") || constrained {
						continue
					}
					for _, a := range pipTargets(cmd) {
						if a == "." || a == "./" || strings.HasPrefix(a, ".[") || strings.HasPrefix(a, "./") && !strings.HasSuffix(a, ".whl") && !strings.HasSuffix(a, ".tar.gz") {
							pip = append(pip, cmd)
							break
						}
					}
				}
			}
			if len(npm) > 0 && (unknown || npmLock) {
				var fix *finding.Fix
				text := string(c.File.Source[in.Offset:in.EndOffset])
				locs := npmInstallRe.FindAllStringSubmatchIndex(text, -1)
				if npmLock && len(npm) == 1 && len(locs) == 1 && simpleShellRun(in) && npmLockCopied(c, s, in) {
					start, end := in.Offset+locs[0][6], in.Offset+locs[0][7]
					fix = &finding.Fix{Description: "use npm ci", Edits: []finding.Edit{Edit(c.File, start, end, "ci")}}
				}
				r.Fix(in, "npm install may resolve different versions than the lockfile: use npm ci (with package-lock.json copied in)", fix)
			}
			if len(yarn) > 0 && (unknown || yarnLock) {
				r.At(in, "yarn install may change the lockfile: use yarn install --frozen-lockfile (Yarn 1) or --immutable (Yarn 2+)")
			}
			if len(pip) > 0 {
				r.At(in, "pip install of the project resolves its dependencies afresh on every build: install pinned requirements first (pip install -r requirements.txt, or -c constraints.txt), then the project with --no-deps")
			}
		}
	}
}

// pipTargets returns the install targets of a pip command, with -e PATH
// folded into "-e PATH".
func pipTargets(cmd shell.Command) []string {
	var out []string
	args := cmd.Args
	started := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !started {
			if a == "install" {
				started = true
			}
			continue
		}
		switch {
		case a == "-e" || a == "--editable":
			if i+1 < len(args) {
				out = append(out, "-e "+args[i+1], args[i+1])
				i++
			}
		case strings.HasPrefix(a, "-"):
			switch a {
			case "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--trusted-host", "--platform", "--python-version", "--src", "--cache-dir":
				i++
			}
		default:
			out = append(out, a)
		}
	}
	return out
}
