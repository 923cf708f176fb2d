package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// TestAttestCLI: an image's SBOM from `slimship sbom` is attested, the
// attestation verifies by type, and -f predicate gives the SBOM back; the
// reasons verification fails exit 1, bad input exits 2 before anything is
// pushed.
func TestAttestCLI(t *testing.T) {
	dir := t.TempDir()
	host, push := testRegistry(t)
	l := tarLayer(t,
		tfile{name: "etc/os-release", body: "ID=alpine\nVERSION_ID=3.11.5\n"},
		tfile{name: "lib/apk/db/installed", body: "P:musl\nV:1.1.24-r2\nA:x86_64\no:musl\n\n"})
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: l})
	if err != nil {
		t.Fatal(err)
	}
	img, _ = mutate.ConfigFile(img, &v1.ConfigFile{OS: "linux", Architecture: "amd64"})
	app := push(img, "team/app:1")
	h, _ := img.Digest()
	other, _ := random.Image(64, 1)
	bare := push(other, "team/app:2")

	prefix := keyPair(t, dir, "cosign")
	key, pub := prefix+".key", prefix+".pub"
	sbom := filepath.Join(dir, "app.cdx.json")
	if code, _, stderr := runCLI(t, "sbom", "--insecure", "-f", "cyclonedx", "-o", sbom, app); code != 0 {
		t.Fatalf("sbom: exit %d: %s", code, stderr)
	}

	code, out, stderr := runCLI(t, "attest", "--insecure", app, "--key", key, "--type", "cyclonedx", "--predicate", sbom)
	if code != 0 || strings.TrimSpace(out) != host+"/team/app@"+h.String() || !strings.Contains(stderr, "Pushed attestation (https://cyclonedx.org/bom)") {
		t.Fatalf("attest: exit %d: %s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "verify-attestation", "--insecure", app, "--key", pub, "--type", "cyclonedx")
	if code != 0 || !strings.Contains(out, "1 of 1 attestation of type https://cyclonedx.org/bom verified with "+pub) {
		t.Fatalf("verify-attestation: exit %d: %s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "verify-attestation", "--insecure", app, "--key", pub, "--type", "cyclonedx", "-f", "predicate")
	var want bytes.Buffer
	raw, _ := os.ReadFile(sbom)
	json.Compact(&want, raw)
	if code != 0 || strings.TrimSpace(out) != want.String() {
		t.Errorf("-f predicate: exit %d: %.200s\nwant %.200s", code, out, want.String())
	}
	code, out, _ = runCLI(t, "verify-attestation", "--insecure", app, "--key", pub, "--type", "any", "-f", "json")
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
	}
	if err := json.Unmarshal([]byte(out), &env); err != nil || code != 0 || env.PayloadType != "application/vnd.in-toto+json" {
		t.Fatalf("-f json: exit %d %v: %s", code, err, out)
	}
	if pl, _ := base64.StdEncoding.DecodeString(env.Payload); !strings.Contains(string(pl), `"sha256":"`+h.Hex+`"`) {
		t.Errorf("statement: %s", pl)
	}

	// A custom attestation of standard input, then --replace of the SBOM.
	cmd := NewRoot(Streams{In: strings.NewReader("built by CI run 42\n"), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	cmd.SetArgs([]string{"attest", "--insecure", app, "--key", key, "--predicate", "-"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("attest custom from stdin: %v", err)
	}
	code, _, stderr = runCLI(t, "attest", "--insecure", app, "--key", key, "--type", "cyclonedx", "--predicate", sbom, "--replace")
	if code != 0 || !strings.Contains(stderr, "Replaced 1 attestation of type https://cyclonedx.org/bom") || !strings.Contains(stderr, "(2 attestations)") {
		t.Errorf("--replace: exit %d: %s", code, stderr)
	}
	code, out, _ = runCLI(t, "verify-attestation", "--insecure", app, "--key", pub)
	if code != 0 || !strings.Contains(out, "1 of 2 attestations of type https://cosign.sigstore.dev/attestation/v1 verified") {
		t.Errorf("default type custom: exit %d: %s", code, out)
	}

	// findings: exit 1
	k2 := keyPair(t, dir, "other")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{app, "--key", k2 + ".pub", "--type", "any"}, "no attestation of " + host + "/team/app@" + h.String() + " verifies with the key (2 checked)"},
		{[]string{app, "--key", pub, "--type", "openvex"}, "has predicate type https://openvex.dev/ns (found: https://cosign.sigstore.dev/attestation/v1, https://cyclonedx.org/bom)"},
		{[]string{bare, "--key", pub}, "has no attestations"},
	} {
		code, out, stderr := runCLI(t, append([]string{"verify-attestation", "--insecure"}, c.args...)...)
		if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("verify-attestation %v: exit %d, %q %q", c.args, code, out, stderr)
		}
	}

	// bad input: exit 2, nothing pushed
	notJSON := filepath.Join(dir, "notes.txt")
	os.WriteFile(notJSON, []byte("not json"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"attest", "--insecure", bare, "--key", key, "--type", "cyclonedx", "--predicate", notJSON}, notJSON + ": predicate of type cyclonedx: not a JSON object"},
		{[]string{"attest", "--insecure", bare, "--key", key, "--type", "sbom", "--predicate", sbom}, `--type: unknown predicate type "sbom"`},
		{[]string{"attest", "--insecure", bare, "--key", key}, "--predicate is required"},
		{[]string{"attest", "--insecure", bare, "--key", key, "--predicate", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"attest", "--insecure", bare, "--key", pub, "--predicate", sbom}, "this is a public key"},
		{[]string{"attest", bare, "--key", key, "--predicate", sbom}, "plain HTTP refused"},
		{[]string{"verify-attestation", "--insecure", app, "--key", pub, "-f", "sarif"}, "unknown --format"},
		{[]string{"verify-attestation", "--insecure", app, "--key", pub, "--type", "nope"}, "unknown predicate type"},
		{[]string{"verify-attestation", "--insecure", app}, "--key is required"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
	}
	if code, _, _ := runCLI(t, "verify-attestation", "--insecure", bare, "--key", pub, "--type", "any"); code != 1 {
		t.Errorf("bad input pushed an attestation to %s", bare)
	}

	// COSIGN_REPOSITORY: signatures and attestations go to, and are read
	// from, that repository.
	t.Setenv(repositoryEnv, host+"/sigs")
	if code, _, stderr := runCLI(t, "attest", "--insecure", bare, "--key", key, "--type", "cyclonedx", "--predicate", sbom); code != 0 || !strings.Contains(stderr, host+"/sigs:sha256-") {
		t.Errorf("attest with %s: exit %d: %s", repositoryEnv, code, stderr)
	}
	if code, _, stderr := runCLI(t, "sign", "--insecure", bare, "--key", key); code != 0 || !strings.Contains(stderr, host+"/sigs:sha256-") {
		t.Errorf("sign with %s: exit %d: %s", repositoryEnv, code, stderr)
	}
	for _, args := range [][]string{{"verify-attestation", "--type", "cyclonedx"}, {"verify"}} {
		if code, out, stderr := runCLI(t, append(args, "--insecure", bare, "--key", pub)...); code != 0 {
			t.Errorf("%v with %s: exit %d: %s%s", args, repositoryEnv, code, out, stderr)
		}
	}
	t.Setenv(repositoryEnv, "")
	for _, args := range [][]string{{"verify-attestation", "--type", "cyclonedx"}, {"verify"}} {
		if code, _, _ := runCLI(t, append(args, "--insecure", bare, "--key", pub)...); code != 1 {
			t.Errorf("%v without %s: exit %d, want 1 (nothing in the image's repository)", args, repositoryEnv, code)
		}
	}
	t.Setenv(repositoryEnv, "Bad Repo!")
	for _, args := range [][]string{{"verify-attestation"}, {"verify"}, {"sign"}, {"attest", "--predicate", sbom}} {
		k := pub
		if args[0] == "sign" || args[0] == "attest" {
			k = key
		}
		if code, _, stderr := runCLI(t, append(args, "--insecure", bare, "--key", k)...); code != 2 || !strings.Contains(stderr, repositoryEnv+"=Bad Repo!") {
			t.Errorf("%v with a bad %s: exit %d: %s", args, repositoryEnv, code, stderr)
		}
	}
}
