//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPodmanBuildRun proves podman can build from the debootstrapped base
// image and run the result.
func TestPodmanBuildRun(t *testing.T) {
	BaseImage(t)
	dir := t.TempDir()
	infraWrite(t, filepath.Join(dir, "Containerfile"), "ARG BASE\nFROM ${BASE}\nRUN echo built-by-e2e > /hello\nCMD [\"cat\", \"/hello\"]\n")
	tag := fmt.Sprintf("localhost/slimship-e2e-infra:%d", time.Now().UnixNano())
	PodmanBuild(t, dir, tag)
	if out := PodmanRun(t, tag); strings.TrimSpace(out) != "built-by-e2e" {
		t.Fatalf("podman run printed %q", out)
	}
	archive := filepath.Join(t.TempDir(), "img.tar")
	PodmanSave(t, tag, archive)
	if st, err := os.Stat(archive); err != nil || st.Size() == 0 {
		t.Fatalf("podman save wrote nothing: %v", err)
	}
}

// TestRegistryPushPull pushes a random image to the local registry with
// crane and pulls it back, and reads it with skopeo.
func TestRegistryPushPull(t *testing.T) {
	reg := Need(t, "SLIMSHIP_E2E_REGISTRY", "the local registry")
	crane := Need(t, "SLIMSHIP_E2E_CRANE", "crane")
	ref := reg + "/e2e/infra:push-pull"
	dir := t.TempDir()
	// crane has no "random"; build a one-file image by appending a layer to
	// an empty base.
	layer := filepath.Join(dir, "layer.tar")
	infraTar(t, dir, layer)
	infraRun(t, crane, "append", "--insecure", "-f", layer, "-t", ref)
	digest := strings.TrimSpace(infraRun(t, crane, "digest", "--insecure", ref))
	if !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("crane digest printed %q", digest)
	}
	pulled := filepath.Join(dir, "pulled.tar")
	infraRun(t, crane, "pull", "--insecure", ref, pulled)
	if st, err := os.Stat(pulled); err != nil || st.Size() == 0 {
		t.Fatalf("crane pull wrote nothing: %v", err)
	}
	if out := infraRun(t, crane, "export", "--insecure", ref, "-"); !strings.Contains(out, "e2e-payload") {
		t.Fatalf("pulled image lost its file")
	}
	if skopeo := os.Getenv("SLIMSHIP_E2E_SKOPEO"); skopeo != "" {
		out := infraRun(t, skopeo, "inspect", "--tls-verify=false", "docker://"+ref)
		if !strings.Contains(out, digest) {
			t.Fatalf("skopeo inspect does not show %s:\n%s", digest, out)
		}
	}
}

func infraWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func infraTar(t *testing.T, dir, out string) {
	t.Helper()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	infraWrite(t, filepath.Join(src, "payload.txt"), "e2e-payload\n")
	infraRun(t, "tar", "-C", src, "-cf", out, "payload.txt")
}

func infraRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// TestChromiumHeadless proves headless chromium runs scripts and dumps the
// DOM, as the HTML report test needs.
func TestChromiumHeadless(t *testing.T) {
	chromium := Need(t, "SLIMSHIP_E2E_CHROMIUM", "chromium")
	page := filepath.Join(t.TempDir(), "page.html")
	infraWrite(t, page, `<html><body><p id="x">static</p><script>document.getElementById("x").textContent = "js-" + "ran"</script></body></html>`)
	out := infraRun(t, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://"+page)
	if !strings.Contains(out, ">js-ran<") {
		t.Fatalf("chromium did not run the page's script:\n%s", out)
	}
}
