package finding

import (
	"fmt"
	"strings"
)

// RepoDocs is where slimship's own rule pages live: docs/rules/<ID>.md in
// the repository, generated from the registries (`go generate ./...`, internal/rulesdoc).
const RepoDocs = "https://github.com/slimship/slimship/blob/main/docs/rules/"

// Spec is what a rule's author writes: everything a Rule says except its
// domain, which the domain's package supplies.
type Spec struct {
	ID          string
	Severity    Severity
	Category    Category
	Description string
	// Remediation says what to change to resolve a finding (kube-linter
	// requires one of every check; so does the registry meta-test).
	Remediation string
	// DocsURL is the upstream page for a borrowed ID (hadolint, BuildKit,
	// ShellCheck, dockle, kube-score, kube-linter); empty means slimship's
	// own page, RepoDocs + ID + ".md".
	DocsURL    string
	DefaultOff bool
	Requires   string
}

// Define is the one rule constructor of every domain: it checks the
// author's spec (a bad one is a programming error, caught by each domain's
// registry test, so it panics) and fills in the domain and docs link.
func Define(d Domain, s Spec) Rule {
	switch {
	case s.ID == "" || strings.ContainsAny(s.ID, " \t\n,"):
		panic(fmt.Sprintf("finding: bad rule ID %q", s.ID))
	case s.Severity < Off || s.Severity > Error:
		panic("finding: rule " + s.ID + ": bad severity")
	case s.Description == "":
		panic("finding: rule " + s.ID + ": no description")
	}
	docs := s.DocsURL
	if docs == "" {
		docs = RepoDocs + s.ID + ".md"
	}
	return Rule{ID: s.ID, Severity: s.Severity, Category: s.Category, Domain: d, Description: s.Description,
		Remediation: s.Remediation, DocsURL: docs, DefaultOff: s.DefaultOff, Requires: s.Requires}
}

// Checked pairs a rule with its check. Each domain names its own check
// signature (a Dockerfile rule sees the file, a pod check a pod template),
// so every domain's rule type is this one type:
//
//	type Rule = finding.Checked[func(*Context, *Reporter)]
type Checked[C any] struct {
	Rule
	Check C
}

// With attaches check to rule.
func With[C any](rule Rule, check C) Checked[C] {
	return Checked[C]{Rule: rule, Check: check}
}
