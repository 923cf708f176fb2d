// Package transport opens and writes images named the way skopeo names
// transports: docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG],
// docker://REF (or a bare reference), docker-daemon:REF and podman:REF.
// Every source converges on go-containerregistry's v1.Image.
package transport

import (
	"fmt"
	"strings"
)

// Kind is a transport.
type Kind string

// Transports.
const (
	DockerArchive Kind = "docker-archive"
	OCIArchive    Kind = "oci-archive"
	OCILayout     Kind = "oci"
	Registry      Kind = "docker"
	DockerDaemon  Kind = "docker-daemon"
	Podman        Kind = "podman"
	// Path is a bare path whose format is detected by content.
	Path Kind = "path"
)

// Ref is a parsed image reference.
type Ref struct {
	Kind Kind
	// Path for archives and layouts.
	Path string
	// Tag selects an image inside an OCI layout or archive (optional), or
	// names the image written into a docker-archive.
	Tag string
	// Name is the registry or daemon reference.
	Name string
}

func (r Ref) String() string {
	switch r.Kind {
	case Registry:
		return "docker://" + r.Name
	case DockerDaemon, Podman:
		return string(r.Kind) + ":" + r.Name
	case Path:
		return r.Path
	}
	if r.Tag != "" {
		return string(r.Kind) + ":" + r.Path + ":" + r.Tag
	}
	return string(r.Kind) + ":" + r.Path
}

// ParseRef parses s. exists reports whether a path exists, to tell a bare
// path from a bare registry reference (nil means os.Stat).
func ParseRef(s string, exists func(string) bool) (Ref, error) {
	if s == "" {
		return Ref{}, fmt.Errorf("empty image reference")
	}
	if strings.HasPrefix(s, "docker://") {
		name := strings.TrimPrefix(s, "docker://")
		if name == "" {
			return Ref{}, fmt.Errorf("%q: missing registry reference", s)
		}
		return Ref{Kind: Registry, Name: name}, nil
	}
	if kind, rest, ok := strings.Cut(s, ":"); ok {
		switch Kind(kind) {
		case DockerArchive, OCIArchive, OCILayout:
			if rest == "" {
				return Ref{}, fmt.Errorf("%q: missing path", s)
			}
			path, tag := rest, ""
			// oci:DIR:TAG and docker-archive:PATH:NAME[:TAG], split at the
			// first colon as skopeo does; a path that itself contains a
			// colon is kept whole when it exists.
			if i := strings.IndexByte(rest, ':'); i > 0 && (exists == nil || !exists(rest)) {
				path, tag = rest[:i], rest[i+1:]
			}
			return Ref{Kind: Kind(kind), Path: path, Tag: tag}, nil
		case DockerDaemon, Podman:
			if rest == "" {
				return Ref{}, fmt.Errorf("%q: missing image name", s)
			}
			return Ref{Kind: Kind(kind), Name: rest}, nil
		}
	}
	if exists != nil && exists(s) {
		return Ref{Kind: Path, Path: s}, nil
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasSuffix(s, ".tar") || strings.HasSuffix(s, ".tar.gz") {
		return Ref{Kind: Path, Path: s}, nil
	}
	return Ref{Kind: Registry, Name: s}, nil
}
