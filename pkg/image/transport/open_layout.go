package transport

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Annotations naming an image inside a layout.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
)

func openOCILayout(dir, tag string, opts Options) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("not an OCI layout: %w", err)
	}
	return pickImage(idx, tag, opts)
}

// indexReader is the part of v1.ImageIndex pickImage needs.
type indexReader interface {
	IndexManifest() (*v1.IndexManifest, error)
	Image(v1.Hash) (v1.Image, error)
	ImageIndex(v1.Hash) (v1.ImageIndex, error)
}

// pickImage selects one image from an index: by tag (ref.name annotation)
// when given, then by platform when several remain.
func pickImage(idx indexReader, tag string, opts Options) (v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	cands := im.Manifests
	if tag != "" {
		keep, names := tagged(cands, tag)
		if len(keep) == 0 {
			return nil, fmt.Errorf("tag %q not found (tags: %s): %w", tag, strings.Join(names, ", "), ErrNotFound)
		}
		cands = keep
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("index lists no image: %w", ErrNotFound)
	}
	if len(cands) > 1 {
		want, err := opts.platform()
		if err != nil {
			return nil, err
		}
		var keep []v1.Descriptor
		for _, d := range cands {
			if d.Platform != nil && d.Platform.Satisfies(*want) {
				keep = append(keep, d)
			}
		}
		switch {
		case len(keep) == 0 && opts.Platform == "":
			return nil, fmt.Errorf("%d images in the index and none for %s: name one with :TAG or --platform", len(cands), want)
		case len(keep) == 0:
			return nil, fmt.Errorf("no image for platform %s: %w", want, ErrNotFound)
		}
		cands = keep[:1]
	}
	d := cands[0]
	if d.MediaType.IsIndex() {
		child, err := idx.ImageIndex(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", d.Digest, err)
		}
		return pickImage(child, "", opts)
	}
	img, err := idx.Image(d.Digest)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", d.Digest, err)
	}
	return img, nil
}
