package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	sigsig "github.com/sigstore/sigstore/pkg/signature"

	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/attach"
	"github.com/slimship/slimship/pkg/sbom"
	"github.com/slimship/slimship/pkg/sign"
	"github.com/slimship/slimship/pkg/vuln/inventory"
	"github.com/slimship/slimship/pkg/vuln/match"
)

// The places scan --sbom-sources looks for an image's SBOM (trivy's flag):
// its attestations (signed; verified with --key) and its OCI referrers
// (what sbom --attach and build --sbom push; unsigned).
const (
	sourceAttestation = "attestation"
	sourceReferrer    = "referrer"
)

// maxAttachedSBOM bounds an SBOM read from a registry.
const maxAttachedSBOM = 96 << 20

// sbomSources holds scan's --sbom-sources and --key once checked.
type sbomSources struct {
	names    []string
	verifier sigsig.Verifier
	sigRepo  name.Repository
}

// completeSBOMSources checks --sbom-sources and --key for input.
func completeSBOMSources(input string, names []string, key string, insecure bool) (*sbomSources, error) {
	if len(names) == 0 {
		if key != "" {
			return nil, usageErr("--key verifies attested SBOMs: use it with --sbom-sources %s", sourceAttestation)
		}
		return nil, nil
	}
	src := &sbomSources{}
	for _, n := range names {
		if n != sourceAttestation && n != sourceReferrer {
			return nil, usageErr("--sbom-sources: unknown source %q (want %s or %s)", n, sourceAttestation, sourceReferrer)
		}
		if !slices.Contains(src.names, n) {
			src.names = append(src.names, n)
		}
	}
	r, err := transport.ParseRef(input, func(string) bool { return false })
	if err != nil || r.Kind != transport.Registry {
		return nil, usageErr("--sbom-sources reads the SBOMs attached to an image in a registry: %s is not a registry reference", input)
	}
	if slices.Contains(src.names, sourceAttestation) {
		if key == "" {
			return nil, usageErr("--sbom-sources %s needs --key, the public key the attestations are verified with", sourceAttestation)
		}
		if src.verifier, err = loadVerifyingKey(key); err != nil {
			return nil, err
		}
		if src.sigRepo, err = signatureRepository(registry.Options{Insecure: insecure}); err != nil {
			return nil, err
		}
	} else if key != "" {
		return nil, usageErr("--key verifies attested SBOMs: add %s to --sbom-sources", sourceAttestation)
	}
	return src, nil
}

// attachedSBOM is the SBOM of img (ref's image for the platform asked for)
// from the first source that has one, with where it came from; no
// packages and no error when no source has one (notes say why on warn).
// Each source is asked about the platform's image first, then about the
// index ref names, if it is one (slimship attest and cosign attest of a
// multi-platform tag attest the index; build --sbom each image).
func (s *sbomSources) attachedSBOM(ctx context.Context, reg registry.Options, ref name.Reference, img v1.Image, warn func(string)) ([]match.Package, string, error) {
	h, err := img.Digest()
	if err != nil {
		return nil, "", err
	}
	digests := []name.Digest{ref.Context().Digest(h.String())}
	top, _, err := reg.Resolve(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	if top.DigestStr() != h.String() {
		digests = append(digests, top)
	}
	for _, src := range s.names {
		for _, d := range digests {
			doc, from, err := s.fromSource(ctx, reg, src, d, warn)
			if err != nil {
				return nil, "", err
			}
			if doc == nil {
				continue
			}
			pkgs, skipped, err := inventory.Read(bytes.NewReader(doc))
			if err != nil {
				return nil, "", usageErr("%s: %v", from, err)
			}
			for _, sk := range skipped {
				warn(fmt.Sprintf("%s: package skipped: %s", from, sk))
			}
			return pkgs, from, nil
		}
	}
	return nil, "", nil
}

// fromSource is the SBOM document source src has for d, or nil (saying
// why on warn).
func (s *sbomSources) fromSource(ctx context.Context, reg registry.Options, src string, d name.Digest, warn func(string)) ([]byte, string, error) {
	switch src {
	case sourceAttestation:
		res, err := sign.VerifyAttestationsDigest(ctx, d, s.verifier, "", sign.AttestOptions{Registry: reg, Repository: s.sigRepo})
		var fail *sign.Failure
		if errors.As(err, &fail) {
			warn(fmt.Sprintf("no attested SBOM of %s: %v", d, fail))
			return nil, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		for _, a := range res.Verified {
			t := a.Statement.PredicateType
			if t != sign.PredicateCycloneDX && t != sign.PredicateSPDX {
				continue
			}
			if bytes.HasPrefix(a.Statement.Predicate, []byte(`"`)) {
				warn(fmt.Sprintf("the attested SBOM of %s is tag-value SPDX, which scan does not read", d))
				continue
			}
			return a.Statement.Predicate, fmt.Sprintf("the SBOM attested for %s (%s, verified with the key)", d, t), nil
		}
		warn(fmt.Sprintf("no attested SBOM of %s: its attestations that verify are of types %s", d, strings.Join(res.Found, ", ")))
	case sourceReferrer:
		for _, at := range []string{sbomArtifactTypes["cyclonedx"], sbomArtifactTypes["spdx"]} {
			refs, err := attach.Referrers(ctx, reg, d, at)
			if err != nil {
				return nil, "", err
			}
			if len(refs) == 0 {
				continue
			}
			doc, err := attach.Content(ctx, reg, d.Context(), refs[0], maxAttachedSBOM)
			if err != nil {
				return nil, "", err
			}
			return doc, fmt.Sprintf("the SBOM referring to %s (%s, %s; not signed)", d, refs[0].Digest, at), nil
		}
		warn(fmt.Sprintf("no SBOM among the referrers of %s", d))
	}
	return nil, "", nil
}

// attachedOrImage reads the packages of the SBOM the sources find into
// o.attached and returns nil, or returns the image's own inventory when no
// source has an SBOM.
func (o *ScanOptions) attachedOrImage(ctx context.Context, topts transport.Options) (*sbom.Inventory, error) {
	reg := registry.Options{Insecure: o.Insecure}
	ref, err := registryRef(reg, o.Input)
	if err != nil {
		return nil, err
	}
	img, err := transport.Open(ctx, o.Input, topts)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	note := func(m string) { fmt.Fprintln(o.s.Err, "note:", m) }
	pkgs, from, err := o.sources.attachedSBOM(ctx, reg, ref, img, note)
	if err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			return nil, err
		}
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	if from != "" {
		note("scanning " + from + ", not the image's layers")
		if o.df != nil {
			note("--dockerfile: the SBOM names the instructions only if it was made with --dockerfile")
		}
		o.attached = pkgs
		return nil, nil
	}
	note("no attached SBOM found (--sbom-sources " + strings.Join(o.sources.names, ",") + "): scanning the image's layers")
	inv, _, err := imageInventory(ctx, o.Input, img, o.df)
	return inv, err
}
