// Package analyze measures an image's layers in one streaming pass: what
// each layer adds, what later layers overwrite or delete, dive's efficiency
// figures computed the way dive computes them, honest reclaimable bytes
// (what squashing would drop), the largest files and directories, and known
// waste (package caches, docs, VCS dirs, toolchains) as findings that point
// at the Dockerfile line that made them when a Dockerfile is given.
//
// Memory is one compact record per path of the image plus the entries of
// the layer being read; file contents are never kept.
package analyze

import (
	"archive/tar"
	"container/heap"
	"context"
	"io"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slimship/slimship/pkg/dockerfile"
	"github.com/slimship/slimship/pkg/finding"
	layerhistory "github.com/slimship/slimship/pkg/image/history"
	"github.com/slimship/slimship/pkg/image/walk"
)

// Options tune an analysis.
type Options struct {
	// MaxUncompressed bounds the bytes decompressed (walk's default when 0).
	MaxUncompressed int64
	// Dockerfile, when set, maps layers to the instructions that made them.
	Dockerfile *dockerfile.File
	// Top is how many largest files, directories and paths to keep (20).
	Top int
	// ReadProgress receives the uncompressed bytes read so far.
	ReadProgress func(read int64)
	// LayerProgress receives the layers done and the layer count, first
	// with 0 done before any layer is read.
	LayerProgress func(done, total int)
}

// Result is an image's analysis. Sizes are bytes.
type Result struct {
	Image  string `json:"image"`
	Digest string `json:"digest"`
	// SizeBytes is dive's image size: the sum of every layer's file sizes.
	SizeBytes int64 `json:"sizeBytes"`
	// Efficiency, WastedBytes and UserWastedPercent are dive's figures.
	Efficiency        float64 `json:"efficiency"`
	WastedBytes       int64   `json:"wastedBytes"`
	UserWastedPercent float64 `json:"userWastedPercent"`
	// ReclaimableBytes are the bytes that vanish when the image is
	// squashed: copies overwritten or deleted by later layers.
	ReclaimableBytes int64 `json:"reclaimableBytes"`
	// UserSizeBytes is SizeBytes without the base (first) layer.
	UserSizeBytes int64 `json:"userSizeBytes"`
	// CompressedBytes sums the compressed layer blobs: 0 when unknown, as
	// for docker-archive layers stored as plain tars.
	CompressedBytes int64 `json:"compressedBytes"`
	// TarBytes sums the uncompressed layer tar streams.
	TarBytes int64 `json:"tarBytes"`
	// SquashedBytes and FileCount describe the final filesystem.
	SquashedBytes int64 `json:"squashedBytes"`
	FileCount     int   `json:"fileCount"`

	Layers           []Layer           `json:"layers"`
	InefficientFiles []Inefficient     `json:"inefficientFiles"`
	ReclaimablePaths []PathBytes       `json:"reclaimablePaths"`
	LargestFiles     []PathBytes       `json:"largestFiles"`
	LargestDirs      []PathBytes       `json:"largestDirs"`
	Deleted          []Deletion        `json:"deleted"`
	Waste            []Waste           `json:"waste"`
	Findings         []finding.Finding `json:"findings"`
	// Tree is the final filesystem, pruned to its larger parts, for charts.
	Tree *TreeNode `json:"-"`
}

// Layer is one layer's figures.
type Layer struct {
	Index  int    `json:"index"`
	Digest string `json:"digest"`
	// SizeBytes is dive's layer size: the sum of the entries' sizes.
	SizeBytes int64  `json:"sizeBytes"`
	CreatedBy string `json:"createdBy"`
	// AddedBytes are the regular-file bytes the layer writes.
	AddedBytes int64 `json:"addedBytes"`
	// ReclaimableBytes are the layer's bytes later layers hide.
	ReclaimableBytes int64 `json:"reclaimableBytes"`
	// RemovedBytes are lower layers' bytes this layer deletes or overwrites.
	RemovedBytes    int64  `json:"removedBytes"`
	DiffID          string `json:"diffID,omitempty"`
	CompressedBytes int64  `json:"compressedBytes"`
	TarBytes        int64  `json:"tarBytes"`
	Files           int    `json:"files"`
	// Instruction is the Dockerfile position that made the layer.
	Instruction *Position `json:"instruction,omitempty"`
}

// Position is a place in a Dockerfile.
type Position = layerhistory.Position

// Inefficient is dive's inefficient file: a path seen in two or more layers.
type Inefficient struct {
	Path        string `json:"path"`
	Count       int    `json:"count"`
	WastedBytes int64  `json:"wastedBytes"`
}

// PathBytes is a path and a byte count.
type PathBytes struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	Layer int    `json:"layer"`
}

// Deletion is a whiteout or opaque directory and the bytes it hid.
type Deletion struct {
	Path   string `json:"path"`
	Layer  int    `json:"layer"`
	Opaque bool   `json:"opaque,omitempty"`
	Bytes  int64  `json:"bytes"`
}

// TreeNode is a directory or file of the final filesystem.
type TreeNode struct {
	Name     string      `json:"n"`
	Size     int64       `json:"s"`
	Layer    int         `json:"l,omitempty"`
	Children []*TreeNode `json:"c,omitempty"`
}

type entry struct {
	path   string
	size   int64
	typ    byte
	wh, op bool
}

type analyzer struct {
	opts   Options
	t      *tree
	layers []Layer
	cur    []entry
	// waste accounting: hidden bytes per category and layer.
	hidden   map[catLayer]int64
	deleted  []Deletion
	layerIdx int
}

type catLayer struct {
	cat   uint8
	layer int
}

// Analyze walks img once. name is how the image was named.
func Analyze(ctx context.Context, img v1.Image, name string, opts Options) (*Result, error) {
	if opts.Top <= 0 {
		opts.Top = 20
	}
	a := &analyzer{opts: opts, t: newTree(), hidden: map[catLayer]int64{}}
	res := &Result{Image: name}
	if walk.IsDiffIDNamed(img) {
		if h, err := img.ConfigName(); err == nil {
			res.Digest = h.String()
		}
	} else if h, err := img.Digest(); err == nil {
		res.Digest = h.String()
	}
	_, infos, err := walk.LayerInfos(img)
	if err != nil {
		return nil, err
	}
	history := walk.LayerHistory(img, len(infos))
	a.layers = make([]Layer, len(infos))
	for i, info := range infos {
		a.layers[i] = Layer{Index: i, Digest: info.Digest.String(), CompressedBytes: info.CompressedSize, CreatedBy: history[i]}
		if info.DiffID != (v1.Hash{}) {
			a.layers[i].DiffID = info.DiffID.String()
		}
	}
	if opts.LayerProgress != nil {
		opts.LayerProgress(0, len(infos))
	}
	wopts := walk.Options{
		MaxUncompressed: opts.MaxUncompressed,
		ReadProgress:    opts.ReadProgress,
		OnLayer: func(l *walk.Layer) error {
			a.layerIdx = l.Index
			a.cur = a.cur[:0]
			return nil
		},
		OnLayerDone: func(l *walk.Layer) error {
			ly := &a.layers[l.Index]
			ly.TarBytes = l.UncompressedSize
			a.applyLayer(l.Index)
			if opts.LayerProgress != nil {
				opts.LayerProgress(l.Index+1, len(infos))
			}
			return nil
		},
	}
	err = walk.Walk(ctx, img, wopts, func(e *walk.Entry, _ io.Reader) error {
		ly := &a.layers[e.Layer]
		ly.SizeBytes += e.Header.Size
		en := entry{path: e.Path, size: e.Header.Size, typ: e.Header.Typeflag, wh: e.Whiteout, op: e.Opaque}
		if e.Header.Typeflag == tar.TypeReg || e.Header.Typeflag == tar.TypeRegA {
			ly.AddedBytes += e.Header.Size
		}
		if !e.Whiteout && !e.Opaque && e.Header.Typeflag != tar.TypeDir {
			ly.Files++
		}
		a.cur = append(a.cur, en)
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.finish(res)
	if opts.Dockerfile != nil {
		cb := make([]string, len(res.Layers))
		for i, l := range res.Layers {
			cb[i] = l.CreatedBy
		}
		for i, p := range layerhistory.Match(opts.Dockerfile, cb).Positions {
			res.Layers[i].Instruction = p
		}
	}
	res.Findings = wasteFindings(res, a)
	return res, nil
}

// applyLayer folds the entries of layer li into the tree: first dive's
// efficiency records (against the state before the layer), then the merged
// filesystem, whiteouts and opaque directories before additions.
func (a *analyzer) applyLayer(li int) {
	a.diveLayer(li)
	ly := &a.layers[li]
	for _, e := range a.cur {
		switch {
		case e.op:
			if n := a.t.lookup(e.path); n != nil && n.present() {
				var b int64
				for _, c := range n.kids {
					b += a.hide(c, li)
				}
				ly.RemovedBytes += b
				a.deleted = append(a.deleted, Deletion{Path: e.path, Layer: li, Opaque: true, Bytes: b})
			}
		case e.wh:
			if n := a.t.lookup(e.path); n != nil && n.present() {
				b := a.hide(n, li)
				ly.RemovedBytes += b
				a.deleted = append(a.deleted, Deletion{Path: e.path, Layer: li, Bytes: b})
			} else {
				a.deleted = append(a.deleted, Deletion{Path: e.path, Layer: li})
			}
		}
	}
	for _, e := range a.cur {
		if e.wh || e.op || e.path == "/" {
			continue
		}
		n := a.t.get(e.path)
		for p := n.parent; p != nil && p != a.t.root; p = p.parent {
			if p.present() && p.isDir() {
				break
			}
			if p.present() {
				// a file replaced by a directory
				ly.RemovedBytes += a.hide(p, li)
			}
			p.flags |= fPresent | fDir
			p.layer = int32(li)
		}
		isDir := e.typ == tar.TypeDir
		if n.present() {
			switch {
			case isDir && n.isDir():
				// directory metadata only; children stay
			case n.isDir():
				for _, c := range n.kids {
					ly.RemovedBytes += a.hide(c, li)
				}
			default:
				ly.RemovedBytes += a.hideOne(n, li)
			}
		}
		n.flags |= fPresent
		if isDir {
			n.flags |= fDir
			n.size = 0
		} else {
			n.flags &^= fDir
			n.size = 0
			if e.typ == tar.TypeReg || e.typ == tar.TypeRegA {
				n.size = e.size
			}
			n.cat = classify(e.path)
		}
		n.layer = int32(li)
	}
}

// hide removes n and its present descendants from the merged filesystem
// and returns the bytes hidden.
func (a *analyzer) hide(n *node, by int) int64 {
	if !n.present() {
		return 0
	}
	b := a.hideOne(n, by)
	for _, c := range n.kids {
		b += a.hide(c, by)
	}
	return b
}

func (a *analyzer) hideOne(n *node, by int) int64 {
	if !n.present() {
		return 0
	}
	n.flags &^= fPresent
	b := n.size
	if b > 0 && n.layer >= 0 {
		a.layers[n.layer].ReclaimableBytes += b
		n.reclaim += b
		if n.cat != 0 {
			a.hidden[catLayer{n.cat, int(n.layer)}] += b
		}
	}
	n.size = 0
	return b
}

// diveLayer updates dive's per-path records with the leaves of layer li,
// exactly as dive's filetree.Efficiency visits them: a leaf's size is its
// tar header size; a whiteout of a directory counts the bytes under it in
// the lower layers, a whiteout of anything else counts 0.
func (a *analyzer) diveLayer(li int) {
	explicit := make(map[string]int, len(a.cur))
	whiteouts := map[string]bool{}
	nonLeaf := map[string]bool{}
	implicit := map[string]bool{}
	markParents := func(p string) {
		for {
			i := lastSlash(p)
			if i <= 0 {
				return
			}
			p = p[:i]
			if nonLeaf[p] {
				return
			}
			nonLeaf[p] = true
		}
	}
	for i, e := range a.cur {
		switch {
		case e.path == "/":
		case e.op:
			// dive never adds the marker itself, only its directory.
			if _, ok := explicit[e.path]; !ok {
				implicit[e.path] = true
			}
			markParents(e.path)
		case e.wh:
			whiteouts[e.path] = true
			markParents(e.path)
		default:
			explicit[e.path] = i
			markParents(e.path)
		}
	}
	record := func(n *node, size int64) {
		n.diveCum += size
		if n.diveMin < 0 || size < n.diveMin {
			n.diveMin = size
		}
		n.diveCount++
	}
	for p := range whiteouts {
		var size int64
		if n := a.t.lookup(p); n != nil && n.present() && n.flags&fDiveDir != 0 {
			size = sumPresent(n)
		}
		record(a.t.get(p), size)
	}
	for p, i := range explicit {
		if nonLeaf[p] {
			continue
		}
		record(a.t.get(p), a.cur[i].size)
	}
	for p := range implicit {
		if _, ok := explicit[p]; ok || nonLeaf[p] {
			continue
		}
		record(a.t.get(p), 0)
	}
	// dive's stacked tree takes the last layer's header for every path it
	// names, implicit parents included (with an empty header).
	for p := range nonLeaf {
		if _, ok := explicit[p]; !ok {
			a.t.get(p).flags &^= fDiveDir
		}
	}
	for p := range implicit {
		if _, ok := explicit[p]; !ok {
			a.t.get(p).flags &^= fDiveDir
		}
	}
	for p, i := range explicit {
		n := a.t.get(p)
		if a.cur[i].typ == tar.TypeDir {
			n.flags |= fDiveDir
		} else {
			n.flags &^= fDiveDir
		}
	}
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

func (a *analyzer) finish(res *Result) {
	res.Layers = a.layers
	for i, l := range a.layers {
		res.SizeBytes += l.SizeBytes
		if i > 0 {
			res.UserSizeBytes += l.SizeBytes
		}
		res.CompressedBytes += l.CompressedBytes
		res.TarBytes += l.TarBytes
		res.ReclaimableBytes += l.ReclaimableBytes
	}
	top := a.opts.Top
	var minSum, cumSum int64
	var ineff []Inefficient
	files := &topN{n: top}
	reclaim := &topN{n: top}
	dirs := &topN{n: top}
	var dirSize func(n *node) int64
	dirSize = func(n *node) int64 {
		var s int64
		for _, c := range n.kids {
			if !c.present() {
				continue
			}
			if c.isDir() {
				s += dirSize(c)
			} else {
				s += c.size
			}
		}
		if n != a.t.root && n.isDir() {
			dirs.push(n, s)
		}
		return s
	}
	visit(a.t.root, func(n *node) {
		if n.diveCount > 0 {
			minSum += n.diveMin
			cumSum += n.diveCum
			if n.diveCount >= 2 {
				ineff = append(ineff, Inefficient{Path: n.path(), Count: int(n.diveCount), WastedBytes: n.diveCum})
			}
		}
		if n.reclaim > 0 {
			reclaim.push(n, n.reclaim)
		}
		if n.present() && !n.isDir() {
			res.FileCount++
			res.SquashedBytes += n.size
			files.push(n, n.size)
		}
	})
	dirSize(a.t.root)
	res.Efficiency = 1
	if cumSum > 0 {
		res.Efficiency = float64(minSum) / float64(cumSum)
	}
	sort.SliceStable(ineff, func(i, j int) bool {
		if ineff[i].WastedBytes != ineff[j].WastedBytes {
			return ineff[i].WastedBytes > ineff[j].WastedBytes
		}
		return ineff[i].Path < ineff[j].Path
	})
	for _, f := range ineff {
		res.WastedBytes += f.WastedBytes
	}
	if res.UserSizeBytes > 0 {
		res.UserWastedPercent = float64(res.WastedBytes) / float64(res.UserSizeBytes)
	}
	res.InefficientFiles = ineff
	if res.InefficientFiles == nil {
		res.InefficientFiles = []Inefficient{}
	}
	res.LargestFiles = files.list()
	res.LargestDirs = dirs.list()
	res.ReclaimablePaths = reclaim.list()
	sort.SliceStable(a.deleted, func(i, j int) bool { return a.deleted[i].Bytes > a.deleted[j].Bytes })
	res.Deleted = a.deleted
	if res.Deleted == nil {
		res.Deleted = []Deletion{}
	}
	res.Tree = buildTree(a.t.root, res.SquashedBytes)
}

// topN keeps the n largest nodes by a value.
type topN struct {
	n     int
	items nodeHeap
}

type nodeVal struct {
	n *node
	v int64
}

type nodeHeap []nodeVal

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i].v < h[j].v }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(nodeVal)) }
func (h *nodeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (t *topN) push(n *node, v int64) {
	if v <= 0 {
		return
	}
	if len(t.items) < t.n {
		heap.Push(&t.items, nodeVal{n, v})
		return
	}
	if v > t.items[0].v {
		t.items[0] = nodeVal{n, v}
		heap.Fix(&t.items, 0)
	}
}

func (t *topN) list() []PathBytes {
	out := make([]PathBytes, 0, len(t.items))
	for _, it := range t.items {
		out = append(out, PathBytes{Path: it.n.path(), Bytes: it.v, Layer: int(it.n.layer)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bytes != out[j].Bytes {
			return out[i].Bytes > out[j].Bytes
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// buildTree prunes the final filesystem to nodes of at least 0.2% of the
// image (at most ~3000 nodes), folding the rest into "…".
func buildTree(root *node, total int64) *TreeNode {
	min := total / 500
	budget := 3000
	var build func(n *node, name string, depth int) (*TreeNode, int64)
	build = func(n *node, name string, depth int) (*TreeNode, int64) {
		tn := &TreeNode{Name: name, Layer: int(n.layer)}
		if !n.isDir() {
			tn.Size = n.size
			return tn, n.size
		}
		var rest int64
		var s int64
		names := make([]string, 0, len(n.kids))
		for k, c := range n.kids {
			if c.present() {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		for _, k := range names {
			c := n.kids[k]
			cs := sumPresent(c)
			s += cs
			if cs >= min && cs > 0 && budget > 0 && depth < 12 {
				budget--
				child, _ := build(c, k, depth+1)
				tn.Children = append(tn.Children, child)
			} else {
				rest += cs
			}
		}
		if rest > 0 {
			tn.Children = append(tn.Children, &TreeNode{Name: "…", Size: rest, Layer: -1})
		}
		tn.Size = s
		return tn, s
	}
	t, _ := build(root, "/", 0)
	return t
}
