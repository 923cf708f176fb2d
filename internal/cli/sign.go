package cli

import (
	"crypto/ecdsa"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/slimship/slimship/pkg/sign"
)

// SignOptions are the flags of `slimship sign`.
type SignOptions struct {
	keyedImage
	Annotations []string
	Identity    string
	Recursive   bool

	key  *ecdsa.PrivateKey
	opts sign.Options
	s    Streams
	cmd  *cobra.Command
}

func newSignCmd(s Streams) *cobra.Command {
	o := &SignOptions{s: s}
	cmd := &cobra.Command{
		Use:   "sign IMAGE --key cosign.key",
		Short: "Sign an image in a registry with a cosign key (cosign-compatible)",
		Example: `  COSIGN_PASSWORD=... slimship sign registry.example.com/app:1.4.0 --key cosign.key
  slimship sign --insecure 127.0.0.1:5000/app@sha256:... --key cosign.key -a commit=abc123`,
		Long: `Sign the manifest IMAGE names (an index is signed as one, as cosign does
without --recursive; with --recursive each manifest in it too) with an ECDSA P-256 key in cosign's format, as
cosign sign --key --tlog-upload=false does: the simple-signing payload
(critical.identity.docker-reference, critical.image.docker-manifest-digest,
type "cosign container image signature", -a annotations in optional) is a
layer of the image on the REPO:sha256-<hex>.sig tag, its base64 ECDSA
signature in the dev.cosignproject.cosign/signature annotation. Signatures
already on the tag are kept; the same payload signed by the same key again
is not added twice. cosign verify, slimship verify and containers/image
(sigstoreSigned policies) accept the result. The key's password is
COSIGN_PASSWORD, else asked on the terminal. Nothing is sent to a
transparency log. COSIGN_REPOSITORY, as for cosign, names a repository that
keeps the signatures instead of the image's (REGISTRY/REPO:sha256-<hex>.sig).
Exit codes: 0 signed, 2 bad input, key or registry error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.cmd = args[0], cmd
			return run(o)
		},
	}
	f := cmd.Flags()
	o.bind(f, "cosign private key file (required)")
	f.StringArrayVarP(&o.Annotations, "annotation", "a", nil, "KEY=VALUE added to the payload's optional claims (repeatable)")
	f.StringVar(&o.Identity, "sign-container-identity", "", "docker-reference the payload claims (default: the image's repository, as cosign)")
	f.BoolVar(&o.Recursive, "recursive", false, "for an index, also sign every manifest in it (each platform's image), as cosign sign --recursive")
	return cmd
}

// Complete parses the image and reads the key.
func (o *SignOptions) Complete() error {
	if err := o.keyedImage.complete("make one with slimship generate-key-pair"); err != nil {
		return err
	}
	o.opts = sign.Options{Registry: o.reg, Repository: o.repo, Identity: o.Identity}
	var err error
	if o.opts.Annotations, err = parseAnnotations(o.Annotations); err != nil {
		return err
	}
	o.key, err = loadSigningKey(o.s, o.Key)
	return err
}

// parseAnnotations reads KEY=VALUE pairs for -a.
func parseAnnotations(kvs []string) (map[string]any, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	out := map[string]any{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErr("-a %q: want KEY=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}

// Validate has nothing left to check.
func (o *SignOptions) Validate() error { return nil }

// Run signs and pushes the signature.
func (o *SignOptions) Run() error {
	ctx := orBackground(o.cmd.Context())
	d, desc, err := o.opts.Registry.Resolve(ctx, o.ref)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	todo := []name.Digest{d}
	if o.Recursive {
		if todo, err = sign.Manifests(ctx, d, desc, o.opts.Registry); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
	}
	for _, d := range todo {
		res, err := sign.SignDigest(ctx, d, o.key, o.opts)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		if res.Appended {
			fmt.Fprintf(o.s.Err, "Pushed signature to %s (%d signature%s)\n", res.Tag, res.Count, plural(res.Count))
		} else {
			fmt.Fprintf(o.s.Err, "%s already holds this signature: nothing pushed\n", res.Tag)
		}
		if _, err := fmt.Fprintln(o.s.Out, res.Image); err != nil {
			return err
		}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
