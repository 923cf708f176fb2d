package sbom

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/image/walk"
)

// FromImageOptions lists the packages of img's final filesystem in one
// streaming pass over its layers.
func FromImageOptions(ctx context.Context, img v1.Image, opts Options) (*Inventory, error) {
	c := newCollector(opts)
	var digests []string
	wopts := walk.Options{OnLayer: func(l *walk.Layer) error {
		digests = append(digests, l.Digest.String())
		return nil
	}}
	err := walk.Walk(ctx, img, wopts, func(e *walk.Entry, r io.Reader) error {
		switch {
		case e.Escaped:
			return nil
		case e.Whiteout:
			c.whiteout(e.Path)
			return nil
		case e.Opaque:
			c.opaque(e.Path, e.Layer)
			return nil
		}
		h := e.Header
		regular := h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA
		if h.Typeflag == tar.TypeDir {
			// A directory over a file replaces it; over a directory it
			// merges.
			c.replace(e.Path)
			return nil
		}
		symlink := h.Typeflag == tar.TypeSymlink
		if err := c.file(ctx, e.Layer, e.Path, fs.FileMode(h.Mode)&fs.ModePerm, regular, symlink, h.Size, r); err != nil {
			return err
		}
		if symlink {
			c.link(e.Path, h.Linkname)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.result(digests, walk.LayerHistory(img, len(digests))), nil
}

// fromDir walks the tree under dir; symbolic links are not followed.
func fromDir(ctx context.Context, dir string, opts Options) (*Inventory, error) {
	c := newCollector(opts)
	c.lockfiles = true
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		abs := "/" + filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		regular := info.Mode().IsRegular()
		symlink := info.Mode()&fs.ModeSymlink != 0
		k := c.classify(abs, info.Mode().Perm())
		if !regular || k == kindNone {
			if err := c.file(ctx, -1, abs, info.Mode().Perm(), regular, symlink, info.Size(), nil); err != nil || !symlink {
				return err
			}
			if target, err := os.Readlink(p); err == nil {
				c.link(abs, target)
			}
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return c.file(ctx, -1, abs, info.Mode().Perm(), regular, symlink, info.Size(), f)
	})
	if err != nil {
		return nil, fmt.Errorf("walking %s: %w", dir, err)
	}
	return c.result(nil, nil), nil
}
