package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/pkg/sign"
)

// GenerateKeyPairOptions are the flags of `slimship generate-key-pair`.
type GenerateKeyPairOptions struct {
	Prefix string
	Force  bool

	keyPath, pubPath string
	s                Streams
}

func newGenerateKeyPairCmd(s Streams) *cobra.Command {
	o := &GenerateKeyPairOptions{s: s}
	cmd := &cobra.Command{
		Use:   "generate-key-pair",
		Short: "Make a cosign-compatible signing key pair (cosign.key, cosign.pub)",
		Example: `  slimship generate-key-pair
  COSIGN_PASSWORD=... slimship generate-key-pair --output-key-prefix release`,
		Long: `Make an ECDSA P-256 key pair in cosign's format, as cosign generate-key-pair
does: PREFIX.key holds the PKCS#8 private key encrypted with scrypt and
nacl/secretbox (an ENCRYPTED SIGSTORE PRIVATE KEY PEM block, readable by
cosign), PREFIX.pub the public key. The password comes from COSIGN_PASSWORD
when it is set (an empty value means no password), else it is asked twice on
the terminal; without a terminal and without COSIGN_PASSWORD the command
refuses. Existing files are kept unless --force.
Exit codes: 0 written, 2 bad input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return run(o) },
	}
	cmd.Flags().StringVar(&o.Prefix, "output-key-prefix", "cosign", "write PREFIX.key and PREFIX.pub")
	cmd.Flags().BoolVar(&o.Force, "force", false, "overwrite existing key files")
	return cmd
}

// Complete names the files.
func (o *GenerateKeyPairOptions) Complete() error {
	o.keyPath, o.pubPath = o.Prefix+".key", o.Prefix+".pub"
	return nil
}

// Validate refuses to overwrite keys without --force.
func (o *GenerateKeyPairOptions) Validate() error {
	if o.Prefix == "" {
		return usageErr("--output-key-prefix must not be empty")
	}
	for _, p := range []string{o.keyPath, o.pubPath} {
		if err := atomicfile.CheckTarget(p); err != nil {
			return usageErr("%v", err)
		}
		if _, err := os.Lstat(p); err == nil && !o.Force {
			return usageErr("%s exists: keep it, or pass --force to replace the key pair", p)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return usageErr("%v", err)
		}
	}
	return nil
}

// Run asks for the password and writes the pair.
func (o *GenerateKeyPairOptions) Run() error {
	pw, err := keyPassword(o.s, true)
	if err != nil {
		return err
	}
	if len(pw) == 0 {
		fmt.Fprintln(o.s.Err, "slimship: warning: the private key is not protected by a password")
	}
	priv, pub, err := sign.GenerateKeyPair(pw)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(o.keyPath, priv, 0o600); err != nil {
		return usageErr("%v", err)
	}
	if err := atomicfile.Write(o.pubPath, pub, 0o644); err != nil {
		return usageErr("%v", err)
	}
	fmt.Fprintf(o.s.Err, "Private key written to %s\nPublic key written to %s\n", o.keyPath, o.pubPath)
	return nil
}
