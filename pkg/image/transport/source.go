package transport

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Source is what a reference names, whole: one image, or a multi-platform
// index whose manifests are kept as stored, so that writing it elsewhere
// keeps every digest (slimship copy). Exactly one of Image and Index is set.
type Source struct {
	Ref   Ref
	Image v1.Image
	Index v1.ImageIndex
}

// Digest is the digest of the image or index.
func (s Source) Digest() (v1.Hash, error) {
	if s.Index != nil {
		return s.Index.Digest()
	}
	return s.Image.Digest()
}

// OpenSource opens ref (any form ParseRef accepts) without picking a
// platform: a registry reference or an OCI layout or archive entry that is
// an index gives the index. In a layout or oci-archive, :TAG names an entry
// by its ref.name; without it the layout must hold one entry, or only
// untagged ones: then index.json is the index (ggcr's layout.Write of an
// index). docker-archive and daemons hold single images. opts.Platform is
// not used.
func OpenSource(ctx context.Context, ref string, opts Options) (Source, error) {
	r, err := ParseRef(ref, exists)
	if err != nil {
		return Source{}, err
	}
	s := Source{Ref: r}
	switch r.Kind {
	case DockerArchive:
		s.Image, err = openDockerArchive(r.Path, r.Tag)
	case OCIArchive:
		s.Image, s.Index, err = openOCIArchiveSource(r.Path, r.Tag)
	case OCILayout:
		s.Image, s.Index, err = openLayoutSource(r.Path, r.Tag)
	case Registry:
		if opts.Offline {
			return Source{}, fmt.Errorf("%s: the image is in a registry and --offline never touches the network", r)
		}
		s.Image, s.Index, err = openRemoteSource(ctx, r.Name, opts)
	case DockerDaemon:
		s.Image, err = openSaved(ctx, "docker", r.Name)
	case Podman:
		s.Image, err = openSaved(ctx, "podman", r.Name)
	case Path:
		s.Image, s.Index, err = openPathSource(r.Path)
	default:
		err = fmt.Errorf("unknown transport %q", r.Kind)
	}
	if err != nil {
		return Source{}, fmt.Errorf("%s: %w", r, err)
	}
	return s, nil
}

func openRemoteSource(ctx context.Context, ref string, opts Options) (v1.Image, v1.ImageIndex, error) {
	ro := opts.registry()
	r, err := ro.ParseReference(ref)
	if err != nil {
		return nil, nil, err
	}
	desc, err := remote.Get(r, ro.Remote(ctx)...)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case desc.MediaType.IsIndex():
		idx, err := desc.ImageIndex()
		return nil, idx, err
	case desc.MediaType.IsSchema1():
		return nil, nil, fmt.Errorf("Docker schema 1 manifests (%s) are not supported: push the image again with a current client", desc.MediaType)
	}
	img, err := desc.Image()
	return img, nil, err
}

func openLayoutSource(dir, tag string) (v1.Image, v1.ImageIndex, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("not an OCI layout: %w", err)
	}
	return selectEntry(idx, tag)
}

func openOCIArchiveSource(p, tag string) (v1.Image, v1.ImageIndex, error) {
	f, size, err := openSized(p)
	if err != nil {
		return nil, nil, err
	}
	return ociArchiveSource(f, size, tag)
}

func ociArchiveSource(f *os.File, size int64, tag string) (v1.Image, v1.ImageIndex, error) {
	tb, err := indexTar(f, size)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	raw, err := tb.readAll("index.json")
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("not an OCI archive: %w", err)
	}
	img, idx, err := selectEntry(indexAdapter{&tarIndex{tb: tb, raw: raw}}, tag)
	if err != nil {
		f.Close()
	}
	return img, idx, err
}

func openPathSource(p string) (v1.Image, v1.ImageIndex, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return openLayoutSource(p, "")
	}
	f, size, kind, err := openArchive(p)
	if err != nil {
		return nil, nil, err
	}
	if kind == DockerArchive {
		img, err := dockerArchiveFromFile(f, size, "")
		return img, nil, err
	}
	return ociArchiveSource(f, size, "")
}

// refNames are the tag names a layout entry carries.
func refNames(d v1.Descriptor) (name, containerd string) {
	return d.Annotations[annotationRefName], d.Annotations[annotationContainerdRef]
}

// tagged returns the entries of a layout's index named tag, and every
// name it holds (for the error when none is).
func tagged(ds []v1.Descriptor, tag string) (keep []v1.Descriptor, names []string) {
	for _, d := range ds {
		n, c := refNames(d)
		if n != "" {
			names = append(names, n)
		}
		if n == tag || c == tag || strings.HasSuffix(c, ":"+tag) {
			keep = append(keep, d)
		}
	}
	sort.Strings(names)
	return keep, names
}

// selectEntry picks the entry of a layout's top-level index that tag names
// (the last one, when older writes left several), or the only entry; a
// layout of several untagged entries is itself the index (as ggcr's
// layout.Write of an index lays it out).
func selectEntry(root v1.ImageIndex, tag string) (v1.Image, v1.ImageIndex, error) {
	im, err := root.IndexManifest()
	if err != nil {
		return nil, nil, fmt.Errorf("reading index: %w", err)
	}
	ds := im.Manifests
	if tag != "" {
		keep, names := tagged(ds, tag)
		if len(keep) == 0 {
			return nil, nil, fmt.Errorf("tag %q not found (tags: %s): %w", tag, strings.Join(names, ", "), ErrNotFound)
		}
		ds = keep[len(keep)-1:]
	}
	switch {
	case len(ds) == 0:
		return nil, nil, fmt.Errorf("the layout lists no image: %w", ErrNotFound)
	case len(ds) > 1:
		if _, names := tagged(ds, ""); len(names) > 0 {
			return nil, nil, fmt.Errorf("%d entries in the layout: name one as oci:DIR:TAG (tags: %s)", len(ds), strings.Join(names, ", "))
		}
		return nil, root, nil
	}
	d := ds[0]
	if d.MediaType.IsIndex() {
		idx, err := root.ImageIndex(d.Digest)
		if err != nil {
			return nil, nil, fmt.Errorf("index %s: %w", d.Digest, err)
		}
		return nil, idx, nil
	}
	img, err := root.Image(d.Digest)
	if err != nil {
		return nil, nil, fmt.Errorf("image %s: %w", d.Digest, err)
	}
	return img, nil, nil
}
