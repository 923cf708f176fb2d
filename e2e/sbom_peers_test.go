//go:build e2e

package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/slimship/slimship/internal/sbompeer"
	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/image/walk"
	"github.com/slimship/slimship/pkg/sbom"
)

// The packages the apt image installs: curl and ca-certificates, python3
// (python3-minimal, and python3-six, whose egg-info dpkg owns), a package
// built from another source (bsdextrautils from util-linux), epochs
// (procps and libproc2-0, 2:), and a Debian jar. procps is then removed
// but not purged, so dpkg keeps it in state config-files.
const aptContainerfile = `ARG BASE
FROM ${BASE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      curl ca-certificates python3-minimal python3-six procps bsdextrautils libcommons-lang3-java && \
    apt-get remove -y procps && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /opt/lib && cp /usr/share/java/commons-lang3.jar /opt/lib/commons-lang3-3.12.0.jar
COPY slimship /usr/local/bin/slimship
COPY app /app
COPY site /usr/local/lib/python3.11/dist-packages
COPY java /opt/java
RUN rm -r /app/node_modules/left-pad /usr/local/lib/python3.11/dist-packages/Foo_Bar-2.0.1.dist-info
`

// aptLanguageFiles are the language packages no OS package owns: npm
// packages (scoped, nested, the same one twice, the application's own
// manifest) and Python dist-info, egg-info (a file) and .egg directories;
// their licenses in every spelling: an SPDX identifier or expression, the
// legacy {"type"} object and licenses list, a Python License, License-
// Expression, License :: classifiers.
var aptLanguageFiles = map[string]string{
	"app/package.json":                                                 `{"name":"web-app","version":"0.1.0","license":"UNLICENSED","dependencies":{"left-pad":"^1.3.0"}}`,
	"app/node_modules/left-pad/package.json":                           `{"name":"left-pad","version":"1.3.0","license":"WTFPL"}`,
	"app/node_modules/@scope/thing/package.json":                       `{"name":"@scope/thing","version":"2.0.0-beta.1","license":{"type":"MIT","url":"https://example.com/mit"}}`,
	"app/node_modules/@scope/thing/node_modules/left-pad/package.json": `{"name":"left-pad","version":"1.1.3","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}`,
	"app/node_modules/dup-a/package.json":                              `{"name":"dup-a","version":"1.0.0","license":"(MIT OR Apache-2.0)"}`,
	"app/node_modules/dup-a/node_modules/ms/package.json":              `{"name":"ms","version":"2.1.3","license":"MIT"}`,
	"app/node_modules/ms/package.json":                                 `{"name":"ms","version":"2.1.3","license":"MIT"}`,
	"site/Foo_Bar-2.0.1.dist-info/METADATA":                            "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 2.0.1\nLicense: MIT\n",
	"site/zope.interface-6.0.dist-info/METADATA":                       "Metadata-Version: 2.1\nName: zope.interface\nVersion: 6.0\nLicense: ZPL 2.1\nClassifier: License :: OSI Approved :: Zope Public License\n",
	"site/legacy_pkg-0.9.egg-info": "Metadata-Version: 1.1\nName: legacy-pkg\nVersion: 0.9\n" +
		"Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: Apache Software License\n",
	"site/eggy-3.1-py3.11.egg/EGG-INFO/PKG-INFO": "Metadata-Version: 2.4\nName: eggy\nVersion: 3.1\nLicense-Expression: Apache-2.0 OR MIT\n",
}

// javaFiles are jars no OS package owns: a fat jar with a nested one,
// each with pom.properties and a pom.xml declaring its license; one named
// by its MANIFEST.MF only; one by its file name only.
func javaFiles(t *testing.T) map[string]string {
	pom := func(license string) string {
		return `<project xmlns="http://maven.apache.org/POM/4.0.0"><licenses><license><name>` + license + `</name></license></licenses></project>`
	}
	nested := zipString(t, map[string]string{
		"META-INF/maven/org.slf4j/slf4j-api/pom.properties": "groupId=org.slf4j\nartifactId=slf4j-api\nversion=2.0.9\n",
		"META-INF/maven/org.slf4j/slf4j-api/pom.xml":        pom("MIT License"),
	})
	return map[string]string{
		"java/app.jar": zipString(t, map[string]string{
			"META-INF/MANIFEST.MF":                          "Manifest-Version: 1.0\nMain-Class: com.example.Main\n\n",
			"META-INF/maven/com.example/app/pom.properties": "groupId=com.example\nartifactId=app\nversion=1.0.0\n",
			"META-INF/maven/com.example/app/pom.xml":        pom("Apache-2.0"),
			"BOOT-INF/lib/slf4j-api-2.0.9.jar":              nested,
		}),
		"java/manifest-only.jar": zipString(t, map[string]string{
			"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\nImplementation-Title: widget\nImplementation-Version: 4.5.6\nImplementation-Vendor-Id: com.example\n\n",
			"com/example/A.class":  "x",
		}),
		"java/gizmo-2.3.4.jar": zipString(t, map[string]string{"com/example/B.class": "x"}),
	}
}

func zipString(t *testing.T, files map[string]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// peerImage is a podman image and its docker-archive.
type peerImage struct {
	name, ref, archive string
	// dpkgRef is the image whose dpkg-query the SBOM must equal (ref, or
	// the image a distroless one took its status.d from).
	dpkgRef string
	// reasons are the explained differences with trivy the image must
	// show; licenseReasons those of the packages' licenses.
	reasons, licenseReasons []string
}

// TestSBOMPeers compares `slimship sbom` of three podman-built Debian
// images (the e2e base; one with apt packages and language packages on
// top, some deleted by a later layer; a distroless one, FROM scratch with
// one status.d file per package of the base) with dpkg-query inside the
// container and with trivy's SBOM: packages, and the licenses of the
// packages both list. SLIMSHIP_E2E_SBOM_ARCHIVES=DIR keeps the images'
// archives there (sbom-peers-NAME.tar) for bench/sbom-peers.sh.
func TestSBOMPeers(t *testing.T) {
	base := BaseImage(t)
	bin := Bin(t)
	work := t.TempDir()
	ctxDir := filepath.Join(work, "apt")
	writeFiles(t, ctxDir, map[string]string{"Containerfile": aptContainerfile})
	writeFiles(t, ctxDir, aptLanguageFiles)
	writeFiles(t, ctxDir, javaFiles(t))
	copyFile(t, bin, filepath.Join(ctxDir, "slimship"))
	const aptTag = "localhost/slimship-e2e-sbom-apt:test"
	PodmanBuild(t, ctxDir, aptTag)
	const distrolessTag = "localhost/slimship-e2e-sbom-distroless:test"
	PodmanBuild(t, distrolessContext(t, base, filepath.Join(work, "distroless")), distrolessTag)
	images := []peerImage{
		{name: "base", ref: base, dpkgRef: base, licenseReasons: []string{"dep5-license-texts", "doc-link", "trivy-table"}},
		{name: "apt", ref: aptTag, dpkgRef: aptTag, reasons: []string{"go-main-module", "go-stdlib", "jar-without-pom", "npm-manifest", "os-owned"},
			licenseReasons: []string{"dep5-license-texts", "doc-link", "license-text", "maven-pom-licenses", "npm-legacy-licenses", "python-classifiers", "trivy-table"}},
		{name: "distroless", ref: distrolessTag, dpkgRef: base},
	}
	keep := os.Getenv("SLIMSHIP_E2E_SBOM_ARCHIVES") // bench/sbom-peers.sh reads them
	for i := range images {
		images[i].archive = filepath.Join(work, images[i].name+".tar")
		PodmanSave(t, images[i].ref, images[i].archive)
		if keep != "" {
			copyFile(t, images[i].archive, filepath.Join(keep, "sbom-peers-"+images[i].name+".tar"))
		}
	}
	for _, im := range images {
		inv := slimshipSBOM(t, bin, im.archive)
		t.Run("dpkg-query/"+im.name, func(t *testing.T) { checkDpkgQuery(t, im, inv) })
		t.Run("trivy/"+im.name, func(t *testing.T) {
			trivy := Need(t, "SLIMSHIP_E2E_TRIVY", "trivy")
			r, lr := compareTrivy(t, trivy, im.archive, inv)
			var licenseReasons []string
			for _, d := range lr.Diffs {
				for _, why := range d.Reasons {
					if !slices.Contains(licenseReasons, why.ID) {
						licenseReasons = append(licenseReasons, why.ID)
					}
				}
			}
			sort.Strings(licenseReasons)
			if !slices.Equal(licenseReasons, im.licenseReasons) {
				t.Errorf("explained license differences of kinds %v, want %v", licenseReasons, im.licenseReasons)
			}
			if deb, licensed := debLicensed(inv); im.name != "distroless" && licensed*10 < deb*9 {
				t.Errorf("only %d of %d deb packages have licenses", licensed, deb)
			}
			var reasons []string
			for _, d := range r.Diffs {
				if d.Reason != nil && !slices.Contains(reasons, d.Reason.ID) {
					reasons = append(reasons, d.Reason.ID)
				}
				if d.Reason != nil && d.Reason.ID == sbompeer.ReasonOSOwned.ID {
					checkDpkgOwns(t, im.ref, d.Paths)
				}
			}
			sort.Strings(reasons)
			if !slices.Equal(reasons, im.reasons) {
				t.Errorf("explained differences of kinds %v, want %v", reasons, im.reasons)
			}
		})
	}
}

// debLicensed counts the deb packages of inv and those with licenses.
func debLicensed(inv *sbom.Inventory) (deb, licensed int) {
	for _, p := range inv.Packages {
		if p.Type == "deb" {
			deb++
			if len(p.Licenses) > 0 {
				licensed++
			}
		}
	}
	return deb, licensed
}

// distrolessContext writes a build context for a distroless-style image:
// FROM scratch, the base's os-release and debian_version, and its dpkg
// status split into one var/lib/dpkg/status.d file per package.
func distrolessContext(t *testing.T, base, dir string) string {
	t.Helper()
	files := map[string]string{
		"Containerfile":           "FROM scratch\nCOPY root /\n",
		"root/etc/os-release":     PodmanRun(t, base, "cat", "/etc/os-release"),
		"root/etc/debian_version": PodmanRun(t, base, "cat", "/etc/debian_version"),
	}
	for _, stanza := range strings.Split(PodmanRun(t, base, "cat", "/var/lib/dpkg/status"), "\n\n") {
		for _, l := range strings.Split(stanza, "\n") {
			if name, ok := strings.CutPrefix(l, "Package: "); ok {
				files["root/var/lib/dpkg/status.d/"+name] = strings.TrimSpace(stanza) + "\n"
			}
		}
	}
	if len(files) < 50 {
		t.Fatalf("only %d files from the base's dpkg status", len(files))
	}
	writeFiles(t, dir, files)
	return dir
}

// checkDpkgQuery: the SBOM's deb packages are what dpkg-query prints as
// installed, with the same source package and version; what else
// dpkg-query prints is removed packages whose conffiles remain (state
// config-files: nothing of them is installed, trivy skips them too).
func checkDpkgQuery(t *testing.T, im peerImage, inv *sbom.Inventory) {
	out := PodmanRun(t, im.dpkgRef, "dpkg-query", "-W", "-f",
		`${Package} ${Version} ${source:Package} ${source:Version} ${db:Status-Status} ${binary:Package}\n`)
	want := map[string]bool{}
	var configFiles []string
	archQualified := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 {
			t.Fatalf("dpkg-query line %q", line)
		}
		if strings.Contains(f[5], ":") {
			archQualified++ // libc6:amd64, Multi-Arch: same; ${Package} has no arch
		}
		switch f[4] {
		case "installed":
			want[strings.Join(f[:4], " ")] = true
		case "config-files":
			configFiles = append(configFiles, f[0])
		default:
			t.Errorf("dpkg-query: %s in state %s", f[0], f[4])
		}
	}
	got := map[string]bool{}
	for _, p := range inv.Packages {
		if p.Type != "deb" {
			continue
		}
		src, srcv := p.SourceName, p.SourceVersion
		if src == "" {
			src = p.Name
		}
		if srcv == "" {
			srcv = p.Version
		}
		k := strings.Join([]string{p.Name, p.Version, src, srcv}, " ")
		if got[k] {
			t.Errorf("SBOM lists %s twice", k)
		}
		got[k] = true
	}
	diffSets(t, "dpkg-query", want, got)
	t.Logf("%s: %d installed packages (%d arch-qualified by ${binary:Package}), equal to the SBOM's; config-files only: %v",
		im.name, len(want), archQualified, configFiles)
	if im.name == "apt" {
		// The cases the image is built to have.
		for _, k := range []string{"libproc2-0 2:", "bsdextrautils ", "python3-six ", "libcommons-lang3-java "} {
			if !anyPrefix(want, k) {
				t.Errorf("no installed package %q in the apt image", k)
			}
		}
		if !slices.Contains(configFiles, "procps") {
			t.Errorf("procps is not in state config-files: %v", configFiles)
		}
		if !anyPrefix(want, "bsdextrautils 2.38.1-5+deb12u3 util-linux ") {
			t.Errorf("bsdextrautils' source is not util-linux")
		}
	}
}

// checkDpkgOwns asks dpkg -S inside the container whether a package owns
// each path.
func checkDpkgOwns(t *testing.T, ref string, paths []string) {
	t.Helper()
	out := PodmanRun(t, ref, append([]string{"dpkg", "-S"}, paths...)...)
	for _, p := range paths {
		if !strings.Contains(out, ": "+p+"\n") && !strings.HasSuffix(out, ": "+p) {
			t.Errorf("dpkg -S does not name an owner of %s:\n%s", p, out)
		}
	}
}

// TestSBOMCorpusTrivy compares slimship's SBOM of every image of the shared
// corpus with trivy's.
func TestSBOMCorpusTrivy(t *testing.T) {
	bin := Bin(t)
	trivy := Need(t, "SLIMSHIP_E2E_TRIVY", "trivy")
	dir := corpusImages(t)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			r, _ := compareTrivy(t, trivy, p, slimshipSBOM(t, bin, p))
			if len(r.Diffs) != 0 {
				t.Errorf("corpus image differs from trivy: %+v", r.Diffs)
			}
		})
	}
}

// TestSBOMAlpineInstalled: on trivy's alpine-311 fixture the SBOM's apk
// packages are the P:/V: (and origin o:) entries of lib/apk/db/installed.
func TestSBOMAlpineInstalled(t *testing.T) {
	bin := Bin(t)
	p := filepath.Join(corpusImages(t), "aquasecurity-trivy_alpine-311.tar.gz")
	img, err := transport.Open(context.Background(), p, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var db []byte
	err = walk.Walk(context.Background(), img, walk.Options{}, func(e *walk.Entry, r io.Reader) error {
		if e.Path == "/lib/apk/db/installed" && e.Size() > 0 {
			db, err = io.ReadAll(r)
			return err
		}
		return nil
	})
	if err != nil || db == nil {
		t.Fatalf("reading lib/apk/db/installed: %v", err)
	}
	want := map[string]bool{}
	var name, version, origin string
	flush := func() {
		if name != "" {
			want[name+" "+version+" "+origin] = true
		}
		name, version, origin = "", "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(db))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "P:"):
			name = line[2:]
		case strings.HasPrefix(line, "V:"):
			version = line[2:]
		case strings.HasPrefix(line, "o:"):
			origin = line[2:]
		}
	}
	flush()
	got := map[string]bool{}
	for _, p := range slimshipSBOM(t, bin, p).Packages {
		if p.Type != "apk" {
			t.Errorf("not an apk package: %+v", p)
			continue
		}
		got[p.Name+" "+p.Version+" "+p.SourceName] = true
	}
	diffSets(t, "lib/apk/db/installed", want, got)
	if len(want) != 14 {
		t.Errorf("%d packages in lib/apk/db/installed, the fixture has 14", len(want))
	}
}

// TestSBOMGoVersionM: a Go binary's modules in the SBOM are those `go
// version -m` prints: the main module, each dependency (or its
// replacement: another module, or a directory as go prints it) with its
// version, and the toolchain as stdlib ("go1.22.1" spelled v1.22.1 as the
// stdlib module version). Two binaries: slimship itself (about a hundred
// modules) and one built here offline from a local module proxy, with
// replacements and a pseudo-version.
func TestSBOMGoVersionM(t *testing.T) {
	bin := Bin(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	for name, b := range map[string]string{"slimship": bin, "replaces": buildReplacesBinary(t)} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			copyFile(t, b, filepath.Join(dir, "bin", name))
			out, err := exec.Command("go", "version", "-m", b).Output()
			if err != nil {
				t.Fatalf("go version -m: %v", err)
			}
			want := goVersionM(t, string(out))
			got := map[string]bool{}
			for _, p := range slimshipSBOM(t, Bin(t), dir).Packages {
				if p.Type != "golang" || p.Path != "/bin/"+name {
					t.Errorf("unexpected package %+v", p)
					continue
				}
				got[p.Name+" "+p.Version] = true
			}
			diffSets(t, "go version -m", want, got)
			t.Logf("%s: %d modules equal", name, len(want))
		})
	}
}

// goVersionM reads `go version -m` output as "path version" pairs: the
// main module, each dep or its => replacement, and stdlib.
func goVersionM(t *testing.T, out string) map[string]bool {
	t.Helper()
	want := map[string]bool{}
	lines := strings.Split(out, "\n")
	first, _, ok := strings.Cut(lines[0], ": ")
	if !ok || first == "" {
		t.Fatalf("go version -m: first line %q", lines[0])
	}
	_, gov, _ := strings.Cut(lines[0], ": ")
	want["stdlib v"+strings.TrimPrefix(strings.Fields(gov)[0], "go")] = true
	last := ""
	for _, l := range lines[1:] {
		f := strings.Split(strings.TrimPrefix(l, "\t"), "\t")
		if len(f) < 3 {
			continue
		}
		switch f[0] {
		case "mod", "dep":
			last = f[1] + " " + f[2]
			want[last] = true
		case "=>":
			delete(want, last)
			want[f[1]+" "+f[2]] = true
		}
	}
	return want
}

// buildReplacesBinary builds, with a file:// module proxy written here and
// no network, a program whose modules are: example.test/orig v1.0.0
// replaced by the fork example.test/fork v1.1.0, example.test/lib replaced
// by the directory ./lib, and example.test/pseudo at a pseudo-version.
func buildReplacesBinary(t *testing.T) string {
	t.Helper()
	work := t.TempDir()
	proxy := filepath.Join(work, "proxy")
	mods := []struct{ path, version, modPath, pkg string }{
		{"example.test/orig", "v1.0.0", "example.test/orig", "orig"},
		{"example.test/fork", "v1.1.0", "example.test/orig", "orig"},
		{"example.test/pseudo", "v0.0.0-20240102030405-abcdefabcdef", "example.test/pseudo", "pseudo"},
	}
	for _, m := range mods {
		writeModule(t, proxy, m.path, m.version, m.modPath, m.pkg)
	}
	app := filepath.Join(work, "app")
	writeFiles(t, app, map[string]string{
		"go.mod": `module example.test/app

go 1.22

require (
	example.test/lib v1.2.3
	example.test/orig v1.0.0
	example.test/pseudo v0.0.0-20240102030405-abcdefabcdef
)

replace example.test/orig => example.test/fork v1.1.0

replace example.test/lib => ./lib
`,
		"main.go": `package main

import (
	"example.test/lib"
	"example.test/orig"
	"example.test/pseudo"
)

func main() { println(lib.Name(), orig.Name(), pseudo.Name()) }
`,
		"lib/go.mod": "module example.test/lib\n\ngo 1.22\n",
		"lib/lib.go": "package lib\n\nfunc Name() string { return \"lib\" }\n",
	})
	out := filepath.Join(work, "replaces")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = app
	cmd.Env = append(os.Environ(), "GOPROXY=file://"+filepath.ToSlash(proxy), "GOSUMDB=off", "GOFLAGS=-mod=mod -modcacherw",
		"GOMODCACHE="+filepath.Join(work, "modcache"), "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOPRIVATE=", "GONOPROXY=", "GONOSUMDB=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// writeModule writes path@version to the file:// proxy at proxy, its
// go.mod declaring modPath and one package file.
func writeModule(t *testing.T, proxy, path, version, modPath, pkg string) {
	t.Helper()
	dir := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	gomod := "module " + modPath + "\n\ngo 1.22\n"
	prefix := path + "@" + version + "/"
	zb := zipString(t, map[string]string{
		prefix + "go.mod":    gomod,
		prefix + pkg + ".go": fmt.Sprintf("package %s\n\nfunc Name() string { return %q }\n", pkg, path+"@"+version),
	})
	writeFiles(t, dir, map[string]string{
		"list":            version + "\n",
		version + ".info": fmt.Sprintf(`{"Version":%q,"Time":"2024-01-02T03:04:05Z"}`, version),
		version + ".mod":  gomod,
		version + ".zip":  zb,
	})
}

func slimshipSBOM(t *testing.T, bin, target string) *sbom.Inventory {
	t.Helper()
	cmd := exec.Command(bin, "sbom", "-f", "json", target)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("slimship sbom %s: %v\n%s", target, err, stderr.String())
	}
	var inv sbom.Inventory
	if err := json.Unmarshal(out, &inv); err != nil {
		t.Fatalf("slimship sbom %s: %v", target, err)
	}
	if len(inv.Warnings) > 0 {
		t.Errorf("slimship sbom %s warns: %v", target, inv.Warnings)
	}
	return &inv
}

// compareTrivy runs trivy offline on the image at p and compares its SBOM
// with inv, packages and their licenses; a difference without a reason
// fails the test.
func compareTrivy(t *testing.T, trivy, p string, inv *sbom.Inventory) (sbompeer.Result, sbompeer.LicenseResult) {
	t.Helper()
	ctx := context.Background()
	cache := t.TempDir()
	if err := sbompeer.TrivyCache(cache); err != nil {
		t.Fatal(err)
	}
	tr, err := sbompeer.RunTrivy(ctx, trivy, p, cache)
	if err != nil {
		t.Fatal(err)
	}
	img, err := transport.Open(ctx, p, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	facts, err := sbompeer.ImageFacts(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	r := sbompeer.Compare(sbompeer.Slimship(inv), tr, facts)
	for _, d := range r.Diffs {
		why := "UNEXPLAINED"
		if d.Reason != nil {
			why = d.Reason.ID
		}
		t.Logf("only in %s: %s [%s] %v", d.OnlyIn, d.Triple, why, d.Paths)
	}
	for _, d := range r.Unexplained() {
		t.Errorf("unexplained difference: only in %s: %s %v", d.OnlyIn, d.Triple, d.Paths)
	}
	t.Logf("%s: slimship %d, trivy %d, same %d, slimship entries repeating a triple %d",
		filepath.Base(p), r.Slimship, r.Trivy, r.Same, r.DupSlimship)
	lr := sbompeer.CompareLicenses(sbompeer.Slimship(inv), tr, facts)
	for _, d := range lr.Diffs {
		t.Logf("licenses of %s differ [%s]: only slimship %q, only trivy %q", d.Triple, d.Why(), d.OnlySlimship, d.OnlyTrivy)
	}
	for _, d := range lr.Unexplained() {
		t.Errorf("unexplained license difference of %s: only slimship %q, only trivy %q (slimship %q, trivy %q)", d.Triple, d.OnlySlimship, d.OnlyTrivy, d.Slimship, d.Trivy)
	}
	t.Logf("%s: %s", filepath.Base(p), lr.Summary())
	return r, lr
}

// corpusImages is the shared corpus's images directory: $SLIMSHIP_E2E_CORPUS,
// else shared/ beside the repository.
func corpusImages(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SLIMSHIP_E2E_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus", "images")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		// The corpus is team material beside the checkout, not a part
		// the set-up installs: a checkout without it skips, even in CI.
		t.Skipf("no corpus images at %s (set SLIMSHIP_E2E_CORPUS)", dir)
	}
	return dir
}

func diffSets(t *testing.T, peer string, want, got map[string]bool) {
	t.Helper()
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("SBOM differs from %s:\nmissing from the SBOM: %q\nnot in %s: %q", peer, missing, peer, extra)
	}
}

func anyPrefix(m map[string]bool, prefix string) bool {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
