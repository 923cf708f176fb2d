// Package tags lists a repository's tags with what each points to
// (digest, platforms, size, creation time) and checks them against a tag
// policy: the registry domain's rules (slimship tags). Each distinct
// manifest is read once, with bounded parallel requests; a ledger of the
// digests SemVer tags were seen at tells a moved version.
package tags

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slimship/slimship/pkg/registry"
)

// OCI annotations and labels read.
const (
	AnnotationCreated = registry.AnnotationCreated
	AnnotationVersion = "org.opencontainers.image.version"
)

// Tag is one tag and what it points to.
type Tag struct {
	Name      string   `json:"tag"`
	Kind      Kind     `json:"kind"`
	Digest    string   `json:"digest"`
	MediaType string   `json:"mediaType"`
	Platforms []string `json:"platforms,omitempty"`
	// Size is what a pull transfers: the manifests, configs and
	// compressed layers (each blob once).
	Size int64 `json:"size"`
	// Created is the config's created time, or for an index its
	// org.opencontainers.image.created annotation (else its newest
	// image's).
	Created *time.Time `json:"created,omitempty"`
	// Version is the org.opencontainers.image.version annotation or label.
	Version string `json:"version,omitempty"`
	// Signature is what a check with a key found on Digest (tags
	// --verify-key): "" not checked, "verified", or why none verified.
	Signature string `json:"signature,omitempty"`
}

// Listing is a repository's tags, newest first.
type Listing struct {
	Repository string `json:"repository"`
	Tags       []Tag  `json:"tags"`
	// Vanished are tags listed but gone when read (deleted meanwhile).
	Vanished []string `json:"vanished,omitempty"`
	// Requests counts the registry requests the listing made.
	Requests int64 `json:"-"`
}

// manifest is what a manifest says, read once per digest.
type manifest struct {
	mediaType string
	platforms []string
	// blobs are the config and layer digests with their sizes; size adds
	// the manifests.
	blobs   map[v1.Hash]int64
	size    int64
	created *time.Time
	version string
}

type lister struct {
	repo name.Repository
	opts []remote.Option

	mu    sync.Mutex
	cache map[v1.Hash]*cached
	reqs  countingTransport
}

type cached struct {
	once sync.Once
	m    *manifest
	err  error
}

// List lists every tag of repo, reading each distinct manifest (and its
// config) once, at most ro.Jobs requests at a time.
func List(ctx context.Context, repo name.Repository, pol *Policy, ro registry.Options) (*Listing, error) {
	l := &lister{repo: repo, cache: map[v1.Hash]*cached{}}
	base := ro.Transport
	if base == nil {
		base = remote.DefaultTransport
	}
	l.reqs.next = base
	ro.Transport = &l.reqs
	// one puller: one token handshake for the whole listing
	p, err := remote.NewPuller(ro.Remote(ctx)...)
	if err != nil {
		return nil, err
	}
	l.opts = append(ro.Remote(ctx), remote.Reuse(p))
	names, err := remote.List(repo, l.opts...)
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", repo, ro.GaveUp(err))
	}
	out := &Listing{Repository: repo.String(), Tags: make([]Tag, len(names))}
	gone := make([]bool, len(names))
	err = forEach(ctx, ro.JobCount(), len(names), func(ctx context.Context, i int) error {
		n := names[i]
		t, err := l.tag(ctx, n)
		switch {
		case registry.IsNotFound(err):
			gone[i] = true
			return nil
		case err != nil:
			return fmt.Errorf("%s:%s: %w", repo, n, ro.GaveUp(err))
		}
		t.Kind = pol.Classify(n)
		out.Tags[i] = *t
		return nil
	})
	if err != nil {
		return nil, err
	}
	kept := out.Tags[:0]
	for i, t := range out.Tags {
		if gone[i] {
			out.Vanished = append(out.Vanished, names[i])
			continue
		}
		kept = append(kept, t)
	}
	out.Tags = kept
	SortNewestFirst(out.Tags)
	out.Requests = l.reqs.n.Load()
	return out, nil
}

// forEach runs f(0..n-1), at most jobs at a time, and returns the first
// error (the context of the others is cancelled then).
func forEach(ctx context.Context, jobs, n int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(ctx, i); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// SortNewestFirst orders tags by creation time, newest first, then by
// name; tags without a time come last.
func SortNewestFirst(ts []Tag) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := ts[i].Created, ts[j].Created
		switch {
		case a != nil && b != nil && !a.Equal(*b):
			return a.After(*b)
		case (a == nil) != (b == nil):
			return a != nil
		}
		return ts[i].Name < ts[j].Name
	})
}

// tag reads what tag n points to.
func (l *lister) tag(ctx context.Context, n string) (*Tag, error) {
	desc, err := remote.Get(l.repo.Tag(n), append(l.opts, remote.WithContext(ctx))...)
	if err != nil {
		return nil, err
	}
	m, err := l.describe(ctx, desc)
	if err != nil {
		return nil, err
	}
	return &Tag{Name: n, Digest: desc.Digest.String(), MediaType: m.mediaType, Platforms: m.platforms,
		Size: m.size, Created: m.created, Version: m.version}, nil
}

func (l *lister) entry(h v1.Hash) *cached {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.cache[h]
	if !ok {
		c = &cached{}
		l.cache[h] = c
	}
	return c
}

// byDigest reads the manifest of digest h (an index's child) once.
func (l *lister) byDigest(ctx context.Context, h v1.Hash) (*manifest, error) {
	c := l.entry(h)
	c.once.Do(func() {
		desc, err := remote.Get(l.repo.Digest(h.String()), append(l.opts, remote.WithContext(ctx))...)
		if err != nil {
			c.err = err
			return
		}
		c.m, c.err = l.read(ctx, desc)
	})
	return c.m, c.err
}

// describe reads a fetched manifest once per digest.
func (l *lister) describe(ctx context.Context, desc *remote.Descriptor) (*manifest, error) {
	c := l.entry(desc.Digest)
	c.once.Do(func() { c.m, c.err = l.read(ctx, desc) })
	return c.m, c.err
}

// countingTransport counts requests.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

type rawManifest struct {
	MediaType   string            `json:"mediaType"`
	Config      v1.Descriptor     `json:"config"`
	Layers      []v1.Descriptor   `json:"layers"`
	Manifests   []v1.Descriptor   `json:"manifests"`
	Annotations map[string]string `json:"annotations"`
}

func (l *lister) read(ctx context.Context, desc *remote.Descriptor) (*manifest, error) {
	var raw rawManifest
	if err := json.Unmarshal(desc.Manifest, &raw); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	m := &manifest{mediaType: string(desc.MediaType), blobs: map[v1.Hash]int64{}, version: raw.Annotations[AnnotationVersion]}
	if t, ok := registry.AnnotatedCreated(raw.Annotations); ok {
		m.created = &t
	}
	if desc.MediaType.IsIndex() {
		return m, l.readIndex(ctx, desc, &raw, m)
	}
	m.size = int64(len(desc.Manifest))
	m.blobs[raw.Config.Digest] = raw.Config.Size
	for _, d := range raw.Layers {
		m.blobs[d.Digest] = d.Size
	}
	for _, s := range m.blobs {
		m.size += s
	}
	if !desc.MediaType.IsImage() || raw.Config.Size > 1<<20 || raw.Config.Size <= 0 {
		return m, nil // an artifact: its config is not an image's
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config of %s: %w", desc.Digest, err)
	}
	if p := cf.Platform(); p != nil && p.OS != "" {
		m.platforms = []string{p.String()}
	}
	if m.created == nil && registry.KnownCreated(cf.Created.Time) {
		t := cf.Created.UTC()
		m.created = &t
	}
	if m.version == "" {
		m.version = cf.Config.Labels[AnnotationVersion]
	}
	return m, nil
}

// readIndex adds up an index's children: platforms, size (each blob
// once), the newest creation time when the index has no annotation, and
// the first version label.
func (l *lister) readIndex(ctx context.Context, desc *remote.Descriptor, raw *rawManifest, m *manifest) error {
	m.size = int64(len(desc.Manifest))
	var newest *time.Time
	for _, d := range raw.Manifests {
		if d.Platform != nil && d.Platform.OS != "unknown" {
			m.platforms = append(m.platforms, d.Platform.String())
		}
		child, err := l.byDigest(ctx, d.Digest)
		if err != nil {
			return fmt.Errorf("manifest %s of index %s: %w", d.Digest, desc.Digest, err)
		}
		m.size += d.Size
		for h, s := range child.blobs {
			if _, dup := m.blobs[h]; !dup {
				m.blobs[h] = s
				m.size += s
			}
		}
		if child.created != nil && (newest == nil || child.created.After(*newest)) {
			newest = child.created
		}
		if m.version == "" {
			m.version = child.version
		}
	}
	if m.created == nil {
		m.created = newest
	}
	return nil
}
