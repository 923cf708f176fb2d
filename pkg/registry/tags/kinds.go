package tags

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/slimship/slimship/internal/lazyre"
)

// Kind is what a tag's name says about it.
type Kind string

// Kinds of tags, in the order a name is tested.
const (
	// Attachment tags hold what is attached to a manifest: cosign's
	// sha256-<hex>.sig, .att and .sbom, and the OCI referrers tag schema's
	// sha256-<hex>. They are listed but no tag rule applies to them.
	Attachment Kind = "attachment"
	// Latest is the tag "latest".
	Latest Kind = "latest"
	// Environment tags (dev, staging, production) move with deployments.
	Environment Kind = "environment"
	// SemVer tags are semantic versions, with an optional v prefix.
	SemVer Kind = "semver"
	// Commit tags are commit SHAs (7 to 40 hex digits, optionally
	// sha-<hex> as docker/metadata-action writes them).
	Commit Kind = "commit"
	// Allowed tags match one of the policy's allow patterns.
	Allowed Kind = "allowed"
	// Other tags are none of these.
	Other Kind = "other"
)

// DefaultEnvironments are the environment tags allowed when the
// configuration names none.
var DefaultEnvironments = []string{"dev", "staging", "production"}

var (
	attachmentRe = lazyre.New(`^sha256-[0-9a-f]{64}(\.(sig|att|sbom))?$`)
	// semver.org's expression without build metadata (a tag cannot hold
	// "+"), with an optional v.
	semverRe = lazyre.New(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$`)
	commitRe = lazyre.New(`^(sha-)?[0-9a-f]{7,40}$`)
	// tagRe is the distribution spec's tag grammar.
	tagRe = lazyre.New(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)
)

// Policy is the tag naming policy: which environment tags are allowed
// and which other names are (.slimship.yaml tags:).
type Policy struct {
	// Environments are the mutable environment tags allowed
	// (DefaultEnvironments when nil).
	Environments []string
	// Allow are patterns of other allowed names, each matched against
	// the whole tag.
	Allow []*regexp.Regexp
}

// NewPolicy checks environment names and compiles allow patterns; what
// names the setting in errors (e.g. ".slimship.yaml: tags.allow").
func NewPolicy(environments, allow []string) (*Policy, error) {
	p := &Policy{Environments: environments}
	for i, e := range environments {
		if !tagRe.MatchString(e) {
			return nil, fmt.Errorf("environments[%d]: %q is not a tag name (letters, digits, _ . -, at most 128)", i, e)
		}
	}
	for i, a := range allow {
		re, err := regexp.Compile(`^(?:` + a + `)$`)
		if err != nil {
			return nil, fmt.Errorf("allow[%d]: %q: %v", i, a, err)
		}
		p.Allow = append(p.Allow, re)
	}
	return p, nil
}

func (p *Policy) environments() []string {
	if p == nil || p.Environments == nil {
		return DefaultEnvironments
	}
	return p.Environments
}

// Classify says what kind of tag name t is.
func (p *Policy) Classify(t string) Kind {
	switch {
	case attachmentRe.MatchString(t):
		return Attachment
	case t == "latest":
		return Latest
	case slices.Contains(p.environments(), t):
		return Environment
	case semverRe.MatchString(t):
		return SemVer
	case commitRe.MatchString(t):
		return Commit
	}
	if p != nil {
		for _, re := range p.Allow {
			if re.MatchString(t) {
				return Allowed
			}
		}
	}
	return Other
}

// Mutable reports whether a kind of tag moves by design.
func (k Kind) Mutable() bool { return k == Latest || k == Environment }

// pinsVersion reports whether a kind of tag names a version.
func (k Kind) pinsVersion() bool { return k == SemVer || k == Commit || k == Allowed }

// IsSemVer reports whether s is a semantic version, with an optional v.
func IsSemVer(s string) bool { return semverRe.MatchString(s) }

// sameVersion compares two semantic versions, ignoring a v prefix.
func sameVersion(a, b string) bool {
	return strings.TrimPrefix(a, "v") == strings.TrimPrefix(b, "v")
}
