package generate

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/image/transport"
)

// FromImage fills what s leaves open from the image's config: the user
// (when numeric) and the health check (from HEALTHCHECK, unless
// noHealth). It returns notes for the user.
func FromImage(s *Spec, cfg *v1.ConfigFile, noHealth bool) []string {
	var notes []string
	if s.User == "" && cfg.Config.User != "" {
		u, g, _ := strings.Cut(cfg.Config.User, ":")
		if numericID.MatchString(u) && (g == "" || numericID.MatchString(g)) {
			s.User, s.Group = u, g
		} else if !isRoot(u) {
			notes = append(notes, fmt.Sprintf("the image's USER %q is a name: give --user UID[:GID] (Quadlet before podman 4.8 takes numbers only)", cfg.Config.User))
		}
	}
	if s.Health == nil && !noHealth {
		if hc := cfg.Config.Healthcheck; hc != nil {
			if cmd := HealthFromImage(hc.Test); cmd != "" {
				s.Health = &Health{Cmd: cmd, Interval: orDur(hc.Interval, 30*time.Second), Timeout: orDur(hc.Timeout, 30*time.Second),
					StartPeriod: hc.StartPeriod, Retries: orInt(hc.Retries, 3), OnFailure: "kill"}
				if s.Health.Timeout > s.Health.Interval {
					s.Health.Timeout = s.Health.Interval
				}
				notes = append(notes, "health check from the image's HEALTHCHECK: "+cmd)
			}
		}
	}
	return notes
}

func orDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orInt(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// Pin returns the reference a container unit runs for the image opened
// from r, pinned where it can be: a registry image by the manifest digest
// of the platform chosen (repository@sha256:...), a podman image by its ID
// (the config digest), an archive or layout by its absolute path (podman
// reads the same transports; the digest goes in the header). imageRef,
// when given, names where the edge machine pulls the image instead; it is
// pinned by the manifest digest unless it has one.
func Pin(r transport.Ref, img v1.Image, imageRef string) (ref string, notes []string, err error) {
	digest, err := img.Digest()
	if err != nil {
		return "", nil, err
	}
	if imageRef != "" {
		return pinRegistry(imageRef, digest)
	}
	switch r.Kind {
	case transport.Registry:
		return pinRegistry(r.Name, digest)
	case transport.Podman:
		id, err := img.ConfigName()
		if err != nil {
			return "", nil, err
		}
		return id.String(), []string{fmt.Sprintf("the unit runs podman image %s by its ID: it must be in the edge machine's podman storage (or give --image-ref REGISTRY/REPO)", r.Name)}, nil
	case transport.DockerArchive, transport.OCIArchive, transport.OCILayout:
		abs, err := filepath.Abs(r.Path)
		if err != nil {
			return "", nil, err
		}
		ref := string(r.Kind) + ":" + abs
		if r.Tag != "" {
			ref += ":" + r.Tag
		}
		return ref, []string{fmt.Sprintf("the unit reads the image from %s on the edge machine (manifest digest %s in its header); give --image-ref REGISTRY/REPO to pull it pinned by digest", abs, digest)}, nil
	}
	return "", nil, fmt.Errorf("%s: a unit cannot run an image from %s: give --image-ref REGISTRY/REPO (where the edge machine pulls it) or name it docker-archive:PATH, oci-archive:PATH or oci:DIR", r, r.Kind)
}

// pinRegistry writes ref's repository with digest, keeping a digest ref
// already has (and checking it is the one chosen).
func pinRegistry(ref string, digest v1.Hash) (string, []string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", nil, fmt.Errorf("--image-ref %q: %w", ref, err)
	}
	repo := r.Context().Name()
	if strings.HasPrefix(repo, name.DefaultRegistry+"/") {
		repo = "docker.io/" + strings.TrimPrefix(repo, name.DefaultRegistry+"/")
	}
	if d, ok := r.(name.Digest); ok && d.DigestStr() != digest.String() {
		return "", nil, fmt.Errorf("%s is pinned to %s, but the image chosen has manifest digest %s", ref, d.DigestStr(), digest)
	}
	return repo + "@" + digest.String(), nil, nil
}
