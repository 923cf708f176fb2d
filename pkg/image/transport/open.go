package transport

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/registry"
)

// Options tune Open.
type Options struct {
	// Platform picks an image out of an index: os/arch[/variant]. Empty
	// means linux and the host's architecture.
	Platform string
	// Insecure allows plain HTTP to loopback registries.
	Insecure bool
	// Keychain resolves registry credentials (authn.DefaultKeychain when nil).
	Keychain authn.Keychain
	// Offline refuses references that would be read from a registry.
	Offline bool
	// Registry, when set, is how registries are reached (retries, jobs,
	// transport) and Insecure and Keychain are not used.
	Registry *registry.Options
}

// ErrNotFound is wrapped by errors for images that do not exist.
var ErrNotFound = errors.New("image not found")

func (o Options) platform() (*v1.Platform, error) {
	if o.Platform == "" {
		return &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, nil
	}
	p, err := v1.ParsePlatform(o.Platform)
	if err != nil {
		return nil, fmt.Errorf("--platform %q: %w", o.Platform, err)
	}
	if p.OS == "" || p.Architecture == "" {
		return nil, fmt.Errorf("--platform %q: want os/arch[/variant]", o.Platform)
	}
	return p, nil
}

// registry is how the registry transport reaches registries.
func (o Options) registry() registry.Options {
	if o.Registry != nil {
		return *o.Registry
	}
	return registry.Options{Insecure: o.Insecure, Keychain: o.Keychain}
}

// Open resolves ref (any form ParseRef accepts) to an image. Layers are
// read lazily: opening is cheap, walking the image reads the blobs.
func Open(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	r, err := ParseRef(ref, exists)
	if err != nil {
		return nil, err
	}
	return OpenRef(ctx, r, opts)
}

// OpenRef opens a parsed reference.
func OpenRef(ctx context.Context, r Ref, opts Options) (v1.Image, error) {
	if _, err := opts.platform(); err != nil {
		return nil, err
	}
	var (
		img v1.Image
		err error
	)
	switch r.Kind {
	case DockerArchive:
		img, err = openDockerArchive(r.Path, r.Tag)
	case OCIArchive:
		img, err = openOCIArchive(r.Path, r.Tag, opts)
	case OCILayout:
		img, err = openOCILayout(r.Path, r.Tag, opts)
	case Registry:
		if opts.Offline {
			return nil, fmt.Errorf("%s: the image is in a registry and --offline never touches the network (save it with podman save or skopeo copy and give the archive)", r)
		}
		img, err = openRemote(ctx, r.Name, opts)
	case DockerDaemon:
		img, err = openSaved(ctx, "docker", r.Name)
	case Podman:
		img, err = openSaved(ctx, "podman", r.Name)
	case Path:
		img, err = openPath(r.Path, opts)
	default:
		err = fmt.Errorf("unknown transport %q", r.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	return img, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
