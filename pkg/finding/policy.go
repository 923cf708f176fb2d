package finding

import (
	"cmp"
	"slices"
	"strings"
)

// Policy is what a user's configuration and flags make of the rules: which
// never report, which take another severity, which default-off rules run,
// and the severity at which a run fails. The zero Policy runs every rule
// that is on by default at its own severity and fails on warnings.
//
// Rule IDs in a Policy are spelt as the registry spells them; whoever builds
// a Policy (pkg/config) checks them against the registry first.
type Policy struct {
	// Ignored rules never report.
	Ignored map[string]bool
	// Overrides give rules another severity. A rule named here also runs
	// when it is off by default.
	Overrides map[string]Severity
	// Enabled turns on default-off rules.
	Enabled map[string]bool
	// FailOn is the threshold of AtOrAbove; Off never fails. Use Failing.
	FailOn Severity
	// FailOnSet tells a FailOn of Off ("none") from an unset one (warning).
	FailOnSet bool
}

// Runs reports whether rule is to be checked at all: not ignored, not
// turned off, and on by default or turned on.
func (p *Policy) Runs(r *Rule) bool {
	if p == nil {
		return !r.DefaultOff
	}
	if p.Ignored[r.ID] {
		return false
	}
	sev, over := p.Overrides[r.ID]
	if over && sev == Off {
		return false
	}
	return !r.DefaultOff || over || p.Enabled[r.ID]
}

// Severity is the severity a finding of rule id with severity def takes:
// Off when the rule is ignored.
func (p *Policy) Severity(id string, def Severity) Severity {
	if p == nil {
		return def
	}
	if p.Ignored[id] {
		return Off
	}
	if sev, ok := p.Overrides[id]; ok {
		return sev
	}
	return def
}

// Apply drops the findings of ignored rules and of rules that do not run,
// gives the rest their overridden severity, and sorts them in the one
// order (Sort). rules are the rules that may have made fs (for default-off
// rules); nil means "trust that only rules that run made fs". fs is
// reused.
func (p *Policy) Apply(rules []Rule, fs []Finding) []Finding {
	var off map[string]bool
	for i := range rules {
		if !p.Runs(&rules[i]) {
			if off == nil {
				off = map[string]bool{}
			}
			off[rules[i].ID] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		if off[f.RuleID] {
			continue
		}
		f.Severity = p.Severity(f.RuleID, f.Severity)
		if f.Severity == Off || p.ignoresAlias(&f) {
			continue
		}
		out = append(out, f)
	}
	Sort(out)
	return out
}

// ignoresAlias reports whether one of f's aliases (the ID of a twin rule
// whose finding was merged into f) is ignored: ignoring either ID of one
// problem suppresses it.
func (p *Policy) ignoresAlias(f *Finding) bool {
	if p == nil {
		return false
	}
	for _, a := range f.Aliases {
		if p.Ignored[a] || hasKey(p.Overrides, a) && p.Overrides[a] == Off {
			return true
		}
	}
	return false
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// Threshold is the severity from which findings fail a run: FailOn when
// set, else Warning.
func (p *Policy) Threshold() Severity {
	if p == nil || !p.FailOnSet {
		return Warning
	}
	return p.FailOn
}

// Failing reports whether fs fail the run.
func (p *Policy) Failing(fs []Finding) bool {
	return AtOrAbove(fs, p.Threshold())
}

// Compare is the one order of findings: by file, line and column, then
// rule, then image path and layer. Sort sorts by it.
func Compare(a, b Finding) int {
	if c := strings.Compare(a.File, b.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Line, b.Line); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Column, b.Column); c != 0 {
		return c
	}
	if c := strings.Compare(a.RuleID, b.RuleID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	return strings.Compare(a.Layer, b.Layer)
}

// Sort orders findings by Compare, keeping the order of equal ones. Sorted
// findings (the usual case when they were made file by file) are only
// checked.
func Sort(fs []Finding) {
	if !slices.IsSortedFunc(fs, Compare) {
		slices.SortStableFunc(fs, Compare)
	}
}
