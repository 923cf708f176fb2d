package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"

	"github.com/slimship/slimship/pkg/registry"
)

// cosign's names for an attestation layer.
const (
	// AttestationSuffix ends the tag the attestations of a digest live on.
	AttestationSuffix = ".att"
	// DSSEMediaType is the media type of an attestation layer: a DSSE
	// envelope whose payload is an in-toto statement.
	DSSEMediaType types.MediaType = "application/vnd.dsse.envelope.v1+json"
	// InTotoPayloadType is the envelope's payloadType.
	InTotoPayloadType = "application/vnd.in-toto+json"
	// PredicateTypeAnnotation names the statement's predicate type on the
	// layer, so a reader can pick attestations without opening them.
	PredicateTypeAnnotation = "predicateType"
	// StatementType is the in-toto statement version cosign v2 writes;
	// StatementTypeV1 is read too.
	StatementType   = "https://in-toto.io/Statement/v0.1"
	StatementTypeV1 = "https://in-toto.io/Statement/v1"
)

// MaxAttestation bounds one attestation layer read from a registry (an
// image's SBOM in an envelope: base64 makes it a third larger).
const MaxAttestation = 128 << 20

// Predicate types by cosign's --type names (cosign v2.6's PredicateTypeMap).
const (
	PredicateCustom    = "https://cosign.sigstore.dev/attestation/v1"
	PredicateVuln      = "https://cosign.sigstore.dev/attestation/vuln/v1"
	PredicateCycloneDX = "https://cyclonedx.org/bom"
	PredicateSPDX      = "https://spdx.dev/Document"
	PredicateOpenVEX   = "https://openvex.dev/ns"
	PredicateLink      = "https://in-toto.io/Link/v1"
	PredicateSLSA02    = "https://slsa.dev/provenance/v0.2"
	PredicateSLSA1     = "https://slsa.dev/provenance/v1"
)

// predicateTypes maps cosign's --type names to predicate type URIs.
var predicateTypes = map[string]string{
	"custom":           PredicateCustom,
	"slsaprovenance":   PredicateSLSA02,
	"slsaprovenance02": PredicateSLSA02,
	"slsaprovenance1":  PredicateSLSA1,
	"spdx":             PredicateSPDX,
	"spdxjson":         PredicateSPDX,
	"cyclonedx":        PredicateCycloneDX,
	"link":             PredicateLink,
	"vuln":             PredicateVuln,
	"openvex":          PredicateOpenVEX,
}

// PredicateTypeNames are the --type names, sorted, for help and errors.
func PredicateTypeNames() []string {
	out := make([]string, 0, len(predicateTypes))
	for k := range predicateTypes {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// PredicateType is the predicate type URI of a --type value: one of
// cosign's names, or an absolute URI (as cosign accepts).
func PredicateType(t string) (string, error) {
	if uri, ok := predicateTypes[t]; ok {
		return uri, nil
	}
	if u, err := url.ParseRequestURI(t); err == nil && u.Scheme != "" {
		return t, nil
	}
	return "", fmt.Errorf("unknown predicate type %q: want one of %s, or a URI", t, strings.Join(PredicateTypeNames(), ", "))
}

// Statement is an in-toto statement about one image.
type Statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []Subject       `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Subject is what a statement is about: the image's repository and digest.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// NewStatement is the statement cosign attest makes for d from the
// content of a predicate file of type typ (a --type name or URI):
//   - custom: the content as a string with a timestamp ({"Data","Timestamp"});
//   - spdx: the content as a JSON string (tag-value SPDX);
//   - every other type: the content must be a JSON object, embedded as is.
func NewStatement(d name.Digest, typ string, predicate []byte, now time.Time) (*Statement, error) {
	uri, err := PredicateType(typ)
	if err != nil {
		return nil, err
	}
	hex, ok := strings.CutPrefix(d.DigestStr(), "sha256:")
	if !ok {
		return nil, fmt.Errorf("%s: only sha256 digests can be attested", d)
	}
	var pred []byte
	switch {
	case typ == "custom" || uri == PredicateCustom:
		pred, err = json.Marshal(struct {
			Data      string
			Timestamp string
		}{string(predicate), now.UTC().Format(time.RFC3339)})
	case typ == "spdx":
		pred, err = json.Marshal(string(predicate))
	default:
		pred, err = jsonObject(predicate)
	}
	if err != nil {
		return nil, fmt.Errorf("predicate of type %s: %w", typ, err)
	}
	return &Statement{
		Type:          StatementType,
		PredicateType: uri,
		Subject:       []Subject{{Name: d.Context().String(), Digest: map[string]string{"sha256": hex}}},
		Predicate:     pred,
	}, nil
}

// jsonObject checks that b is one JSON object and returns it compacted.
func jsonObject(b []byte) ([]byte, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// AttestationTag is where cosign keeps the attestations of d:
// REPO:sha256-<hex>.att.
func AttestationTag(d name.Digest) name.Tag {
	return tagFor(d, name.Repository{}, AttestationSuffix)
}

// AttestOptions tune Attest and VerifyAttestations.
type AttestOptions struct {
	Registry registry.Options
	// Repository keeps the attestations when it is set, instead of the
	// image's repository (cosign's COSIGN_REPOSITORY).
	Repository name.Repository
	// Replace drops the attestations of the same predicate type already
	// on the tag (cosign attest --replace); otherwise they are kept.
	Replace bool
	// Now stamps custom predicates; default time.Now.
	Now func() time.Time
}

// Attested is what Attest did.
type Attested struct {
	Image     name.Digest
	Tag       name.Tag
	Statement *Statement
	// Envelope is the signed DSSE envelope pushed as the layer.
	Envelope []byte
	// Replaced is how many attestations of the same type --replace dropped;
	// Count is how many the tag holds now.
	Replaced, Count int
}

// Attest signs an in-toto statement about the manifest ref names, with
// the content of a predicate file of type typ, in a DSSE envelope, and
// adds it to the image's sha256-<hex>.att tag as cosign attest --key
// --tlog-upload=false does.
func Attest(ctx context.Context, ref name.Reference, key *ecdsa.PrivateKey, typ string, predicate []byte, o AttestOptions) (*Attested, error) {
	d, _, err := o.Registry.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	return AttestDigest(ctx, d, key, typ, predicate, o)
}

// AttestDigest attests d without resolving it again.
func AttestDigest(ctx context.Context, d name.Digest, key *ecdsa.PrivateKey, typ string, predicate []byte, o AttestOptions) (*Attested, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	st, err := NewStatement(d, typ, predicate, now())
	if err != nil {
		return nil, err
	}
	pl, err := st.marshal()
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	env, err := dsse.WrapSigner(sv, InTotoPayloadType).SignMessage(bytes.NewReader(pl))
	if err != nil {
		return nil, err
	}
	out := &Attested{Image: d, Tag: tagFor(d, o.Repository, AttestationSuffix), Statement: st, Envelope: env}

	base, err := signatureImage(ctx, out.Tag, o.Registry)
	if err != nil {
		return nil, err
	}
	if o.Replace {
		if base, out.Replaced, err = dropPredicateType(base, st.PredicateType); err != nil {
			return nil, fmt.Errorf("%s: %w", out.Tag, err)
		}
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer: static.NewLayer(env, DSSEMediaType),
		Annotations: map[string]string{
			SignatureAnnotation:     "",
			PredicateTypeAnnotation: st.PredicateType,
		},
	})
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	if err := remote.Write(out.Tag, img, o.Registry.Remote(ctx)...); err != nil {
		return nil, fmt.Errorf("pushing %s: %w", out.Tag, err)
	}
	out.Count = len(layers)
	return out, nil
}

// dropPredicateType rebuilds img without the attestations whose statement
// has predicate type uri, as cosign's replace does (it reads the type from
// the envelope, not the annotation).
func dropPredicateType(img v1.Image, uri string) (v1.Image, int, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, 0, err
	}
	kept := emptySignatures()
	dropped := 0
	for _, l := range m.Layers {
		env, err := readLayer(img, l.Digest, MaxAttestation)
		if err != nil {
			return nil, 0, err
		}
		if st, err := envelopeStatement(env); err == nil && st.PredicateType == uri {
			dropped++
			continue
		}
		layer, err := img.LayerByDigest(l.Digest)
		if err != nil {
			return nil, 0, err
		}
		if kept, err = mutate.Append(kept, mutate.Addendum{Layer: layer, Annotations: l.Annotations, MediaType: l.MediaType}); err != nil {
			return nil, 0, err
		}
	}
	return kept, dropped, nil
}

// envelope is a DSSE envelope as it is stored.
type envelope struct {
	PayloadType string `json:"payloadType"`
	Payload     string `json:"payload"`
}

// envelopeStatement decodes the statement of an envelope without
// verifying it.
func envelopeStatement(env []byte) (*Statement, error) {
	var e envelope
	if err := json.Unmarshal(env, &e); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	pl, err := base64.StdEncoding.DecodeString(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("envelope payload is not base64: %w", err)
	}
	return decodeStatement(pl)
}

// decodeStatement reads an in-toto statement.
func decodeStatement(pl []byte) (*Statement, error) {
	var st Statement
	if err := json.Unmarshal(pl, &st); err != nil {
		return nil, fmt.Errorf("payload is not an in-toto statement: %w", err)
	}
	if st.Type != StatementType && st.Type != StatementTypeV1 {
		return nil, fmt.Errorf("payload is not an in-toto statement (_type %q)", st.Type)
	}
	return &st, nil
}

// VerifiedAttestation is one attestation that passed.
type VerifiedAttestation struct {
	// Envelope is the layer's content, as cosign verify-attestation prints it.
	Envelope  []byte
	Statement *Statement
}

// AttestationResult is what VerifyAttestations found.
type AttestationResult struct {
	Image name.Digest
	Tag   name.Tag
	// PredicateType is the type asked for ("" for any).
	PredicateType string
	// Attestations is how many the tag holds; Found the predicate types of
	// the ones that verified, whether or not of the type asked for.
	Attestations int
	Found        []string
	Verified     []VerifiedAttestation
}

// VerifyAttestations checks the attestations on the sha256-<hex>.att tag
// of the manifest ref names as cosign verify-attestation --key
// --insecure-ignore-tlog=true does: an attestation passes when its DSSE
// envelope verifies with v, its payload is an in-toto statement with a
// subject of this digest, and its predicate type is uri (any when uri is
// ""). It returns a *Failure when none passes.
func VerifyAttestations(ctx context.Context, ref name.Reference, v signature.Verifier, uri string, o AttestOptions) (*AttestationResult, error) {
	d, _, err := o.Registry.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	return VerifyAttestationsDigest(ctx, d, v, uri, o)
}

// VerifyAttestationsDigest verifies the attestations of d.
func VerifyAttestationsDigest(ctx context.Context, d name.Digest, v signature.Verifier, uri string, o AttestOptions) (*AttestationResult, error) {
	res := &AttestationResult{Image: d, Tag: tagFor(d, o.Repository, AttestationSuffix), PredicateType: uri}
	img, m, err := openTag(ctx, d, res.Tag, o.Registry, "attestations", "none was made, or the tag now points to another image than the one attested")
	if err != nil {
		return res, err
	}
	res.Attestations = len(m.Layers)
	var problems []string
	for i, l := range m.Layers {
		n := i + 1
		env, err := readLayer(img, l.Digest, MaxAttestation)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", res.Tag, err)
		}
		var pl []byte
		dv := dsse.WrapVerifier(v, dsse.WithExpectedPayloadType(InTotoPayloadType), dsse.WithDecodedPayload(&pl))
		if err := dv.VerifySignature(bytes.NewReader(env), nil); err != nil {
			problems = append(problems, fmt.Sprintf("attestation %d: not signed by this key (%v)", n, err))
			continue
		}
		st, err := decodeStatement(pl)
		if err != nil {
			problems = append(problems, fmt.Sprintf("attestation %d: signed by this key, but %v", n, err))
			continue
		}
		if !st.about(d) {
			problems = append(problems, fmt.Sprintf("attestation %d: signed by this key, but about %s, not %s (the image changed after attesting, or the attestation was copied)", n, st.subjects(), d.DigestStr()))
			continue
		}
		res.Found = append(res.Found, st.PredicateType)
		if uri != "" && st.PredicateType != uri {
			continue
		}
		res.Verified = append(res.Verified, VerifiedAttestation{Envelope: env, Statement: st})
	}
	if len(res.Verified) > 0 {
		return res, nil
	}
	switch {
	case len(m.Layers) == 0:
		return res, &Failure{Image: d, Reason: fmt.Sprintf("%s has no attestations (tag %s is empty)", d, res.Tag.TagStr())}
	case len(res.Found) > 0:
		return res, &Failure{Image: d, Reason: fmt.Sprintf(
			"none of the attestations of %s that verify with the key has predicate type %s (found: %s)",
			d, uri, strings.Join(slices.Compact(slices.Sorted(slices.Values(res.Found))), ", ")), Problems: problems}
	}
	return res, &Failure{Image: d, Reason: fmt.Sprintf("no attestation of %s verifies with the key (%d checked)", d, len(m.Layers)), Problems: problems}
}

// marshal is the statement's JSON without HTML escapes (a purl's & stays
// &, as the predicate file had it).
func (s *Statement) marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// about reports whether d is one of the statement's subjects.
func (s *Statement) about(d name.Digest) bool {
	algo, hex, _ := strings.Cut(d.DigestStr(), ":")
	for _, sub := range s.Subject {
		if sub.Digest[algo] == hex {
			return true
		}
	}
	return false
}

// subjects names the statement's subjects for a message.
func (s *Statement) subjects() string {
	var out []string
	for _, sub := range s.Subject {
		for algo, hex := range sub.Digest {
			out = append(out, algo+":"+hex)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "no subject"
	}
	return strings.Join(out, ", ")
}
