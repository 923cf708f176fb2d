package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewCommandsBadInput: every command this round added refuses a
// missing file, garbage, and a wrong flag value with exit 2, naming the
// file or flag.
func TestNewCommandsBadInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.tar")
	garbage := filepath.Join(dir, "garbage.bin")
	os.WriteFile(garbage, []byte("\x00\x01 not what it should be \xff"), 0o644)
	t.Setenv("COSIGN_PASSWORD", "x")
	elf, err := os.Executable() // an ELF binary: the test itself
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"copy missing source", []string{"copy", missing, "oci:" + filepath.Join(dir, "out")}, "missing.tar"},
		{"copy garbage source", []string{"copy", garbage, "oci:" + filepath.Join(dir, "out")}, "garbage.bin"},
		{"copy bad platform", []string{"copy", "--platform", "linux", garbage, "oci:" + filepath.Join(dir, "out")}, "platform"},
		{"attach missing file", []string{"attach", "--artifact-type", "application/json", missing, "127.0.0.1:1/a:1"}, "missing.tar"},
		{"sign missing key", []string{"sign", "--key", missing, "127.0.0.1:1/a:1"}, "missing.tar"},
		{"sign garbage key", []string{"sign", "--key", garbage, "127.0.0.1:1/a:1"}, "garbage.bin"},
		{"verify missing key", []string{"verify", "--key", missing, "127.0.0.1:1/a:1"}, "missing.tar"},
		{"verify garbage key", []string{"verify", "--key", garbage, "127.0.0.1:1/a:1"}, "garbage.bin"},
		{"tags bad repository", []string{"tags", "Not A Repo!"}, "Not A Repo!"},
		{"tags bad format", []string{"tags", "-f", "yaml", "127.0.0.1:1/a"}, "yaml"},
		{"prune bad count", []string{"registry", "prune", "--keep-last", "-3", "127.0.0.1:1/a"}, "keep-last"},
		{"edge generate missing binary", []string{"edge", "generate", "--binary", missing}, "missing.tar"},
		{"edge generate garbage binary", []string{"edge", "generate", "--binary", garbage}, "garbage.bin"},
		{"edge generate bad quota", []string{"edge", "generate", "--binary", elf, "--cpu-quota", "0%"}, "cpu-quota"},
		{"edge lint missing unit", []string{"edge", "lint", filepath.Join(dir, "missing.service")}, "missing.service"},
		{"edge lint bad format", []string{"edge", "lint", "-f", "yaml", garbage}, "yaml"},
		{"k8s alerts bad threshold", []string{"k8s", "alerts", "--name", "web", "--image", "registry.example.com/web:1", "--alert-cpu", "2"}, "alert-cpu"},
		{"k8s alerts missing app file", []string{"k8s", "alerts", "-f", missing}, "missing.tar"},
		{"k8s generate --jobs missing targets file", []string{"k8s", "generate", "--jobs", "--image", "registry.example.com/s:1", "--targets-file", missing}, "missing.tar"},
		{"k8s generate --jobs bad shards", []string{"k8s", "generate", "--jobs", "--image", "registry.example.com/s:1", "--target", "registry.example.com/a:1", "--shards", "0"}, "--shards"},
		{"k8s generate --jobs bad parallelism", []string{"k8s", "generate", "--jobs", "--image", "registry.example.com/s:1", "--target", "registry.example.com/a:1", "--parallelism", "0"}, "--parallelism"},
		{"fleet run missing targets", []string{"fleet", "run", "--index", "0", "--targets", missing, "--", "sbom"}, "missing.tar"},
		{"sbom missing", []string{"sbom", missing}, "missing.tar"},
		{"sbom garbage", []string{"sbom", garbage}, "garbage.bin"},
		{"sbom bad format", []string{"sbom", "-f", "xml", garbage}, "xml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCLI(t, c.args...)
			if code != ExitUsage || !strings.Contains(errs, c.want) {
				t.Errorf("slimship %s: exit %d, stderr %q; want exit 2 naming %q", strings.Join(c.args, " "), code, errs, c.want)
			}
		})
	}
}
