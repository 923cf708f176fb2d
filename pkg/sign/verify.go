package sign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/slimship/slimship/pkg/registry"
)

// Verified is one signature that passed: made by the key, over a
// simple-signing payload that claims the verified digest.
type Verified struct {
	Payload   []byte
	Signature string
	Claims    payload.SimpleContainerImage
}

// Result is what Verify found.
type Result struct {
	Image name.Digest
	Tag   name.Tag
	// Signatures is how many signatures the tag holds.
	Signatures int
	Verified   []Verified
}

// Failure is a verification that did not pass: the image has no
// signatures, or none of them was made by the key over this digest. It is
// a finding about the image, not bad input.
type Failure struct {
	Image name.Digest
	// Reason is one sentence; Problems say what was wrong with each
	// signature.
	Reason   string
	Problems []string
}

func (f *Failure) Error() string {
	if len(f.Problems) == 0 {
		return f.Reason
	}
	return f.Reason + ":\n  " + strings.Join(f.Problems, "\n  ")
}

// Verify checks the signatures on the sha256-<hex>.sig tag of the manifest
// ref names, as `cosign verify --key` does without a transparency log:
// each signature must verify with v over its payload, and the payload must
// be a cosign simple-signing payload claiming that digest. It returns a
// *Failure when no signature passes.
func Verify(ctx context.Context, ref name.Reference, v signature.Verifier, o Options) (*Result, error) {
	d, _, err := o.Registry.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	return VerifyDigest(ctx, d, v, o)
}

// VerifyDigest verifies the signatures of d.
func VerifyDigest(ctx context.Context, d name.Digest, v signature.Verifier, o Options) (*Result, error) {
	res := &Result{Image: d, Tag: o.SignatureTag(d)}
	img, m, err := openTag(ctx, d, res.Tag, o.Registry, "signatures", "it is unsigned, or the tag now points to another image than the one signed")
	if err != nil {
		return res, err
	}
	res.Signatures = len(m.Layers)
	var problems []string
	for i, l := range m.Layers {
		n := i + 1
		b64, ok := l.Annotations[SignatureAnnotation]
		if !ok {
			problems = append(problems, fmt.Sprintf("signature %d: layer %s has no %s annotation", n, l.Digest, SignatureAnnotation))
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			problems = append(problems, fmt.Sprintf("signature %d: annotation is not base64: %v", n, err))
			continue
		}
		pl, err := readLayer(img, l.Digest, maxPayload)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", res.Tag, err)
		}
		if err := v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(pl)); err != nil {
			problems = append(problems, fmt.Sprintf("signature %d: not made by this key", n))
			continue
		}
		var claims payload.SimpleContainerImage
		if err := json.Unmarshal(pl, &claims); err != nil {
			problems = append(problems, fmt.Sprintf("signature %d: made by this key, but its payload is not simple-signing JSON: %v", n, err))
			continue
		}
		if claims.Critical.Type != payload.CosignSignatureType {
			problems = append(problems, fmt.Sprintf("signature %d: made by this key, but of type %q, not %q", n, claims.Critical.Type, payload.CosignSignatureType))
			continue
		}
		if got := claims.Critical.Image.DockerManifestDigest; got != d.DigestStr() {
			problems = append(problems, fmt.Sprintf("signature %d: made by this key, but for %s, not %s (the image changed after signing, or the signature was copied)", n, got, d.DigestStr()))
			continue
		}
		res.Verified = append(res.Verified, Verified{Payload: pl, Signature: b64, Claims: claims})
	}
	if len(res.Verified) == 0 {
		reason := fmt.Sprintf("no signature of %s verifies with the key (%d checked)", d, len(m.Layers))
		if len(m.Layers) == 0 {
			reason = fmt.Sprintf("%s has no signatures (tag %s is empty)", d, res.Tag.TagStr())
		}
		return res, &Failure{Image: d, Reason: reason, Problems: problems}
	}
	return res, nil
}

// openTag reads the signature or attestation image on tag and its
// manifest. A missing tag is a *Failure: d has no what, and why that may
// be.
func openTag(ctx context.Context, d name.Digest, tag name.Tag, reg registry.Options, what, why string) (v1.Image, *v1.Manifest, error) {
	img, err := remote.Image(tag, reg.Remote(ctx)...)
	if registry.IsNotFound(err) {
		return nil, nil, &Failure{Image: d, Reason: fmt.Sprintf("%s has no %s (no tag %s): %s", d, what, tag.TagStr(), why)}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", tag, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", tag, err)
	}
	return img, m, nil
}
