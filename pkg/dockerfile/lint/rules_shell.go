package lint

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/shell"
	"github.com/slimship/slimship/pkg/finding"
)

func shellRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3025", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
			Remediation: "Write CMD and ENTRYPOINT in JSON form, such as `CMD [\"app\", \"--flag\"]`.",
			DocsURL:     hadolintWiki + "DL3025"}, checkDL3025).WithTwins(linter.RuleJSONArgsRecommended.Name),
		rule(finding.Spec{ID: "DL4003", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Multiple `CMD` instructions found.",
			Remediation: "Keep one CMD per stage: only the last one takes effect.",
			DocsURL:     hadolintWiki + "DL4003"}, checkDL4003).WithStageTwins(linter.RuleMultipleInstructionsDisallowed.Name),
		rule(finding.Spec{ID: "DL4004", Severity: finding.Error, Category: finding.Correctness,
			Description: "Multiple `ENTRYPOINT` instructions found.",
			Remediation: "Keep one ENTRYPOINT per stage: only the last one takes effect.",
			DocsURL:     hadolintWiki + "DL4004"}, checkDL4004).WithStageTwins(linter.RuleMultipleInstructionsDisallowed.Name),
		rule(finding.Spec{ID: "DL4005", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Use `SHELL` to change the default shell.",
			Remediation: "Use the SHELL instruction to change the shell instead of linking /bin/sh.",
			DocsURL:     hadolintWiki + "DL4005"}, checkDL4005),
		rule(finding.Spec{ID: "DL4006", Severity: finding.Warning, Category: finding.Correctness,
			Description: "Set the `SHELL` option -o pipefail before `RUN` with a pipe in it",
			Remediation: "Add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before a RUN with a pipe.",
			DocsURL:     hadolintWiki + "DL4006"}, checkDL4006),
		bk(linter.RuleJSONArgsRecommended, finding.Spec{Category: finding.Correctness,
			Remediation: "Write CMD and ENTRYPOINT in JSON form, such as `CMD [\"app\", \"--flag\"]`."}, bkCheckJSONArgsRecommended),
		bk(linter.RuleMultipleInstructionsDisallowed, finding.Spec{Category: finding.Correctness,
			Remediation: "Keep one CMD, ENTRYPOINT and HEALTHCHECK per stage: only the last one takes effect."}, bkCheckMultipleInstructions),
	}
}

func checkDL3025(c *Context, r *Reporter) {
	for _, in := range c.Effective() {
		switch in.Cmd {
		case "cmd", "entrypoint":
			if !in.JSON && len(in.Args) > 0 {
				r.At(in, "Use arguments JSON notation for CMD and ENTRYPOINT arguments: `"+strings.ToUpper(in.Cmd)+` ["executable", "arg"]`+"` gets signals; shell form runs under /bin/sh -c.")
			}
		case "healthcheck":
			if len(in.Args) == 0 || !strings.EqualFold(in.Args[0], "cmd") {
				continue
			}
			if !in.JSON {
				r.At(in, "Use arguments JSON notation for HEALTHCHECK CMD: `HEALTHCHECK CMD [\"executable\", \"arg\"]`.")
			}
		}
	}
}

func multipleInstructions(c *Context, r *Reporter, cmd, msg string) {
	for _, st := range c.File.Stages {
		seen := false
		for _, in := range st.Instructions {
			if in.Cmd != cmd {
				continue
			}
			if seen {
				r.At(in, msg)
			}
			seen = true
		}
	}
}

func checkDL4003(c *Context, r *Reporter) {
	multipleInstructions(c, r, "cmd", "Multiple `CMD` instructions found: only the last `CMD` takes effect; keep one per stage.")
}

func checkDL4004(c *Context, r *Reporter) {
	multipleInstructions(c, r, "entrypoint", "Multiple `ENTRYPOINT` instructions found: only the last `ENTRYPOINT` takes effect; keep one per stage.")
}

func checkDL4005(c *Context, r *Reporter) {
	for _, run := range runScripts(c) {
		if anyCommand(run.Script, func(cmd shell.Command) bool { return cmdHasArgs(cmd, "ln", "/bin/sh") }) {
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
				ok = shellSafe(in)
			case "run":
				s := c.Script(in)
				if !ok && s != nil && s.HasPipe {
					r.At(in, "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before a RUN with a pipe, so a failing command before the pipe fails the build (on alpine use /bin/ash, or disable this check).")
				}
			}
		}
	}
}

// shellSafe reports whether a SHELL sets pipefail (bash, zsh or ash
// with -o pipefail) or selects a non-POSIX shell where the rule does not
// apply.
func shellSafe(in *dockerfile.Instruction) bool {
	if len(in.Args) == 0 {
		return false
	}
	first := strings.ToLower(in.Args[0])
	for _, p := range []string{"pwsh", "powershell", "cmd"} {
		if strings.HasPrefix(first, p) {
			return true
		}
	}
	switch baseName(in.Args[0]) {
	case "bash", "zsh", "ash":
	default:
		return false
	}
	cmd := shell.Command{Name: in.Args[0], Args: in.Args[1:]}
	return hasFlag(cmd, "o") && cmd.HasArg("pipefail")
}

func bkCheckJSONArgsRecommended(c *Context, r *Reporter, format func(string) string) {
	// shellSet: the stage (or a stage it builds on) ran SHELL, so BuildKit
	// sees a configured shell and stays quiet.
	shellSet := map[int]bool{}
	for _, s := range c.File.Stages {
		set := false
		if p := parentStage(c.File, s); p != nil {
			set = shellSet[p.Index]
		}
		for _, in := range bkStageCommands(s) {
			switch in.Cmd {
			case "shell":
				set = true
			case "cmd", "entrypoint":
				if !in.JSON && !set {
					r.At(in, format(bkKeyword(in)))
				}
			}
		}
		shellSet[s.Index] = set
	}
}

func bkCheckMultipleInstructions(c *Context, r *Reporter, format func(string) string) {
	for _, s := range c.File.Stages {
		last := map[string]*dockerfile.Instruction{}
		for _, in := range bkStageCommands(s) {
			switch in.Cmd {
			case "cmd", "entrypoint", "healthcheck":
				// BuildKit reports the earlier one: it is the one ignored.
				if prev := last[in.Cmd]; prev != nil {
					r.At(prev, format(bkKeyword(prev)))
				}
				last[in.Cmd] = in
			}
		}
	}
}
