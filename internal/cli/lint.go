package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/lint"
	"github.com/slimship/slimship/pkg/finding"
)

// LintOptions are the flags of `slimship lint`.
type LintOptions struct {
	findingsOutput
	ConfigPath string
	Ignore     []string
	Trusted    []string

	Paths  []string
	inputs []string
	s      Streams
	warn   func(string)
}

// onceWarner returns a Warn for parallel lint runs that prints each
// message once to w.
func onceWarner(w io.Writer) func(string) {
	var mu sync.Mutex
	seen := map[string]bool{}
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		if !seen[msg] {
			seen[msg] = true
			fmt.Fprintln(w, "slimship: warning:", msg)
		}
	}
}

func newLintCmd(s Streams) *cobra.Command {
	o := &LintOptions{s: s}
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Lint Dockerfiles: hadolint's DL rules, BuildKit's checks, ShellCheck and slimship's size and cache rules",
		Long: `Lint Dockerfiles. PATH is a file, a directory (searched for Dockerfile,
*.Dockerfile, Dockerfile.* and Containerfile) or - for standard input.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return run(o)
		},
	}
	f := cmd.Flags()
	o.findingsOutput.bind(f)
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file (default: .slimship.yaml or .hadolint.yaml found upward)")
	f.StringSliceVar(&o.Ignore, "ignore", nil, "rule IDs to ignore")
	f.StringSliceVar(&o.Trusted, "trusted-registry", nil, "trusted registries for DL3026")
	return cmd
}

// Complete checks --ignore and expands directories into Dockerfiles.
func (o *LintOptions) Complete() error {
	if err := ruleIDs().Check("--ignore", o.Ignore); err != nil {
		return usageErr("%v", err)
	}
	var err error
	o.inputs, err = expandInputs(o.Paths, FindDockerfiles, "Dockerfile")
	return err
}

// Validate checks flags.
func (o *LintOptions) Validate() error {
	return o.findingsOutput.validate()
}

// IsDockerfileName reports whether a file name looks like a Dockerfile.
func IsDockerfileName(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".dockerignore") || strings.HasSuffix(lower, ".orig") {
		return false
	}
	return lower == "dockerfile" || lower == "containerfile" ||
		strings.HasSuffix(lower, ".dockerfile") || strings.HasPrefix(lower, "dockerfile.") ||
		strings.HasPrefix(lower, "containerfile.")
}

// FindDockerfiles walks dir for Dockerfiles, skipping VCS and dependency trees.
func FindDockerfiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", ".venv", "venv", "__pycache__":
				if p != dir {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if d.Type().IsRegular() && IsDockerfileName(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// lintResult is one input's outcome.
type lintResult struct {
	findings []finding.Finding
	pol      *finding.Policy
	err      error
}

// Run lints every input; a malformed file is reported and the rest still
// run. Files are linted in parallel (a goroutine each); errors are
// reported in input order.
func (o *LintOptions) Run() error {
	results := make([]lintResult, len(o.inputs))
	o.warn = onceWarner(o.s.Err)
	var wg sync.WaitGroup
	for i, path := range o.inputs {
		wg.Go(func() {
			fs, cfg, err := o.lintOne(path)
			results[i] = lintResult{fs, cfg, err}
		})
	}
	wg.Wait()

	var all []finding.Finding
	inputErr := false
	var firstPol *finding.Policy
	printed := map[string]bool{}
	for _, res := range results {
		if firstPol == nil {
			firstPol = res.pol
		}
		if res.err != nil {
			// A bad configuration shared by many inputs is told once.
			if msg := res.err.Error(); !printed[msg] {
				printed[msg] = true
				fmt.Fprintln(o.s.Err, "slimship:", msg)
			}
			inputErr = true
			continue
		}
		all = append(all, res.findings...)
	}
	finding.Sort(all)
	return o.findingsOutput.report(o.s.Out, all, o.inputs, firstPol, inputErr)
}

func (o *LintOptions) lintOne(path string) ([]finding.Finding, *finding.Policy, error) {
	cfg, err := config.ForPath(o.ConfigPath, path)
	if err != nil {
		return nil, nil, err
	}
	pol, err := o.findingsOutput.policy(cfg, o.Ignore, false)
	if err != nil {
		return nil, nil, errors.Unwrap(err)
	}
	cfg.TrustedRegistries = append(cfg.TrustedRegistries, o.Trusted...)
	var r io.Reader
	name, dir := path, filepath.Dir(path)
	if path == "-" {
		r, dir = o.s.In, ""
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, pol, err
		}
		defer f.Close()
		r = f
	}
	df, err := dockerfile.Parse(name, r)
	if err != nil {
		return nil, pol, err
	}
	return lint.Lint(df, lint.Options{Config: cfg, Policy: pol, Dir: dir, Warn: o.warn}), pol, nil
}
