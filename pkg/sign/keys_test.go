package sign

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// One generated pair for the tests: scrypt at cosign's cost takes a good
// fraction of a second per key on a loaded machine.
var testPair = sync.OnceValues(func() ([2][]byte, error) {
	priv, pub, err := GenerateKeyPair([]byte("s3cret"))
	return [2][]byte{priv, pub}, err
})

func generated(t *testing.T) (priv, pub []byte) {
	t.Helper()
	p, err := testPair()
	if err != nil {
		t.Fatal(err)
	}
	return p[0], p[1]
}

func TestKeyPairFormat(t *testing.T) {
	priv, pub := generated(t)
	block, rest := pem.Decode(priv)
	if block == nil || block.Type != "ENCRYPTED SIGSTORE PRIVATE KEY" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("private key PEM: %q", priv)
	}
	// the encrypted envelope is go-securesystemslib's: scrypt (N=2^16) and nacl/secretbox
	var env struct {
		KDF struct {
			Name   string
			Params struct{ N, R, P int }
		}
		Cipher struct{ Name string }
	}
	if err := json.Unmarshal(block.Bytes, &env); err != nil {
		t.Fatal(err)
	}
	if env.KDF.Name != "scrypt" || env.KDF.Params.N != 1<<16 || env.KDF.Params.R != 8 || env.KDF.Params.P != 1 || env.Cipher.Name != "nacl/secretbox" {
		t.Errorf("envelope %+v", env)
	}
	// sigstore's own reader (what cosign's LoadPrivateKey reduces to) opens it
	k, err := cryptoutils.UnmarshalPEMToPrivateKey(priv, cryptoutils.StaticPasswordFunc([]byte("s3cret")))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := LoadPrivateKey(priv, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if !ours.Equal(k) {
		t.Error("LoadPrivateKey and cryptoutils disagree")
	}
	pk, err := cryptoutils.UnmarshalPEMToPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := cryptoutils.EqualKeys(pk, ours.Public()); err != nil {
		t.Error(err)
	}
	if _, err := LoadPublicKey(pub); err != nil {
		t.Error(err)
	}
}

func TestKeyFileErrors(t *testing.T) {
	priv, pub := generated(t)
	// the other keys use go-securesystemslib's cheaper legacy scrypt
	// parameters, which cosign reads too
	encryptPEM := func(k any, typ string) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := encrypted.EncryptWithCustomKDFParameters(der, []byte("pw"), encrypted.Legacy)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: enc})
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	plainDER, _ := x509.MarshalPKCS8PrivateKey(p256)

	for _, c := range []struct {
		name string
		data []byte
		pw   string
		is   error
		want string
	}{
		{"wrong password", priv, "wrong", ErrWrongPassword, ""},
		{"truncated", priv[:len(priv)/2], "s3cret", ErrNotKeyFile, ""},
		{"empty file", nil, "s3cret", ErrNotKeyFile, ""},
		{"public key", pub, "s3cret", nil, "this is a public key"},
		{"plain PKCS#8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: plainDER}), "s3cret", nil, `"PRIVATE KEY" is not a cosign private key`},
		{"RSA", encryptPEM(rsaKey, PrivateKeyPEMType), "pw", nil, "the key is RSA 2048: slimship signs with ECDSA P-256 keys only"},
		{"Ed25519", encryptPEM(edKey, PrivateKeyPEMType), "pw", nil, "the key is Ed25519"},
		{"P-384", encryptPEM(p384, PrivateKeyPEMType), "pw", nil, "ECDSA P-384: slimship signs with ECDSA P-256"},
		{"corrupt envelope", pem.EncodeToMemory(&pem.Block{Type: PrivateKeyPEMType, Bytes: []byte("{not json")}), "pw", ErrNotKeyFile, ""},
	} {
		_, err := LoadPrivateKey(c.data, []byte(c.pw))
		switch {
		case err == nil:
			t.Errorf("%s: loaded", c.name)
		case c.is != nil && !errors.Is(err, c.is):
			t.Errorf("%s: %v, want %v", c.name, err, c.is)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// cosign's pre-v2 PEM type still loads
	if _, err := LoadPrivateKey(encryptPEM(p256, "ENCRYPTED COSIGN PRIVATE KEY"), []byte("pw")); err != nil {
		t.Errorf("legacy type: %v", err)
	}
	for name, data := range map[string][]byte{"private key": priv, "truncated": pub[:30], "certificate request": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{1}})} {
		if _, err := LoadPublicKey(data); err == nil {
			t.Errorf("LoadPublicKey(%s): no error", name)
		}
	}
}
