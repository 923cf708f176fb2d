package cli

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// edgeIndex is a two-platform index whose images run as 65532 with a
// HEALTHCHECK, and the digest of each platform's manifest.
func edgeIndex(t *testing.T) (v1.ImageIndex, map[string]string) {
	t.Helper()
	idx := v1.ImageIndex(empty.Index)
	digests := map[string]string{}
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = "linux", arch
		cf.Config.User = "65532:65532"
		cf.Config.Healthcheck = &v1.HealthConfig{Test: []string{"CMD", "/hello", "-health"}, Interval: 20 * time.Second, Retries: 2}
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		digests[arch] = d.String()
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	return idx, digests
}

func TestEdgeGenerateOCILayout(t *testing.T) {
	idx, digests := edgeIndex(t)
	dir := filepath.Join(t.TempDir(), "hello")
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, _, stderr := runCLI(t, "edge", "generate", "oci:"+dir, "--platform", "linux/arm64", "--image-ref", "registry.example.com/team/hello:1",
		"--env", "ADDR=:8080", "--health-timeout", "3s", "-o", out, "--", "-v")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, `health check from the image's HEALTHCHECK: ["/hello","-health"]`) {
		t.Errorf("stderr: %s", stderr)
	}
	for _, f := range []string{"hello.container", "hello.service"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		want := "registry.example.com/team/hello@" + digests["arm64"]
		if !strings.Contains(string(b), want) || strings.Contains(string(b), digests["amd64"]) {
			t.Errorf("%s does not pin the arm64 image %s:\n%s", f, want, b)
		}
		for _, s := range []string{"65532", "--health-interval=20s", "--health-retries=2", "--health-timeout=3s", "(linux/arm64)"} {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s lacks %q", f, s)
			}
		}
	}
	// the generated units are clean under edge lint
	if code, stdout, stderr := runCLI(t, "edge", "lint", out); code != 0 {
		t.Errorf("edge lint on generated units: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestEdgeGenerateRegistryPinsPlatform(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	idx, digests := edgeIndex(t)
	ref := strings.TrimPrefix(srv.URL, "http://") + "/edge/hello:1"
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		code, stdout, stderr := runCLI(t, "edge", "generate", "docker://"+ref, "--insecure", "--platform", "linux/"+arch, "--kind", "quadlet")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", arch, code, stderr)
		}
		want := "Image=" + strings.TrimPrefix(srv.URL, "http://") + "/edge/hello@" + digests[arch] + "\n"
		if !strings.Contains(stdout, want) {
			t.Errorf("%s: want %q in\n%s", arch, want, stdout)
		}
	}
}

func TestEdgeGenerateRefuses(t *testing.T) {
	idx, _ := edgeIndex(t)
	dir := filepath.Join(t.TempDir(), "hello")
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	notELF := filepath.Join(t.TempDir(), "script")
	os.WriteFile(notELF, []byte("#!/bin/sh\necho hi\n"), 0o755)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	img := "oci:" + dir
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"cpu quota 0", []string{img, "--cpu-quota", "0%"}, "--cpu-quota: 0%: must be above 0%"},
		{"memory high over max", []string{img, "--memory-max", "256M", "--memory-high", "300M"}, "--memory-high: 300M is not below --memory-max 256M"},
		{"unknown capability", []string{img, "--cap-add", "NET_BIND_SERVCE"}, `--cap-add: unknown capability "NET_BIND_SERVCE"`},
		{"bad unit name", []string{img, "--name", "web@1"}, `--name: "web@1" is not a unit name`},
		{"bad size", []string{img, "--memory-max", "lots"}, `--memory-max: bad size "lots"`},
		{"no input", nil, "give an IMAGE or --binary PATH"},
		{"both", []string{img, "--binary", self}, "not both"},
		{"not ELF", []string{"--binary", notELF}, "not an ELF executable"},
		{"wrong arch", []string{"--binary", self, "--platform", "linux/s390x"}, "not --platform linux/s390x"},
		{"health on binary", []string{"--binary", self, "--health-cmd", "true"}, "--health-cmd: health checks are podman's"},
		{"bad kind", []string{img, "--kind", "pod"}, `--kind "pod"`},
		{"root user", []string{img, "--user", "0"}, "--user: \"0\": the container does not run as root"},
		{"missing image", []string{"oci:" + filepath.Join(t.TempDir(), "none")}, "not an OCI layout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"edge", "generate"}, c.args...)...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want 2\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q lacks %q", stderr, c.want)
			}
			if stdout != "" {
				t.Errorf("wrote units: %s", stdout)
			}
		})
	}
}

func TestEdgeGenerateBinary(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "edge", "generate", "--binary", self, "--name", "app", "--cap-add", "net_bind_service", "--", "--port", "80")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"DynamicUser=yes", "AmbientCapabilities=CAP_NET_BIND_SERVICE", "ExecStart=" + self + " --port 80", "ProtectSystem=strict", "IOReadBandwidthMax=/ 100M"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("lacks %q:\n%s", s, stdout)
		}
	}
	if strings.Contains(stdout, "PrivateUsers=") {
		t.Error("PrivateUsers= with an ambient capability: the capability would not reach the host's network namespace")
	}
	unitPath := filepath.Join(t.TempDir(), "app.service")
	os.WriteFile(unitPath, []byte(stdout), 0o644)
	if code, out, errs := runCLI(t, "edge", "lint", unitPath); code != 0 {
		t.Errorf("lint: exit %d\n%s%s", code, out, errs)
	}
}

func TestEdgeLint(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "web.service")
	os.WriteFile(bad, []byte("[Unit]\nDescription=web\n\n[Service]\n# slimship ignore=SSU006,SSU007\nExecStart=/usr/bin/podman run --rm -p 80:80 docker.io/library/nginx:1\nRestart=always\nRestartSec=5\n"), 0o644)
	code, stdout, stderr := runCLI(t, "edge", "lint", "--format", "json", bad)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, id := range []string{"SSU003", "SSU201", "SSU202", "SSU208", "SSU209", "SSU130"} {
		if !strings.Contains(stdout, `"`+id+`"`) {
			t.Errorf("no %s in %s", id, stdout)
		}
	}
	for _, id := range []string{"SSU006", "SSU007", "SSU102", "SSU001"} {
		if strings.Contains(stdout, `"`+id+`"`) {
			t.Errorf("%s reported (ignored in the file, or not for podman units)", id)
		}
	}
	if code, _, _ := runCLI(t, "edge", "lint", "--ignore", "SSU999", bad); code != ExitUsage {
		t.Errorf("--ignore of an unknown rule: exit %d", code)
	}
	broken := filepath.Join(dir, "broken.service")
	os.WriteFile(broken, []byte("[Service]\nExecStart=/bin/true\nthis is not an assignment\n"), 0o644)
	code, _, stderr = runCLI(t, "edge", "lint", broken)
	if code != ExitUsage || !strings.Contains(stderr, "broken.service:3:") {
		t.Errorf("malformed unit: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "edge", "lint", t.TempDir()); code != ExitUsage || !strings.Contains(stderr, "no *.service or *.container file") {
		t.Errorf("empty dir: exit %d %s", code, stderr)
	}
}
