package sbom

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slimship/slimship/internal/sbomschema"
)

// richInventory has a package of every kind slimship lists, with the odd
// characters real databases hold (and some they should not), empty
// fields, multi-arch twins and a package listed twice.
func richInventory() *Inventory {
	osi := OSInfo{ID: "debian", VersionID: "12", VersionCodename: "bookworm", PrettyName: `Debian GNU/Linux 12 "bookworm" (ünïcødé)`}
	d1 := "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2 := "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	ps := []Package{
		{Type: "deb", Ecosystem: "Debian:12", Name: "libssl3", Version: "3.0.11-1~deb12u2+b1", Arch: "amd64", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u2", Layer: 0, LayerDigest: d1, Path: "/var/lib/dpkg/status", Instruction: "ADD rootfs.tar.xz / # buildkit",
			Licenses: []string{"Apache-2.0"}},
		// multi-arch: same name, version and database, two architectures
		{Type: "deb", Ecosystem: "Debian:12", Name: "libc6", Version: "2.36-9+deb12u4", Arch: "amd64", SourceName: "glibc", Layer: 0, LayerDigest: d1, Path: "/var/lib/dpkg/status",
			Licenses: []string{"LGPL-2.1-only", "GPL-2.0-only", "public-domain"}},
		{Type: "deb", Ecosystem: "Debian:12", Name: "libc6", Version: "2.36-9+deb12u4", Arch: "i386", SourceName: "glibc", Layer: 0, LayerDigest: d1, Path: "/var/lib/dpkg/status"},
		{Type: "deb", Ecosystem: "Debian:12", Name: "libstdc++6", Version: "1:12.2.0-14", Arch: "amd64", SourceName: "gcc-12", SourceVersion: "12.2.0-14", Layer: 0, LayerDigest: d1, Path: "/var/lib/dpkg/status",
			// an expression beside names; names that sanitize alike
			Licenses: []string{"GPL-3.0-or-later WITH GCC-exception-3.1", "GPL-3+ with Bison exception", "GPL-3+ with Bison exception.", "public-domain", "public domain", "ünïcødé\tlicence \"x\"", "LicenseRef-x"}},
		// a corrupt database lists a package twice
		{Type: "deb", Ecosystem: "Debian:12", Name: "tzdata", Version: "2024a-0+deb12u1", Arch: "all", Layer: 1, LayerDigest: d2, Path: "/var/lib/dpkg/status.d/tzdata"},
		{Type: "deb", Ecosystem: "Debian:12", Name: "tzdata", Version: "2024a-0+deb12u1", Arch: "all", Layer: 1, LayerDigest: d2, Path: "/var/lib/dpkg/status.d/tzdata"},
		{Licenses: []string{"MIT AND BSD-2-Clause"}, Type: "apk", Ecosystem: "Alpine:v3.20", Name: "musl-utils", Version: "1.2.5-r0", Arch: "x86_64", SourceName: "musl", SourceVersion: "1.2.5-r0", Layer: 1, LayerDigest: d2, Path: "/lib/apk/db/installed"},
		// an identifier newer than the CycloneDX schema's list, and an "or later" one
		{Licenses: []string{"Apache-2.0 OR MIT", "3D-Slicer-1.0", "MPL-1.1+"}, Type: "rpm", Ecosystem: "Rocky Linux:9", Name: "openssl-libs", Version: "1:3.0.7-27.el9", Arch: "x86_64", SourceName: "openssl-3.0.7-27.el9.src.rpm", Layer: 1, LayerDigest: d2, Path: "/var/lib/rpm/rpmdb.sqlite"},
		{Type: "golang", Ecosystem: "Go", Name: "stdlib", Version: "1.22.1", Layer: 2, Path: "/app/server", Instruction: "COPY --from=build /out/server /app/server"},
		{Type: "golang", Ecosystem: "Go", Name: "example.com/app", Version: "(devel)", Layer: 2, Path: "/app/server"},
		{Type: "golang", Ecosystem: "Go", Name: "github.com/Foo/Bar/v2", Version: "v2.0.0-20240101000000-abcdef123456+incompatible", Layer: 2, Path: "/app/server"},
		{Licenses: []string{"MIT"}, Type: "npm", Ecosystem: "npm", Name: "@babel/core", Version: "7.24.0-beta.1+build.5", Layer: 2, Path: "/app/node_modules/@babel/core/package.json"},
		{Licenses: []string{"SEE LICENSE IN LICENSE.md", "3D-Slicer-1.0"}, Type: "npm", Ecosystem: "npm", Name: "weird name#?@%/x", Version: "1.0 beta/2#3", Layer: 2, Path: "/app/node_modules/weird/package.json"},
		{Type: "pypi", Ecosystem: "PyPI", Name: "Flask_Login", Version: "0.6.3", Layer: 2, Path: "/usr/lib/python3/site-packages/Flask_Login-0.6.3.dist-info/METADATA"},
		{Type: "pypi", Ecosystem: "PyPI", Name: "ünïcødé-pkg", Version: "版本1", Layer: 2, Path: "/usr/lib/python3/site-packages/x.egg-info/PKG-INFO"},
		{Licenses: []string{"The Apache License, Version 2.0"}, Type: "maven", Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "2.17.1", Layer: 2, Path: "/opt/app.war"},
		{Type: "cargo", Ecosystem: "crates.io", Name: "serde", Version: "1.0.197", Layer: 2, Path: "/usr/bin/rustapp"},
		// empty fields: no version, no layer (a directory), no path
		{Type: "npm", Ecosystem: "npm", Name: "no-version", Layer: -1},
		// control characters and a newline in a field
		{Type: "pypi", Ecosystem: "PyPI", Name: "tab\tname", Version: "1\n2", Layer: 2, Path: "/x\x01y", Instruction: "RUN a &&\\\n\tb"},
	}
	inv := &Inventory{OS: osi, Packages: ps, Warnings: []string{"/var/lib/rpm/Packages: corrupt"}}
	for i := range inv.Packages {
		inv.Packages[i].PURL = PURL(osi, inv.Packages[i])
	}
	sortPackages(inv.Packages)
	return inv
}

// TestDocumentsMatchSchemas: CycloneDX 1.6 and SPDX 2.3 documents of a
// rich inventory, of an empty one and of an image with every database
// kind validate against their schemas (internal/sbomschema).
func TestDocumentsMatchSchemas(t *testing.T) {
	if sbomschema.OfficialSPDX(t) {
		t.Log("SPDX documents are checked against the official SPDX 2.3 schema too")
	}
	metas := []Meta{
		sampleMeta,
		{Name: "", Created: time.Unix(0, 0)},
		{Name: "registry.example.com:5000/team/app@sha256:abc", Tool: "slimship", ToolVersion: "v1.2.3-dirty+meta", Created: time.Date(2024, 2, 29, 23, 59, 59, 0, time.FixedZone("x", 3600))},
		{Name: "./dir with spaces/ünïcødé#frag?q", Tool: "slimship", Created: time.Unix(1700000000, 0)},
	}
	invs := map[string]*Inventory{
		"rich":          richInventory(),
		"empty":         {Packages: []Package{}},
		"no os":         {Packages: richInventory().Packages},
		"os, no pretty": {OS: OSInfo{ID: "alpine"}, Packages: []Package{}},
		"every kind":    everyKindInventory(t),
	}
	for name, inv := range invs {
		for i, m := range metas {
			var cdx, spdx bytes.Buffer
			if err := WriteCycloneDX(&cdx, inv, m); err != nil {
				t.Fatal(err)
			}
			if err := WriteSPDX(&spdx, inv, m); err != nil {
				t.Fatal(err)
			}
			t.Run(name+"/"+string(rune('a'+i)), func(t *testing.T) {
				sbomschema.CycloneDX(t, cdx.Bytes())
				sbomschema.SPDX(t, spdx.Bytes())
				if t.Failed() && testing.Verbose() {
					t.Logf("CycloneDX:\n%s\nSPDX:\n%s", cdx.String(), spdx.String())
				}
			})
		}
	}
}

// everyKindInventory extracts an image holding a database or file of
// every kind the collector reads.
func everyKindInventory(t *testing.T) *Inventory {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "rpmdb.sqlite")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO Packages (blob) VALUES (?)", rpmHeader(map[int32]string{1000: "bash", 1001: "5.1.8", 1002: "9.el9", 1014: "GPLv3+", 1022: "x86_64", 1044: "bash-5.1.8-9.el9.src.rpm"}, nil)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	rpmdb, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	jar := zipOf(t, map[string][]byte{"META-INF/maven/org.example/lib/pom.properties": []byte("groupId=org.example\nartifactId=lib\nversion=1.2.3\n"),
		"META-INF/maven/org.example/lib/pom.xml": []byte("<project><licenses><license><name>Apache-2.0</name></license><license><name>Sleepycat-like</name></license></licenses></project>")})
	files := []file{
		{name: "etc/os-release", body: debianRelease},
		{name: "var/lib/dpkg/status", body: dpkgStatus},
		{name: "lib/apk/db/installed", body: strings.Replace(apkInstalled, "P:musl\n", "P:musl\nL:MIT\n", 1)},
		{name: "usr/share/doc/libc6/copyright", body: dep5Header + "\nFiles: *\nCopyright: FSF\nLicense: LGPL-2.1+ or public-domain\n"},
		{name: "usr/share/doc/libssl3/copyright", body: dep5Header + "\nFiles: *\nCopyright: OpenSSL\nLicense: Apache-2.0\n\nFiles: x\nCopyright: y\nLicense: GPL-2+ or BSD-3-clause\n"},
		{name: "var/lib/rpm/rpmdb.sqlite", body: string(rpmdb)},
		{name: "app/node_modules/@scope/x/package.json", body: `{"name": "@scope/x", "version": "1.0.0-rc.1", "license": "(MIT OR Apache-2.0)"}`},
		{name: "usr/lib/python3/site-packages/Zope.Interface-5.0.dist-info/METADATA", body: "Metadata-Version: 2.1\nName: Zope.Interface\nVersion: 5.0\nClassifier: License :: OSI Approved :: Zope Public License\n"},
		{name: "opt/lib.jar", body: string(jar)},
	}
	if bin := helloBinaryOrNil(t); bin != nil {
		files = append(files, file{name: "usr/local/bin/hello", body: string(bin), mode: 0o755})
	}
	inv, err := FromImage(context.Background(), image(t, layerTar(t, files...)))
	if err != nil {
		t.Fatal(err)
	}
	kinds, licensed := map[string]bool{}, map[string]bool{}
	for _, p := range inv.Packages {
		kinds[p.Type] = true
		licensed[p.Type] = licensed[p.Type] || len(p.Licenses) > 0
	}
	for _, k := range []string{"deb", "apk", "rpm", "npm", "pypi", "maven"} {
		if !licensed[k] {
			t.Errorf("no %s package has a license: %v", k, inv.Packages)
		}
	}
	for _, k := range []string{"deb", "apk", "rpm", "npm", "pypi", "maven"} {
		if !kinds[k] {
			t.Errorf("no %s package extracted: %v", k, names(inv))
		}
	}
	return inv
}

// helloBinaryOrNil is helloBinary without failing the caller: the schema
// test runs without a Go toolchain too.
func helloBinaryOrNil(t *testing.T) []byte {
	var bin []byte
	t.Run("go build", func(t *testing.T) { bin = helloBinary(t) })
	return bin
}

// TestDocumentIDsAreUniqueAndStable: multi-arch twins and a package
// listed twice get distinct bom-refs and SPDX IDs, the same on every run.
func TestDocumentIDsAreUniqueAndStable(t *testing.T) {
	a, b := refs(richInventory().Packages), refs(richInventory().Packages)
	seen := map[string]bool{}
	for i, r := range a {
		if seen[r] {
			t.Errorf("ref %s twice", r)
		}
		seen[r] = true
		if b[i] != r {
			t.Errorf("ref %d: %s then %s", i, r, b[i])
		}
		if strings.Trim(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != "" {
			t.Errorf("ref %q is not usable in an SPDX ID", r)
		}
	}
}
