package attach

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/slimship/slimship/pkg/registry"
)

// noReferrersAPI answers 404 to the referrers API, as registries before
// distribution-spec 1.1 do.
type noReferrersAPI struct {
	next http.Handler
	hits atomic.Int32
}

func (n *noReferrersAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "/referrers/") {
		n.hits.Add(1)
		http.NotFound(w, r)
		return
	}
	n.next.ServeHTTP(w, r)
}

func TestAttach(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		name := "referrers API"
		if fallback {
			name = "tag fallback"
		}
		t.Run(name, func(t *testing.T) { testAttach(t, fallback) })
	}
}

func testAttach(t *testing.T, fallback bool) {
	ctx := context.Background()
	// the in-process registry serves the referrers API only when asked to
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)), ggcrregistry.WithReferrersSupport(!fallback))
	nr := &noReferrersAPI{next: h}
	if fallback {
		h = nr
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	o := registry.Options{Insecure: true}
	ref, err := o.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/team/app:1")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(64, 1)
	if err := remote.Write(ref, img, o.Remote(ctx)...); err != nil {
		t.Fatal(err)
	}
	subject, desc, err := o.Resolve(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := Artifact{ArtifactType: "application/vnd.cyclonedx+json", Data: sbom, Title: "sbom.cdx.json", Created: created}
	d, err := Attach(ctx, o, ref.Context(), desc, a)
	if err != nil {
		t.Fatal(err)
	}
	// the pushed manifest is a valid OCI 1.1 artifact manifest
	got, err := remote.Image(d, o.Remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(got); err != nil {
		t.Errorf("validate: %v", err)
	}
	raw, _ := got.RawManifest()
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.ArtifactType != a.ArtifactType || m.Subject == nil || m.Subject.Digest.String() != subject.DigestStr() ||
		m.Subject.MediaType != desc.MediaType || m.Subject.Size != desc.Size ||
		m.Config.MediaType != types.OCIEmptyJSON || m.Config.Size != 2 || string(m.Config.Data) != "{}" ||
		len(m.Layers) != 1 || m.Layers[0].MediaType != types.MediaType(a.ArtifactType) ||
		m.Layers[0].Annotations[AnnotationTitle] != "sbom.cdx.json" || m.Annotations[AnnotationCreated] != "2026-01-02T03:04:05Z" {
		t.Errorf("manifest %s", raw)
	}
	ls, _ := got.Layers()
	rc, _ := ls[0].Compressed()
	body, _ := io.ReadAll(rc)
	if string(body) != string(sbom) {
		t.Errorf("layer %q", body)
	}

	// listed as a referrer, filtered by type; again is a no-op
	if _, err := Attach(ctx, o, ref.Context(), desc, a); err != nil {
		t.Fatal(err)
	}
	other := Artifact{ArtifactType: "text/plain", Data: []byte("notes")}
	if _, err := Attach(ctx, o, ref.Context(), desc, other); err != nil {
		t.Fatal(err)
	}
	all, err := Referrers(ctx, o, subject, "")
	if err != nil {
		t.Fatal(err)
	}
	sboms, err := Referrers(ctx, o, subject, a.ArtifactType)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("referrers: %+v", all)
	}
	// ggcr's in-process registry lists a referrer's config media type as
	// its artifactType (the pre-1.1 convention), so the filter by the
	// manifest's artifactType is checked on the tag fallback only
	if fallback && (len(sboms) != 1 || sboms[0].Digest.String() != d.DigestStr() || sboms[0].ArtifactType != a.ArtifactType) {
		t.Errorf("referrers of type %s: %+v", a.ArtifactType, sboms)
	}

	// the fallback tag is the index of referrers; with the API there is none
	fb := ref.Context().Tag(strings.Replace(subject.DigestStr(), ":", "-", 1))
	idx, err := remote.Index(fb, o.Remote(ctx)...)
	if fallback {
		if err != nil {
			t.Fatalf("fallback tag %s: %v", fb, err)
		}
		im, _ := idx.IndexManifest()
		if len(im.Manifests) != 2 || nr.hits.Load() == 0 {
			t.Errorf("fallback index %+v", im)
		}
	} else if !registry.IsNotFound(err) {
		t.Errorf("fallback tag with the referrers API: %v", err)
	}
}

func TestArtifactValidate(t *testing.T) {
	for _, a := range []Artifact{{}, {ArtifactType: "not a type/"}, {ArtifactType: "text/plain", MediaType: ";;"}} {
		if _, err := Attach(context.Background(), registry.Options{}, name.MustParseReference("127.0.0.1:1/x:y").Context(), v1.Descriptor{}, a); err == nil {
			t.Errorf("%+v: no error", a)
		}
	}
}
