// Package sign makes and checks cosign-compatible, key-based image
// signatures: key pairs in cosign's encrypted format, the simple-signing
// payload stored on the image's sha256-<hex>.sig tag, and its verification.
// Keys and payloads come from sigstore/sigstore and go-securesystemslib, the
// libraries cosign itself uses; registries are reached only through
// pkg/registry.
package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// PEM block types of cosign's key files. cosign writes the SIGSTORE one
// since v2; the COSIGN one is older and still read.
const (
	PrivateKeyPEMType       = string(cryptoutils.EncryptedSigstorePrivateKeyPEMType)
	legacyPrivateKeyPEMType = "ENCRYPTED COSIGN PRIVATE KEY"
	PublicKeyPEMType        = string(cryptoutils.PublicKeyPEMType)
)

// Key-file errors, wrapped with the file's name by the callers.
var (
	// ErrWrongPassword: the key file decodes but its password does not open it.
	ErrWrongPassword = errors.New("wrong password for the private key (or the key file is corrupted)")
	// ErrNotKeyFile: the file is not a PEM key at all (empty, truncated, binary).
	ErrNotKeyFile = errors.New("not a PEM key file (truncated or not a key?)")
)

// GenerateKeyPair makes a new ECDSA P-256 key pair, as `cosign
// generate-key-pair` does: the private key is PKCS#8 encrypted with scrypt
// and nacl/secretbox under password in an ENCRYPTED SIGSTORE PRIVATE KEY PEM
// block; the public key is a PKIX PUBLIC KEY PEM block.
func GenerateKeyPair(password []byte) (privPEM, pubPEM []byte, err error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	return EncodeKeyPair(priv, password)
}

// EncodeKeyPair writes priv in cosign's encrypted format and its public key.
func EncodeKeyPair(priv *ecdsa.PrivateKey, password []byte) (privPEM, pubPEM []byte, err error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	if password == nil {
		password = []byte{}
	}
	enc, err := encrypted.Encrypt(der, password)
	if err != nil {
		return nil, nil, err
	}
	pubPEM, err = cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: PrivateKeyPEMType, Bytes: enc}), pubPEM, nil
}

// LoadPrivateKey decrypts a cosign private key file with password. Only
// ECDSA P-256 keys sign (cosign's default and what the simple-signing
// verifiers expect with SHA-256).
func LoadPrivateKey(data, password []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, ErrNotKeyFile
	}
	switch block.Type {
	case PrivateKeyPEMType, legacyPrivateKeyPEMType:
	case PublicKeyPEMType:
		return nil, errors.New("this is a public key: signing needs the private key (cosign.key)")
	default:
		return nil, fmt.Errorf("PEM block %q is not a cosign private key (want %q; convert other keys with `cosign import-key-pair`)", block.Type, PrivateKeyPEMType)
	}
	if password == nil {
		password = []byte{}
	}
	der, err := encrypted.Decrypt(block.Bytes, password)
	if err != nil {
		if err.Error() == "encrypted: decryption failed" {
			return nil, ErrWrongPassword
		}
		return nil, fmt.Errorf("%w: %v", ErrNotKeyFile, err)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("decrypted key is not PKCS#8: %w", err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is %s: slimship signs with ECDSA P-256 keys only", keyKind(key))
	}
	if ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("the key is ECDSA %s: slimship signs with ECDSA P-256 keys only", ec.Curve.Params().Name)
	}
	return ec, nil
}

// LoadPublicKey reads a PEM public key and returns the verifier `cosign
// verify --key` would use for it: SHA-256 for ECDSA and RSA, and plain
// Ed25519.
func LoadPublicKey(data []byte) (signature.Verifier, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, ErrNotKeyFile
	}
	switch block.Type {
	case PublicKeyPEMType:
	case PrivateKeyPEMType, legacyPrivateKeyPEMType, "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY":
		return nil, errors.New("this is a private key: verifying needs the public key (cosign.pub)")
	default:
		return nil, fmt.Errorf("PEM block %q is not a public key (want %q)", block.Type, PublicKeyPEMType)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(data)
	if err != nil {
		return nil, err
	}
	if err := cryptoutils.ValidatePubKey(pub); err != nil {
		return nil, err
	}
	return signature.LoadVerifier(pub, crypto.SHA256)
}

func keyKind(k any) string {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case ed25519.PrivateKey:
		return "Ed25519"
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", k)
}
