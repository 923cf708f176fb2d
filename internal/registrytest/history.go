package registrytest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// History is what PushHistory pushed.
type History struct {
	// Images are the tagged images (an index counts as one).
	Images []Image
	// Signatures maps a subject digest to its cosign-style .sig tag.
	Signatures map[string]string
	// Referrers maps a subject digest to the digest of its OCI referrer.
	Referrers map[string]string
	// Platforms maps an index digest to its platform images.
	Platforms map[string][]string
}

// Tags is every image tag pushed.
func (h *History) Tags() []string {
	var out []string
	for _, im := range h.Images {
		out = append(out, im.Tags...)
	}
	return out
}

// PushHistory pushes builds with real creation times over days days
// ending before now: none on some days, up to three on others. Each build
// is tagged build-NNN; every 4th also v0.NNN and every 6th also rc-NNN
// (several tags of one digest); every 7th is a two-platform index with the
// org.opencontainers.image.created annotation; every 3rd is signed
// (a sha256-<hex>.sig tag) and every 5th has an OCI referrer (an SBOM
// artifact whose subject it is; the registry's referrers API or the tag
// fallback). latest points at the newest build, and "reproducible" at an
// image built at the Unix epoch (unknown time).
func PushHistory(ctx context.Context, repo name.Repository, opts []remote.Option, now time.Time, days int, seed uint64) (*History, error) {
	r := rand.New(rand.NewPCG(seed, 60))
	opts = append(opts, remote.WithContext(ctx))
	h := &History{Signatures: map[string]string{}, Referrers: map[string]string{}, Platforms: map[string][]string{}}
	start := now.Add(-time.Duration(days) * 24 * time.Hour).UTC().Truncate(24 * time.Hour)
	n := 0
	var newest Image
	for d := 0; d < days; d++ {
		builds := []int{0, 1, 1, 2, 3}[r.IntN(5)]
		minute := 0
		for b := 0; b < builds; b++ {
			minute += 1 + r.IntN(400)
			created := start.Add(time.Duration(d)*24*time.Hour + time.Duration(minute)*time.Minute)
			if !created.Before(now) {
				continue
			}
			n++
			im := Image{Created: created, Tags: []string{fmt.Sprintf("build-%03d", n)}}
			if n%4 == 0 {
				im.Tags = append(im.Tags, fmt.Sprintf("v0.%d", n))
			}
			if n%6 == 0 {
				im.Tags = append(im.Tags, fmt.Sprintf("rc-%03d", n))
			}
			var err error
			if n%7 == 0 {
				im.Digest, err = h.pushIndex(repo, opts, created, im.Tags)
			} else {
				im.Digest, err = pushImage(repo, opts, created, im.Tags)
			}
			if err != nil {
				return nil, err
			}
			if n%3 == 0 {
				tag := strings.Replace(im.Digest, ":", "-", 1) + ".sig"
				if _, err := pushImage(repo, opts, time.Time{}, []string{tag}); err != nil {
					return nil, err
				}
				h.Signatures[im.Digest] = tag
			}
			if n%5 == 0 {
				ref, err := pushReferrer(repo, opts, im.Digest)
				if err != nil {
					return nil, err
				}
				h.Referrers[im.Digest] = ref
			}
			h.Images = append(h.Images, im)
			newest = im
		}
	}
	if n == 0 {
		return h, nil
	}
	if err := retag(repo, opts, newest.Digest, "latest"); err != nil {
		return nil, err
	}
	h.Images[len(h.Images)-1].Tags = append(h.Images[len(h.Images)-1].Tags, "latest")
	d, err := pushImage(repo, opts, time.Unix(0, 0).UTC(), []string{"reproducible"})
	if err != nil {
		return nil, err
	}
	h.Images = append(h.Images, Image{Digest: d, Tags: []string{"reproducible"}})
	return h, nil
}

// Small is a small random linux/amd64 image built at created (no time
// when zero).
func Small(created time.Time) (v1.Image, error) {
	return small(created, "amd64")
}

func small(created time.Time, arch string) (v1.Image, error) {
	img, err := random.Image(256, 1)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	cfg.Created = v1.Time{Time: created}
	return mutate.ConfigFile(img, cfg)
}

func pushImage(repo name.Repository, opts []remote.Option, created time.Time, tags []string) (string, error) {
	img, err := Small(created)
	if err != nil {
		return "", err
	}
	if err := remote.Write(repo.Tag(tags[0]), img, opts...); err != nil {
		return "", err
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	for _, t := range tags[1:] {
		if err := retag(repo, opts, d.String(), t); err != nil {
			return "", err
		}
	}
	return d.String(), nil
}

func retag(repo name.Repository, opts []remote.Option, digest, tag string) error {
	desc, err := remote.Get(repo.Digest(digest), opts...)
	if err != nil {
		return err
	}
	return remote.Tag(repo.Tag(tag), desc, opts...)
}

func (h *History) pushIndex(repo name.Repository, opts []remote.Option, created time.Time, tags []string) (string, error) {
	var adds []mutate.IndexAddendum
	var platforms []string
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := small(created, arch)
		if err != nil {
			return "", err
		}
		d, err := img.Digest()
		if err != nil {
			return "", err
		}
		platforms = append(platforms, d.String())
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.IndexMediaType(mutate.AppendManifests(empty.Index, adds...), types.OCIImageIndex)
	idx = mutate.Annotations(idx, map[string]string{"org.opencontainers.image.created": created.Format(time.RFC3339)}).(v1.ImageIndex)
	if err := remote.WriteIndex(repo.Tag(tags[0]), idx, opts...); err != nil {
		return "", err
	}
	d, err := idx.Digest()
	if err != nil {
		return "", err
	}
	for _, t := range tags[1:] {
		if err := retag(repo, opts, d.String(), t); err != nil {
			return "", err
		}
	}
	h.Platforms[d.String()] = platforms
	return d.String(), nil
}

// pushReferrer pushes a small SBOM artifact whose subject is digest.
func pushReferrer(repo name.Repository, opts []remote.Option, digest string) (string, error) {
	desc, err := remote.Head(repo.Digest(digest), opts...)
	if err != nil {
		return "", err
	}
	img, err := random.Image(128, 1)
	if err != nil {
		return "", err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, "application/spdx+json")
	img = mutate.Subject(img, *desc).(v1.Image)
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	if err := remote.Write(repo.Digest(d.String()), img, opts...); err != nil {
		return "", err
	}
	return d.String(), nil
}
