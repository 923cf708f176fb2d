// Command hadolint-conformance lints the Dockerfiles of hadolint's own test
// suite (a JSON-lines corpus of cases) with slimship's rules in-process and
// prints, per rule, how often slimship agrees with hadolint's expectation.
//
//	go run ./bench/hadolint-conformance [-corpus ../shared/corpus/hadolint-cases.jsonl] [-rule DL3008] [-v] [-min-agreement 95]
//
// Each line is {rule, dockerfile, expect: catches|passes, count?, config?,
// onbuild?, dockerfile_onbuild?, test, source, line}. A case agrees when a
// "catches" case yields a finding of its rule (exactly count of them when
// count is given) and a "passes" case yields none. A case marked onbuild is
// hadolint's ONBUILD variant of a test: it runs dockerfile_onbuild. Rule "*" means no finding of any implemented DL rule;
// "SC*" means a ShellCheck finding and only counts when shellcheck is on PATH.
// Overall agreement is over implemented rules only.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/finding"
)

type testCase struct {
	Rule              string          `json:"rule"`
	Dockerfile        string          `json:"dockerfile"`
	Expect            string          `json:"expect"`
	Count             *int            `json:"count"`
	Config            json.RawMessage `json:"config"`
	Onbuild           bool            `json:"onbuild"`
	DockerfileOnbuild string          `json:"dockerfile_onbuild"`
	Test              string          `json:"test"`
	Source            string          `json:"source"`
	Line              int             `json:"line"`

	onbuild bool
}

type tally struct {
	cases, agree int
	implemented  bool
}

func main() {
	corpus := flag.String("corpus", "../shared/corpus/hadolint-cases.jsonl", "hadolint cases (JSON lines)")
	only := flag.String("rule", "", "only cases of this rule (comma-separated list allowed)")
	verbose := flag.Bool("v", false, "print every disagreement")
	minAgree := flag.Float64("min-agreement", -1, "exit 1 when overall agreement (percent) is below this")
	flag.Parse()

	cases, err := readCases(*corpus)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hadolint-conformance:", err)
		os.Exit(2)
	}
	res := run(cases, *only, *verbose, os.Stdout)
	if *minAgree >= 0 && res < *minAgree {
		fmt.Fprintf(os.Stderr, "agreement %.1f%% is below %.1f%%\n", res, *minAgree)
		os.Exit(1)
	}
}

func readCases(path string) ([]testCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []testCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c testCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		if c.Expect != "catches" && c.Expect != "passes" {
			return nil, fmt.Errorf("%s:%d: expect must be catches or passes, got %q", path, n, c.Expect)
		}
		// hadolint's onBuildRuleCatches/onBuildRuleCatchesNot cases state
		// what the ONBUILD variant must give: run that variant (the plain
		// Dockerfile has its own case when hadolint tests it).
		if c.Onbuild && c.DockerfileOnbuild != "" {
			c.Dockerfile = c.DockerfileOnbuild
			c.onbuild = true
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// run lints every case and prints the table; it returns the overall
// agreement in percent over implemented rules.
func run(cases []testCase, only string, verbose bool, w io.Writer) float64 {
	rules := map[string]lint.Rule{}
	for _, r := range lint.All() {
		rules[r.ID] = r
	}
	// SC* cases need shellcheck on PATH and a rule that runs it.
	_, scErr := exec.LookPath("shellcheck")
	haveShellcheck := false
	for _, r := range rules {
		if r.Requires == "shellcheck" || strings.HasPrefix(r.ID, "SC") {
			haveShellcheck = scErr == nil
		}
	}
	want := map[string]bool{}
	for _, r := range strings.Split(only, ",") {
		if r = strings.TrimSpace(r); r != "" {
			want[strings.ToUpper(r)] = true
		}
	}

	tallies := map[string]*tally{}
	for _, c := range cases {
		if len(want) > 0 && !want[c.Rule] {
			continue
		}
		t := tallies[c.Rule]
		if t == nil {
			t = &tally{}
			switch c.Rule {
			case "*":
				t.implemented = true
			case "SC*":
				t.implemented = haveShellcheck
			default:
				_, t.implemented = rules[c.Rule]
			}
			tallies[c.Rule] = t
		}
		t.cases++
		if !t.implemented {
			continue
		}
		got, err := lintCase(c, rules)
		ok := err == nil && agrees(c, got, rules)
		if ok {
			t.agree++
			continue
		}
		if verbose {
			printDisagreement(w, c, got, err)
		}
	}

	ids := make([]string, 0, len(tallies))
	for id := range tallies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rule\tcases\tagree\tpercent\t")
	var total, agreed, missing int
	for _, id := range ids {
		t := tallies[id]
		if !t.implemented {
			missing++
			note := "not implemented"
			if id == "SC*" {
				note = "shellcheck not on PATH or no shellcheck rule"
			}
			fmt.Fprintf(tw, "%s\t%d\t-\t%s\t\n", id, t.cases, note)
			continue
		}
		total += t.cases
		agreed += t.agree
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\t\n", id, t.cases, t.agree, pct(t.agree, t.cases))
	}
	tw.Flush()
	overall := pct(agreed, total)
	fmt.Fprintf(w, "\noverall (implemented rules): %d/%d cases agree, %.1f%%; %d rule(s) not implemented\n", agreed, total, overall, missing)
	return overall
}

func pct(a, n int) float64 {
	if n == 0 {
		return 100
	}
	return 100 * float64(a) / float64(n)
}

// lintCase lints one case with its configuration. A rule that is off by
// default is turned on for its own cases, as hadolint's tests do.
func lintCase(c testCase, rules map[string]lint.Rule) ([]finding.Finding, error) {
	cfg := &config.Config{}
	if len(c.Config) > 0 && string(c.Config) != "null" {
		if err := json.Unmarshal(c.Config, cfg); err != nil {
			return nil, fmt.Errorf("config: %v", err)
		}
	}
	pol, err := cfg.Policy(nil, config.Flags{})
	if err != nil {
		return nil, fmt.Errorf("config: %v", err)
	}
	if r, ok := rules[c.Rule]; ok && r.DefaultOff && pol.Severity(r.ID, r.Severity) != finding.Off {
		pol.Enabled[r.ID] = true
	}
	f, err := dockerfile.ParseBytes("Dockerfile", []byte(c.Dockerfile))
	if err != nil {
		return nil, err
	}
	return lint.Lint(f, lint.Options{Config: cfg, Policy: pol}), nil
}

func agrees(c testCase, got []finding.Finding, rules map[string]lint.Rule) bool {
	n := 0
	for _, f := range got {
		switch c.Rule {
		case "*":
			if _, ok := rules[f.RuleID]; ok && strings.HasPrefix(f.RuleID, "DL") {
				n++
			}
		case "SC*":
			if strings.HasPrefix(f.RuleID, "SC") {
				n++
			}
		default:
			if f.RuleID == c.Rule {
				n++
			}
		}
	}
	if c.Expect == "passes" {
		return n == 0
	}
	if c.Count != nil && c.Rule != "*" && c.Rule != "SC*" {
		return n == *c.Count
	}
	return n > 0
}

func printDisagreement(w io.Writer, c testCase, got []finding.Finding, err error) {
	variant := ""
	if c.onbuild {
		variant = " [onbuild]"
	}
	want := c.Expect
	if c.Count != nil && c.Expect == "catches" {
		want = fmt.Sprintf("catches x%d", *c.Count)
	}
	fmt.Fprintf(w, "--- %s%s: %q (%s:%d), want %s\n", c.Rule, variant, c.Test, c.Source, c.Line, want)
	if len(c.Config) > 0 {
		fmt.Fprintf(w, "    config: %s\n", c.Config)
	}
	for _, l := range strings.Split(strings.TrimRight(c.Dockerfile, "\n"), "\n") {
		fmt.Fprintf(w, "    | %s\n", l)
	}
	var perr *dockerfile.Error
	switch {
	case errors.As(err, &perr):
		fmt.Fprintf(w, "    parse error: %v\n", err)
	case err != nil:
		fmt.Fprintf(w, "    error: %v\n", err)
	}
	if len(got) == 0 && err == nil {
		fmt.Fprintln(w, "    got: no findings")
	}
	for _, f := range got {
		fmt.Fprintf(w, "    got: %d:%d %s %s\n", f.Line, f.Column, f.RuleID, f.Message)
	}
}
