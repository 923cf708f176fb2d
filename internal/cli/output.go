package cli

import (
	"errors"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/report"
)

// findingsOutput is the --format, --fail-on and --no-color trio of every
// command that reports findings, and the one way they report them.
type findingsOutput struct {
	Format  string
	FailOn  string
	NoColor bool
}

func (f *findingsOutput) bind(fs *pflag.FlagSet) {
	fs.StringVarP(&f.Format, "format", "f", "text", "output format: "+strings.Join(report.Formats, ", "))
	fs.StringVar(&f.FailOn, "fail-on", "", "exit 1 on findings at or above: error, warning, info, style, none (default: config failure-threshold, else warning)")
	fs.BoolVar(&f.NoColor, "no-color", false, "no colours in text output")
}

// validate checks --format and --fail-on.
func (f *findingsOutput) validate() error {
	if !report.ValidFormat(f.Format) {
		return usageErr("unknown --format %q (want %s)", f.Format, strings.Join(report.Formats, ", "))
	}
	if f.FailOn != "" {
		if _, err := finding.ParseSeverity(f.FailOn); err != nil {
			return usageErr("--fail-on: %v", err)
		}
	}
	return nil
}

// policy builds the run's finding.Policy from the configuration, --ignore
// and --fail-on, checking every rule ID against the rules of every domain;
// kubernetes adds kubernetes.ignored.
func (f *findingsOutput) policy(cfg *config.Config, ignore []string, kubernetes bool) (*finding.Policy, error) {
	pol, err := cfg.Policy(ruleIDs(), config.Flags{Ignore: ignore, FailOn: f.FailOn, Kubernetes: kubernetes})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return pol, nil
}

// write reports fs for inputs and returns exit code 1 when a finding
// reaches the policy's threshold.
func (f *findingsOutput) write(out io.Writer, fs []finding.Finding, inputs []string, pol *finding.Policy) error {
	opts := report.Options{Color: !f.NoColor && isTerminal(out), ToolVersion: versionString(), Files: inputs}
	if f.Format == "sarif" {
		opts.Rules = allRules()
	}
	if err := report.Write(out, f.Format, fs, opts); err != nil {
		return err
	}
	if pol.Failing(fs) {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// report is write for a run in which some inputs may have been rejected
// (their errors printed already): the exit code is then 2, and with no
// findings the text format prints nothing, so a rejected input is never
// summarised as "0 findings".
func (f *findingsOutput) report(out io.Writer, fs []finding.Finding, inputs []string, pol *finding.Policy, rejected bool) error {
	if rejected && len(fs) == 0 && f.Format == "text" {
		return &ExitError{Code: ExitUsage}
	}
	err := f.write(out, fs, inputs, pol)
	if rejected && (err == nil || errors.As(err, new(*ExitError))) {
		return &ExitError{Code: ExitUsage}
	}
	return err
}

// expandInputs turns PATH arguments into the files to check: "-" (standard
// input, at most once) stays, a file stays, a directory is searched with
// find; what names the files for the error when a directory has none.
func expandInputs(paths []string, find func(dir string) ([]string, error), what string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var inputs []string
	stdin := false
	for _, p := range paths {
		if p == "-" {
			if stdin {
				return nil, usageErr("standard input (-) can be read only once")
			}
			stdin = true
			inputs = append(inputs, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		if !st.IsDir() {
			inputs = append(inputs, p)
			continue
		}
		found, err := find(p)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		if len(found) == 0 {
			return nil, usageErr("%s: no %s found", p, what)
		}
		inputs = append(inputs, found...)
	}
	return inputs, nil
}

// fileLint is what the commands that lint files found under PATH
// arguments share (k8s lint, edge lint): the findings output, --config
// and --ignore, the expanded inputs and the policy.
type fileLint struct {
	findingsOutput
	ConfigPath string
	Ignore     []string

	Paths  []string
	inputs []string
	pol    *finding.Policy
}

func (l *fileLint) bind(fs *pflag.FlagSet) {
	l.findingsOutput.bind(fs)
	fs.StringVarP(&l.ConfigPath, "config", "c", "", "configuration file (default: .slimship.yaml found upward)")
	fs.StringSliceVar(&l.Ignore, "ignore", nil, "rule IDs to ignore")
}

// complete checks --ignore, expands the paths with find (what names the
// files for the error when a directory has none) and builds the policy from
// the configuration found for the first input.
func (l *fileLint) complete(find func(dir string) ([]string, error), what string, kubernetes bool) error {
	if err := ruleIDs().Check("--ignore", l.Ignore); err != nil {
		return usageErr("%v", err)
	}
	var err error
	if l.inputs, err = expandInputs(l.Paths, find, what); err != nil {
		return err
	}
	cfg, err := config.ForPath(l.ConfigPath, l.inputs[0])
	if err != nil {
		return usageErr("%v", err)
	}
	l.pol, err = l.findingsOutput.policy(cfg, l.Ignore, kubernetes)
	return err
}
