// Package scan turns matcher results into slimship findings: one rule per
// severity class (VULN-CRITICAL, VULN-HIGH, VULN-MEDIUM, VULN-LOW,
// VULN-UNKNOWN), so policies ignore or re-rate a class as they do any
// rule, and --fail-on critical|high|medium|low gates on the class.
package scan

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/vuln/match"
	"github.com/slimship/slimship/pkg/vuln/severity"
)

const docs = "https://github.com/slimship/slimship/blob/main/docs/rules/"

var rules = map[severity.Level]finding.Rule{
	severity.Critical: {ID: "VULN-CRITICAL", Severity: finding.Error, Category: finding.Security, Domain: finding.Image,
		Description: "A package has a known vulnerability rated critical", Remediation: "Upgrade the package to the fixed version", DocsURL: docs + "VULN-CRITICAL.md"},
	severity.High: {ID: "VULN-HIGH", Severity: finding.Error, Category: finding.Security, Domain: finding.Image,
		Description: "A package has a known vulnerability rated high", Remediation: "Upgrade the package to the fixed version", DocsURL: docs + "VULN-HIGH.md"},
	severity.Medium: {ID: "VULN-MEDIUM", Severity: finding.Warning, Category: finding.Security, Domain: finding.Image,
		Description: "A package has a known vulnerability rated medium", Remediation: "Upgrade the package to the fixed version", DocsURL: docs + "VULN-MEDIUM.md"},
	severity.Low: {ID: "VULN-LOW", Severity: finding.Info, Category: finding.Security, Domain: finding.Image,
		Description: "A package has a known vulnerability rated low", Remediation: "Upgrade the package to the fixed version", DocsURL: docs + "VULN-LOW.md"},
	severity.Unknown: {ID: "VULN-UNKNOWN", Severity: finding.Warning, Category: finding.Security, Domain: finding.Image,
		Description: "A package has a known vulnerability without a rating (gated as medium)", Remediation: "Upgrade the package to the fixed version", DocsURL: docs + "VULN-UNKNOWN.md"},
}

// Rules lists the vulnerability rules.
func Rules() []finding.Rule {
	out := make([]finding.Rule, 0, len(rules))
	for _, r := range rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Vuln is one vulnerability of one package, rated.
type Vuln struct {
	match.Result
	Level severity.Level
	// Rating says where Level came from (a vector and score, or a word).
	Rating string
}

// Gate is what a run reports and fails on.
type Gate struct {
	// IgnoreUnfixed drops vulnerabilities without a fixed version.
	IgnoreUnfixed bool
	// FailOn is the lowest class that fails the run; Unknown is gated as
	// Medium.
	FailOn severity.Level
}

// Rate rates every result and drops what the gate leaves out.
func Rate(results []match.Result, g Gate) []Vuln {
	out := make([]Vuln, 0, len(results))
	for _, r := range results {
		if g.IgnoreUnfixed && r.Fixed == "" {
			continue
		}
		l, src := severity.Of(r.Record, r.Affected)
		out = append(out, Vuln{Result: r, Level: l, Rating: src})
	}
	// Sort positions, not the large structs, then lay them out once.
	order := make([]int32, len(out))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int {
		a, b := &out[i], &out[j]
		if a.Level != b.Level {
			return cmp.Compare(b.Level, a.Level)
		}
		if c := strings.Compare(a.Package.Name, b.Package.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Record.ID, b.Record.ID)
	})
	sorted := make([]Vuln, len(out))
	for k, i := range order {
		sorted[k] = out[i]
	}
	return sorted
}

// Failing reports whether a vulnerability reaches the gate's class.
func (g Gate) Failing(vs []Vuln) bool {
	if g.FailOn == severity.Unknown {
		return false
	}
	for _, v := range vs {
		l := v.Level
		if l == severity.Unknown {
			l = severity.Medium
		}
		if l >= g.FailOn {
			return true
		}
	}
	return false
}

// Findings renders vulnerabilities of input as findings of the class rules.
func Findings(vs []Vuln, input string) []finding.Finding {
	out := make([]finding.Finding, 0, len(vs))
	for _, v := range vs {
		rule := rules[v.Level]
		msg := fmt.Sprintf("%s: %s %s (%s)", v.Record.ID, v.Package.Name, v.Package.Version, v.Package.Ecosystem)
		if v.Package.SourceName != "" && v.Package.SourceName != v.Package.Name {
			msg += " from source " + v.Package.SourceName
		}
		if v.Fixed != "" {
			msg += ", fixed in " + v.Fixed
		} else {
			msg += ", no fix yet"
		}
		if ids := v.Record.IDs()[1:]; len(ids) > 0 {
			msg += " [" + strings.Join(ids, ", ") + "]"
		}
		if v.Record.Summary != "" {
			msg += ": " + v.Record.Summary
		}
		loc := finding.Location{File: input, Path: v.Package.Name}
		if w := v.Package.Where; w != nil {
			msg += "; " + Provenance(w)
			loc.Layer = w.LayerDigest
			if w.DockerfileFile != "" {
				loc.File, loc.Line = w.DockerfileFile, w.DockerfileLine
			}
		}
		f := finding.New(rule, loc, msg)
		out = append(out, f)
	}
	return out
}

// Provenance says where a package came from: the base image or a later
// layer, and the instruction that made the layer.
func Provenance(w *match.Where) string {
	var b strings.Builder
	switch w.Origin {
	case "base":
		b.WriteString("from the base image")
	case "dockerfile":
		b.WriteString("added by the Dockerfile")
	default:
		b.WriteString("found")
	}
	if w.Path != "" {
		b.WriteString(" in " + w.Path)
	}
	if w.Layer >= 0 {
		fmt.Fprintf(&b, ", layer %d", w.Layer)
	}
	switch {
	case w.DockerfileFile != "":
		fmt.Fprintf(&b, " (%s:%d %s)", w.DockerfileFile, w.DockerfileLine, w.DockerfileText)
	case w.CreatedBy != "":
		cb := w.CreatedBy
		if len(cb) > 80 {
			cb = cb[:77] + "..."
		}
		fmt.Fprintf(&b, " (%s)", cb)
	}
	return b.String()
}

// RuleOf is the rule a vulnerability of level l is reported under.
func RuleOf(l severity.Level) finding.Rule { return rules[l] }

// KeepRules drops the vulnerabilities whose class rule pol turns off, so
// that an ignored class neither reports nor fails the run.
func KeepRules(vs []Vuln, pol *finding.Policy) []Vuln {
	keep := map[severity.Level]bool{}
	for l, r := range rules {
		keep[l] = pol.Runs(&r) && pol.Severity(r.ID, r.Severity) != finding.Off
	}
	out := make([]Vuln, 0, len(vs))
	for _, v := range vs {
		if keep[v.Level] {
			out = append(out, v)
		}
	}
	return out
}
