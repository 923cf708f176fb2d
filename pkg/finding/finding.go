// Package finding is slimship's one rule model: every check, whether it looks
// at a Dockerfile, an image or a Kubernetes object, is a Rule with a stable ID
// and produces Findings. It depends on the standard library only.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity orders findings; the zero value means "off".
type Severity int

// Severities from least to most severe.
const (
	Off Severity = iota
	Style
	Info
	Warning
	Error
)

var severityNames = [...]string{"none", "style", "info", "warning", "error"}

func (s Severity) String() string {
	if s < Off || s > Error {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts error, warning, info, style and none (or off/ignore).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info":
		return Info, nil
	case "style":
		return Style, nil
	case "none", "off", "ignore":
		return Off, nil
	}
	return Off, fmt.Errorf("unknown severity %q (want error, warning, info, style or none)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Category groups rules by what they protect.
type Category string

// Categories.
const (
	Size            Category = "size"
	Speed           Category = "speed"
	Security        Category = "security"
	Correctness     Category = "correctness"
	Maintainability Category = "maintainability"
)

// Domain says what a rule looks at.
type Domain string

// Domains.
const (
	Dockerfile Domain = "dockerfile"
	Image      Domain = "image"
	Kubernetes Domain = "kubernetes"
	// Registry rules look at a repository's tags (slimship tags).
	OCIRegistry Domain = "registry"
	// Systemd rules look at systemd units and Podman Quadlet files.
	Systemd Domain = "systemd"
)

// Rule is the static description of a check.
type Rule struct {
	ID          string   `json:"id"`
	Severity    Severity `json:"severity"`
	Category    Category `json:"category"`
	Domain      Domain   `json:"domain"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation,omitempty"`
	DocsURL     string   `json:"docs,omitempty"`
	// DefaultOff rules only run when a configuration turns them on.
	DefaultOff bool `json:"defaultOff,omitempty"`
	// Requires names an outside program the rule needs (e.g. "shellcheck").
	Requires string `json:"requires,omitempty"`
}

// Object names a Kubernetes object.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Location says where a finding is. File positions are 1-based; Layer and
// Path locate a finding inside an image; Object inside a Kubernetes stream.
type Location struct {
	File      string  `json:"file,omitempty"`
	Line      int     `json:"line,omitempty"`
	Column    int     `json:"column,omitempty"`
	EndLine   int     `json:"endLine,omitempty"`
	EndColumn int     `json:"endColumn,omitempty"`
	Layer     string  `json:"layer,omitempty"`
	Path      string  `json:"path,omitempty"`
	Object    *Object `json:"object,omitempty"`
}

// Edit replaces Length bytes at byte Offset of File with NewText. Line and
// Column mirror Offset for readers that want positions. An edit with Create
// set writes a new file whose content is NewText.
type Edit struct {
	File    string `json:"file,omitempty"`
	Offset  int    `json:"offset"`
	Length  int    `json:"length"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	NewText string `json:"newText"`
	Create  bool   `json:"create,omitempty"`
}

// Fix is a machine-applicable change that resolves a finding.
type Fix struct {
	Description string `json:"description"`
	Edits       []Edit `json:"edits"`
	// OptIn fixes can change behaviour and are applied only when asked for.
	OptIn bool `json:"optIn,omitempty"`
}

// Finding is one result of a rule.
type Finding struct {
	RuleID string `json:"rule"`
	// Aliases are the IDs of twin rules that found the same problem at the
	// same place (BuildKit's JSONArgsRecommended for hadolint's DL3025):
	// one finding is reported, and ignoring any of its IDs suppresses it.
	Aliases  []string `json:"aliases,omitempty"`
	Severity Severity `json:"severity"`
	Category Category `json:"category"`
	Location
	Message string `json:"message"`
	Fix     *Fix   `json:"fix,omitempty"`
}

// Matches reports whether id names the finding: its rule or one of its
// aliases (case-insensitive, as configuration matches IDs).
func (f *Finding) Matches(id string) bool {
	if strings.EqualFold(f.RuleID, id) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.EqualFold(a, id) {
			return true
		}
	}
	return false
}

// IDs returns the finding's rule ID followed by its aliases.
func (f *Finding) IDs() []string {
	return append([]string{f.RuleID}, f.Aliases...)
}

// Registry holds the rules of one or more domains. Register panics on a
// duplicate ID, as a programming error.
type Registry struct {
	rules map[string]Rule
}

// NewRegistry returns a registry holding rules.
func NewRegistry(rules ...Rule) *Registry {
	r := &Registry{rules: map[string]Rule{}}
	for _, rule := range rules {
		r.Register(rule)
	}
	return r
}

// Register adds a rule.
func (r *Registry) Register(rule Rule) {
	if rule.ID == "" {
		panic("finding: rule without ID")
	}
	if _, dup := r.rules[rule.ID]; dup {
		panic("finding: duplicate rule ID " + rule.ID)
	}
	r.rules[rule.ID] = rule
}

// All returns every rule sorted by ID.
func (r *Registry) All() []Rule {
	out := make([]Rule, 0, len(r.rules))
	for _, rule := range r.rules {
		out = append(out, rule)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// New builds a finding of rule at loc.
func New(rule Rule, loc Location, msg string) Finding {
	return Finding{RuleID: rule.ID, Severity: rule.Severity, Category: rule.Category, Location: loc, Message: msg}
}

// Max returns the highest severity in fs (Off when empty).
func Max(fs []Finding) Severity {
	m := Off
	for _, f := range fs {
		if f.Severity > m {
			m = f.Severity
		}
	}
	return m
}

// AtOrAbove reports whether any finding has severity >= threshold.
// A threshold of Off never fails.
func AtOrAbove(fs []Finding, threshold Severity) bool {
	return threshold != Off && Max(fs) >= threshold
}
