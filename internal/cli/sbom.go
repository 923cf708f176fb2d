package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/attach"
	"github.com/slimship/slimship/pkg/sbom"
)

// SBOMOptions are the flags of `slimship sbom`.
type SBOMOptions struct {
	Format     string
	Output     string
	Platform   string
	Insecure   bool
	Dockerfile string
	Attach     bool

	Target string

	df  *dockerfile.File
	ref name.Reference // the registry image --attach pushes to
	s   Streams
	cmd *cobra.Command
}

func newSBOMCmd(s Streams) *cobra.Command {
	o := &SBOMOptions{s: s}
	cmd := &cobra.Command{
		Use: "sbom IMAGE|DIR",
		Example: `  slimship sbom docker-archive:app.tar
  slimship sbom -f spdx -o app.spdx.json oci:layout:1.0
  SOURCE_DATE_EPOCH=0 slimship sbom -f cyclonedx ./rootfs
  slimship sbom registry.example.com/app:1.4.0 --attach`,
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

--attach pushes the SBOM (cyclonedx unless -f says spdx or json) to the
registry as an OCI 1.1 referrer of the image it describes (the platform's
image when IMAGE is an index), with the referrers tag fallback for
registries without the referrers API, and prints the referrer's digest; -o
still writes a copy. Attaching the same SBOM again changes nothing.
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
	f.BoolVar(&o.Attach, "attach", false, "push the SBOM as an OCI referrer of the image (registry images)")
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
	if o.Attach {
		var err error
		if o.ref, err = registryRef(registry.Options{Insecure: o.Insecure}, o.Target); err != nil {
			return usageErr("--attach: %v", errors.Unwrap(err))
		}
		if !o.cmd.Flags().Changed("format") {
			o.Format = "cyclonedx"
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
	case "cyclonedx", "spdx", "json":
		return nil
	case "table":
		if o.Attach {
			return usageErr("--attach pushes a document: -f cyclonedx, spdx or json, not table")
		}
		return nil
	}
	return usageErr("unknown --format %q (want table, cyclonedx, spdx or json)", o.Format)
}

// sbomArtifactTypes are the media types SBOMs are attached as.
var sbomArtifactTypes = map[string]string{
	"cyclonedx": "application/vnd.cyclonedx+json",
	"spdx":      "application/spdx+json",
	"json":      "application/vnd.slimship.inventory+json",
}

// encodeSBOM writes inv in format.
func encodeSBOM(format string, inv *sbom.Inventory, meta sbom.Meta) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch format {
	case "cyclonedx":
		err = sbom.WriteCycloneDX(&buf, inv, meta)
	case "spdx":
		err = sbom.WriteSPDX(&buf, inv, meta)
	case "json":
		err = sbom.WriteJSON(&buf, inv)
	default:
		err = sbom.WriteTable(&buf, inv)
	}
	return buf.Bytes(), err
}

// sbomArtifact is an SBOM to attach, dated as the SBOM is.
func sbomArtifact(format string, doc []byte, created time.Time) attach.Artifact {
	ext := map[string]string{"cyclonedx": ".cdx.json", "spdx": ".spdx.json", "json": ".json"}[format]
	return attach.Artifact{ArtifactType: sbomArtifactTypes[format], Data: doc, Title: "sbom" + ext, Created: created}
}

// Run reads the packages and writes the SBOM.
func (o *SBOMOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	topts := transport.Options{Platform: o.Platform, Insecure: o.Insecure}
	if o.Attach {
		return o.runAttach(ctx, topts)
	}
	inv, created, err := inventoryOf(ctx, o.Target, topts, o.df)
	if err != nil {
		return err
	}
	meta := sbom.Meta{Name: o.Target, Tool: "slimship", ToolVersion: versionString(), Created: created}
	for _, w := range inv.Warnings {
		fmt.Fprintln(o.s.Err, "slimship: warning:", w)
	}
	doc, err := encodeSBOM(o.Format, inv, meta)
	if err != nil {
		return err
	}
	if o.Output == "" {
		_, err = o.s.Out.Write(doc)
		return err
	}
	return writeFileAtomic(o.Output, doc)
}

// runAttach makes the SBOM of the registry image and pushes it as the
// image's referrer: the subject is the manifest that was read (the
// platform's image of an index), which the SBOM describes.
func (o *SBOMOptions) runAttach(ctx context.Context, topts transport.Options) error {
	img, err := transport.Open(ctx, o.Target, topts)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	inv, created, err := imageInventory(ctx, o.Target, img, o.df)
	if err != nil {
		return err
	}
	for _, w := range inv.Warnings {
		fmt.Fprintln(o.s.Err, "slimship: warning:", w)
	}
	doc, err := encodeSBOM(o.Format, inv, sbom.Meta{Name: o.Target, Tool: "slimship", ToolVersion: versionString(), Created: created})
	if err != nil {
		return err
	}
	if o.Output != "" {
		if err := writeFileAtomic(o.Output, doc); err != nil {
			return err
		}
	}
	h, err := img.Digest()
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	d, err := attachTo(ctx, o.s.Err, registry.Options{Insecure: o.Insecure}, o.ref.Context().Digest(h.String()), sbomArtifact(o.Format, doc, created))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.s.Out, d)
	return err
}
