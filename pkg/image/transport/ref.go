// Package transport opens and writes images named the way skopeo names
// transports: docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG],
// docker://REF (or a bare reference), docker-daemon:REF and podman:REF.
// Every source converges on go-containerregistry's v1.Image.
package transport

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/slimship/slimship/internal/lazyre"
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

// Forms lists the image reference forms, for error messages.
const Forms = "docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG], docker://REF, docker-daemon:REF, podman:REF or a path"

// unsupported are skopeo's transports slimship does not read or write.
var unsupported = map[string]string{
	"containers-storage": "use podman:REF",
	"dir":                "copy it to an OCI layout (skopeo copy dir:D oci:D) and use oci:DIR",
	"ostree":             "",
	"sif":                "",
}

// ParseRef parses s. exists reports whether a path exists, to tell a bare
// path from a bare registry reference (nil means os.Stat). Standard input
// ("-"), unknown transports (bogus://x, dir:PATH) and registry references
// that do not parse are refused here, before anything is opened.
func ParseRef(s string, exists func(string) bool) (Ref, error) {
	if s == "" {
		return Ref{}, fmt.Errorf("empty image reference")
	}
	if s == "-" {
		return Ref{}, fmt.Errorf(`"-": images are not read from or written to standard input; save to a file (docker save -o img.tar) and name it docker-archive:img.tar`)
	}
	if strings.HasPrefix(s, "docker://") {
		ref := strings.TrimPrefix(s, "docker://")
		if ref == "" {
			return Ref{}, fmt.Errorf("%q: missing registry reference", s)
		}
		if err := checkRegistryRef(ref); err != nil {
			return Ref{}, fmt.Errorf("%q: not a registry reference: %v", s, err)
		}
		return Ref{Kind: Registry, Name: ref}, nil
	}
	if scheme, _, ok := strings.Cut(s, "://"); ok && !strings.ContainsAny(scheme, "/.") {
		return Ref{}, fmt.Errorf("%q: unknown transport %q (want %s)", s, scheme, Forms)
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
	if kind, rest, ok := strings.Cut(s, ":"); ok {
		if hint, known := unsupported[kind]; known && rest != "" {
			if hint != "" {
				hint = "; " + hint
			}
			return Ref{}, fmt.Errorf("%q: transport %q is not supported (want %s)%s", s, kind, Forms, hint)
		}
	}
	if err := checkRegistryRef(s); err != nil {
		return Ref{}, fmt.Errorf("%q is not a file, a known transport (%s) or a registry reference", s, Forms)
	}
	return Ref{Kind: Registry, Name: s}, nil
}

// pathComponent is the distribution spec's repository path component.
var pathComponent = lazyre.New(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$`)

// checkRegistryRef checks ref as go-containerregistry parses it, and each
// repository path component against the distribution spec's grammar, which
// go-containerregistry's lenient parse does not (it takes "-").
func checkRegistryRef(ref string) error {
	r, err := name.ParseReference(ref)
	if err != nil {
		return err
	}
	for _, c := range strings.Split(r.Context().RepositoryStr(), "/") {
		if !pathComponent.MatchString(c) {
			return fmt.Errorf("repository component %q is not lower-case letters and digits joined by . _ __ or -", c)
		}
	}
	return nil
}
