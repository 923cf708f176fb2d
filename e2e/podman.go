//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// podmanLimits are needed by every container podman starts in this sandbox
// (its default ulimits exceed what the runtime may set).
var podmanLimits = []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"}

// BaseImage is the Debian bookworm base image that
// scripts/e2e/setup.d/10-podman.sh imports; it needs podman.
func BaseImage(t *testing.T) string {
	t.Helper()
	Need(t, "SLIMSHIP_E2E_PODMAN", "podman")
	return Need(t, "SLIMSHIP_E2E_BASE_IMAGE", "the Debian base image")
}

// Podman runs podman with args and returns its standard output, failing
// the test with its standard error on error.
func Podman(t *testing.T, args ...string) string {
	t.Helper()
	Need(t, "SLIMSHIP_E2E_PODMAN", "podman")
	cmd := exec.Command("podman", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// PodmanBuild builds contextDir (its Containerfile or Dockerfile) as tag,
// with host networking so RUN steps can fetch packages, and removes the
// image when the test ends. A Containerfile may name the base image as
// FROM ${BASE} (a build argument set to BaseImage).
func PodmanBuild(t *testing.T, contextDir, tag string) {
	t.Helper()
	args := append([]string{"build", "--network", "host", "-q"}, podmanLimits...)
	if base := os.Getenv("SLIMSHIP_E2E_BASE_IMAGE"); base != "" {
		args = append(args, "--build-arg", "BASE="+base)
	}
	args = append(args, "-t", tag, contextDir)
	Podman(t, args...)
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", tag).Run() })
}

// PodmanRun runs image with args in a throw-away container and returns its
// standard output.
func PodmanRun(t *testing.T, image string, args ...string) string {
	t.Helper()
	full := append([]string{"run", "--rm", "--network", "none"}, podmanLimits...)
	full = append(full, image)
	return Podman(t, append(full, args...)...)
}

// PodmanSave writes image to path as a docker-archive.
func PodmanSave(t *testing.T, image, path string) {
	t.Helper()
	Podman(t, "save", "--format", "docker-archive", "-o", path, image)
}
