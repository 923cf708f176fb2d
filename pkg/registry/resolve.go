package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrNotFound is wrapped by errors for manifests the registry does not have.
var ErrNotFound = errors.New("not found in the registry")

// IsNotFound reports whether err is a registry's 404 (or wraps ErrNotFound).
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// Resolve is the descriptor (digest, media type, size) of the manifest ref
// names, and ref pinned to that digest. A missing manifest wraps
// ErrNotFound.
func (o Options) Resolve(ctx context.Context, ref name.Reference) (name.Digest, v1.Descriptor, error) {
	d, err := remote.Head(ref, o.Remote(ctx)...)
	if err != nil {
		if IsNotFound(err) {
			return name.Digest{}, v1.Descriptor{}, fmt.Errorf("%s: %w", ref, ErrNotFound)
		}
		return name.Digest{}, v1.Descriptor{}, fmt.Errorf("%s: %w", ref, err)
	}
	return ref.Context().Digest(d.Digest.String()), *d, nil
}
