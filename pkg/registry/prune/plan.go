package prune

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/slimship/slimship/internal/lazyre"
	"github.com/slimship/slimship/pkg/registry"
)

// Kinds of artifacts that go with an image.
const (
	KindSignature   = "signature"   // cosign's sha256-<hex>.sig tag
	KindAttestation = "attestation" // cosign's sha256-<hex>.att tag
	KindSBOM        = "sbom"        // cosign's sha256-<hex>.sbom tag
	KindReferrers   = "referrers"   // the OCI referrers tag fallback, sha256-<hex>: an index of referrers
	KindReferrer    = "referrer"    // a manifest whose subject is the image
	KindPlatform    = "platform"    // a platform image of a deleted index that no kept index uses
)

// artifactTag matches the tags that belong to another manifest: cosign's
// signatures, attestations and SBOMs, and the referrers tag fallback.
var artifactTag = lazyre.New(`^sha256-([0-9a-f]{64})(?:\.(sig|att|sbom))?$`)

func artifactKind(suffix string) string {
	switch suffix {
	case "sig":
		return KindSignature
	case "att":
		return KindAttestation
	case "sbom":
		return KindSBOM
	}
	return KindReferrers
}

// Artifact is a manifest deleted with an image: one of its signature,
// attestation or SBOM tags, its referrers (and theirs), the platform
// images of an index.
type Artifact struct {
	Kind string `json:"kind"`
	// Tag is the artifact's tag ("" for a referrer or a platform image,
	// which have none).
	Tag    string `json:"tag,omitempty"`
	Digest string `json:"digest"`
	// Subject is the manifest it belongs to.
	Subject      string `json:"subject"`
	ArtifactType string `json:"artifactType,omitempty"`
}

// Planned is one image of a plan.
type Planned struct {
	Image
	MediaType string `json:"mediaType"`
	// CreatedFrom says where Created was read (registry.CreatedFrom*), ""
	// when it is unknown.
	CreatedFrom string `json:"createdFrom,omitempty"`
	// Platforms are the digests of an index's images.
	Platforms []string `json:"-"`
	// Artifacts are deleted with a deleted image, before it (platform
	// images after it).
	Artifacts []Artifact `json:"artifacts,omitempty"`
}

// Plan is what pruning a repository does, read before anything is deleted.
type Plan struct {
	Repository string
	Policy     Policy
	Now        time.Time
	// Images are newest first (Decide's order).
	Images []*Planned
	// Orphans are artifact tags whose subject no longer exists (left by
	// an earlier run that stopped, or by a deletion elsewhere).
	Orphans []Artifact
	// Tags counts the repository's tags, artifact tags included.
	Tags int
	// ReferrersAPI is whether the registry answers the OCI referrers API
	// (otherwise the tag fallback was read).
	ReferrersAPI bool

	repo name.Repository
	// tagDigest is every tag's digest when planned.
	tagDigest map[string]string
	// protected are the digests a kept image needs: its own, its
	// platform images, its artifacts' (never deleted).
	protected map[string]bool
}

// Deleted counts the images and artifacts the plan deletes.
func (p *Plan) Deleted() (images, tags, artifacts int) {
	for _, im := range p.Images {
		if !im.Keep {
			images++
			tags += len(im.Tags)
			artifacts += len(im.Artifacts)
		}
	}
	return images, tags, artifacts + len(p.Orphans)
}

// Options tune a plan.
type Options struct {
	Registry registry.Options
	Policy   Policy
	// Now is the time ages are measured from (time.Now() when zero).
	Now time.Time
}

// reader reads a repository with one authenticated puller.
type reader struct {
	o      registry.Options
	repo   name.Repository
	puller *remote.Puller
	ropts  []remote.Option
}

func newReader(ctx context.Context, o registry.Options, repo name.Repository) (*reader, error) {
	ropts := o.Remote(ctx)
	p, err := remote.NewPuller(ropts...)
	if err != nil {
		return nil, err
	}
	return &reader{o: o, repo: repo, puller: p, ropts: append(ropts, remote.Reuse(p))}, nil
}

// listing is a repository's tags as read at one time.
type listing struct {
	// images are the image tags, each with its manifest.
	images []tagged
	// artifacts are the artifact tags by the subject they name.
	artifacts map[string][]string
	// digest is every tag's digest.
	digest map[string]string
}

// tagged is one image tag and its manifest.
type tagged struct {
	tag  string
	desc *remote.Descriptor
}

// read lists every tag, GETs each image tag's manifest and HEADs each
// artifact tag, JobCount() at a time. ctx (not the group's) is kept by each
// descriptor, for the reads that follow. With headOnly, image tags are
// only HEADed too (descriptors are nil).
func (r *reader) read(ctx context.Context, headOnly bool) (*listing, error) {
	var tags []string
	err := r.o.Retry(ctx, func() (err error) {
		tags, err = r.puller.List(ctx, r.repo)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", r.repo, withStatus(err))
	}
	l := &listing{artifacts: map[string][]string{}, digest: make(map[string]string, len(tags))}
	isArtifact := make([]bool, len(tags))
	for i, t := range tags {
		if m := artifactTag.FindStringSubmatch(t); m != nil {
			l.artifacts["sha256:"+m[1]] = append(l.artifacts["sha256:"+m[1]], t)
			isArtifact[i] = true
		}
	}
	descs := make([]*remote.Descriptor, len(tags))
	digests := make([]string, len(tags))
	err = r.o.Each(ctx, len(tags), func(_ context.Context, i int) error {
		ref := r.repo.Tag(tags[i])
		if isArtifact[i] || headOnly {
			var d *v1.Descriptor
			err := r.o.Retry(ctx, func() (err error) {
				d, err = r.puller.Head(ctx, ref)
				return err
			})
			if registry.IsNotFound(err) {
				return nil // deleted since it was listed
			}
			if err != nil {
				return fmt.Errorf("reading %s: %w", ref, withStatus(err))
			}
			digests[i] = d.Digest.String()
			return nil
		}
		var d *remote.Descriptor
		err := r.o.Retry(ctx, func() (err error) {
			d, err = r.puller.Get(ctx, ref)
			return err
		})
		if registry.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", ref, withStatus(err))
		}
		descs[i], digests[i] = d, d.Digest.String()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, t := range tags {
		if digests[i] == "" {
			continue
		}
		l.digest[t] = digests[i]
		if !isArtifact[i] {
			l.images = append(l.images, tagged{tag: t, desc: descs[i]})
		}
	}
	return l, nil
}

// created reads when one manifest was built, and an index's platform
// images. A config that cannot be parsed gives an unknown time; a request
// that fails is an error.
func created(d *remote.Descriptor) (t time.Time, from string, platforms []string, err error) {
	switch {
	case d.MediaType.IsIndex():
		idx, err := d.ImageIndex()
		if err != nil {
			return time.Time{}, "", nil, err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return time.Time{}, "", nil, nil
		}
		for _, m := range im.Manifests {
			platforms = append(platforms, m.Digest.String())
		}
		t, from, err = registry.IndexCreated(idx)
		if err != nil && !isRequestError(err) {
			err = nil // an unreadable platform config: time unknown
		}
		return t, from, platforms, err
	case d.MediaType.IsImage():
		img, err := d.Image()
		if err != nil {
			return time.Time{}, "", nil, err
		}
		t, from, err := registry.ImageCreated(img)
		if err != nil && !isRequestError(err) {
			err = nil // not an image config: time unknown
		}
		return t, from, nil, err
	}
	return time.Time{}, "", nil, nil // schema 1 or another kind: time unknown
}

// isRequestError is whether err came from talking to the registry rather
// than from reading what it sent.
func isRequestError(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		registry.Dropped(err) || strings.Contains(err.Error(), "connection")
}

// NewPlan reads the repository and decides. Nothing is deleted; every read
// must succeed (after retries) or there is no plan.
func NewPlan(ctx context.Context, repository string, o Options) (*Plan, error) {
	if err := o.Policy.Validate(); err != nil {
		return nil, err
	}
	repo, err := o.Registry.ParseRepository(repository)
	if err != nil {
		return nil, err
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	r, err := newReader(ctx, o.Registry, repo)
	if err != nil {
		return nil, err
	}
	l, err := r.read(ctx, false)
	if err != nil {
		return nil, err
	}
	got := l.images
	plan := &Plan{Repository: repo.String(), Policy: o.Policy, Now: now, Tags: len(l.digest), repo: repo,
		tagDigest: l.digest, protected: map[string]bool{}}
	byDigest := map[string]*remote.Descriptor{}
	var digests []string
	for _, g := range got {
		d := g.desc.Digest.String()
		if _, ok := byDigest[d]; !ok {
			byDigest[d] = g.desc
			digests = append(digests, d)
		}
	}
	type when struct {
		t         time.Time
		from      string
		platforms []string
	}
	times := make([]when, len(digests))
	err = o.Registry.Each(ctx, len(digests), func(_ context.Context, i int) error {
		var t time.Time
		var from string
		var platforms []string
		err := o.Registry.Retry(ctx, func() (err error) {
			t, from, platforms, err = created(byDigest[digests[i]])
			return err
		})
		if err != nil {
			return fmt.Errorf("reading %s@%s: %w", repo, digests[i], withStatus(err))
		}
		times[i] = when{t, from, platforms}
		return nil
	})
	if err != nil {
		return nil, err
	}
	info := map[string]when{}
	for i, d := range digests {
		info[d] = times[i]
	}
	entries := make([]Entry, 0, len(got))
	for _, g := range got {
		d := g.desc.Digest.String()
		entries = append(entries, Entry{Tag: g.tag, Digest: d, Created: info[d].t})
	}
	for _, im := range Decide(o.Policy, entries, now) {
		w := info[im.Digest]
		plan.Images = append(plan.Images, &Planned{Image: im, MediaType: string(byDigest[im.Digest].MediaType),
			CreatedFrom: w.from, Platforms: w.platforms})
	}
	plan.keepPlatformsOfKeptIndexes()
	if err := plan.findArtifacts(ctx, r, l.artifacts); err != nil {
		return nil, err
	}
	plan.settlePlan()
	return plan, nil
}

// keepPlatformsOfKeptIndexes keeps a tagged platform image that a kept
// index lists (deleting it would break the index), and records every
// digest a kept image needs.
func (p *Plan) keepPlatformsOfKeptIndexes() {
	owner := map[string]*Planned{}
	for _, im := range p.Images {
		if im.Keep {
			p.protected[im.Digest] = true
			for _, c := range im.Platforms {
				p.protected[c] = true
				if owner[c] == nil {
					owner[c] = im
				}
			}
		}
	}
	for _, im := range p.Images {
		if o := owner[im.Digest]; !im.Keep && o != nil {
			im.Keep = true
			im.Overruled = append(im.Overruled, im.Reasons...)
			im.Reasons = []Reason{{Rule: RuleInIndex, Bucket: o.Tags[0]}}
		}
	}
}

// findArtifacts lists what goes with each deleted image: its artifact
// tags, its referrers (and their own, three levels deep), and the platform
// images of a deleted index that no kept index lists. Artifact tags whose
// subject no longer exists are orphans.
func (p *Plan) findArtifacts(ctx context.Context, r *reader, artifactTags map[string][]string) error {
	known, tagged := map[string]bool{}, map[string]bool{}
	for _, im := range p.Images {
		known[im.Digest] = true
		tagged[im.Digest] = true
		for _, c := range im.Platforms {
			known[c] = true
		}
	}
	// does the registry answer the referrers API? Ask once.
	var probe string
	for _, im := range p.Images {
		if !im.Keep {
			probe = im.Digest
			break
		}
	}
	if probe == "" {
		for s := range artifactTags {
			if !known[s] {
				probe = s
				break
			}
		}
	}
	if probe != "" {
		var api bool
		err := r.o.Retry(ctx, func() (err error) {
			api, err = r.referrersAPI(ctx, probe)
			return err
		})
		if err != nil {
			return err
		}
		p.ReferrersAPI = api
	}
	f := &finder{r: r, p: p, artifactTags: artifactTags}

	var subjects []*Planned
	for _, im := range p.Images {
		if !im.Keep {
			subjects = append(subjects, im)
		}
	}
	err := r.o.Each(ctx, len(subjects), func(_ context.Context, i int) error {
		im := subjects[i]
		arts, err := f.of(ctx, im.Digest, 0)
		if err != nil {
			return err
		}
		for _, c := range im.Platforms {
			if p.protected[c] || tagged[c] {
				continue
			}
			more, err := f.of(ctx, c, 1)
			if err != nil {
				return err
			}
			arts = append(arts, more...)
			arts = append(arts, Artifact{Kind: KindPlatform, Digest: c, Subject: im.Digest})
		}
		im.Artifacts = arts
		return nil
	})
	if err != nil {
		return err
	}

	// orphans: artifact tags of a subject that is neither tagged nor a
	// platform image here, and that the registry no longer has
	var unknown []string
	for s := range artifactTags {
		if !known[s] {
			unknown = append(unknown, s)
		}
	}
	slices.Sort(unknown)
	gone := make([]bool, len(unknown))
	err = r.o.Each(ctx, len(unknown), func(_ context.Context, i int) error {
		err := r.o.Retry(ctx, func() error {
			_, err := r.puller.Head(ctx, r.repo.Digest(unknown[i]))
			return err
		})
		if registry.IsNotFound(err) {
			gone[i] = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("checking %s@%s: %w", r.repo, unknown[i], withStatus(err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, s := range unknown {
		if !gone[i] {
			continue
		}
		arts, err := f.of(ctx, s, 0)
		if err != nil {
			return err
		}
		p.Orphans = append(p.Orphans, arts...)
	}
	return nil
}

// referrersAPI asks for the referrers of digest d without the tag
// fallback: an answer means the registry has the API.
func (r *reader) referrersAPI(ctx context.Context, d string) (bool, error) {
	// not through the shared puller: it would bring its own fallback
	_, err := remote.Referrers(r.repo.Digest(d), r.o.Remote(ctx, remote.WithReferrersTagFallback(false))...)
	switch {
	case err == nil:
		return true, nil
	case strings.Contains(err.Error(), "does not support the Referrers API"):
		return false, nil
	}
	return false, fmt.Errorf("asking %s for referrers: %w", r.repo, err)
}

// finder collects the artifacts of subjects.
type finder struct {
	r            *reader
	p            *Plan
	artifactTags map[string][]string
	mu           sync.Mutex
	seen         map[string]bool
}

// once is whether digest d is met for the first time.
func (f *finder) once(d string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if f.seen[d] {
		return false
	}
	f.seen[d] = true
	return true
}

// of is the artifacts of subject (deepest first), never a protected one.
func (f *finder) of(ctx context.Context, subject string, depth int) ([]Artifact, error) {
	if depth > 3 {
		return nil, nil
	}
	var out []Artifact
	add := func(a Artifact) error {
		if f.p.protected[a.Digest] || !f.once(a.Digest) {
			return nil
		}
		deeper, err := f.of(ctx, a.Digest, depth+1)
		if err != nil {
			return err
		}
		out = append(out, deeper...)
		out = append(out, a)
		return nil
	}
	var refs []v1.Descriptor
	err := f.r.o.Retry(ctx, func() (err error) {
		refs, err = f.referrers(ctx, subject)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, d := range refs {
		if err := add(Artifact{Kind: KindReferrer, Digest: d.Digest.String(), Subject: subject, ArtifactType: d.ArtifactType}); err != nil {
			return nil, err
		}
	}
	for _, tag := range f.artifactTags[subject] {
		d, ok := f.p.tagDigest[tag]
		if !ok {
			continue // deleted since it was listed
		}
		kind := artifactKind(artifactTag.FindStringSubmatch(tag)[2])
		if err := add(Artifact{Kind: kind, Tag: tag, Digest: d, Subject: subject}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// referrers lists subject's referrers: by the API when the registry has
// it, else from the fallback tag when there is one.
func (f *finder) referrers(ctx context.Context, subject string) ([]v1.Descriptor, error) {
	var idx v1.ImageIndex
	var err error
	if f.p.ReferrersAPI {
		idx, err = remote.Referrers(f.r.repo.Digest(subject), append(f.r.ropts, remote.WithContext(ctx))...)
	} else {
		if !slices.Contains(f.artifactTags[subject], strings.Replace(subject, ":", "-", 1)) {
			return nil, nil
		}
		var d *remote.Descriptor
		d, err = f.r.puller.Get(ctx, f.r.repo.Tag(strings.Replace(subject, ":", "-", 1)))
		if registry.IsNotFound(err) {
			return nil, nil
		}
		if err == nil {
			if !d.MediaType.IsIndex() {
				return nil, nil
			}
			idx, err = d.ImageIndex()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s@%s: %w", f.r.repo, subject, withStatus(err))
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading the referrers of %s@%s: %w", f.r.repo, subject, err)
	}
	return im.Manifests, nil
}

// withStatus adds the HTTP status to a registry's error, whose message
// gives only the registry's own words.
func withStatus(err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode != 0 && !strings.Contains(err.Error(), http.StatusText(terr.StatusCode)) {
		return fmt.Errorf("%w (HTTP %d %s)", err, terr.StatusCode, http.StatusText(terr.StatusCode))
	}
	return err
}
