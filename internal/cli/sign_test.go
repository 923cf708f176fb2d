package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	reg "github.com/slimship/slimship/pkg/registry"
	"github.com/slimship/slimship/pkg/registry/attach"
)

// testRegistry is an in-process registry on loopback; push writes img to
// repo:tag there and returns the reference string.
func testRegistry(t *testing.T) (host string, push func(img v1.Image, repoTag string) string) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host = strings.TrimPrefix(srv.URL, "http://")
	return host, func(img v1.Image, repoTag string) string {
		t.Helper()
		s := host + "/" + repoTag
		r, err := name.ParseReference(s, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(r, img, reg.Options{Insecure: true}.Remote(context.Background())...); err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestSignVerifyCLI(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "cosign")
	host, push := testRegistry(t)
	img, _ := random.Image(64, 1)
	app := push(img, "team/app:1")
	unsigned, _ := random.Image(64, 1)
	other := push(unsigned, "team/app:2")

	// no password and no terminal: refused, nothing written
	t.Setenv(passwordEnv, "")
	os.Unsetenv(passwordEnv)
	code, _, stderr := runCLI(t, "generate-key-pair", "--output-key-prefix", prefix)
	if code != 2 || !strings.Contains(stderr, "no password for the private key: set COSIGN_PASSWORD") {
		t.Fatalf("no password: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(prefix + ".key"); err == nil {
		t.Fatal("key written without a password")
	}

	t.Setenv(passwordEnv, "correct horse")
	if code, _, stderr := runCLI(t, "generate-key-pair", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	if st, err := os.Stat(prefix + ".key"); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("cosign.key: %v %v", st, err)
	}
	if code, _, stderr := runCLI(t, "generate-key-pair", "--output-key-prefix", prefix); code != 2 || !strings.Contains(stderr, "exists") {
		t.Errorf("overwrite: exit %d: %s", code, stderr)
	}
	key, pub := prefix+".key", prefix+".pub"

	code, out, stderr := runCLI(t, "sign", "--insecure", app, "--key", key, "-a", "commit=abc")
	h, _ := img.Digest()
	if code != 0 || strings.TrimSpace(out) != host+"/team/app@"+h.String() || !strings.Contains(stderr, "(1 signature)") {
		t.Fatalf("sign: exit %d: %s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "verify", "--insecure", app, "--key", pub)
	if code != 0 || !strings.Contains(out, "1 of 1 signature verified with "+pub) {
		t.Fatalf("verify: exit %d: %s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "verify", "--insecure", "-f", "json", "docker://"+app, "--key", pub)
	var payloads []struct {
		Critical struct {
			Identity struct {
				DockerReference string `json:"docker-reference"`
			}
			Image struct {
				DockerManifestDigest string `json:"docker-manifest-digest"`
			}
			Type string
		}
		Optional map[string]string
	}
	if err := json.Unmarshal([]byte(out), &payloads); err != nil || code != 0 || len(payloads) != 1 ||
		payloads[0].Critical.Image.DockerManifestDigest != h.String() || payloads[0].Critical.Identity.DockerReference != host+"/team/app" ||
		payloads[0].Optional["commit"] != "abc" {
		t.Fatalf("verify -f json: exit %d %v: %s", code, err, out)
	}

	// findings: exit 1
	wrong := filepath.Join(dir, "other.pub")
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pemPub, _ := cryptoutils.MarshalPublicKeyToPEM(k.Public())
	os.WriteFile(wrong, pemPub, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{app, "--key", wrong}, "verification failed: no signature of " + host + "/team/app@sha256:"},
		{[]string{other, "--key", pub}, "has no signatures"},
	} {
		code, out, stderr := runCLI(t, append([]string{"verify", "--insecure"}, c.args...)...)
		if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("verify %v: exit %d, %q %q", c.args, code, out, stderr)
		}
	}

	// bad input: exit 2
	trunc := filepath.Join(dir, "trunc.key")
	b, _ := os.ReadFile(key)
	os.WriteFile(trunc, b[:len(b)/2], 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--insecure", app, "--key", key}, "this is a private key"},
		{[]string{"verify", "--insecure", app}, "--key is required"},
		{[]string{"verify", "--insecure", host + "/team/app:nope", "--key", pub}, "not found"},
		{[]string{"sign", "--insecure", app, "--key", pub}, "this is a public key"},
		{[]string{"sign", "--insecure", app, "--key", trunc}, "not a PEM key file"},
		{[]string{"sign", "--insecure", "oci:" + dir, "--key", key}, "give a registry reference"},
		{[]string{"sign", "--insecure", "example.com/app:1", "--key", key}, "allowed only for loopback"},
		{[]string{"sign", app, "--key", key}, "plain HTTP refused"},
		{[]string{"verify", app, "--key", pub}, "plain HTTP refused"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
	}
	t.Setenv(passwordEnv, "wrong")
	if code, _, stderr := runCLI(t, "sign", "--insecure", app, "--key", key); code != 2 || !strings.Contains(stderr, "wrong password") {
		t.Errorf("wrong password: exit %d: %s", code, stderr)
	}
}

func TestAttachCLI(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	host, push := testRegistry(t)
	l := tarLayer(t,
		tfile{name: "etc/os-release", body: "ID=alpine\nVERSION_ID=3.11.5\n"},
		tfile{name: "lib/apk/db/installed", body: "P:musl\nV:1.1.24-r2\nA:x86_64\no:musl\n\n"})
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: l})
	if err != nil {
		t.Fatal(err)
	}
	img, _ = mutate.ConfigFile(img, &v1.ConfigFile{OS: "linux", Architecture: "amd64"})
	app := push(img, "app:1")
	h, _ := img.Digest()
	subject, err := name.NewDigest(host+"/app@"+h.String(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	o := reg.Options{Insecure: true}

	notes := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notes, []byte("hello"), 0o644)
	code, out, stderr := runCLI(t, "attach", "--insecure", "--artifact-type", "text/plain", notes, app)
	if code != 0 || !strings.HasPrefix(out, host+"/app@sha256:") {
		t.Fatalf("attach: exit %d: %s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "sbom", "--insecure", "--attach", "--platform", "linux/amd64", app)
	if code != 0 || !strings.HasPrefix(out, host+"/app@sha256:") {
		t.Fatalf("sbom --attach: exit %d: %s%s", code, out, stderr)
	}
	refs, err := attach.Referrers(context.Background(), o, subject, "application/vnd.cyclonedx+json")
	if err != nil || len(refs) != 1 || refs[0].Digest.String() != strings.TrimSpace(out)[len(host+"/app@"):] {
		t.Fatalf("referrers %+v %v", refs, err)
	}
	sb, err := remote.Image(subject.Context().Digest(refs[0].Digest.String()), o.Remote(context.Background())...)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := sb.Layers()
	rc, _ := ls[0].Compressed()
	doc, _ := io.ReadAll(rc)
	if !strings.Contains(string(doc), "pkg:apk/alpine/musl@1.1.24-r2") {
		t.Errorf("attached SBOM: %s", doc)
	}
	// the same SBOM again: the same referrer
	_, again, _ := runCLI(t, "sbom", "--insecure", "--attach", "--platform", "linux/amd64", app)
	if again != out {
		t.Errorf("re-attach: %s, want %s", again, out)
	}
	all, _ := attach.Referrers(context.Background(), o, subject, "")
	if len(all) != 2 {
		t.Errorf("referrers: %+v", all)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sbom", "--attach", "-f", "table", "--insecure", app}, "not table"},
		{[]string{"sbom", "--attach", t.TempDir()}, "--attach: "},
		{[]string{"attach", "--insecure", notes, app}, "--artifact-type is required"},
		{[]string{"attach", "--insecure", "--artifact-type", "text/plain", "/nonexistent", app}, "/nonexistent"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
	}
}

// TestSignRecursive: --recursive signs an index and every manifest in it,
// so each platform's image verifies by its own digest; without it only the
// index is signed, as cosign does.
func TestSignRecursive(t *testing.T) {
	dir := t.TempDir()
	host, _ := testRegistry(t)
	idx, err := random.Index(64, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	o := reg.Options{Insecure: true}
	pushIdx := func(tag string) (string, []string) {
		r, _ := name.ParseReference(host+"/team/multi:"+tag, name.Insecure)
		if err := remote.WriteIndex(r, idx, o.Remote(context.Background())...); err != nil {
			t.Fatal(err)
		}
		im, _ := idx.IndexManifest()
		var children []string
		for _, m := range im.Manifests {
			children = append(children, host+"/team/multi@"+m.Digest.String())
		}
		return r.String(), children
	}
	prefix := keyPair(t, dir, "cosign")
	top, children := pushIdx("1")
	code, out, stderr := runCLI(t, "sign", "--insecure", top, "--key", prefix+".key")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("sign: exit %d: %s%s", code, out, stderr)
	}
	for _, c := range children {
		if code, _, _ := runCLI(t, "verify", "--insecure", c, "--key", prefix+".pub"); code != 1 {
			t.Errorf("%s verified without --recursive: exit %d", c, code)
		}
	}
	code, out, stderr = runCLI(t, "sign", "--insecure", "--recursive", top, "--key", prefix+".key")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(stderr, "already holds this signature") {
		t.Fatalf("sign --recursive: exit %d: %s%s", code, out, stderr)
	}
	for _, c := range append(children, top) {
		if code, out, stderr := runCLI(t, "verify", "--insecure", c, "--key", prefix+".pub"); code != 0 {
			t.Errorf("%s after --recursive: exit %d: %s%s", c, code, out, stderr)
		}
	}
}

// keyPair makes DIR/NAME.key and .pub with slimship generate-key-pair under
// the password "pw", which it leaves in COSIGN_PASSWORD for the test, and
// returns DIR/NAME.
func keyPair(t *testing.T, dir, name string) string {
	t.Helper()
	t.Setenv(passwordEnv, "pw")
	prefix := filepath.Join(dir, name)
	if code, _, stderr := runCLI(t, "generate-key-pair", "--output-key-prefix", prefix); code != 0 {
		t.Fatalf("generate-key-pair: exit %d: %s", code, stderr)
	}
	return prefix
}
