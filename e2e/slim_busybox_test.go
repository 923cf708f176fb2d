//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// busyboxArchive writes a docker-archive shaped like dive's busybox test
// image: /bin/[ holds a static busybox and every applet, /bin/sh included,
// is a hardlink to it; CMD ["sh"]. A second layer adds and deletes files.
func busyboxArchive(t *testing.T, busybox []byte, path string) {
	t.Helper()
	type entry struct {
		h    *tar.Header
		body []byte
	}
	layer := func(entries ...entry) v1.Layer {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, e := range entries {
			e.h.Size = int64(len(e.body))
			if err := tw.WriteHeader(e.h); err != nil {
				t.Fatal(err)
			}
			tw.Write(e.body)
		}
		tw.Close()
		b := buf.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	dir := func(n string) entry { return entry{h: &tar.Header{Name: n, Typeflag: tar.TypeDir, Mode: 0o755}} }
	reg := func(n string, body []byte) entry {
		return entry{h: &tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o755}, body: body}
	}
	hard := func(n, to string) entry {
		return entry{h: &tar.Header{Name: n, Typeflag: tar.TypeLink, Mode: 0o755, Linkname: to}}
	}
	base := []entry{dir("bin/"), reg("bin/[", busybox), dir("etc/"), reg("etc/passwd", []byte("root:x:0:0:root:/root:/bin/sh\n")),
		dir("tmp/"), dir("usr/"), dir("usr/share/"), reg("usr/share/junk", bytes.Repeat([]byte("j"), 1<<20))}
	for _, applet := range []string{"[[", "sh", "ash", "echo", "ls", "cat", "rm", "cp"} {
		base = append(base, hard("bin/"+applet, "bin/["))
	}
	more := []entry{dir("app/"), reg("app/data.txt", bytes.Repeat([]byte("d"), 4096)), reg("usr/share/.wh.junk", nil)}
	img, err := mutate.AppendLayers(empty.Image, layer(base...), layer(more...))
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.Config(img, v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}); err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("localhost/slimship-e2e-busybox:latest")
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatal(err)
	}
}

// slim --minify on a busybox image whose sh is a hardlink to /bin/[ (as in
// dive's test image) keeps sh: the result runs `sh -c 'echo ok'`.
func TestSlimMinifyBusyboxHardlinks(t *testing.T) {
	Need(t, "SLIMSHIP_E2E_PODMAN", "podman")
	busybox, err := os.ReadFile(Need(t, "SLIMSHIP_E2E_BUSYBOX", "a static busybox"))
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	busyboxArchive(t, busybox, archive)
	dst := "localhost/slimship-e2e-busybox-slim"
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", dst).Run() })
	out := slimship(t, "slim", "--minify", "docker-archive:"+archive, "-o", "podman:"+dst)
	got := PodmanRun(t, dst, "sh", "-c", "echo ok")
	if strings.TrimSpace(got) != "ok" {
		t.Fatalf("minified busybox prints %q, want ok", got)
	}
	record(t, "slim busybox (minify, sh a hardlink to /bin/[): %s; sh -c 'echo ok' prints %q", strings.TrimSpace(strings.ReplaceAll(out, "\n", "; ")), strings.TrimSpace(got))
}
