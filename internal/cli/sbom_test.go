package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

func sbomImage(t *testing.T) string {
	t.Helper()
	l := tarLayer(t,
		tfile{name: "etc/os-release", body: "ID=alpine\nVERSION_ID=3.11.5\nPRETTY_NAME=\"Alpine Linux v3.11\"\n"},
		tfile{name: "lib/apk/db/installed", body: "P:musl\nV:1.1.24-r2\nA:x86_64\no:musl\n\nP:zlib\nV:1.2.11-r3\nA:x86_64\no:zlib\n\n"})
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "ADD rootfs /"}})
	if err != nil {
		t.Fatal(err)
	}
	return writeArchive(t, img, "example.com/alpine:1", "alpine.tar")
}

func TestSBOMFormats(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	img := sbomImage(t)
	code, out, stderr := runCLI(t, "sbom", img)
	if code != 0 || !strings.Contains(out, "musl") || !strings.Contains(out, "2 packages") {
		t.Fatalf("table: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "sbom", "--format", "cyclonedx", img)
	if code != 0 {
		t.Fatalf("cyclonedx: exit %d: %s", code, stderr)
	}
	var bom struct {
		SpecVersion string `json:"specVersion"`
		Metadata    struct{ Timestamp string }
		Components  []struct{ Purl string }
	}
	if err := json.Unmarshal([]byte(out), &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.6" || bom.Metadata.Timestamp != "2023-11-14T22:13:20Z" || len(bom.Components) != 3 ||
		bom.Components[1].Purl != "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=alpine-3.11.5" {
		t.Errorf("cyclonedx: %+v", bom)
	}
	_, again, _ := runCLI(t, "sbom", "--format", "cyclonedx", img)
	if again != out {
		t.Error("two runs differ")
	}
	outFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
	if code, _, stderr := runCLI(t, "sbom", "-f", "spdx", "-o", outFile, img); code != 0 {
		t.Fatalf("spdx: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(outFile)
	if err != nil || !strings.Contains(string(b), `"spdxVersion": "SPDX-2.3"`) || !strings.Contains(string(b), "pkg:apk/alpine/zlib@1.2.11-r3") {
		t.Errorf("spdx: %v\n%s", err, b)
	}
}

func TestSBOMDirAndErrors(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lib/apk/db"), 0o755)
	os.WriteFile(filepath.Join(dir, "lib/apk/db/installed"), []byte("P:busybox\nV:1.31.1-r9\n\n"), 0o644)
	code, out, stderr := runCLI(t, "sbom", "-f", "json", dir)
	if code != 0 || !strings.Contains(out, `"name": "busybox"`) || !strings.Contains(out, `"layer": -1`) {
		t.Errorf("dir: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, _ := runCLI(t, "sbom", "-f", "xml", dir); code != 2 {
		t.Errorf("bad format: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "sbom", filepath.Join(dir, "missing.tar")); code != 2 {
		t.Errorf("missing image: exit %d, want 2", code)
	}
}

// Garbage where an image is expected is exit 2 naming the file.
func TestSBOMGarbage(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "garbage.json")
	os.WriteFile(garbage, []byte("\x00\x01garbage\xff"), 0o644)
	if code, _, stderr := runCLI(t, "sbom", garbage); code != 2 || !strings.Contains(stderr, garbage) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
