package lint

import (
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func aptRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3008", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Pin versions in `apt-get install`.",
			Remediation: "Pin each package as `apt-get install <package>=<version>`.",
			DocsURL:     hadolintWiki + "DL3008"}, checkDL3008),
		rule(finding.Spec{ID: "DL3009", Severity: finding.Info, Category: finding.Size,
			Description: "Delete the apt-get lists after installing something.",
			Remediation: "End the RUN that installs packages with `rm -rf /var/lib/apt/lists/*`.",
			DocsURL:     hadolintWiki + "DL3009"}, checkDL3009),
		rule(finding.Spec{ID: "DL3014", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Use the `-y` switch.",
			Remediation: "Add `-y` to `apt-get install`.",
			DocsURL:     hadolintWiki + "DL3014"}, checkDL3014),
		rule(finding.Spec{ID: "DL3015", Severity: finding.Info, Category: finding.Size,
			Description: "Avoid additional packages by specifying `--no-install-recommends`.",
			Remediation: "Add `--no-install-recommends` to `apt-get install`.",
			DocsURL:     hadolintWiki + "DL3015"}, checkDL3015),
		rule(finding.Spec{ID: "DL3027", Severity: finding.Warning, Category: finding.Maintainability,
			Description: "Do not use `apt` as it is meant to be an end-user tool, use `apt-get` or `apt-cache` instead",
			Remediation: "Use `apt-get` or `apt-cache` instead of `apt` in RUN.",
			DocsURL:     hadolintWiki + "DL3027"}, checkDL3027),
	}
}

var aptGetValueFlags = []string{"-t", "--target-release", "-o", "--option", "-c", "--config-file"}

func aptGetInstalls(s *shell.Script) []shell.Command { return withArg(s, "install", "apt-get") }

func checkDL3008(c *Context, r *Reporter) {
	reportFirstUnpinned(c, r, aptGetInstalls, "install", aptGetValueFlags, func(p string) bool {
		return strings.Contains(p, "=") || strings.Contains(p, "/") || strings.HasSuffix(p, ".deb")
	}, func(p string) string {
		return "Pin versions in apt get install: instead of `apt-get install " + p + "` use `apt-get install " + p + "=<version>`."
	})
}

func aptQuietLevel(cmd shell.Command) int {
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
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		var bad []shell.Command
		for _, cmd := range aptGetInstalls(s) {
			if cmd.HasFlag("-y", "--yes", "--assume-yes") || aptQuietLevel(cmd) >= 2 {
				continue
			}
			bad = append(bad, cmd)
		}
		if len(bad) > 0 {
			r.Fix(in, "Use the `-y` switch to avoid manual input: `apt-get install -y <package>`.",
				fixEach(bad, func(cmd shell.Command) *finding.Fix {
					return insertAfterName(c, in, cmd, " -y", "add -y to apt-get")
				}))
		}
	}
}

var noRecommendsRe = lazyre.New(`(?i)APT::Install-Recommends=(false|0|no|off)`)

func checkDL3015(c *Context, r *Reporter) {
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		var bad []shell.Command
		for _, cmd := range aptGetInstalls(s) {
			if cmd.HasFlag("--no-install-recommends") {
				continue
			}
			ok := false
			for _, a := range cmd.Args {
				if noRecommendsRe.MatchString(a) {
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
				fixEach(bad, func(cmd shell.Command) *finding.Fix {
					fx := insertAfterName(c, in, cmd, " --no-install-recommends", "add --no-install-recommends to apt-get")
					if fx != nil {
						fx.OptIn = true // packages that came as recommends may be needed
					}
					return fx
				}))
		}
	}
}

func aptListsCleaned(s *shell.Script) bool {
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

func aptUpdates(s *shell.Script) bool {
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
runs:
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		if !aptUpdates(s) || aptListsCleaned(s) {
			continue runs
		}
		// A cache mount on the lists satisfies the rule; one on all of
		// /var/lib/apt only together with /var/cache/apt, as hadolint
		// asks (DL3009Spec: "cache mount to apt lists directory only").
		wholeLib := in.CachesDir("/var/lib/apt")
		if in.CachesDir("/var/lib/apt/lists") && !wholeLib || wholeLib && in.CachesDir("/var/cache/apt") {
			continue runs
		}
		if !in.InOnBuild && in.Stage >= 0 && in.Stage < len(f.Stages)-1 {
			if st := f.Stages[in.Stage]; st.Name == "" || !usedAsBase[st.Name] {
				continue runs
			}
		}
		fix := appendToRun(c, in, " && rm -rf /var/lib/apt/lists/*", "remove the apt lists in the same RUN")
		if fix != nil && laterAptInstallWithoutUpdate(c, in) {
			fix.OptIn = true // a later RUN installs from the lists this removes
		}
		r.Fix(in, "Delete the apt-get lists after installing something: end this RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount /var/lib/apt/lists as a cache (`RUN --mount=type=cache,target=/var/lib/apt/lists`).", fix)
	}
}

// laterAptInstallWithoutUpdate reports whether a RUN after in installs
// with apt without running update first, so removing the lists would break it.
func laterAptInstallWithoutUpdate(c *Context, in *dockerfile.Instruction) bool {
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
		if s == nil {
			continue
		}
		// an update only helps an install it comes before (not
		// `apt-get install x || apt-get update`)
		updated := false
		for _, cmd := range s.Find("apt-get", "apt", "aptitude") {
			if cmd.HasArg("update") {
				updated = true
			}
			if cmd.HasArg("install") && !updated {
				return true
			}
		}
	}
	return false
}

var aptGetSubcommands = map[string]bool{"install": true, "update": true, "upgrade": true, "remove": true, "purge": true,
	"autoremove": true, "dist-upgrade": true, "clean": true, "autoclean": true, "source": true, "build-dep": true, "download": true}

func checkDL3027(c *Context, r *Reporter) {
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		var bad []shell.Command
		for _, cmd := range s.Commands {
			if cmd.Name == "apt" {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(in, "Do not use `apt` as it is meant to be an end-user tool, use `apt-get` or `apt-cache` instead.",
				fixEach(bad, func(cmd shell.Command) *finding.Fix {
					if !aptGetSubcommands[cmd.Sub()] {
						return nil
					}
					return replaceName(c, in, cmd, "apt-get", "use apt-get instead of apt")
				}))
		}
	}
}
