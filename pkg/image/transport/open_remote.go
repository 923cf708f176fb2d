package transport

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func openRemote(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	ro := opts.registry()
	r, err := ro.ParseReference(ref)
	if err != nil {
		return nil, err
	}
	p, err := opts.platform()
	if err != nil {
		return nil, err
	}
	return remote.Image(r, ro.Remote(ctx, remote.WithPlatform(*p))...)
}

// openSaved exports an image from a local engine with `<tool> save` into a
// temporary docker-archive. The file is unlinked once open, so nothing is
// left behind however the process ends.
func openSaved(ctx context.Context, tool, ref string) (v1.Image, error) {
	bin, err := exec.LookPath(tool)
	if err != nil {
		return nil, fmt.Errorf("%s is not installed: %w", tool, err)
	}
	tmp, err := os.CreateTemp("", "slimship-"+tool+"-*.tar")
	if err != nil {
		return nil, err
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)
	args := []string{"save", "-o", tmpName, ref}
	if tool == "podman" {
		args = []string{"save", "--format", "docker-archive", "-o", tmpName, ref}
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s save: %s: %w", tool, msg, ErrNotFound)
	}
	f, size, err := openSized(tmpName)
	if err != nil {
		return nil, err
	}
	return dockerArchiveFromFile(f, size, "")
}
