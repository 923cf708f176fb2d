package sign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const cdxPredicate = `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "zlib", "version": "1.3"}]}`

func (f *fixture) attestOpts() AttestOptions {
	return AttestOptions{Registry: f.o.Registry, Now: func() time.Time { return time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC) }}
}

// TestAttestVerifyRoundTrip: the layer is what cosign writes (DSSE media
// type, empty signature annotation, predicateType annotation), the
// envelope holds an in-toto v0.1 statement about the image's digest, and
// verification finds it by type.
func TestAttestVerifyRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.push("team/app:1")
	key, v := newKey(t)

	a, err := Attest(ctx, f.ref("team/app:1"), key, "cyclonedx", []byte(cdxPredicate), f.attestOpts())
	if err != nil {
		t.Fatal(err)
	}
	if a.Image != d || a.Tag.String() != AttestationTag(d).String() || a.Count != 1 {
		t.Fatalf("attested %s on %s (%d), want %s on %s (1)", a.Image, a.Tag, a.Count, d, AttestationTag(d))
	}
	img, err := remote.Image(a.Tag, f.o.Registry.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	l := m.Layers[0]
	if l.MediaType != DSSEMediaType || l.Annotations[PredicateTypeAnnotation] != PredicateCycloneDX {
		t.Errorf("layer %s %v", l.MediaType, l.Annotations)
	}
	if sig, ok := l.Annotations[SignatureAnnotation]; !ok || sig != "" {
		t.Errorf("signature annotation %q (present %v), want present and empty as cosign writes it", sig, ok)
	}
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
		Signatures  []struct {
			Sig string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(a.Envelope, &env); err != nil || env.PayloadType != InTotoPayloadType || len(env.Signatures) != 1 {
		t.Fatalf("envelope %s (%v)", a.Envelope, err)
	}
	pl, _ := base64.StdEncoding.DecodeString(env.Payload)
	var st map[string]any
	if err := json.Unmarshal(pl, &st); err != nil {
		t.Fatal(err)
	}
	sub := st["subject"].([]any)[0].(map[string]any)
	if st["_type"] != StatementType || st["predicateType"] != PredicateCycloneDX ||
		sub["name"] != f.host+"/team/app" || sub["digest"].(map[string]any)["sha256"] != strings.TrimPrefix(d.DigestStr(), "sha256:") {
		t.Errorf("statement %s", pl)
	}
	if pred := st["predicate"].(map[string]any); pred["bomFormat"] != "CycloneDX" {
		t.Errorf("predicate %v", pred)
	}

	for _, typ := range []string{PredicateCycloneDX, ""} {
		res, err := VerifyAttestations(ctx, f.ref("team/app:1"), v, typ, AttestOptions{Registry: f.o.Registry})
		if err != nil {
			t.Fatalf("type %q: %v", typ, err)
		}
		if len(res.Verified) != 1 || res.Attestations != 1 || !bytes.Equal(res.Verified[0].Envelope, a.Envelope) {
			t.Errorf("type %q: %+v", typ, res)
		}
	}
	_, err = VerifyAttestations(ctx, f.ref("team/app:1"), v, PredicateSPDX, AttestOptions{Registry: f.o.Registry})
	failure(t, err, "has predicate type https://spdx.dev/Document (found: https://cyclonedx.org/bom)")
}

// TestAttestAppendsAndReplaces: a second attestation is added next to the
// first (cosign keeps every one: each envelope's signature differs);
// --replace drops those of the same type and keeps the others.
func TestAttestAppendsAndReplaces(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.push("team/app:1")
	key, v := newKey(t)
	o := f.attestOpts()
	for _, typ := range []string{"cyclonedx", "cyclonedx", "custom"} {
		if _, err := Attest(ctx, f.ref("team/app:1"), key, typ, []byte(cdxPredicate), o); err != nil {
			t.Fatal(err)
		}
	}
	o.Replace = true
	a, err := Attest(ctx, f.ref("team/app:1"), key, "cyclonedx", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`), o)
	if err != nil {
		t.Fatal(err)
	}
	if a.Replaced != 2 || a.Count != 2 {
		t.Errorf("replaced %d, count %d; want 2 and 2 (the custom one and the new one)", a.Replaced, a.Count)
	}
	res, err := VerifyAttestations(ctx, f.ref("team/app:1"), v, "", AttestOptions{Registry: f.o.Registry})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, va := range res.Verified {
		types = append(types, va.Statement.PredicateType)
	}
	if strings.Join(types, " ") != PredicateCustom+" "+PredicateCycloneDX {
		t.Errorf("types after replace %v", types)
	}
	if string(res.Verified[1].Statement.Predicate) != `{"bomFormat":"CycloneDX","specVersion":"1.6"}` {
		t.Errorf("the new predicate: %s", res.Verified[1].Statement.Predicate)
	}
}

// TestAttestationFailures: the reasons a verification fails are named.
func TestAttestationFailures(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d1 := f.push("team/app:1")
	key, pub := newKey(t)
	_, other := newKey(t)

	_, err := VerifyAttestations(ctx, f.ref("team/app:1"), other, "", AttestOptions{Registry: f.o.Registry})
	failure(t, err, "has no attestations (no tag sha256-")

	if _, err := Attest(ctx, f.ref("team/app:1"), key, "cyclonedx", []byte(cdxPredicate), f.attestOpts()); err != nil {
		t.Fatal(err)
	}
	_, err = VerifyAttestations(ctx, f.ref("team/app:1"), other, "", AttestOptions{Registry: f.o.Registry})
	failure(t, err, "attestation 1: not signed by this key")

	// The tag moves to another image and the old attestation tag is
	// copied onto the new digest: the statement names the old digest.
	old := AttestationTag(d1)
	d2 := f.push("team/app:1")
	img, err := remote.Image(old, f.o.Registry.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(AttestationTag(d2), img, f.o.Registry.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	_, err = VerifyAttestations(ctx, f.ref("team/app:1"), pub, "", AttestOptions{Registry: f.o.Registry})
	failure(t, err, "not "+d2.DigestStr()+" (the image changed after attesting")
}

// TestNewStatementTypes: each --type builds its predicate as cosign does,
// and a predicate that is not what its type needs is refused.
func TestNewStatementTypes(t *testing.T) {
	f := newFixture(t)
	d := f.push("team/app:1")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		typ, in, uri, pred, err string
	}{
		{typ: "custom", in: "hello\n", uri: PredicateCustom, pred: `{"Data":"hello\n","Timestamp":"2026-12-07T10:00:00Z"}`},
		{typ: "spdx", in: "SPDXVersion: SPDX-2.3\n", uri: PredicateSPDX, pred: `"SPDXVersion: SPDX-2.3\n"`},
		{typ: "spdxjson", in: `{"spdxVersion": "SPDX-2.3"}`, uri: PredicateSPDX, pred: `{"spdxVersion":"SPDX-2.3"}`},
		{typ: "openvex", in: `{"@context":"https://openvex.dev/ns/v0.2.0"}`, uri: PredicateOpenVEX, pred: `{"@context":"https://openvex.dev/ns/v0.2.0"}`},
		{typ: "slsaprovenance1", in: `{"buildDefinition":{}}`, uri: PredicateSLSA1, pred: `{"buildDefinition":{}}`},
		{typ: "https://example.com/test/v1", in: `{"ok":true}`, uri: "https://example.com/test/v1", pred: `{"ok":true}`},
		{typ: "cyclonedx", in: `[1,2]`, err: "not a JSON object"},
		{typ: "cyclonedx", in: `{"a":1} trailing`, err: "not a JSON object"},
		{typ: "vuln", in: ``, err: "not a JSON object"},
		{typ: "sbom", in: `{}`, err: `unknown predicate type "sbom"`},
	} {
		st, err := NewStatement(d, c.typ, []byte(c.in), now)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %q: err %v, want %q", c.typ, c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.typ, err)
			continue
		}
		if st.PredicateType != c.uri || string(st.Predicate) != c.pred {
			t.Errorf("%s: type %s predicate %s, want %s %s", c.typ, st.PredicateType, st.Predicate, c.uri, c.pred)
		}
	}
}

// FuzzEnvelopeStatement: reading a stored envelope never panics, and
// what it accepts is an in-toto statement.
func FuzzEnvelopeStatement(f *testing.F) {
	pl := base64.StdEncoding.EncodeToString([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"x","subject":[],"predicate":{}}`))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"` + pl + `"}`))
	f.Add([]byte(`{"payload":"!!"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := envelopeStatement(b)
		if err == nil && st.Type != StatementType && st.Type != StatementTypeV1 {
			t.Fatalf("accepted a statement of _type %q", st.Type)
		}
	})
}

// TestSeparateRepository: with Repository set (COSIGN_REPOSITORY), the
// signatures and attestations live there, tagged by the image's digest,
// and nothing is written to the image's repository.
func TestSeparateRepository(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.push("team/app:1")
	key, v := newKey(t)
	sigs, err := f.o.Registry.ParseRepository(f.host + "/signatures/app")
	if err != nil {
		t.Fatal(err)
	}
	o := f.o
	o.Repository = sigs
	s, err := Sign(ctx, f.ref("team/app:1"), key, o)
	if err != nil {
		t.Fatal(err)
	}
	ao := AttestOptions{Registry: f.o.Registry, Repository: sigs}
	a, err := Attest(ctx, f.ref("team/app:1"), key, "cyclonedx", []byte(cdxPredicate), ao)
	if err != nil {
		t.Fatal(err)
	}
	hexTag := strings.Replace(d.DigestStr(), ":", "-", 1)
	if s.Tag.String() != f.host+"/signatures/app:"+hexTag+".sig" || a.Tag.String() != f.host+"/signatures/app:"+hexTag+".att" {
		t.Errorf("tags %s %s", s.Tag, a.Tag)
	}
	if _, err := Verify(ctx, f.ref("team/app:1"), v, o); err != nil {
		t.Errorf("verify in the signature repository: %v", err)
	}
	if _, err := VerifyAttestations(ctx, f.ref("team/app:1"), v, PredicateCycloneDX, ao); err != nil {
		t.Errorf("verify-attestation in the signature repository: %v", err)
	}
	_, err = Verify(ctx, f.ref("team/app:1"), v, f.o)
	failure(t, err, "has no signatures")
	_, err = VerifyAttestations(ctx, f.ref("team/app:1"), v, "", AttestOptions{Registry: f.o.Registry})
	failure(t, err, "has no attestations")
}
