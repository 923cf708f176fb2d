// Package lint checks Kubernetes objects: every default check of kube-score
// (with kube-score's check names as rule IDs and its grades as severities:
// CRITICAL is error, WARNING is warning), kube-linter's workload checks that
// kube-score lacks (kube-linter's names), and slimship's own for HPA and
// KEDA objects, removed APIs and what kubectl reads. Each rule is defined in
// the rules_<topic>.go file of its topic (resources, probes, security,
// images, network, scaling, ...) by a check constructor of checks.go that
// hands it the typed object it needs. Objects are linted together, so
// cross-object checks (a Service targets a pod, a PodDisruptionBudget
// covers a Deployment) see every input.
package lint

import (
	"fmt"
	"sort"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/k8s/manifest"
)

// Options tune Lint.
type Options struct {
	// Config supplies kubernetes.ignored, severity overrides and turns on
	// default-off rules named in an override.
	Config *config.Config
	// Ignore lists more rule IDs to skip.
	Ignore []string
	// Policy says which rules run and at what severity; nil means the one
	// Config and Ignore make, with rule IDs taken as written.
	Policy *finding.Policy
}

// Result is what Lint found.
type Result struct {
	Findings []finding.Finding
	// Notes are for people (skipped kinds); print them on stderr.
	Notes []string
	// Errors are objects that could not be decoded into their type.
	Errors []error
}

// IgnoreAnnotationPrefix opts an object out of a rule:
// ignore.slimship.dev/<ID>: "true".
const IgnoreAnnotationPrefix = "ignore.slimship.dev/"

// Lint runs every enabled rule on objs.
func Lint(objs []*manifest.Object, opts Options) Result {
	var res Result
	c, errs := newContext(objs)
	res.Errors = errs
	pol := opts.Policy
	if pol == nil {
		pol, _ = opts.Config.Policy(nil, config.Flags{Ignore: opts.Ignore, Kubernetes: true}) // cannot fail without IDs and --fail-on
	}
	rules := All()
	skipped := map[string]int{}
	for _, o := range c.objects {
		if o.skip && o.unknown {
			skipped[o.APIVersion+" "+o.Kind]++
		}
	}
	r := &Reporter{}
	for _, o := range c.objects {
		checkObject(c, o, rules, pol, r)
	}
	res.Findings = pol.Apply(nil, r.out)
	if len(skipped) > 0 {
		keys := make([]string, 0, len(skipped))
		for k := range skipped {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			res.Notes = append(res.Notes, fmt.Sprintf("skipped %d object(s) of kind %s: no checks for custom or unknown kinds", skipped[k], k))
		}
	}
	return res
}

// checkObject appends o's findings to r.out.
// An object's annotation turns on a default-off rule the policy leaves
// off (but not one it ignores); Lint applies the policy's severities to
// all findings at the end.
func checkObject(c *Context, o *Object, rules []Rule, pol *finding.Policy, r *Reporter) {
	if o.skip && len(o.Coerced) == 0 && o.Kind != "" && o.APIVersion != "" {
		return // nothing for the input rules either
	}
	// One reporter serves every rule of the object: its findings are
	// appended in place.
	r.obj = o
	for i := range rules {
		rl := &rules[i]
		if o.skip && !inputRule[rl.ID] {
			continue
		}
		if !pol.Runs(&rl.Rule) && (!rl.DefaultOff || pol.Severity(rl.ID, rl.Severity) == finding.Off || !o.enabled(rl.ID)) {
			continue
		}
		if o.ignores(rl.ID) {
			continue
		}
		r.rule = &rl.Rule
		rl.Check(c, o, r)
	}
}

// Reporter collects one rule's findings on one object.
type Reporter struct {
	rule *finding.Rule
	obj  *Object
	out  []finding.Finding
}

// Report adds a finding at the field path (relative to the object) with the
// rule's severity.
func (r *Reporter) Report(path []any, msg string, a ...any) {
	r.ReportSev(r.rule.Severity, path, msg, a...)
}

// ReportSev adds a finding with an explicit severity (a kube-score grade).
func (r *Reporter) ReportSev(sev finding.Severity, path []any, msg string, a ...any) {
	if len(a) > 0 {
		msg = fmt.Sprintf(msg, a...)
	}
	o := r.obj
	line := o.Line
	if len(path) > 0 {
		line = o.LineOf(path...)
	}
	// The object's findings share one finding.Object (nothing modifies it).
	if o.finding == nil {
		o.finding = &finding.Object{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
	}
	r.out = append(r.out, finding.Finding{
		RuleID: r.rule.ID, Severity: sev, Category: r.rule.Category, Message: msg,
		Location: finding.Location{File: o.File, Line: line, Object: o.finding},
	})
}

// reportLine adds a finding at a line of the object.
func (r *Reporter) reportLine(line int, msg string, a ...any) {
	start := len(r.out)
	r.Report(nil, msg, a...)
	r.out[start].Line = line
}
