// Package imagecopy copies images and multi-platform indexes between any
// two transports slimship reads and writes (slimship copy). What the
// source holds is written as stored: manifests keep their bytes, so every
// digest survives a copy; --platform makes a new index of the picked
// manifests. Between registries it brings the artifacts attached to what
// it copies along (cosign's sha256-<hex>.sig/.att/.sbom tags and OCI 1.1
// referrers), and layers of the same registry are mounted, not uploaded.
package imagecopy

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/registry"
)

// Options tune Copy.
type Options struct {
	// Registry is how registries are reached (credentials, --insecure,
	// retries, parallel requests).
	Registry registry.Options
	// Platforms picks manifests out of an index: a new index of those is
	// written. Empty keeps the index whole.
	Platforms []v1.Platform
	// WithReferrers copies, between registries, the sha256-<hex>.sig,
	// .att and .sbom tags and the OCI referrers of every copied manifest.
	WithReferrers bool
	// Progress is told the bytes written and the total (registry and
	// docker-archive destinations).
	Progress func(complete, total int64)
	// Epoch stamps the entries of an oci-archive's outer tar.
	Epoch time.Time
}

// Result says what a copy wrote.
type Result struct {
	// Digest is the digest of the index or image written (for a
	// docker-archive or a daemon, the source image's: the archive keeps its
	// config and layers, its reader rebuilds the manifest).
	Digest v1.Hash
	// ImageID is the config digest of a single image.
	ImageID v1.Hash
	// MediaType of what was written.
	MediaType types.MediaType
	// Platforms of an index's manifests, in its order.
	Platforms []string
	// Attached lists the attached artifacts copied: tags, and referrers
	// by digest.
	Attached []string
}

// ParsePlatforms parses --platform values: os/arch[/variant], each value
// possibly a comma-separated list.
func ParsePlatforms(values []string) ([]v1.Platform, error) {
	var out []v1.Platform
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			p, err := v1.ParsePlatform(s)
			if err != nil || p.OS == "" || p.Architecture == "" || strings.Count(s, "/") > 2 {
				return nil, fmt.Errorf("--platform %q: want os/arch[/variant]", s)
			}
			out = append(out, *p)
		}
	}
	return out, nil
}

// singleImage reports whether a transport holds one image, not an index.
func singleImage(k transport.Kind) bool {
	return k == transport.DockerArchive || k == transport.DockerDaemon || k == transport.Podman
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Copy copies src to dst, both in any form transport.ParseRef takes.
func Copy(ctx context.Context, src, dst string, o Options) (*Result, error) {
	sref, err := transport.ParseRef(src, exists)
	if err != nil {
		return nil, err
	}
	dref, err := transport.ParseDest(dst)
	if err != nil {
		return nil, err
	}
	if o.WithReferrers && (sref.Kind != transport.Registry || dref.Kind != transport.Registry) {
		return nil, fmt.Errorf("--with-referrers copies attached signatures, attestations and SBOMs between registries: %s and %s must both be registry references", src, dst)
	}
	var srcRepo, dstRepo name.Repository
	if o.WithReferrers {
		// checked before any work: --insecure to a host that is not loopback
		r, err := o.Registry.ParseReference(sref.Name)
		if err != nil {
			return nil, err
		}
		srcRepo = r.Context()
		if r, err = o.Registry.ParseReference(dref.Name); err != nil {
			return nil, err
		}
		dstRepo = r.Context()
	}
	s, err := transport.OpenSource(ctx, src, transport.Options{Registry: &o.Registry})
	if err != nil {
		return nil, o.Registry.GaveUp(err)
	}
	if s, err = pick(s, o.Platforms); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if s.Index != nil && singleImage(dref.Kind) {
		if s, err = onlyImage(s); err != nil {
			return nil, fmt.Errorf("%s holds one image and %s is an index of %w", dref.Kind, src, err)
		}
	}
	res := &Result{}
	if res.Digest, err = s.Digest(); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	wo := transport.WriteOptions{Registry: &o.Registry, Progress: o.Progress, Epoch: o.Epoch}
	write := func() error { return transport.Write(ctx, dst, s.Image, wo) }
	if s.Index != nil {
		res.MediaType, _ = s.Index.MediaType()
		if res.Platforms, err = platforms(s.Index); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		write = func() error { return transport.WriteIndex(ctx, dst, s.Index, wo) }
	} else {
		res.MediaType, _ = s.Image.MediaType()
		if res.ImageID, err = s.Image.ConfigName(); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
	}
	if dref.Kind == transport.Registry {
		// go-containerregistry retries each blob, re-reading the source
		err = write()
	} else {
		// a download that broke off is tried again whole: archives are
		// written atomically, and a layout keeps the blobs it has
		err = o.Registry.Retry(ctx, write)
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", dst, o.Registry.GaveUp(err))
	}
	if o.WithReferrers {
		roots := []v1.Hash{res.Digest}
		if s.Index != nil {
			children, err := manifestDigests(s.Index)
			if err != nil {
				return nil, err
			}
			roots = append(roots, children...)
		}
		if res.Attached, err = copyAttached(ctx, o.Registry, srcRepo, dstRepo, roots); err != nil {
			return res, o.Registry.GaveUp(err)
		}
	}
	return res, nil
}

// pick keeps the manifests of the wanted platforms in a new index (the
// manifests themselves as stored), or checks a single image's platform.
func pick(s transport.Source, want []v1.Platform) (transport.Source, error) {
	if len(want) == 0 {
		return s, nil
	}
	if s.Image != nil {
		cfg, err := s.Image.ConfigFile()
		if err != nil {
			return s, err
		}
		have := cfg.Platform()
		for _, w := range want {
			if have != nil && have.Satisfies(w) {
				return s, nil
			}
		}
		return s, fmt.Errorf("one image for %s, not for --platform %s", platformString(have), joinPlatforms(want))
	}
	im, err := s.Index.IndexManifest()
	if err != nil {
		return s, err
	}
	var adds []mutate.IndexAddendum
	found := make([]bool, len(want))
	for _, d := range im.Manifests {
		if d.Platform == nil {
			continue
		}
		match := false
		for i, w := range want {
			if d.Platform.Satisfies(w) {
				found[i], match = true, true
			}
		}
		if !match {
			continue
		}
		var add mutate.Appendable
		if d.MediaType.IsIndex() {
			add, err = s.Index.ImageIndex(d.Digest)
		} else {
			add, err = s.Index.Image(d.Digest)
		}
		if err != nil {
			return s, fmt.Errorf("manifest %s: %w", d.Digest, err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: add, Descriptor: d})
	}
	for i, ok := range found {
		if !ok {
			have, _ := platforms(s.Index)
			return s, fmt.Errorf("no manifest for --platform %s (the index has %s)", platformString(&want[i]), strings.Join(have, ", "))
		}
	}
	mt := im.MediaType
	if mt == "" {
		mt = types.OCIImageIndex
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, mt), adds...)
	if len(im.Annotations) > 0 && mt == types.OCIImageIndex {
		idx = mutate.Annotations(idx, im.Annotations).(v1.ImageIndex)
	}
	return transport.Source{Ref: s.Ref, Index: idx}, nil
}

// onlyImage returns the one image of an index, or an error listing its
// platforms.
func onlyImage(s transport.Source) (transport.Source, error) {
	im, err := s.Index.IndexManifest()
	if err != nil {
		return s, err
	}
	if len(im.Manifests) == 1 && !im.Manifests[0].MediaType.IsIndex() {
		img, err := s.Index.Image(im.Manifests[0].Digest)
		if err != nil {
			return s, err
		}
		return transport.Source{Ref: s.Ref, Image: img}, nil
	}
	have, _ := platforms(s.Index)
	return s, fmt.Errorf("%d manifests (%s): pick one with --platform", len(im.Manifests), strings.Join(have, ", "))
}

func platforms(idx v1.ImageIndex) ([]string, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(im.Manifests))
	for _, d := range im.Manifests {
		out = append(out, platformString(d.Platform))
	}
	return out, nil
}

func platformString(p *v1.Platform) string {
	if p == nil || p.OS == "" {
		return "unknown"
	}
	return p.String()
}

func joinPlatforms(ps []v1.Platform) string {
	s := make([]string, len(ps))
	for i := range ps {
		s[i] = platformString(&ps[i])
	}
	return strings.Join(s, ",")
}

// manifestDigests lists the manifests of an index, nested ones included.
func manifestDigests(idx v1.ImageIndex) ([]v1.Hash, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []v1.Hash
	for _, d := range im.Manifests {
		out = append(out, d.Digest)
		if d.MediaType.IsIndex() {
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			more, err := manifestDigests(child)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
	}
	return out, nil
}

// attachSuffixes are cosign's tags of artifacts attached to sha256-<hex>.
var attachSuffixes = []string{".sig", ".att", ".sbom"}

// copyAttached copies, for every manifest digest in roots and for what it
// copies in turn (a signature of an SBOM), cosign's attachment tags and
// the OCI referrers (the Referrers API, or its tag schema where the
// registry has none; pushing a manifest with a subject keeps the
// destination's fallback tag up to date).
func copyAttached(ctx context.Context, ro registry.Options, src, dst name.Repository, roots []v1.Hash) ([]string, error) {
	opts := ro.Remote(ctx)
	tags, err := remote.List(src, opts...)
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", src, err)
	}
	have := make(map[string]bool, len(tags))
	for _, t := range tags {
		have[t] = true
	}
	var copied []string
	seen := map[v1.Hash]bool{}
	queue := append([]v1.Hash(nil), roots...)
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if seen[d] {
			continue
		}
		seen[d] = true
		for _, suf := range attachSuffixes {
			tag := d.Algorithm + "-" + d.Hex + suf
			if !have[tag] {
				continue
			}
			got, err := copyManifest(ctx, ro, src.Tag(tag), dst.Tag(tag))
			if err != nil {
				return copied, err
			}
			copied = append(copied, tag)
			queue = append(queue, got)
		}
		refs, err := remote.Referrers(src.Digest(d.String()), opts...)
		if err != nil {
			return copied, fmt.Errorf("referrers of %s@%s: %w", src, d, err)
		}
		im, err := refs.IndexManifest()
		if err != nil {
			return copied, fmt.Errorf("referrers of %s@%s: %w", src, d, err)
		}
		for _, r := range im.Manifests {
			if seen[r.Digest] {
				continue
			}
			if _, err := copyManifest(ctx, ro, src.Digest(r.Digest.String()), dst.Digest(r.Digest.String())); err != nil {
				return copied, err
			}
			copied = append(copied, r.Digest.String())
			queue = append(queue, r.Digest)
		}
	}
	sort.Strings(copied)
	return copied, nil
}

// copyManifest copies one manifest (image, index or artifact) between
// registries, as stored.
func copyManifest(ctx context.Context, ro registry.Options, from, to name.Reference) (v1.Hash, error) {
	opts := ro.Remote(ctx)
	desc, err := remote.Get(from, opts...)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("%s: %w", from, err)
	}
	var t remote.Taggable
	if desc.MediaType.IsIndex() {
		t, err = desc.ImageIndex()
	} else {
		t, err = desc.Image()
	}
	if err == nil {
		err = remote.Push(to, t, opts...)
	}
	if err != nil {
		return v1.Hash{}, fmt.Errorf("copying %s to %s: %w", from, to, err)
	}
	return desc.Digest, nil
}
