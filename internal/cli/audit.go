package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
	"github.com/slimship/slimship/pkg/image/audit"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/image/walk"
)

// AuditOptions are the flags of `slimship audit`.
type AuditOptions struct {
	findingsOutput
	ConfigPath      string
	Ignore          []string
	AcceptKeys      []string
	AcceptFiles     []string
	Platform        string
	Insecure        bool
	MaxUncompressed string

	Image string

	pol             *finding.Policy
	maxUncompressed int64
	s               Streams
	cmd             *cobra.Command
}

func newAuditCmd(s Streams) *cobra.Command {
	o := &AuditOptions{s: s}
	cmd := &cobra.Command{
		Use:   "audit IMAGE",
		Short: "Audit an image for security problems, as dockle does (CIS and dockle checkpoints, secrets in any layer)",
		Long: `Audit an image's configuration, history and files in one streaming pass:
dockle's checkpoints (CIS-DI-*, DKL-DI-*, DKL-LI-*) under their IDs, and
slimship's own (SSA*): world-writable directories, SSH exposed, a missing
or world-writable entrypoint, a readable /etc/shadow, private keys and
tokens in files. Files count as they are in the final image; a secret in
any layer is reported even when a later layer deletes it (SSA008).

IMAGE is docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG],
docker://REF or a bare registry reference, docker-daemon:REF, podman:REF,
or a bare path whose format is detected.

Known cases are allowed with --accept-key, --accept-file, or audit:
{accept-keys: [...], accept-files: [...]} in .slimship.yaml.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad input or
unreadable image.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.cmd = args[0], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	o.findingsOutput.bind(f)
	f.StringVarP(&o.ConfigPath, "config", "c", "", "configuration file (default: .slimship.yaml found upward from the working directory)")
	f.StringSliceVar(&o.Ignore, "ignore", nil, "rule IDs to ignore")
	f.StringSliceVar(&o.AcceptKeys, "accept-key", nil, "environment or build-argument names that are not secrets")
	f.StringSliceVar(&o.AcceptFiles, "accept-file", nil, "files not to report: a path, a base name, a glob, or a directory ending in /")
	f.StringVar(&o.Platform, "platform", "", "platform to pick from an image index: os/arch[/variant]")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries")
	f.StringVar(&o.MaxUncompressed, "max-uncompressed", "", "stop when the layers decompress to more than this (e.g. 20GB; default 64GiB)")
	return cmd
}

// Complete reads the configuration.
func (o *AuditOptions) Complete() error {
	cfg, err := config.ForPath(o.ConfigPath, ".")
	if err != nil {
		return usageErr("%v", err)
	}
	if o.pol, err = o.findingsOutput.policy(cfg, o.Ignore, false); err != nil {
		return err
	}
	o.AcceptKeys = append(o.AcceptKeys, cfg.Audit.AcceptKeys...)
	o.AcceptFiles = append(o.AcceptFiles, cfg.Audit.AcceptFiles...)
	if o.MaxUncompressed != "" {
		n, err := units.ParseBytes(o.MaxUncompressed)
		if err != nil || n <= 0 {
			return usageErr("--max-uncompressed %q: want a size such as 20GB", o.MaxUncompressed)
		}
		o.maxUncompressed = n
	}
	return nil
}

// Validate checks flags.
func (o *AuditOptions) Validate() error {
	return o.findingsOutput.validate()
}

// Run opens and audits the image and writes the findings.
func (o *AuditOptions) Run() error {
	ctx := o.cmd.Context()
	img, err := transport.Open(ctx, o.Image, transport.Options{Platform: o.Platform, Insecure: o.Insecure})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	fs, err := audit.Audit(ctx, img, audit.Options{
		Reference:    registryName(o.Image),
		AcceptKeys:   o.AcceptKeys,
		AcceptFiles:  o.AcceptFiles,
		Policy:       o.pol,
		ContentTrust: os.Getenv("DOCKER_CONTENT_TRUST") == "1",
		Walk:         walk.Options{MaxUncompressed: o.maxUncompressed},
	})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", o.Image, err)}
	}
	for i := range fs {
		fs[i].File = o.Image
	}
	return o.findingsOutput.write(o.s.Out, fs, []string{o.Image}, o.pol)
}

// registryName returns the registry-style name of ref (for the latest-tag
// check), or "" for archives and layouts.
func registryName(ref string) string {
	r, err := transport.ParseRef(ref, func(p string) bool { _, err := os.Stat(p); return err == nil })
	if err != nil {
		return ""
	}
	switch r.Kind {
	case transport.Registry, transport.DockerDaemon, transport.Podman:
		return r.Name
	}
	return ""
}
