package sbom

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// zeros reads n zero bytes without holding them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// lazyLayer is an uncompressed layer whose tar stream is generated as it
// is read: a file of size bytes at path, then the files of tail.
type lazyLayer struct {
	path string
	size int64
	tail []byte // a tar stream with its end-of-archive blocks
}

func (l lazyLayer) Uncompressed() (io.ReadCloser, error) {
	var h bytes.Buffer
	tw := tar.NewWriter(&h)
	if err := tw.WriteHeader(&tar.Header{Name: l.path, Mode: 0o644, Typeflag: tar.TypeReg, Size: l.size}); err != nil {
		return nil, err
	}
	pad := (512 - l.size%512) % 512
	return io.NopCloser(io.MultiReader(&h, &zeros{l.size + pad}, bytes.NewReader(l.tail))), nil
}
func (l lazyLayer) Compressed() (io.ReadCloser, error) { return l.Uncompressed() }
func (l lazyLayer) Digest() (v1.Hash, error) {
	return v1.NewHash("sha256:" + strings.Repeat("ab", 32))
}
func (l lazyLayer) DiffID() (v1.Hash, error)            { return l.Digest() }
func (l lazyLayer) Size() (int64, error)                { return l.size, nil }
func (l lazyLayer) MediaType() (types.MediaType, error) { return types.DockerUncompressedLayer, nil }

// TestHugeFilesAreNotRead: a 1 GiB package.json in an image (generated
// as it is read) or a directory (a sparse file), and a 32 MiB one, are
// skipped with a warning, without being read into memory; the files
// after them are read.
func TestHugeFilesAreNotRead(t *testing.T) {
	ok := layerTar(t, file{name: "app/node_modules/ok/package.json", body: `{"name":"ok","version":"1.0.0"}`})
	for _, size := range []int64{1 << 30, 32 << 20} {
		img, err := mutate.AppendLayers(empty.Image, lazyLayer{path: "app/node_modules/big/package.json", size: size, tail: ok})
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		inv, err := FromImage(context.Background(), img)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
			t.Errorf("%d-byte file: %d bytes allocated", size, got)
		}
		if len(inv.Packages) != 1 || inv.Packages[0].Name != "ok" {
			t.Errorf("packages %v", names(inv))
		}
		if len(inv.Warnings) != 1 || !strings.HasPrefix(inv.Warnings[0], "/app/node_modules/big/package.json: ") || !strings.Contains(inv.Warnings[0], "skipped") {
			t.Errorf("warnings %q", inv.Warnings)
		}
	}

	dir := t.TempDir()
	big := filepath.Join(dir, "node_modules", "big", "package.json")
	os.MkdirAll(filepath.Dir(big), 0o755)
	os.MkdirAll(filepath.Join(dir, "var/lib/dpkg"), 0o755)
	for _, p := range []string{big, filepath.Join(dir, "var/lib/dpkg/status")} {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(1 << 30); err != nil { // sparse: no disk used
			t.Skip(err)
		}
		f.Close()
	}
	inv, err := FromDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Packages) != 0 || len(inv.Warnings) != 2 || !strings.Contains(strings.Join(inv.Warnings, "\n"), "/node_modules/big/package.json: 1073741824 bytes, more than the 16.8 MB read") ||
		!strings.Contains(strings.Join(inv.Warnings, "\n"), "/var/lib/dpkg/status: 1073741824 bytes, more than the 536.9 MB read") {
		t.Errorf("packages %v warnings %q", names(inv), inv.Warnings)
	}
}

// TestTruncatedLayer: an image whose layer stream ends early (gzip or
// tar cut inside an entry) is an error naming the layer, not a panic or a
// partial SBOM. (A plain tar cut exactly between two entries reads as a
// shorter archive: tar cannot tell; gzip's trailer and the layer digest
// can.)
func TestTruncatedLayer(t *testing.T) {
	full := layerTar(t, file{name: "var/lib/dpkg/status", body: dpkgStatus}, file{name: "app/node_modules/ok/package.json", body: `{"name":"ok","version":"1.0.0"}`})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(full)
	zw.Close()
	for name, b := range map[string][]byte{
		"tar cut in a header": full[:100], "tar cut in a file": full[:512+100], "tar cut in the second header": full[:1024+10],
		"gzip cut": gz.Bytes()[:gz.Len()/2],
	} {
		var l v1.Layer = rawLayer{b}
		if strings.HasPrefix(name, "gzip") {
			l = gzipLayer{rawLayer{b}}
		}
		img, err := mutate.AppendLayers(image(t, layerTar(t, file{name: "etc/os-release", body: debianRelease})), l)
		if err != nil {
			t.Fatal(err)
		}
		_, err = FromImage(context.Background(), img)
		if err == nil || !strings.Contains(err.Error(), "layer 1 (") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// rawLayer is a layer of an uncompressed tar stream as it is, truncated
// or not; gzipLayer of a gzip stream. Their digests are made up: walking
// does not check them.
type rawLayer struct{ b []byte }

func (l rawLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.b)), nil
}
func (l rawLayer) Compressed() (io.ReadCloser, error) { return l.Uncompressed() }
func (l rawLayer) Digest() (v1.Hash, error) {
	return v1.NewHash("sha256:" + strings.Repeat("cd", 32))
}
func (l rawLayer) DiffID() (v1.Hash, error)            { return l.Digest() }
func (l rawLayer) Size() (int64, error)                { return int64(len(l.b)), nil }
func (l rawLayer) MediaType() (types.MediaType, error) { return types.DockerUncompressedLayer, nil }

type gzipLayer struct{ rawLayer }

func (l gzipLayer) Uncompressed() (io.ReadCloser, error) {
	zr, err := gzip.NewReader(bytes.NewReader(l.b))
	if err != nil {
		return nil, err
	}
	return zr, nil
}
func (l gzipLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }
