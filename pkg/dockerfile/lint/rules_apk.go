package lint

import (
	"strings"

	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func apkRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3018", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Pin versions in `apk add`. Instead of `apk add <package>` use `apk add <package>=<version>`.",
			Remediation: "Pin each package as `apk add <package>=<version>`.",
			DocsURL:     hadolintWiki + "DL3018"}, checkDL3018),
		rule(finding.Spec{ID: "DL3019", Severity: finding.Info, Category: finding.Size,
			Description: "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages.",
			Remediation: "Use `apk add --no-cache` instead of `--update` and removing /var/cache/apk.",
			DocsURL:     hadolintWiki + "DL3019"}, checkDL3019),
	}
}

var apkValueFlags = []string{"-t", "--virtual", "--repository", "-X", "--repositories-file", "-p", "--root",
	"--keys-dir", "--cache-dir", "--arch"}

func apkAdds(s *shell.Script) []shell.Command { return withArg(s, "add", "apk") }

func checkDL3018(c *Context, r *Reporter) {
	reportFirstUnpinned(c, r, apkAdds, "add", apkValueFlags, func(p string) bool {
		return strings.ContainsAny(p, "=~<>") || strings.HasSuffix(p, ".apk")
	}, func(p string) string {
		return "Pin versions in apk add: instead of `apk add " + p + "` use `apk add " + p + "=<version>`."
	})
}

func checkDL3019(c *Context, r *Reporter) {
runs:
	for _, rs := range runScripts(c) {
		in, s := rs.In, rs.Script
		if in.CachesDir("/var/cache/apk") {
			continue runs
		}
		var bad []shell.Command
		for _, cmd := range apkAdds(s) {
			if !cmd.HasFlag("--no-cache") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(in, "Use the `--no-cache` switch (`apk add --no-cache <package>`) to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages.",
				fixEach(bad, func(cmd shell.Command) *finding.Fix {
					return insertAfterName(c, in, cmd, " --no-cache", "add --no-cache to apk")
				}))
		}
	}
}
