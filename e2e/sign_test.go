//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slimship/slimship/pkg/registry"
)

// ran is a finished command.
type ran struct {
	code     int
	out, err string
}

// runTool runs name with args and extra environment, in dir when set.
func runTool(t *testing.T, env []string, name string, args ...string) ran {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ran{code, out.String(), errb.String()}
}

// want fails unless r exited with code, saying what was run.
func (r ran) want(t *testing.T, what string, code int) ran {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", what, r.code, code, r.out, r.err)
	}
	return r
}

// pushRandom writes a random one-layer image to the local registry and
// returns REGISTRY/REPO:TAG and its digest.
func pushRandom(t *testing.T, reg, repoTag string) (string, v1.Hash) {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	o := registry.Options{Insecure: true}
	ref, err := o.ParseReference(reg + "/" + repoTag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, o.Remote(context.Background())...); err != nil {
		t.Fatal(err)
	}
	h, _ := img.Digest()
	return ref.String(), h
}

// keyPair makes PREFIX.key/.pub with slimship under password.
func keyPair(t *testing.T, prefix, password string) {
	t.Helper()
	runTool(t, []string{"COSIGN_PASSWORD=" + password}, Bin(t), "generate-key-pair", "--output-key-prefix", prefix).
		want(t, "slimship generate-key-pair", 0)
}

// TestSignContainersImage: the containers/image library (podman's, skopeo's,
// CRI-O's) accepts slimship's signatures under a sigstoreSigned policy and
// rejects them with another key.
func TestSignContainersImage(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	bin := Bin(t)
	civ := Need(t, "SLIMSHIP_E2E_CIVERIFY", "the containers/image verifier (e2e/civerify)")
	dir := t.TempDir()
	k1, k2 := filepath.Join(dir, "one"), filepath.Join(dir, "two")
	keyPair(t, k1, "pw-one")
	keyPair(t, k2, "pw-two")
	signed, _ := pushRandom(t, reg, "e2e/sign-ci:1")
	unsigned, _ := pushRandom(t, reg, "e2e/sign-ci:unsigned")

	runTool(t, []string{"COSIGN_PASSWORD=pw-one"}, bin, "sign", "--insecure", signed, "--key", k1+".key").want(t, "slimship sign", 0)
	// cosign's default identity is the repository: podman's docs pair it with matchRepository
	r := runTool(t, nil, civ, "-key", k1+".pub", signed).want(t, "containers/image with the signing key", 0)
	if !strings.Contains(r.out, "accepted") {
		t.Fatalf("civerify: %s", r.out)
	}
	r = runTool(t, nil, civ, "-key", k2+".pub", signed).want(t, "containers/image with another key", 1)
	if !strings.Contains(r.err, "signature verification failed") {
		t.Errorf("another key: %s", r.err)
	}
	runTool(t, nil, civ, "-key", k1+".pub", unsigned).want(t, "containers/image on an unsigned image", 1)
	// the claimed identity is checked too: a repository-only claim is not an exact one
	runTool(t, nil, civ, "-key", k1+".pub", "-identity", "matchExact", signed).want(t, "matchExact, repository claim", 1)
	runTool(t, []string{"COSIGN_PASSWORD=pw-two"}, bin, "sign", "--insecure", signed, "--key", k2+".key", "--sign-container-identity", signed).
		want(t, "slimship sign --sign-container-identity", 0)
	for _, id := range []string{"matchExact", "matchRepoDigestOrExact"} {
		runTool(t, nil, civ, "-key", k2+".pub", "-identity", id, signed).want(t, id+" with an exact claim", 0)
	}
}

// TestSignCosignInterop: the real cosign verifies slimship's signatures and
// slimship verifies cosign's, each reading the other's key files, with the
// signatures of both appended on one tag.
func TestSignCosignInterop(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	bin := Bin(t)
	cosign := Need(t, "SLIMSHIP_E2E_COSIGN", "cosign")
	dir := t.TempDir()
	cenv := cosignEnv(t, dir)
	slim, cos, third := filepath.Join(dir, "slim"), filepath.Join(dir, "cos"), filepath.Join(dir, "third")
	keyPair(t, slim, "slim-pw")
	keyPair(t, third, "third-pw")
	r := runTool(t, cenv("cos-pw"), cosign, "generate-key-pair", "--output-key-prefix", cos).want(t, "cosign generate-key-pair", 0)
	t.Logf("cosign: %s", strings.TrimSpace(r.err))

	cosignVerify := func(key, image string) ran {
		return runTool(t, cenv(""), cosign, "verify", "--key", key, "--insecure-ignore-tlog=true", "--allow-http-registry", image)
	}
	cosignSign := func(key, pw, image string) {
		runTool(t, cenv(pw), cosign, "sign", "--key", key, "--tlog-upload=false", "--allow-http-registry", "--yes", image).
			want(t, "cosign sign --key "+filepath.Base(key), 0)
	}
	slimSign := func(key, pw, image string) {
		runTool(t, []string{"COSIGN_PASSWORD=" + pw}, bin, "sign", "--insecure", image, "--key", key).
			want(t, "slimship sign --key "+filepath.Base(key), 0)
	}
	slimVerify := func(key, image string) ran {
		return runTool(t, nil, bin, "verify", "--insecure", image, "--key", key)
	}

	// A: slimship signs with its key; cosign verifies; then cosign appends its own
	a, ha := pushRandom(t, reg, "e2e/sign-cosign:a")
	slimSign(slim+".key", "slim-pw", a)
	cv := cosignVerify(slim+".pub", a).want(t, "cosign verify of slimship's signature", 0)
	sv := runTool(t, nil, bin, "verify", "--insecure", "-f", "json", a, "--key", slim+".pub").want(t, "slimship verify -f json", 0)
	var fromCosign, fromSlimship []map[string]any
	if err := json.Unmarshal([]byte(cv.out), &fromCosign); err != nil {
		t.Fatalf("cosign verify output: %v\n%s", err, cv.out)
	}
	if err := json.Unmarshal([]byte(sv.out), &fromSlimship); err != nil {
		t.Fatal(err)
	}
	cj, _ := json.Marshal(fromCosign)
	sj, _ := json.Marshal(fromSlimship)
	if string(cj) != string(sj) || !strings.Contains(string(cj), ha.String()) {
		t.Errorf("verified payloads differ:\ncosign   %s\nslimship %s", cj, sj)
	}
	cosignSign(cos+".key", "cos-pw", a)
	if r := slimVerify(cos+".pub", a).want(t, "slimship verify of cosign's signature", 0); !strings.Contains(r.out, "1 of 2 signatures verified") {
		t.Errorf("cosign's signature: %s", r.out)
	}
	if r := slimVerify(slim+".pub", a).want(t, "slimship's signature after cosign appended", 0); !strings.Contains(r.out, "1 of 2 signatures verified") {
		t.Errorf("slimship's signature: %s", r.out)
	}
	cosignVerify(slim+".pub", a).want(t, "cosign verify of slimship's signature next to cosign's", 0)

	// B: each signs with the other's key file
	b, _ := pushRandom(t, reg, "e2e/sign-cosign:b")
	slimSign(cos+".key", "cos-pw", b)
	cosignVerify(cos+".pub", b).want(t, "cosign verify of slimship's signature with cosign's key", 0)
	cosignSign(slim+".key", "slim-pw", b)
	slimVerify(slim+".pub", b).want(t, "slimship verify of cosign's signature with slimship's key", 0)

	// failures: another key, a moved tag, a wrong password
	if r := cosignVerify(third+".pub", a); r.code == 0 {
		t.Errorf("cosign verify with another key passed: %s", r.out)
	}
	if r := slimVerify(third+".pub", a).want(t, "slimship verify with another key", 1); !strings.Contains(r.err, "not made by this key") {
		t.Errorf("another key: %s", r.err)
	}
	pushRandom(t, reg, "e2e/sign-cosign:a") // the tag moves to a new image
	if r := cosignVerify(slim+".pub", a); r.code == 0 {
		t.Errorf("cosign verify after the tag moved passed: %s", r.out)
	}
	if r := slimVerify(slim+".pub", a).want(t, "slimship verify after the tag moved", 1); !strings.Contains(r.err, "has no signatures") {
		t.Errorf("moved tag: %s", r.err)
	}
	if r := runTool(t, []string{"COSIGN_PASSWORD=nope"}, bin, "sign", "--insecure", b, "--key", cos+".key").want(t, "slimship sign, wrong password", 2); !strings.Contains(r.err, "wrong password") {
		t.Errorf("wrong password: %s", r.err)
	}
	if r := runTool(t, cenv("nope"), cosign, "sign", "--key", slim+".key", "--tlog-upload=false", "--allow-http-registry", "--yes", b); r.code == 0 {
		t.Errorf("cosign sign with a wrong password passed")
	}
}

// TestAttachReferrersRegistry: on distribution 2.8 (no referrers API) attach
// and sbom --attach maintain the referrers tag, which crane reads back.
func TestAttachReferrersRegistry(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	bin := Bin(t)
	img, h := pushRandom(t, reg, "e2e/attach:1")
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("release notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runTool(t, nil, bin, "attach", "--insecure", "--artifact-type", "text/vnd.slimship.notes", notes, img).want(t, "slimship attach", 0)
	notesRef := strings.TrimSpace(r.out)
	runTool(t, nil, bin, "sbom", "--insecure", "--attach", "--platform", "linux/amd64", img).want(t, "slimship sbom --attach", 0)

	fallback := reg + "/e2e/attach:" + strings.Replace(h.String(), ":", "-", 1)
	var idx v1.IndexManifest
	r = runTool(t, nil, crane, "manifest", "--insecure", fallback).want(t, "crane manifest of the referrers tag", 0)
	if err := json.Unmarshal([]byte(r.out), &idx); err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, d := range idx.Manifests {
		types[d.ArtifactType] = true
	}
	if len(idx.Manifests) != 2 || !types["text/vnd.slimship.notes"] || !types["application/vnd.cyclonedx+json"] {
		t.Fatalf("referrers tag %s: %s", fallback, r.out)
	}
	var m v1.Manifest
	r = runTool(t, nil, crane, "manifest", "--insecure", notesRef).want(t, "crane manifest of the referrer", 0)
	if err := json.Unmarshal([]byte(r.out), &m); err != nil {
		t.Fatal(err)
	}
	if m.Subject == nil || m.Subject.Digest != h || m.ArtifactType != "text/vnd.slimship.notes" {
		t.Errorf("referrer: %s", r.out)
	}
	if skopeo := os.Getenv("SLIMSHIP_E2E_SKOPEO"); skopeo != "" {
		runTool(t, nil, skopeo, "inspect", "--raw", "--tls-verify=false", "docker://"+notesRef).want(t, "skopeo reads the referrer", 0)
	}
	// cosign tree lists OCI referrers (through the same tag) with --experimental-oci11
	if cosign := os.Getenv("SLIMSHIP_E2E_COSIGN"); cosign != "" {
		r := runTool(t, []string{"HOME=" + t.TempDir()}, cosign, "tree", "--experimental-oci11", "--allow-http-registry", img).want(t, "cosign tree", 0)
		for _, want := range []string{"application/vnd.cyclonedx+json artifacts via OCI referrer", "text/vnd.slimship.notes artifacts via OCI referrer: " + notesRef} {
			if !strings.Contains(r.out, want) {
				t.Errorf("cosign tree does not show %q:\n%s", want, r.out)
			}
		}
	}
}

// TestBuildSBOMSign: one command builds, pushes, attaches each platform's
// SBOM and signs; containers/image accepts the signature.
func TestBuildSBOMSign(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	bin := Bin(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "cosign")
	keyPair(t, key, "build-pw")
	dest := reg + "/e2e/build-signed:1"
	r := runTool(t, []string{"COSIGN_PASSWORD=build-pw", "SOURCE_DATE_EPOCH=1700000000"}, bin, "build", "--insecure",
		"../pkg/image/build/testdata/hello", "--platform", "linux/amd64,linux/arm64", "-o", "docker://"+dest,
		"--sbom", "--sign-key", key+".key").want(t, "slimship build --sbom --sign-key", 0)
	digest := strings.TrimSpace(r.out)
	var idx v1.IndexManifest
	if err := json.Unmarshal([]byte(runTool(t, nil, crane, "manifest", "--insecure", dest).want(t, "crane manifest", 0).out), &idx); err != nil {
		t.Fatal(err)
	}
	for _, d := range idx.Manifests {
		fb := reg + "/e2e/build-signed:" + strings.Replace(d.Digest.String(), ":", "-", 1)
		out := runTool(t, nil, crane, "manifest", "--insecure", fb).want(t, "referrers of "+d.Platform.String(), 0).out
		if !strings.Contains(out, "application/vnd.cyclonedx+json") {
			t.Errorf("%s: %s", d.Platform, out)
		}
	}
	runTool(t, nil, bin, "verify", "--insecure", reg+"/e2e/build-signed@"+digest, "--key", key+".pub").want(t, "slimship verify", 0)
	if civ := os.Getenv("SLIMSHIP_E2E_CIVERIFY"); civ != "" {
		runTool(t, nil, civ, "-key", key+".pub", dest).want(t, "containers/image on the built index", 0)
	}
}

// TestAttestCosignInterop: the real cosign verifies slimship's in-toto
// attestations and slimship verifies cosign's, both on one .att tag, by
// predicate type; --replace on either side drops the other's attestation
// of that type.
func TestAttestCosignInterop(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	bin := Bin(t)
	cosign := Need(t, "SLIMSHIP_E2E_COSIGN", "cosign")
	dir := t.TempDir()
	cenv := cosignEnv(t, dir)
	slim, cos := filepath.Join(dir, "slim"), filepath.Join(dir, "cos")
	keyPair(t, slim, "slim-pw")
	runTool(t, cenv("cos-pw"), cosign, "generate-key-pair", "--output-key-prefix", cos).want(t, "cosign generate-key-pair", 0)
	sbom := filepath.Join(dir, "app.cdx.json")
	if err := os.WriteFile(sbom, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"zlib","version":"1.3","purl":"pkg:deb/debian/zlib1g@1.3?arch=amd64&distro=debian-12"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("built by CI run 42\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cosignVerify := func(key, typ, image string) ran {
		return runTool(t, cenv(""), cosign, "verify-attestation", "--key", key, "--type", typ, "--insecure-ignore-tlog=true", "--allow-http-registry", image)
	}
	cosignAttest := func(typ, pred, image string, extra ...string) {
		args := append([]string{"attest", "--key", cos + ".key", "--type", typ, "--predicate", pred, "--tlog-upload=false", "--allow-http-registry", "--yes"}, extra...)
		runTool(t, cenv("cos-pw"), cosign, append(args, image)...).want(t, "cosign attest --type "+typ, 0)
	}
	slimAttest := func(typ, pred, image string, extra ...string) {
		args := append([]string{"attest", "--insecure", image, "--key", slim + ".key", "--type", typ, "--predicate", pred}, extra...)
		runTool(t, []string{"COSIGN_PASSWORD=slim-pw"}, bin, args...).want(t, "slimship attest --type "+typ, 0)
	}
	slimVerify := func(key, typ, image string, extra ...string) ran {
		return runTool(t, nil, bin, append([]string{"verify-attestation", "--insecure", image, "--key", key, "--type", typ}, extra...)...)
	}

	a, ha := pushRandom(t, reg, "e2e/attest-cosign:a")
	slimAttest("cyclonedx", sbom, a)
	slimAttest("custom", notes, a)
	cv := cosignVerify(slim+".pub", "cyclonedx", a).want(t, "cosign verify-attestation of slimship's SBOM attestation", 0)
	var env struct{ Payload string }
	if err := json.Unmarshal([]byte(strings.TrimSpace(cv.out)), &env); err != nil {
		t.Fatalf("cosign verify-attestation output: %v\n%s", err, cv.out)
	}
	pl, _ := base64.StdEncoding.DecodeString(env.Payload)
	if !strings.Contains(string(pl), `"sha256":"`+ha.Hex+`"`) || !strings.Contains(string(pl), `zlib1g@1.3`) {
		t.Errorf("statement cosign verified: %s", pl)
	}
	cosignVerify(slim+".pub", "custom", a).want(t, "cosign verify-attestation of slimship's custom attestation", 0)

	cosignAttest("cyclonedx", sbom, a)
	if r := slimVerify(cos+".pub", "cyclonedx", a).want(t, "slimship verify-attestation of cosign's attestation", 0); !strings.Contains(r.out, "1 of 3 attestations of type https://cyclonedx.org/bom verified") {
		t.Errorf("cosign's attestation: %s", r.out)
	}
	if r := slimVerify(slim+".pub", "any", a).want(t, "slimship's attestations next to cosign's", 0); !strings.Contains(r.out, "2 of 3 attestations of any type verified") {
		t.Errorf("slimship's attestations: %s", r.out)
	}
	cosignVerify(slim+".pub", "cyclonedx", a).want(t, "cosign verify-attestation of slimship's next to cosign's", 0)
	pred := slimVerify(cos+".pub", "cyclonedx", a, "-f", "predicate").want(t, "slimship verify-attestation -f predicate", 0)
	var bom struct{ Components []struct{ Purl string } }
	if err := json.Unmarshal([]byte(pred.out), &bom); err != nil || len(bom.Components) != 1 ||
		bom.Components[0].Purl != "pkg:deb/debian/zlib1g@1.3?arch=amd64&distro=debian-12" {
		t.Errorf("predicate of cosign's attestation (%v): %s", err, pred.out)
	}

	// --replace: slimship's replaces cosign's SBOM attestation (and its own)
	slimAttest("cyclonedx", sbom, a, "--replace")
	if r := cosignVerify(cos+".pub", "cyclonedx", a); r.code == 0 {
		t.Errorf("cosign's attestation survived slimship attest --replace: %s", r.out)
	}
	cosignVerify(slim+".pub", "cyclonedx", a).want(t, "cosign verify-attestation after --replace", 0)
	// and cosign's --replace drops slimship's
	cosignAttest("cyclonedx", sbom, a, "--replace")
	if r := slimVerify(slim+".pub", "cyclonedx", a).want(t, "slimship's after cosign attest --replace", 1); !strings.Contains(r.err, "(found: https://cosign.sigstore.dev/attestation/v1)") {
		t.Errorf("after cosign --replace: %s", r.err)
	}

	// the tag moves to a new image: its attestations are not the new image's
	pushRandom(t, reg, "e2e/attest-cosign:a")
	if r := cosignVerify(slim+".pub", "custom", a); r.code == 0 {
		t.Errorf("cosign verify-attestation after the tag moved passed: %s", r.out)
	}
	if r := slimVerify(slim+".pub", "custom", a).want(t, "slimship verify-attestation after the tag moved", 1); !strings.Contains(r.err, "has no attestations") {
		t.Errorf("moved tag: %s", r.err)
	}

	// COSIGN_REPOSITORY: both keep signatures and attestations in another
	// repository, and each finds the other's there.
	c, _ := pushRandom(t, reg, "e2e/attest-cosign:c")
	repo := "COSIGN_REPOSITORY=" + reg + "/e2e/signatures"
	runTool(t, []string{"COSIGN_PASSWORD=slim-pw", repo}, bin, "attest", "--insecure", c, "--key", slim+".key", "--type", "cyclonedx", "--predicate", sbom).
		want(t, "slimship attest with COSIGN_REPOSITORY", 0)
	runTool(t, []string{"COSIGN_PASSWORD=slim-pw", repo}, bin, "sign", "--insecure", c, "--key", slim+".key").
		want(t, "slimship sign with COSIGN_REPOSITORY", 0)
	runTool(t, append(cenv(""), repo), cosign, "verify-attestation", "--key", slim+".pub", "--type", "cyclonedx", "--insecure-ignore-tlog=true", "--allow-http-registry", c).
		want(t, "cosign verify-attestation with COSIGN_REPOSITORY", 0)
	runTool(t, append(cenv(""), repo), cosign, "verify", "--key", slim+".pub", "--insecure-ignore-tlog=true", "--allow-http-registry", c).
		want(t, "cosign verify with COSIGN_REPOSITORY", 0)
	runTool(t, append(cenv("cos-pw"), repo), cosign, "sign", "--key", cos+".key", "--tlog-upload=false", "--allow-http-registry", "--yes", c).
		want(t, "cosign sign with COSIGN_REPOSITORY", 0)
	if r := runTool(t, []string{repo}, bin, "verify", "--insecure", c, "--key", cos+".pub").want(t, "slimship verify of cosign's signature with COSIGN_REPOSITORY", 0); !strings.Contains(r.out, "1 of 2 signatures verified") {
		t.Errorf("COSIGN_REPOSITORY: %s", r.out)
	}
	// without it, the image's own repository has none
	runTool(t, nil, bin, "verify", "--insecure", c, "--key", slim+".pub").want(t, "slimship verify without COSIGN_REPOSITORY", 1)
	if r := cosignVerify(slim+".pub", "cyclonedx", c); r.code == 0 {
		t.Errorf("cosign verify-attestation without COSIGN_REPOSITORY passed: %s", r.out)
	}
}

// cosignEnv is the environment cosign runs in, given the key's password:
// HOME under dir, as cosign keeps its TUF cache and config there (none of
// it is needed offline).
func cosignEnv(t *testing.T, dir string) func(pw string) []string {
	t.Helper()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	return func(pw string) []string {
		return []string{"HOME=" + home, "TUF_ROOT=" + filepath.Join(home, "tuf"), "COSIGN_PASSWORD=" + pw, "COSIGN_EXPERIMENTAL=0"}
	}
}
