package cli

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slimship/slimship/internal/golden"
	"github.com/slimship/slimship/pkg/report"
)

// auditArchive writes a docker-archive of a small image: files maps paths
// to content (mode 0755) and cfg is its config.
func auditArchive(t *testing.T, cfg v1.Config, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names) // a stable layer digest for the golden files
	for _, p := range names {
		c := files[p]
		if err := tw.WriteHeader(&tar.Header{Name: p, Mode: 0o755, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, c)
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.Config(img, cfg); err != nil {
		t.Fatal(err)
	}
	return writeArchive(t, img, "example.com/app:v1", "img.tar")
}

func auditCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLI(t, append([]string{"audit"}, args...)...)
}

func TestAuditCLI(t *testing.T) {
	t.Chdir(t.TempDir()) // no .slimship.yaml from the repository
	bad := auditArchive(t, v1.Config{Env: []string{"API_TOKEN=abc123"}, Cmd: []string{"/app"}},
		map[string]string{"app": "\x7fELF", "app.env": "AWS_ACCESS_KEY_ID=" + "AKIA" + "Q3EGXNPVT7RJ5ZWM\n"})
	for _, format := range report.Formats {
		code, out, stderr := auditCLI(t, "--format", format, "--no-color", "docker-archive:"+bad)
		if code != ExitFindings || !strings.Contains(out, "SSA007") || !strings.Contains(out, "CIS-DI-0010") {
			t.Errorf("%s: exit %d, stderr %q, output:\n%s", format, code, stderr, out)
		}
	}
	code, out, _ := auditCLI(t, "--format", "json", "--accept-key", "API_TOKEN", "--accept-file", "app.env", "--fail-on", "error", bad)
	if code != ExitOK {
		t.Errorf("accepted: exit %d:\n%s", code, out)
	}
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Errorf("json output: %v", err)
	}
	if strings.Contains(out, "API_TOKEN") || strings.Contains(out, "SSA007") {
		t.Errorf("accepted findings reported:\n%s", out)
	}

	// .slimship.yaml audit: allows the same.
	if err := os.WriteFile(".slimship.yaml", []byte("audit:\n  accept-keys: [API_TOKEN]\n  accept-files: [/app.env]\nignored: [CIS-DI-0001, CIS-DI-0006]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := auditCLI(t, bad); code != ExitOK {
		t.Errorf("config: exit %d:\n%s", code, out)
	}
}

// TestAuditGolden: every output format of one audit, from a relative
// archive path so the output does not depend on the machine.
func TestAuditGolden(t *testing.T) {
	old := Version
	Version = "test"
	defer func() { Version = old }()
	src := auditArchive(t, v1.Config{User: "app", Env: []string{"DB_PASSWORD=x"}, ExposedPorts: map[string]struct{}{"22/tcp": {}}, Cmd: []string{"/app"}},
		map[string]string{"app": "\x7fELF", "etc/passwd": "root:x:0:0::/root:/bin/sh\napp:x:0:0::/:/bin/sh\n"})
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	goldenDir, err := filepath.Abs(filepath.Join("testdata", "audit"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("img.tar", b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range report.Formats {
		code, out, stderr := auditCLI(t, "--no-color", "--format", format, "img.tar")
		if code != ExitFindings {
			t.Errorf("%s: exit %d (stderr %q)", format, code, stderr)
		}
		golden.Assert(t, filepath.Join(goldenDir, "img."+format), []byte(out))
	}
}

func TestAuditCLIBadInput(t *testing.T) {
	for _, args := range [][]string{
		{filepath.Join(t.TempDir(), "missing.tar")},
		{"--format", "xml", "x.tar"},
		{"--fail-on", "fatal", "x.tar"},
		{},
	} {
		if code, _, _ := auditCLI(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

func TestRegistryName(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                 "nginx",
		"docker://nginx:latest": "nginx:latest",
		"podman:localhost/x":    "localhost/x",
		"docker-archive:x.tar":  "",
		"./x.tar":               "",
	} {
		if got := registryName(in); got != want {
			t.Errorf("registryName(%q) = %q, want %q", in, got, want)
		}
	}
}
