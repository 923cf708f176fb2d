package cli

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	sigsig "github.com/sigstore/sigstore/pkg/signature"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/sign"
)

// maxPredicate bounds a predicate file (an image's SBOM).
const maxPredicate = 96 << 20

// predicateTypeHelp is the --type flag's help, shared by attest and
// verify-attestation.
var predicateTypeHelp = "predicate type: " + strings.Join(sign.PredicateTypeNames(), ", ") + ", or a URI (cosign's names)"

// AttestOptions are the flags of `slimship attest`.
type AttestOptions struct {
	keyedImage
	Predicate string
	Type      string
	Replace   bool

	key       *ecdsa.PrivateKey
	predicate []byte
	opts      sign.AttestOptions
	s         Streams
	cmd       *cobra.Command
}

func newAttestCmd(s Streams) *cobra.Command {
	o := &AttestOptions{s: s}
	cmd := &cobra.Command{
		Use:   "attest IMAGE --key cosign.key --predicate FILE --type TYPE",
		Short: "Attach a signed in-toto attestation (an SBOM, VEX, provenance) to an image (cosign-compatible)",
		Example: `  slimship sbom -f cyclonedx -o app.cdx.json registry.example.com/app:1.4.0
  COSIGN_PASSWORD=... slimship attest registry.example.com/app:1.4.0 --key cosign.key --type cyclonedx --predicate app.cdx.json
  slimship attest --insecure 127.0.0.1:5000/app:1 --key cosign.key --type openvex --predicate vex.json --replace`,
		Long: `Make an in-toto statement about the manifest IMAGE names (its repository
and digest as the subject, the content of --predicate as the predicate),
sign it with a cosign key in a DSSE envelope, and add it to the image's
REPO:sha256-<hex>.att tag, as cosign attest --key --tlog-upload=false does:
layer media type application/vnd.dsse.envelope.v1+json, the predicate type
in the layer's predicateType annotation. Attestations already on the tag
are kept; --replace drops those of the same predicate type first.

--type takes cosign's names (cyclonedx, spdxjson, openvex, vuln,
slsaprovenance1, ...) or a URI. For custom (cosign's default) the file is
wrapped as {"Data": "<file>", "Timestamp": "<now>"}; for spdx it is
embedded as a string; every other type needs a JSON object.

cosign verify-attestation and slimship verify-attestation accept the
result. The key's password is COSIGN_PASSWORD, else asked on the terminal.
Nothing is sent to a transparency log. COSIGN_REPOSITORY, as for cosign,
names a repository that keeps the attestations instead of the image's.
Exit codes: 0 attested, 2 bad input, key or registry error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.cmd = args[0], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	o.bind(f, "cosign private key file (required)")
	f.StringVar(&o.Predicate, "predicate", "", "file with the predicate, e.g. an SBOM; - for standard input (required)")
	f.StringVar(&o.Type, "type", "custom", predicateTypeHelp)
	f.BoolVar(&o.Replace, "replace", false, "drop the image's attestations of the same predicate type first")
	return cmd
}

// Complete reads the predicate and the key and parses the image.
func (o *AttestOptions) Complete() error {
	if err := o.keyedImage.complete("make one with slimship generate-key-pair"); err != nil {
		return err
	}
	if o.Predicate == "" {
		return usageErr("--predicate is required (the file to attest, e.g. an SBOM from slimship sbom)")
	}
	if _, err := sign.PredicateType(o.Type); err != nil {
		return usageErr("--type: %v", err)
	}
	o.opts = sign.AttestOptions{Registry: o.reg, Repository: o.repo, Replace: o.Replace}
	var err error
	if o.Predicate == "-" {
		o.predicate, err = bounded.Read("standard input", o.s.In, maxPredicate)
	} else {
		o.predicate, err = bounded.ReadFile(o.Predicate, maxPredicate)
	}
	if err != nil {
		return usageErr("--predicate: %v", err)
	}
	o.key, err = loadSigningKey(o.s, o.Key)
	return err
}

// Validate checks the predicate against its type before anything is
// pushed.
func (o *AttestOptions) Validate() error {
	d, err := name.NewDigest("example.invalid/x@sha256:" + strings.Repeat("0", 64))
	if err != nil {
		return err
	}
	if _, err := sign.NewStatement(d, o.Type, o.predicate, time.Now()); err != nil {
		return usageErr("%s: %v", o.Predicate, err)
	}
	return nil
}

// Run attests and pushes.
func (o *AttestOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	res, err := sign.Attest(ctx, o.ref, o.key, o.Type, o.predicate, o.opts)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if res.Replaced > 0 {
		fmt.Fprintf(o.s.Err, "Replaced %d attestation%s of type %s\n", res.Replaced, plural(res.Replaced), res.Statement.PredicateType)
	}
	fmt.Fprintf(o.s.Err, "Pushed attestation (%s) to %s (%d attestation%s)\n", res.Statement.PredicateType, res.Tag, res.Count, plural(res.Count))
	_, err = fmt.Fprintln(o.s.Out, res.Image)
	return err
}

// VerifyAttestationOptions are the flags of `slimship verify-attestation`.
type VerifyAttestationOptions struct {
	keyedImage
	Type   string
	Format string

	uri      string
	verifier sigsig.Verifier
	opts     sign.AttestOptions
	s        Streams
	cmd      *cobra.Command
}

func newVerifyAttestationCmd(s Streams) *cobra.Command {
	o := &VerifyAttestationOptions{s: s}
	cmd := &cobra.Command{
		Use:   "verify-attestation IMAGE --key cosign.pub [--type TYPE]",
		Short: "Verify an image's cosign attestations with a public key",
		Example: `  slimship verify-attestation registry.example.com/app:1.4.0 --key cosign.pub --type cyclonedx
  slimship verify-attestation registry.example.com/app:1.4.0 --key cosign.pub --type cyclonedx -f predicate > app.cdx.json
  slimship scan app.cdx.json`,
		Long: `Verify the attestations on IMAGE's REPO:sha256-<hex>.att tag as cosign
verify-attestation --key --insecure-ignore-tlog=true does: an attestation
passes when its DSSE envelope verifies with the public key, its payload is
an in-toto statement whose subject is the digest IMAGE resolves to now, and
its predicate type is --type (cosign's default, custom, unless given; "any"
accepts every type). Attestations made by cosign attest --key and by
slimship attest are both read. No transparency log is consulted.
COSIGN_REPOSITORY, as for cosign, names the repository that keeps the
attestations, if not the image's.

-f text prints the checks and a count; -f json prints each verified
envelope on a line, as cosign verify-attestation does; -f predicate prints
the predicate of each verified attestation (e.g. the attested SBOM, ready
for slimship scan).

Exit codes: 0 at least one attestation of the type verified; 1
verification failed (none on the image, none signed by this key, none of
the type, or the attested digest is not the image's) — a finding about the
image; 2 bad input (unreadable or wrong key file, image not found, registry
error).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.cmd = args[0], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	o.bind(f, "public key file (required)")
	f.StringVar(&o.Type, "type", "custom", predicateTypeHelp+`; "any" for every type`)
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, json, predicate")
	return cmd
}

// Complete parses the image, the type and reads the key.
func (o *VerifyAttestationOptions) Complete() error {
	if err := o.keyedImage.complete("the public key, e.g. cosign.pub"); err != nil {
		return err
	}
	if o.Type != "any" {
		uri, err := sign.PredicateType(o.Type)
		if err != nil {
			return usageErr("--type: %v", err)
		}
		o.uri = uri
	}
	o.opts = sign.AttestOptions{Registry: o.reg, Repository: o.repo}
	var err error
	o.verifier, err = loadVerifyingKey(o.Key)
	return err
}

// Validate checks --format.
func (o *VerifyAttestationOptions) Validate() error {
	switch o.Format {
	case "text", "json", "predicate":
		return nil
	}
	return usageErr("unknown --format %q (want text, json or predicate)", o.Format)
}

// Run verifies and prints.
func (o *VerifyAttestationOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	res, err := sign.VerifyAttestations(ctx, o.ref, o.verifier, o.uri, o.opts)
	var fail *sign.Failure
	if errors.As(err, &fail) {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("verification failed: %w", fail)}
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	switch o.Format {
	case "json":
		for _, v := range res.Verified {
			if _, err := fmt.Fprintf(o.s.Out, "%s\n", v.Envelope); err != nil {
				return err
			}
		}
		return nil
	case "predicate":
		for _, v := range res.Verified {
			if _, err := fmt.Fprintf(o.s.Out, "%s\n", v.Statement.Predicate); err != nil {
				return err
			}
		}
		return nil
	}
	what := "of type " + o.uri
	if o.uri == "" {
		what = "of any type"
	}
	_, err = fmt.Fprintf(o.s.Out, `Verification for %s --
The following checks were performed on each of these attestations:
  - The DSSE envelope was verified against the specified public key
  - The in-toto statement's subject is the image's digest
  - The predicate type was checked
%d of %d attestation%s %s verified with %s
`, res.Image, len(res.Verified), res.Attestations, plural(res.Attestations), what, o.Key)
	return err
}
