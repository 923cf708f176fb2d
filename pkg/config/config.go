// Package config reads .slimship.yaml, and hadolint's .hadolint.yaml when no
// .slimship.yaml exists, so that a hadolint user's settings carry over.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/internal/safetext"
	"github.com/slimship/slimship/internal/suggest"
	"github.com/slimship/slimship/internal/units"
	"github.com/slimship/slimship/internal/yamlstrict"
	"github.com/slimship/slimship/pkg/finding"
)

// FileNames are searched upward from the linted file, in this order.
var FileNames = []string{".slimship.yaml", ".slimship.yml", ".hadolint.yaml", ".hadolint.yml"}

// Config is the union of every command's settings. The top level keeps
// hadolint's key names.
type Config struct {
	// Ignored rule IDs never report.
	Ignored []string `json:"ignored,omitempty"`
	// Override maps a severity name to rule IDs that take it.
	Override Override `json:"override,omitempty"`
	// TrustedRegistries for DL3026.
	TrustedRegistries []string `json:"trustedRegistries,omitempty"`
	// FailureThreshold is the default of --fail-on.
	FailureThreshold string `json:"failure-threshold,omitempty"`
	// LabelSchema maps label names to types (text, url, semver, hash, rfc3339, spdx, email) for DL3049-DL3058.
	LabelSchema map[string]string `json:"label-schema,omitempty"`
	// StrictLabels reports labels not in LabelSchema (DL3050).
	StrictLabels bool `json:"strict-labels,omitempty"`
	// DisableIgnorePragma turns off inline ignore comments.
	DisableIgnorePragma bool `json:"disable-ignore-pragma,omitempty"`

	// Analyze holds image analysis CI gates.
	Analyze Analyze `json:"analyze,omitempty"`
	// Audit holds accepted keys and files.
	Audit Audit `json:"audit,omitempty"`
	// Kubernetes holds k8s lint settings.
	Kubernetes Kubernetes `json:"kubernetes,omitempty"`
	// Scan holds vulnerability scan settings.
	Scan Scan `json:"scan,omitempty"`
	// Tags holds the tag policy of slimship tags.
	Tags Tags `json:"tags,omitempty"`

	// Retention is `slimship registry prune`'s policy.
	Retention Retention `json:"retention,omitempty"`

	// Source is the file the config came from ("" for defaults).
	Source string `json:"-"`
	// strict is set for a .slimship.yaml: unknown rule IDs are errors.
	strict bool
}

// Override lists rule IDs by the severity they take.
type Override struct {
	Error   []string `json:"error,omitempty"`
	Warning []string `json:"warning,omitempty"`
	Info    []string `json:"info,omitempty"`
	Style   []string `json:"style,omitempty"`
}

// Analyze holds dive-style CI gates.
type Analyze struct {
	LowestEfficiency         *float64 `json:"lowest-efficiency,omitempty"`
	HighestWastedBytes       string   `json:"highest-wasted-bytes,omitempty"`
	HighestUserWastedPercent *float64 `json:"highest-user-wasted-percent,omitempty"`
}

// Audit allows known cases.
type Audit struct {
	AcceptKeys  []string `json:"accept-keys,omitempty"`
	AcceptFiles []string `json:"accept-files,omitempty"`
}

// Kubernetes settings for k8s lint.
type Kubernetes struct {
	Ignored []string `json:"ignored,omitempty"`
}

// Scan settings for slimship scan. The vulnerability scanner checks them
// (pkg/vuln/scan), as this package checks nothing of theirs.
type Scan struct {
	// Ignore leaves out vulnerabilities, each with a reason and an
	// optional expiry date (YYYY-MM-DD) after which it reports again.
	Ignore []VulnIgnore `json:"ignore,omitempty"`
}

// VulnIgnore is one ignored vulnerability.
type VulnIgnore struct {
	ID      string `json:"id"`
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
}

// Tags is the tag naming policy (registry rules SSR001-SSR003). The
// registry domain checks the values (pkg/registry/tags.NewPolicy).
type Tags struct {
	// Environments are the mutable environment tags allowed (default
	// dev, staging, production).
	Environments []string `json:"environments,omitempty"`
	// Allow are regular expressions of other allowed tag names, each
	// matched against the whole tag.
	Allow []string `json:"allow,omitempty"`
}

// Retention is `slimship registry prune`'s policy, in the seed's shape
// (retention: {maxImages: 10, keepLast: 5, keepDaily: 3, keepWeekly: 2});
// each flag (--max, --keep-last, ...) overrides its key.
type Retention struct {
	MaxImages   Count     `json:"maxImages,omitempty"`
	KeepLast    Count     `json:"keepLast,omitempty"`
	KeepDaily   Count     `json:"keepDaily,omitempty"`
	KeepWeekly  Count     `json:"keepWeekly,omitempty"`
	KeepMonthly Count     `json:"keepMonthly,omitempty"`
	KeepTags    []Pattern `json:"keepTags,omitempty"`
	OlderThan   Age       `json:"olderThan,omitempty"`
}

// Unlimited is a Count of "unlimited".
const Unlimited Count = -1

// Count is a whole number >= 0, or "unlimited".
type Count int

// UnmarshalText reads a count.
func (c *Count) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "unlimited" {
		*c = Unlimited
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a whole number >= 0 or unlimited, not %s", safetext.Quote(s, 40))
	}
	*c = Count(n)
	return nil
}

// UnmarshalJSON reads a count from a number or a string (.hadolint.yaml).
func (c *Count) UnmarshalJSON(b []byte) error {
	return c.UnmarshalText([]byte(strings.Trim(string(b), `"`)))
}

// Pattern is a regular expression (RE2), checked when read.
type Pattern string

// UnmarshalText checks the expression.
func (p *Pattern) UnmarshalText(b []byte) error {
	if _, err := regexp.Compile(string(b)); err != nil {
		return fmt.Errorf("bad regular expression %s: %v", safetext.Quote(string(b), 60), err)
	}
	*p = Pattern(b)
	return nil
}

// Age is a duration such as 30d, 2w or 36h (units.ParseDuration).
type Age time.Duration

// UnmarshalText reads an age.
func (a *Age) UnmarshalText(b []byte) error {
	d, err := units.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*a = Age(d)
	return nil
}

// MaxSize bounds a configuration file.
const MaxSize = 1 << 20

// Load reads one config file. A .slimship.yaml is read strictly: an
// unknown or misspelt key, or a value of the wrong type, is an error
// naming the file, the line and the key. A .hadolint.yaml is read as
// hadolint reads it: keys slimship does not know (format, no-color) are
// accepted, and rule IDs slimship does not know are passed over.
func Load(path string) (*Config, error) {
	b, err := bounded.ReadFile(path, MaxSize)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	if IsHadolint(path) {
		if err := yaml.Unmarshal(b, c); err != nil {
			return nil, fmt.Errorf("%s: %s", path, safetext.Text(err.Error(), 200))
		}
	} else {
		if err := yamlstrict.Decode(path, b, c); err != nil {
			return nil, err
		}
		c.strict = true
	}
	c.Source = path
	if c.FailureThreshold != "" {
		if _, err := finding.ParseSeverity(c.FailureThreshold); err != nil {
			return nil, fmt.Errorf("%s: failure-threshold: %v", path, err)
		}
	}
	return c, nil
}

// IsHadolint reports whether path names a hadolint configuration file.
func IsHadolint(path string) bool {
	return strings.HasPrefix(filepath.Base(path), ".hadolint")
}

// Find looks for a config file in dir and its parents. It returns "" when
// there is none. A .slimship.yaml anywhere up the tree wins over a
// .hadolint.yaml in the same directory.
func Find(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		for _, name := range FileNames {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// ForPath returns the config that applies to the file at path: explicit
// wins, then the nearest config up the tree, then defaults.
func ForPath(explicit, path string) (*Config, error) {
	if explicit != "" {
		return Load(explicit)
	}
	dir := "."
	if path != "" && path != "-" {
		dir = filepath.Dir(path)
	}
	if p := Find(dir); p != "" {
		return Load(p)
	}
	return &Config{}, nil
}

// IDs resolves rule IDs as users write them (in any case) to the
// registry's spelling, and rejects unknown ones with the closest known IDs.
// The index is built on the first ID to resolve: most runs name none, and
// building every domain's rules costs ~3 ms of a 60 ms `k8s lint`.
type IDs struct {
	rules   func() []finding.Rule
	once    sync.Once
	byLower map[string]string
	all     []string
}

// NewIDs indexes rules.
func NewIDs(rules []finding.Rule) *IDs {
	return LazyIDs(func() []finding.Rule { return rules })
}

// LazyIDs indexes the rules rules returns, when the first ID is resolved.
func LazyIDs(rules func() []finding.Rule) *IDs {
	return &IDs{rules: rules}
}

func (x *IDs) index() {
	x.once.Do(func() {
		rules := x.rules()
		x.byLower = make(map[string]string, len(rules))
		for _, r := range rules {
			x.byLower[strings.ToLower(r.ID)] = r.ID
			x.all = append(x.all, r.ID)
		}
	})
}

// shellCheckCode matches ShellCheck's codes, which are rule IDs of the
// Dockerfile ShellCheck rule's findings.
var shellCheckCode = regexp.MustCompile(`^(?i)SC[0-9]{4}$`)

// Resolve returns id as the registry spells it, or an error saying it is
// unknown and which IDs are close.
func (x *IDs) Resolve(id string) (string, error) {
	x.index()
	id = strings.TrimSpace(id)
	if r, ok := x.byLower[strings.ToLower(id)]; ok {
		return r, nil
	}
	if shellCheckCode.MatchString(id) {
		return strings.ToUpper(id), nil
	}
	return "", fmt.Errorf("unknown rule ID %s%s; 'slimship rules' lists them", safetext.Quote(id, 40), suggest.Hint(id, x.all))
}

// Check resolves every ID of list, for a flag or key named what.
func (x *IDs) Check(what string, list []string) error {
	for _, id := range list {
		if _, err := x.Resolve(id); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// Flags are the command line's part of a policy.
type Flags struct {
	// Ignore is --ignore.
	Ignore []string
	// FailOn is --fail-on ("" for the config's failure-threshold).
	FailOn string
	// Kubernetes adds kubernetes.ignored.
	Kubernetes bool
}

// Policy builds the one finding.Policy of a run from the config and the
// command line. With ids, every rule ID is checked: an unknown ID from a
// flag or a .slimship.yaml is an error, one from a .hadolint.yaml is
// passed over. With nil ids, IDs are taken as written.
func (c *Config) Policy(ids *IDs, fl Flags) (*finding.Policy, error) {
	if c == nil {
		c = &Config{}
	}
	p := &finding.Policy{Ignored: map[string]bool{}, Overrides: map[string]finding.Severity{}, Enabled: map[string]bool{}}
	add := func(what string, list []string, strict bool, set func(id string)) error {
		for _, id := range list {
			if ids == nil {
				set(strings.TrimSpace(id))
				continue
			}
			r, err := ids.Resolve(id)
			switch {
			case err == nil:
				set(r)
			case strict:
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return nil
	}
	file := func(key string) string { return c.Source + ": " + key }
	ignore := func(id string) { p.Ignored[id] = true }
	if err := add("--ignore", fl.Ignore, true, ignore); err != nil {
		return nil, err
	}
	if err := add(file("ignored"), c.Ignored, c.strict, ignore); err != nil {
		return nil, err
	}
	if fl.Kubernetes {
		if err := add(file("kubernetes.ignored"), c.Kubernetes.Ignored, c.strict, ignore); err != nil {
			return nil, err
		}
	}
	// The first override naming a rule wins, in this order.
	for _, o := range []struct {
		key string
		ids []string
		sev finding.Severity
	}{{"override.error", c.Override.Error, finding.Error}, {"override.warning", c.Override.Warning, finding.Warning},
		{"override.info", c.Override.Info, finding.Info}, {"override.style", c.Override.Style, finding.Style}} {
		err := add(file(o.key), o.ids, c.strict, func(id string) {
			if _, ok := p.Overrides[id]; !ok {
				p.Overrides[id] = o.sev
			}
		})
		if err != nil {
			return nil, err
		}
	}
	failOn := fl.FailOn
	if failOn == "" {
		failOn = c.FailureThreshold
	}
	if failOn != "" {
		sev, err := finding.ParseSeverity(failOn)
		if err != nil {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
		p.FailOn, p.FailOnSet = sev, true
	}
	return p, nil
}
