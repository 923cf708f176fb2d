package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/prune"
)

// RegistryPruneOptions are the flags of `slimship registry prune`.
type RegistryPruneOptions struct {
	Repository string
	Format     string
	ConfigPath string
	Insecure   bool
	Jobs       int
	Yes        bool
	Now        string

	KeepLast, KeepDaily, KeepWeekly, KeepMonthly countFlag
	Max                                          int
	KeepTags                                     []string
	OlderThan                                    string

	policy prune.Policy
	now    time.Time
	ctx    context.Context
	cmd    *cobra.Command
	s      Streams
}

// countFlag is a count flag that also takes "unlimited" (-1).
type countFlag int

func (c *countFlag) String() string {
	if *c == prune.Unlimited {
		return "unlimited"
	}
	return strconv.Itoa(int(*c))
}

func (c *countFlag) Set(s string) error {
	var v config.Count
	if err := v.UnmarshalText([]byte(s)); err != nil {
		return err
	}
	*c = countFlag(v)
	return nil
}

func (c *countFlag) Type() string { return "N" }

func newRegistryPruneCmd(s Streams) *cobra.Command {
	o := &RegistryPruneOptions{s: s}
	cmd := &cobra.Command{
		Use:   "prune REPOSITORY",
		Short: "Delete the images a retention policy does not keep (a dry run unless --yes)",
		Long: `Apply a retention policy to a repository of any OCI registry, the way
restic's forget does: an image (a manifest, with every tag pointing at it)
is kept when any rule keeps it, and the plan says which rules (kept) or why
not (deleted).

  --keep-last N      the N newest images
  --keep-daily N     the newest image of each of the last N days that have
                     images (UTC); --keep-weekly N of ISO weeks (Monday to
                     Sunday), --keep-monthly N of months. While a rule has
                     buckets left the oldest image is kept too ("oldest",
                     as restic >= 0.17 and borg do). N may be "unlimited".
  --keep-tag REGEX   keep images with a tag the expression matches whole
                     (RE2; repeatable)
  --older-than AGE   only images older than AGE (30d, 2w, 36h) may go
  --max N            keep at most N images: protected ones (--keep-tag,
                     --older-than, unknown creation time) count first, then
                     the rules' images newest first; alone, the N newest

The same settings may come from .slimship.yaml (flags override each key):
  retention: {maxImages: 10, keepLast: 5, keepDaily: 3, keepWeekly: 2,
              keepMonthly: 6, keepTags: ['v[0-9]+\..*'], olderThan: 7d}

An image's time is read as slimship tags reads it: the
org.opencontainers.image.created annotation, else the config's created (an
index: its annotation, else its newest platform image's). An image whose
time is unknown (or the Unix epoch, as reproducible builds write) is always
kept.

Without --yes nothing is deleted: the plan is printed. With --yes, every
tag is read again first: an image a tag points at now that it did not at
planning (a tag pushed meanwhile) is skipped. Deleting an image deletes
its manifest by digest, never a digest that a kept tag points at, with its
signature, attestation and SBOM tags (sha256-<hex>.sig, .att, .sbom), its
OCI referrers (the API, or the sha256-<hex> tag fallback) and, for an
index, the platform images no kept index lists. Nothing is deleted unless
every read succeeded; a deletion that fails stops the run, and running
again finishes it (a second run deletes nothing). Registries free the
blobs only when their garbage collection runs: prune says what to run.

Exit codes: 0 planned or deleted, 1 a deletion failed (partly deleted:
run again), 2 bad flags or configuration, or the registry could not be
read (nothing deleted).`,
		Example: `  slimship registry prune registry.example.com/team/app --keep-last 5 --keep-daily 7 --keep-weekly 4
  slimship registry prune 127.0.0.1:5000/app --insecure --max 10 --keep-tag 'v[0-9]+\..*' --yes
  slimship registry prune registry.example.com/team/app -f json    # retention: from .slimship.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("registry prune takes one REPOSITORY (registry/name, no tag)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Repository = args[0]
			o.ctx = cmd.Context()
			o.cmd = cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	f.Var(&o.KeepLast, "keep-last", "keep the N newest images")
	f.Var(&o.KeepDaily, "keep-daily", "keep the newest image of each of the last N days with images")
	f.Var(&o.KeepWeekly, "keep-weekly", "keep the newest image of each of the last N ISO weeks with images")
	f.Var(&o.KeepMonthly, "keep-monthly", "keep the newest image of each of the last N months with images")
	f.IntVar(&o.Max, "max", 0, "keep at most N images (protected ones count first)")
	f.StringArrayVar(&o.KeepTags, "keep-tag", nil, "keep images with a tag this expression matches whole (repeatable)")
	f.StringVar(&o.OlderThan, "older-than", "", "delete only images older than this (30d, 2w, 36h)")
	f.BoolVar(&o.Yes, "yes", false, "delete (without it, only print the plan)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text or json")
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file (default: .slimship.yaml found upward)")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP, to loopback registries only")
	f.IntVar(&o.Jobs, "jobs", registry.DefaultJobs, "parallel requests")
	f.StringVar(&o.Now, "now", "", "measure ages from this time (RFC 3339) instead of now")
	_ = f.MarkHidden("now")
	return cmd
}

// Complete reads .slimship.yaml's retention and lets each given flag
// override its key.
func (o *RegistryPruneOptions) Complete() error {
	o.ctx = orBackground(o.ctx)
	cfg, err := config.ForPath(o.ConfigPath, ".")
	if err != nil {
		return usageErr("%v", err)
	}
	r := cfg.Retention
	changed := func(name string) bool { return o.cmd != nil && o.cmd.Flags().Changed(name) }
	pick := func(name string, flag countFlag, key config.Count) int {
		if changed(name) {
			return int(flag)
		}
		return int(key)
	}
	p := prune.Policy{
		Last:    pick("keep-last", o.KeepLast, r.KeepLast),
		Daily:   pick("keep-daily", o.KeepDaily, r.KeepDaily),
		Weekly:  pick("keep-weekly", o.KeepWeekly, r.KeepWeekly),
		Monthly: pick("keep-monthly", o.KeepMonthly, r.KeepMonthly),
		Max:     max(int(r.MaxImages), 0),
	}
	if changed("max") {
		p.Max = o.Max
	}
	exprs := make([]string, 0, len(r.KeepTags))
	for _, e := range r.KeepTags {
		exprs = append(exprs, string(e))
	}
	if changed("keep-tag") {
		exprs = o.KeepTags
	}
	for _, e := range exprs {
		tp, err := prune.CompileTagPattern(e)
		if err != nil {
			return usageErr("--keep-tag: %v", err)
		}
		p.KeepTags = append(p.KeepTags, tp)
	}
	p.NewerThan = time.Duration(r.OlderThan)
	if changed("older-than") {
		if p.NewerThan, err = units.ParseDuration(o.OlderThan); err != nil {
			return usageErr("--older-than: %v", err)
		}
	}
	o.policy = p
	if o.Now != "" {
		if o.now, err = time.Parse(time.RFC3339, o.Now); err != nil {
			return usageErr("--now: %v", err)
		}
	}
	return nil
}

// Validate checks the policy and flags.
func (o *RegistryPruneOptions) Validate() error {
	if o.Format != "text" && o.Format != "json" {
		return usageErr("--format must be text or json, not %q", o.Format)
	}
	if o.Max < 0 {
		return usageErr("--max %d: want a count >= 0", o.Max)
	}
	if o.Jobs < 1 || o.Jobs > 64 {
		return usageErr("--jobs %d: want 1 to 64", o.Jobs)
	}
	if err := o.policy.Validate(); err != nil {
		return usageErr("%v", err)
	}
	if o.policy.Empty() {
		return usageErr("no retention rule: give --keep-last, --keep-daily, --keep-weekly, --keep-monthly, --max, --keep-tag or --older-than, or retention: in .slimship.yaml (an empty policy would delete every image)")
	}
	if strings.ContainsAny(o.Repository, "@") || strings.Contains(lastPart(o.Repository), ":") {
		return usageErr("%s: give a repository without a tag or digest", o.Repository)
	}
	return nil
}

// lastPart is the path after the registry host.
func lastPart(repo string) string {
	if i := strings.IndexByte(repo, '/'); i >= 0 {
		return repo[i+1:]
	}
	return repo
}

// Run plans, prints the plan, and deletes with --yes.
func (o *RegistryPruneOptions) Run() error {
	opts := prune.Options{Registry: registry.Options{Insecure: o.Insecure, Jobs: o.Jobs, UserAgent: "slimship"}, Policy: o.policy, Now: o.now}
	plan, err := prune.NewPlan(o.ctx, o.Repository, opts)
	if err != nil {
		return usageErr("%v (nothing was deleted)", err)
	}
	if r := os.Getenv(repositoryEnv); r != "" {
		fmt.Fprintf(o.s.Err, "note: %s=%s: signatures and attestations kept there are not pruned; prune deletes those in %s only\n", repositoryEnv, r, o.Repository)
	}
	var res *prune.Result
	if o.Yes {
		if res, err = prune.Execute(o.ctx, plan, opts); err != nil {
			return usageErr("%v (nothing was deleted)", err)
		}
	}
	if o.Format == "json" {
		err = prune.WriteJSON(o.s.Out, plan, res)
	} else {
		err = prune.WriteText(o.s.Out, plan, res)
	}
	if err != nil {
		return err
	}
	if res != nil && res.Err != nil {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("deleting stopped: %v; run prune again to finish", res.Err)}
	}
	return nil
}
