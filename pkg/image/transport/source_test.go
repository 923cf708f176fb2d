package transport

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

func indexDigests(t *testing.T, idx v1.ImageIndex) []string {
	t.Helper()
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{d.String()}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range im.Manifests {
		out = append(out, m.Digest.String())
	}
	return out
}

// Every transport that holds an index gives it back whole, and writing
// what OpenSource gives keeps every digest.
func TestOpenSourceKeepsIndexes(t *testing.T) {
	ctx := context.Background()
	idx, err := random.Index(256, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(indexDigests(t, idx), " ")
	dir := t.TempDir()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	steps := []string{
		"oci:" + filepath.Join(dir, "a") + ":v1",
		"oci-archive:" + filepath.Join(dir, "b.tar") + ":v1",
		"docker://" + host + "/team/app:v1",
		"oci:" + filepath.Join(dir, "c"),
		"oci-archive:" + filepath.Join(dir, "d.tar"),
		"docker://" + host + "/team/other@" + strings.Fields(want)[0],
	}
	if err := WriteIndex(ctx, steps[0], idx, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(steps); i++ {
		src, err := OpenSource(ctx, steps[i-1], Options{Insecure: true})
		if err != nil {
			t.Fatalf("open %s: %v", steps[i-1], err)
		}
		if src.Index == nil || src.Image != nil {
			t.Fatalf("%s: not an index", steps[i-1])
		}
		if got := strings.Join(indexDigests(t, src.Index), " "); got != want {
			t.Fatalf("%s: digests %s, want %s", steps[i-1], got, want)
		}
		if err := WriteIndex(ctx, steps[i], src.Index, WriteOptions{Insecure: true}); err != nil {
			t.Fatalf("write %s: %v", steps[i], err)
		}
	}
	src, err := OpenSource(ctx, steps[len(steps)-1], Options{Insecure: true})
	if err != nil || src.Index == nil || strings.Join(indexDigests(t, src.Index), " ") != want {
		t.Fatalf("last: %v", err)
	}
}

func TestOpenSourceLayoutEntries(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	idx, _ := random.Index(128, 1, 2)
	img, _ := random.Image(128, 1)

	// ggcr's layout.Write of an index: index.json is the index
	root := filepath.Join(dir, "root")
	if _, err := layout.Write(root, idx); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"oci:" + root, root} {
		s, err := OpenSource(ctx, ref, Options{})
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		im, _ := s.Index.IndexManifest()
		if len(im.Manifests) != 2 {
			t.Fatalf("%s: %d manifests", ref, len(im.Manifests))
		}
	}

	// two tags: each by name, and an error naming both without one
	two := "oci:" + filepath.Join(dir, "two")
	if err := Write(ctx, two+":a", img, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteIndex(ctx, two+":b", idx, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if s, err := OpenSource(ctx, two+":a", Options{}); err != nil || s.Image == nil {
		t.Fatalf("a: %v", err)
	}
	if s, err := OpenSource(ctx, two+":b", Options{}); err != nil || s.Index == nil {
		t.Fatalf("b: %v", err)
	}
	if _, err := OpenSource(ctx, two, Options{}); err == nil || !strings.Contains(err.Error(), "tags: a, b") {
		t.Fatalf("untagged: %v", err)
	}
	if _, err := OpenSource(ctx, two+":c", Options{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("c: %v", err)
	}

	// a docker-archive is one image
	da := filepath.Join(dir, "img.tar")
	if err := Write(ctx, "docker-archive:"+da, img, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"docker-archive:" + da, da} {
		if s, err := OpenSource(ctx, ref, Options{}); err != nil || s.Image == nil {
			t.Fatalf("%s: %v", ref, err)
		}
	}
}

type failingLayer struct{ v1.Layer }

func (failingLayer) Compressed() (io.ReadCloser, error) {
	return nil, errors.New("source went away")
}

// A failed write leaves no layout and no archive behind, and an existing
// layout's index.json as it was.
func TestFailedWriteLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good, _ := random.Image(128, 1)
	l, _ := random.Layer(128, "application/vnd.oci.image.layer.v1.tar+gzip")
	bad, err := mutate.AppendLayers(good, failingLayer{l})
	if err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "existing")
	if err := Write(ctx, "oci:"+existing+":v1", good, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(existing, "index.json"))
	for _, dest := range []string{"oci:" + filepath.Join(dir, "new"), "oci:" + existing + ":v2",
		"oci-archive:" + filepath.Join(dir, "x.tar"), "docker-archive:" + filepath.Join(dir, "y.tar")} {
		if err := Write(ctx, dest, bad, WriteOptions{}); err == nil || !strings.Contains(err.Error(), "source went away") {
			t.Fatalf("%s: %v", dest, err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(existing, "index.json"))
	if string(after) != string(before) {
		t.Fatal("index.json of the existing layout changed")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "existing" {
		t.Fatalf("left behind: %v", names)
	}
	// and the image written before is still whole
	s, err := OpenSource(ctx, "oci:"+existing+":v1", Options{})
	if err != nil || s.Image == nil {
		t.Fatal(err)
	}
}
