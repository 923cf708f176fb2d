package registry

import (
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestCreated(t *testing.T) {
	when := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	withTime, err := mutate.CreatedAt(img, v1.Time{Time: when})
	if err != nil {
		t.Fatal(err)
	}
	if got, from, err := ImageCreated(withTime); err != nil || !got.Equal(when) || from != CreatedFromConfig {
		t.Fatalf("config: %v %q %v", got, from, err)
	}
	// the annotation first (as slimship tags reads it), over the epoch
	// that reproducible builds write
	epoch, err := mutate.CreatedAt(img, v1.Time{Time: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	annotated := mutate.Annotations(epoch, map[string]string{AnnotationCreated: "2026-02-03T04:05:06Z"}).(v1.Image)
	if got, from, err := ImageCreated(annotated); err != nil || !got.Equal(when) || from != CreatedFromAnnotation {
		t.Fatalf("annotation: %v %q %v", got, from, err)
	}
	annotated = mutate.Annotations(withTime, map[string]string{AnnotationCreated: "2026-02-03T05:05:06Z"}).(v1.Image)
	if got, from, err := ImageCreated(annotated); err != nil || !got.Equal(when.Add(time.Hour)) || from != CreatedFromAnnotation {
		t.Fatalf("annotation over config: %v %q %v", got, from, err)
	}
	if got, from, err := ImageCreated(epoch); err != nil || !got.IsZero() || from != "" {
		t.Fatalf("epoch: %v %q %v", got, from, err)
	}
	bad := mutate.Annotations(img, map[string]string{AnnotationCreated: "yesterday"}).(v1.Image)
	if got, _, err := ImageCreated(bad); err != nil || !got.IsZero() {
		t.Fatalf("unreadable annotation: %v %v", got, err)
	}

	older, err := mutate.CreatedAt(img, v1.Time{Time: when.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}},
		mutate.IndexAddendum{Add: older, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: withTime, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	if got, from, err := IndexCreated(idx); err != nil || !got.Equal(when) || from != CreatedFromPlatforms {
		t.Fatalf("index, newest platform image: %v %q %v", got, from, err)
	}
	later := when.Add(time.Hour)
	idx = mutate.Annotations(mutate.IndexMediaType(idx, types.OCIImageIndex), map[string]string{AnnotationCreated: later.Format(time.RFC3339)}).(v1.ImageIndex)
	if got, from, err := IndexCreated(idx); err != nil || !got.Equal(later) || from != CreatedFromIndexAnnotation {
		t.Fatalf("index annotation: %v %q %v", got, from, err)
	}
	if got, _, err := IndexCreated(empty.Index); err != nil || !got.IsZero() {
		t.Fatalf("empty index: %v %v", got, err)
	}
}
