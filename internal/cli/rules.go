package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/rulesdoc"
	"github.com/slimship/slimship/internal/safetext"
	"github.com/slimship/slimship/internal/suggest"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	edgelint "github.com/slimship/slimship/pkg/edge/lint"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/analyze"
	"github.com/slimship/slimship/pkg/image/audit"
	k8slint "github.com/slimship/slimship/pkg/k8s/lint"
	"github.com/slimship/slimship/pkg/registry/tags"
	vulnscan "github.com/slimship/slimship/pkg/vuln/scan"
)

// ruleSources lists the rules of each domain; allRules merges them.
var ruleSources = []func() []finding.Rule{
	func() []finding.Rule {
		var out []finding.Rule
		for _, r := range lint.All() {
			out = append(out, r.Rule)
		}
		return out
	},
	k8slint.Rules,
	audit.Rules,
	analyze.Rules,
	vulnscan.Rules,
	tags.Rules,
	edgelint.Rules,
}

// allRules returns every rule of every domain, sorted by ID (built once;
// the registry panics on a duplicate ID, which tests catch).
var allRules = sync.OnceValue(func() []finding.Rule {
	reg := finding.NewRegistry()
	for _, src := range ruleSources {
		for _, r := range src() {
			reg.Register(r)
		}
	}
	return reg.All()
})

// Rules returns every rule of every domain, sorted by ID (for the docs
// generator, internal/rulesdoc/gen).
func Rules() []finding.Rule { return allRules() }

// ruleIDs resolves the rule IDs users give, over every domain.
var ruleIDs = sync.OnceValue(func() *config.IDs { return config.LazyIDs(allRules) })

// missing reports whether the program a rule requires is absent.
func missing(r finding.Rule) bool {
	if r.Requires == "" {
		return false
	}
	_, err := exec.LookPath(r.Requires)
	return err != nil
}

// RulesOptions are the flags of `slimship rules`.
type RulesOptions struct {
	Format string
	Domain string
	s      Streams
}

func newRulesCmd(s Streams) *cobra.Command {
	o := &RulesOptions{s: s}
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule: ID, severity, category, description and docs link",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "text", "output format: text, json (with the docs links) or markdown (the rule reference)")
	cmd.Flags().StringVar(&o.Domain, "domain", "", "only rules of one domain: dockerfile, image, kubernetes, registry or systemd")
	return cmd
}

// Validate checks the flags.
func (o *RulesOptions) Validate() error {
	switch o.Format {
	case "text", "json", "markdown":
	default:
		return usageErr("--format must be text, json or markdown, not %q", o.Format)
	}
	if o.Domain == "" {
		return nil
	}
	domains := []string{string(finding.Dockerfile), string(finding.Image), string(finding.Kubernetes), string(finding.OCIRegistry), string(finding.Systemd)}
	for _, d := range domains {
		if o.Domain == d {
			return nil
		}
	}
	return usageErr("unknown --domain %s%s (want %s)", safetext.Quote(o.Domain, 40), suggest.Hint(o.Domain, domains), strings.Join(domains, ", "))
}

type rulesDoc struct {
	Version int        `json:"version"`
	Rules   []ruleJSON `json:"rules"`
}

// ruleJSON is a rule as `rules --format json` prints it: the rule's own
// JSON (id, severity, category, domain, description, remediation, docs,
// defaultOff, requires) and whether its program is missing.
type ruleJSON struct {
	finding.Rule
	// Missing is set when the program a rule requires is not on PATH:
	// the rule is skipped.
	Missing bool `json:"missing,omitempty"`
}

// Run prints the rules.
func (o *RulesOptions) Run() error {
	var rules []finding.Rule
	for _, r := range allRules() {
		if o.Domain == "" || string(r.Domain) == o.Domain {
			rules = append(rules, r)
		}
	}
	switch o.Format {
	case "markdown":
		return rulesdoc.Document(o.s.Out, rules)
	case "json":
		doc := rulesDoc{Version: 1, Rules: []ruleJSON{}}
		for _, r := range rules {
			doc.Rules = append(doc.Rules, ruleJSON{Rule: r, Missing: missing(r)})
		}
		enc := json.NewEncoder(o.s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	w := bufio.NewWriter(o.s.Out)
	fmt.Fprintf(w, "%-*s  %-*s  %-*s  %s\n", rulesIDWidth, "ID", rulesSevWidth, "SEVERITY", rulesCatWidth, "CATEGORY", "DESCRIPTION")
	for _, r := range rules {
		desc := r.Description
		if r.DefaultOff {
			desc += " (off by default)"
		}
		switch {
		case missing(r):
			desc += " (needs " + r.Requires + " on PATH: not found, skipped)"
		case r.Requires != "":
			desc += " (needs " + r.Requires + " on PATH)"
		}
		id := r.ID
		if len(id) > rulesIDWidth {
			fmt.Fprintln(w, id)
			id = ""
		}
		for i, line := range wrapWords(desc, rulesWidth-rulesIDWidth-rulesSevWidth-rulesCatWidth-6) {
			if i == 0 {
				fmt.Fprintf(w, "%-*s  %-*s  %-*s  %s\n", rulesIDWidth, id, rulesSevWidth, r.Severity, rulesCatWidth, r.Category, line)
			} else {
				fmt.Fprintf(w, "%*s%s\n", rulesIDWidth+rulesSevWidth+rulesCatWidth+6, "", line)
			}
		}
	}
	fmt.Fprintf(w, "%d rules (docs links: slimship rules --format json)\n", len(rules))
	return w.Flush()
}

// The rules table fits in rulesWidth columns: longer IDs take a line of
// their own and descriptions wrap.
const (
	rulesWidth    = 100
	rulesIDWidth  = 22
	rulesSevWidth = 8
	rulesCatWidth = 15
)

// wrapWords breaks s into lines of at most width runes at spaces (a word
// longer than width gets a line of its own).
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}
