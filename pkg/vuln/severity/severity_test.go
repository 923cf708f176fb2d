package severity

import (
	"testing"

	"github.com/slimship/slimship/pkg/vuln/osv"
)

func TestVector(t *testing.T) {
	cases := []struct {
		typ, vec string
		want     Level
	}{
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Critical},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", High},
		{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", Medium},
		{"CVSS_V3", "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", Low},
		{"CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C", High},
		{"CVSS_V2", "AV:N/AC:M/Au:N/C:N/I:P/A:N", Medium},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", Critical},
		{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", Medium},
		{"Ubuntu", "medium", Medium},
	}
	for _, c := range cases {
		got, sc, err := Vector(osv.Severity{Type: c.typ, Score: c.vec})
		if err != nil || got != c.want {
			t.Errorf("Vector(%s) = %v (%.1f), %v; want %v", c.vec, got, sc, err, c.want)
		}
	}
	if _, _, err := Vector(osv.Severity{Type: "CVSS_V3", Score: "CVSS:3.1/AV:X"}); err == nil {
		t.Error("bad vector accepted")
	}
}

func TestOf(t *testing.T) {
	r := &osv.Record{ID: "X", Rating: "MODERATE", Severity: []osv.Severity{
		{Type: "CVSS_V2", Score: "AV:N/AC:L/Au:N/C:C/I:C/A:C"},
		{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"},
	}}
	if l, _ := Of(r, nil); l != Medium {
		t.Errorf("v3.1 should win over v2: %v", l)
	}
	r.Severity = []osv.Severity{{Type: "CVSS_V3", Score: "garbage"}}
	if l, src := Of(r, nil); l != Medium || src != "MODERATE" {
		t.Errorf("rating word fallback: %v %q", l, src)
	}
	a := &osv.Affected{Rating: "high"}
	if l, _ := Of(r, a); l != High {
		t.Errorf("entry's urgency first: %v", l)
	}
	if l, _ := Of(&osv.Record{ID: "Y"}, nil); l != Unknown {
		t.Errorf("no rating: %v", l)
	}
	for _, s := range []string{"critical", "HIGH", "medium", "low"} {
		if _, err := Parse(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := Parse("severe"); err == nil {
		t.Error("Parse(severe) accepted")
	}
}
