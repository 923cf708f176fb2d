// Package lint checks systemd units and Podman Quadlet files for the
// hardening gaps `edge generate` closes: limits, restarts, the sandbox of
// pkg/edge/hardening (one rule per setting) and the container's own
// (non-root user, read-only root, no new privileges, no capabilities).
// Each rule applies to the kinds of unit it makes sense for: a service
// running its program directly, a service running `podman run`, or a
// Quadlet .container.
package lint

import (
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/edge/unit"
	"github.com/slimship/slimship/pkg/finding"
)

// Gap is one finding of a check: where and what.
type Gap struct {
	Line    int
	Message string
}

// Check looks at one unit.
type Check func(c *Context) []Gap

// Rule is a rule of this domain with its check and the kinds of unit it
// applies to.
type Rule struct {
	finding.Checked[Check]
	Kinds []unit.Kind
}

// Applies reports whether r checks units of kind k.
func (r Rule) Applies(k unit.Kind) bool {
	for _, x := range r.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Kinds of unit, for rules.
var (
	allKinds      = []unit.Kind{unit.Exec, unit.PodmanRun, unit.Quadlet}
	directOnly    = []unit.Kind{unit.Exec}
	containerOnly = []unit.Kind{unit.PodmanRun, unit.Quadlet}
)

// Rules returns every rule of the domain, sorted by ID.
func Rules() []finding.Rule {
	reg := finding.NewRegistry()
	for _, r := range All() {
		reg.Register(r.Rule)
	}
	return reg.All()
}

// All returns every rule with its check, in the order of the topic files:
// limits and restarts, the service sandbox, the container.
func All() []Rule {
	var out []Rule
	out = append(out, limitRules...)
	out = append(out, sandboxRules()...)
	out = append(out, containerRules...)
	return out
}

// define builds one of this domain's rules.
func define(id string, sev finding.Severity, cat finding.Category, kinds []unit.Kind, desc, remedy string, check Check) Rule {
	r := finding.Define(finding.Systemd, finding.Spec{ID: id, Severity: sev, Category: cat, Description: desc, Remediation: remedy})
	return Rule{Checked: finding.With(r, check), Kinds: kinds}
}

// ignoreComment is an in-file suppression: # slimship ignore=SSU101,SSU102
var ignoreComment = lazyre.New(`^slimship\s+ignore=([A-Za-z0-9_,\- ]+)$`)

// Lint checks units with every rule the policy lets run. A comment
// `# slimship ignore=ID[,ID...]` anywhere in a unit silences those rules
// for that unit.
func Lint(files []*unit.File, pol *finding.Policy) []finding.Finding {
	rules := All()
	var out []finding.Finding
	for _, f := range files {
		c := newContext(f)
		if c.Kind == unit.Other {
			continue
		}
		ignored := map[string]bool{}
		for _, cm := range f.Comments {
			if m := ignoreComment.FindStringSubmatch(cm.Text); m != nil {
				for _, id := range strings.Split(m[1], ",") {
					ignored[strings.ToUpper(strings.TrimSpace(id))] = true
				}
			}
		}
		for i := range rules {
			r := &rules[i]
			if !r.Applies(c.Kind) || !pol.Runs(&r.Rule) || ignored[r.ID] {
				continue
			}
			for _, g := range r.Check(c) {
				out = append(out, finding.New(r.Rule, finding.Location{File: f.Path, Line: g.Line}, g.Message))
			}
		}
	}
	return pol.Apply(nil, out)
}
