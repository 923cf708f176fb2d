package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"

	reg "github.com/slimship/slimship/pkg/registry"
)

type fixture struct {
	t    *testing.T
	host string
	o    Options
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return &fixture{t: t, host: strings.TrimPrefix(srv.URL, "http://"), o: Options{Registry: reg.Options{Insecure: true}}}
}

func (f *fixture) ref(s string) name.Reference {
	f.t.Helper()
	r, err := f.o.Registry.ParseReference(f.host + "/" + s)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// push writes a random image to repo:tag and returns its digest reference.
func (f *fixture) push(s string) name.Digest {
	f.t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		f.t.Fatal(err)
	}
	r := f.ref(s)
	if err := remote.Write(r, img, f.o.Registry.Remote(context.Background())...); err != nil {
		f.t.Fatal(err)
	}
	h, _ := img.Digest()
	return r.Context().Digest(h.String())
}

func newKey(t *testing.T) (*ecdsa.PrivateKey, signature.Verifier) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v, err := signature.LoadVerifier(k.Public(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return k, v
}

func failure(t *testing.T, err error, want string) {
	t.Helper()
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("err %v, want a verification failure", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("failure %q, want it to say %q", err, want)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.push("team/app:1")
	key, v := newKey(t)

	s, err := Sign(ctx, f.ref("team/app:1"), key, f.o)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Appended || s.Count != 1 || s.Image != d {
		t.Fatalf("signed %+v, want the digest %s appended", s, d)
	}
	wantTag := "sha256-" + d.DigestStr()[len("sha256:"):] + ".sig"
	if s.Tag.TagStr() != wantTag {
		t.Errorf("tag %s, want %s", s.Tag.TagStr(), wantTag)
	}
	// the payload is cosign's, byte for byte
	want := `{"critical":{"identity":{"docker-reference":"` + f.host + `/team/app"},"image":{"docker-manifest-digest":"` +
		d.DigestStr() + `"},"type":"cosign container image signature"},"optional":null}`
	if string(s.Payload) != want {
		t.Errorf("payload\n %s\nwant\n %s", s.Payload, want)
	}
	// the stored layer: media type, annotation, content
	img, err := remote.Image(s.Tag, f.o.Registry.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := img.Manifest()
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 {
		t.Fatalf("signature manifest %+v", m)
	}
	if l := m.Layers[0]; l.MediaType != SimpleSigningMediaType || l.Annotations[SignatureAnnotation] != s.Signature {
		t.Errorf("layer %+v", l)
	}

	res, err := Verify(ctx, f.ref("team/app:1"), v, f.o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Verified) != 1 || res.Signatures != 1 || res.Verified[0].Claims.Critical.Image.DockerManifestDigest != d.DigestStr() {
		t.Fatalf("verified %+v", res)
	}
	// by digest too
	if _, err := Verify(ctx, d, v, f.o); err != nil {
		t.Fatal(err)
	}
}

func TestSignAppends(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.push("app:1")
	a, va := newKey(t)
	b, vb := newKey(t)
	_, vc := newKey(t)

	if _, err := Sign(ctx, f.ref("app:1"), a, f.o); err != nil {
		t.Fatal(err)
	}
	// the same payload by the same key again: cosign's duplicate detection, nothing pushed
	s, err := Sign(ctx, f.ref("app:1"), a, f.o)
	if err != nil || s.Appended || s.Count != 1 {
		t.Fatalf("re-sign: %+v %v, want no new signature", s, err)
	}
	if s, err = Sign(ctx, f.ref("app:1"), b, f.o); err != nil || !s.Appended || s.Count != 2 {
		t.Fatalf("second key: %+v %v", s, err)
	}
	o := f.o
	o.Annotations = map[string]any{"env": "prod"}
	if s, err = Sign(ctx, f.ref("app:1"), a, o); err != nil || !s.Appended || s.Count != 3 {
		t.Fatalf("annotated: %+v %v", s, err)
	}
	for _, c := range []struct {
		v    signature.Verifier
		want int
	}{{va, 2}, {vb, 1}} {
		res, err := Verify(ctx, f.ref("app:1"), c.v, f.o)
		if err != nil || len(res.Verified) != c.want || res.Signatures != 3 {
			t.Fatalf("verify: %+v %v, want %d of 3", res, err, c.want)
		}
	}
	res, _ := Verify(ctx, f.ref("app:1"), va, f.o)
	var opt []any
	for _, v := range res.Verified {
		opt = append(opt, v.Claims.Optional["env"])
	}
	if opt[0] != nil || opt[1] != "prod" {
		t.Errorf("optional claims %v", opt)
	}
	// another key: none verifies, each signature says why
	_, err = Verify(ctx, f.ref("app:1"), vc, f.o)
	failure(t, err, "no signature of "+f.host+"/app@sha256:")
	failure(t, err, "signature 3: not made by this key")
}

func TestVerifyMissingAndChanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	key, v := newKey(t)

	f.push("app:unsigned")
	_, err := Verify(ctx, f.ref("app:unsigned"), v, f.o)
	failure(t, err, "has no signatures (no tag sha256-")

	// the tag moves to a rebuilt image after signing
	old := f.push("app:1")
	if _, err := Sign(ctx, f.ref("app:1"), key, f.o); err != nil {
		t.Fatal(err)
	}
	moved := f.push("app:1")
	_, err = Verify(ctx, f.ref("app:1"), v, f.o)
	failure(t, err, "the tag now points to another image than the one signed")
	if _, err := Verify(ctx, old, v, f.o); err != nil {
		t.Errorf("the signed digest: %v", err)
	}

	// a signature copied onto another digest's tag: made by the key, wrong claim
	sig, err := remote.Image(SignatureTag(old), f.o.Registry.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(SignatureTag(moved), sig, f.o.Registry.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(ctx, f.ref("app:1"), v, f.o)
	failure(t, err, "signature 1: made by this key, but for "+old.DigestStr()+", not "+moved.DigestStr())

	// an image that is not there is bad input, not a failed verification
	_, err = Verify(ctx, f.ref("app:nope"), v, f.o)
	var fl *Failure
	if !reg.IsNotFound(err) || errors.As(err, &fl) {
		t.Errorf("missing image: %v", err)
	}
}

func TestSignIndexAndTamperedPayload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	key, v := newKey(t)
	idx, err := random.Index(64, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := f.ref("multi:1")
	if err := remote.WriteIndex(r, idx, f.o.Registry.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	s, err := Sign(ctx, r, key, f.o)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := idx.Digest()
	if s.Image.DigestStr() != h.String() {
		t.Fatalf("signed %s, want the index %s", s.Image, h)
	}
	// a payload whose signature was made over other bytes
	var claims map[string]any
	_ = json.Unmarshal(s.Payload, &claims)
	claims["optional"] = map[string]any{"forged": true}
	forged, _ := json.Marshal(claims)
	img, _ := remote.Image(s.Tag, f.o.Registry.Remote(ctx)...)
	m, _ := img.Manifest()
	bad, err := replaceLayer(m.Layers[0], forged)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(s.Tag, bad, f.o.Registry.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(ctx, r, v, f.o)
	failure(t, err, "signature 1: not made by this key")
}

// replaceLayer is a signature image with one layer: data, annotated with
// old's signature.
func replaceLayer(old v1.Descriptor, data []byte) (v1.Image, error) {
	return mutate.Append(emptySignatures(), mutate.Addendum{
		Layer:       static.NewLayer(data, SimpleSigningMediaType),
		Annotations: map[string]string{SignatureAnnotation: old.Annotations[SignatureAnnotation]},
	})
}
