package registry

import (
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// AnnotationCreated is the OCI annotation of when an image was built.
const AnnotationCreated = "org.opencontainers.image.created"

// Where a creation time was read.
const (
	CreatedFromConfig          = "config"           // the image config's created
	CreatedFromAnnotation      = "annotation"       // the manifest's org.opencontainers.image.created
	CreatedFromIndexAnnotation = "index annotation" // the index's org.opencontainers.image.created
	CreatedFromPlatforms       = "platform images"  // the newest of an index's platform images, as above
)

// KnownCreated is whether t says when an image was built: reproducible
// builds write the Unix epoch (or nothing), which says nothing of it.
func KnownCreated(t time.Time) bool { return t.Unix() > 0 }

// AnnotatedCreated reads the org.opencontainers.image.created annotation of
// a manifest or index, if it holds a known time.
func AnnotatedCreated(a map[string]string) (time.Time, bool) {
	s, ok := a[AnnotationCreated]
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err == nil && KnownCreated(t)
}

// ImageCreated is when img was built, read as `slimship tags` reads it:
// its manifest's org.opencontainers.image.created annotation, else its
// config's created (the config is read only then). A time that is
// missing, unreadable or not after the Unix epoch is unknown: the zero
// time and "".
func ImageCreated(img v1.Image) (time.Time, string, error) {
	m, err := img.Manifest()
	if err != nil {
		return time.Time{}, "", err
	}
	if t, ok := AnnotatedCreated(m.Annotations); ok {
		return t, CreatedFromAnnotation, nil
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return time.Time{}, "", fmt.Errorf("reading the image config: %w", err)
	}
	if KnownCreated(cfg.Created.Time) {
		return cfg.Created.Time, CreatedFromConfig, nil
	}
	return time.Time{}, "", nil
}

// IndexCreated is when idx was built: its org.opencontainers.image.created
// annotation, else the newest ImageCreated of its platform images
// (attestation manifests and nested indexes are passed over).
func IndexCreated(idx v1.ImageIndex) (time.Time, string, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return time.Time{}, "", err
	}
	if t, ok := AnnotatedCreated(im.Annotations); ok {
		return t, CreatedFromIndexAnnotation, nil
	}
	var newest time.Time
	for _, d := range im.Manifests {
		if !d.MediaType.IsImage() || d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" ||
			(d.Platform != nil && d.Platform.OS == "unknown") {
			continue
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return time.Time{}, "", err
		}
		t, _, err := ImageCreated(img)
		if err != nil {
			return time.Time{}, "", err
		}
		if t.After(newest) {
			newest = t
		}
	}
	if newest.IsZero() {
		return time.Time{}, "", nil
	}
	return newest, CreatedFromPlatforms, nil
}
