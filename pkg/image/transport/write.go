package transport

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slimship/slimship/internal/atomicfile"
	"github.com/slimship/slimship/pkg/registry"
)

// DefaultTag names an image in archives when the destination gives none.
const DefaultTag = "localhost/slimship:latest"

// WriteOptions tune Write.
type WriteOptions struct {
	// Insecure allows plain HTTP to registries on localhost.
	Insecure bool
	// Keychain for registry credentials (authn.DefaultKeychain when nil).
	Keychain authn.Keychain
	// Epoch stamps the entries of archives slimship assembles itself
	// (oci-archive's outer tar); the zero time means 1970-01-01. Callers
	// pass SOURCE_DATE_EPOCH, so the same image gives the same bytes.
	Epoch time.Time
	// Registry, when set, is how registries are reached (retries, jobs,
	// transport) and Insecure and Keychain are not used.
	Registry *registry.Options
	// Progress, when set, is told the bytes written so far and the total
	// while a registry or docker-archive destination is written
	// (go-containerregistry's v1.Update); other transports do not report.
	Progress func(complete, total int64)
}

func (o WriteOptions) registry() registry.Options {
	if o.Registry != nil {
		return *o.Registry
	}
	return registry.Options{Insecure: o.Insecure, Keychain: o.Keychain}
}

// progress returns a channel for go-containerregistry's updates and a
// function that waits until they are all passed on. The writer closes the
// channel (remote.Push does, the caller does for tarball.Write).
func (o WriteOptions) progress() (chan v1.Update, func()) {
	if o.Progress == nil {
		return nil, func() {}
	}
	ch := make(chan v1.Update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for u := range ch {
			if u.Error == nil {
				o.Progress(u.Complete, u.Total)
			}
		}
	}()
	return ch, func() { <-done }
}

// Write stores img at dest, a reference in any transport Open reads. Files
// are written atomically: the old file stays whole until the new one is
// complete.
func Write(ctx context.Context, dest string, img v1.Image, opts WriteOptions) error {
	return write(ctx, dest, img, nil, opts)
}

// WriteIndex stores a multi-platform index at dest. Only transports that can
// hold an index accept it (oci, oci-archive, docker://); docker-archive and
// daemons take one image.
func WriteIndex(ctx context.Context, dest string, idx v1.ImageIndex, opts WriteOptions) error {
	return write(ctx, dest, nil, idx, opts)
}

func write(ctx context.Context, dest string, img v1.Image, idx v1.ImageIndex, opts WriteOptions) error {
	ref, err := ParseRef(dest, nil)
	if err != nil {
		return err
	}
	if ref.Kind == Path {
		ref = guessWriteKind(ref.Path)
	}
	if err := checkDest(ref); err != nil {
		return err
	}
	if idx != nil && (ref.Kind == DockerArchive || ref.Kind == DockerDaemon || ref.Kind == Podman) {
		return fmt.Errorf("%s holds one image, not a multi-platform index: write to oci:DIR, oci-archive:PATH or a registry", ref.Kind)
	}
	switch ref.Kind {
	case DockerArchive:
		tag, err := archiveTag(ref.Tag)
		if err != nil {
			return err
		}
		ch, wait := opts.progress()
		var topts []tarball.WriteOption
		if ch != nil {
			topts = append(topts, tarball.WithProgress(ch))
		}
		err = atomicfile.WriteFunc(ref.Path, 0o644, func(w io.Writer) error { return tarball.Write(tag, img, w, topts...) })
		if ch != nil {
			close(ch)
			wait()
		}
		return err
	case OCILayout:
		return writeLayout(ref.Path, ref.Tag, img, idx)
	case OCIArchive:
		tmp, err := os.MkdirTemp(filepath.Dir(absOrSelf(ref.Path)), ".slimship-oci-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := writeLayout(tmp, ref.Tag, img, idx); err != nil {
			return err
		}
		return atomicfile.WriteFunc(ref.Path, 0o644, func(w io.Writer) error { return tarDir(tmp, w, opts.Epoch) })
	case Registry:
		ro := opts.registry()
		r, err := ro.ParseReference(ref.Name)
		if err != nil {
			return err
		}
		ch, wait := opts.progress()
		var extra []remote.Option
		if ch != nil {
			extra = append(extra, remote.WithProgress(ch))
		}
		var t remote.Taggable = img
		if idx != nil {
			t = idx
		}
		err = remote.Push(r, t, ro.Remote(ctx, extra...)...)
		wait()
		return err
	case Podman, DockerDaemon:
		return loadIntoDaemon(ctx, ref, img)
	}
	return fmt.Errorf("cannot write to %q", dest)
}

// CheckDest reports, before any work, why dest cannot be written: a
// reference Write does not take, or an archive path that is a directory or
// whose parent directory is missing (atomicfile.CheckTarget).
func CheckDest(dest string) error {
	_, err := ParseDest(dest)
	return err
}

// ParseDest parses a destination as Write takes it (a bare path is a
// docker-archive, or an OCI layout when it is a directory or has no
// extension) and checks it as CheckDest does.
func ParseDest(dest string) (Ref, error) {
	ref, err := ParseRef(dest, nil)
	if err != nil {
		return Ref{}, err
	}
	if ref.Kind == Path {
		ref = guessWriteKind(ref.Path)
	}
	return ref, checkDest(ref)
}

func checkDest(ref Ref) error {
	switch ref.Kind {
	case DockerArchive, OCIArchive:
		return atomicfile.CheckTarget(ref.Path)
	case OCILayout:
		// A layout is a directory Write creates (or adds to); its parent
		// must exist.
		parent := filepath.Dir(absOrSelf(ref.Path))
		st, err := os.Stat(parent)
		switch {
		case os.IsNotExist(err):
			return fmt.Errorf("%s: parent directory %s does not exist", ref.Path, parent)
		case err != nil:
			return fmt.Errorf("%s: %w", ref.Path, err)
		case !st.IsDir():
			return fmt.Errorf("%s: %s is not a directory", ref.Path, parent)
		}
	}
	return nil
}

func guessWriteKind(p string) Ref {
	if st, err := os.Stat(p); (err == nil && st.IsDir()) || filepath.Ext(p) == "" {
		return Ref{Kind: OCILayout, Path: p}
	}
	return Ref{Kind: DockerArchive, Path: p}
}

func absOrSelf(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func archiveTag(t string) (name.Tag, error) {
	if t == "" {
		t = DefaultTag
	}
	tag, err := name.NewTag(t)
	if err != nil {
		return name.Tag{}, fmt.Errorf("image name %q: %v", t, err)
	}
	return tag, nil
}

// writeLayout adds img or idx to the OCI layout dir. A new layout is built
// in a temporary directory beside dir and renamed into place; an existing
// one gets the blobs first and then a new index.json, renamed over the old
// one, so a failed write leaves at most unreferenced blobs. An entry named
// tag replaces the entries of that name, as skopeo's oci:DIR:TAG does.
func writeLayout(dir, tag string, img v1.Image, idx v1.ImageIndex) error {
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err == nil {
		return appendLayout(dir, tag, img, idx)
	}
	entries, err := os.ReadDir(dir)
	emptyDir := err == nil && len(entries) == 0
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("%s is neither an OCI layout (no index.json) nor empty", dir)
	case err != nil && !os.IsNotExist(err):
		return err
	}
	abs := absOrSelf(dir)
	tmp, err := os.MkdirTemp(filepath.Dir(abs), ".slimship-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := layout.Write(tmp, empty.Index); err != nil {
		return err
	}
	if err := appendLayout(tmp, tag, img, idx); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if emptyDir {
		// rename does not replace an empty directory
		_ = os.Remove(abs)
	}
	return os.Rename(tmp, abs)
}

// appendLayout writes the blobs of img or idx into the layout dir, then
// its index.json with the new entry.
func appendLayout(dir, tag string, img v1.Image, idx v1.ImageIndex) error {
	p, err := layout.FromPath(dir)
	if err != nil {
		return fmt.Errorf("%s: not an OCI layout: %w", dir, err)
	}
	var desc *v1.Descriptor
	if idx != nil {
		if err := p.WriteIndex(idx); err != nil {
			return err
		}
		desc, err = partial.Descriptor(idx)
	} else {
		if err := p.WriteImage(img); err != nil {
			return err
		}
		desc, err = partial.Descriptor(img)
	}
	if err != nil {
		return err
	}
	annotations := map[string]string{}
	for k, v := range desc.Annotations {
		annotations[k] = v
	}
	if tag != "" {
		annotations[annotationRefName] = tag
	}
	if len(annotations) > 0 {
		desc.Annotations = annotations
	}
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return err
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s/index.json: %w", dir, err)
	}
	keep := im.Manifests[:0]
	for _, d := range im.Manifests {
		n := d.Annotations[annotationRefName]
		if tag != "" && n == tag || tag == "" && n == "" && d.Digest == desc.Digest {
			continue
		}
		keep = append(keep, d)
	}
	im.Manifests = append(keep, *desc)
	out, err := json.Marshal(im)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, "index.json"), out, 0o644)
}

// tarDir writes dir's regular files and directories as a tar stream that
// depends only on their names and contents: entries in lexical order, every
// time epoch (Unix 0 when zero), owner 0:0 without names, modes 0755 and
// 0644, so writing the same layout twice gives the same bytes.
func tarDir(dir string, w io.Writer, epoch time.Time) error {
	if epoch.IsZero() {
		epoch = time.Unix(0, 0)
	}
	epoch = epoch.UTC().Truncate(time.Second)
	tw := tar.NewWriter(w)
	// WalkDir visits entries in lexical order.
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), ModTime: epoch}
		switch {
		case info.IsDir():
			hdr.Typeflag, hdr.Mode, hdr.Name = tar.TypeDir, 0o755, hdr.Name+"/"
		case info.Mode().IsRegular():
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeReg, 0o644, info.Size()
		default:
			return nil
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// loadIntoDaemon saves img as a docker-archive and loads it with the
// podman or docker CLI.
func loadIntoDaemon(ctx context.Context, ref Ref, img v1.Image) error {
	bin := "podman"
	if ref.Kind == DockerDaemon {
		bin = "docker"
	}
	if _, err := exec.LookPath(bin); err != nil {
		return fmt.Errorf("%s: %s is not on PATH", ref, bin)
	}
	nm := ref.Name
	if !strings.Contains(nm, "/") {
		nm = "localhost/" + nm
	}
	tag, err := archiveTag(nm)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "slimship-load-*.tar")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	// Docker-archive layers must be in a media type daemons accept.
	if mt, err := img.MediaType(); err == nil && mt == types.OCIManifestSchema1 {
		img = mutate.MediaType(img, types.OCIManifestSchema1)
	}
	if err := tarball.Write(tag, img, f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, bin, "load", "-i", f.Name()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s load: %v: %s", bin, err, strings.TrimSpace(string(out)))
	}
	return nil
}
