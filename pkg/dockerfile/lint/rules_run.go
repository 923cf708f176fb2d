package lint

import (
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func runRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3001", Severity: finding.Info, Category: finding.Correctness,
			Description: "For some bash commands it makes no sense running them in a Docker container like ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig.",
			Remediation: "Remove interactive or system commands (ssh, vim, service, ...) from RUN; run them in the container if needed.",
			DocsURL:     hadolintWiki + "DL3001"}, checkDL3001),
		rule(finding.Spec{ID: "DL3004", Severity: finding.Error, Category: finding.Security,
			Description: "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root.",
			Remediation: "Drop sudo: RUN already runs as root, or switch users with USER or gosu.",
			DocsURL:     hadolintWiki + "DL3004"}, checkDL3004),
		rule(finding.Spec{ID: "DL3047", Severity: finding.Info, Category: finding.Maintainability,
			Description: "`wget` without flag `--progress` will result in excessively bloated build logs when downloading larger files.",
			Remediation: "Add `--progress=dot:giga` (or `-q`) to wget.",
			DocsURL:     hadolintWiki + "DL3047"}, checkDL3047),
		rule(finding.Spec{ID: "DL3059", Severity: finding.Info, Category: finding.Size,
			Description: "Multiple consecutive `RUN` instructions. Consider consolidation.",
			Remediation: "Join consecutive RUN instructions with `&&` into one RUN.",
			DocsURL:     hadolintWiki + "DL3059"}, checkDL3059),
		rule(finding.Spec{ID: "DL4001", Severity: finding.Warning, Category: finding.Size,
			Description: "Either use Wget or Curl but not both.",
			Remediation: "Use either wget or curl in the Dockerfile, not both.",
			DocsURL:     hadolintWiki + "DL4001"}, checkDL4001),
	}
}

var pointlessCommands = []string{"ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig"}

func checkDL3001(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		s := c.Script(in)
		if s == nil {
			continue
		}
		if cmds := s.Find(pointlessCommands...); len(cmds) > 0 {
			r.At(in, "`"+cmds[0].Name+"` makes no sense in a Docker build (ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig); remove it, or run it in the container at run time.")
		}
	}
}

func checkDL3004(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		if s := c.Script(in); s != nil && s.Has("sudo") {
			r.At(in, "Do not use sudo as it leads to unpredictable behavior: RUN already runs as the current USER; switch with `USER`, or use gosu/su-exec in the entrypoint.")
		}
	}
}

func checkDL3059(c *Context, r *Reporter) {
	var prev *dockerfile.Instruction
	prevCount := 0
	count := func(in *dockerfile.Instruction) int {
		s := c.Script(in)
		if s == nil {
			return 1
		}
		n := 0
		for _, cmd := range s.Commands {
			if !cmd.Nested {
				n++
			}
		}
		return n
	}
	for _, in := range c.File.Instructions {
		if in.Cmd != "run" {
			prev = nil
			continue
		}
		n := count(in)
		if prev != nil && sameFlags(prev, in) && n <= 1 && prevCount <= 1 {
			r.At(in, "Multiple consecutive `RUN` instructions: join them with `&&` into one RUN to save a layer.")
		}
		prev, prevCount = in, n
	}
}

func sameFlags(a, b *dockerfile.Instruction) bool {
	if len(a.Flags) != len(b.Flags) {
		return false
	}
	seen := map[string]int{}
	for _, f := range a.Flags {
		seen[f]++
	}
	for _, f := range b.Flags {
		if seen[f] == 0 {
			return false
		}
		seen[f]--
	}
	return true
}

func checkDL3047(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		var bad []shell.Command
		for _, cmd := range run.Script.Commands {
			if baseName(cmd.Name) == "wget" && !hasFlag(cmd, "progress", "q", "quiet", "o", "output-file", "a", "append-output", "no-verbose") && !cmd.HasArg("-nv") {
				bad = append(bad, cmd)
			}
		}
		if len(bad) > 0 {
			r.Fix(run.In, "Use `wget --progress=dot:giga <url>` (or `-q`/`-nv`) so large downloads do not flood the build log.",
				fixEachAfterWord(c.File, run, bad, func(cmd shell.Command) string { return cmd.Name }, " --progress=dot:giga", "add --progress=dot:giga to wget"))
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
				if n := baseName(cmd.Name); n == "curl" || n == "wget" {
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
