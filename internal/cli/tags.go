package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/safetext"
	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/tags"
)

// TagsOptions are the flags of `slimship tags`.
type TagsOptions struct {
	findingsOutput
	ConfigPath string
	Ignore     []string
	Insecure   bool
	Jobs       int
	Retries    int
	Ledger     string
	NoLedger   bool
	VerifyKey  string

	Repo string

	check  *imageCheck
	ro     registry.Options
	repo   name.Repository
	pol    *finding.Policy
	tagPol *tags.Policy
	s      Streams
	cmd    *cobra.Command
}

func newTagsCmd(s Streams) *cobra.Command {
	o := &TagsOptions{s: s}
	cmd := &cobra.Command{
		Use:   "tags REPO",
		Short: "List a repository's tags (digest, platforms, size, created) and check them against the tag policy",
		Long: `List every tag of a repository, newest first, with the digest it points
to, its platforms, its size (manifests, config and compressed layers: what
a pull transfers) and when it was created (the config's created time, or
an index's org.opencontainers.image.created annotation). Each distinct
manifest is read once, --jobs requests at a time.

The tag policy (registry rules, slimship rules --domain registry):
  SSR001  latest or an environment tag points to an image no version or
          commit tag names
  SSR002  a tag is neither SemVer (v optional), a commit SHA (7-40 hex),
          latest nor an allowed environment (dev, staging, production;
          .slimship.yaml: tags: {environments: [...], allow: [REGEX]})
  SSR003  a SemVer tag was moved: it points to another digest than when
          it was first seen (a ledger in the user cache directory, or
          --ledger FILE, updated on every run), or to an image whose
          org.opencontainers.image.version says another version
  SSR004  with --verify-key: a tag's image has no signature by the key
          (as slimship verify checks; COSIGN_REPOSITORY is honoured)
Where latest is referenced rather than pushed, DL3007 (Dockerfile),
container-image-tag (Kubernetes) and DKL-DI-0006 (audit) report it.

--format text prints the table and the findings, json both
({"version":1,"repository":...,"tags":[...],"findings":[...]}), sarif,
checkstyle and github the findings.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad input or an
unreachable registry.`,
		Example: `  slimship tags registry.example.com/team/app
  slimship tags --insecure 127.0.0.1:5000/team/app -f json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Repo, o.cmd = args[0], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	o.findingsOutput.bind(f)
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file (default: .slimship.yaml found upward from the working directory)")
	f.StringSliceVar(&o.Ignore, "ignore", nil, "rule IDs to ignore")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP to loopback registries")
	f.IntVar(&o.Jobs, "jobs", registry.DefaultJobs, "parallel requests")
	f.IntVar(&o.Retries, "retries", registry.DefaultRetries, "times a failed request is tried again")
	f.StringVar(&o.Ledger, "ledger", "", "ledger of the digests SemVer tags were seen at (default: tags-ledger.json in the user cache directory's slimship/)")
	f.BoolVar(&o.NoLedger, "no-ledger", false, "neither read nor update the ledger")
	f.StringVar(&o.VerifyKey, "verify-key", "", "check that each tag's image is signed with this cosign public key (SSR004; a SIGNED column)")
	return cmd
}

// Complete reads the configuration and builds the policies.
func (o *TagsOptions) Complete() error {
	cfg, err := config.ForPath(o.ConfigPath, ".")
	if err != nil {
		return usageErr("%v", err)
	}
	if o.pol, err = o.findingsOutput.policy(cfg, o.Ignore, false); err != nil {
		return err
	}
	if o.tagPol, err = tags.NewPolicy(cfg.Tags.Environments, cfg.Tags.Allow); err != nil {
		return usageErr("%s: tags.%v", cfg.Source, err)
	}
	if o.Ledger == "" && !o.NoLedger {
		if o.Ledger, err = tags.DefaultLedgerPath(); err != nil {
			return usageErr("%v", err)
		}
	}
	retries := o.Retries
	if retries == 0 {
		retries = -1 // pkg/registry: 0 is the default, negative never
	}
	o.ro = registry.Options{Insecure: o.Insecure, Jobs: o.Jobs, Retries: retries, UserAgent: "slimship/" + versionString()}
	if o.check, err = completeImageCheck(o.VerifyKey, o.Insecure, false); err != nil {
		return err
	}
	if o.check != nil {
		o.check.opts.Registry = o.ro
	}
	return nil
}

// Validate checks the flags and the repository.
func (o *TagsOptions) Validate() error {
	if err := o.findingsOutput.validate(); err != nil {
		return err
	}
	if o.Jobs < 1 {
		return usageErr("--jobs must be at least 1")
	}
	if o.Retries < 0 {
		return usageErr("--retries must be 0 or more")
	}
	if o.NoLedger && o.cmd != nil && o.cmd.Flags().Changed("ledger") {
		return usageErr("--ledger and --no-ledger exclude each other")
	}
	repo := strings.TrimPrefix(o.Repo, "docker://")
	if r, err := name.ParseReference(repo); err == nil && r.Identifier() != "latest" || strings.HasSuffix(repo, ":latest") {
		return usageErr("%s names an image: give the repository, without :TAG or @DIGEST", safetext.Quote(o.Repo, 200))
	}
	r, err := o.ro.ParseRepository(repo)
	if err != nil {
		return usageErr("%v", err)
	}
	o.repo = r
	return nil
}

// tagsDoc is the --format json contract (version 1).
type tagsDoc struct {
	Version int `json:"version"`
	*tags.Listing
	Findings []finding.Finding `json:"findings"`
}

// Run lists the tags, checks them, updates the ledger and reports.
func (o *TagsOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	ls, err := tags.List(ctx, o.repo, o.tagPol, o.ro)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if o.check != nil {
		if err := o.check.verifyTags(ctx, o.repo, ls); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
	}
	in := &tags.Input{Repository: ls.Repository, Tags: ls.Tags, Policy: o.tagPol}
	var ledger *tags.Ledger
	if !o.NoLedger {
		if ledger, err = tags.LoadLedger(o.Ledger); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		in.Seen = ledger.Seen(ls.Repository)
	}
	fs := tags.Check(in, o.pol)
	if ledger != nil {
		ledger.Observe(ls, time.Now())
		if err := ledger.Save(); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
	}
	for _, v := range ls.Vanished {
		fmt.Fprintf(o.s.Err, "slimship: %s:%s was deleted while it was read\n", ls.Repository, v)
	}
	switch o.Format {
	case "json":
		if fs == nil {
			fs = []finding.Finding{}
		}
		enc := json.NewEncoder(o.s.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(tagsDoc{Version: 1, Listing: ls, Findings: fs}); err != nil {
			return err
		}
		if o.pol.Failing(fs) {
			return &ExitError{Code: ExitFindings}
		}
		return nil
	case "text":
		if err := writeTagsTable(o.s.Out, ls); err != nil {
			return err
		}
		if len(fs) == 0 {
			return nil
		}
		fmt.Fprintln(o.s.Out)
	}
	return o.findingsOutput.write(o.s.Out, fs, []string{ls.Repository}, o.pol)
}

// writeTagsTable writes one line per tag: name, short digest, platforms,
// size and creation time (UTC, to the minute).
func writeTagsTable(w io.Writer, ls *tags.Listing) error {
	bw := bufio.NewWriter(w)
	width := len("TAG")
	for _, t := range ls.Tags {
		width = max(width, min(len(t.Name), 40))
	}
	signed := slices.ContainsFunc(ls.Tags, func(t tags.Tag) bool { return t.Signature != "" })
	head := ""
	if signed {
		head = "SIGNED  "
	}
	fmt.Fprintf(bw, "%-*s  %-19s  %-9s  %-16s  %s%s\n", width, "TAG", "DIGEST", "SIZE", "CREATED", head, "PLATFORMS")
	for _, t := range ls.Tags {
		created := "-"
		if t.Created != nil {
			created = t.Created.UTC().Format("2006-01-02 15:04")
		}
		platforms := strings.Join(t.Platforms, ",")
		if platforms == "" {
			platforms = "-"
		}
		digest := t.Digest
		if len(digest) > 19 {
			digest = digest[:19]
		}
		sig := ""
		if signed {
			sig = fmt.Sprintf("%-6s  ", map[bool]string{true: "yes", false: "no"}[t.Signature == tags.SignatureVerified])
			if t.Signature == "" {
				sig = fmt.Sprintf("%-6s  ", "-")
			}
		}
		fmt.Fprintf(bw, "%-*s  %-19s  %9s  %-16s  %s%s\n", width, safetext.Escape(t.Name), digest, units.Bytes(t.Size), created, sig, platforms)
	}
	fmt.Fprintf(bw, "%s in %s\n", units.Count(len(ls.Tags), "tag"), ls.Repository)
	return bw.Flush()
}
