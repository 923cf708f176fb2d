// Package attach pushes a file as an OCI 1.1 referrer of an image: an
// image manifest with an artifactType, the empty config, the file as its one
// layer, and the image as its subject. Registries without the referrers API
// get the referrers tag schema (REPO:sha256-<hex>, an index of the
// referrers), which go-containerregistry maintains on push and reads back in
// remote.Referrers.
package attach

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slimship/slimship/internal/bounded"
	"github.com/slimship/slimship/pkg/registry"
)

// Annotations of the pushed manifest and layer.
const (
	AnnotationCreated = "org.opencontainers.image.created"
	AnnotationTitle   = "org.opencontainers.image.title"
)

// emptyConfig is the OCI 1.1 empty descriptor's content.
var emptyConfig = []byte("{}")

// Artifact is a file to attach.
type Artifact struct {
	// ArtifactType is the manifest's artifactType, e.g.
	// application/vnd.cyclonedx+json. Required.
	ArtifactType string
	// MediaType is the layer's media type (ArtifactType when empty).
	MediaType string
	// Data is the file's content.
	Data []byte
	// Title names the file (org.opencontainers.image.title of the layer).
	Title string
	// Created dates the manifest (org.opencontainers.image.created), which
	// clients use to pick the newest referrer; zero leaves it out.
	Created time.Time
	// Annotations are added to the manifest.
	Annotations map[string]string
}

// Validate checks the artifact's types.
func (a Artifact) Validate() error {
	if a.ArtifactType == "" {
		return errors.New("an artifact type is required (e.g. application/vnd.cyclonedx+json)")
	}
	for _, t := range []string{a.ArtifactType, a.MediaType} {
		if t == "" {
			continue
		}
		if _, _, err := mime.ParseMediaType(t); err != nil {
			return fmt.Errorf("media type %q: %w", t, err)
		}
	}
	return nil
}

// Manifest is the referrer manifest of a for subject, and its layer.
func Manifest(a Artifact, subject v1.Descriptor) ([]byte, v1.Layer, error) {
	if err := a.Validate(); err != nil {
		return nil, nil, err
	}
	mt := a.MediaType
	if mt == "" {
		mt = a.ArtifactType
	}
	layer := static.NewLayer(a.Data, types.MediaType(mt))
	ld, err := partial.Descriptor(layer)
	if err != nil {
		return nil, nil, err
	}
	if a.Title != "" {
		ld.Annotations = map[string]string{AnnotationTitle: a.Title}
	}
	cd, _, err := v1.SHA256(bytes.NewReader(emptyConfig))
	if err != nil {
		return nil, nil, err
	}
	ann := map[string]string{}
	for k, v := range a.Annotations {
		ann[k] = v
	}
	if !a.Created.IsZero() {
		ann[AnnotationCreated] = a.Created.UTC().Format(time.RFC3339)
	}
	if len(ann) == 0 {
		ann = nil
	}
	sub := v1.Descriptor{MediaType: subject.MediaType, Size: subject.Size, Digest: subject.Digest}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  a.ArtifactType,
		Config:        v1.Descriptor{MediaType: types.OCIEmptyJSON, Size: int64(len(emptyConfig)), Digest: cd, Data: emptyConfig},
		Layers:        []v1.Descriptor{*ld},
		Annotations:   ann,
		Subject:       &sub,
	}
	raw, err := json.Marshal(m)
	return raw, layer, err
}

// Attach pushes a as a referrer of subject, a manifest in repo, and returns
// the pushed manifest's digest. Pushing the same artifact again is a no-op
// (same digest).
func Attach(ctx context.Context, reg registry.Options, repo name.Repository, subject v1.Descriptor, a Artifact) (name.Digest, error) {
	raw, layer, err := Manifest(a, subject)
	if err != nil {
		return name.Digest{}, err
	}
	img, err := partial.CompressedToImage(artifact{raw: raw, layer: layer})
	if err != nil {
		return name.Digest{}, err
	}
	h, err := img.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	d := repo.Digest(h.String())
	if err := remote.Write(d, img, reg.Remote(ctx)...); err != nil {
		return name.Digest{}, fmt.Errorf("pushing the referrer of %s: %w", repo.Digest(subject.Digest.String()), err)
	}
	return d, nil
}

// Referrers lists the referrers of d (the referrers API, or the tag schema
// where the registry has no such API), keeping those of artifactType when
// it is set.
func Referrers(ctx context.Context, reg registry.Options, d name.Digest, artifactType string) ([]v1.Descriptor, error) {
	var extra []remote.Option
	if artifactType != "" {
		extra = append(extra, remote.WithFilter("artifactType", artifactType))
	}
	idx, err := remote.Referrers(d, reg.Remote(ctx, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("referrers of %s: %w", d, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	return im.Manifests, nil
}

// Content reads the one layer of the referrer desc of repo (what Attach
// pushed: the attached file), at most max bytes.
func Content(ctx context.Context, reg registry.Options, repo name.Repository, desc v1.Descriptor, max int64) ([]byte, error) {
	d := repo.Digest(desc.Digest.String())
	img, err := remote.Image(d, reg.Remote(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", d, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", d, err)
	}
	if len(m.Layers) != 1 {
		return nil, fmt.Errorf("referrer %s: %d layers, want the one file attached", d, len(m.Layers))
	}
	l, err := img.LayerByDigest(m.Layers[0].Digest)
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", d, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", d, err)
	}
	defer rc.Close()
	return bounded.Read("referrer "+d.String(), rc, max)
}

// artifact is the pushed manifest as a go-containerregistry image, so
// remote.Write uploads its config and layer and then the manifest.
type artifact struct {
	raw   []byte
	layer v1.Layer
}

func (a artifact) RawConfigFile() ([]byte, error) { return emptyConfig, nil }
func (a artifact) MediaType() (types.MediaType, error) {
	return types.OCIManifestSchema1, nil
}
func (a artifact) RawManifest() ([]byte, error) { return a.raw, nil }
func (a artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, err := a.layer.Digest(); err == nil && d == h {
		return a.layer, nil
	}
	if h.String() == configDigest() {
		return static.NewLayer(emptyConfig, types.OCIEmptyJSON), nil
	}
	return nil, fmt.Errorf("artifact has no blob %s", h)
}

func configDigest() string {
	h, _, _ := v1.SHA256(bytes.NewReader(emptyConfig))
	return h.String()
}
