package tags

import (
	"fmt"

	"strings"
	"time"

	"github.com/slimship/slimship/pkg/finding"
)

// Rule IDs of the registry domain.
const (
	// MutableOnly: a latest or environment tag whose image no version
	// names.
	MutableOnly = "SSR001"
	// TagNaming: a tag that is neither SemVer, a commit, nor an allowed
	// environment.
	TagNaming = "SSR002"
	// MovedVersion: a SemVer tag that points to another digest than it
	// did, or to an image labelled with another version.
	MovedVersion = "SSR003"
	// Unsigned: a tag whose image has no signature by the key the listing
	// verified with (tags --verify-key).
	Unsigned = "SSR004"
)

// Rule is a registry rule and its check over a repository's tags.
type Rule = finding.Checked[func(*Input, func(tag, msg string))]

// Input is what the registry rules look at.
type Input struct {
	Repository string
	Tags       []Tag
	// Seen is what the ledger recorded of each SemVer tag before this run
	// (nil: no ledger).
	Seen map[string]Observation
	// Policy names the allowed environments (for messages).
	Policy *Policy
}

func define(s finding.Spec, check func(*Input, func(tag, msg string))) Rule {
	return finding.With(finding.Define(finding.OCIRegistry, s), check)
}

var rules = []Rule{
	define(finding.Spec{ID: MutableOnly, Severity: finding.Warning, Category: finding.Correctness,
		Description: "Every image a mutable tag (latest, an environment) points to is also named by a version or commit tag",
		Remediation: "Tag every pushed image with its version (SemVer) or commit SHA as well as latest or an environment tag, " +
			"and deploy by that tag or by digest. Where latest is referenced, DL3007 (Dockerfile FROM), container-image-tag " +
			"(Kubernetes) and DKL-DI-0006 (audit) report it."}, checkMutableOnly),
	define(finding.Spec{ID: TagNaming, Severity: finding.Info, Category: finding.Maintainability,
		Description: "Tags are SemVer versions (optional v), commit SHAs (7-40 hex), latest or an allowed environment tag",
		Remediation: "Rename the tag to a version, a commit SHA or an environment; allow other schemes in .slimship.yaml " +
			"(tags: {environments: [...], allow: [REGEX]})."}, checkTagNaming),
	define(finding.Spec{ID: MovedVersion, Severity: finding.Error, Category: finding.Correctness,
		Description: "A SemVer tag keeps the digest it was first seen at, and names an image of that version",
		Remediation: "Never push a release version twice: publish the change as a new version, and move the old tag back to " +
			"its first digest (slimship copy REPO@DIGEST REPO:TAG). The ledger of observed digests is in the user cache " +
			"directory, or --ledger FILE."}, checkMovedVersion),
	define(finding.Spec{ID: Unsigned, Severity: finding.Warning, Category: finding.Security,
		Description: "Every image a tag names carries a signature by the team's key (checked with tags --verify-key)",
		Remediation: "Sign every pushed image (slimship sign, cosign sign, or build --sign-key) and deploy with " +
			"k8s deploy --verify-key or an admission policy, so an image pushed without the CI's key is not run. " +
			"A tag moved after signing points to an unsigned digest: sign the new digest or move the tag back."}, checkUnsigned),
}

// All returns the registry rules with their checks, sorted by ID.
func All() []Rule { return rules }

// Rules returns the registry rules.
func Rules() []finding.Rule {
	out := make([]finding.Rule, len(rules))
	for i, r := range rules {
		out[i] = r.Rule
	}
	return out
}

// Check runs every rule pol lets run over in; a finding's file is the
// repository and its path the tag.
func Check(in *Input, pol *finding.Policy) []finding.Finding {
	var out []finding.Finding
	for _, r := range rules {
		if !pol.Runs(&r.Rule) {
			continue
		}
		r.Check(in, func(tag, msg string) {
			out = append(out, finding.New(r.Rule, finding.Location{File: in.Repository, Path: tag}, msg))
		})
	}
	return pol.Apply(Rules(), out)
}

func short(digest string) string {
	if i := strings.IndexByte(digest, ':'); i >= 0 && len(digest) > i+13 {
		return digest[:i+13]
	}
	return digest
}

func checkMutableOnly(in *Input, report func(tag, msg string)) {
	pinned := map[string]bool{}
	for _, t := range in.Tags {
		if t.Kind.pinsVersion() {
			pinned[t.Digest] = true
		}
	}
	for _, t := range in.Tags {
		if t.Kind.Mutable() && !pinned[t.Digest] {
			report(t.Name, fmt.Sprintf("%q points to %s, which no version or commit tag names: nothing but the digest pins this image", t.Name, short(t.Digest)))
		}
	}
}

func checkTagNaming(in *Input, report func(tag, msg string)) {
	envs := in.Policy.environments()
	for _, t := range in.Tags {
		if t.Kind == Other {
			report(t.Name, fmt.Sprintf("tag %q is neither a SemVer version (v1.2.3), a commit SHA (7-40 hex), latest nor an environment (%s)", t.Name, strings.Join(envs, ", ")))
		}
	}
}

func checkMovedVersion(in *Input, report func(tag, msg string)) {
	for _, t := range in.Tags {
		if t.Kind != SemVer {
			continue
		}
		if o, ok := in.Seen[t.Name]; ok && o.Digest != t.Digest {
			report(t.Name, fmt.Sprintf("%q was moved: first seen at %s on %s, it now points to %s", t.Name, short(o.Digest), o.FirstSeen.UTC().Format(time.DateOnly), short(t.Digest)))
			continue
		}
		if t.Version != "" && IsSemVer(t.Version) && !sameVersion(t.Version, t.Name) {
			report(t.Name, fmt.Sprintf("%q points to an image of version %s (%s): the tag was moved or the image mislabelled", t.Name, t.Version, AnnotationVersion))
		}
	}
}

// SignatureVerified is a Tag's Signature when --verify-key found a
// signature by the key on its digest.
const SignatureVerified = "verified"

func checkUnsigned(in *Input, report func(tag, msg string)) {
	for _, t := range in.Tags {
		if t.Kind == Attachment || t.Signature == "" || t.Signature == SignatureVerified {
			continue
		}
		report(t.Name, fmt.Sprintf("%q points to %s, which has no signature by the key: %s", t.Name, short(t.Digest), t.Signature))
	}
}
