package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	reg "github.com/slimship/slimship/pkg/registry"
)

var (
	debianBase = []tfile{
		{name: "etc/os-release", body: "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"},
		{name: "var/lib/dpkg/status", body: "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n\n"},
	}
	appLayer = []tfile{{name: "app/node_modules/lodash/package.json", body: `{"name":"lodash","version":"4.17.20"}`}}
)

// scanImage is a Debian base layer with a vulnerable libssl3 and an app
// layer with a vulnerable lodash, as BuildKit records their history.
func scanImage(t *testing.T) string {
	t.Helper()
	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: tarLayer(t, debianBase...), History: v1.History{CreatedBy: "# debian.sh --arch 'amd64' out/ 'bookworm'"}},
		mutate.Addendum{Layer: tarLayer(t, appLayer...), History: v1.History{CreatedBy: "COPY node_modules /app/node_modules # buildkit"}})
	if err != nil {
		t.Fatal(err)
	}
	return writeArchive(t, img, "example.com/app:1", "app.tar")
}

func TestScanImageSaysWherePackagesCameFrom(t *testing.T) {
	dbDir, sbomFile := scanFixture(t)
	img := scanImage(t)
	df := filepath.Join(t.TempDir(), "Dockerfile")
	os.WriteFile(df, []byte("FROM debian:12\nWORKDIR /app\nCOPY node_modules /app/node_modules\n"), 0o644)

	type result struct {
		Findings []struct {
			Rule, File, Layer, Message string
			Line                       int
		}
	}
	scan := func(args ...string) result {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"scan", "--db", dbDir, "-f", "json", "--fail-on", "none"}, args...)...)
		if code != 0 {
			t.Fatalf("scan %v: exit %d: %s", args, code, errs)
		}
		var r result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Findings) != 2 {
			t.Fatalf("scan %v: %d findings, want 2:\n%s", args, len(r.Findings), out)
		}
		return r
	}
	byID := func(r result, id string) (file string, line int, layer, msg string) {
		for _, f := range r.Findings {
			if strings.HasPrefix(f.Message, id+":") {
				return f.File, f.Line, f.Layer, f.Message
			}
		}
		t.Fatalf("no %s finding in %+v", id, r)
		return
	}

	// Without a Dockerfile: the layer and its history.
	r := scan(img)
	_, _, layer, msg := byID(r, "GHSA-29mw-wpgm-hmr9")
	if !strings.HasPrefix(layer, "sha256:") || !strings.Contains(msg, "found in /app/node_modules/lodash/package.json, layer 1 (COPY node_modules /app/node_modules # buildkit)") {
		t.Errorf("lodash without Dockerfile: layer %q, %q", layer, msg)
	}

	// With it: base image or the instruction, and SARIF-ready positions.
	r = scan("--dockerfile", df, img)
	file, line, _, msg := byID(r, "GHSA-29mw-wpgm-hmr9")
	if file != df || line != 3 || !strings.Contains(msg, "added by the Dockerfile in /app/node_modules/lodash/package.json, layer 1 ("+df+":3 COPY node_modules /app/node_modules)") {
		t.Errorf("lodash: %s:%d %q", file, line, msg)
	}
	file, line, _, msg = byID(r, "DLA-0000-1")
	if file != img || line != 0 || !strings.Contains(msg, "libssl3 3.0.11-1~deb12u2 (Debian:12) from source openssl") || !strings.Contains(msg, "from the base image in /var/lib/dpkg/status, layer 0") {
		t.Errorf("openssl: %s:%d %q", file, line, msg)
	}

	// A directory tree: the same packages, no layers.
	tree := t.TempDir()
	for _, f := range append(append([]tfile{}, debianBase...), appLayer...) {
		p := filepath.Join(tree, f.name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(f.body), 0o644)
	}
	r = scan(tree)
	if _, _, layer, msg := byID(r, "DLA-0000-1"); layer != "" || !strings.HasSuffix(msg, "found in /var/lib/dpkg/status") && !strings.Contains(msg, "found in /var/lib/dpkg/status;") {
		t.Errorf("tree: layer %q %q", layer, msg)
	}

	// The SBOM of the image (CycloneDX or slimship's JSON) scans the same,
	// and keeps where each package came from.
	for _, format := range []string{"cyclonedx", "json"} {
		code, out, errs := runCLI(t, "sbom", "-f", format, "--dockerfile", df, img)
		if code != 0 {
			t.Fatalf("sbom: %d %s", code, errs)
		}
		bom := filepath.Join(t.TempDir(), "app."+format+".json")
		os.WriteFile(bom, []byte(out), 0o644)
		file, line, layer, msg := byID(scan(bom), "GHSA-29mw-wpgm-hmr9")
		if file != df || line != 3 || !strings.HasPrefix(layer, "sha256:") || !strings.Contains(msg, "added by the Dockerfile in /app/node_modules/lodash/package.json, layer 1 ("+df+":3 COPY node_modules /app/node_modules)") {
			t.Errorf("%s SBOM: %s:%d %s %q", format, file, line, layer, msg)
		}
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dockerfile", df, sbomFile}, "is an SBOM"},
		{[]string{"--dockerfile", df, tree}, "is a directory"},
		{[]string{"--dockerfile", filepath.Join(tree, "missing"), img}, "--dockerfile"},
		{[]string{"--offline", "docker://127.0.0.1:1/app:1"}, "--offline never touches the network"},
		{[]string{filepath.Join(tree, "nothing-here.tar")}, "nothing-here.tar"},
	} {
		code, _, errs := runCLI(t, append([]string{"scan", "--db", dbDir}, c.args...)...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("scan %v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
}

func TestSBOMDockerfileOrigins(t *testing.T) {
	img := scanImage(t)
	df := filepath.Join(t.TempDir(), "Dockerfile")
	os.WriteFile(df, []byte("FROM debian:12\nCOPY node_modules /app/node_modules\n"), 0o644)
	code, out, errs := runCLI(t, "sbom", "-f", "json", "--dockerfile", df, img)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var inv struct {
		Packages []struct {
			Name, Origin string
			Dockerfile   *struct{ Line int }
		}
		Layers []struct{ Digest, CreatedBy string }
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range inv.Packages {
		got[p.Name] = p.Origin
		if p.Name == "lodash" && (p.Dockerfile == nil || p.Dockerfile.Line != 2) {
			t.Errorf("lodash dockerfile %+v", p.Dockerfile)
		}
	}
	if got["libssl3"] != "base" || got["lodash"] != "dockerfile" || len(inv.Layers) != 2 {
		t.Errorf("origins %v, layers %+v", got, inv.Layers)
	}
	code, out, _ = runCLI(t, "sbom", "--dockerfile", df, img)
	if code != 0 || !strings.Contains(out, "0 (base)") || !strings.Contains(out, "1 ("+df+":2)") {
		t.Errorf("table: %s", out)
	}
}

// TestScanSBOMSources: --sbom-sources scans the SBOM attested (verified
// with --key) or attached to a registry image instead of its layers, falls
// back to the layers when there is none, and says which it scanned.
func TestScanSBOMSources(t *testing.T) {
	dbDir, _ := scanFixture(t)
	dir := t.TempDir()
	host, push := testRegistry(t)
	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: tarLayer(t, debianBase...)},
		mutate.Addendum{Layer: tarLayer(t, appLayer...)})
	if err != nil {
		t.Fatal(err)
	}
	img, _ = mutate.ConfigFile(img, &v1.ConfigFile{OS: "linux", Architecture: "amd64"})
	app := push(img, "team/app:1")
	// the SBOM that is attested names only the Debian package: a scan of
	// it finds one vulnerability where the layers have two
	prefix := keyPair(t, dir, "cosign")
	base, _ := mutate.Append(empty.Image, mutate.Addendum{Layer: tarLayer(t, debianBase...)})
	base, _ = mutate.ConfigFile(base, &v1.ConfigFile{OS: "linux", Architecture: "amd64"})
	baseRef := push(base, "team/base:1")
	baseSBOM := filepath.Join(dir, "base.cdx.json")
	if code, _, stderr := runCLI(t, "sbom", "--insecure", "-f", "cyclonedx", "-o", baseSBOM, baseRef); code != 0 {
		t.Fatalf("sbom: %s", stderr)
	}

	scan := func(want int, wantNote string, args ...string) {
		t.Helper()
		code, out, stderr := runCLI(t, append([]string{"scan", "--insecure", "--db", dbDir, "-f", "json", "--fail-on", "none"}, args...)...)
		var r struct{ Findings []struct{ Message string } }
		if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil {
			t.Fatalf("scan %v: exit %d %v: %s", args, code, err, stderr)
		}
		if len(r.Findings) != want || !strings.Contains(stderr, wantNote) {
			t.Errorf("scan %v: %d findings, want %d; stderr %s", args, len(r.Findings), want, stderr)
		}
	}
	scan(2, "no attached SBOM found (--sbom-sources attestation,referrer): scanning the image's layers",
		app, "--sbom-sources", "attestation,referrer", "--key", prefix+".pub")

	// an SBOM referrer: used by the referrer source
	if code, _, stderr := runCLI(t, "attach", "--insecure", "--artifact-type", "application/vnd.cyclonedx+json", baseSBOM, app); code != 0 {
		t.Fatalf("attach: %s", stderr)
	}
	scan(1, "scanning the SBOM referring to "+host+"/team/app@", app, "--sbom-sources", "referrer")

	// an attestation, signed: preferred when listed first
	if code, _, stderr := runCLI(t, "attest", "--insecure", app, "--key", prefix+".key", "--type", "cyclonedx", "--predicate", baseSBOM); code != 0 {
		t.Fatalf("attest: %s", stderr)
	}
	scan(1, "scanning the SBOM attested for "+host+"/team/app@", app, "--sbom-sources", "attestation,referrer", "--key", prefix+".pub")
	// with another key the attestation does not count: the referrer does
	other := keyPair(t, dir, "other")
	scan(1, "not signed by this key", app, "--sbom-sources", "attestation,referrer", "--key", other+".pub")

	// an index attested as a whole (attest of a multi-platform tag): its
	// platform image has no attestation, the index has
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	multi := host + "/team/multi:1"
	mref, _ := name.ParseReference(multi, name.Insecure)
	if err := remote.WriteIndex(mref, idx, reg.Options{Insecure: true}.Remote(context.Background())...); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "attest", "--insecure", multi, "--key", prefix+".key", "--type", "cyclonedx", "--predicate", baseSBOM); code != 0 {
		t.Fatalf("attest the index: %s", stderr)
	}
	ih, _ := idx.Digest()
	scan(1, "scanning the SBOM attested for "+host+"/team/multi@"+ih.String(), multi, "--platform", "linux/amd64", "--sbom-sources", "attestation", "--key", prefix+".pub")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{app, "--sbom-sources", "attestation"}, "needs --key"},
		{[]string{app, "--sbom-sources", "rekor"}, `unknown source "rekor"`},
		{[]string{app, "--key", prefix + ".pub"}, "use it with --sbom-sources attestation"},
		{[]string{baseSBOM, "--sbom-sources", "referrer"}, "is not a registry reference"},
	} {
		code, _, stderr := runCLI(t, append([]string{"scan", "--insecure", "--db", dbDir}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("scan %v: exit %d: %s", c.args, code, stderr)
		}
	}
}
