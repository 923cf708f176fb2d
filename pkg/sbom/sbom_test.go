package sbom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// file is a tar entry: a name ending in / is a directory; link "->x"
// makes a symlink; mode 0 means 0644.
type file struct {
	name string
	body string
	mode int64
	link string
}

func layerTar(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range files {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.body)), ModTime: time.Unix(0, 0)}
		if e.mode != 0 {
			h.Mode = e.mode
		}
		switch {
		case strings.HasSuffix(e.name, "/"):
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		case strings.HasPrefix(e.link, "->"):
			h.Typeflag, h.Size, h.Linkname = tar.TypeSymlink, 0, e.link[2:]
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := io.WriteString(tw, e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func image(t testing.TB, layers ...[]byte) v1.Image {
	t.Helper()
	img := empty.Image
	for i, b := range layers {
		b := b
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			t.Fatal(err)
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: fmt.Sprintf("RUN step %d", i)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return img
}

const debianRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`

const dpkgStatus = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2+b1
`

func names(inv *Inventory) []string {
	var s []string
	for _, p := range inv.Packages {
		s = append(s, fmt.Sprintf("%s %s@%s src=%s@%s layer=%d %s %s %s", p.Type, p.Name, p.Version, p.SourceName, p.SourceVersion, p.Layer, p.Path, p.Ecosystem, p.PURL))
	}
	return s
}

func check(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("packages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDpkgFinalFilesystem(t *testing.T) {
	l0 := layerTar(t, file{name: "etc/"}, file{name: "etc/os-release", link: "->../usr/lib/os-release"},
		file{name: "usr/lib/os-release", body: debianRelease},
		file{name: "var/lib/dpkg/status", body: "Package: old\nStatus: install ok installed\nVersion: 0.1\n"})
	// Layer 1 rewrites the status file; layer 2 adds distroless-style
	// entries, one of which layer 3 deletes.
	l1 := layerTar(t, file{name: "var/lib/dpkg/status", body: dpkgStatus})
	l2 := layerTar(t, file{name: "var/lib/dpkg/status.d/"},
		file{name: "var/lib/dpkg/status.d/tzdata", body: "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"},
		file{name: "var/lib/dpkg/status.d/tzdata.md5sums", body: "abc  usr/share/zoneinfo/UTC\n"},
		file{name: "var/lib/dpkg/status.d/gone", body: "Package: gone\nVersion: 1\n"})
	l3 := layerTar(t, file{name: "var/lib/dpkg/status.d/.wh.gone"})
	inv, err := FromImage(context.Background(), image(t, l0, l1, l2, l3))
	if err != nil {
		t.Fatal(err)
	}
	if inv.OS.ID != "debian" || inv.OS.VersionID != "12" || inv.OS.VersionCodename != "bookworm" {
		t.Errorf("os %+v", inv.OS)
	}
	check(t, names(inv),
		"deb libc6@2.36-9+deb12u4 src=glibc@ layer=1 /var/lib/dpkg/status Debian:12 pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc",
		"deb libssl3@3.0.11-1~deb12u2+b1 src=openssl@3.0.11-1~deb12u2 layer=1 /var/lib/dpkg/status Debian:12 pkg:deb/debian/libssl3@3.0.11-1~deb12u2%2Bb1?arch=amd64&distro=debian-12&upstream=openssl%403.0.11-1~deb12u2",
		"deb tzdata@2024a-0+deb12u1 src=@ layer=2 /var/lib/dpkg/status.d/tzdata Debian:12 pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
	)
	for _, p := range inv.Packages {
		if p.LayerDigest == "" || !strings.HasPrefix(p.LayerDigest, "sha256:") {
			t.Errorf("%s: layer digest %q", p.Name, p.LayerDigest)
		}
	}
}

const apkInstalled = `C:Q1abc=
P:musl
V:1.1.24-r2
A:x86_64
o:musl
m:Timo Teräs <timo.teras@iki.fi>

C:Q1def=
P:libcrypto1.1
V:1.1.1g-r0
A:x86_64
o:openssl

`

func TestApkAndOpaqueDir(t *testing.T) {
	l0 := layerTar(t, file{name: "etc/os-release", body: "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.11.5\n"},
		file{name: "lib/apk/db/installed", body: apkInstalled},
		file{name: "var/lib/dpkg/status", body: "Package: stray\nStatus: install ok installed\nVersion: 1\n"})
	// Layer 1 makes /var/lib opaque: the lower dpkg database is gone.
	l1 := layerTar(t, file{name: "var/lib/"}, file{name: "var/lib/.wh..wh..opq"})
	inv, err := FromImage(context.Background(), image(t, l0, l1))
	if err != nil {
		t.Fatal(err)
	}
	check(t, names(inv),
		"apk libcrypto1.1@1.1.1g-r0 src=openssl@1.1.1g-r0 layer=0 /lib/apk/db/installed Alpine:v3.11 pkg:apk/alpine/libcrypto1.1@1.1.1g-r0?arch=x86_64&distro=alpine-3.11.5",
		"apk musl@1.1.24-r2 src=musl@1.1.24-r2 layer=0 /lib/apk/db/installed Alpine:v3.11 pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=alpine-3.11.5",
	)
}

var (
	goBinOnce sync.Once
	goBin     []byte
	goBinErr  error
)

// helloBinary builds a tiny Go program (standard library only).
func helloBinary(t *testing.T) []byte {
	t.Helper()
	goBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sbom-hello")
		if err != nil {
			goBinErr = err
			return
		}
		defer os.RemoveAll(dir)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/hello\n\ngo 1.22\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { println(\"hi\") }\n"), 0o644)
		cmd := exec.Command("go", "build", "-trimpath", "-o", "hello", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOOS=linux")
		if out, err := cmd.CombinedOutput(); err != nil {
			goBinErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		goBin, goBinErr = os.ReadFile(filepath.Join(dir, "hello"))
	})
	if goBinErr != nil {
		t.Skip(goBinErr)
	}
	return goBin
}

func TestGoBinary(t *testing.T) {
	bin := string(helloBinary(t))
	l0 := layerTar(t, file{name: "usr/local/bin/"}, file{name: "usr/local/bin/old", body: bin, mode: 0o755},
		file{name: "usr/local/bin/notexec", body: bin})
	l1 := layerTar(t, file{name: "usr/local/bin/"}, file{name: "usr/local/bin/.wh..wh..opq"},
		file{name: "usr/local/bin/hello", body: bin, mode: 0o755})
	inv, err := FromImage(context.Background(), image(t, l0, l1))
	if err != nil {
		t.Fatal(err)
	}
	gov := strings.TrimPrefix(runtime.Version(), "go")
	gov, _, _ = strings.Cut(gov, " ")
	// The binary's platform (built with GOOS=linux) is in every purl.
	plat := "?goarch=" + runtime.GOARCH + "&goos=linux"
	check(t, names(inv),
		"golang example.com/hello@(devel) src=@ layer=1 /usr/local/bin/hello Go pkg:golang/example.com/hello@%28devel%29"+plat,
		"golang stdlib@v"+gov+" src=@ layer=1 /usr/local/bin/hello Go pkg:golang/stdlib@v"+gov+plat,
	)
}

func TestFromDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "var/lib/dpkg"), 0o755)
	os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
	os.WriteFile(filepath.Join(dir, "etc/os-release"), []byte(debianRelease), 0o644)
	os.WriteFile(filepath.Join(dir, "var/lib/dpkg/status"), []byte(dpkgStatus), 0o644)
	inv, err := FromDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) != 2 || inv.Packages[0].Layer != -1 || inv.Packages[0].Ecosystem != "Debian:12" {
		t.Errorf("%v", names(inv))
	}
}

func TestParseOSRelease(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want OSInfo
	}{
		{debianRelease, OSInfo{ID: "debian", VersionID: "12", VersionCodename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)"}},
		{"ID='alpine'\n# c\nVERSION_ID=3.19.1\nbroken line\n", OSInfo{ID: "alpine", VersionID: "3.19.1"}},
		{"ID=\"ubuntu\"\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"a \\\"q\\\"\"", OSInfo{ID: "ubuntu", VersionID: "22.04", PrettyName: `a "q"`}},
	} {
		if got := ParseOSRelease([]byte(tc.in)); got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func FuzzParseOSRelease(f *testing.F) {
	f.Add([]byte(debianRelease))
	f.Add([]byte("ID='x\nVERSION_ID=\"\n="))
	f.Add([]byte("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.11.5\nPRETTY_NAME=\"Alpine Linux v3.11\"\nHOME_URL=\"https://alpinelinux.org/\"\n"))
	f.Add([]byte("NAME=\"Rocky Linux\"\r\nID=\"rocky\"\r\nID_LIKE=\"rhel centos fedora\"\r\nVERSION_ID=\"9.3\"\r\n"))
	f.Add([]byte("ID=ubuntu\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"a \\\"q\\\" \\$x \\\\ b\"\n# comment\n  ID = spaced \n"))
	f.Add([]byte("ID=\"\nID='\nID=\"unterminated\nVERSION_ID=\"\\xff\"\n"))
	f.Add([]byte("ID=wolfi\nVERSION_ID=20230201\nID=chainguard\n" + strings.Repeat("X", 70000) + "\nID=debian\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o := ParseOSRelease(b)
		for _, e := range []string{"deb", "apk"} {
			_ = osEcosystem(o, e)
		}
	})
}

func TestPythonNpmAndInstruction(t *testing.T) {
	l0 := layerTar(t,
		file{name: "usr/lib/python3/site-packages/Flask_Login-0.6.3.dist-info/METADATA", body: "Metadata-Version: 2.1\nName: Flask_Login\nVersion: 0.6.3\n\nbody\n"},
		file{name: "usr/lib/python3/site-packages/six-1.16.0.egg-info/PKG-INFO", body: "Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n"},
		file{name: "app/node_modules/lodash/package.json", body: `{"name": "lodash", "version": "4.17.21"}`},
		file{name: "app/node_modules/@babel/core/package.json", body: `{"name": "@babel/core", "version": "7.24.0"}`},
		file{name: "app/package.json", body: `{"name": "myapp", "version": "1.0.0"}`})
	inv, err := FromImage(context.Background(), image(t, l0))
	if err != nil {
		t.Fatal(err)
	}
	check(t, names(inv),
		"npm @babel/core@7.24.0 src=@ layer=0 /app/node_modules/@babel/core/package.json npm pkg:npm/%40babel/core@7.24.0",
		"npm lodash@4.17.21 src=@ layer=0 /app/node_modules/lodash/package.json npm pkg:npm/lodash@4.17.21",
		"pypi Flask_Login@0.6.3 src=@ layer=0 /usr/lib/python3/site-packages/Flask_Login-0.6.3.dist-info/METADATA PyPI pkg:pypi/flask-login@0.6.3",
		"pypi six@1.16.0 src=@ layer=0 /usr/lib/python3/site-packages/six-1.16.0.egg-info/PKG-INFO PyPI pkg:pypi/six@1.16.0",
	)
	for _, p := range inv.Packages {
		if p.Instruction != "RUN step 0" {
			t.Errorf("%s: instruction %q", p.Name, p.Instruction)
		}
	}
}

func TestUnreadableDatabaseIsAWarning(t *testing.T) {
	l0 := layerTar(t, file{name: "var/lib/dpkg/status", body: "Package: x\nStatus: install ok installed\nVersion: 1\nSource: a (b\n"})
	inv, err := FromImage(context.Background(), image(t, l0))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Warnings) != 1 || !strings.HasPrefix(inv.Warnings[0], "/var/lib/dpkg/status: ") || len(inv.Packages) != 0 {
		t.Errorf("warnings %q packages %v", inv.Warnings, names(inv))
	}
}

// TestRustAuditable adds a cargo-auditable .dep-v0 section to an ELF
// (the test's Go binary, with objcopy) and expects its runtime crates.
func TestRustAuditable(t *testing.T) {
	objcopy, err := exec.LookPath("objcopy")
	if err != nil {
		t.Skip("objcopy not installed")
	}
	dir := t.TempDir()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	io.WriteString(zw, `{"packages":[{"name":"app","version":"0.1.0","source":"local","kind":"runtime","root":true,"dependencies":[1]},`+
		`{"name":"serde","version":"1.0.197","source":"crates.io","kind":"runtime"},{"name":"cc","version":"1.0.90","source":"crates.io","kind":"build"}]}`)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "dep"), z.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "in"), helloBinary(t), 0o755)
	// strip Go's build info so only the Rust metadata speaks
	cmd := exec.Command(objcopy, "--remove-section=.go.buildinfo", "--add-section", ".dep-v0="+filepath.Join(dir, "dep"), filepath.Join(dir, "in"), filepath.Join(dir, "out"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("objcopy: %v %s", err, out)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := FromImage(context.Background(), image(t, layerTar(t, file{name: "usr/bin/app", body: string(bin), mode: 0o755})))
	if err != nil {
		t.Fatal(err)
	}
	check(t, names(inv),
		"cargo app@0.1.0 src=@ layer=0 /usr/bin/app crates.io pkg:cargo/app@0.1.0",
		"cargo serde@1.0.197 src=@ layer=0 /usr/bin/app crates.io pkg:cargo/serde@1.0.197",
	)
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, err := zw.Create(k)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[k])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJavaNestedArchive(t *testing.T) {
	inner := zipOf(t, map[string][]byte{
		"META-INF/maven/com.fasterxml.jackson.core/jackson-core/pom.properties": []byte("groupId=com.fasterxml.jackson.core\nartifactId=jackson-core\nversion=2.15.2\n"),
	})
	war := zipOf(t, map[string][]byte{
		"META-INF/MANIFEST.MF":                             []byte("Manifest-Version: 1.0\n"),
		"META-INF/maven/org.example/webapp/pom.properties": []byte("groupId=org.example\nartifactId=webapp\nversion=1.2.3\n"),
		"WEB-INF/lib/jackson-core-2.15.2.jar":              inner,
		"padding.txt":                                      bytes.Repeat([]byte("x"), 1024),
	})
	inv, err := FromImage(context.Background(), image(t, layerTar(t, file{name: "opt/app/app.war", body: string(war)})))
	if err != nil {
		t.Fatal(err)
	}
	check(t, names(inv),
		"maven com.fasterxml.jackson.core:jackson-core@2.15.2 src=@ layer=0 /opt/app/app.war Maven pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.2",
		"maven org.example:webapp@1.2.3 src=@ layer=0 /opt/app/app.war Maven pkg:maven/org.example/webapp@1.2.3",
	)
}

func FuzzPURL(f *testing.F) {
	f.Add("deb", "libc6", "1:2.36-9", "glibc", "debian", "12")
	f.Add("npm", "@scope/x", "1.0.0", "", "", "")
	f.Add("rpm", "bash", "1:5.1-9", "", "rocky", "9.3")
	f.Add("maven", "g:a", "1", "", "", "")
	f.Fuzz(func(t *testing.T, typ, name, version, src, id, vid string) {
		s := PURL(OSInfo{ID: id, VersionID: vid}, Package{Type: typ, Name: name, Version: version, SourceName: src})
		if typ != "" && s == "" {
			t.Errorf("empty purl for %q", typ)
		}
	})
}

func TestDirNpmLockfile(t *testing.T) {
	dir := t.TempDir()
	lock := `{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
  "": {"name": "app", "version": "1.0.0", "dependencies": {"lodash": "^4.17.21"}},
  "node_modules/lodash": {"version": "4.17.21", "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"}
}}`
	os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte(lock), 0o644)
	inv, err := FromDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	check(t, names(inv), "npm lodash@4.17.21 src=@ layer=-1 /package-lock.json npm pkg:npm/lodash@4.17.21")
	// In an image, a lockfile is not an installed package.
	inv, err = FromImage(context.Background(), image(t, layerTar(t, file{name: "app/package-lock.json", body: lock})))
	if err != nil || len(inv.Packages) != 0 {
		t.Errorf("image lockfile: %v %v", err, names(inv))
	}
}
