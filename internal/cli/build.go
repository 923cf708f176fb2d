package cli

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/pkg/image/build"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/attach"
	"github.com/slimship/slimship/pkg/sbom"
	"github.com/slimship/slimship/pkg/sign"
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
	SBOM        bool
	SBOMFormat  string
	SignKey     string

	platforms []v1.Platform
	repo      name.Repository   // the registry repository -o names, for --sbom and --sign-key
	signKey   *ecdsa.PrivateKey // --sign-key, decrypted before building
	sigRepo   name.Repository   // COSIGN_REPOSITORY, where signatures and attestations go
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
docker://REF, podman:NAME.

With a registry destination, --sbom attaches each platform image's SBOM
(CycloneDX unless --sbom-format) as its OCI 1.1 referrer, and --sign-key
signs the pushed image (the index when there are several platforms) with a
cosign key, as slimship sbom --attach and slimship sign do: one command
builds, pushes, attaches and signs. With both, each platform image's SBOM
is also attested with the key (as slimship attest --type cyclonedx or
spdxjson --replace does), so cosign verify-attestation can check it. The key's password (COSIGN_PASSWORD or
the terminal) is asked before the build.`,
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
	f.BoolVar(&o.SBOM, "sbom", false, "attach each image's SBOM as an OCI referrer (registry destinations)")
	f.StringVar(&o.SBOMFormat, "sbom-format", "cyclonedx", "format of --sbom: cyclonedx, spdx, json")
	f.StringVar(&o.SignKey, "sign-key", "", "sign the pushed image with this cosign private key (registry destinations)")
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
	return o.completePublish()
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
	if _, ok := sbomArtifactTypes[o.SBOMFormat]; !ok {
		return usageErr("unknown --sbom-format %q (want cyclonedx, spdx or json)", o.SBOMFormat)
	}
	return nil
}

// completePublish checks that --sbom and --sign-key have a registry to go
// to, and decrypts the signing key before anything is built.
func (o *BuildOptions) completePublish() error {
	if !o.SBOM && o.SignKey == "" {
		return nil
	}
	r, err := transport.ParseRef(o.Output, nil)
	if err != nil || r.Kind != transport.Registry {
		return usageErr("--sbom and --sign-key attach to and sign an image in a registry: -o docker://REF")
	}
	ref, err := registry.Options{Insecure: o.Insecure}.ParseReference(r.Name)
	if err != nil {
		return usageErr("-o: %v", err)
	}
	o.repo = ref.Context()
	if o.SignKey != "" {
		if o.sigRepo, err = signatureRepository(registry.Options{Insecure: o.Insecure}); err != nil {
			return err
		}
		if o.signKey, err = loadSigningKey(o.s, o.SignKey); err != nil {
			return err
		}
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
	if err := o.publish(ctx, res, digest); err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.s.Out, digest)
	return err
}

// sbomPredicateTypes are the attestation types (cosign's names) of the
// SBOM formats build --sbom --sign-key attests; slimship's own json is
// attached but not attested.
var sbomPredicateTypes = map[string]string{"cyclonedx": "cyclonedx", "spdx": "spdxjson"}

// publish attaches the SBOMs, attests them when signing, and signs, after
// the push.
func (o *BuildOptions) publish(ctx context.Context, res *build.Result, digest v1.Hash) error {
	reg := registry.Options{Insecure: o.Insecure}
	if o.SBOM {
		type built struct {
			img  v1.Image
			desc v1.Descriptor
		}
		var imgs []built
		if res.Index != nil {
			im, err := res.Index.IndexManifest()
			if err != nil {
				return err
			}
			for _, d := range im.Manifests {
				img, err := res.Index.Image(d.Digest)
				if err != nil {
					return err
				}
				imgs = append(imgs, built{img, d})
			}
		} else {
			d, err := partial.Descriptor(res.Image)
			if err != nil {
				return err
			}
			imgs = append(imgs, built{res.Image, *d})
		}
		for _, b := range imgs {
			inv, err := sbom.FromImage(ctx, b.img)
			if err != nil {
				return fmt.Errorf("SBOM of %s: %w", b.desc.Digest, err)
			}
			created, err := sbom.Timestamp(b.img)
			if err != nil {
				return usageErr("%v", err)
			}
			subject := o.repo.Digest(b.desc.Digest.String())
			doc, err := encodeSBOM(o.SBOMFormat, inv, sbom.Meta{Name: subject.String(), Tool: "slimship", ToolVersion: versionString(), Created: created})
			if err != nil {
				return err
			}
			d, err := attach.Attach(ctx, reg, o.repo, b.desc, sbomArtifact(o.SBOMFormat, doc, created))
			if err != nil {
				return err
			}
			fmt.Fprintf(o.s.Err, "attached SBOM %s to %s\n", d.DigestStr(), subject.DigestStr())
			if typ, ok := sbomPredicateTypes[o.SBOMFormat]; ok && o.signKey != nil {
				a, err := sign.AttestDigest(ctx, subject, o.signKey, typ, doc, sign.AttestOptions{Registry: reg, Repository: o.sigRepo, Replace: true})
				if err != nil {
					return err
				}
				fmt.Fprintf(o.s.Err, "attested SBOM of %s (%s, %s)\n", subject.DigestStr(), a.Statement.PredicateType, a.Tag.TagStr())
			}
		}
	}
	if o.signKey != nil {
		s, err := sign.SignDigest(ctx, o.repo.Digest(digest.String()), o.signKey, sign.Options{Registry: reg, Repository: o.sigRepo})
		if err != nil {
			return err
		}
		fmt.Fprintf(o.s.Err, "signed %s (%s)\n", s.Image.DigestStr(), s.Tag.TagStr())
	}
	return nil
}
