package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/slimship/slimship/internal/regtest"
	"github.com/slimship/slimship/pkg/image/transport"
)

func TestCopyCLI(t *testing.T) {
	reg := regtest.New(t)
	dir := t.TempDir()
	idx, err := random.Index(256, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	src := "oci:" + filepath.Join(dir, "src") + ":v1"
	if err := transport.WriteIndex(context.Background(), src, idx, transport.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	for _, c := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{src, "docker://" + reg.Host + "/team/app:v1", "--insecure"}, ExitOK, "copied " + src + " to docker://" + reg.Host + "/team/app:v1: index " + d.String() + " (unknown, unknown)", ""},
		{[]string{"-q", reg.Host + "/team/app:v1", "oci-archive:" + filepath.Join(dir, "x.tar"), "--insecure"}, ExitOK, "", ""},
		{[]string{src, "docker-archive:" + filepath.Join(dir, "y.tar")}, ExitUsage, "", "docker-archive holds one image and " + src + " is an index of 2 manifests"},
		{[]string{src, "docker://registry.example.com/app:1", "--insecure"}, ExitUsage, "", "only for loopback registries"},
		{[]string{src, reg.Host + "/team/app:v2", "--with-referrers", "--insecure"}, ExitUsage, "", "must both be registry references"},
		{[]string{src, "oci-archive:/missing/dir/x.tar"}, ExitUsage, "", "DEST /missing/dir/x.tar: parent directory /missing/dir does not exist"},
		{[]string{"bogus://x", "oci:" + dir + "/z"}, ExitUsage, "", `SRC "bogus://x": unknown transport "bogus"`},
		{[]string{"--platform", "linux", src, "oci:" + dir + "/z"}, ExitUsage, "", `--platform "linux": want os/arch[/variant]`},
		{[]string{"--jobs", "0", src, "oci:" + dir + "/z"}, ExitUsage, "", "--jobs must be at least 1"},
		{[]string{"oci:" + dir + "/missing", "oci:" + dir + "/z"}, ExitUsage, "", "not an OCI layout"},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"copy"}, c.args...)...)
		// no progress on a stderr that is not a terminal
		if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) || c.stdout == "" && stdout != "" ||
			c.stderr == "" && stderr != "" {
			t.Errorf("copy %v: exit %d, stdout %q, stderr %q; want exit %d, %q and %q", c.args, code, stdout, stderr, c.code, c.stdout, c.stderr)
		}
	}
}

func TestCopyProgressLine(t *testing.T) {
	var b strings.Builder
	p := &copyProgress{w: &b}
	p.update(500_000, 2_000_000)
	p.update(2_000_000, 2_000_000)
	p.done()
	want := "\r\x1b[Kcopying [======                  ] 500.0 kB / 2.0 MB\r\x1b[Kcopying [========================] 2.0 MB / 2.0 MB\r\x1b[K"
	if b.String() != want {
		t.Fatalf("%q\nwant %q", b.String(), want)
	}
}
