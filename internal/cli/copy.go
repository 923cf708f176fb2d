package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/imagecopy"
)

// CopyOptions are the flags of `slimship copy`.
type CopyOptions struct {
	Platforms     []string
	WithReferrers bool
	Insecure      bool
	Quiet         bool
	Jobs          int
	Retries       int

	Src, Dst string

	platforms []v1.Platform
	s         Streams
	cmd       *cobra.Command
}

func newCopyCmd(s Streams) *cobra.Command {
	o := &CopyOptions{s: s}
	cmd := &cobra.Command{
		Use:   "copy SRC DEST",
		Short: "Copy an image or a multi-platform index between registries, archives and layouts, keeping every digest",
		Long: `Copy an image or a multi-platform index from any transport to any other.

What SRC holds is written as stored: an index stays whole and every
manifest keeps its bytes, so the index and platform digests are the same
at DEST. --platform picks manifests (repeat it or give a comma list): a new
index of those is written, or the one image into a docker-archive or a
daemon, which hold one image. A docker-archive keeps the image's config and
layers; its manifest is rebuilt when it is read.

Between repositories of one registry, layers are mounted, not uploaded.
--with-referrers also copies, between registries, the cosign tags
sha256-<hex>.sig, .att and .sbom and the OCI referrers (Referrers API, or
its tag schema) of every manifest copied, and of those in turn.

Requests answered 408, 429 or 5xx, and connections that drop, are tried
again with back-off (--retries). Credentials come from the Docker config
and its credential helpers. Plain HTTP only with --insecure, and only to
loopback registries. Archives are written whole or not at all.

SRC and DEST are docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG],
docker://REF or a bare registry reference; SRC also podman:REF and
docker-daemon:REF, DEST podman:NAME and docker-daemon:NAME.
Exit codes: 0 copied, 2 bad input or a failed copy.`,
		Example: `  slimship copy oci-archive:app.tar docker://registry.example.com/team/app:1.4.2
  slimship copy registry.example.com/team/app:1.4.2 registry.example.com/prod/app:1.4.2 --with-referrers
  slimship copy --platform linux/arm64 registry.example.com/team/app:1.4.2 docker-archive:app-arm64.tar`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Src, o.Dst, o.cmd = args[0], args[1], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.Platforms, "platform", nil, "copy only these platforms of an index: os/arch[/variant], repeated or comma-separated")
	f.BoolVar(&o.WithReferrers, "with-referrers", false, "also copy signatures, attestations, SBOMs and OCI referrers (registry to registry)")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP to loopback registries")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress and no summary")
	f.IntVar(&o.Jobs, "jobs", registry.DefaultJobs, "parallel requests")
	f.IntVar(&o.Retries, "retries", registry.DefaultRetries, "times a failed request or dropped download is tried again")
	return cmd
}

// Complete parses the platforms.
func (o *CopyOptions) Complete() error {
	ps, err := imagecopy.ParsePlatforms(o.Platforms)
	if err != nil {
		return usageErr("%v", err)
	}
	o.platforms = ps
	return nil
}

// Validate checks the flags and references before any work.
func (o *CopyOptions) Validate() error {
	if o.Jobs < 1 {
		return usageErr("--jobs must be at least 1")
	}
	if o.Retries < 0 {
		return usageErr("--retries must be 0 or more")
	}
	if _, err := transport.ParseRef(o.Src, nil); err != nil {
		return usageErr("SRC %v", err)
	}
	if _, err := transport.ParseDest(o.Dst); err != nil {
		return usageErr("DEST %v", err)
	}
	return nil
}

// Run copies and prints what was copied.
func (o *CopyOptions) Run() error {
	retries := o.Retries
	if retries == 0 {
		retries = -1 // pkg/registry: 0 is the default, negative never
	}
	opts := imagecopy.Options{
		Registry:      registry.Options{Insecure: o.Insecure, Jobs: o.Jobs, Retries: retries, UserAgent: "slimship/" + versionString()},
		Platforms:     o.platforms,
		WithReferrers: o.WithReferrers,
	}
	if r := os.Getenv(repositoryEnv); r != "" && o.WithReferrers {
		fmt.Fprintf(o.s.Err, "note: %s=%s: --with-referrers copies the signatures and attestations kept next to the images only, not those there\n", repositoryEnv, r)
	}
	var bar *copyProgress
	if !o.Quiet && isTerminal(o.s.Err) {
		bar = &copyProgress{w: o.s.Err, start: time.Now()}
		opts.Progress = bar.update
	}
	res, err := imagecopy.Copy(orBackground(o.cmd.Context()), o.Src, o.Dst, opts)
	bar.done()
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if o.Quiet {
		return nil
	}
	what := "image " + res.Digest.String()
	if len(res.Platforms) > 0 {
		what = fmt.Sprintf("index %s (%s)", res.Digest, strings.Join(res.Platforms, ", "))
	}
	fmt.Fprintf(o.s.Out, "copied %s to %s: %s\n", o.Src, o.Dst, what)
	if len(res.Attached) > 0 {
		fmt.Fprintf(o.s.Out, "with %s: %s\n", units.Count(len(res.Attached), "attached artifact"), strings.Join(res.Attached, ", "))
	}
	return nil
}

// copyProgress draws one line on a terminal: bytes written of the total.
type copyProgress struct {
	w     io.Writer
	start time.Time
	mu    sync.Mutex
	last  time.Time
	drawn bool
}

func (p *copyProgress) update(complete, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && complete < total {
		return
	}
	p.last = now
	const width = 24
	n := 0
	if total > 0 {
		n = int(width * min(complete, total) / total)
	}
	fmt.Fprintf(p.w, "\r\x1b[Kcopying [%s%s] %s / %s", strings.Repeat("=", n), strings.Repeat(" ", width-n), units.Bytes(complete), units.Bytes(total))
	p.drawn = true
}

func (p *copyProgress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
