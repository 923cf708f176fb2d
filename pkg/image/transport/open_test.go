package transport

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slimship/slimship/pkg/image/walk"
	slimreg "github.com/slimship/slimship/pkg/registry"
)

var ctx = context.Background()

func randomImage(t *testing.T) v1.Image {
	t.Helper()
	img, err := random.Image(512, 3)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// countFiles walks img fully, proving every layer decompresses.
func countFiles(t *testing.T, img v1.Image) int {
	t.Helper()
	n := 0
	if err := walk.Walk(ctx, img, walk.Options{}, func(*walk.Entry, io.Reader) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func sameDiffIDs(t *testing.T, a, b v1.Image) {
	t.Helper()
	ca, err := a.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(ca.RootFS.DiffIDs) != len(cb.RootFS.DiffIDs) {
		t.Fatalf("layers %d vs %d", len(ca.RootFS.DiffIDs), len(cb.RootFS.DiffIDs))
	}
	for i := range ca.RootFS.DiffIDs {
		if ca.RootFS.DiffIDs[i] != cb.RootFS.DiffIDs[i] {
			t.Fatalf("layer %d differs", i)
		}
	}
}

func writeDockerArchive(t *testing.T, img v1.Image, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "img.tar")
	tag, _ := name.NewTag("example.com/app:1")
	if err := tarball.WriteToFile(p, tag, img); err != nil {
		t.Fatal(err)
	}
	return p
}

func putLayout(t *testing.T, dir string, img v1.Image, ann map[string]string) {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(ann)); err != nil {
		t.Fatal(err)
	}
}

// packDir packs dir into a tar file, as `tar -C dir -cf out .` would.
func packDir(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h, _ := tar.FileInfoHeader(fi, "")
		h.Name = "./" + filepath.ToSlash(rel)
		if fi.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tw.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
}

func TestDockerArchiveAndBarePath(t *testing.T) {
	img := randomImage(t)
	dir := t.TempDir()
	p := writeDockerArchive(t, img, dir)
	for _, ref := range []string{"docker-archive:" + p, p, "docker-archive:" + p + ":example.com/app:1"} {
		got, err := Open(ctx, ref, Options{})
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		sameDiffIDs(t, img, got)
		if !walk.IsDiffIDNamed(got) {
			t.Errorf("%s: docker-archive should name layers by DiffID", ref)
		}
		if countFiles(t, got) == 0 {
			t.Errorf("%s: no files", ref)
		}
	}
	if _, err := Open(ctx, "docker-archive:"+p+":example.com/other:2", Options{}); err == nil {
		t.Error("missing tag: no error")
	}
}

func TestGzippedArchive(t *testing.T) {
	img := randomImage(t)
	dir := t.TempDir()
	p := writeDockerArchive(t, img, dir)
	b, _ := os.ReadFile(p)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	gz := filepath.Join(dir, "img.tar.gz")
	os.WriteFile(gz, buf.Bytes(), 0o644)
	got, err := Open(ctx, gz, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameDiffIDs(t, img, got)
}

func TestOCILayoutAndArchive(t *testing.T) {
	img := randomImage(t)
	dir := filepath.Join(t.TempDir(), "layout")
	putLayout(t, dir, img, map[string]string{annotationRefName: "v1"})
	arch := filepath.Join(t.TempDir(), "img.oci.tar")
	packDir(t, dir, arch)
	want, _ := img.Digest()
	for _, ref := range []string{"oci:" + dir, "oci:" + dir + ":v1", dir, "oci-archive:" + arch, "oci-archive:" + arch + ":v1", arch} {
		got, err := Open(ctx, ref, Options{})
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if d, _ := got.Digest(); d != want {
			t.Errorf("%s: digest %s, want %s", ref, d, want)
		}
		if countFiles(t, got) == 0 {
			t.Errorf("%s: no files", ref)
		}
	}
	_, err := Open(ctx, "oci:"+dir+":v2", Options{})
	if err == nil || !strings.Contains(err.Error(), `tag "v2" not found (tags: v1)`) {
		t.Errorf("missing tag error: %v", err)
	}
}

func TestPlatformFromIndex(t *testing.T) {
	amd, arm := randomImage(t), randomImage(t)
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{annotationRefName: "multi"})); err != nil {
		t.Fatal(err)
	}
	arch := filepath.Join(t.TempDir(), "multi.tar")
	packDir(t, dir, arch)
	armDigest, _ := arm.Digest()
	for _, ref := range []string{"oci:" + dir, "oci-archive:" + arch} {
		got, err := Open(ctx, ref, Options{Platform: "linux/arm64"})
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if d, _ := got.Digest(); d != armDigest {
			t.Errorf("%s: got %s, want the arm64 image", ref, d)
		}
		if _, err := Open(ctx, ref, Options{Platform: "linux/s390x"}); err == nil {
			t.Errorf("%s: no error for a missing platform", ref)
		}
	}
	if _, err := Open(ctx, "oci:"+dir, Options{Platform: "bad"}); err == nil {
		t.Error("bad platform accepted")
	}
}

func TestRegistry(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	img := randomImage(t)
	ref := u.Host + "/app:1"
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	for _, s := range []string{ref, "docker://" + ref} {
		got, err := Open(ctx, s, Options{Keychain: authn.NewMultiKeychain(), Insecure: true})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if d, _ := got.Digest(); d != want {
			t.Errorf("digest %s, want %s", d, want)
		}
		if countFiles(t, got) == 0 {
			t.Error("no files")
		}
	}
	if _, err := Open(ctx, u.Host+"/nope:1", Options{Keychain: authn.NewMultiKeychain(), Insecure: true}); err == nil {
		t.Error("missing image: no error")
	}
	// plain HTTP only with --insecure, even to loopback (go-containerregistry
	// would fall back to it by itself)
	if _, err := Open(ctx, ref, Options{Keychain: authn.NewMultiKeychain()}); !errors.Is(err, slimreg.ErrPlainHTTP) {
		t.Errorf("without --insecure: %v", err)
	}
}

func TestZstdLayer(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "hello", Size: 5, Mode: 0o644, Typeflag: tar.TypeReg})
	tw.Write([]byte("world"))
	tw.Close()
	raw := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithCompression("zstd"), tarball.WithMediaType(types.OCILayerZStd))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	dir := t.TempDir()
	putLayout(t, dir, img, nil)
	got, err := Open(ctx, "oci:"+dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := countFiles(t, got); n != 1 {
		t.Errorf("%d files", n)
	}
}

func TestBrokenImagesAreClearErrors(t *testing.T) {
	img := randomImage(t)
	dir := t.TempDir()
	putLayout(t, dir, img, nil)
	layers, _ := img.Layers()
	d, _ := layers[1].Digest()
	blob := filepath.Join(dir, "blobs", d.Algorithm, d.Hex)

	// truncated layer: the error names the layer.
	b, _ := os.ReadFile(blob)
	os.WriteFile(blob, b[:len(b)/2], 0o644)
	got, err := Open(ctx, "oci:"+dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = walk.Walk(ctx, got, walk.Options{}, func(*walk.Entry, io.Reader) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "layer 1 (sha256:") {
		t.Errorf("truncated layer: %v", err)
	}

	// missing blob inside an oci-archive.
	os.Remove(blob)
	arch := filepath.Join(t.TempDir(), "x.tar")
	packDir(t, dir, arch)
	got, err = Open(ctx, "oci-archive:"+arch, Options{})
	if err == nil {
		err = walk.Walk(ctx, got, walk.Options{}, func(*walk.Entry, io.Reader) error { return nil })
	}
	if err == nil || !strings.Contains(err.Error(), d.Hex[:12]) {
		t.Errorf("missing blob: %v", err)
	}

	for _, c := range []struct{ ref, want string }{
		{"docker-archive:" + filepath.Join(dir, "nope.tar"), "no such file"},
		{"oci:" + t.TempDir(), "not an OCI layout"},
		{writeGarbage(t), "not a tar archive"},
	} {
		if _, err := Open(ctx, c.ref, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.ref, err, c.want)
		}
	}
}

func writeGarbage(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "garbage.tar")
	os.WriteFile(p, bytes.Repeat([]byte("not a tar "), 100), 0o644)
	return p
}

func FuzzOCIArchive(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	idx := `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":2}]}`
	tw.WriteHeader(&tar.Header{Name: "index.json", Size: int64(len(idx)), Mode: 0o644})
	tw.Write([]byte(idx))
	tw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "a.tar")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := Open(ctx, "oci-archive:"+p, Options{})
		if err != nil {
			return
		}
		_ = walk.Walk(ctx, img, walk.Options{MaxUncompressed: 1 << 20}, func(*walk.Entry, io.Reader) error { return nil })
	})
}
