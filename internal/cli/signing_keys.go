package cli

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	sigsig "github.com/sigstore/sigstore/pkg/signature"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/sign"
)

// passwordEnv is cosign's variable for the private key's password.
const passwordEnv = "COSIGN_PASSWORD"

// maxKeyFile bounds a key file (cosign's are under 1 KiB).
const maxKeyFile = 64 << 10

// keyPassword is the private key's password: COSIGN_PASSWORD when it is set
// (even to the empty string, as cosign), else typed on the terminal
// (twice when confirm). Without either it refuses: reading a password from
// a pipe that is empty would silently encrypt with no password.
func keyPassword(s Streams, confirm bool) ([]byte, error) {
	if pw, ok := os.LookupEnv(passwordEnv); ok {
		return []byte(pw), nil
	}
	f, ok := s.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, usageErr("no password for the private key: set %s (an empty value means no password) or run on a terminal to be prompted", passwordEnv)
	}
	fmt.Fprint(s.Err, "Enter password for private key: ")
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(s.Err)
	if err != nil {
		return nil, usageErr("reading the password: %v", err)
	}
	if !confirm {
		return pw, nil
	}
	fmt.Fprint(s.Err, "Enter password for private key again: ")
	again, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(s.Err)
	if err != nil {
		return nil, usageErr("reading the password: %v", err)
	}
	if !bytes.Equal(pw, again) {
		return nil, usageErr("the passwords do not match")
	}
	return pw, nil
}

// readKeyFile reads a key file, bounded, for --key flags.
func readKeyFile(path string) ([]byte, error) {
	b, err := bounded.ReadFile(path, maxKeyFile)
	if err != nil {
		return nil, usageErr("--key: %v", err)
	}
	return b, nil
}

// loadSigningKey reads and decrypts the private key at path.
func loadSigningKey(s Streams, path string) (*ecdsa.PrivateKey, error) {
	b, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	pw, err := keyPassword(s, false)
	if err != nil {
		return nil, err
	}
	k, err := sign.LoadPrivateKey(b, pw)
	if err != nil {
		if errors.Is(err, sign.ErrWrongPassword) {
			return nil, usageErr("%s: %v (from %s or the prompt)", path, err, passwordEnv)
		}
		return nil, usageErr("%s: %v", path, err)
	}
	return k, nil
}

// loadVerifyingKey reads the public key at path.
func loadVerifyingKey(path string) (sigsig.Verifier, error) {
	b, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	v, err := sign.LoadPublicKey(b)
	if err != nil {
		return nil, usageErr("%s: %v", path, err)
	}
	return v, nil
}

// repositoryEnv is cosign's variable for a repository that keeps
// signatures and attestations apart from the images.
const repositoryEnv = "COSIGN_REPOSITORY"

// signatureRepository is COSIGN_REPOSITORY parsed, or the zero value (the
// image's own repository) when it is unset or empty.
func signatureRepository(o registry.Options) (name.Repository, error) {
	s := os.Getenv(repositoryEnv)
	if s == "" {
		return name.Repository{}, nil
	}
	r, err := o.ParseRepository(s)
	if err != nil {
		return name.Repository{}, usageErr("%s=%s: %v", repositoryEnv, s, err)
	}
	return r, nil
}

// keyedImage is what sign, verify, attest and verify-attestation share: an
// image in a registry, a cosign key file, --insecure and COSIGN_REPOSITORY.
type keyedImage struct {
	Key      string
	Insecure bool
	Image    string

	ref  name.Reference
	reg  registry.Options
	repo name.Repository // COSIGN_REPOSITORY; zero: the image's own
}

// bind adds --key (described by keyHelp) and --insecure.
func (k *keyedImage) bind(f *pflag.FlagSet, keyHelp string) {
	f.StringVar(&k.Key, "key", "", keyHelp)
	f.BoolVar(&k.Insecure, "insecure", false, "allow plain HTTP to loopback registries")
}

// complete checks that --key was given (missing says what it should be),
// reads COSIGN_REPOSITORY and parses the image.
func (k *keyedImage) complete(missing string) error {
	if k.Key == "" {
		return usageErr("--key is required (%s)", missing)
	}
	k.reg = registry.Options{Insecure: k.Insecure}
	var err error
	if k.repo, err = signatureRepository(k.reg); err != nil {
		return err
	}
	k.ref, err = registryRef(k.reg, k.Image)
	return err
}
