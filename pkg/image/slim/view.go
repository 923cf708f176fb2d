package slim

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/slimship/slimship/pkg/image/walk"
)

// maxELF bounds how much of one file is read to parse its ELF headers.
const maxELF = 512 << 20

// node is the final provider of a path.
type node struct {
	layer int
	hdr   tar.Header
	elf   *elfInfo
	// shebang is the first line of a script ("#!/usr/bin/env python3").
	shebang string
	// For a hardlink: the target's path and node when the link was read,
	// and the regular file that holds the content (nil when the target
	// never existed). A hardlink carries its content's elf and shebang.
	linkPath string
	linkNode *node
	src      *node
	// text is the content of small configuration files the dynamic loader
	// reads (/etc/ld.so.conf, /etc/ld.so.conf.d/*, /etc/ld-musl-ARCH.path).
	text []byte
}

// intact reports whether a hardlink's target path still holds the content
// the link was made to (no later layer replaced or deleted it).
func (v *view) intact(n *node) bool {
	return n.linkNode != nil && v.files[n.linkPath] == n.linkNode
}

// maxConf bounds the loader configuration files kept in memory.
const maxConf = 64 << 10

func isLdConf(p string) bool {
	return p == "/etc/ld.so.conf" || strings.HasPrefix(p, "/etc/ld.so.conf.d/") ||
		strings.HasPrefix(p, "/etc/ld-musl-") && strings.HasSuffix(p, ".path")
}

type elfInfo struct {
	machine elf.Machine
	interp  string
	needed  []string
	// rpath is DT_RPATH, runpath DT_RUNPATH (ld.so ignores the first when
	// the second is set).
	rpath, runpath []string
}

// view is the image's final filesystem (whiteouts applied), built in one
// pass, with what each layer loses to later layers.
type view struct {
	files map[string]*node
	// touched[i] is true when a later layer overwrites or deletes content
	// of layer i.
	touched []bool
	// layerFileBytes are the file bytes each layer adds (dive's size).
	layerFileBytes []int64
	// hidden are bytes of copies that later layers overwrite or delete.
	hidden int64
}

func newView() *view { return &view{files: map[string]*node{}} }

func (v *view) grow(layer int) {
	for len(v.touched) <= layer {
		v.touched = append(v.touched, false)
		v.layerFileBytes = append(v.layerFileBytes, 0)
	}
}

func (v *view) remove(p string, below int) {
	if n, ok := v.files[p]; ok && n.layer < below {
		v.touched[n.layer] = true
		v.hidden += size(&n.hdr)
		delete(v.files, p)
	}
	prefix := strings.TrimSuffix(p, "/") + "/"
	for q, n := range v.files {
		if strings.HasPrefix(q, prefix) && n.layer < below {
			v.touched[n.layer] = true
			v.hidden += size(&n.hdr)
			delete(v.files, q)
		}
	}
}

func size(h *tar.Header) int64 {
	if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA {
		return h.Size
	}
	return 0
}

// add records an entry; r reads its content.
func (v *view) add(e *walk.Entry, r io.Reader) error {
	v.grow(e.Layer)
	switch {
	case e.Whiteout:
		v.remove(e.Path, e.Layer)
		return nil
	case e.Opaque:
		// Lower layers' children of the directory are hidden; the
		// directory itself stays.
		prefix := strings.TrimSuffix(e.Path, "/") + "/"
		for q, n := range v.files {
			if strings.HasPrefix(q, prefix) && n.layer < e.Layer {
				v.touched[n.layer] = true
				v.hidden += size(&n.hdr)
				delete(v.files, q)
			}
		}
		return nil
	}
	if old, ok := v.files[e.Path]; ok {
		if old.layer < e.Layer {
			v.touched[old.layer] = true
		}
		v.hidden += size(&old.hdr)
		// A file replacing a directory hides the directory's children.
		if old.hdr.Typeflag == tar.TypeDir && e.Header.Typeflag != tar.TypeDir {
			v.remove(e.Path+"/", e.Layer+1)
		}
	}
	n := &node{layer: e.Layer, hdr: *e.Header}
	n.hdr.Name = e.Path
	v.layerFileBytes[e.Layer] += size(e.Header)
	if e.Header.Typeflag == tar.TypeLink {
		n.linkPath, _ = walk.CleanPath(e.Header.Linkname)
		if t := v.files[n.linkPath]; t != nil && t != n {
			n.linkNode = t
			n.src = t
			if t.hdr.Typeflag == tar.TypeLink {
				n.src = t.src
			}
			if n.src != nil {
				n.elf, n.shebang = n.src.elf, n.src.shebang
			}
		}
	}
	switch {
	case isLdConf(e.Path) && e.Size() <= maxConf:
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		n.text = b
	case e.Size() > 4:
		var head [128]byte
		k, _ := io.ReadFull(r, head[:])
		switch {
		case bytes.HasPrefix(head[:k], []byte("\x7fELF")) && e.Size() <= maxELF:
			rest, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			n.elf = parseELF(append(head[:k:k], rest...))
		case bytes.HasPrefix(head[:k], []byte("#!")):
			line := string(head[2:k])
			if i := strings.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			n.shebang = strings.TrimSpace(line)
		}
	}
	v.files[e.Path] = n
	// Layers may omit parent directories: record them so path resolution
	// can walk through them.
	for d := path.Dir(e.Path); d != "/" && d != "."; d = path.Dir(d) {
		if _, ok := v.files[d]; ok {
			break
		}
		v.files[d] = &node{layer: e.Layer, hdr: tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755}}
	}
	return nil
}

func parseELF(b []byte) *elfInfo {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	defer f.Close()
	info := &elfInfo{machine: f.Machine}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			data := make([]byte, p.Filesz)
			if _, err := p.ReadAt(data, 0); err == nil {
				info.interp = strings.TrimRight(string(data), "\x00")
			}
		}
	}
	info.needed, _ = f.ImportedLibraries()
	for _, d := range []struct {
		tag elf.DynTag
		out *[]string
	}{{elf.DT_RPATH, &info.rpath}, {elf.DT_RUNPATH, &info.runpath}} {
		if vals, err := f.DynString(d.tag); err == nil {
			for _, v := range vals {
				*d.out = append(*d.out, strings.Split(v, ":")...)
			}
		}
	}
	return info
}

// maxLinks bounds symlink resolution, as the kernel does.
const maxLinks = 40

// resolve follows p through the view's symlinks, never leaving the image's
// root. visit receives every path the resolution passes through (the
// symlinks and the final target). It returns the final path and node.
func (v *view) resolve(p string, visit func(string)) (string, *node) {
	p = path.Clean("/" + p)
	for hops := 0; hops < maxLinks; hops++ {
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		cur := "/"
		restarted := false
		for i, part := range parts {
			if part == "" {
				continue
			}
			next := path.Join(cur, part)
			n, ok := v.files[next]
			if !ok {
				return next, nil
			}
			if n.hdr.Typeflag == tar.TypeSymlink {
				visit(next)
				target := n.hdr.Linkname
				if !path.IsAbs(target) {
					target = path.Join(cur, target)
				}
				// path.Clean on an absolute path never climbs above "/".
				p = path.Clean("/" + path.Join(append([]string{target}, parts[i+1:]...)...))
				restarted = true
				break
			}
			cur = next
		}
		if !restarted {
			n := v.files[p]
			if n != nil {
				visit(p)
			}
			return p, n
		}
	}
	return p, nil
}

// sortedPaths returns the view's paths in order.
func (v *view) sortedPaths() []string {
	out := make([]string, 0, len(v.files))
	for p := range v.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
