package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/image/build"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/attach"
)

// maxAttachment bounds a file attached to an image (it is held in memory).
const maxAttachment = 512 << 20

// AttachOptions are the flags of `slimship attach`.
type AttachOptions struct {
	ArtifactType string
	MediaType    string
	Annotations  []string
	Insecure     bool

	File, Image string

	ref      name.Reference
	reg      registry.Options
	artifact attach.Artifact
	s        Streams
	cmd      *cobra.Command
}

func newAttachCmd(s Streams) *cobra.Command {
	o := &AttachOptions{s: s}
	cmd := &cobra.Command{
		Use:   "attach --artifact-type TYPE FILE IMAGE",
		Short: "Push a file as an OCI 1.1 referrer of an image (SBOM, attestation, report)",
		Example: `  slimship attach --artifact-type application/vnd.cyclonedx+json app.cdx.json registry.example.com/app:1.4.0
  slimship attach --insecure --artifact-type text/plain notes.txt 127.0.0.1:5000/app@sha256:...`,
		Long: `Push FILE ("-" reads standard input) as an OCI 1.1 referrer of the manifest
IMAGE names: an image manifest with artifactType TYPE, the empty config,
FILE as its one layer (media type --media-type, default TYPE, titled with
the file's name), and IMAGE as its subject. Registries with the referrers
API index it themselves; for the others the referrers tag REPO:sha256-<hex>
(an index of the subject's referrers) is updated, as the distribution spec
prescribes. oras discover, cosign tree and regctl list it. The manifest is
dated by SOURCE_DATE_EPOCH, else now. The referrer's digest is printed.
Exit codes: 0 attached, 2 bad input or registry error.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File, o.Image, o.cmd = args[0], args[1], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ArtifactType, "artifact-type", "", "the referrer's artifactType, a media type (required)")
	f.StringVar(&o.MediaType, "media-type", "", "the file's media type (default: the artifact type)")
	f.StringArrayVarP(&o.Annotations, "annotation", "a", nil, "KEY=VALUE annotation of the referrer manifest (repeatable)")
	f.BoolVar(&o.Insecure, "insecure", false, "allow plain HTTP to loopback registries")
	return cmd
}

// Complete reads the file and parses the image.
func (o *AttachOptions) Complete() error {
	o.reg = registry.Options{Insecure: o.Insecure}
	var err error
	if o.ref, err = registryRef(o.reg, o.Image); err != nil {
		return err
	}
	var data []byte
	title := filepath.Base(o.File)
	if o.File == "-" {
		data, err = bounded.Read("standard input", o.s.In, maxAttachment)
		title = ""
	} else {
		data, err = bounded.ReadFile(o.File, maxAttachment)
	}
	if err != nil {
		return usageErr("%v", err)
	}
	created, err := epochOrNow()
	if err != nil {
		return err
	}
	ann := map[string]string{}
	for _, kv := range o.Annotations {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usageErr("-a %q: want KEY=VALUE", kv)
		}
		ann[k] = v
	}
	o.artifact = attach.Artifact{ArtifactType: o.ArtifactType, MediaType: o.MediaType, Data: data, Title: title, Created: created, Annotations: ann}
	return nil
}

// epochOrNow is SOURCE_DATE_EPOCH, else the current time.
func epochOrNow() (time.Time, error) {
	if os.Getenv("SOURCE_DATE_EPOCH") == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := build.EpochFromEnv()
	if err != nil {
		return time.Time{}, usageErr("%v", err)
	}
	return t, nil
}

// Validate checks the types.
func (o *AttachOptions) Validate() error {
	if o.ArtifactType == "" {
		return usageErr("--artifact-type is required (e.g. application/vnd.cyclonedx+json, application/spdx+json)")
	}
	if err := o.artifact.Validate(); err != nil {
		return usageErr("%v", err)
	}
	return nil
}

// Run pushes the referrer.
func (o *AttachOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	d, err := attachTo(ctx, o.s.Err, o.reg, o.ref, o.artifact)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.s.Out, d)
	return err
}

// attachTo resolves ref and pushes a as its referrer, saying so on log.
func attachTo(ctx context.Context, log io.Writer, reg registry.Options, ref name.Reference, a attach.Artifact) (name.Digest, error) {
	subject, desc, err := reg.Resolve(ctx, ref)
	if err != nil {
		return name.Digest{}, &ExitError{Code: ExitUsage, Err: err}
	}
	d, err := attach.Attach(ctx, reg, ref.Context(), desc, a)
	if err != nil {
		return name.Digest{}, &ExitError{Code: ExitUsage, Err: err}
	}
	fmt.Fprintf(log, "Attached %s (%s) to %s\n", d.DigestStr(), a.ArtifactType, subject)
	return d, nil
}
