package walk

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type file struct {
	name, body string
	typ        byte
}

func layer(t *testing.T, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: typ, Size: int64(len(f.body)), Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.body)
	}
	tw.Close()
	return buf.Bytes()
}

func TestWalkDecodesWhiteoutsAndCleansPaths(t *testing.T) {
	l1 := layer(t, file{name: "etc/", typ: tar.TypeDir}, file{name: "etc/passwd", body: "root:x:0:0"}, file{name: "../../evil", body: "x"})
	l2 := layer(t, file{name: "etc/.wh.passwd"}, file{name: "var/cache/.wh..wh..opq"})
	img := empty.Image
	for _, b := range [][]byte{l1, l2} {
		b := b
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			t.Fatal(err)
		}
		img, err = mutate.AppendLayers(img, l)
		if err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := Walk(context.Background(), img, Options{}, func(e *Entry, r io.Reader) error {
		s := e.Path
		switch {
		case e.Whiteout:
			s = "-" + s
		case e.Opaque:
			s = "opq " + s
		case e.Escaped:
			s = "esc " + s
		}
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/etc", "/etc/passwd", "esc /evil", "-/etc/passwd", "opq /var/cache"}
	if len(got) != len(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
}

func TestWalkBoundsDecompression(t *testing.T) {
	big := layer(t, file{name: "zero", body: string(make([]byte, 1<<20))})
	l, _ := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(big)), nil })
	img, _ := mutate.AppendLayers(empty.Image, l)
	err := Walk(context.Background(), img, Options{MaxUncompressed: 4096}, func(e *Entry, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		return err
	})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"a/b", "../x", "/../../etc", "a/../../b", ".wh..wh..opq"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p, _ := CleanPath(name)
		if len(p) == 0 || p[0] != '/' {
			t.Fatalf("CleanPath(%q) = %q, not absolute", name, p)
		}
		for _, part := range bytes.Split([]byte(p), []byte("/")) {
			if string(part) == ".." {
				t.Fatalf("CleanPath(%q) = %q keeps ..", name, p)
			}
		}
	})
}
