package analyze

import "strings"

// node is one path of the image, shared by every layer: the merged
// (squashed) state as of the layer being applied, dive's efficiency
// record for the path, and the bytes of its copies that later layers hid.
// It is kept compact because an image can hold millions of paths.
type node struct {
	parent *node
	kids   map[string]*node
	name   string
	// size of the present copy (regular files; 0 for others).
	size int64
	// diveCum and diveMin are dive's CumulativeSize and minDiscoveredSize.
	diveCum, diveMin int64
	// reclaim is the bytes of this path's copies hidden by later layers.
	reclaim   int64
	layer     int32
	diveCount int32
	flags     uint8
	cat       uint8
}

const (
	fPresent uint8 = 1 << iota
	fDir
	// fDiveDir mirrors dive's stacked FileInfo.IsDir: the last layer that
	// touched the path had an explicit directory header for it.
	fDiveDir
)

func (n *node) present() bool { return n.flags&fPresent != 0 }
func (n *node) isDir() bool   { return n.flags&fDir != 0 }

func (n *node) path() string {
	if n.parent == nil {
		return "/"
	}
	var parts []string
	for c := n; c.parent != nil; c = c.parent {
		parts = append(parts, c.name)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

type tree struct {
	root  *node
	nodes int
}

func newTree() *tree {
	return &tree{root: &node{flags: fPresent | fDir, diveMin: -1}}
}

// lookup finds p ("/a/b") or returns nil.
func (t *tree) lookup(p string) *node {
	n := t.root
	for _, part := range splitPath(p) {
		if n.kids == nil {
			return nil
		}
		c, ok := n.kids[part]
		if !ok {
			return nil
		}
		n = c
	}
	return n
}

// get finds or creates p; created ancestors are not marked present.
func (t *tree) get(p string) *node {
	n := t.root
	for _, part := range splitPath(p) {
		if n.kids == nil {
			n.kids = make(map[string]*node, 4)
		}
		c, ok := n.kids[part]
		if !ok {
			c = &node{parent: n, name: part, diveMin: -1, layer: -1}
			n.kids[part] = c
			t.nodes++
		}
		n = c
	}
	return n
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// sumPresent adds the sizes of n and its present descendants.
func sumPresent(n *node) int64 {
	if !n.present() {
		return 0
	}
	s := n.size
	for _, c := range n.kids {
		s += sumPresent(c)
	}
	return s
}

// visit calls fn on every node below root, parents first.
func visit(n *node, fn func(*node)) {
	for _, c := range n.kids {
		fn(c)
		visit(c, fn)
	}
}
