// Package slim writes a smaller image that still works, as
// go-containerregistry transforms over v1.Image.
//
// Safe mode drops bytes that later layers delete or overwrite, removes
// package manager caches and lists, __pycache__, docs, man pages and
// locales (each switchable), squashes the changed layers into one while the
// base image's untouched layers stay shared, and resets timestamps. Minify
// mode keeps only what the entrypoint needs, found statically: the
// entrypoint and CMD programs, their ELF DT_NEEDED closure and dynamic
// loader, interpreter trees for scripts, --include globs, and the files
// every program expects (passwd, group, certificates, tzdata, /tmp).
package slim

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slimship/slimship/pkg/image/walk"
)

// Cause names why bytes were removed.
type Cause string

// Causes of removal; each safe-mode cause can be kept with Options.Keep.
const (
	Hidden    Cause = "overwritten or deleted by a later layer"
	AptLists  Cause = "apt lists"
	PkgCache  Cause = "package manager caches"
	PyCache   Cause = "__pycache__"
	Docs      Cause = "docs"
	Man       Cause = "man pages"
	Locales   Cause = "locales"
	NotNeeded Cause = "not needed by the entrypoint (minify)"
)

// Switchable causes by their short names, for --keep.
var Switchable = map[string]Cause{
	"apt-lists": AptLists, "caches": PkgCache, "pycache": PyCache, "docs": Docs, "man": Man, "locales": Locales,
}

// Options tune Slim.
type Options struct {
	// Keep lists causes not to remove (see Switchable).
	Keep []Cause
	// Minify keeps only what the entrypoint needs.
	Minify bool
	// Include adds paths (globs with * and **) to what minify keeps.
	Include []string
	// StripSetuid clears setuid and setgid bits.
	StripSetuid bool
	// User sets the config's user ("65532" or "65532:65532").
	User string
	// Epoch is the timestamp written on rewritten files.
	Epoch time.Time
	// KeepTimestamps leaves file times as they were.
	KeepTimestamps bool
	// TempDir holds the new layer until the image is written ("" = os.TempDir()).
	TempDir string
	// MaxUncompressed bounds decompression (walk's default when 0).
	MaxUncompressed int64
}

// Result is a slimmed image and what it saved.
type Result struct {
	Image v1.Image
	// Before and After are file bytes (the sum of file sizes in every
	// layer, as dive counts image size).
	Before, After int64
	// Saved bytes per cause.
	Saved map[Cause]int64
	// KeptLayers is how many base layers stayed shared.
	KeptLayers int
	tmp        string
}

// Close removes the temporary layer file; call it after writing Image.
func (r *Result) Close() error {
	if r.tmp == "" {
		return nil
	}
	return os.Remove(r.tmp)
}

func (o Options) keeps(c Cause) bool {
	for _, k := range o.Keep {
		if k == c {
			return true
		}
	}
	return false
}

// classify returns why a path would be removed in safe mode ("" to keep).
func (o Options) classify(p string, h *tar.Header) Cause {
	if h.Typeflag == tar.TypeDir {
		return ""
	}
	var c Cause
	switch {
	case strings.HasPrefix(p, "/var/lib/apt/lists/") && !strings.HasSuffix(p, "/lock"):
		c = AptLists
	case strings.HasPrefix(p, "/var/cache/apt/") || strings.HasPrefix(p, "/var/cache/apk/") ||
		strings.HasPrefix(p, "/var/cache/yum/") || strings.HasPrefix(p, "/var/cache/dnf/") ||
		strings.Contains(p, "/.cache/pip/") || strings.Contains(p, "/.npm/_cacache/") || strings.Contains(p, "/.npm/_logs/") ||
		strings.Contains(p, "/.cache/yarn/") || strings.HasPrefix(p, "/usr/local/share/.cache/yarn/") ||
		strings.Contains(p, "/.cache/go-build/"):
		c = PkgCache
	case strings.Contains(p, "/__pycache__/"):
		c = PyCache
	case strings.HasPrefix(p, "/usr/share/doc/") || strings.HasPrefix(p, "/usr/share/info/") || strings.HasPrefix(p, "/usr/share/gtk-doc/"):
		// Licences stay: copyright files are what distributions must ship.
		if path.Base(p) == "copyright" || strings.Contains(strings.ToLower(path.Base(p)), "license") {
			return ""
		}
		c = Docs
	case strings.HasPrefix(p, "/usr/share/man/"):
		c = Man
	case strings.HasPrefix(p, "/usr/share/locale/"):
		rest := strings.TrimPrefix(p, "/usr/share/locale/")
		if rest == "locale.alias" || strings.HasPrefix(rest, "en") || strings.HasPrefix(rest, "C.") {
			return ""
		}
		c = Locales
	}
	if c == "" || o.keeps(c) {
		return ""
	}
	return c
}

// Slim builds the smaller image.
func Slim(ctx context.Context, img v1.Image, o Options) (*Result, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	v := newView()
	wopts := walk.Options{MaxUncompressed: o.MaxUncompressed}
	if err := walk.Walk(ctx, img, wopts, v.add); err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	v.grow(len(layers) - 1)
	res := &Result{Saved: map[Cause]int64{}}
	for _, b := range v.layerFileBytes {
		res.Before += b
	}
	res.Saved[Hidden] = v.hidden

	// Decide what each final path becomes.
	drop := map[string]Cause{}
	var keep map[string]bool
	if o.Minify {
		keep = closure(v, cf, o.Include)
		for p, n := range v.files {
			if !keep[p] {
				drop[p] = NotNeeded
				res.Saved[NotNeeded] += size(&n.hdr)
			}
		}
	} else {
		for p, n := range v.files {
			if c := o.classify(p, &n.hdr); c != "" {
				drop[p] = c
				res.Saved[c] += size(&n.hdr)
			}
		}
	}

	// The base layers that lose nothing stay shared, byte for byte.
	kept := 0
	if !o.Minify && !o.StripSetuid {
		dirty := make([]bool, len(layers))
		copy(dirty, v.touched)
		for p := range drop {
			dirty[v.files[p].layer] = true
		}
		for kept < len(layers) && !dirty[kept] {
			kept++
		}
		if kept == len(layers) {
			kept = len(layers) - 1 // rewrite at least the top layer
		}
		if kept < 0 {
			kept = 0
		}
	}
	res.KeptLayers = kept

	// Write the squashed layer for layers kept.. in one more pass.
	tmp, err := os.CreateTemp(o.TempDir, "slimship-layer-*.tar")
	if err != nil {
		return nil, err
	}
	res.tmp = tmp.Name()
	tw := tar.NewWriter(tmp)
	written := map[string]bool{}
	writeDirs := func(p string) error {
		// Parents first, with their own headers when the image has them.
		var parents []string
		for d := path.Dir(p); d != "/" && d != "." && !written[d]; d = path.Dir(d) {
			parents = append(parents, d)
		}
		for i := len(parents) - 1; i >= 0; i-- {
			d := parents[i]
			if n := v.files[d]; n != nil && n.layer < kept {
				written[d] = true
				continue
			}
			h := &tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d, "/") + "/", Mode: 0o755, ModTime: o.Epoch}
			if n := v.files[d]; n != nil && n.hdr.Typeflag == tar.TypeDir {
				h = o.header(&n.hdr, d)
			}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			written[d] = true
		}
		return nil
	}
	err = walk.Walk(ctx, img, wopts, func(e *walk.Entry, r io.Reader) error {
		if e.Layer < kept || e.Whiteout || e.Opaque {
			return nil
		}
		n := v.files[e.Path]
		if n == nil || n.layer != e.Layer || written[e.Path] || drop[e.Path] != "" {
			return nil
		}
		if e.Header.Typeflag == tar.TypeLink {
			target, _ := walk.CleanPath(e.Header.Linkname)
			if !written[target] {
				return nil // its target is gone or not yet written: skip
			}
		}
		if err := writeDirs(e.Path); err != nil {
			return err
		}
		h := o.header(e.Header, e.Path)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		written[e.Path] = true
		if size(e.Header) > 0 {
			if _, err := io.Copy(tw, r); err != nil {
				return err
			}
			res.After += e.Header.Size
		}
		return nil
	})
	if err == nil {
		err = tw.Close()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		res.Close()
		return nil, err
	}
	for i := 0; i < kept; i++ {
		res.After += v.layerFileBytes[i]
	}

	out, err := assemble(img, cf, layers[:kept], res.tmp, kept, o)
	if err != nil {
		res.Close()
		return nil, err
	}
	res.Image = out
	return res, nil
}

// header copies h for the output layer with times reset and setuid
// stripped as asked; link targets stay as they were.
func (o Options) header(h *tar.Header, p string) *tar.Header {
	c := *h
	c.Name = strings.TrimPrefix(p, "/")
	if c.Typeflag == tar.TypeDir {
		c.Name += "/"
	}
	if c.Typeflag == tar.TypeLink {
		c.Linkname = strings.TrimPrefix(path.Clean("/"+c.Linkname), "/")
	}
	if !o.KeepTimestamps {
		c.ModTime, c.AccessTime, c.ChangeTime = o.Epoch, time.Time{}, time.Time{}
		c.PAXRecords = nil
		c.Format = tar.FormatPAX
	}
	if o.StripSetuid {
		c.Mode &^= 0o6000
	}
	return &c
}

func assemble(src v1.Image, cf *v1.ConfigFile, base []v1.Layer, layerPath string, kept int, o Options) (v1.Image, error) {
	mt, err := src.MediaType()
	if err != nil {
		return nil, err
	}
	layerMT := types.DockerLayer
	img := mutate.MediaType(empty.Image, types.DockerManifestSchema2)
	if mt == types.OCIManifestSchema1 {
		layerMT = types.OCILayer
		img = mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	}
	// History entries of the kept layers stay; the rest become one.
	var layerHist []v1.History
	for _, h := range cf.History {
		if !h.EmptyLayer {
			layerHist = append(layerHist, h)
		}
	}
	var adds []mutate.Addendum
	for i, l := range base {
		var h v1.History
		if i < len(layerHist) {
			h = layerHist[i]
		}
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: mustMT(l, layerMT), History: h})
	}
	nl, err := tarball.LayerFromFile(layerPath, tarball.WithMediaType(layerMT))
	if err != nil {
		return nil, err
	}
	mode := "safe"
	if o.Minify {
		mode = "minify"
	}
	adds = append(adds, mutate.Addendum{Layer: nl, MediaType: layerMT, History: v1.History{
		Created: v1.Time{Time: o.Epoch}, CreatedBy: fmt.Sprintf("slimship slim (%s): squashed layers %d and above", mode, kept),
	}})
	img, err = mutate.Append(img, adds...)
	if err != nil {
		return nil, err
	}
	ncf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	out := cf.DeepCopy()
	out.RootFS = ncf.RootFS
	out.History = ncf.History
	if o.User != "" {
		out.Config.User = o.User
	}
	return mutate.ConfigFile(img, out)
}

func mustMT(l v1.Layer, def types.MediaType) types.MediaType {
	if mt, err := l.MediaType(); err == nil {
		return mt
	}
	return def
}

// ParseUser checks a --user value.
func ParseUser(s string) error {
	u, g, _ := strings.Cut(s, ":")
	for _, part := range []string{u, g} {
		if part == "" {
			continue
		}
		if _, err := strconv.Atoi(part); err != nil {
			return fmt.Errorf("--user %q: use a numeric uid[:gid] so runAsNonRoot can check it", s)
		}
	}
	if u == "0" {
		return fmt.Errorf("--user %q is root", s)
	}
	return nil
}

// Causes returns the causes with saved bytes, largest first.
func (r *Result) Causes() []Cause {
	var cs []Cause
	for c, n := range r.Saved {
		if n > 0 {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return r.Saved[cs[i]] > r.Saved[cs[j]] })
	return cs
}
