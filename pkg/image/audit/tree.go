package audit

import (
	"archive/tar"
	"path"
	"sort"
	"strings"
)

// node is one path of the merged filesystem while layers are applied in
// order. Only headers are kept, never content.
type node struct {
	children map[string]*node
	// layer that wrote this version; -1 for a directory only implied by
	// its children.
	layer int
	typ   byte
	mode  int64
	uid   int
	size  int64
	link  string
	// shebang is the #! line of a possible entrypoint script.
	shebang string
	// cands are the content findings of this version of the file.
	cands []candidate
}

func (n *node) isDir() bool { return n.typ == tar.TypeDir }

// candidate is a finding tied to one version of one file: it reports only
// if that version survives to the final image, except secrets, which are
// reported anyway (as SSA008) since every layer is shipped.
type candidate struct {
	rule string
	msg  string
	// what names a secret without remediation, for SSA008's message.
	what   string
	line   int
	layer  int
	path   string
	secret bool
}

type tree struct {
	root *node
	// gone receives the candidates of versions that a later layer deleted
	// or replaced, with the layer that did it.
	gone func(c candidate, by int, deleted bool)
}

func newTree(gone func(candidate, int, bool)) *tree {
	return &tree{root: &node{typ: tar.TypeDir, layer: -1, children: map[string]*node{}}, gone: gone}
}

func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// get returns the node at the physical path p (no symlinks followed).
func (t *tree) get(p string) *node {
	n := t.root
	for _, part := range split(p) {
		if n.children == nil {
			return nil
		}
		if n = n.children[part]; n == nil {
			return nil
		}
	}
	return n
}

// parent returns p's parent directory, creating implied directories.
func (t *tree) parent(p string, layer int) (*node, string) {
	parts := split(p)
	if len(parts) == 0 {
		return nil, ""
	}
	n := t.root
	for _, part := range parts[:len(parts)-1] {
		c := n.children[part]
		if c == nil || !c.isDir() {
			if c != nil {
				t.drop(c, layer, true)
			}
			c = &node{typ: tar.TypeDir, layer: -1, mode: 0o755}
			if n.children == nil {
				n.children = map[string]*node{}
			}
			n.children[part] = c
		}
		n = c
	}
	return n, parts[len(parts)-1]
}

// put records the version of p that layer writes and returns its node,
// and the file version it replaces (nil when none, or a directory: the
// candidates under a replaced directory go to gone as deleted).
func (t *tree) put(p string, layer int, h *tar.Header) (n, replaced *node) {
	if p == "/" {
		t.root.layer, t.root.mode, t.root.uid = layer, h.Mode, h.Uid
		return t.root, nil
	}
	dir, base := t.parent(p, layer)
	old := dir.children[base]
	n = &node{layer: layer, typ: h.Typeflag, mode: h.Mode, uid: h.Uid, size: h.Size, link: h.Linkname}
	if n.typ == tar.TypeRegA {
		n.typ = tar.TypeReg
	}
	if old != nil {
		switch {
		case old.isDir() && n.isDir():
			n.children = old.children
		case old.isDir():
			t.drop(old, layer, true)
		default:
			replaced = old
		}
	}
	if dir.children == nil {
		dir.children = map[string]*node{}
	}
	dir.children[base] = n
	return n, replaced
}

// remove deletes p (a whiteout of layer).
func (t *tree) remove(p string, layer int) {
	parts := split(p)
	if len(parts) == 0 {
		t.opaque("/", layer)
		return
	}
	dir := t.get(path.Dir(p))
	if dir == nil || dir.children == nil {
		return
	}
	base := parts[len(parts)-1]
	if old := dir.children[base]; old != nil && old.layer < layer {
		t.drop(old, layer, true)
		delete(dir.children, base)
	}
}

// opaque hides what lower layers put under directory p.
func (t *tree) opaque(p string, layer int) {
	dir := t.get(p)
	if dir == nil {
		return
	}
	t.pruneLower(dir, layer)
}

func (t *tree) pruneLower(dir *node, layer int) {
	for name, c := range dir.children {
		if c.layer >= layer {
			continue
		}
		if c.isDir() {
			t.pruneLower(c, layer)
			if len(c.children) > 0 {
				continue // holds this layer's entries written before the marker
			}
		} else {
			t.drop(c, layer, true)
		}
		delete(dir.children, name)
	}
}

// drop hands every candidate in n's subtree to gone.
func (t *tree) drop(n *node, by int, deleted bool) {
	for _, c := range n.cands {
		t.gone(c, by, deleted)
	}
	for _, c := range n.children {
		t.drop(c, by, true)
	}
}

// each visits the final tree depth first in path order; fn returns false to
// skip a directory's children.
func (t *tree) each(fn func(p string, n *node) bool) {
	var visit func(p string, n *node)
	visit = func(p string, n *node) {
		names := make([]string, 0, len(n.children))
		for name := range n.children {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			c := n.children[name]
			cp := path.Join(p, name)
			if fn(cp, c) && c.isDir() {
				visit(cp, c)
			}
		}
	}
	visit("/", t.root)
}

// resolve follows symlinks (of every component) to the node p names in
// the final image, as the kernel would inside the container.
func (t *tree) resolve(p string) (*node, string) {
	return t.resolveDepth(p, 0)
}

func (t *tree) resolveDepth(p string, depth int) (*node, string) {
	if depth > 40 {
		return nil, p
	}
	parts := split(path.Clean("/" + p))
	n, cur := t.root, "/"
	for i, part := range parts {
		if n.children == nil {
			return nil, p
		}
		c := n.children[part]
		if c == nil {
			return nil, p
		}
		next := path.Join(cur, part)
		if c.typ == tar.TypeSymlink {
			target := c.link
			if !path.IsAbs(target) {
				target = path.Join(cur, target)
			}
			rest := strings.Join(parts[i+1:], "/")
			return t.resolveDepth(path.Join(target, rest), depth+1)
		}
		n, cur = c, next
	}
	return n, cur
}
