package transport

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxMeta bounds index, manifest and config blobs read into memory.
const maxMeta = 32 << 20

// tarBlobs is an OCI layout inside a tar file, read in place: one scan
// records where each file's bytes are, then blobs are section readers.
type tarBlobs struct {
	f     io.ReaderAt
	files map[string]span
	links map[string]string
}

type span struct{ off, size int64 }

// countingReader counts the bytes the tar reader consumed, which is the
// offset of an entry's data right after Next returns. It seeks, so the tar
// reader skips contents instead of reading them.
type countingReader struct {
	r *io.SectionReader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Seek(off int64, whence int) (int64, error) {
	pos, err := c.r.Seek(off, whence)
	if err == nil {
		c.n = pos
	}
	return pos, err
}

func cleanName(n string) string {
	c := path.Clean("/" + n)
	return c[1:]
}

func indexTar(f io.ReaderAt, size int64) (*tarBlobs, error) {
	cr := &countingReader{r: io.NewSectionReader(f, 0, size)}
	tr := tar.NewReader(cr)
	tb := &tarBlobs{f: f, files: map[string]span{}, links: map[string]string{}}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading archive: %w", err)
		}
		switch hdr.Typeflag {
		case tar.TypeSymlink:
			tb.links[cleanName(hdr.Name)] = cleanName(path.Join(path.Dir(cleanName(hdr.Name)), hdr.Linkname))
			continue
		case tar.TypeLink:
			tb.links[cleanName(hdr.Name)] = cleanName(hdr.Linkname)
			continue
		case tar.TypeReg, tar.TypeRegA:
		default:
			continue
		}
		tb.files[cleanName(hdr.Name)] = span{off: cr.n, size: hdr.Size}
	}
	return tb, nil
}

// resolve follows links between entries of the archive (a few hops).
func (tb *tarBlobs) resolve(name string) string {
	for i := 0; i < 8; i++ {
		t, ok := tb.links[name]
		if !ok {
			return name
		}
		name = t
	}
	return name
}

func (tb *tarBlobs) open(name string) (*io.SectionReader, error) {
	s, ok := tb.files[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, os.ErrNotExist)
	}
	return io.NewSectionReader(tb.f, s.off, s.size), nil
}

func (tb *tarBlobs) readAll(name string) ([]byte, error) {
	r, err := tb.open(name)
	if err != nil {
		return nil, err
	}
	if r.Size() > maxMeta {
		return nil, fmt.Errorf("%s: %d bytes is too large for metadata", name, r.Size())
	}
	return io.ReadAll(r)
}

func blobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

func (tb *tarBlobs) blob(h v1.Hash) ([]byte, error) {
	b, err := tb.readAll(blobName(h))
	if err != nil {
		return nil, fmt.Errorf("blob %s missing: %w", h, err)
	}
	if got, _, err := v1.SHA256(bytes.NewReader(b)); err == nil && h.Algorithm == "sha256" && got != h {
		return nil, fmt.Errorf("blob %s is corrupt (content hashes to %s)", h, got)
	}
	return b, nil
}

func openOCIArchive(p, tag string, opts Options) (v1.Image, error) {
	f, size, err := openSized(p)
	if err != nil {
		return nil, err
	}
	return ociArchiveFromFile(f, size, tag, opts)
}

func ociArchiveFromFile(f *os.File, size int64, tag string, opts Options) (v1.Image, error) {
	tb, err := indexTar(f, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	raw, err := tb.readAll("index.json")
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("not an OCI archive: %w", err)
	}
	idx := &tarIndex{tb: tb, raw: raw}
	img, err := pickImage(idx, tag, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return img, nil
}

// tarIndex is an image index whose blobs live in a tar.
type tarIndex struct {
	tb  *tarBlobs
	raw []byte
}

func (t *tarIndex) IndexManifest() (*v1.IndexManifest, error) {
	return v1.ParseIndexManifest(bytes.NewReader(t.raw))
}

func (t *tarIndex) Image(h v1.Hash) (v1.Image, error) {
	raw, err := t.tb.blob(h)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", h, err)
	}
	return partial.CompressedToImage(&tarImage{tb: t.tb, raw: raw, m: m})
}

func (t *tarIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	raw, err := t.tb.blob(h)
	if err != nil {
		return nil, err
	}
	return indexAdapter{&tarIndex{tb: t.tb, raw: raw}}, nil
}

// tarImage is a partial.CompressedImageCore over a tar.
type tarImage struct {
	tb  *tarBlobs
	raw []byte
	m   *v1.Manifest
}

func (i *tarImage) RawConfigFile() ([]byte, error) { return i.tb.blob(i.m.Config.Digest) }
func (i *tarImage) RawManifest() ([]byte, error)   { return i.raw, nil }
func (i *tarImage) MediaType() (types.MediaType, error) {
	if i.m.MediaType != "" {
		return i.m.MediaType, nil
	}
	return types.OCIManifestSchema1, nil
}

func (i *tarImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if h == i.m.Config.Digest {
		return &tarLayer{tb: i.tb, desc: i.m.Config}, nil
	}
	for _, d := range i.m.Layers {
		if d.Digest == h {
			if _, ok := i.tb.files[blobName(h)]; !ok {
				return nil, fmt.Errorf("layer blob %s missing from the archive", h)
			}
			return &tarLayer{tb: i.tb, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("blob %s not in manifest", h)
}

type tarLayer struct {
	tb   *tarBlobs
	desc v1.Descriptor
}

func (l *tarLayer) Digest() (v1.Hash, error) { return l.desc.Digest, nil }
func (l *tarLayer) Size() (int64, error)     { return l.desc.Size, nil }
func (l *tarLayer) MediaType() (types.MediaType, error) {
	return l.desc.MediaType, nil
}
func (l *tarLayer) Compressed() (io.ReadCloser, error) {
	r, err := l.tb.open(blobName(l.desc.Digest))
	if err != nil {
		return nil, fmt.Errorf("layer blob %s: %w", l.desc.Digest, err)
	}
	if r.Size() != l.desc.Size {
		return nil, fmt.Errorf("layer blob %s is truncated or corrupt: %d bytes, manifest says %d", l.desc.Digest, r.Size(), l.desc.Size)
	}
	return io.NopCloser(r), nil
}

// indexAdapter makes a tarIndex a v1.ImageIndex for nested indexes.
type indexAdapter struct{ *tarIndex }

func (a indexAdapter) MediaType() (types.MediaType, error) {
	var m struct {
		MediaType types.MediaType `json:"mediaType"`
	}
	_ = json.Unmarshal(a.raw, &m)
	if m.MediaType == "" {
		return types.OCIImageIndex, nil
	}
	return m.MediaType, nil
}
func (a indexAdapter) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(a.raw))
	return h, err
}
func (a indexAdapter) Size() (int64, error)         { return int64(len(a.raw)), nil }
func (a indexAdapter) RawManifest() ([]byte, error) { return a.raw, nil }
