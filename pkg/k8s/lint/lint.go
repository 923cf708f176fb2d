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
	"runtime"
	"sort"
	"sync"

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
	// Checks only read the context (an object's memo is written by its own
	// checks), so objects are checked in parallel, each worker on a
	// contiguous run of them. A worker appends its objects' findings to one
	// buffer of its own, sorting each object's as they are made; the first
	// worker's buffer has room for everyone's (capacity never written costs
	// no page faults), so joining them in object order copies the others'
	// findings only, and the whole is sorted only when it is not in order
	// already (usually it is: objects follow each other by file and line).
	n := len(c.objects)
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	bufs := make([][]finding.Finding, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		size := hi - lo
		if w == 0 {
			size = n
		}
		work := func() {
			r := &Reporter{out: make([]finding.Finding, 0, findingsPerObject*size)}
			for i := lo; i < hi; i++ {
				start := len(r.out)
				checkObject(c, c.objects[i], rules, pol, r)
				sortFindings(r.out[start:])
			}
			bufs[w] = r.out
		}
		if w == workers-1 {
			work() // on this goroutine
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	wg.Wait()
	all := bufs[0]
	for _, b := range bufs[1:] {
		all = append(all, b...)
	}
	res.Findings = pol.Apply(nil, all)
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

// findingsPerObject is the room reserved for each object's findings: a
// few more than the corpus average.
const findingsPerObject = 8

// sortFindings sorts fs in place with finding.Sort. Sorting each object's
// findings and then, when needed, all of them gives the order one sort of
// them all gives.
func sortFindings(fs []finding.Finding) {
	finding.Sort(fs)
}
