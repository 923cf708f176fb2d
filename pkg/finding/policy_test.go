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
