// Package walk streams the files of an image's layers in one pass, without
// extracting anything to disk. Paths are cleaned so nothing resolves
// outside the image's tree, whiteouts are decoded, and decompression is
// bounded so a layer bomb ends with an error instead of exhausting memory.
package walk

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// DefaultMaxUncompressed bounds the bytes decompressed from one image.
const DefaultMaxUncompressed int64 = 64 << 30

// Whiteout prefixes of the OCI and Docker layer formats.
const (
	WhiteoutPrefix = ".wh."
	OpaqueMarker   = ".wh..wh..opq"
)

// ErrTooLarge is returned when an image decompresses to more than allowed.
var ErrTooLarge = errors.New("uncompressed size exceeds the limit")

// Entry is one tar entry of a layer.
type Entry struct {
	// Layer is the index of the layer, 0 = base.
	Layer int
	// Path is absolute and cleaned ("/etc/passwd"). For a whiteout it is the
	// deleted path; for an opaque marker, the directory made opaque.
	Path   string
	Header *tar.Header
	// Whiteout marks a deletion of Path made by this layer.
	Whiteout bool
	// Opaque marks Path as an opaque directory: lower layers' content of it
	// is hidden.
	Opaque bool
	// Escaped is true when the entry's name tried to climb out with "..".
	Escaped bool
}

// Size is the entry's content size (0 for non-regular files).
func (e *Entry) Size() int64 {
	if e.Header.Typeflag == tar.TypeReg || e.Header.Typeflag == tar.TypeRegA {
		return e.Header.Size
	}
	return 0
}

// IsDir reports whether the entry is a directory.
func (e *Entry) IsDir() bool { return e.Header.Typeflag == tar.TypeDir }

// Layer describes a layer while it is walked.
type Layer struct {
	Index          int
	Digest         v1.Hash
	DiffID         v1.Hash
	CompressedSize int64
	MediaType      string
	// UncompressedSize is set in OnLayerDone (tar stream bytes).
	UncompressedSize int64
}

// Options tune a walk.
type Options struct {
	// MaxUncompressed bounds decompressed bytes over the whole image
	// (DefaultMaxUncompressed when 0).
	MaxUncompressed int64
	// OnLayer is called before a layer's entries.
	OnLayer func(*Layer) error
	// OnLayerDone is called after a layer's entries.
	OnLayerDone func(*Layer) error
	// Progress receives the compressed bytes of the layers walked so far
	// and the total (0 when unknown, as for docker-archive images).
	Progress func(done, total int64)
	// ReadProgress receives the uncompressed bytes read so far over the
	// whole image, about every 4 MiB.
	ReadProgress func(read int64)
}

// DiffIDNamed is implemented by images whose layers are stored
// uncompressed (docker save, podman save). Their layers are named by DiffID
// and their size is the tar size: asking such a layer for its compressed
// digest or size would gzip it.
type DiffIDNamed interface {
	NamedByDiffID() bool
}

// SeekableLayers is implemented by images that can open an uncompressed
// layer as a seekable tar stream (docker-archive files on disk). Walk then
// seeks over file contents instead of reading them; a nil reader means
// layer i must be read the ordinary way.
type SeekableLayers interface {
	SeekableLayer(i int) io.ReadSeeker
}

// IsDiffIDNamed reports whether img names its layers by DiffID.
func IsDiffIDNamed(img v1.Image) bool {
	n, ok := img.(DiffIDNamed)
	return ok && n.NamedByDiffID()
}

// CompressedSizes is implemented by DiffID-named images that know the
// size of layers stored compressed (docker-archive files whose layers are
// gzipped, as kaniko writes them); 0 means a plain tar layer or unknown.
type CompressedSizes interface {
	CompressedLayerSize(i int) int64
}

// LayerInfos returns each layer's identity without reading any layer:
// digests, sizes and media types from the manifest, DiffIDs from the
// config (for DiffID-named images the digest is the DiffID and the
// compressed size is that of a layer stored compressed, else 0).
func LayerInfos(img v1.Image) ([]v1.Layer, []*Layer, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, nil, fmt.Errorf("reading layers: %w", err)
	}
	infos := make([]*Layer, len(layers))
	var diffIDs []v1.Hash
	if cfg, err := img.ConfigFile(); err == nil && cfg != nil {
		diffIDs = cfg.RootFS.DiffIDs
	}
	named := IsDiffIDNamed(img)
	var descs []v1.Descriptor
	if !named {
		if m, err := img.Manifest(); err == nil && m != nil {
			descs = m.Layers
		}
	}
	for i, l := range layers {
		info := &Layer{Index: i}
		if len(diffIDs) == len(layers) {
			info.DiffID = diffIDs[i]
		} else if named {
			info.DiffID, _ = l.DiffID()
		}
		switch {
		case named:
			info.Digest = info.DiffID
			info.MediaType = "application/vnd.docker.image.rootfs.diff.tar"
			if cs, ok := img.(CompressedSizes); ok {
				info.CompressedSize = cs.CompressedLayerSize(i)
			}
		case len(descs) == len(layers):
			info.Digest = descs[i].Digest
			info.CompressedSize = descs[i].Size
			info.MediaType = string(descs[i].MediaType)
		default:
			info.Digest, _ = l.Digest()
			info.CompressedSize, _ = l.Size()
			if mt, err := l.MediaType(); err == nil {
				info.MediaType = string(mt)
			}
		}
		infos[i] = info
	}
	return layers, infos, nil
}

// Func receives each entry. r reads the entry's content and is valid only
// during the call; not reading it is fine.
type Func func(e *Entry, r io.Reader) error

// CleanPath turns a tar name into an absolute clean path and reports
// whether the name tried to climb above the root.
func CleanPath(name string) (string, bool) {
	escaped := false
	depth := 0
	for _, part := range strings.Split(name, "/") {
		switch part {
		case "", ".":
		case "..":
			if depth == 0 {
				escaped = true
			} else {
				depth--
			}
		default:
			depth++
		}
	}
	return path.Clean("/" + name), escaped
}

// Walk streams every layer of img, base first.
func Walk(ctx context.Context, img v1.Image, opts Options, fn Func) error {
	layers, infos, err := LayerInfos(img)
	if err != nil {
		return err
	}
	max := opts.MaxUncompressed
	if max <= 0 {
		max = DefaultMaxUncompressed
	}
	var total, done int64
	for _, info := range infos {
		total += info.CompressedSize
	}
	budget := &budgetReader{left: max, progress: opts.ReadProgress}
	for i, l := range layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		info := infos[i]
		if opts.OnLayer != nil {
			if err := opts.OnLayer(info); err != nil {
				return err
			}
		}
		var seeker io.ReadSeeker
		if sl, ok := img.(SeekableLayers); ok {
			seeker = sl.SeekableLayer(i)
		}
		n, err := walkLayer(ctx, i, l, IsDiffIDNamed(img), seeker, budget, fn)
		if err != nil {
			return fmt.Errorf("layer %d (%s): %w", i, shortDigest(info.Digest), err)
		}
		info.UncompressedSize = n
		if opts.OnLayerDone != nil {
			if err := opts.OnLayerDone(info); err != nil {
				return err
			}
		}
		done += info.CompressedSize
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	return nil
}

func shortDigest(h v1.Hash) string {
	s := h.String()
	if len(s) > 19 {
		return s[:19]
	}
	return s
}

// seekingBudget lets tar.Reader seek over contents of a seekable layer;
// skipped bytes count against the budget like read ones.
type seekingBudget struct{ *budgetReader }

func (s *seekingBudget) Seek(off int64, whence int) (int64, error) {
	sk := s.r.(io.Seeker)
	if whence != io.SeekCurrent {
		return 0, errors.New("walk: only relative seeks")
	}
	pos, err := sk.Seek(off, io.SeekCurrent)
	if err != nil {
		return pos, err
	}
	if off != 0 {
		s.left -= off
		s.read += off
		s.total += off
		if s.left < 0 {
			return pos, ErrTooLarge
		}
		if s.progress != nil && s.total >= s.next {
			s.progress(s.total)
			s.next = s.total + 4<<20
		}
	}
	return pos, nil
}

type budgetReader struct {
	r        io.Reader
	left     int64
	read     int64
	total    int64
	next     int64
	progress func(int64)
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	b.read += int64(n)
	b.total += int64(n)
	if b.progress != nil && b.total >= b.next {
		b.progress(b.total)
		b.next = b.total + 4<<20
	}
	if b.left < 0 {
		return n, ErrTooLarge
	}
	return n, err
}

func walkLayer(ctx context.Context, idx int, l v1.Layer, named bool, seeker io.ReadSeeker, budget *budgetReader, fn Func) (int64, error) {
	var tr *tar.Reader
	budget.read = 0
	if seeker != nil {
		budget.r = seeker
		tr = tar.NewReader(&seekingBudget{budget})
	} else {
		rc, err := openUncompressed(l, named)
		if err != nil {
			return 0, err
		}
		defer rc.Close()
		budget.r = rc
		tr = tar.NewReader(budget)
	}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return budget.read, err
		}
		e := decode(idx, hdr)
		if err := fn(e, tr); err != nil {
			return budget.read, err
		}
	}
	// Drain padding so UncompressedSize is the whole tar stream.
	if _, err := io.Copy(io.Discard, budget); err != nil {
		return budget.read, err
	}
	return budget.read, ctx.Err()
}

func decode(idx int, hdr *tar.Header) *Entry {
	p, escaped := CleanPath(hdr.Name)
	e := &Entry{Layer: idx, Path: p, Header: hdr, Escaped: escaped}
	dir, base := path.Split(p)
	switch {
	case base == OpaqueMarker:
		e.Opaque = true
		e.Path = path.Clean(dir)
	case strings.HasPrefix(base, WhiteoutPrefix):
		e.Whiteout = true
		e.Path = path.Join(dir, strings.TrimPrefix(base, WhiteoutPrefix))
	}
	return e
}

// openUncompressed decompresses a layer with klauspost/compress, which is
// markedly faster than compress/gzip, detecting gzip, zstd or plain tar by
// the stream's magic bytes rather than trusting the media type.
func openUncompressed(l v1.Layer, named bool) (io.ReadCloser, error) {
	if named {
		return l.Uncompressed()
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(rc, 1<<20)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return newReadahead(&multiCloser{Reader: zr, closers: []io.Closer{zr, rc}}), nil
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return newReadahead(&multiCloser{Reader: zr, closers: []io.Closer{closerFunc(func() error { zr.Close(); return nil }), rc}}), nil
	}
	return &multiCloser{Reader: br, closers: []io.Closer{rc}}, nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

type multiCloser struct {
	io.Reader
	closers []io.Closer
}

func (m *multiCloser) Close() error {
	var first error
	for _, c := range m.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// LayerHistory returns the history entry (created_by) of each of the n
// layers, skipping empty_layer entries, as dive does; "" where the config
// has none.
func LayerHistory(img v1.Image, n int) []string {
	out := make([]string, n)
	cf, err := img.ConfigFile()
	if err != nil || cf == nil {
		return out
	}
	j := 0
	for _, h := range cf.History {
		if h.EmptyLayer {
			continue
		}
		if j >= n {
			break
		}
		out[j] = h.CreatedBy
		j++
	}
	return out
}
