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
	"github.com/slimship/slimship/pkg/image/waste"
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

// groupCause names each group of waste that safe slim removes.
var groupCause = map[waste.Group]Cause{
	waste.AptLists: AptLists, waste.Caches: PkgCache, waste.PyCache: PyCache, waste.Docs: Docs, waste.Man: Man, waste.Locales: Locales,
}

// Switchable causes by their short names, for --keep.
var Switchable = func() map[string]Cause {
	m := map[string]Cause{}
	for g, c := range groupCause {
		m[string(g)] = c
	}
	return m
}()

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
	m, ok := waste.Classify(p)
	if !ok || m.Slim == "" {
		return ""
	}
	c := groupCause[m.Slim]
	if o.keeps(c) {
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
	links := planLinks(v, drop, kept)
	// alias[k] is where the content of entry k went in the new layer.
	alias := map[entryKey]string{}
	writeContent := func(h *tar.Header, r io.Reader) error {
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if size(h) > 0 {
			if _, err := io.Copy(tw, r); err != nil {
				return err
			}
			res.After += h.Size
		}
		return nil
	}
	err = walk.Walk(ctx, img, wopts, func(e *walk.Entry, r io.Reader) error {
		if e.Whiteout || e.Opaque {
			return nil
		}
		k := entryKey{e.Layer, e.Path}
		n := v.files[e.Path]
		self := e.Layer >= kept && n != nil && n.layer == e.Layer && !written[e.Path] && drop[e.Path] == ""
		if names := links.content[k]; len(names) > 0 && e.Header.Typeflag != tar.TypeLink && e.Header.Typeflag != tar.TypeDir {
			if self {
				alias[k] = e.Path
			} else {
				// Hardlinks keep content whose first name is gone: the
				// first of them gets it, the others link to it.
				name := names[0]
				if err := writeDirs(name); err != nil {
					return err
				}
				if err := writeContent(o.header(e.Header, name), r); err != nil {
					return err
				}
				written[name] = true
				alias[k] = name
				return nil
			}
		}
		if !self {
			return nil
		}
		h := o.header(e.Header, e.Path)
		if e.Header.Typeflag == tar.TypeLink {
			if !links.direct[e.Path] {
				if n.src == nil {
					return nil // its target never existed: Check reports it if needed
				}
				a, ok := alias[entryKey{n.src.layer, n.src.hdr.Name}]
				if !ok {
					return nil
				}
				h.Linkname = strings.TrimPrefix(a, "/")
			}
		}
		if err := writeDirs(e.Path); err != nil {
			return err
		}
		if err := writeContent(h, r); err != nil {
			return err
		}
		written[e.Path] = true
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

// entryKey names one tar entry of the input: its layer and path.
type entryKey struct {
	layer int
	path  string
}

// linkPlan says how each hardlink of the output is written.
type linkPlan struct {
	// direct hardlinks point to a target the output holds (written
	// before them, or in a shared base layer).
	direct map[string]bool
	// content maps the entry holding the content of other kept hardlinks
	// to their paths, sorted: that content is written under the first.
	content map[entryKey][]string
}

// planLinks decides, for every hardlink the new layer writes, whether its
// target stays (the link is written as is) or not (the link's content is
// written under the first such path, and the other links point there).
func planLinks(v *view, drop map[string]Cause, kept int) linkPlan {
	lp := linkPlan{direct: map[string]bool{}, content: map[entryKey][]string{}}
	var direct func(n *node, depth int) bool
	direct = func(n *node, depth int) bool {
		if depth > maxLinks || !v.intact(n) || drop[n.linkPath] != "" {
			return false
		}
		t := n.linkNode
		return t.layer < kept || t.hdr.Typeflag != tar.TypeLink || direct(t, depth+1)
	}
	for _, p := range v.sortedPaths() {
		n := v.files[p]
		if n.hdr.Typeflag != tar.TypeLink || n.layer < kept || drop[p] != "" {
			continue
		}
		if direct(n, 0) {
			lp.direct[p] = true
		} else if n.src != nil {
			k := entryKey{n.src.layer, n.src.hdr.Name}
			lp.content[k] = append(lp.content[k], p)
		}
	}
	return lp
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

// ParseUser checks a --user value: a numeric UID, optionally with a GID
// (UID:GID), each between 1 and 4294967294 for the UID (0 is root) and 0
// and 4294967294 for the GID (4294967295 is (uid_t)-1, "no ID").
func ParseUser(s string) error {
	u, g, hasGID := strings.Cut(s, ":")
	check := func(what, part string) (uint64, error) {
		if part == "" {
			return 0, fmt.Errorf("--user %q: the %s is empty; want a numeric UID[:GID] such as 65532", s, what)
		}
		if strings.HasPrefix(part, "-") {
			return 0, fmt.Errorf("--user %q: the %s is negative; want a numeric UID[:GID] such as 65532", s, what)
		}
		n, err := strconv.ParseUint(part, 10, 32)
		if err != nil {
			if strings.Trim(part, "0123456789") == "" {
				return 0, fmt.Errorf("--user %q: the %s is out of range (at most 4294967294)", s, what)
			}
			return 0, fmt.Errorf("--user %q: use a numeric UID[:GID] so runAsNonRoot can check it", s)
		}
		if n == 1<<32-1 {
			return 0, fmt.Errorf("--user %q: the %s 4294967295 is (uid_t)-1, not an ID", s, what)
		}
		return n, nil
	}
	uid, err := check("UID", u)
	if err != nil {
		return err
	}
	if hasGID {
		if _, err := check("GID", g); err != nil {
			return err
		}
	}
	if uid == 0 {
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
