package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/image/build"
	"github.com/slimship/slimship/pkg/image/slim"
	"github.com/slimship/slimship/pkg/image/transport"
)

// SlimOptions are the flags of `slimship slim`.
type SlimOptions struct {
	ctx context.Context

	Image           string
	Output          string
	Minify          bool
	Include         []string
	Keep            []string
	StripSetuid     bool
	User            string
	KeepTimestamps  bool
	Platform        string
	Insecure        bool
	MaxUncompressed string

	opts slim.Options
	s    Streams
}

func newSlimCmd(s Streams) *cobra.Command {
	o := &SlimOptions{s: s}
	cmd := &cobra.Command{
		Use:   "slim IMAGE -o DEST",
		Short: "Write a smaller image that still runs (safe squash, or --minify to what the entrypoint needs)",
		Long: `Write a smaller image that still runs.

Safe mode (default) drops bytes that later layers delete or overwrite, removes
package manager caches and apt lists, __pycache__, docs, man pages and locales
(keep any with --keep docs,man,locales,pycache,caches,apt-lists), squashes the
changed layers into one while untouched base layers stay shared, and resets
timestamps (SOURCE_DATE_EPOCH, else 0). --strip-setuid and --user are opt-in.

--minify keeps only what the entrypoint needs, found statically: the
ENTRYPOINT and CMD programs, their ELF DT_NEEDED closure and dynamic loader,
interpreter trees for scripts (python, node, java), the working directory,
--include globs, /etc/passwd, /etc/group, certificates, tzdata and /tmp.

Both modes read the written image back and check that its entrypoint can
start: the program (through PATH, symlinks and hardlinks), a script's
interpreter, an ELF file's interpreter and libraries. If anything is
missing, slim names it and exits 2.

IMAGE and DEST take any transport: docker-archive:PATH, oci-archive:PATH,
oci:DIR[:TAG], docker://REF, podman:NAME.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image = args[0]
			o.ctx = cmd.Context()
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", "", "destination image (required)")
	f.BoolVar(&o.Minify, "minify", false, "keep only what the entrypoint needs")
	f.StringArrayVar(&o.Include, "include", nil, "with --minify, also keep paths matching this glob (* within a directory, ** across)")
	f.StringSliceVar(&o.Keep, "keep", nil, "safe mode: do not remove these: "+strings.Join(switchableNames(), ", "))
	f.BoolVar(&o.StripSetuid, "strip-setuid", false, "clear setuid and setgid bits")
	f.StringVar(&o.User, "user", "", "set the image's user, numeric UID[:GID] (e.g. 65532)")
	f.BoolVar(&o.KeepTimestamps, "keep-timestamps", false, "do not reset file times")
	f.StringVar(&o.Platform, "platform", "", "pick this platform from an index (os/arch[/variant])")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries")
	f.StringVar(&o.MaxUncompressed, "max-uncompressed", "", "stop when layers decompress to more than this (e.g. 20GB)")
	return cmd
}

func switchableNames() []string {
	var out []string
	for k := range slim.Switchable {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Complete turns flags into slim options.
func (o *SlimOptions) Complete() error {
	epoch, err := build.EpochFromEnv()
	if err != nil {
		return usageErr("%v", err)
	}
	o.opts = slim.Options{Minify: o.Minify, Include: o.Include, StripSetuid: o.StripSetuid, User: o.User,
		KeepTimestamps: o.KeepTimestamps, Epoch: epoch}
	for _, k := range o.Keep {
		c, ok := slim.Switchable[strings.TrimSpace(k)]
		if !ok {
			return usageErr("--keep %q: want one of %s", k, strings.Join(switchableNames(), ", "))
		}
		o.opts.Keep = append(o.opts.Keep, c)
	}
	if o.MaxUncompressed != "" {
		n, err := units.ParseBytes(o.MaxUncompressed)
		if err != nil {
			return usageErr("--max-uncompressed: %v", err)
		}
		o.opts.MaxUncompressed = n
	}
	return nil
}

// Validate checks the flags.
func (o *SlimOptions) Validate() error {
	if o.Output == "" {
		return usageErr("-o DEST is required")
	}
	if err := transport.CheckDest(o.Output); err != nil {
		return usageErr("-o: %v", err)
	}
	if o.User != "" {
		if err := slim.ParseUser(o.User); err != nil {
			return usageErr("%v", err)
		}
	}
	if len(o.Include) > 0 && !o.Minify {
		return usageErr("--include goes with --minify")
	}
	return nil
}

func compressedSize(img v1.Image) int64 {
	ls, err := img.Layers()
	if err != nil {
		return 0
	}
	var n int64
	for _, l := range ls {
		if s, err := l.Size(); err == nil {
			n += s
		}
	}
	return n
}

// Run slims and writes the image, then prints the saving per cause.
func (o *SlimOptions) Run() error {
	ctx := orBackground(o.ctx)
	img, err := transport.Open(ctx, o.Image, transport.Options{Platform: o.Platform, Insecure: o.Insecure})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	res, err := slim.Slim(ctx, img, o.opts)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", o.Image, err)}
	}
	defer res.Close()
	if err := transport.Write(ctx, o.Output, res.Image, transport.WriteOptions{Insecure: o.Insecure, Epoch: o.opts.Epoch}); err != nil {
		return err
	}
	// Check the image as written, read back, so no bug between plan and
	// bytes can report success for an image that cannot start.
	written, err := transport.Open(ctx, o.Output, transport.Options{Insecure: o.Insecure})
	if err != nil {
		return fmt.Errorf("reading back %s: %w", o.Output, err)
	}
	if err := slim.Check(ctx, written, o.opts.MaxUncompressed); err != nil {
		hint := ""
		if o.Minify {
			hint = " (keep more with --include PATH)"
		}
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s was written but %w%s", o.Output, err, hint)}
	}
	before, after := res.Before, res.After
	pct := 0.0
	if before > 0 {
		pct = 100 * float64(before-after) / float64(before)
	}
	w := o.s.Out
	fmt.Fprintf(w, "%s -> %s\n", o.Image, o.Output)
	fmt.Fprintf(w, "size:       %s -> %s (%.1f%% smaller)\n", units.Bytes(before), units.Bytes(after), pct)
	fmt.Fprintf(w, "compressed: %s -> %s\n", units.Bytes(compressedSize(img)), units.Bytes(compressedSize(res.Image)))
	if res.KeptLayers > 0 {
		fmt.Fprintf(w, "base layers kept shared: %d\n", res.KeptLayers)
	}
	for _, c := range res.Causes() {
		fmt.Fprintf(w, "  saved %10s  %s\n", units.Bytes(res.Saved[c]), c)
	}
	return nil
}
