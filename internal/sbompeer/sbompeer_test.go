package sbompeer

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// trivyDoc is the shape of trivy's CycloneDX: purl-less components for the
// OS and a binary, an epoch as a purl qualifier, a Maven group apart.
const trivyDoc = `{"bomFormat":"CycloneDX","components":[
 {"type":"operating-system","name":"debian","version":"12.15"},
 {"type":"application","name":"usr/local/bin/app"},
 {"type":"library","name":"login","version":"4.13+dfsg1-1","purl":"pkg:deb/debian/login@4.13+dfsg1-1?arch=amd64&epoch=1&distro=debian-12.15"},
 {"type":"library","name":"bash","version":"5.2.15-2+b13","purl":"pkg:deb/debian/bash@5.2.15-2+b13?arch=amd64&distro=debian-12.15"},
 {"type":"library","group":"org.apache.commons","name":"commons-lang3","version":"3.12.0","purl":"pkg:maven/org.apache.commons/commons-lang3@3.12.0",
  "properties":[{"name":"aquasecurity:trivy:FilePath","value":"opt/lib/commons-lang3.jar"}]},
 {"type":"library","name":"golang.org/x/text","version":"v0.42.0","purl":"pkg:golang/golang.org/x/text@v0.42.0"},
 {"type":"library","name":"web-app","version":"0.1.0","purl":"pkg:npm/web-app@0.1.0",
  "properties":[{"name":"aquasecurity:trivy:FilePath","value":"app/package.json"}]},
 {"type":"library","name":"left-pad","version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0",
  "properties":[{"name":"aquasecurity:trivy:FilePath","value":"app/node_modules/left-pad/package.json"}]}
]}`

func TestTrivy(t *testing.T) {
	es, err := Trivy(strings.NewReader(trivyDoc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.String()+" "+e.Path)
	}
	want := []string{
		"deb login@1:4.13+dfsg1-1 ",
		"deb bash@5.2.15-2+b13 ",
		"maven org.apache.commons:commons-lang3@3.12.0 /opt/lib/commons-lang3.jar",
		"golang golang.org/x/text@v0.42.0 ",
		"npm web-app@0.1.0 /app/package.json",
		"npm left-pad@1.3.0 /app/node_modules/left-pad/package.json",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := Trivy(strings.NewReader(`{"components":[{"name":"x","purl":"deb/x@1"}]}`)); err == nil {
		t.Error("a purl without pkg: was read")
	}
	if _, err := Trivy(strings.NewReader(`{"components":`)); err == nil {
		t.Error("truncated JSON was read")
	}
}

func TestCompare(t *testing.T) {
	tr, err := Trivy(strings.NewReader(trivyDoc))
	if err != nil {
		t.Fatal(err)
	}
	e := func(typ, name, version, path string) Entry {
		return Entry{Triple: Triple{typ, name, version}, Path: path}
	}
	slim := []Entry{
		e("deb", "login", "1:4.13+dfsg1-1", "/var/lib/dpkg/status"),
		e("deb", "bash", "5.2.15-2+b13", "/var/lib/dpkg/status"),
		e("maven", "org.apache.commons:commons-lang3", "3.12.0", "/opt/lib/commons-lang3.jar"),
		e("maven", "org.apache.commons:commons-lang3", "3.12.0", "/usr/share/java/commons-lang3.jar"),
		e("golang", "golang.org/x/text", "v0.42.0", "/usr/local/bin/app"),
		e("golang", "example.test/app", "(devel)", "/usr/local/bin/app"),
		e("golang", "stdlib", "v1.26.8", "/usr/local/bin/app"),
		e("npm", "left-pad", "1.3.0", "/app/node_modules/left-pad/package.json"),
		e("pypi", "six", "1.16.0", "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"),
		e("pypi", "requests", "2.0.0", "/usr/local/lib/python3.11/dist-packages/requests-2.0.0.dist-info/METADATA"),
		// a second binary whose two modules trivy lacks: not a main module
		e("golang", "example.test/other", "v1.0.0", "/bin/other"),
		e("golang", "example.test/dep", "v1.0.0", "/bin/other"),
		e("maven", "gizmo:gizmo", "2.3.4", "/opt/lib/gizmo-2.3.4.jar"),
		// a pom.properties names it: trivy should have listed it
		e("maven", "com.example:fat", "1.0.0", "/opt/lib/fat.jar"),
	}
	facts := &Facts{
		Owned: map[string]bool{"/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO": true, "/usr/share/java/commons-lang3.jar": true},
		POMs: map[string][]string{
			"/opt/lib/gizmo-2.3.4.jar": nil,
			"/opt/lib/fat.jar":         {"com.example:fat@1.0.0"},
		},
	}
	r := Compare(slim, tr, facts)
	if r.Slimship != 13 || r.Trivy != 6 || r.Same != 5 || r.DupSlimship != 1 {
		t.Errorf("sizes: %+v", r)
	}
	var got []string
	for _, d := range r.Diffs {
		why := "-"
		if d.Reason != nil {
			why = d.Reason.ID
		}
		got = append(got, d.OnlyIn+" "+d.Triple.String()+" "+why)
	}
	want := []string{
		"slimship golang example.test/app@(devel) go-main-module",
		"slimship golang example.test/dep@v1.0.0 -",
		"slimship golang example.test/other@v1.0.0 -",
		"slimship golang stdlib@v1.26.8 go-stdlib",
		"slimship maven com.example:fat@1.0.0 -",
		"slimship maven gizmo:gizmo@2.3.4 jar-without-pom",
		"slimship pypi requests@2.0.0 -",
		"slimship pypi six@1.16.0 os-owned",
		"trivy npm web-app@0.1.0 npm-manifest",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := len(r.Unexplained()); n != 4 {
		t.Errorf("%d unexplained, want 4", n)
	}
}

func TestTrivyCache(t *testing.T) {
	dir := t.TempDir()
	for range 2 { // a second call keeps the database
		if err := TrivyCache(dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"java-db/metadata.json", "java-db/trivy-java.db"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestImageFacts(t *testing.T) {
	nested := zipBytes(t, map[string]string{"META-INF/maven/org.slf4j/slf4j-api/pom.properties": "groupId=org.slf4j\nartifactId=slf4j-api\nversion=2.0.9\n"})
	fat := zipBytes(t, map[string]string{
		"META-INF/maven/com.example/app/pom.properties": "#generated\ngroupId = com.example\nartifactId=app\nversion=1.0.0\n",
		"META-INF/maven/com.example/app/pom.xml":        "<project><licenses><license><name>MIT</name></license></licenses></project>",
		"BOOT-INF/lib/slf4j-api-2.0.9.jar":              nested,
	})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range map[string]string{
		"opt/app.jar":                                  fat,
		"opt/plain.jar":                                zipBytes(t, map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"}),
		"var/lib/dpkg/info/python3-six.list":           "/.\n/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO\n",
		"var/lib/dpkg/info/python3-six.md5sums":        "0 usr/lib/x\n",
		"lib/apk/db/installed":                         "P:py3-six\nV:1.16.0-r0\nF:usr/lib/python3.11/site-packages/six-1.16.0.dist-info\nR:METADATA\n\nP:musl\nF:lib\nR:ld-musl-x86_64.so.1\n",
		"usr/share/doc/gcc-12-base/copyright":          "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-3+\n\nLicense: GPL-3+\n see /usr/share/common-licenses/GPL-3.\n",
		"usr/share/doc/gcc-12-base/examples/copyright": "License: MIT\n",
		"app/node_modules/legacy/package.json":         `{"name":"legacy","version":"1","licenses":[{"type":"MIT"}]}`,
		"app/node_modules/modern/package.json":         `{"name":"modern","version":"1","license":"MIT","licenses":[{"type":"MIT"}]}`,
		"site/c-1.dist-info/METADATA":                  "Name: c\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: BSD License\n",
		"site/d-1.dist-info/METADATA":                  "Name: d\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: BSD License\n",
	} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	if err := tw.WriteHeader(&tar.Header{Name: "usr/share/doc/libgcc-s1", Typeflag: tar.TypeSymlink, Linkname: "gcc-12-base", Mode: 0o777}); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	b := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := ImageFacts(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for p := range facts.Owned {
		got = append(got, p)
	}
	sort.Strings(got)
	want := "/ /lib/ld-musl-x86_64.so.1 /usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA /usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q\nwant %q", strings.Join(got, " "), want)
	}
	if g := fmt.Sprint(facts.POMs); g != "map[/opt/app.jar:[org.slf4j:slf4j-api@2.0.9 com.example:app@1.0.0] /opt/plain.jar:[]]" {
		t.Errorf("POMs: %s", g)
	}
	if g := fmt.Sprint(facts.POMLicenses, facts.DocLinks, facts.NpmLegacy, facts.PyClassifiers); g !=
		"map[/opt/app.jar:true] map[libgcc-s1:true] map[/app/node_modules/legacy/package.json:true] map[/site/c-1.dist-info/METADATA:true]" {
		t.Errorf("facts: %s", g)
	}
	if c := facts.Copyrights["gcc-12-base"]; len(facts.Copyrights) != 1 || c == nil || !c.MachineReadable ||
		fmt.Sprint(c.Declared, c.LicenseLines, c.References) != "[GPL-3+] [GPL-3+] [GPL-3]" {
		t.Errorf("copyrights: %+v", facts.Copyrights)
	}
}

func zipBytes(t *testing.T, files map[string]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
