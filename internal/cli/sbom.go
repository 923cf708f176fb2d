package cli

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/sbom"
)

// SBOMOptions are the flags of `slimship sbom`.
type SBOMOptions struct {
	Format     string
	Output     string
	Platform   string
	Insecure   bool
	Dockerfile string

	Target string

	df  *dockerfile.File
	s   Streams
	cmd *cobra.Command
}

func newSBOMCmd(s Streams) *cobra.Command {
	o := &SBOMOptions{s: s}
	cmd := &cobra.Command{
		Use: "sbom IMAGE|DIR",
		Example: `  slimship sbom docker-archive:app.tar
  slimship sbom -f spdx -o app.spdx.json oci:layout:1.0
  SOURCE_DATE_EPOCH=0 slimship sbom -f cyclonedx ./rootfs`,
		Short: "List the packages of an image's final filesystem or of a directory (CycloneDX, SPDX)",
		Long: `List every package of an image's final filesystem, read in one streaming
pass over its layers, or of a directory: dpkg (status and distroless
status.d, with source package), apk, rpm (sqlite, Berkeley DB, NDB), Go
binaries (main module, dependencies, and the toolchain as stdlib), Rust
binaries built with cargo-auditable, npm (node_modules/**/package.json; package-lock.json in a directory),
Python (dist-info, egg-info), and Java archives (jar/war/ear, nested). Each package carries the layer
that last wrote its database file or binary. The OS comes from os-release.

IMAGE is docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG],
docker://REF or a bare registry reference, docker-daemon:REF, podman:REF,
or a bare path whose format is detected; a directory that is not an OCI
layout is read as a root filesystem.

Formats: table (default), cyclonedx (CycloneDX 1.6 JSON), spdx (SPDX 2.3
JSON), json (slimship's inventory). Output is deterministic: the
timestamp is SOURCE_DATE_EPOCH, else the image's creation time.
Exit codes: 0 ok, 2 bad input or unreadable image.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Target = args[0]
			o.cmd = cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table, cyclonedx, spdx, json")
	f.StringVarP(&o.Output, "output", "o", "", "write the SBOM to this file instead of standard output")
	f.StringVar(&o.Platform, "platform", "", "platform to pick from an image index: os/arch[/variant]")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP registries")
	f.StringVar(&o.Dockerfile, "dockerfile", "", "Dockerfile that built the image: each package names the instruction that added it and whether it came with the base image")
	return cmd
}

// Complete reads the Dockerfile and checks the output path.
func (o *SBOMOptions) Complete() error {
	if o.Output != "" {
		if err := atomicfile.CheckTarget(o.Output); err != nil {
			return usageErr("--output: %v", err)
		}
	}
	if o.Dockerfile != "" {
		df, err := readDockerfile(o.Dockerfile)
		if err != nil {
			return err
		}
		o.df = df
	}
	return nil
}

// Validate checks flags.
func (o *SBOMOptions) Validate() error {
	switch o.Format {
	case "table", "cyclonedx", "spdx", "json":
		return nil
	}
	return usageErr("unknown --format %q (want table, cyclonedx, spdx or json)", o.Format)
}

// Run reads the packages and writes the SBOM.
func (o *SBOMOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	inv, created, err := inventoryOf(ctx, o.Target, transport.Options{Platform: o.Platform, Insecure: o.Insecure}, o.df)
	if err != nil {
		return err
	}
	meta := sbom.Meta{Name: o.Target, Tool: "slimship", ToolVersion: versionString(), Created: created}
	for _, w := range inv.Warnings {
		fmt.Fprintln(o.s.Err, "slimship: warning:", w)
	}
	var buf bytes.Buffer
	switch o.Format {
	case "cyclonedx":
		err = sbom.WriteCycloneDX(&buf, inv, meta)
	case "spdx":
		err = sbom.WriteSPDX(&buf, inv, meta)
	case "json":
		err = sbom.WriteJSON(&buf, inv)
	default:
		err = sbom.WriteTable(&buf, inv)
	}
	if err != nil {
		return err
	}
	if o.Output == "" {
		_, err = o.s.Out.Write(buf.Bytes())
		return err
	}
	return writeFileAtomic(o.Output, buf.Bytes())
}
