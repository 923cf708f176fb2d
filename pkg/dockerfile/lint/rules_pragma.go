package lint

import (
	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/finding"
)

func pragmaRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL1001", Severity: finding.Info, Category: finding.Maintainability,
			Description: "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`.",
			Remediation: "Fix the finding the pragma hides, or turn the rule off in the configuration file.",
			DocsURL:     hadolintWiki + "DL1001", DefaultOff: true}, checkDL1001),
	}
}

var inlineIgnoreRe = lazyre.New(`^hadolint\s+ignore\s*=`)

func checkDL1001(c *Context, r *Reporter) {
	for _, cm := range c.File.Comments {
		if inlineIgnoreRe.MatchString(cm.Text) {
			r.AtLine(cm.Line, 1, "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`; fix the finding, or ignore the rule in the configuration file.")
		}
	}
}
