// Package osv is the OSV record model (https://ossf.github.io/osv-schema/)
// as slimship keeps it: the fields matching and reporting need, read
// tolerantly (unknown fields are ignored) but checked enough that a record
// which cannot be matched is refused with a reason.
package osv

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Record is one OSV vulnerability record.
type Record struct {
	ID        string     `json:"id"`
	Modified  time.Time  `json:"modified"`
	Published time.Time  `json:"published,omitzero"`
	Withdrawn time.Time  `json:"withdrawn,omitzero"`
	Aliases   []string   `json:"aliases,omitempty"`
	Upstream  []string   `json:"upstream,omitempty"`
	Summary   string     `json:"summary,omitempty"`
	Severity  []Severity `json:"severity,omitempty"`
	Affected  []Affected `json:"affected,omitempty"`
	// Rating is the database's or ecosystem's own severity word
	// (database_specific.severity, ecosystem_specific.severity or
	// urgency), kept for records without a CVSS vector.
	Rating string `json:"rating,omitempty"`
}

// Severity is a scored severity: Type is CVSS_V2, CVSS_V3, CVSS_V4 or
// Ubuntu; Score the vector or word.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected names a package and the versions of it a record affects.
type Affected struct {
	Package  Package    `json:"package"`
	Severity []Severity `json:"severity,omitempty"`
	Ranges   []Range    `json:"ranges,omitempty"`
	Versions []string   `json:"versions,omitempty"`
	Rating   string     `json:"rating,omitempty"`
	// Platforms are the GOOS/GOARCH sets of the Go packages the entry
	// names (the Go database's ecosystem_specific.imports), kept only when
	// each package is limited to some: the entry then affects a binary
	// built for a platform one of them admits. Empty means every platform.
	Platforms []Platform `json:"platforms,omitempty"`
}

// Platform limits a Go package to binaries built for one of GOOS and one
// of GOARCH; an empty list admits any.
type Platform struct {
	GOOS   []string `json:"goos,omitempty"`
	GOARCH []string `json:"goarch,omitempty"`
}

// Admits reports whether a binary built for goos/goarch is on one of ps,
// as govulncheck decides it: no platforms, or an unknown goos or goarch,
// admit everything.
func Admits(ps []Platform, goos, goarch string) bool {
	if len(ps) == 0 {
		return true
	}
	in := func(s string, list []string) bool { return s == "" || len(list) == 0 || slices.Contains(list, s) }
	for _, p := range ps {
		if in(goos, p.GOOS) && in(goarch, p.GOARCH) {
			return true
		}
	}
	return false
}

// Package is an affected package: Ecosystem may carry a release suffix
// ("Debian:12", "Alpine:v3.20").
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Range is a list of events in one version order: SEMVER, ECOSYSTEM or
// GIT (commit ranges, which slimship does not match).
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one of introduced, fixed, last_affected or limit.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// wire is the record as published, with the free-form parts slimship
// reads a word from.
type wire struct {
	Record
	Affected []struct {
		Affected
		EcosystemSpecific json.RawMessage `json:"ecosystem_specific"`
		DatabaseSpecific  json.RawMessage `json:"database_specific"`
	} `json:"affected"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

// ErrInvalid is wrapped by every error Parse returns for a record it refuses.
var ErrInvalid = errors.New("invalid OSV record")

// Parse decodes one record. It refuses what is not JSON, a record without
// an id, and an affected entry without a package ecosystem and name or
// with an event that names none of the four kinds.
func Parse(data []byte) (*Record, error) {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	r := w.Record
	if strings.TrimSpace(r.ID) == "" {
		return nil, fmt.Errorf("%w: no id", ErrInvalid)
	}
	r.Rating = rating(w.DatabaseSpecific)
	r.Affected = make([]Affected, 0, len(w.Affected))
	for i, a := range w.Affected {
		aa := a.Affected
		if aa.Package.Ecosystem == "" || aa.Package.Name == "" {
			return nil, fmt.Errorf("%w: %s: affected[%d] has no package ecosystem and name", ErrInvalid, r.ID, i)
		}
		for j, rg := range aa.Ranges {
			for k, e := range rg.Events {
				if e.Introduced == "" && e.Fixed == "" && e.LastAffected == "" && e.Limit == "" {
					return nil, fmt.Errorf("%w: %s: affected[%d].ranges[%d].events[%d] is empty", ErrInvalid, r.ID, i, j, k)
				}
			}
		}
		aa.Rating = rating(a.EcosystemSpecific)
		if aa.Rating == "" {
			aa.Rating = rating(a.DatabaseSpecific)
		}
		aa.Platforms = platforms(a.EcosystemSpecific)
		r.Affected = append(r.Affected, aa)
	}
	return &r, nil
}

// rating reads severity (GHSA, Alpine) or urgency (Debian) from a
// *_specific object, when it is a string.
func rating(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, k := range []string{"severity", "urgency"} {
		var s string
		if v, ok := m[k]; ok && json.Unmarshal(v, &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// platforms reads the Go database's ecosystem_specific.imports: the
// platform limits of its packages, or nil when any package has none (or
// the field is not of that shape).
func platforms(raw json.RawMessage) []Platform {
	if len(raw) == 0 {
		return nil
	}
	var es struct {
		Imports []Platform `json:"imports"`
	}
	if json.Unmarshal(raw, &es) != nil {
		return nil
	}
	for _, p := range es.Imports {
		if len(p.GOOS) == 0 && len(p.GOARCH) == 0 {
			return nil
		}
	}
	return es.Imports
}

// Base is an ecosystem without its release suffix: "Debian" for
// "Debian:12".
func Base(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}

// IDs returns the record's ID followed by its aliases and upstream IDs.
func (r *Record) IDs() []string {
	out := append([]string{r.ID}, r.Aliases...)
	return append(out, r.Upstream...)
}

// NormalizeName is the form a package name is indexed and compared in:
// PyPI names are case-insensitive with runs of -, _ and . alike (PEP 503);
// every other ecosystem's names are compared as written.
func NormalizeName(ecosystem, name string) string {
	if Base(ecosystem) != "PyPI" {
		return name
	}
	var b strings.Builder
	sep := false
	for _, c := range strings.ToLower(name) {
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(c)
	}
	return b.String()
}
