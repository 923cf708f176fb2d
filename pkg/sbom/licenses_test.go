package sbom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/slimship/slimship/internal/imagecase"
)

func TestNormalizeLicense(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// SPDX identifiers and expressions, spelled as SPDX does
		{"MIT", "MIT"},
		{"bsd-3-clause", "BSD-3-Clause"},
		{"  Apache-2.0 ", "Apache-2.0"},
		{"MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"(MIT OR Apache-2.0) AND Zlib", "(MIT OR Apache-2.0) AND Zlib"},
		{"MIT AND (Zlib AND ISC)", "MIT AND Zlib AND ISC"},
		{"GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"MPL-1.1+", "MPL-1.1+"},
		// GNU licenses: "+" is or-later, no "+" that version only
		{"GPL-2+", "GPL-2.0-or-later"},
		{"GPL-2", "GPL-2.0-only"},
		{"GPL-2.0+", "GPL-2.0-or-later"},
		{"GPL-2.0", "GPL-2.0-only"},
		{"GPLv2+", "GPL-2.0-or-later"},
		{"LGPLv2.1+", "LGPL-2.1-or-later"},
		{"LGPL-2.1", "LGPL-2.1-only"},
		{"LGPL-2", "LGPL-2.0-only"},
		{"AGPL-3+", "AGPL-3.0-or-later"},
		{"GFDL-1.3+", "GFDL-1.3-or-later"},
		{"GFDL-NIV-1.3", "GFDL-1.3-no-invariants-only"},
		{"GPL-3.0-or-later", "GPL-3.0-or-later"},
		{"GPL-4+", "GPL-4+"},
		// DEP-5 names and syntax
		{"Expat", "MIT"},
		{"Apache-2", "Apache-2.0"},
		{"GPL-2+ or Artistic-2.0", "GPL-2.0-or-later OR Artistic-2.0"},
		{"GPL-2+ and BSD-3-clause", "GPL-2.0-or-later AND BSD-3-Clause"},
		{"A or B and C", "A or B and C"}, // unknown names: as found
		{"MIT or Zlib and ISC", "MIT OR Zlib AND ISC"},
		{"MIT or Zlib, and ISC", "(MIT OR Zlib) AND ISC"},
		{"GPL-2+ or Artistic-2.0, and BSD-3-clause", "(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause"},
		{"GPL-2 with Linux-syscall-note exception", "GPL-2.0-only WITH Linux-syscall-note"},
		{"GPL-2+ with Texinfo exception", "GPL-2.0-or-later WITH Texinfo-exception"},
		{"GPL-3+ with Bison exception", "GPL-3+ with Bison exception"}, // Bison-exception-1.24 or -2.2?
		{"GPL-1+ or Artistic", "GPL-1+ or Artistic"},                   // Artistic has no version
		// names that are no license identifier stay as found
		{"GPL", "GPL"},
		{"public-domain", "public-domain"},
		{"BSD-3-clause and/or GPL-3+", "BSD-3-clause and/or GPL-3+"},
		{"SEE LICENSE IN LICENSE.md", "SEE LICENSE IN LICENSE.md"},
		{"UNLICENSED", "UNLICENSED"},
		{"LicenseRef-Proprietary", "LicenseRef-Proprietary"},
		{"MIT OR", "MIT OR"},
		{"(MIT", "(MIT"},
		{"MIT,", "MIT,"},
		{"a\n  b", "a b"},
		// long names that end in an identifier
		{"The MIT License", "MIT"},
		{"MIT License", "MIT"},
		{"MIT License (MIT)", "MIT"},
		{"ISC License (ISCL)", "ISC"},
		{"GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"},
		{"Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
		{"BSD License", "BSD License"},
		{"Apache Software License", "Apache Software License"},
		{"", ""},
		{"  ", ""},
	} {
		got := normalizeLicense(tc.in)
		if got != tc.want {
			t.Errorf("normalizeLicense(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if isSPDX(got) {
			if ok, bad := spdxexp.ValidateLicenses([]string{got}); !ok {
				t.Errorf("normalizeLicense(%q) = %q, which go-spdx refuses: %v", tc.in, got, bad)
			}
		}
	}
}

func copyrightOf(t testing.TB, text string) []string {
	t.Helper()
	c, err := ReadCopyright(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return c.Licenses()
}

const dep5Header = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n"

func TestCopyrightLicenses(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"DEP-5, one Files paragraph", dep5Header + "\nFiles: *\nCopyright: 2020 A\nLicense: Zlib\n", []string{"Zlib"}},
		{"DEP-5, header License first", dep5Header + "License: GPL-2+\n\nFiles: *\nCopyright: 2020 A\nLicense: GPL-2+\n\nFiles: lib/*\nCopyright: B\nLicense: LGPL-2.1+\n",
			[]string{"GPL-2+", "LGPL-2.1+"}},
		{"DEP-5, several Files paragraphs, duplicates once",
			dep5Header + "\nFiles: *\nCopyright: A\nLicense: GPL-2+\n This program is free software; ...\n .\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n" +
				"\nFiles: src/a.c\nCopyright: B\nLicense: Expat\n\nFiles: src/b.c\nCopyright: C\nLicense: GPL-2+\n\nFiles: debian/*\nCopyright: D\nLicense: public-domain\n",
			[]string{"GPL-2+", "Expat", "public-domain"}},
		{"DEP-5, stand-alone License paragraphs define texts, declare nothing",
			dep5Header + "\nFiles: *\nCopyright: A\nLicense: MPL-1.1 or GPL-2 or LGPL-2.1\n\nLicense: MPL-1.1\n [TEXT]\n\nLicense: GPL-2\n [TEXT]\n\nLicense: Artistic\n [TEXT]\n",
			[]string{"MPL-1.1 or GPL-2 or LGPL-2.1"}},
		{"DEP-5, and/or with a comma", dep5Header + "\nFiles: *\nCopyright: A\nLicense: GPL-2+ or Artistic-2.0, and BSD-3-clause\n", []string{"GPL-2+ or Artistic-2.0, and BSD-3-clause"}},
		{"DEP-5, Files after License, field names in any case, CRLF, whitespace-only separator",
			"format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\r\n \t\r\nlicense: ISC\r\nCopyright: A\r\nFILES: *\r\n", []string{"ISC"}},
		{"DEP-5, comments and an empty License", dep5Header + "# a comment\n\nFiles: *\nCopyright: A\nLicense:\n\nFiles: x\nLicense: MIT\n", []string{"MIT"}},
		{"DEP-5 draft's Format-Specification", "Format-Specification: http://svn.debian.org/wsvn/dep/web/deps/dep5.mdwn?op=file&rev=135\n\nFiles: *\nLicense: BSD-3-clause\n", []string{"BSD-3-clause"}},
		{"DEP-5 without a final newline", dep5Header + "\nFiles: *\nLicense: MIT", []string{"MIT"}},
		{"free form: common-licenses references", "This is the Debian package of x.\n\nIt is under the GPL version 2, see /usr/share/common-licenses/GPL-2.\n" +
			"Parts are LGPL (`/usr/share/common-licenses/LGPL-2.1').\nSee /usr/share/common-licenses/ for the rest, and usr/share/common-licenses/GPL-2 again.\n",
			[]string{"GPL-2", "LGPL-2.1"}},
		{"free form: License lines, as trivy reads them", "Upstream: x\nLicense: GPL-2+\n\nDetails\nLicense: BSD\n", []string{"GPL-2+", "BSD"}},
		{"free form: nothing", "This is the Debian package of x, by someone.\n", nil},
		{"free form: License lines cut as trivy cuts them, texts skipped", "License: CC0 license\nLicense: MIT (see below)\n" +
			"License: Permission is hereby granted, free of charge\nLicense: Redistribution and use in source and binary forms\n" +
			"License: The main library is licensed under GNU Lesser\n", []string{"CC0", "MIT"}},
		{"empty", "", nil},
		{"binary", "\x00\x01\xff\xfe:\x00\n\n\x00License", nil},
		{"a License line that is all the file", "License: MIT", []string{"MIT"}},
		{"a long line is cut, the next read", dep5Header + "\nFiles: *\nComment: " + strings.Repeat("x", 3*maxCopyrightLine) + "\nLicense: MIT\n", []string{"MIT"}},
		{"a License line longer than a line is cut", "License: " + strings.Repeat("a", 2*maxCopyrightLine) + "\n", []string{strings.Repeat("a", maxCopyrightLine-len("License: "))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := copyrightOf(t, tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCopyrightBounded: a copyright file larger than maxCopyright gives the
// licenses of its start and a warning; a 1 GiB one (generated as it is
// read) is not held in memory.
func TestCopyrightBounded(t *testing.T) {
	filler := strings.Repeat(" "+strings.Repeat("x", 70)+"\n", int(maxCopyright)/72+1)
	big := dep5Header + "\nFiles: *\nLicense: MIT\n" + filler + "\nFiles: late\nLicense: Zlib\n"
	status := "Package: x\nStatus: install ok installed\nVersion: 1\n"
	inv, err := FromImage(context.Background(), image(t, layerTar(t,
		file{name: "var/lib/dpkg/status", body: status}, file{name: "usr/share/doc/x/copyright", body: big})))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) != 1 || !slices.Equal(inv.Packages[0].Licenses, []string{"MIT"}) {
		t.Errorf("packages %+v", inv.Packages)
	}
	if len(inv.Warnings) != 1 || !strings.Contains(inv.Warnings[0], "/usr/share/doc/x/copyright: ") || !strings.Contains(inv.Warnings[0], "those of its start") {
		t.Errorf("warnings %q", inv.Warnings)
	}

	tail := layerTar(t, file{name: "var/lib/dpkg/status", body: status})
	img, err := mutate.AppendLayers(empty.Image, lazyLayer{path: "usr/share/doc/x/copyright", size: 1 << 30, tail: tail})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	inv, err = FromImage(context.Background(), img)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("1 GiB copyright file: %d bytes allocated", got)
	}
	if len(inv.Packages) != 1 || inv.Packages[0].Licenses != nil || len(inv.Warnings) != 1 {
		t.Errorf("packages %+v, warnings %q (%v)", inv.Packages, inv.Warnings, time.Since(start))
	}
}

// TestLicensesFromImage: each source, read from an image's final
// filesystem: a Debian package's copyright file (the last layer's), one
// through a /usr/share/doc link, one deleted, one in a subdirectory (an
// example's, not the package's); apk's L:, npm, Python, and Go none.
func TestLicensesFromImage(t *testing.T) {
	c, err := imagecase.Parse("licenses", `
layer ADD rootfs.tar /
file /etc/os-release 0644 <<END
ID=debian
VERSION_ID=12
END
file /var/lib/dpkg/status 0644 <<END
Package: libc6
Status: install ok installed
Version: 2.36-9
Architecture: amd64

Package: gcc-12-base
Status: install ok installed
Version: 12.2.0-14
Architecture: amd64

Package: libgcc-s1
Status: install ok installed
Version: 12.2.0-14
Architecture: amd64

Package: gone
Status: install ok installed
Version: 1

Package: examples
Status: install ok installed
Version: 1
END
file /usr/share/doc/libc6/copyright 0644 <<END
This is the Debian prepackaged version of the GNU C Library.
It is under the LGPL, see /usr/share/common-licenses/LGPL-2.1.
END
file /usr/share/doc/gcc-12-base/copyright 0644 <<END
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
Copyright: FSF
License: GPL-3+ with GCC-exception-3.1 exception
END
symlink /usr/share/doc/libgcc-s1 gcc-12-base
file /usr/share/doc/gone/copyright 0644 <<END
License: MIT
END
file /usr/share/doc/examples/sub/copyright 0644 <<END
License: MIT
END
layer RUN apt-get install ...
file /usr/share/doc/libc6/copyright 0644 <<END
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
License: LGPL-2.1+

Files: *
Copyright: FSF
License: LGPL-2.1+

Files: posix/*
Copyright: UC
License: BSD-4-clause-UC
END
whiteout /usr/share/doc/gone/copyright
file /lib/apk/db/installed 0644 <<END
P:musl
V:1.2.5-r0
A:x86_64
L:MIT AND BSD-2-Clause

P:nolicense
V:1
A:x86_64

P:oldstyle
V:1
A:x86_64
L:MIT BSD GPL2+ AND (custom)

END
file /app/node_modules/a/package.json 0644 <<END
{"name": "a", "version": "1.0.0", "license": "(MIT OR Apache-2.0)"}
END
file /app/node_modules/b/package.json 0644 <<END
{"name": "b", "version": "1.0.0", "license": {"type": "ISC", "url": "https://example.com"}}
END
file /app/node_modules/c/package.json 0644 <<END
{"name": "c", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "GPL-2.0"}, "Zlib"]}
END
file /usr/lib/python3/dist-packages/p-1.0.dist-info/METADATA 0644 <<END
Metadata-Version: 2.4
Name: p
Version: 1.0
License-Expression: BSD-3-Clause OR MIT
License: ignored
Classifier: License :: OSI Approved :: Apache Software License
END
file /usr/lib/python3/dist-packages/q-1.0.dist-info/METADATA 0644 <<END
Metadata-Version: 2.1
Name: q
Version: 1.0
License: UNKNOWN
Classifier: Programming Language :: Python
Classifier: License :: OSI Approved :: MIT License
Classifier: License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)
END
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := FromImage(context.Background(), c.Image)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range inv.Packages {
		got = append(got, fmt.Sprintf("%s %s %q", p.Type, p.Name, p.Licenses))
	}
	check(t, got,
		`apk musl ["MIT AND BSD-2-Clause"]`,
		`apk nolicense []`,
		`apk oldstyle ["MIT" "BSD" "GPL-2.0-or-later" "custom"]`,
		`deb examples []`,
		`deb gcc-12-base ["GPL-3.0-or-later WITH GCC-exception-3.1"]`,
		`deb gone []`,
		`deb libc6 ["LGPL-2.1-or-later" "BSD-4-Clause-UC"]`,
		`deb libgcc-s1 ["GPL-3.0-or-later WITH GCC-exception-3.1"]`,
		`npm a ["MIT OR Apache-2.0"]`,
		`npm b ["ISC"]`,
		`npm c ["MIT" "GPL-2.0-only" "Zlib"]`,
		`pypi p ["BSD-3-Clause OR MIT"]`,
		`pypi q ["MIT" "GPL-2.0-or-later"]`,
	)
	if len(inv.Warnings) > 0 {
		t.Errorf("warnings %q", inv.Warnings)
	}
}

// TestJarLicenses: the licenses of a jar's pom.xml and of a nested jar's
// go to the packages of their pom.properties; a pom without licenses (its
// parent's would say) gives none.
func TestJarLicenses(t *testing.T) {
	pom := func(names ...string) []byte {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><licenses>`)
		for _, n := range names {
			fmt.Fprintf(&b, "<license><name>%s</name><url>https://example.com</url></license>", n)
		}
		b.WriteString("</licenses></project>")
		return []byte(b.String())
	}
	props := func(g, a, v string) []byte {
		return []byte("groupId=" + g + "\nartifactId=" + a + "\nversion=" + v + "\n")
	}
	nested := zipOf(t, map[string][]byte{
		"META-INF/maven/org.slf4j/slf4j-api/pom.properties": props("org.slf4j", "slf4j-api", "2.0.9"),
		"META-INF/maven/org.slf4j/slf4j-api/pom.xml":        pom("MIT License"),
	})
	jar := zipOf(t, map[string][]byte{
		"META-INF/maven/com.example/app/pom.properties":  props("com.example", "app", "1.0.0"),
		"META-INF/maven/com.example/app/pom.xml":         pom("The Apache License, Version 2.0", "${license.name}", "EPL-2.0"),
		"META-INF/maven/com.example/bare/pom.properties": props("com.example", "bare", "1.0.0"),
		"META-INF/maven/com.example/bare/pom.xml":        []byte(`<project><parent><artifactId>p</artifactId></parent></project>`),
		"BOOT-INF/lib/slf4j-api-2.0.9.jar":               nested,
	})
	inv, err := FromImage(context.Background(), image(t, layerTar(t, file{name: "app/app.jar", body: string(jar)})))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range inv.Packages {
		got = append(got, fmt.Sprintf("%s %q", p.Name, p.Licenses))
	}
	check(t, got,
		`com.example:app ["The Apache License, Version 2.0" "EPL-2.0"]`,
		`com.example:bare []`,
		`org.slf4j:slf4j-api ["MIT"]`,
	)
}

func TestNpmAndPythonLicenses(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`{"license": "MIT"}`, []string{"MIT"}},
		{`{"license": {"type": "BSD-3-Clause"}}`, []string{"BSD-3-Clause"}},
		{`{"licenses": [{"type": "MIT"}, {"url": "x"}, 7, null]}`, []string{"MIT"}},
		{`{"license": ["MIT", "Zlib"]}`, []string{"MIT", "Zlib"}},
		{`{"license": null}`, nil},
		{`{"license": 12}`, nil},
		{`not json`, nil},
	} {
		if got := npmLicenses([]byte(tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("npmLicenses(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("Permission is hereby granted ", 10)
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Name: x\nLicense-Expression: MIT\nLicense: BSD\n", []string{"MIT"}},
		{"Name: x\nLicense: BSD\nClassifier: License :: OSI Approved :: MIT License\n", []string{"BSD"}},
		{"Name: x\nLicense: " + long + "\nClassifier: License :: OSI Approved :: MIT License\n", []string{"MIT License"}},
		{"Name: x\nLicense: UNKNOWN\nClassifier: License :: OSI Approved\n", nil},
		{"Name: x\n\nLicense: in the description\n", nil},
		{"not a header at all", nil},
	} {
		if got := pythonLicenses([]byte(tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("pythonLicenses(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCycloneDXLicenseIDs: the identifiers written as license.id are the
// CycloneDX 1.6 schema's (internal/sbomschema's copy of spdx.schema.json).
func TestCycloneDXLicenseIDs(t *testing.T) {
	b, err := os.ReadFile("../../internal/sbomschema/testdata/spdx.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Enum []string }
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(cyclonedxLicenseIDList); !slices.Equal(got, s.Enum) {
		t.Errorf("cyclonedx-license-ids.txt has %d identifiers, the schema %d: refresh it from the schema", len(got), len(s.Enum))
	}
}

// FuzzCopyright: any copyright file reads without a panic or an error;
// each license is trimmed, non-empty, once, at most a line long; and
// normalizing it gives an expression go-spdx accepts or the name again.
func FuzzCopyright(f *testing.F) {
	f.Add(dep5Header + "License: GPL-2+\n\nFiles: *\nCopyright: A\nLicense: GPL-2+ or Artistic-2.0, and BSD-3-clause\n text\n\nLicense: MIT\n")
	f.Add("see /usr/share/common-licenses/GPL-2.\nLicense: (MIT or Zlib) and ISC with LLVM-exception\n")
	f.Add("License: ((((((((((MIT))))))))))\nLicense: a, or b, and c or d and (e)\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := readCopyright(strings.NewReader(text), bufio.NewReaderSize(nil, maxCopyrightLine))
		if err != nil {
			t.Fatal(err)
		}
		ls := slices.Concat(c.Declared, c.LicenseLines, c.References)
		for _, part := range [][]string{c.Declared, c.LicenseLines, c.References, c.Licenses()} {
			if len(part) > 0 && len(slices.Compact(slices.Sorted(slices.Values(part)))) != len(part) {
				t.Fatalf("repeated license in %q", part)
			}
		}
		for _, l := range ls {
			if l == "" || l != strings.TrimSpace(l) || len(l) > maxCopyrightLine {
				t.Fatalf("license %q in %q", l, ls)
			}
			n := normalizeLicense(l)
			switch {
			case isSPDX(n):
				if ok, bad := spdxexp.ValidateLicenses([]string{n}); !ok {
					t.Fatalf("normalizeLicense(%q) = %q, which go-spdx refuses: %v", l, n, bad)
				}
			case n != strings.Join(strings.Fields(l), " "):
				t.Fatalf("normalizeLicense(%q) = %q: neither SPDX nor the name", l, n)
			}
			if normalizeLicense(n) != n {
				t.Fatalf("normalizeLicense(%q) = %q, and of that %q", l, n, normalizeLicense(n))
			}
		}
		if len(ls) > bytes.Count([]byte(text), []byte("\n"))*3+3 {
			t.Fatalf("%d licenses of %d lines", len(ls), strings.Count(text, "\n")+1)
		}
	})
}
