package transport

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// diffIDImage marks images whose layers are stored uncompressed (docker
// save, podman save): they are named by DiffID and the image by its config
// digest, as docker names them, because a compressed digest would mean
// gzipping every layer. pkg/image/walk recognises the method.
type diffIDImage struct {
	v1.Image
	// seekable holds each layer's plain tar inside the archive, or nil
	// when the layer is compressed or could not be located.
	seekable []*io.SectionReader
	// compressed holds the size of each layer file stored compressed in
	// the archive (gzip or zstd), or 0 when the layer is a plain tar or
	// could not be located.
	compressed []int64
}

// CompressedLayerSize returns the size of layer i's file as stored in the
// archive when it is compressed (kaniko's .tar.gz layers), else 0: the
// compressed size of a plain tar layer is unknown without compressing it.
func (d diffIDImage) CompressedLayerSize(i int) int64 {
	if i < 0 || i >= len(d.compressed) {
		return 0
	}
	return d.compressed[i]
}

// NamedByDiffID reports that layers are best named by DiffID.
func (diffIDImage) NamedByDiffID() bool { return true }

// SeekableLayer returns layer i's uncompressed tar as a seekable reader, so
// a walk can skip file contents instead of reading them (nil if it cannot).
func (d diffIDImage) SeekableLayer(i int) io.ReadSeeker {
	if i < 0 || i >= len(d.seekable) || d.seekable[i] == nil {
		return nil
	}
	return io.NewSectionReader(d.seekable[i], 0, d.seekable[i].Size())
}

// archiveLayers finds the layer files of img inside a docker-archive: the
// manifest.json entry whose config hashes to img's config name, its layer
// paths (following the symlinks old docker save writes for shared layers).
// It returns, for uncompressed layers, a reader of the layer's tar and, for
// compressed ones, the size of the layer file.
func archiveLayers(f io.ReaderAt, size int64, img v1.Image) (seekable []*io.SectionReader, compressed []int64) {
	tb, err := indexTar(f, size)
	if err != nil {
		return nil, nil
	}
	raw, err := tb.readAll("manifest.json")
	if err != nil {
		return nil, nil
	}
	var entries []struct {
		Config string
		Layers []string
	}
	if json.Unmarshal(raw, &entries) != nil {
		return nil, nil
	}
	want, err := img.ConfigName()
	if err != nil {
		return nil, nil
	}
	for _, e := range entries {
		cfg, err := tb.readAll(tb.resolve(cleanName(e.Config)))
		if err != nil {
			continue
		}
		if h, _, err := v1.SHA256(bytes.NewReader(cfg)); err != nil || h != want {
			continue
		}
		seekable = make([]*io.SectionReader, len(e.Layers))
		compressed = make([]int64, len(e.Layers))
		for i, l := range e.Layers {
			r, err := tb.open(tb.resolve(cleanName(l)))
			if err != nil {
				continue
			}
			var magic [2]byte
			if _, err := r.ReadAt(magic[:], 0); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
				compressed[i] = r.Size()
				continue
			}
			if n, err := r.ReadAt(magic[:1], 0); n == 1 && err == nil && magic[0] == 0x28 {
				compressed[i] = r.Size() // zstd
				continue
			}
			seekable[i] = r
		}
		return seekable, compressed
	}
	return nil, nil
}

// openDockerArchive opens `docker save` / `podman save` output, both the
// classic layout (<id>/layer.tar) and Docker 25's OCI-shaped one
// (blobs/sha256/<hex> listed by manifest.json).
func openDockerArchive(path, tag string) (v1.Image, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	return dockerArchiveFromFile(f, size, tag)
}

// openSized opens an archive and returns it with its size; the caller
// owns the file.
func openSized(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// dockerArchiveFromFile reads a docker-archive from an open file; the file
// stays open for as long as the image is used.
func dockerArchiveFromFile(f *os.File, size int64, tag string) (v1.Image, error) {
	opener := func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(f, 0, size)), nil
	}
	var t *name.Tag
	if tag != "" {
		nt, err := name.NewTag(tag)
		if err != nil {
			return nil, fmt.Errorf("image name %q: %w", tag, err)
		}
		t = &nt
	}
	img, err := tarball.Image(opener, t)
	if err != nil {
		return nil, fmt.Errorf("reading docker archive: %w", err)
	}
	seekable, compressed := archiveLayers(f, size, img)
	return diffIDImage{Image: img, seekable: seekable, compressed: compressed}, nil
}

// archiveKind tells a docker-archive from an oci-archive by the names in
// the tar: manifest.json wins (Docker 25 writes both).
func archiveKind(f io.ReaderAt, size int64) (Kind, error) {
	tr := tar.NewReader(io.NewSectionReader(f, 0, size))
	sawOCI := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, tar.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
				return "", fmt.Errorf("not a tar archive of an image (docker-archive or oci-archive): %w", err)
			}
			return "", err
		}
		switch cleanName(hdr.Name) {
		case "manifest.json":
			return DockerArchive, nil
		case "oci-layout", "index.json":
			sawOCI = true
		}
	}
	if sawOCI {
		return OCIArchive, nil
	}
	return "", fmt.Errorf("neither manifest.json nor index.json found: not a docker-archive or oci-archive")
}

// openPath detects a bare path's format by its content.
func openPath(path string, opts Options) (v1.Image, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		if exists(path+"/index.json") || exists(path+"/oci-layout") {
			return openOCILayout(path, "", opts)
		}
		return nil, fmt.Errorf("directory is not an OCI layout (no index.json)")
	}
	f, size, kind, err := openArchive(path)
	if err != nil {
		return nil, err
	}
	if kind == DockerArchive {
		return dockerArchiveFromFile(f, size, "")
	}
	return ociArchiveFromFile(f, size, "", opts)
}

// openArchive opens a docker-archive or oci-archive file, gzipped or not,
// and says which it is; the caller owns the file.
func openArchive(path string) (*os.File, int64, Kind, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, 0, "", err
	}
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0); err == nil && bytes.HasPrefix(magic[:], []byte{0x1f, 0x8b}) {
		f, size, err = gunzipToTemp(f)
		if err != nil {
			return nil, 0, "", err
		}
	}
	kind, err := archiveKind(f, size)
	if err != nil {
		f.Close()
		return nil, 0, "", err
	}
	return f, size, kind, nil
}

// gunzipToTemp decompresses a gzipped archive into a private temporary
// file that is unlinked at once (it lives while open) and closes src.
func gunzipToTemp(src *os.File) (*os.File, int64, error) {
	defer src.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(src, 1<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("gzip: %w", err)
	}
	tmp, err := os.CreateTemp("", "slimship-archive-*.tar")
	if err != nil {
		return nil, 0, err
	}
	os.Remove(tmp.Name())
	n, err := io.Copy(tmp, zr)
	if err != nil {
		tmp.Close()
		return nil, 0, fmt.Errorf("decompressing archive: %w", err)
	}
	return tmp, n, nil
}
