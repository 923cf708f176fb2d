package cli

import (
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/slimship/slimship/pkg/image/transport"
	"github.com/slimship/slimship/pkg/registry"
)

// registryRef parses IMAGE for commands that work on a registry only:
// a bare reference or docker://REF.
func registryRef(o registry.Options, image string) (name.Reference, error) {
	r, err := transport.ParseRef(image, func(string) bool { return false })
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if r.Kind != transport.Registry {
		return nil, usageErr("%s: signatures and referrers live in a registry; give a registry reference (REGISTRY/REPO:TAG or @sha256:..., optionally docker://)", image)
	}
	ref, err := o.ParseReference(r.Name)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return ref, nil
}
