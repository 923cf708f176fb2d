package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	sigsig "github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/sign"
)

// VerifyOptions are the flags of `slimship verify`.
type VerifyOptions struct {
	keyedImage
	Format string

	verifier sigsig.Verifier
	opts     sign.Options
	s        Streams
	cmd      *cobra.Command
}

func newVerifyCmd(s Streams) *cobra.Command {
	o := &VerifyOptions{s: s}
	cmd := &cobra.Command{
		Use:   "verify IMAGE --key cosign.pub",
		Short: "Verify an image's cosign signatures with a public key",
		Example: `  slimship verify registry.example.com/app:1.4.0 --key cosign.pub
  slimship verify --insecure 127.0.0.1:5000/app:1 --key cosign.pub -f json | jq .`,
		Long: `Verify the signatures on IMAGE's REPO:sha256-<hex>.sig tag as
cosign verify --key --insecure-ignore-tlog=true does: a signature passes when
it verifies with the public key over its payload and the payload is a cosign
simple-signing payload claiming the digest IMAGE resolves to now. Signatures
made by cosign sign --key and by slimship sign are both read. No
transparency log is consulted. COSIGN_REPOSITORY, as for cosign, names the
repository that keeps the signatures, if not the image's.

-f text prints the checks and a count; -f json prints the verified payloads
as a JSON array, as cosign verify does.

Exit codes: 0 at least one signature verified; 1 verification failed (the
image has no signatures, none was made by this key, or the signed digest is
not the image's: its tag moved after signing) — a finding about the image,
like other commands' findings; 2 bad input (unreadable or wrong key file,
image not found, registry error).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.cmd = args[0], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	o.bind(f, "public key file (required)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, json")
	return cmd
}

// Complete parses the image and reads the key.
func (o *VerifyOptions) Complete() error {
	if err := o.keyedImage.complete("the public key, e.g. cosign.pub"); err != nil {
		return err
	}
	o.opts = sign.Options{Registry: o.reg, Repository: o.repo}
	var err error
	o.verifier, err = loadVerifyingKey(o.Key)
	return err
}

// Validate checks --format.
func (o *VerifyOptions) Validate() error {
	if o.Format != "text" && o.Format != "json" {
		return usageErr("unknown --format %q (want text or json)", o.Format)
	}
	return nil
}

// Run verifies and prints.
func (o *VerifyOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	res, err := sign.Verify(ctx, o.ref, o.verifier, o.opts)
	var fail *sign.Failure
	if errors.As(err, &fail) {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("verification failed: %w", fail)}
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if o.Format == "json" {
		out := make([]payload.SimpleContainerImage, 0, len(res.Verified))
		for _, v := range res.Verified {
			out = append(out, v.Claims)
		}
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(o.s.Out, "%s\n", b)
		return err
	}
	_, err = fmt.Fprintf(o.s.Out, `Verification for %s --
The following checks were performed on each of these signatures:
  - The cosign claims were validated
  - The signatures were verified against the specified public key
%d of %d signature%s verified with %s
`, res.Image, len(res.Verified), res.Signatures, plural(res.Signatures), o.Key)
	return err
}
