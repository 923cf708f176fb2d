// Package config reads .slimship.yaml, and hadolint's .hadolint.yaml when no
// .slimship.yaml exists, so that a hadolint user's settings carry over.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

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

	// Source is the file the config came from ("" for defaults).
	Source string `json:"-"`
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

// Load reads one config file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	if err := yaml.UnmarshalStrict(b, c); err != nil {
		// hadolint files may carry keys we do not know (format, no-color):
		// accept them, but keep errors for malformed YAML.
		c = &Config{}
		if err2 := yaml.Unmarshal(b, c); err2 != nil {
			return nil, fmt.Errorf("%s: %v", path, err2)
		}
	}
	c.Source = path
	if c.FailureThreshold != "" {
		if _, err := finding.ParseSeverity(c.FailureThreshold); err != nil {
			return nil, fmt.Errorf("%s: failure-threshold: %v", path, err)
		}
	}
	return c, nil
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

// Severity applies ignores and overrides to a rule's default severity.
// It returns Off for an ignored rule.
func (c *Config) Severity(id string, def finding.Severity) finding.Severity {
	if c == nil {
		return def
	}
	for _, ig := range c.Ignored {
		if strings.EqualFold(ig, id) {
			return finding.Off
		}
	}
	for _, o := range []struct {
		ids []string
		sev finding.Severity
	}{{c.Override.Error, finding.Error}, {c.Override.Warning, finding.Warning}, {c.Override.Info, finding.Info}, {c.Override.Style, finding.Style}} {
		for _, x := range o.ids {
			if strings.EqualFold(x, id) {
				return o.sev
			}
		}
	}
	return def
}

// Overridden reports whether the config names id in an override (which turns
// on a default-off rule).
func (c *Config) Overridden(id string) bool {
	if c == nil {
		return false
	}
	for _, l := range [][]string{c.Override.Error, c.Override.Warning, c.Override.Info, c.Override.Style} {
		for _, x := range l {
			if strings.EqualFold(x, id) {
				return true
			}
		}
	}
	return false
}

// ErrNoConfig is returned by callers that require a config file.
var ErrNoConfig = errors.New("no configuration file found")

// Apply filters and re-grades findings by the config.
func (c *Config) Apply(fs []finding.Finding) []finding.Finding {
	out := fs[:0]
	for _, f := range fs {
		f.Severity = c.Severity(f.RuleID, f.Severity)
		if f.Severity == finding.Off {
			continue
		}
		out = append(out, f)
	}
	return out
}
