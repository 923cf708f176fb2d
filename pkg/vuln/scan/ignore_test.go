package scan

import (
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/pkg/vuln/match"
	"github.com/slimship/slimship/pkg/vuln/osv"
)

func results() []match.Result {
	lodash := match.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.20"}
	ssl := match.Package{Ecosystem: "Debian:12", Name: "libssl3", Version: "3.0.11-1", SourceName: "openssl"}
	return []match.Result{
		{Package: lodash, Hit: match.Hit{Record: &osv.Record{ID: "GHSA-29mw-wpgm-hmr9", Aliases: []string{"CVE-2020-28500"}}}},
		{Package: ssl, Hit: match.Hit{Record: &osv.Record{ID: "DLA-1", Upstream: []string{"CVE-2024-1"}}}},
	}
}

func ids(rs []match.Result) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Record.ID)
	}
	return strings.Join(out, ",")
}

func TestIgnores(t *testing.T) {
	for _, c := range []struct{ id, reason, expires, err string }{
		{"", "x", "", "no id"}, {"CVE-1", "", "", "give a reason"}, {"CVE-1", "r", "31/12/2026", "want a date"},
	} {
		if _, err := NewIgnore("scan.ignore[0]", c.id, c.reason, c.expires); err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "scan.ignore[0]") {
			t.Errorf("%+v: %v", c, err)
		}
	}
	live, _ := NewIgnore("a", "cve-2020-28500", "not reachable", "2026-12-31")
	expired, _ := NewIgnore("b", "CVE-2024-1", "waiting for DSA", "2026-01-01")
	now := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	var warns []string
	got := ApplyIgnores(results(), []Ignore{live, expired}, now, func(m string) { warns = append(warns, m) })
	if ids(got) != "DLA-1" || len(warns) != 1 || !strings.Contains(warns[0], "CVE-2024-1 expired on 2026-01-01 (waiting for DSA)") {
		t.Fatalf("got %s warns %q", ids(got), warns)
	}
	// The day after the expiry date it reports again.
	got = ApplyIgnores(results(), []Ignore{live}, now.Add(2*time.Hour), nil)
	if ids(got) != "GHSA-29mw-wpgm-hmr9,DLA-1" {
		t.Fatalf("after expiry: %s", ids(got))
	}
}

func TestVEX(t *testing.T) {
	doc := `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
{"vulnerability":{"name":"CVE-2020-28500"},"products":[{"@id":"pkg:oci/app@sha256:abc","subcomponents":[{"@id":"pkg:npm/lodash@4.17.20"}]}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
{"vulnerability":{"name":"CVE-2024-1"},"products":[{"@id":"pkg:deb/debian/openssl@9.9?distro=debian-12"}],"status":"not_affected"},
{"vulnerability":"DLA-1","products":["pkg:npm/other@1.0.0"],"status":"fixed"}]}`
	v, err := ReadVEX(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	rs := results()
	if !v.Suppresses(rs[0]) {
		t.Error("lodash statement not applied")
	}
	if v.Suppresses(rs[1]) {
		t.Error("openssl statement for another version applied")
	}
	later := doc[:len(doc)-2] + `,{"vulnerability":{"name":"CVE-2020-28500"},"status":"affected"}]}`
	v, _ = ReadVEX(strings.NewReader(later))
	if v.Suppresses(rs[0]) {
		t.Error("a later affected statement should win")
	}
	for _, bad := range []string{`{}`, `[`, `{"@context":"https://openvex.dev/ns","statements":[{"vulnerability":3}]}`} {
		if _, err := ReadVEX(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadVEX(%s) accepted", bad)
		}
	}
}
