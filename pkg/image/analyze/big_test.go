//go:build bigimage

package analyze

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// genLayer is a layer whose tar is generated on the fly: files entries of
// size bytes each under dirs of 100 files; with overwrite, it rewrites
// the paths of layer 0.
type genLayer struct {
	idx, files, size int
	prefix           string
}

func (g *genLayer) hash() v1.Hash {
	s := sha256.Sum256([]byte(fmt.Sprintf("%d/%d/%s", g.idx, g.files, g.prefix)))
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", s)}
}
func (g *genLayer) Digest() (v1.Hash, error)            { return g.hash(), nil }
func (g *genLayer) DiffID() (v1.Hash, error)            { return g.hash(), nil }
func (g *genLayer) Size() (int64, error)                { return int64(g.files) * 1024, nil }
func (g *genLayer) MediaType() (types.MediaType, error) { return types.DockerUncompressedLayer, nil }
func (g *genLayer) Compressed() (io.ReadCloser, error)  { return g.Uncompressed() }
func (g *genLayer) Uncompressed() (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		body := make([]byte, g.size)
		dir := ""
		for i := 0; i < g.files; i++ {
			if i%100 == 0 {
				dir = fmt.Sprintf("%s/d%04d/", g.prefix, i/100)
				if err := tw.WriteHeader(&tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
					pw.CloseWithError(err)
					return
				}
			}
			h := &tar.Header{Name: fmt.Sprintf("%sfile-with-a-longish-name-%07d.dat", dir, i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(g.size)}
			if err := tw.WriteHeader(h); err != nil {
				pw.CloseWithError(err)
				return
			}
			tw.Write(body)
		}
		pw.CloseWithError(tw.Close())
	}()
	return pr, nil
}

func bigImage(tb testing.TB) v1.Image {
	// 500,000 files: 5 layers of 100,000; the last rewrites layer 0's paths.
	var ls []v1.Layer
	for i := 0; i < 4; i++ {
		ls = append(ls, &genLayer{idx: i, files: 100000, size: 16, prefix: fmt.Sprintf("srv/l%d", i)})
	}
	ls = append(ls, &genLayer{idx: 4, files: 100000, size: 8, prefix: "srv/l0"})
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// TestMemory500kFiles analyzes an image of 500,000 files and checks the
// process stays under 1 GB: go test -tags bigimage -run Memory -v ./pkg/image/analyze/
func TestMemory500kFiles(t *testing.T) {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	r, err := Analyze(context.Background(), bigImage(t), "big", Options{})
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("500,000 files in %v: peak Go memory %.0f MB, %d files squashed, reclaimable %d, efficiency %.4f",
		time.Since(start).Round(time.Millisecond), float64(peak.Load())/1e6, r.FileCount, r.ReclaimableBytes, r.Efficiency)
	if r.FileCount != 400000 || r.ReclaimableBytes != 100000*16 {
		t.Errorf("files %d reclaimable %d", r.FileCount, r.ReclaimableBytes)
	}
	if peak.Load() > 1<<30 {
		t.Errorf("peak memory %d bytes is over 1 GB", peak.Load())
	}
	runtime.KeepAlive(r)
}

func BenchmarkAnalyze500kFiles(b *testing.B) {
	img := bigImage(b)
	for i := 0; i < b.N; i++ {
		if _, err := Analyze(context.Background(), img, "big", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
