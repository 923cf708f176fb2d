package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/dockerfile/fix"
	"github.com/slimship/slimship/pkg/finding"
)

// FixOptions are the flags of `slimship fix`.
type FixOptions struct {
	Path       string
	Write      bool
	NoBackup   bool
	Check      bool
	Rules      []string
	OptIn      []string
	NoMerge    bool
	ConfigPath string

	cfg *config.Config
	src []byte
	s   Streams
}

func newFixCmd(s Streams) *cobra.Command {
	o := &FixOptions{s: s}
	cmd := &cobra.Command{
		Use:   "fix [DOCKERFILE]",
		Short: "Apply every safe fix from the linter and print a unified diff",
		Long: `Apply every safe fix for the findings lint reports, merging consecutive
RUNs (DL3059) among them, until nothing more changes, and print a unified
diff (for patch -p0 and git apply). RUNs are merged only where the merged
RUN fails exactly when one of the originals would, with the same output and
files, and no shell state (cwd, variables, set options, exit, traps)
crosses from one into the next; the others stay apart and are listed with
the reason. --write replaces the file atomically (through a symlink, keeping
CRLF line breaks), keeping the original as DOCKERFILE.orig unless
--no-backup, and writes a missing .dockerignore. Fixes that can change
behaviour (SS001 slim base image, SS007 non-root USER) run only with
--opt-in. A fix whose meaning would be unsure is not recorded by its rule,
and the findings left are listed with the reason. Lines named on stderr are
lines of the input.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Path = "Dockerfile"
			if len(args) == 1 {
				o.Path = args[0]
			}
			return run(o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Write, "write", "w", false, "replace the file (atomically) instead of printing a diff only")
	f.BoolVar(&o.NoBackup, "no-backup", false, "with --write, do not keep DOCKERFILE.orig")
	f.BoolVar(&o.Check, "check", false, "exit 1 when fixes would change the file (for CI)")
	f.StringSliceVar(&o.Rules, "rules", nil, "only apply fixes of these rule IDs")
	f.StringSliceVar(&o.OptIn, "opt-in", nil, "enable behaviour-changing fixes: SS001 (slim base), SS007 (non-root USER), or all")
	f.BoolVar(&o.NoMerge, "no-merge-runs", false, "do not merge consecutive RUN instructions")
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file")
	return cmd
}

// Complete checks the rule IDs of the flags, then reads the configuration
// (checking its rule IDs) and the file.
func (o *FixOptions) Complete() error {
	ids := ruleIDs()
	if err := ids.Check("--rules", o.Rules); err != nil {
		return usageErr("%v", err)
	}
	for _, id := range o.OptIn {
		if !strings.EqualFold(id, "all") {
			if err := ids.Check("--opt-in", []string{id}); err != nil {
				return usageErr("%v (or all)", err)
			}
		}
	}
	var err error
	if o.cfg, err = config.ForPath(o.ConfigPath, o.Path); err != nil {
		return usageErr("%v", err)
	}
	if _, err := o.cfg.Policy(ids, config.Flags{}); err != nil {
		return usageErr("%v", err)
	}
	if o.src, err = bounded.ReadFile(o.Path, dockerfile.MaxSize); err != nil {
		return usageErr("%v", err)
	}
	return nil
}

// Validate checks flag combinations.
func (o *FixOptions) Validate() error {
	if o.NoBackup && !o.Write {
		return usageErr("--no-backup goes with --write")
	}
	return nil
}

// Run fixes, prints the diff and the summary, and writes when asked.
func (o *FixOptions) Run() error {
	dir := filepath.Dir(o.Path)
	res, err := fix.Fix(o.Path, o.src, fix.Options{Rules: o.Rules, OptIn: o.OptIn, NoMergeRuns: o.NoMerge, Config: o.cfg, Dir: dir})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	fmt.Fprint(o.s.Out, fix.Diff(o.Path, res.Original, res.Fixed))
	names := make([]string, 0, len(res.Files))
	for n := range res.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var old []byte
		if res.Existing[n] {
			old, _ = bounded.ReadFile(filepath.Join(dir, n), dockerfile.MaxSize)
		}
		fmt.Fprint(o.s.Out, fix.Diff(filepath.Join(dir, n), old, res.Files[n]))
	}
	for _, a := range res.Applied {
		fmt.Fprintf(o.s.Err, "fixed %s (line %d): %s\n", a.RuleID, a.Line, a.Description)
	}
	for _, sk := range res.Skipped {
		fmt.Fprintf(o.s.Err, "not fixed %s (line %d): %s\n", sk.RuleID, sk.Line, sk.Reason)
	}
	fmt.Fprintf(o.s.Err, "findings: %d before (worst %s), %d after (worst %s)\n",
		len(res.Before), finding.Max(res.Before), len(res.After), finding.Max(res.After))
	if o.Write && res.Changed() {
		if string(res.Original) != string(res.Fixed) {
			if err := fix.WriteAtomic(o.Path, res.Fixed, !o.NoBackup); err != nil {
				return err
			}
		}
		for _, n := range names {
			p := filepath.Join(dir, n)
			if _, err := os.Stat(p); err == nil && !res.Existing[n] {
				continue // a file that appeared meanwhile is never overwritten
			}
			if err := fix.WriteAtomic(p, res.Files[n], res.Existing[n] && !o.NoBackup); err != nil {
				return err
			}
		}
		fmt.Fprintf(o.s.Err, "wrote %s\n", o.Path)
	}
	if o.Check && res.Changed() {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}
