package cli

import (
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestSlimCLI(t *testing.T) {
	ok := auditArchive(t, v1.Config{Cmd: []string{"/app"}}, map[string]string{"app": "#!/bin/sh\necho ok\n", "bin/sh": "busybox"})
	broken := auditArchive(t, v1.Config{Cmd: []string{"/app"}}, map[string]string{"app": "#!/bin/bash\necho ok\n", "bin/sh": "busybox"})
	noProgram := auditArchive(t, v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=/usr/bin"}}, map[string]string{"bin/sh": "busybox"})
	out := filepath.Join(t.TempDir(), "out.tar")
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{ok, "-o", out}, ExitOK, ""},
		{[]string{"--minify", ok, "-o", out}, ExitOK, ""},
		{[]string{broken, "-o", out}, ExitUsage, out + " was written but the image cannot start its entrypoint: missing script interpreter /bin/bash needed by /app"},
		{[]string{"--minify", broken, "-o", out}, ExitUsage, "missing script interpreter /bin/bash needed by /app (keep more with --include PATH)"},
		{[]string{noProgram, "-o", out}, ExitUsage, `missing program "sh" (searched PATH=/usr/bin)`},
		{[]string{ok, "-o", "/missing/dir/x.tar"}, ExitUsage, "-o: /missing/dir/x.tar: parent directory /missing/dir does not exist"},
		{[]string{ok, "-o", "oci-archive:/missing/dir/x.tar"}, ExitUsage, "parent directory /missing/dir does not exist"},
		{[]string{ok, "-o", out, "--user", "-1"}, ExitUsage, `--user "-1": the UID is negative`},
		{[]string{ok, "-o", out, "--user", "root"}, ExitUsage, `--user "root": use a numeric UID[:GID]`},
		{[]string{ok, "-o", out, "--user", "65532:-1"}, ExitUsage, `--user "65532:-1": the GID is negative`},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"slim"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.stderr) {
			t.Errorf("slim %v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.stderr)
		}
		if code == ExitOK && !strings.Contains(stdout, "smaller") || code != ExitOK && strings.Contains(stdout, "smaller") {
			t.Errorf("slim %v: exit %d with report %q", c.args, code, stdout)
		}
	}
}

// build refuses a wrong -o before building, as slim does.
func TestBuildChecksOutputFirst(t *testing.T) {
	code, _, stderr := runCLI(t, "build", "./does-not-matter", "-o", "/missing/dir/x.tar")
	if code != ExitUsage || !strings.Contains(stderr, "parent directory /missing/dir does not exist") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
