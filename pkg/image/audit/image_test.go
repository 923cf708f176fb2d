package audit

import (
	"archive/tar"
	"bytes"
	"io"
	"path"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// file is one tar entry of a hand-made layer.
type file struct {
	name    string
	mode    int64
	content string
	typ     byte // tar.TypeReg when 0
	link    string
}

func dir(name string, mode int64) file           { return file{name: name, mode: mode, typ: tar.TypeDir} }
func reg(name string, mode int64, c string) file { return file{name: name, mode: mode, content: c} }
func symlink(name, target string) file {
	return file{name: name, mode: 0o777, typ: tar.TypeSymlink, link: target}
}
func whiteout(p string) file {
	d, b := path.Split(p)
	return file{name: d + ".wh." + b, mode: 0o644}
}

func layer(t testing.TB, files ...file) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: f.name, Mode: f.mode, Typeflag: typ, Linkname: f.link, Format: tar.FormatPAX}
		if typ == tar.TypeReg {
			h.Size = int64(len(f.content))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := io.WriteString(tw, f.content); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// step is a layer (nil for an empty-layer step) with its history line.
type step struct {
	createdBy string
	files     []file
}

func image(t testing.TB, cfg v1.Config, steps ...step) v1.Image {
	t.Helper()
	img := empty.Image
	var err error
	for _, s := range steps {
		add := mutate.Addendum{History: v1.History{CreatedBy: s.createdBy}}
		if s.files == nil {
			add.History.EmptyLayer = true
			cf, _ := img.ConfigFile()
			cf = cf.DeepCopy()
			cf.History = append(cf.History, add.History)
			img, err = mutate.ConfigFile(img, cf)
		} else {
			add.Layer = layer(t, s.files...)
			img, err = mutate.Append(img, add)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	img, err = mutate.Config(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
