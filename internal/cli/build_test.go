package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	reg "github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/attach"
	"github.com/slimship/slimship/pkg/sign"
)

func TestBuildPublishes(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Go once per platform")
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	t.Setenv(passwordEnv, "pw")
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "generate-key-pair", "--output-key-prefix", filepath.Join(dir, "cosign")); code != 0 {
		t.Fatal(stderr)
	}
	host, _ := testRegistry(t)
	dest := host + "/hello:1"
	pkg := filepath.Join("..", "..", "pkg", "image", "build", "testdata", "hello")

	// refused before building: not a registry, wrong password
	for _, c := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"-o", "oci:" + dir + "/layout", "--sbom"}, "pw", "-o docker://REF"},
		{[]string{"-o", "docker://" + dest, "--sign-key", filepath.Join(dir, "cosign.key")}, "nope", "wrong password"},
		{[]string{"-o", "docker://" + dest, "--sbom", "--sbom-format", "table"}, "pw", "unknown --sbom-format"},
	} {
		t.Setenv(passwordEnv, c.env)
		code, _, stderr := runCLI(t, append([]string{"build", "--insecure", pkg}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
	}
	t.Setenv(passwordEnv, "pw")

	code, out, stderr := runCLI(t, "build", "--insecure", pkg, "--platform", "linux/amd64,linux/arm64",
		"-o", "docker://"+dest, "--sbom", "--sign-key", filepath.Join(dir, "cosign.key"))
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	if strings.Count(stderr, "attached SBOM") != 2 || strings.Count(stderr, "attested SBOM") != 2 || !strings.Contains(stderr, "signed sha256:") {
		t.Errorf("stderr: %s", stderr)
	}
	ctx := context.Background()
	o := reg.Options{Insecure: true}
	top, err := name.NewDigest(host+"/hello@"+strings.TrimSpace(out), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	// the index is signed ...
	pub, err := os.ReadFile(filepath.Join(dir, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := sign.LoadPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sign.Verify(ctx, top, v, sign.Options{Registry: o}); err != nil {
		t.Errorf("verify: %v", err)
	}
	// ... and each platform's image has its SBOM, naming the Go binary's module
	idx, err := remote.Index(top, o.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	for _, d := range im.Manifests {
		refs, err := attach.Referrers(ctx, o, top.Context().Digest(d.Digest.String()), "application/vnd.cyclonedx+json")
		if err != nil || len(refs) != 1 {
			t.Errorf("%s: referrers %+v %v", d.Platform, refs, err)
		}
		// and its SBOM attested with the signing key
		res, err := sign.VerifyAttestations(ctx, top.Context().Digest(d.Digest.String()), v, sign.PredicateCycloneDX, sign.AttestOptions{Registry: o})
		if err != nil || len(res.Verified) != 1 || !strings.Contains(string(res.Verified[0].Statement.Predicate), `"bomFormat":"CycloneDX"`) {
			t.Errorf("%s: attestations %+v %v", d.Platform, res, err)
		}
	}
}
