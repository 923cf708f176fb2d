package audit

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/internal/imagecase"
	"github.com/slimship/slimship/pkg/config"
	"github.com/slimship/slimship/pkg/finding"
)

// Every audit rule has its cases under testdata/rules/<ID>/: bad.image
// must give findings of the rule, exactly those in bad.golden (-update
// rewrites it), and good.image none. The images are described in
// internal/imagecase's format; options: reference (the name the image was
// opened by), content-trust (true), accept-keys and accept-files
// (comma-separated). {{AWSKey}}, {{GitHubToken}} and {{PEM}} are fake
// secrets made at run time.
const rulesDir = "testdata/rules"

var caseVars = map[string]string{"AWSKey": fakeAWSKey, "GitHubToken": fakeGHTok, "PEM": strings.TrimSuffix(fakePEM, "\n")}

func auditCase(t *testing.T, r finding.Rule, file string) []finding.Finding {
	t.Helper()
	c, err := imagecase.Load(file, caseVars)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{}
	if r.DefaultOff {
		cfg.Override.Info = []string{r.ID}
	}
	opts := Options{Reference: c.Options["reference"], ContentTrust: c.Options["content-trust"] == "true", Config: cfg}
	if v := c.Options["accept-keys"]; v != "" {
		opts.AcceptKeys = strings.Split(v, ",")
	}
	if v := c.Options["accept-files"]; v != "" {
		opts.AcceptFiles = strings.Split(v, ",")
	}
	var out []finding.Finding
	for _, f := range audit(t, c.Image, opts) {
		if f.RuleID == r.ID {
			out = append(out, f)
		}
	}
	return out
}

func TestRuleCases(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(rulesDir, r.ID)
			bad := auditCase(t, r, filepath.Join(dir, "bad.image"))
			if len(bad) == 0 {
				t.Errorf("bad.image: no %s finding", r.ID)
			}
			for _, f := range bad {
				for _, secret := range []string{fakeAWSKey, fakeGHTok, "MIIE"} {
					if strings.Contains(f.Message, secret) {
						t.Errorf("finding leaks a secret: %s", f.Message)
					}
				}
			}
			b, err := json.MarshalIndent(bad, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join(dir, "bad.golden"), append(b, '\n'))
			if good := auditCase(t, r, filepath.Join(dir, "good.image")); len(good) > 0 {
				t.Errorf("good.image: unexpected %+v", good)
			}
		})
	}
}

// TestEveryRuleHasCases: every rule has bad and good cases, and every
// directory names a rule.
func TestEveryRuleHasCases(t *testing.T) {
	imagecase.CheckLayout(t, rulesDir, Rules())
}
