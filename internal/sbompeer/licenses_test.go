package sbompeer

import (
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/sbom"
)

func TestTrivyLicenses(t *testing.T) {
	es, err := Trivy(strings.NewReader(`{"components":[
 {"type":"library","name":"bash","version":"5.2","purl":"pkg:deb/debian/bash@5.2",
  "licenses":[{"license":{"name":"GPL-3.0"}},{"license":{"id":"MIT"}},{"license":{}}]},
 {"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1","licenses":[{"expression":"MIT OR Apache-2.0"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || strings.Join(es[0].Licenses, "|") != "GPL-3.0|MIT" || strings.Join(es[1].Licenses, "|") != "MIT OR Apache-2.0" {
		t.Errorf("%+v", es)
	}
}

func TestLicenseKeyAndTerms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"GPL-2+", "gpl-2"}, {"GPL-2.0", "gpl-2"}, {"GPL-2.0-or-later", "gpl-2"}, {"GPL-2.0-only", "gpl-2"}, {"GPLv3+", "gpl-3"},
		{"LGPL-2.1+", "lgpl-2.1"}, {"Expat", "mit"}, {"The MIT License", "mit"}, {"Apache-2", "apache-2"}, {"Apache-2.0", "apache-2"},
		{"GFDL-NIV-1.3+", "gfdl-1.3-no-invariants"}, {"GFDL-1.3-no-invariants-or-later", "gfdl-1.3-no-invariants"},
		{"GPL-3+ with Bison exception", "gpl-3 with bison"}, {"GPL-3+-WITH-BISON-EXCEPTION", "gpl-3 with bison"},
		{"GPL-2.0-only WITH Linux-syscall-note", "gpl-2 with linux-syscall-note"}, {"GPL-2 with Linux-syscall-note exception", "gpl-2 with linux-syscall-note"},
		{"public-domain", "public-domain"},
	} {
		if got := LicenseKey(tc.in); got != tc.want {
			t.Errorf("LicenseKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		"(MIT OR Apache-2.0) AND Zlib":            "MIT|Apache-2.0|Zlib",
		"GPL-1+ or Artistic, and Unicode":         "GPL-1+|Artistic|Unicode",
		"LGPLv3+_or_GPLv2+":                       "LGPLv3+|GPLv2+",
		"BSD-3-clause and/or GPL-3+":              "BSD-3-clause and/or GPL-3+",
		"GPL-2.0-or-later WITH Texinfo-exception": "GPL-2.0-or-later WITH Texinfo-exception",
	} {
		if got := strings.Join(Terms(in), "|"); got != want {
			t.Errorf("Terms(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCompareLicenses: figures, and each class of difference explained
// only when it is of that kind.
func TestCompareLicenses(t *testing.T) {
	e := func(typ, name, path string, ls ...string) Entry {
		return Entry{Triple: Triple{typ, name, "1"}, Path: path, Licenses: ls}
	}
	slim := []Entry{
		e("deb", "same", "/var/lib/dpkg/status", "MIT"),
		e("deb", "none", "/var/lib/dpkg/status"),
		e("deb", "spelling", "/var/lib/dpkg/status", "GPL-2.0-or-later", "MIT"),
		e("deb", "linked", "/var/lib/dpkg/status", "GPL-3.0-only"),
		e("deb", "unversioned", "/var/lib/dpkg/status", "GPL", "BSD-3-clause or GPL"),
		e("deb", "dep5", "/var/lib/dpkg/status", "LGPL-2.1-or-later"),
		e("deb", "freeform", "/var/lib/dpkg/status", "GPL-2.0-only"),
		e("deb", "other", "/var/lib/dpkg/status", "MIT"),
		e("maven", "g:a", "/app.jar", "Apache-2.0"),
		e("npm", "legacy", "/app/node_modules/legacy/package.json", "MIT"),
		e("npm", "plain", "/app/node_modules/plain/package.json", "MIT"),
		e("pypi", "classifiers", "/site/c-1.dist-info/METADATA", "MIT", "Apache Software License"),
		e("npm", "slimship-only", "/x/package.json", "MIT"),
	}
	trivy := []Entry{
		e("deb", "same", "", "MIT"),
		e("deb", "none", ""),
		e("deb", "spelling", "", "GPL-2.0", "Expat"),
		e("deb", "linked", ""),
		e("deb", "unversioned", "", "GPL-3.0", "BSD-3-Clause"),
		e("deb", "dep5", "", "LGPL-2.1", "GPL-1.0"),
		e("deb", "freeform", "", "GPL-2.0", "Permission is hereby granted", "free of charge"),
		e("deb", "other", "", "MIT", "ISC"),
		e("maven", "g:a", ""),
		e("npm", "legacy", ""),
		e("npm", "plain", ""),
		e("pypi", "classifiers", "", "MIT License"),
	}
	facts := &Facts{
		DocLinks: map[string]bool{"linked": true},
		Copyrights: map[string]*sbom.Copyright{
			"dep5":     {MachineReadable: true, Declared: []string{"LGPL-2.1+"}, LicenseLines: []string{"LGPL-2.1+", "GPL-1"}},
			"freeform": {References: []string{"GPL-2"}, Texts: []string{"Permission is hereby granted, free of charge"}},
			"other":    {MachineReadable: true, Declared: []string{"MIT"}, LicenseLines: []string{"MIT"}},
		},
		POMLicenses:   map[string]bool{"/app.jar": true},
		NpmLegacy:     map[string]bool{"/app/node_modules/legacy/package.json": true},
		PyClassifiers: map[string]bool{"/site/c-1.dist-info/METADATA": true},
	}
	r := CompareLicenses(slim, trivy, facts)
	if r.Packages != 12 || r.Licensed != 11 || r.Equal != 2 || r.SameTerms != 3 {
		t.Errorf("figures %+v", r)
	}
	var got []string
	for _, d := range r.Diffs {
		got = append(got, d.Name+" "+d.Why())
	}
	want := []string{
		"dep5 dep5-license-texts",
		"freeform license-text",
		"linked doc-link",
		"other UNEXPLAINED", // ISC from nowhere in the file
		"unversioned trivy-table",
		"g:a maven-pom-licenses",
		"legacy npm-legacy-licenses",
		"plain UNEXPLAINED", // a license, not in the legacy list
		"classifiers python-classifiers",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := len(r.Unexplained()); n != 2 {
		t.Errorf("%d unexplained, want 2", n)
	}
	if s := r.Summary(); !strings.Contains(s, "12 packages both list (11 with licenses): 2 equal as spelled, 3 equal up to spelling, 9 differ (7 explained, 2 unexplained)") {
		t.Errorf("summary %q", s)
	}
}
