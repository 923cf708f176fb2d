package transport

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func digestOf(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWriteEveryTransport(t *testing.T) {
	ctx := context.Background()
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	// docker-archive
	da := filepath.Join(dir, "img.tar")
	if err := Write(ctx, "docker-archive:"+da+":example.com/app:v1", img, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("example.com/app:v1")
	back, err := tarball.ImageFromPath(da, &tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(back); err != nil {
		t.Fatal(err)
	}

	// oci layout: a second write of the same tag replaces the entry (as
	// skopeo's oci:DIR:TAG does), another tag is added
	ol := filepath.Join(dir, "layout")
	img2, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		tag string
		img v1.Image
	}{{"v1", img}, {"v1", img2}, {"v2", img}} {
		if err := Write(ctx, "oci:"+ol+":"+w.tag, w.img, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := layout.FromPath(ol)
	if err != nil {
		t.Fatal(err)
	}
	ii, _ := p.ImageIndex()
	m, _ := ii.IndexManifest()
	if len(m.Manifests) != 2 || m.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "v1" ||
		m.Manifests[0].Digest != digestOf(t, img2) || m.Manifests[1].Digest != digestOf(t, img) {
		t.Fatalf("layout index: %+v", m.Manifests)
	}

	// oci-archive
	oa := filepath.Join(dir, "img-oci.tar")
	if err := Write(ctx, "oci-archive:"+oa, img, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(oa); err != nil || st.Size() == 0 {
		t.Fatalf("oci-archive not written: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".slimship-*"))
	tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(leftovers)+len(tmps) != 0 {
		t.Fatalf("temporary files left: %v %v", leftovers, tmps)
	}

	// registry
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	dst := strings.TrimPrefix(srv.URL, "http://") + "/app:v1"
	if err := Write(ctx, "docker://"+dst, img, WriteOptions{Insecure: true}); err != nil {
		t.Fatal(err)
	}
	r, _ := name.ParseReference(dst, name.Insecure)
	got, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	if digestOf(t, got) != digestOf(t, img) {
		t.Fatal("registry digest differs")
	}
}

func TestWriteIndexRefusesDockerArchive(t *testing.T) {
	idx, err := random.Index(64, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	err = WriteIndex(context.Background(), "docker-archive:"+filepath.Join(t.TempDir(), "x.tar"), idx, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "index") {
		t.Fatalf("want index error, got %v", err)
	}
	if err := WriteIndex(context.Background(), "oci:"+filepath.Join(t.TempDir(), "l"), idx, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// oci-archive's outer tar depends only on the image and the epoch: two
// writes (different temporary directories, file times, umask) give the
// same bytes, and every header carries the epoch, owner 0:0 without names
// and fixed modes, in lexical order.
func TestOCIArchiveIsReproducible(t *testing.T) {
	ctx := context.Background()
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	epoch := time.Unix(1700000000, 0)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")
	if err := Write(ctx, "oci-archive:"+a, img, WriteOptions{Epoch: epoch}); err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o077)
	err = Write(ctx, "oci-archive:"+b, img, WriteOptions{Epoch: epoch})
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) {
		t.Error("two writes of the same image differ")
	}
	tr := tar.NewReader(bytes.NewReader(ab))
	prev := ""
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: time %v owner %d:%d %q:%q", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if (h.Typeflag == tar.TypeDir && h.Mode != 0o755) || (h.Typeflag == tar.TypeReg && h.Mode != 0o644) {
			t.Errorf("%s: mode %o", h.Name, h.Mode)
		}
		if strings.TrimSuffix(h.Name, "/") < prev {
			t.Errorf("%s after %s", h.Name, prev)
		}
		prev = strings.TrimSuffix(h.Name, "/")
	}
	if back, err := Open(ctx, "oci-archive:"+a, Options{}); err != nil || digestOf(t, back) != digestOf(t, img) {
		t.Fatalf("reading back: %v", err)
	}
}

// Archive destinations are checked before writing: a directory or a
// missing parent directory is refused, and nothing is created.
func TestWriteChecksArchivePath(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for dest, msg := range map[string]string{
		"docker-archive:" + dir:                               "is a directory",
		"oci-archive:" + dir:                                  "is a directory",
		"docker-archive:" + filepath.Join(dir, "no", "x.tar"): "does not exist",
		"oci-archive:" + filepath.Join(dir, "no", "x.tar"):    "does not exist",
		"-": "standard input",
	} {
		if err := CheckDest(dest); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("CheckDest(%s) = %v, want %q", dest, err, msg)
		}
		if err := Write(context.Background(), dest, img, WriteOptions{}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Write(%s) = %v, want %q", dest, err, msg)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("created %v", entries)
	}
}
