package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/image/build"
	"github.com/slimship/slimship/pkg/image/transport"
)

// BuildOptions are the flags of `slimship build`.
type BuildOptions struct {
	ctx context.Context

	Package     string
	Output      string
	Platforms   string
	Base        string
	KeepSymbols bool
	Tzdata      bool
	Insecure    bool
	Labels      []string
	Source      string
	Revision    string

	platforms []v1.Platform
	created   time.Time
	labels    map[string]string
	s         Streams
}

func newBuildCmd(s Streams) *cobra.Command {
	o := &BuildOptions{s: s}
	cmd := &cobra.Command{
		Use:   "build [PACKAGE] -o DEST",
		Short: "Build a Go main package into a minimal, reproducible, multi-platform image without Docker",
		Long: `Build a Go main package into a minimal image, as ko does: a static
CGO_ENABLED=0 build with -trimpath, stripped unless --keep-symbols, on a base
slimship assembles itself (CA certificates, /etc/passwd and /etc/group with
nonroot 65532, /tmp; --tzdata adds zoneinfo) or --base IMAGE. The image runs as
65532:65532. SOURCE_DATE_EPOCH makes it reproducible (same input, same digest).
DEST is any transport: oci:DIR, oci-archive:PATH, docker-archive:PATH,
docker://REF, podman:NAME.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Package = args[0]
			}
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", "", "destination image (required)")
	f.StringVar(&o.Platforms, "platform", "linux/amd64", "platforms, comma-separated (several make an image index)")
	f.StringVar(&o.Base, "base", "", "base image (default: slimship's minimal base)")
	f.BoolVar(&o.KeepSymbols, "keep-symbols", false, "do not strip the binary (-s -w)")
	f.BoolVar(&o.Tzdata, "tzdata", false, "add /usr/share/zoneinfo to the base")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries")
	f.StringArrayVar(&o.Labels, "label", nil, "extra label KEY=VALUE (repeatable)")
	f.StringVar(&o.Source, "source", "", "org.opencontainers.image.source (default: git remote origin)")
	f.StringVar(&o.Revision, "revision", "", "org.opencontainers.image.revision (default: git HEAD)")
	return cmd
}

// Complete resolves defaults from git and SOURCE_DATE_EPOCH.
func (o *BuildOptions) Complete() error {
	ctx := orBackground(o.ctx)
	if o.Package == "" {
		o.Package = "."
	}
	var err error
	if o.created, err = build.EpochFromEnv(); err != nil {
		return usageErr("%v", err)
	}
	if o.platforms, err = build.ParsePlatforms(o.Platforms); err != nil {
		return usageErr("--platform: %v", err)
	}
	o.labels = map[string]string{}
	// Labels come from the git repository the package lives in.
	dir := "."
	if st, err := os.Stat(o.Package); err == nil && st.IsDir() {
		dir = o.Package
	}
	if o.Source == "" {
		o.Source = gitOutput(ctx, dir, "config", "--get", "remote.origin.url")
	}
	if o.Revision == "" {
		o.Revision = gitOutput(ctx, dir, "rev-parse", "HEAD")
	}
	if o.Source != "" {
		o.labels["org.opencontainers.image.source"] = o.Source
	}
	if o.Revision != "" {
		o.labels["org.opencontainers.image.revision"] = o.Revision
	}
	for _, l := range o.Labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return usageErr("--label %q: want KEY=VALUE", l)
		}
		o.labels[k] = v
	}
	return nil
}

func gitOutput(ctx context.Context, dir string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Validate checks the flags.
func (o *BuildOptions) Validate() error {
	if o.Output == "" {
		return usageErr("-o DEST is required (oci:DIR, oci-archive:PATH, docker-archive:PATH, docker://REF, podman:NAME)")
	}
	// as slim does: a wrong -o is refused before the build, not after it
	if err := transport.CheckDest(o.Output); err != nil {
		return usageErr("-o: %v", err)
	}
	return nil
}

// Run builds and writes the image.
func (o *BuildOptions) Run() error {
	ctx := orBackground(o.ctx)
	start := time.Now()
	opts := build.Options{Package: o.Package, Platforms: o.platforms, KeepSymbols: o.KeepSymbols, Tzdata: o.Tzdata,
		Created: o.created, Labels: o.labels, Log: o.s.Err}
	if o.Base != "" {
		opts.Base = func(ctx context.Context, p v1.Platform) (v1.Image, error) {
			return transport.Open(ctx, o.Base, transport.Options{Platform: p.String(), Insecure: o.Insecure})
		}
	}
	res, err := build.Build(ctx, opts)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	wo := transport.WriteOptions{Insecure: o.Insecure, Epoch: o.created}
	var digest v1.Hash
	if res.Index != nil {
		if err := transport.WriteIndex(ctx, o.Output, res.Index, wo); err != nil {
			return err
		}
		digest, err = res.Index.Digest()
	} else {
		if err := transport.Write(ctx, o.Output, res.Image, wo); err != nil {
			return err
		}
		digest, err = res.Image.Digest()
	}
	if err != nil {
		return err
	}
	for _, p := range o.platforms {
		fmt.Fprintf(o.s.Err, "%s: binary %s\n", p, units.Bytes(res.BinarySizes[p.String()]))
	}
	fmt.Fprintf(o.s.Err, "built %s in %s\n", o.Output, time.Since(start).Round(time.Millisecond))
	_, err = fmt.Fprintln(o.s.Out, digest)
	return err
}
