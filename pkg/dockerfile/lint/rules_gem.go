package lint

import (
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func gemRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3028", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
			Remediation: "Pin each gem as `gem install <gem>:<version>` (or `-v <version>`).",
			DocsURL:     hadolintWiki + "DL3028"}, checkDL3028),
	}
}

var gemBoolFlags = map[string]bool{"--no-document": true, "--document": true, "--no-ri": true, "--no-rdoc": true,
	"--ri": true, "--rdoc": true, "--user-install": true, "--no-user-install": true, "--force": true, "--no-force": true,
	"--local": true, "--remote": true, "--both": true, "--conservative": true, "--minimal-deps": true, "--prerelease": true,
	"--no-prerelease": true, "--ignore-dependencies": true, "--development": true, "--development-all": true,
	"--env-shebang": true, "--no-env-shebang": true, "--wrappers": true, "--no-wrappers": true, "--vendor": true,
	"--default": true, "--lock": true, "--no-lock": true, "--suggestions": true, "--no-suggestions": true,
	"--quiet": true, "--verbose": true, "--silent": true, "--no-verbose": true, "--update-sources": true,
	"--clear-sources": true, "--post-install-message": true, "--no-post-install-message": true, "--backtrace": true,
	"--debug": true, "--norc": true, "--format-executable": true, "--no-format-executable": true}

func gemNames(cmd shell.Command) []string {
	var out []string
	for i := 0; i < len(cmd.Args); i++ {
		a := cmd.Args[i]
		switch {
		case a == "--":
			return out
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && !gemBoolFlags[a] && i+1 < len(cmd.Args) && !strings.HasPrefix(cmd.Args[i+1], "-") {
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
runs:
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		for _, cmd := range s.Find("gem") {
			if !cmd.HasArg("install", "i") || cmd.HasFlag("-v", "--version") {
				continue
			}
			for _, g := range gemNames(cmd) {
				if !strings.Contains(g, ":") {
					r.At(in, "Pin versions in gem install: instead of `gem install "+g+"` use `gem install "+g+":<version>`.")
					continue runs
				}
			}
		}
	}
}
