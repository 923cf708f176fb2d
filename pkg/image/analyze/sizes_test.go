package analyze

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slimship/slimship/pkg/image/transport"
)

// A docker-archive whose layers are stored gzipped (kaniko, go-containerregistry)
// reports each layer's gzip size as compressed, not its tar size.
func TestCompressedBytesOfGzipDockerArchive(t *testing.T) {
	img := image(t, nil,
		layerTar(t, f{name: "big", size: 300000}),
		layerTar(t, f{name: "small", size: 5000}))
	p := filepath.Join(t.TempDir(), "img.tar")
	if err := tarball.WriteToFile(p, name.MustParseReference("example.com/x:1"), img); err != nil {
		t.Fatal(err)
	}
	opened, err := transport.Open(context.Background(), "docker-archive:"+p, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, opened, Options{})
	layers, _ := img.Layers()
	var want int64
	for i, l := range layers {
		size, _ := l.Size() // the gzip blob written into the archive
		if got := r.Layers[i].CompressedBytes; got != size {
			t.Errorf("layer %d: compressedBytes %d, want the gzip size %d (tar %d)", i, got, size, r.Layers[i].TarBytes)
		}
		want += size
	}
	if r.CompressedBytes != want || r.CompressedBytes >= r.TarBytes {
		t.Errorf("compressedBytes %d, want %d (tar %d)", r.CompressedBytes, want, r.TarBytes)
	}
}

// The layer count is known before the first layer is read, so a progress
// bar never shows "layer 1/0".
func TestLayerProgressKnowsTheTotalFirst(t *testing.T) {
	img := image(t, nil, layerTar(t, f{name: "a", size: 1}), layerTar(t, f{name: "b", size: 1}))
	var calls [][2]int
	run(t, img, Options{LayerProgress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	want := [][2]int{{0, 2}, {1, 2}, {2, 2}}
	if len(calls) != len(want) {
		t.Fatalf("calls %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("calls %v, want %v", calls, want)
		}
	}
}

// A docker save archive stores plain tar layers: their compressed size is
// unknown (0), never the tar size passed off as compressed.
func TestCompressedBytesOfPlainDockerArchive(t *testing.T) {
	l0, l1 := layerTar(t, f{name: "big", size: 300000}), layerTar(t, f{name: "small", size: 5000})
	img := image(t, nil, l0, l1)
	cfg, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "saved.tar")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(out)
	put := func(name string, b []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b))})
		tw.Write(b)
	}
	put("config.json", cfg)
	put("l0/layer.tar", l0)
	put("l1/layer.tar", l1)
	put("manifest.json", []byte(`[{"Config":"config.json","RepoTags":["x:1"],"Layers":["l0/layer.tar","l1/layer.tar"]}]`))
	tw.Close()
	out.Close()
	opened, err := transport.Open(context.Background(), "docker-archive:"+p, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, opened, Options{})
	if r.CompressedBytes != 0 || r.Layers[0].CompressedBytes != 0 || r.TarBytes != int64(len(l0)+len(l1)) {
		t.Errorf("compressed %d (layer 0 %d), tar %d", r.CompressedBytes, r.Layers[0].CompressedBytes, r.TarBytes)
	}
}
