package inventory

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/slimship/slimship/pkg/vuln/match"
)

func TestFromPURL(t *testing.T) {
	cases := []struct {
		purl string
		want match.Package
	}{
		{"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
			match.Package{Ecosystem: "Debian:12", Name: "libssl3", Version: "3.0.11-1~deb12u2", SourceName: "openssl"}},
		{"pkg:deb/debian/libc6@2.36-9?distro=bookworm&upstream=glibc%402.36-9",
			match.Package{Ecosystem: "Debian:12", Name: "libc6", Version: "2.36-9", SourceName: "glibc", SourceVersion: "2.36-9"}},
		{"pkg:apk/alpine/musl-utils@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3&origin=musl",
			match.Package{Ecosystem: "Alpine:v3.20", Name: "musl-utils", Version: "1.2.5-r0", SourceName: "musl"}},
		{"pkg:golang/stdlib@go1.22.1", match.Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.22.1"}},
		{"pkg:golang/golang.org/x/net@v0.6.0", match.Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.6.0"}},
		// Go module paths keep their case (packageurl-go lowercases them);
		// the binary's platform comes from goos/goarch.
		{"pkg:golang/github.com/0xERR0R/blocky@v0.28.0?goarch=arm64&goos=windows",
			match.Package{Ecosystem: "Go", Name: "github.com/0xERR0R/blocky", Version: "v0.28.0", GOOS: "windows", GOARCH: "arm64"}},
		{"pkg:golang/github.com/BurntSushi/to%6Dl@v0.3.1", match.Package{Ecosystem: "Go", Name: "github.com/BurntSushi/toml", Version: "v0.3.1"}},
		{"pkg:npm/%40babel/core@7.0.0", match.Package{Ecosystem: "npm", Name: "@babel/core", Version: "7.0.0"}},
		{"pkg:pypi/urllib3@1.25.3", match.Package{Ecosystem: "PyPI", Name: "urllib3", Version: "1.25.3"}},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", match.Package{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "2.17.1"}},
		{"pkg:cargo/smallvec@1.6.0", match.Package{Ecosystem: "crates.io", Name: "smallvec", Version: "1.6.0"}},
	}
	for _, c := range cases {
		got, err := FromPURL(c.purl)
		if err != nil || got != c.want {
			t.Errorf("FromPURL(%s) = %+v, %v; want %+v", c.purl, got, err, c.want)
		}
	}
	for _, bad := range []string{"pkg:npm/left-pad", "not a purl", "pkg:unknowntype/x@1"} {
		if _, err := FromPURL(bad); err == nil {
			t.Errorf("FromPURL(%s) accepted", bad)
		}
	}
}

func TestRead(t *testing.T) {
	cdx := `{"bomFormat":"CycloneDX","components":[{"purl":"pkg:npm/lodash@4.17.20","components":[{"purl":"pkg:pypi/urllib3@1.25.3"}]},{"purl":"pkg:npm/nover"},{"name":"no purl"}]}`
	pkgs, skipped, err := Read(strings.NewReader(cdx))
	if err != nil || len(pkgs) != 2 || len(skipped) != 1 {
		t.Fatalf("cyclonedx: %v %v %v", pkgs, skipped, err)
	}
	spdx := `{"spdxVersion":"SPDX-2.3","packages":[{"name":"lodash","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/lodash@4.17.20"}]}]}`
	pkgs, _, err = Read(strings.NewReader(spdx))
	if err != nil || len(pkgs) != 1 || pkgs[0].Name != "lodash" {
		t.Fatalf("spdx: %v %v", pkgs, err)
	}
	own := `{"packages":[{"ecosystem":"Debian:12","name":"libc6","version":"2.36-9","sourceName":"glibc","purl":"pkg:deb/debian/libc6@2.36-9"}]}`
	pkgs, _, err = Read(strings.NewReader(own))
	if err != nil || len(pkgs) != 1 || pkgs[0].SourceName != "glibc" {
		t.Fatalf("slimship: %v %v", pkgs, err)
	}
	for _, bad := range []string{`{"hello":1}`, `[`, ``} {
		if _, _, err := Read(strings.NewReader(bad)); err == nil {
			t.Errorf("Read(%q) accepted", bad)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"bomFormat":"CycloneDX","components":[{"purl":"pkg:deb/debian/a@1?distro=debian-12&upstream=b%401"}]}`)
	f.Add(`{"spdxVersion":"SPDX-2.3","packages":[{"externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/a@1?distro=alpine-3"}]}]}`)
	f.Add(`{"packages":[{"ecosystem":"Debian:12","name":"libc6","version":"2.36-9","sourceName":"glibc"}]}`)
	f.Add(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","purl":"pkg:deb/debian/x@1?epoch=2","properties":[{"name":"aquasecurity:trivy:SrcName","value":"y"}]}]}`)
	f.Add(`{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}`)
	f.Add("{\n\"components\": [{\"purl\": 5}]}")
	f.Add("<bom/>")
	f.Add("SPDXVersion: SPDX-2.3\n")
	f.Add("")
	for _, name := range []string{"trivy-cyclonedx.json", "syft-spdx.json", "syft-cyclonedx.json"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		pkgs, _, err := Read(strings.NewReader(s))
		if err != nil && pkgs != nil {
			t.Fatal("packages with an error")
		}
		for _, p := range pkgs {
			if p.Ecosystem == "" || p.Name == "" && p.Ecosystem != "Maven" {
				t.Fatalf("package without ecosystem or name: %+v", p)
			}
		}
	})
}

func FuzzPosition(f *testing.F) {
	f.Add([]byte("{\n\n}"), int64(3))
	f.Add([]byte(""), int64(-1))
	f.Fuzz(func(t *testing.T, b []byte, off int64) {
		line, col := position(b, off)
		if line < 1 || col < 1 || line > bytes.Count(b, []byte("\n"))+1 || col > len(b)+1 {
			t.Fatalf("position(%q, %d) = %d, %d", b, off, line, col)
		}
	})
}
