package build

import (
	"context"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/slimship/slimship/pkg/image/transport"
)

// roundTrip writes an index or image to an OCI layout and reads it back, so
// validation sees what a registry or runtime would.
func roundTrip(t *testing.T, idx v1.ImageIndex, img v1.Image) v1.ImageIndex {
	t.Helper()
	dir := t.TempDir()
	var err error
	if idx != nil {
		err = transport.WriteIndex(context.Background(), "oci:"+dir, idx, transport.WriteOptions{})
	} else {
		err = transport.Write(context.Background(), "oci:"+dir, img, transport.WriteOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	ii, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	return ii
}

func TestBuildReproducibleMultiPlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Go twice per platform")
	}
	ctx := context.Background()
	plats, err := ParsePlatforms("linux/amd64,linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Package: "./testdata/hello", Platforms: plats, Created: time.Unix(1700000000, 0).UTC(),
		Labels: map[string]string{"org.opencontainers.image.source": "https://example.com/hello"}}
	a, err := Build(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a.Index == nil {
		t.Fatal("want an index for two platforms")
	}
	if err := validate.Index(roundTrip(t, a.Index, nil)); err != nil {
		t.Fatal(err)
	}
	da, _ := a.Index.Digest()
	db, _ := b.Index.Digest()
	if da != db {
		t.Fatalf("two builds differ: %s vs %s", da, db)
	}
	m, _ := a.Index.IndexManifest()
	got := map[string]bool{}
	for _, d := range m.Manifests {
		got[d.Platform.String()] = true
		img, err := a.Index.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		if cf.Config.User != "65532:65532" || cf.Config.Entrypoint[0] != "/app/hello" || cf.Architecture != d.Platform.Architecture {
			t.Fatalf("config wrong: %+v", cf.Config)
		}
		if cf.Config.Labels["org.opencontainers.image.source"] == "" {
			t.Fatal("source label missing")
		}
		// At most the binary plus 1 MB.
		var size int64
		ls, _ := img.Layers()
		for _, l := range ls {
			s, _ := l.Size()
			size += s
		}
		if bin := a.BinarySizes[d.Platform.String()]; size > bin+1<<20 {
			t.Fatalf("%s: image layers %d bytes > binary %d + 1MB", d.Platform, size, bin)
		}
	}
	if !got["linux/amd64"] || !got["linux/arm64"] {
		t.Fatalf("platforms: %v", got)
	}
}

func TestMinimalBase(t *testing.T) {
	img, err := MinimalBase(Options{Created: time.Unix(0, 0).UTC()}, v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(roundTrip(t, nil, img)); err != nil {
		t.Fatal(err)
	}
}

func TestParsePlatforms(t *testing.T) {
	if _, err := ParsePlatforms("windows/amd64"); err == nil {
		t.Fatal("want error for windows")
	}
	p, err := ParsePlatforms("linux/arm/v7, linux/amd64")
	if err != nil || len(p) != 2 || p[0].Variant != "v7" {
		t.Fatalf("%v %v", p, err)
	}
}
