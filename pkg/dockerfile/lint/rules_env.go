package lint

import (
	"strings"

	"github.com/slimship/slimship/pkg/finding"
)

func envRules() []Rule {
	return []Rule{
		rule(finding.Spec{ID: "DL3044", Severity: finding.Error, Category: finding.Correctness,
			Description: "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
			Remediation: "Define the variable in an earlier ENV before using it in another variable's value.",
			DocsURL:     hadolintWiki + "DL3044"}, checkDL3044),
	}
}

func checkDL3044(c *Context, r *Reporter) {
	defined := map[string]bool{}
	for _, in := range c.Effective() {
		switch in.Cmd {
		case "arg":
			for _, a := range argPairs(in) {
				defined[a.Key] = true
			}
		case "env":
			pairs := keyValues(in)
			var bad []string
			for i, p := range pairs {
				if defined[p.Key] {
					continue
				}
				for j, q := range pairs {
					if i != j && refersTo(q.Value, p.Key) {
						bad = append(bad, p.Key)
						break
					}
				}
			}
			for _, p := range pairs {
				defined[p.Key] = true
			}
			if len(bad) > 0 {
				r.At(in, "`"+strings.Join(bad, "`, `")+"` is defined and used in the same `ENV`: the reference still sees the old value; split it into two ENV instructions.")
			}
		}
	}
}

func varChar(ch byte) bool {
	return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '_'
}

// refersTo reports ${name} or $name (not $nameX) in text.
func refersTo(text, name string) bool {
	if strings.Contains(text, "${"+name+"}") {
		return true
	}
	v := "$" + name
	if !strings.Contains(text, v) {
		return false
	}
	for _, rest := range strings.Split(text, v)[1:] {
		if rest == "" || !varChar(rest[0]) {
			return true
		}
	}
	return false
}
