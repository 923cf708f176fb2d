package finding

import (
	"reflect"
	"testing"
)

func TestPolicyApply(t *testing.T) {
	rules := []Rule{{ID: "A", Severity: Warning}, {ID: "B", Severity: Info}, {ID: "C", Severity: Error, DefaultOff: true}, {ID: "D", Severity: Style, DefaultOff: true}}
	fs := []Finding{
		{RuleID: "B", Severity: Info, Location: Location{File: "f", Line: 2}},
		{RuleID: "A", Severity: Warning, Location: Location{File: "f", Line: 2}},
		{RuleID: "C", Severity: Error, Location: Location{File: "f", Line: 1}},
		{RuleID: "D", Severity: Style, Location: Location{File: "e", Line: 9}},
		{RuleID: "A", Severity: Warning, Location: Location{File: "f", Line: 1, Path: "/b"}},
		{RuleID: "A", Severity: Warning, Location: Location{File: "f", Line: 1, Path: "/a"}},
	}
	p := &Policy{Ignored: map[string]bool{"B": true}, Overrides: map[string]Severity{"A": Error}, Enabled: map[string]bool{"D": true}}
	got := p.Apply(rules, fs)
	want := []Finding{
		{RuleID: "D", Severity: Style, Location: Location{File: "e", Line: 9}},
		{RuleID: "A", Severity: Error, Location: Location{File: "f", Line: 1, Path: "/a"}},
		{RuleID: "A", Severity: Error, Location: Location{File: "f", Line: 1, Path: "/b"}},
		{RuleID: "A", Severity: Error, Location: Location{File: "f", Line: 2}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !p.Failing(got) || (&Policy{FailOn: Off, FailOnSet: true}).Failing(got) || (*Policy)(nil).Threshold() != Warning {
		t.Error("thresholds")
	}
	if (*Policy)(nil).Runs(&rules[2]) || !(*Policy)(nil).Runs(&rules[0]) {
		t.Error("nil policy runs default rules only")
	}
	if !(&Policy{Overrides: map[string]Severity{"C": Info}}).Runs(&rules[2]) {
		t.Error("an override turns a default-off rule on")
	}
}

// Ignoring either ID of one problem (a rule and its twin, merged into one
// finding with the twin as an alias) suppresses the finding.
func TestPolicyIgnoresAliases(t *testing.T) {
	f := Finding{RuleID: "DL3025", Aliases: []string{"JSONArgsRecommended"}, Severity: Warning}
	for _, c := range []struct {
		name string
		p    Policy
		want int
	}{
		{"none", Policy{}, 1},
		{"rule", Policy{Ignored: map[string]bool{"DL3025": true}}, 0},
		{"alias", Policy{Ignored: map[string]bool{"JSONArgsRecommended": true}}, 0},
		{"alias off", Policy{Overrides: map[string]Severity{"JSONArgsRecommended": Off}}, 0},
		{"alias raised", Policy{Overrides: map[string]Severity{"JSONArgsRecommended": Error}}, 1},
	} {
		if got := c.p.Apply(nil, []Finding{f}); len(got) != c.want {
			t.Errorf("%s: %d findings, want %d", c.name, len(got), c.want)
		}
	}
}
