package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/registry"
)

// cosign's names for a signature layer.
const (
	// SimpleSigningMediaType is the media type of a signature layer: its
	// content is the signed simple-signing payload.
	SimpleSigningMediaType types.MediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	// SignatureAnnotation holds the base64 signature over the layer's payload.
	SignatureAnnotation = "dev.cosignproject.cosign/signature"
	// SignatureSuffix ends the tag the signatures of a digest live on.
	SignatureSuffix = ".sig"
)

// maxPayload bounds a signature layer read from a registry (cosign's
// payloads are a few hundred bytes).
const maxPayload = 1 << 20

// SignatureTag is where cosign keeps the signatures of d:
// REPO:sha256-<hex>.sig.
func SignatureTag(d name.Digest) name.Tag {
	return tagFor(d, name.Repository{}, SignatureSuffix)
}

// tagFor is the sha256-<hex><suffix> tag of d in repo, or in d's own
// repository when repo is the zero value (cosign without
// COSIGN_REPOSITORY).
func tagFor(d name.Digest, repo name.Repository, suffix string) name.Tag {
	if repo.RepositoryStr() == "" {
		repo = d.Context()
	}
	return repo.Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + suffix)
}

// Options tune Sign and Verify.
type Options struct {
	// Registry reaches the registry.
	Registry registry.Options
	// Identity is the docker-reference the payload claims (cosign's
	// --sign-container-identity); default the image's repository, as cosign.
	Identity string
	// Annotations go into the payload's "optional" object (cosign -a).
	Annotations map[string]any
	// Repository keeps the signatures when it is set, instead of the
	// image's repository (cosign's COSIGN_REPOSITORY).
	Repository name.Repository
}

// SignatureTag is where these options keep the signatures of d.
func (o Options) SignatureTag(d name.Digest) name.Tag {
	return tagFor(d, o.Repository, SignatureSuffix)
}

// Signed is what Sign did.
type Signed struct {
	Image     name.Digest
	Tag       name.Tag
	Payload   []byte
	Signature string // base64, as in the annotation
	// Appended is false when the tag already held the same payload signed
	// by the same key (cosign's duplicate detection): nothing was pushed.
	Appended bool
	// Count is how many signatures the tag holds now.
	Count int
}

// Payload is the simple-signing payload cosign signs for d.
func Payload(d name.Digest, o Options) ([]byte, error) {
	return payload.Cosign{Image: d, ClaimedIdentity: o.Identity, Annotations: o.Annotations}.MarshalJSON()
}

// Sign signs the manifest ref names (an index stays one signature over the
// index, as cosign does without --recursive) and appends the signature to
// the image's sha256-<hex>.sig tag, keeping the signatures already there.
func Sign(ctx context.Context, ref name.Reference, key *ecdsa.PrivateKey, o Options) (*Signed, error) {
	d, _, err := o.Registry.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	return SignDigest(ctx, d, key, o)
}

// SignDigest signs d without resolving it again.
func SignDigest(ctx context.Context, d name.Digest, key *ecdsa.PrivateKey, o Options) (*Signed, error) {
	sv, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	pl, err := Payload(d, o)
	if err != nil {
		return nil, err
	}
	raw, err := sv.SignMessage(bytes.NewReader(pl))
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	out := &Signed{Image: d, Tag: o.SignatureTag(d), Payload: pl, Signature: b64}

	base, err := signatureImage(ctx, out.Tag, o.Registry)
	if err != nil {
		return nil, err
	}
	layers, err := base.Layers()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", out.Tag, err)
	}
	dup, err := hasDuplicate(base, pl, sv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", out.Tag, err)
	}
	if dup {
		out.Count = len(layers)
		return out, nil
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       static.NewLayer(pl, SimpleSigningMediaType),
		Annotations: map[string]string{SignatureAnnotation: b64},
	})
	if err != nil {
		return nil, err
	}
	if err := remote.Write(out.Tag, img, o.Registry.Remote(ctx)...); err != nil {
		return nil, fmt.Errorf("pushing %s: %w", out.Tag, err)
	}
	out.Appended, out.Count = true, len(layers)+1
	return out, nil
}

// signatureImage is the image on tag, or cosign's empty signature image
// (OCI manifest and config) when there is none yet.
func signatureImage(ctx context.Context, tag name.Tag, reg registry.Options) (v1.Image, error) {
	img, err := remote.Image(tag, reg.Remote(ctx)...)
	if err == nil {
		return img, nil
	}
	if !registry.IsNotFound(err) {
		return nil, fmt.Errorf("%s: %w", tag, err)
	}
	return emptySignatures(), nil
}

// emptySignatures is cosign's empty signature image: an OCI manifest with
// an OCI config and no layers yet.
func emptySignatures() v1.Image {
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
}

// hasDuplicate reports whether img already holds payload pl with a
// signature v accepts, as cosign's duplicate detector does.
func hasDuplicate(img v1.Image, pl []byte, v signature.Verifier) (bool, error) {
	m, err := img.Manifest()
	if err != nil {
		return false, err
	}
	want, _, err := v1.SHA256(bytes.NewReader(pl))
	if err != nil {
		return false, err
	}
	for _, l := range m.Layers {
		if l.Digest != want || l.MediaType != SimpleSigningMediaType {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(l.Annotations[SignatureAnnotation])
		if err != nil || len(sig) == 0 {
			continue
		}
		if v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(pl)) == nil {
			return true, nil
		}
	}
	return false, nil
}

// readLayer reads a signature or attestation layer's content, at most max
// bytes.
func readLayer(img v1.Image, h v1.Hash, max int64) ([]byte, error) {
	l, err := img.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return bounded.Read("layer "+h.String(), rc, max)
}

// Manifests lists d and, when d is an index, every manifest it holds, depth
// first (cosign sign --recursive signs each of them). A manifest listed
// twice is signed once.
func Manifests(ctx context.Context, d name.Digest, desc v1.Descriptor, reg registry.Options) ([]name.Digest, error) {
	var out []name.Digest
	seen := map[string]bool{}
	var walk func(d name.Digest, mt types.MediaType, depth int) error
	walk = func(d name.Digest, mt types.MediaType, depth int) error {
		if seen[d.DigestStr()] {
			return nil
		}
		seen[d.DigestStr()] = true
		out = append(out, d)
		if !mt.IsIndex() {
			return nil
		}
		if depth > 8 {
			return fmt.Errorf("%s: indexes nested more than 8 deep", d)
		}
		idx, err := remote.Index(d, reg.Remote(ctx)...)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		for _, m := range im.Manifests {
			if err := walk(d.Context().Digest(m.Digest.String()), m.MediaType, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(d, desc.MediaType, 0)
}
