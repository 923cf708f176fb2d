package lint

import (
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func pipRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3013", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Pin versions in pip.",
			Remediation: "Pin each package as `pip install <package>==<version>`, or install from a requirements file with pins.",
			DocsURL:     hadolintWiki + "DL3013"}, checkDL3013),
		rule(finding.Spec{ID: "DL3042", Severity: finding.Warning, Category: finding.Size,
			Description: "Avoid cache directory with `pip install --no-cache-dir <package>`.",
			Remediation: "Add `--no-cache-dir` to `pip install`, or set PIP_NO_CACHE_DIR=1.",
			DocsURL:     hadolintWiki + "DL3042"}, checkDL3042),
	}
}

var pipValueFlags = []string{"--abi", "-b", "--build", "-e", "--editable", "--extra-index-url", "-f", "--find-links",
	"-i", "--index-url", "--implementation", "--no-binary", "--only-binary", "--platform", "--prefix", "--progress-bar",
	"--proxy", "--python-version", "--root", "--src", "-t", "--target", "--trusted-host", "--upgrade-strategy",
	"--root-user-action", "--python", "--cache-dir", "--log", "--retries", "--timeout", "--cert", "--client-cert",
	"--exists-action", "--report", "--pip-args", "--index", "--suffix"}

var pipNameRe = lazyre.New(`^pip[0-9.]*$`)

var pipVersionSymbols = []string{"==", ">=", "<=", ">", "<", "!=", "~=", "==="}

var vcsSchemes = []string{"git+file", "git+https", "git+ssh", "git+http", "git+git", "git", "hg+file", "hg+http", "hg+https",
	"hg+ssh", "hg+static-http", "svn", "svn+svn", "svn+http", "svn+https", "svn+ssh", "bzr+http", "bzr+https", "bzr+ssh",
	"bzr+sftp", "bzr+ftp", "bzr+lp"}

func pipVersionFixed(p string) bool {
	for _, s := range pipVersionSymbols {
		if strings.Contains(p, s) {
			return true
		}
	}
	vcs := false
	for _, s := range vcsSchemes {
		if strings.HasPrefix(p, s) {
			vcs = true
		}
	}
	if vcs {
		return strings.Contains(p, "@")
	}
	return strings.HasSuffix(p, ".whl") || strings.HasSuffix(p, ".tar.gz") || strings.Contains(p, "/")
}

// pipOrPipxInstall is what hadolint's DL3013 takes for a pip install:
// pip, pip3.x, pipx and python -m pip, `install` anywhere in the
// arguments. hadolint's DL3042 decides otherwise (pipInstall), and the SS
// rules take a third view (isPip); each rule keeps its own, pinned by
// TestPipInstallViews.
func pipOrPipxInstall(cmd shell.Command) bool {
	name := cmd.Name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if pipNameRe.MatchString(name) || name == "pipx" {
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
runs:
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		for _, cmd := range s.Commands {
			if !pipOrPipxInstall(cmd) || cmd.HasArg("--requirement", "-r", ".") || cmd.HasFlag("--constraint", "-c") {
				continue
			}
			for _, p := range after(positional(cmd, pipValueFlags...), "install") {
				if !pipVersionFixed(p) {
					r.At(in, "Pin versions in pip: instead of `pip install "+p+"` use `pip install "+p+"==<version>` or `pip install --requirement <requirements file>`.")
					continue runs
				}
			}
		}
	}
}

var truthy = map[string]bool{"1": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true, "yes": true, "Yes": true, "YES": true}

func checkDL3042(c *Context, r *Reporter) {
	// PIP_NO_CACHE_DIR set by ENV, per stage and inherited through FROM.
	noCache := map[string]bool{}
	for _, st := range c.File.Stages {
		name := stageName(st)
		if st.From != nil {
			noCache[name] = noCache[parseImage(st.Base).untagged()]
		}
		for _, in := range c.StageEffective(st) {
			if in.Cmd == "env" {
				for _, p := range keyValues(in) {
					if p.Key == "PIP_NO_CACHE_DIR" {
						noCache[name] = truthy[p.Value]
					}
				}
				continue
			}
			run := runScript{in, c.Script(in)}
			if run.Script == nil || noCache[name] || pipNoCacheInline(run.Script.Source) ||
				in.CachesDir("/root/.cache/pip") {
				continue
			}
			var bad []shell.Command
			for _, cmd := range run.Script.Commands {
				if pipInstall(cmd) && !cmd.HasArg("--no-cache-dir") {
					bad = append(bad, cmd)
				}
			}
			if len(bad) > 0 {
				r.Fix(in, "Avoid the pip cache in the image: use `pip install --no-cache-dir <package>` (or a `RUN --mount=type=cache,target=/root/.cache/pip`).",
					fixEachAfterWord(c.File, run, bad, func(shell.Command) string { return "install" }, " --no-cache-dir", "add --no-cache-dir to pip install"))
			}
		}
	}
}

// pipNoCacheInline finds PIP_NO_CACHE_DIR=<truthy> in the RUN's code.
func pipNoCacheInline(src string) bool {
	i := strings.Index(src, "PIP_NO_CACHE_DIR=")
	if i < 0 {
		return false
	}
	rest := src[i+len("PIP_NO_CACHE_DIR="):]
	for v := range truthy {
		if strings.HasPrefix(rest, v) {
			return true
		}
	}
	return false
}

// pipInstall is pip*/python* -m pip install, but not pipx or pipenv.
func pipInstall(cmd shell.Command) bool {
	name := baseName(cmd.Name)
	if strings.Contains(name, "pipx") || strings.Contains(name, "pipenv") {
		return false
	}
	if strings.HasPrefix(name, "python") && (hasSeq(cmd.Args, "-m", "pipx") || hasSeq(cmd.Args, "-m", "pipenv")) {
		return false
	}
	if strings.HasPrefix(name, "pip") {
		return cmd.HasArg("install")
	}
	return strings.HasPrefix(name, "python") && hasSeq(cmd.Args, "-m", "pip", "install")
}

// hasSeq reports whether seq occurs contiguously in args.
func hasSeq(args []string, seq ...string) bool {
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
